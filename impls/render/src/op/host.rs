//! The op on the host, for any burn backend: the forward reads the input tensors to a [`GaussianCloud`] and
//! [`RasterCamera`], runs [`cpu::forward`], uploads the packed `[5·H·W]` image to the inputs' device and keeps
//! what the backward needs; the backward splits the packed upstream gradient into colour, alpha and depth, runs
//! [`cpu::backward`] with the saved state and uploads one gradient per input.

use super::kernels::RasterKernels;
use super::tensors::{rows, sh_degree};
use crate::cpu::{self, ForwardState, RenderImage};
use crate::{GaussianCloud, RasterCamera};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, TensorMetadata};
use burn::tensor::TensorData;
use splatbench_device::host::read_f32;
use std::sync::Arc;

/// Everything the backward pass needs, kept on the host.
pub(crate) struct SavedForward {
    pub cloud: GaussianCloud,
    pub cam: RasterCamera,
    pub background: [f32; 3],
    pub state: ForwardState,
    /// Shapes of the tensor inputs, so the gradients come back in the caller's shapes.
    pub shapes: [Vec<usize>; 7],
}

/// Autodiff state must be `Clone + Debug`; share the host data instead of copying it.
#[derive(Clone)]
pub(crate) struct Saved(pub Arc<SavedForward>);

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.0;
        write!(f, "Saved({} Gaussians, {}x{})", s.cloud.means.len(), s.cam.width, s.cam.height)
    }
}

/// Read the inputs (means, log-scales, quats, opacity logits, SH, viewmat, intrinsics), rasterize on the host,
/// upload the packed image to the inputs' device.
pub(super) fn host_forward<B: Backend>(
    prims: [FloatTensor<B>; 7],
    width: u32,
    height: u32,
    background: [f32; 3],
) -> (FloatTensor<B>, Vec<u32>, SavedForward) {
    let device = prims[0].device();
    let shapes = prims.each_ref().map(|t| t.shape().to_vec());
    let [means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics] = prims.map(read_f32::<B>);
    let n = shapes[0][0];
    assert!(
        shapes[4].len() == 3 && shapes[4][0] == n && shapes[4][2] == 3,
        "sh must be [N, K, 3] with N = {n}, got {:?}",
        shapes[4]
    );
    let cloud = GaussianCloud {
        means: rows(means),
        log_scales: rows(log_scales),
        quats: rows(quats),
        opacity_logits,
        sh_degree: sh_degree(shapes[4][1]),
        sh,
    };
    let viewmat: [[f32; 4]; 4] = rows::<4>(viewmat).try_into().expect("viewmat must be [4, 4]");
    let [fx, fy, cx, cy]: [f32; 4] = intrinsics.try_into().expect("intrinsics must be [4]");
    let cam = RasterCamera { width, height, fx, fy, cx, cy, viewmat };

    let (image, state) = cpu::forward(&cloud, &cam, background);
    let packed = pack(&image);
    let len = packed.len();
    let packed = B::float_from_data(TensorData::new(packed, [len]), &device);
    let radii = state.radii.clone();
    (packed, radii, SavedForward { cloud, cam, background, state, shapes })
}

/// Colour `[H, W, 3]`, then alpha `[H, W]`, then depth `[H, W]`, one after another (see the op's module docs).
fn pack(image: &RenderImage) -> Vec<f32> {
    [&image.color[..], &image.alpha[..], &image.depth[..]].concat()
}

// The host path as a backend's [`RasterKernels`]: the CPU backends (`NdArray`, `Flex`) and `LibTorch` run it.
splatbench_device::impl_plain_backends!(impl RasterKernels for [
    burn::backend::NdArray,
    #[cfg(feature = "flex")] burn::backend::Flex,
    #[cfg(feature = "tch")] burn::backend::LibTorch,
] {
    type Saved = Saved;

    fn raster_forward(
        inputs: [FloatTensor<Self>; 7],
        width: u32,
        height: u32,
        background: [f32; 3],
    ) -> (FloatTensor<Self>, Vec<u32>, Saved) {
        let (packed, radii, saved) = host_forward::<Self>(inputs, width, height, background);
        (packed, radii, Saved(Arc::new(saved)))
    }

    fn raster_backward(saved: &Saved, upstream: FloatTensor<Self>) -> [FloatTensor<Self>; 8] {
        host_backward::<Self>(&saved.0, upstream)
    }
});

/// Gradients of every input for the packed `[5·H·W]` upstream gradient, in the op's parent order.
pub(super) fn host_backward<B: Backend>(s: &SavedForward, upstream: FloatTensor<B>) -> [FloatTensor<B>; 8] {
    let device = upstream.device();
    let packed = read_f32::<B>(upstream);
    let pixels = (s.cam.width * s.cam.height) as usize;
    let (d_color, rest) = packed.split_at(pixels * 3);
    let (d_alpha, d_depth) = rest.split_at(pixels);
    let up = cpu::ImageGrads { color: d_color, alpha: d_alpha, depth: d_depth };
    let g = cpu::backward(&s.cloud, &s.cam, s.background, &s.state, up);
    let flat: [Vec<f32>; 8] = [
        g.means.as_flattened().to_vec(),
        g.log_scales.as_flattened().to_vec(),
        g.quats.as_flattened().to_vec(),
        g.opacity_logits,
        g.sh,
        g.viewmat.as_flattened().to_vec(),
        g.intrinsics.to_vec(),
        g.means2d.as_flattened().to_vec(),
    ];
    let n = s.cloud.means.len();
    let mut i = 0;
    flat.map(|values| {
        let shape = if i < 7 { s.shapes[i].clone() } else { vec![n, 2] };
        i += 1;
        B::float_from_data(TensorData::new(values, shape), &device)
    })
}
