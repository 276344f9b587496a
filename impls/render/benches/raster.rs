//! Criterion benches of the CPU rasterizer: forward, and forward + backward, on random scenes inside the
//! frustum with realistic scales (16k Gaussians at 128×128, 100k at 512×512). Before timing, each scene
//! prints its work counters so Gaussian-pixel evaluations per second can be derived from the timings.

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_render::cpu::{ImageGrads, backward, forward};
use splatbench_render::{GaussianCloud, RasterCamera};

/// Camera at the origin looking down +z; Gaussians uniformly in the frustum between z = 2 and 10, with
/// world-space scales such that a typical splat covers a few pixels (as in a trained 3DGS scene).
fn scene(n: usize, size: u32, seed: u64) -> (GaussianCloud, RasterCamera) {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let f = size as f32 * 0.9;
    let cam = RasterCamera {
        width: size,
        height: size,
        fx: f,
        fy: f,
        cx: size as f32 / 2.0,
        cy: size as f32 / 2.0,
        viewmat: [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
    };
    let mut g = GaussianCloud::empty(3);
    let half = 0.5 * size as f32 / f;
    // Mean splat radius of a few pixels independent of resolution and count: σ_px ≈ f·s/z.
    let sigma_px = 1.5 * (16_000.0 / n as f32).sqrt() * (size as f32 / 128.0);
    for _ in 0..n {
        let z: f32 = r.random_range(2.0..10.0);
        g.means.push([r.random_range(-half..half) * z, r.random_range(-half..half) * z, z]);
        let base = (sigma_px * 6.0 / f).ln(); // at the mean depth z ≈ 6
        g.log_scales.push(std::array::from_fn(|_| base + r.random_range(-0.7..0.7)));
        g.quats.push(std::array::from_fn(|_| r.random_range(-1.0..1.0)));
        g.opacity_logits.push(r.random_range(-2.0..3.0));
        for k in 0..16 {
            for _ in 0..3 {
                g.sh.push(if k == 0 { r.random_range(-1.0..1.0) } else { r.random_range(-0.1..0.1) });
            }
        }
    }
    (g, cam)
}

fn bench(c: &mut Criterion) {
    splatbench_core::malloc::keep_freed_memory();
    for (n, size) in [(16_000usize, 128u32), (100_000, 512)] {
        let (g, cam) = scene(n, size, 42);
        let bg = [0.0, 0.0, 0.0];
        let (img, state) = forward(&g, &cam, bg);
        let s = state.stats;
        let mean_alpha = img.alpha.iter().sum::<f32>() / img.alpha.len() as f32;
        println!(
            "scene {n} Gaussians {size}×{size}: visible {}, tile intersections {}, gaussian-pixel pairs {} \
             ({:.1} per pixel), mean alpha {mean_alpha:.3}",
            s.visible,
            s.intersections,
            s.pairs_evaluated,
            s.pairs_evaluated as f64 / (size * size) as f64
        );
        let npix = (size * size) as usize;
        let dc = vec![1e-3f32; npix * 3];
        let da = vec![1e-3f32; npix];
        let dd = vec![1e-4f32; npix];
        let mut group = c.benchmark_group(format!("raster_{n}_{size}x{size}"));
        group.sample_size(10);
        group.bench_function("forward", |b| b.iter(|| forward(&g, &cam, bg)));
        group.bench_function("forward_backward", |b| {
            b.iter(|| {
                let (_, st) = forward(&g, &cam, bg);
                backward(&g, &cam, bg, &st, ImageGrads { color: &dc, alpha: &da, depth: &dd })
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
