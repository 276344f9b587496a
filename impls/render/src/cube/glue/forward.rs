//! The forward launches: projection, binning (scan, one read of the intersection count, emit, bitonic sort,
//! tile ranges) and compositing. Returns the packed image, the radii (read to the host: the op returns them
//! there) and what the backward needs.

use super::buffers::{On, input, read_u32, shaped};
use super::{Forward, Frame};
use crate::constants::TILE;
use crate::cube::kernels::{bin, project, raster};
use crate::cube::types::{
    BinArgsLaunch, CameraArgsLaunch, GaussianArgsLaunch, ProjectedLaunch, RasterOutLaunch, SortKeysLaunch,
    TileListsLaunch,
};
use burn::tensor::{DType, Shape};
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;

pub(super) fn forward(
    inputs: [CubeTensor; 7],
    width: u32,
    height: u32,
    background: [f32; 3],
) -> (CubeTensor, Vec<u32>, Forward) {
    let shapes = inputs.each_ref().map(|t| t.meta.shape().to_vec());
    let n = shapes[0][0];
    assert!(
        shapes[4].len() == 3 && shapes[4][0] == n && shapes[4][2] == 3,
        "sh must be [N, K, 3] with N = {n}, got {:?}",
        shapes[4]
    );
    let num_coeffs = shapes[4][1];
    let on = On::of(&inputs[0]);
    let [means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics] = inputs.map(input);
    let frame = Frame { n, num_coeffs, width, height, background };
    let (tiles_x, tiles_y) = frame.tiles();
    let n_tiles = (tiles_x * tiles_y) as usize;
    let pixels = (width * height) as usize;
    let uniforms = || frame.uniforms();
    let keys = |tile: &CubeTensor, depth: &CubeTensor, gauss: &CubeTensor| SortKeysLaunch {
        tile: tile.clone().into_buffer_arg(),
        depth: depth.clone().into_buffer_arg(),
        gauss: gauss.clone().into_buffer_arg(),
    };

    let splats = on.empty(n * project::SPLAT, DType::F32);
    let rects = on.zeros(n * 4, DType::U32);
    let counts = on.zeros(n, DType::U32);
    let radii = on.zeros(n, DType::U32);
    let offsets = on.zeros(n + 1, DType::U32);
    let total = on.zeros(1, DType::U32);
    if n > 0 {
        let (count, dim) = on.grid(n);
        project::project::launch(
            &on.client,
            count,
            dim,
            GaussianArgsLaunch {
                means: means.clone().into_buffer_arg(),
                log_scales: log_scales.clone().into_buffer_arg(),
                quats: quats.clone().into_buffer_arg(),
                sh: sh.clone().into_buffer_arg(),
            },
            opacity_logits.clone().into_tensor_arg(),
            CameraArgsLaunch {
                viewmat: viewmat.clone().into_buffer_arg(),
                intrinsics: intrinsics.clone().into_buffer_arg(),
            },
            ProjectedLaunch {
                splats: splats.clone().into_buffer_arg(),
                rects: rects.clone().into_buffer_arg(),
                counts: counts.clone().into_buffer_arg(),
                radii: radii.clone().into_buffer_arg(),
            },
            uniforms(),
        );
        bin::scan::launch(
            &on.client,
            CubeCount::Static(1, 1, 1),
            CubeDim::new_1d(bin::SCAN_UNITS),
            counts.clone().into_tensor_arg(),
            offsets.clone().into_tensor_arg(),
            total.clone().into_tensor_arg(),
            n as u32,
        );
    }
    let m = read_u32(total)[0] as usize;
    let mut radii = read_u32(radii);
    radii.truncate(n);

    // Sorted (tile, depth, Gaussian) keys, padded to a power of two.
    let p = m.next_power_of_two().max(1);
    let key_tile = on.empty(p, DType::U32);
    let key_depth = on.empty(p, DType::F32);
    let key_gauss = on.empty(p, DType::U32);
    let ranges = on.zeros(n_tiles * 2, DType::U32);
    if m > 0 {
        let (count, dim) = on.grid(n);
        bin::emit::launch(
            &on.client,
            count,
            dim,
            BinArgsLaunch {
                rects: rects.clone().into_buffer_arg(),
                counts: counts.clone().into_buffer_arg(),
                offsets: offsets.clone().into_buffer_arg(),
                splats: splats.clone().into_buffer_arg(),
            },
            keys(&key_tile, &key_depth, &key_gauss),
            uniforms(),
        );
        if p > m {
            let (count, dim) = on.grid(p - m);
            bin::pad::launch(&on.client, count, dim, keys(&key_tile, &key_depth, &key_gauss), m as u32, p as u32);
        }
        let mut k = 2;
        while k <= p {
            let mut j = k / 2;
            while j > 0 {
                let (count, dim) = on.grid(p);
                bin::bitonic_step::launch(
                    &on.client,
                    count,
                    dim,
                    keys(&key_tile, &key_depth, &key_gauss),
                    k as u32,
                    j as u32,
                    p as u32,
                );
                j /= 2;
            }
            k *= 2;
        }
        let (count, dim) = on.grid(m);
        bin::tile_ranges::launch(
            &on.client,
            count,
            dim,
            key_tile.clone().into_tensor_arg(),
            ranges.clone().into_tensor_arg(),
            m as u32,
        );
    }

    let packed = on.empty(pixels * 5, DType::F32);
    let final_t = on.empty(pixels, DType::F32);
    let n_contrib = on.empty(pixels, DType::U32);
    raster::raster::launch(
        &on.client,
        CubeCount::Static(tiles_x, tiles_y, 1),
        CubeDim::new_2d(TILE, TILE),
        TileListsLaunch {
            splats: splats.clone().into_buffer_arg(),
            gauss: key_gauss.clone().into_buffer_arg(),
            ranges: ranges.clone().into_buffer_arg(),
        },
        RasterOutLaunch {
            packed: packed.clone().into_buffer_arg(),
            final_t: final_t.clone().into_buffer_arg(),
            n_contrib: n_contrib.clone().into_buffer_arg(),
        },
        uniforms(),
    );
    let packed = shaped(packed, Shape::new([pixels * 5]));
    let saved = Forward {
        on,
        inputs: [means, log_scales, quats, sh, viewmat, intrinsics],
        shapes,
        splats,
        rects,
        counts,
        offsets,
        key_gauss,
        ranges,
        final_t,
        n_contrib,
        frame,
        intersections: m,
    };
    (packed, radii, saved)
}
