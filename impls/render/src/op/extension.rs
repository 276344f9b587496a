//! The backend extension: one `rasterize` operation. Each plain backend runs its [`RasterKernels`] forward (the
//! host path for NdArray and LibTorch, the CubeCL kernels for Cube) and drops the saved state; autodiff runs the
//! inner backend's forward and records a backward node over the eight inputs with that state.

use super::backward::RasterBackward;
use super::kernels::RasterKernels;
use burn::backend::autodiff::{
    Autodiff,
    checkpoint::strategy::CheckpointStrategy,
    ops::{Backward, OpsKind},
};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, ExtensionType};

/// Inputs of the op, in the order of the autodiff parents.
#[derive(ExtensionType)]
pub(super) struct RasterInputs<B: Backend> {
    pub means: FloatTensor<B>,
    pub log_scales: FloatTensor<B>,
    pub quats: FloatTensor<B>,
    pub opacity_logits: FloatTensor<B>,
    pub sh: FloatTensor<B>,
    pub viewmat: FloatTensor<B>,
    pub intrinsics: FloatTensor<B>,
    pub means2d_probe: FloatTensor<B>,
}

/// `packed` is `[5·H·W]`: colour `[H, W, 3]`, alpha `[H, W]`, depth `[H, W]`; `radii` come from the forward.
#[derive(ExtensionType)]
pub(super) struct RasterOutput<B: Backend> {
    pub packed: FloatTensor<B>,
    pub radii: Vec<u32>,
}

splatbench_device::backend_extension! {
    pub(super) trait RasterOps: Backend {
        fn rasterize(
            #[extension_type] inputs: RasterInputs<Self>,
            width: u32,
            height: u32,
            background: [f32; 3],
        ) -> RasterOutput<Self>;
    }
}

splatbench_device::impl_plain_backends!(impl RasterOps {
    fn rasterize(inputs: RasterInputs<Self>, width: u32, height: u32, background: [f32; 3]) -> RasterOutput<Self> {
        forward_untracked(inputs, width, height, background)
    }
});

impl<B: RasterKernels, C: CheckpointStrategy> RasterOps for Autodiff<B, C> {
    fn rasterize(inputs: RasterInputs<Self>, width: u32, height: u32, background: [f32; 3]) -> RasterOutput<Self> {
        let RasterInputs { means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics, means2d_probe } = inputs;
        let nodes = [
            means.node(),
            log_scales.node(),
            quats.node(),
            opacity_logits.node(),
            sh.node(),
            viewmat.node(),
            intrinsics.node(),
            means2d_probe.node(),
        ];
        let prims = [
            means.into_primitive(),
            log_scales.into_primitive(),
            quats.into_primitive(),
            opacity_logits.into_primitive(),
            sh.into_primitive(),
            viewmat.into_primitive(),
            intrinsics.into_primitive(),
        ];
        let (packed, radii, saved) = B::raster_forward(prims, width, height, background);
        let packed = match RasterBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(saved, packed),
            OpsKind::UnTracked(prep) => prep.finish(packed),
        };
        RasterOutput { packed, radii }
    }
}

/// A plain backend's forward: the probe only matters to autodiff, and the saved state is dropped.
fn forward_untracked<B: RasterKernels>(
    inputs: RasterInputs<B>,
    width: u32,
    height: u32,
    background: [f32; 3],
) -> RasterOutput<B> {
    let RasterInputs { means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics, means2d_probe: _ } = inputs;
    let prims = [means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics];
    let (packed, radii, _) = B::raster_forward(prims, width, height, background);
    RasterOutput { packed, radii }
}
