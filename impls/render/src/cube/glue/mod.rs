//! The burn glue: `RasterKernels` for the Cube backend. The forward and backward launch the kernels of
//! [`crate::cube::kernels`] and [`crate::cube::bwd`] on the inputs' device; the saved state is device buffers.

mod backward;
mod buffers;
mod forward;

use crate::constants::TILE;
use crate::cube::types::UniformsLaunch;
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
    frame: Frame,
    intersections: usize,
}

/// The scalars of one render: `n` Gaussians with `num_coeffs` SH coefficients, a `width`×`height` image, the
/// background colour.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    n: usize,
    num_coeffs: usize,
    width: u32,
    height: u32,
    background: [f32; 3],
}

impl Frame {
    /// Tiles across and down.
    fn tiles(&self) -> (u32, u32) {
        (self.width.div_ceil(TILE), self.height.div_ceil(TILE))
    }

    /// The kernels' scalar uniforms.
    fn uniforms(&self) -> UniformsLaunch {
        UniformsLaunch {
            n: self.n as u32,
            num_coeffs: self.num_coeffs as u32,
            width: self.width,
            height: self.height,
            tiles_x: self.tiles().0,
            bg_r: self.background[0],
            bg_g: self.background[1],
            bg_b: self.background[2],
        }
    }
}

/// Autodiff state must be `Clone + Debug`; share the buffers instead of copying them.
#[derive(Clone)]
pub(crate) struct Saved(Arc<Forward>);

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.0;
        let fr = &s.frame;
        write!(f, "CubeSaved({} Gaussians, {} intersections, {}x{})", fr.n, s.intersections, fr.width, fr.height)
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
