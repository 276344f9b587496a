//! Metric throughput: SSIM (both conventions) on an 800×800 RGB pair; LPIPS-alex on 4 pairs of 512×512 in one run.
//! `cargo bench -p splatbench-harness --bench metrics`. LPIPS needs onnxruntime and the shared models.

use criterion::{Criterion, criterion_group, criterion_main};
use splatbench_core::Image;
use splatbench_metrics::{Lpips, Net, ssim, ssim_skimage};
use std::hint::black_box;

/// A textured image with a per-seed perturbation, so SSIM has real structure to compare.
fn textured(w: u32, h: u32, seed: u32) -> Image {
    Image::from_fn(w, h, 3, |x, y, c| {
        let v = ((x as f32 * 0.07 + c as f32).sin() * (y as f32 * 0.05).cos() + 1.0) * 0.5;
        let noise = (((x * 7919 + y * 104_729 + c * 31 + seed * 13) % 97) as f32 / 97.0 - 0.5) * 0.1;
        (v + noise * seed as f32).clamp(0.0, 1.0)
    })
}

fn bench_ssim(c: &mut Criterion) {
    splatbench_core::malloc::keep_freed_memory();
    let (a, b) = (textured(800, 800, 0), textured(800, 800, 1));
    c.bench_function("ssim 800x800 rgb", |bch| bch.iter(|| ssim(black_box(&a), black_box(&b))));
    c.bench_function("ssim_skimage 800x800 rgb", |bch| bch.iter(|| ssim_skimage(black_box(&a), black_box(&b))));
}

fn bench_lpips(c: &mut Criterion) {
    let lpips = Lpips::new(Net::Alex).unwrap_or_else(|e| panic!("LPIPS bench: {e}"));
    let images: Vec<(Image, Image)> = (0..4).map(|i| (textured(512, 512, 0), textured(512, 512, i + 1))).collect();
    let pairs: Vec<(&Image, &Image)> = images.iter().map(|(a, b)| (a, b)).collect();
    c.bench_function("lpips_alex 512x512 batch 4", |bch| {
        bch.iter(|| lpips.distance_batch(black_box(&pairs)).expect("LPIPS run"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench_ssim, bench_lpips
}
criterion_main!(benches);
