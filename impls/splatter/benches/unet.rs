//! Criterion bench of the U-Net at the default configuration: forward, and forward + backward of a mean-square loss,
//! for one batch of `batch_objects` images at the training resolution, on every backend this build compiled in
//! (ndarray always; tch with `--features tch`). Widths are chosen from these numbers (README, splatter section).
//!
//! `cargo bench -p splatbench-splatter --bench unet [--features tch]`

use burn::module::Module;
use burn::tensor::{Tensor, TensorData};
use criterion::{Criterion, criterion_group, criterion_main};
use splatbench_splatter::SplatterConfig;
use splatbench_splatter::unet::UNet;

fn bench(c: &mut Criterion) {
    let cfg = SplatterConfig::default();
    let (b, r) = (cfg.batch_objects, cfg.resolution as usize);
    for (backend, device) in splatbench_device::compiled_devices() {
        let net = UNet::new(&cfg, 0, &device);
        println!(
            "{}: U-Net width {} depth {}: {} parameters, batch {b} × {r}²",
            backend.name(),
            cfg.width,
            cfg.depth,
            net.num_params()
        );
        let x: Vec<f32> = (0..b * 3 * r * r).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
        let input = Tensor::<4>::from_data(TensorData::new(x, [b, 3, r, r]), &device);
        let mut g = c.benchmark_group(format!("unet_{}", backend.name()));
        g.sample_size(10);
        g.bench_function("forward", |bch| {
            bch.iter(|| {
                let y = net.valid().forward(input.clone().inner());
                y.into_data()
            })
        });
        g.bench_function("forward_backward", |bch| {
            bch.iter(|| {
                let y = net.forward(input.clone());
                let grads = y.powi_scalar(2).mean().backward();
                drop(grads);
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
