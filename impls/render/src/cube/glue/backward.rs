//! The backward launches: per-tile backward compositing into per-entry slots, the per-Gaussian gather, the
//! projection VJP and the camera-gradient sum. Every gradient stays on the device.

use super::Forward;
use super::buffers::{input, shaped};
use crate::cube::bwd::{project_bwd, raster_bwd};
use crate::cube::kernels::project::TILE;
use burn::tensor::{DType, Shape};
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

/// Gradients in the op's parent order: means, log-scales, quats, opacity logits, SH, viewmat, intrinsics, and
/// dL/d(projected mean) for the probe.
pub(super) fn backward(f: &Forward, upstream: CubeTensor) -> [CubeTensor; 8] {
    let on = &f.on;
    let upstream = input(upstream);
    let [means, log_scales, quats, sh, viewmat, intrinsics] = f.inputs.clone();
    let n = f.n;
    let (tiles_x, tiles_y) = (f.width.div_ceil(TILE), f.height.div_ceil(TILE));

    let entry_grads = on.zeros(f.intersections * raster_bwd::GRAD, DType::F32);
    raster_bwd::raster_bwd::launch(
        &on.client,
        CubeCount::Static(tiles_x, tiles_y, 1),
        CubeDim::new_2d(TILE, TILE),
        f.splats.clone().into_tensor_arg(),
        f.key_gauss.clone().into_tensor_arg(),
        f.ranges.clone().into_tensor_arg(),
        f.rects.clone().into_tensor_arg(),
        f.offsets.clone().into_tensor_arg(),
        f.final_t.clone().into_tensor_arg(),
        f.n_contrib.clone().into_tensor_arg(),
        upstream.into_tensor_arg(),
        entry_grads.clone().into_tensor_arg(),
        f.width,
        f.height,
        tiles_x,
        f.background[0],
        f.background[1],
        f.background[2],
    );

    let k3 = f.num_coeffs * 3;
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
            means.into_tensor_arg(),
            log_scales.into_tensor_arg(),
            quats.into_tensor_arg(),
            sh.into_tensor_arg(),
            viewmat.into_tensor_arg(),
            intrinsics.into_tensor_arg(),
            f.splats.clone().into_tensor_arg(),
            f.counts.clone().into_tensor_arg(),
            grads2d.into_tensor_arg(),
            d_means.clone().into_tensor_arg(),
            d_log_scales.clone().into_tensor_arg(),
            d_quats.clone().into_tensor_arg(),
            d_opacity.clone().into_tensor_arg(),
            d_sh.clone().into_tensor_arg(),
            d_cam.clone().into_tensor_arg(),
            n as u32,
            f.num_coeffs as u32,
            f.width,
            f.height,
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
