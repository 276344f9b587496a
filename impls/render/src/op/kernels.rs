//! What a backend must provide for the differentiable op: a forward that also returns the state its backward
//! needs, and that backward. The host path ([`super::host`]) implements it for every backend generically; the
//! CubeCL kernels ([`crate::cube`]) implement it for the Cube backend (wgpu) so tensors never leave the device.

use burn::backend::Backend;
use burn::backend::tensor::FloatTensor;

/// The forward returns the packed `[5·H·W]` image, the per-Gaussian radii (host values, as the op's output
/// promises) and the saved state; the backward maps the packed upstream gradient to one gradient per input in
/// the op's parent order (means, log-scales, quats, opacity logits, SH, viewmat, intrinsics, means2d probe).
pub(crate) trait RasterKernels: Backend {
    /// What the backward needs from the forward. Autodiff stores it in its graph: `Clone` must be cheap.
    type Saved: Clone + Send + std::fmt::Debug + 'static;

    fn raster_forward(
        inputs: [FloatTensor<Self>; 7],
        width: u32,
        height: u32,
        background: [f32; 3],
    ) -> (FloatTensor<Self>, Vec<u32>, Self::Saved);

    fn raster_backward(saved: &Self::Saved, upstream: FloatTensor<Self>) -> [FloatTensor<Self>; 8];
}
