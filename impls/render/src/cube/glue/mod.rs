//! The burn glue: `RasterKernels` for the Cube backend. The forward and backward launch the kernels of
//! [`crate::cube::kernels`] and [`crate::cube::bwd`] on the inputs' device; the saved state is device buffers.

mod backward;
mod buffers;
mod forward;

use crate::op::RasterKernels;
use buffers::On;
use burn::backend::tensor::FloatTensor;
use burn_cubecl::CubeBackend;
use burn_cubecl::tensor::CubeTensor;
use std::sync::Arc;

/// What the backward needs from a forward, all on the device.
pub(crate) struct Forward {
    on: On,
    /// means, log-scales, quats, SH, viewmat, intrinsics (contiguous f32).
    inputs: [CubeTensor; 6],
    /// Shapes of the seven tensor inputs, so the gradients come back in the caller's shapes.
    shapes: [Vec<usize>; 7],
    splats: CubeTensor,
    rects: CubeTensor,
    counts: CubeTensor,
    offsets: CubeTensor,
    key_gauss: CubeTensor,
    ranges: CubeTensor,
    final_t: CubeTensor,
    n_contrib: CubeTensor,
    n: usize,
    num_coeffs: usize,
    intersections: usize,
    width: u32,
    height: u32,
    background: [f32; 3],
}

/// Autodiff state must be `Clone + Debug`; share the buffers instead of copying them.
#[derive(Clone)]
pub(crate) struct Saved(Arc<Forward>);

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.0;
        write!(f, "CubeSaved({} Gaussians, {} intersections, {}x{})", s.n, s.intersections, s.width, s.height)
    }
}

impl RasterKernels for CubeBackend {
    type Saved = Saved;

    fn raster_forward(
        inputs: [FloatTensor<Self>; 7],
        width: u32,
        height: u32,
        background: [f32; 3],
    ) -> (FloatTensor<Self>, Vec<u32>, Saved) {
        let (packed, radii, saved) = forward::forward(inputs, width, height, background);
        (packed, radii, Saved(Arc::new(saved)))
    }

    fn raster_backward(saved: &Saved, upstream: FloatTensor<Self>) -> [FloatTensor<Self>; 8] {
        backward::backward(&saved.0, upstream)
    }
}
