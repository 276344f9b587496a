//! Criterion benches of the rasterizer op through burn, on every backend compiled in: ndarray (the CPU kernel on
//! the host path, plus its tensor copies) and, with `--features wgpu`, the CubeCL kernels on the wgpu device
//! (software Vulkan on a machine without a GPU). Same scenes as `raster.rs` (16k Gaussians at 128², 100k at 512²).
//! Forward: render and read the image's sum back (so the device work is finished); forward + backward: a loss on
//! colour, alpha and depth, its backward, and one gradient read back.

use burn::tensor::{Device, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::Backend;
use splatbench_render::op::{CameraTensors, GaussianTensors, render};
use splatbench_render::{GaussianCloud, RasterCamera};

/// The scene of `raster.rs`: a camera at the origin looking down +z, Gaussians in the frustum between z = 2 and
/// 10 with scales for a few pixels each.
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
    let sigma_px = 1.5 * (16_000.0 / n as f32).sqrt() * (size as f32 / 128.0);
    for _ in 0..n {
        let z: f32 = r.random_range(2.0..10.0);
        g.means.push([r.random_range(-half..half) * z, r.random_range(-half..half) * z, z]);
        let base = (sigma_px * 6.0 / f).ln();
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

fn camera_tensors(cam: &RasterCamera, dev: &Device) -> CameraTensors {
    CameraTensors {
        viewmat: Tensor::from_data(burn::tensor::TensorData::new(cam.viewmat.as_flattened().to_vec(), [4, 4]), dev),
        intrinsics: Tensor::from_data(burn::tensor::TensorData::new(vec![cam.fx, cam.fy, cam.cx, cam.cy], [4]), dev),
        width: cam.width,
        height: cam.height,
    }
}

fn bench(c: &mut Criterion) {
    splatbench_core::malloc::keep_freed_memory();
    let backends = [Backend::Ndarray, Backend::Wgpu];
    for (backend, dev) in
        backends.into_iter().filter_map(|b| splatbench_device::device_for(b, None).ok().map(|d| (b, d)))
    {
        for (n, size) in [(16_000usize, 128u32), (100_000, 512)] {
            let (g, cam) = scene(n, size, 42);
            let t = GaussianTensors::from_cloud(&g, &dev);
            let t = GaussianTensors {
                means: t.means.require_grad(),
                log_scales: t.log_scales.require_grad(),
                quats: t.quats.require_grad(),
                opacity_logits: t.opacity_logits.require_grad(),
                sh: t.sh.require_grad(),
            };
            let ct = camera_tensors(&cam, &dev);
            let mut group = c.benchmark_group(format!("op_{}_{n}_{size}x{size}", backend.name()));
            group.sample_size(10);
            group.bench_function("forward", |b| b.iter(|| render(&t, &ct, [0.0; 3], None).color.sum().into_data()));
            group.bench_function("forward_backward", |b| {
                b.iter(|| {
                    let out = render(&t, &ct, [0.0; 3], None);
                    let loss = out.color.sum() + out.alpha.sum() * 0.5 + out.depth.sum() * 0.01;
                    let grads = loss.backward();
                    t.means.grad(&grads).expect("means gradient").sum().into_data()
                })
            });
            group.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
