//! The backward launches: per-tile backward compositing into per-entry slots, the per-Gaussian gather, the
//! projection VJP and the camera-gradient sum. Every gradient stays on the device.

use super::Forward;
use super::buffers::{input, shaped};
use crate::constants::TILE;
use crate::cube::bwd::{project_bwd, raster_bwd};
use crate::cube::types::{
    CameraArgsLaunch, GaussianArgsLaunch, ParamGradsLaunch, ProjectBwdArgsLaunch, RasterBwdArgsLaunch, TileListsLaunch,
};
use burn::tensor::{DType, Shape};
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

/// Gradients in the op's parent order: means, log-scales, quats, opacity logits, SH, viewmat, intrinsics, and
/// dL/d(projected mean) for the probe.
pub(super) fn backward(f: &Forward, upstream: CubeTensor) -> [CubeTensor; 8] {
    let on = &f.on;
    let upstream = input(upstream);
    let [means, log_scales, quats, sh, viewmat, intrinsics] = f.inputs.clone();
    let n = f.frame.n;
    let (tiles_x, tiles_y) = f.frame.tiles();
    let uniforms = || f.frame.uniforms();

    let entry_grads = on.zeros(f.intersections * raster_bwd::GRAD, DType::F32);
    raster_bwd::raster_bwd::launch(
        &on.client,
        CubeCount::Static(tiles_x, tiles_y, 1),
        CubeDim::new_2d(TILE, TILE),
        TileListsLaunch {
            splats: f.splats.clone().into_buffer_arg(),
            gauss: f.key_gauss.clone().into_buffer_arg(),
            ranges: f.ranges.clone().into_buffer_arg(),
        },
        RasterBwdArgsLaunch {
            rects: f.rects.clone().into_buffer_arg(),
            offsets: f.offsets.clone().into_buffer_arg(),
            final_t: f.final_t.clone().into_buffer_arg(),
            n_contrib: f.n_contrib.clone().into_buffer_arg(),
            upstream: upstream.into_buffer_arg(),
        },
        entry_grads.clone().into_tensor_arg(),
        uniforms(),
    );

    let k3 = f.frame.num_coeffs * 3;
    let grads2d = on.empty(n * raster_bwd::GRAD, DType::F32);
    let d_means = on.empty(n * 3, DType::F32);
    let d_log_scales = on.empty(n * 3, DType::F32);
    let d_quats = on.empty(n * 4, DType::F32);
    let d_opacity = on.empty(n, DType::F32);
    let d_sh = on.empty(n * k3, DType::F32);
    let d_cam = on.zeros(n * project_bwd::CAM, DType::F32);
    let d_means2d = on.empty(n * 2, DType::F32);
    if n > 0 {
        let (count, dim) = on.grid(n);
        raster_bwd::gather::launch(
            &on.client,
            count,
            dim,
            entry_grads.into_tensor_arg(),
            f.offsets.clone().into_tensor_arg(),
            grads2d.clone().into_tensor_arg(),
            d_means2d.clone().into_tensor_arg(),
            n as u32,
        );
        let (count, dim) = on.grid(n);
        project_bwd::project_bwd::launch(
            &on.client,
            count,
            dim,
            GaussianArgsLaunch {
                means: means.into_buffer_arg(),
                log_scales: log_scales.into_buffer_arg(),
                quats: quats.into_buffer_arg(),
                sh: sh.into_buffer_arg(),
            },
            CameraArgsLaunch { viewmat: viewmat.into_buffer_arg(), intrinsics: intrinsics.into_buffer_arg() },
            ProjectBwdArgsLaunch {
                splats: f.splats.clone().into_buffer_arg(),
                counts: f.counts.clone().into_buffer_arg(),
                grads2d: grads2d.into_buffer_arg(),
            },
            ParamGradsLaunch {
                means: d_means.clone().into_buffer_arg(),
                log_scales: d_log_scales.clone().into_buffer_arg(),
                quats: d_quats.clone().into_buffer_arg(),
                opacity: d_opacity.clone().into_buffer_arg(),
                sh: d_sh.clone().into_buffer_arg(),
                cam: d_cam.clone().into_buffer_arg(),
            },
            uniforms(),
        );
    }
    let d_viewmat = on.empty(16, DType::F32);
    let d_intrinsics = on.empty(4, DType::F32);
    project_bwd::camera_grads::launch(
        &on.client,
        CubeCount::Static(1, 1, 1),
        CubeDim::new_1d(256),
        d_cam.into_tensor_arg(),
        d_viewmat.clone().into_tensor_arg(),
        d_intrinsics.clone().into_tensor_arg(),
        n as u32,
    );

    let flat = [d_means, d_log_scales, d_quats, d_opacity, d_sh, d_viewmat, d_intrinsics, d_means2d];
    let mut i = 0;
    flat.map(|t| {
        let shape = if i < 7 { f.shapes[i].clone() } else { vec![n, 2] };
        i += 1;
        // An empty cloud's buffers hold one placeholder element; its gradients are empty tensors.
        if shape.iter().product::<usize>() == 0 { on.empty_shaped(&shape) } else { shaped(t, Shape::from(shape)) }
    })
}
