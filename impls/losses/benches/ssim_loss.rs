//! Criterion bench of the D-SSIM loss at one bust_250 training view (250×165×3, the OpenSplat comparison setting),
//! forward and forward + backward, on ndarray: through the blur op (host filter, self-adjoint backward) and, for
//! comparison in the same run, the filter it replaced (two depthwise `conv2d`, burn's generic backward); and the
//! whole D-SSIM loss of that view, fused ([`splatbench_losses::fused_ssim`]) against composed from burn ops.

// burn 0.22 deprecates burn-ndarray; it is the CPU backend the workspace builds.
#![allow(deprecated)]

use burn::backend::Dispatch;
use burn::tensor::{Device, Tensor, TensorData};
use criterion::{Criterion, criterion_group, criterion_main};
use splatbench_losses::blur::{conv::blur_conv, gaussian_blur};

const H: usize = 165;
const W: usize = 250;
/// The five filtered maps of SSIM (μx, μy, x², y², xy) × 3 channels: one stacked blur per loss evaluation.
const PLANES: usize = 15;

fn input(device: &Device) -> Tensor<4> {
    let v: Vec<f32> = (0..PLANES * H * W).map(|i| ((i * 7919) % 1000) as f32 / 1000.0).collect();
    Tensor::from_data(TensorData::new(v, [1, PLANES, H, W]), device)
}

fn conv(x: Tensor<4>) -> Tensor<4> {
    Tensor::from_dispatch(blur_conv::<Dispatch>(x.into_dispatch()))
}

fn bench(c: &mut Criterion) {
    splatbench_core::malloc::keep_freed_memory();
    let device = Device::ndarray().autodiff();
    let x = input(&device);
    let mut g = c.benchmark_group("ssim_blur_15x165x250");
    g.sample_size(10);
    // A weighted sum, so the upstream gradient is a dense array as in SSIM (a plain sum's is a broadcast view).
    let weights = input(&device).flip([2]);
    for (name, f) in [("op", gaussian_blur as fn(Tensor<4>) -> Tensor<4>), ("conv2d", conv)] {
        g.bench_function(format!("{name}/forward"), |b| b.iter(|| f(x.clone().inner()).into_data()));
        g.bench_function(format!("{name}/forward_backward"), |b| {
            b.iter(|| {
                let t = x.clone().require_grad();
                let grads = (f(t.clone()) * weights.clone()).sum().backward();
                t.grad(&grads).expect("tracked").into_data()
            })
        });
    }
    let host: Vec<f32> = input(&Device::ndarray()).into_data().to_vec().expect("f32");
    g.bench_function("host_filter_only", |b| {
        b.iter(|| splatbench_losses::blur::host::blur_planes(&host, H, W, &splatbench_losses::blur::taps_f32()))
    });
    g.finish();
    // The whole D-SSIM loss of one view, as a training step evaluates it.
    let (p, q) = (input(&device), input(&device).flip([3]));
    let as_image = |t: Tensor<4>| t.slice([0..1, 0..3, 0..H, 0..W]).squeeze_dim::<3>(0).permute([1, 2, 0]);
    let (p, q) = (as_image(p), as_image(q));
    let mut g = c.benchmark_group("ssim_loss_250x165x3");
    g.sample_size(20);
    for (name, f) in [
        ("fused", splatbench_losses::fused_ssim::fused_ssim as fn(Tensor<3>, Tensor<3>) -> Tensor<1>),
        ("composed", splatbench_losses::ssim::ssim_composed),
    ] {
        g.bench_function(format!("{name}/forward_backward"), |b| {
            b.iter(|| {
                let t = p.clone().require_grad();
                let grads = f(t.clone(), q.clone()).neg().backward();
                t.grad(&grads).expect("tracked").into_data()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
