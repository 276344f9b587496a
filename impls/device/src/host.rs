//! Float tensors to host `f32` values, for the operations that run on the host (the rasterizer and compositor on
//! NdArray and LibTorch, the SSIM filter on NdArray, the fused SSIM loss on NdArray and LibTorch on the CPU).
//!
//! burn's generic route, `into_data`, turns a *shared* ndarray (autodiff keeps every op input alive, so inputs are
//! shared) into `TensorData` by walking it element by element through dynamic-dimension iterators:
//! `ndarray::iterators::to_vec_mapped` was 12 % of a roigs step on ndarray (perf, bust_250). For an NdArray f32
//! tensor these read its storage directly: as one slice in standard layout, else (a slice or permutation of
//! another tensor, as the colour of the rasterizer's packed output is) through a fixed-rank view, whose iterator
//! costs a fraction of the dynamic-rank one. A Flex tensor in contiguous layout is borrowed from its storage
//! (`FlexTensor::as_slice`). Other backends and layouts take burn's route. The values are the same bits.

use burn::backend::Backend;
use burn::backend::ndarray::NdArrayTensor;
use burn::backend::tensor::FloatTensor;
use ndarray::{ArrayViewD, Dimension, Ix1, Ix2, Ix3, Ix4};
use std::any::Any;
use std::borrow::Cow;

/// `f(values)` with the tensor's values in row-major order, borrowed from the storage when it can be.
///
/// # Panics
/// If the backend cannot read the tensor (a device error) or it does not hold floats.
pub fn with_f32<B: Backend, R>(t: &FloatTensor<B>, f: impl FnOnce(&[f32]) -> R) -> R {
    match storage_values::<B>(t) {
        Some(values) => f(&values),
        None => f(&read_f32::<B>(t.clone())),
    }
}

/// The tensor's values in row-major order.
///
/// # Panics
/// As [`with_f32`].
pub fn read_f32<B: Backend>(t: FloatTensor<B>) -> Vec<f32> {
    if let Some(values) = storage_values::<B>(&t) {
        return values.into_owned();
    }
    let data = burn::tensor::read_sync(B::float_into_data(t)).expect("reading a tensor to the host");
    data.convert::<f32>().into_vec::<f32>().expect("f32 tensor data")
}

/// A CPU backend's f32 tensor values from its storage, where that backend has a fast route (see the module docs).
fn storage_values<B: Backend>(t: &FloatTensor<B>) -> Option<Cow<'_, [f32]>> {
    ndarray_values::<B>(t).or_else(|| flex_values::<B>(t))
}

/// A Flex f32 tensor's values: borrowed from its storage when its layout is contiguous; `None` otherwise (a strided
/// view goes burn's route, which lays it out contiguously).
#[cfg(feature = "flex")]
fn flex_values<B: Backend>(t: &FloatTensor<B>) -> Option<Cow<'_, [f32]>> {
    let flex = (t as &dyn Any).downcast_ref::<burn_flex::FlexTensor>()?;
    flex.as_slice::<f32>().map(Cow::Borrowed)
}

#[cfg(not(feature = "flex"))]
fn flex_values<B: Backend>(_: &FloatTensor<B>) -> Option<Cow<'_, [f32]>> {
    None
}

/// An NdArray f32 tensor's values from its storage: borrowed in standard layout, else copied through a fixed-rank
/// view; `None` for any other backend or element type.
fn ndarray_values<B: Backend>(t: &FloatTensor<B>) -> Option<Cow<'_, [f32]>> {
    let Some(NdArrayTensor::F32(storage)) = (t as &dyn Any).downcast_ref::<NdArrayTensor>() else { return None };
    let view = storage.view();
    Some(match view.to_slice() {
        Some(values) => Cow::Borrowed(values),
        None => Cow::Owned(strided(view)),
    })
}

/// A view's values in logical row-major order, iterated at a fixed rank where it has one of up to four.
fn strided(view: ArrayViewD<'_, f32>) -> Vec<f32> {
    fn at<D: Dimension>(view: ArrayViewD<'_, f32>) -> Vec<f32> {
        view.into_dimensionality::<D>().expect("rank checked").iter().copied().collect()
    }
    match view.ndim() {
        1 => at::<Ix1>(view),
        2 => at::<Ix2>(view),
        3 => at::<Ix3>(view),
        4 => at::<Ix4>(view),
        _ => view.iter().copied().collect(),
    }
}

#[cfg(test)]
#[allow(deprecated)] // burn-ndarray is the CPU backend the workspace builds
mod tests {
    use super::*;
    use burn::backend::NdArray;
    use burn::backend::ops::FloatTensorOps;
    use burn::tensor::{Device, Tensor, TensorData};

    fn prim(t: Tensor<2>) -> FloatTensor<NdArray> {
        let data = t.into_data();
        NdArray::float_from_data(data, &Default::default())
    }

    #[test]
    fn contiguous_transposed_and_shared_tensors_read_as_burn_reads_them() {
        let v: Vec<f32> = (0..12).map(|i| i as f32 * 0.5 - 1.0).collect();
        let t = Tensor::<2>::from_data(TensorData::new(v.clone(), [3, 4]), &Device::ndarray());
        assert_eq!(read_f32::<NdArray>(prim(t.clone())), v);
        let p = prim(t);
        assert!((&p as &dyn Any).downcast_ref::<NdArrayTensor>().is_some(), "the storage path must be reachable");
        let shared = p.clone();
        assert_eq!(with_f32::<NdArray, _>(&shared, |s| s.to_vec()), v);
        let transposed = NdArray::float_swap_dims(p, 0, 1);
        let want: Vec<f32> = (0..4).flat_map(|j| (0..3).map(move |i| (i * 4 + j) as f32 * 0.5 - 1.0)).collect();
        assert_eq!(read_f32::<NdArray>(transposed.clone()), want);
        assert_eq!(with_f32::<NdArray, _>(&transposed, |s| s.to_vec()), want);
        // Every rank the fixed-rank path knows, and one above, as a strided (permuted) view.
        for rank in 1..=5usize {
            let shape: Vec<usize> = (0..rank).map(|k| 2 + k % 2).collect();
            let count: usize = shape.iter().product();
            let vals: Vec<f32> = (0..count).map(|i| i as f32).collect();
            let p = NdArray::float_from_data(TensorData::new(vals, shape.clone()), &Default::default());
            let flipped = if rank > 1 { NdArray::float_swap_dims(p, 0, rank - 1) } else { p };
            let burn_reads = burn::tensor::read_sync(NdArray::float_into_data(flipped.clone())).unwrap();
            assert_eq!(read_f32::<NdArray>(flipped), burn_reads.to_vec::<f32>().unwrap(), "rank {rank}");
        }
    }
}
