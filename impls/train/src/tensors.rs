//! Host ↔ tensor conversions, one definition each, so no method reads tensor data ad hoc.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor, TensorData};
use splatbench_core::{Image, Mask};

/// All values of `t` as f32, row-major.
pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().expect("a float tensor reads as f32")
}

/// Every float parameter of `module` on the host, flattened in the module's visiting order (to compare weights).
pub fn module_values<M: Module>(module: &M) -> Vec<f32> {
    struct All(Vec<f32>);
    impl ModuleVisitor for All {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.extend(to_vec(param.val()));
        }
    }
    let mut all = All(Vec::new());
    module.visit(&mut all);
    all.0
}

/// The single value of a one-element tensor, as f64.
pub fn scalar(t: Tensor<1>) -> f64 {
    t.into_scalar::<f32>() as f64
}

/// Rows of `M` values (e.g. `[N, 3]` → `Vec<[f32; 3]>`).
pub fn to_rows<const M: usize>(t: Tensor<2>) -> Vec<[f32; M]> {
    to_vec(t).chunks_exact(M).map(|r| r.try_into().expect("chunk of M")).collect()
}

/// An image as an `[H, W, C]` tensor.
pub fn image_tensor(img: &Image, device: &Device) -> Tensor<3> {
    let shape = [img.height as usize, img.width as usize, img.channels as usize];
    Tensor::from_data(TensorData::new(img.data.clone(), shape), device)
}

/// A mask as an `[H, W]` tensor.
pub fn mask_tensor(m: &Mask, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(m.data.clone(), [m.height as usize, m.width as usize]), device)
}

/// An `[H, W, C]` tensor as an image, values as they are (scoring clamps, not the method).
pub fn tensor_image(t: Tensor<3>) -> Image {
    let [h, w, c] = t.dims();
    Image { width: w as u32, height: h as u32, channels: c as u32, data: to_vec(t) }
}

/// A [`TrainView`](splatbench_core::TrainView)'s targets on the device: the image `[H, W, 3]` and the mask `[H, W]`.
pub struct ViewTensors {
    pub target: Tensor<3>,
    pub mask: Option<Tensor<2>>,
}

impl ViewTensors {
    pub fn new(view: &splatbench_core::TrainView, device: &Device) -> Self {
        ViewTensors {
            target: image_tensor(&view.image, device),
            mask: view.mask.as_ref().map(|m| mask_tensor(m, device)),
        }
    }
}
