//! Criterion benches of the densification mechanics at 100k / 200k / 400k Gaussians: one 3DGS refinement (grow:
//! clone and split; prune; on ndarray) and the k-d-tree initialisation (mean squared distance to the 3 nearest
//! neighbours, queries in parallel). Both should scale about linearly in N (the tree about N log N).
//!
//! The refine scene: points uniform in a cube with their 3-NN scales (what `init_from_points` gives), screen-space
//! gradients such that 10 % of the points pass the threshold (half of those small enough to clone, half split), 1 %
//! nearly transparent (pruned).

use burn::tensor::Device;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_gstrain::gaussians::{GaussianLrs, LOG_SCALES, OPACITY_LOGITS, init_from_points, random_cloud};
use splatbench_gstrain::knn::mean_sq_dist_knn3;
use splatbench_gstrain::{DefaultStrategy, PointParams, StepInfo};

const SIZES: [usize; 3] = [100_000, 200_000, 400_000];
const EXTENT: f64 = 1.0;

#[allow(deprecated)] // ndarray is the CPU backend the workspace builds
fn device() -> Device {
    Device::ndarray().autodiff()
}

/// The cloud and a strategy whose statistics are ready for one refinement.
fn refine_case(n: usize, device: &Device) -> (PointParams, DefaultStrategy) {
    let cloud = random_cloud(n, [0.0; 3], EXTENT, 11);
    let mut params = init_from_points(&cloud, 0, &GaussianLrs::three_dgs(EXTENT), device).expect("cloud");
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut logits = params.to_host(OPACITY_LOGITS).0;
    for l in logits.iter_mut() {
        if rng.random::<f64>() < 0.01 {
            *l = -8.0;
        }
    }
    let t = burn::tensor::Tensor::<2>::from_data(burn::tensor::TensorData::new(logits, [n, 1]), device);
    params.replace(OPACITY_LOGITS, t, true);
    // NDC gradient = ‖g‖·W/2 with W = 200: 1e-5 px⁻¹ → 1e-3 > 2e-4 (grow), 1e-7 → 1e-5 (kept).
    let grads: Vec<[f32; 2]> =
        (0..n).map(|_| if rng.random::<f64>() < 0.1 { [1e-5, 0.0] } else { [1e-7, 0.0] }).collect();
    let radii = vec![3u32; n];
    let mut strategy = DefaultStrategy::new(EXTENT, 7);
    // The clone/split line at the median initial scale, so growth is half clones, half splits.
    let mut scales = params.to_host(LOG_SCALES).0;
    scales.sort_by(f32::total_cmp);
    strategy.percent_dense = f64::from(scales[scales.len() / 2]).exp() / EXTENT;
    let info =
        StepInfo { step: 600, total_steps: 30_000, means2d_grad: &grads, radii: &radii, width: 200, height: 200 };
    strategy.accumulate(n, &info);
    (params, strategy)
}

fn refine(c: &mut Criterion) {
    let device = device();
    let mut group = c.benchmark_group("refine");
    group.sample_size(10);
    for n in SIZES {
        let (params, strategy) = refine_case(n, &device);
        let stats = {
            let (mut p, mut s) = (params.clone(), strategy.clone());
            s.refine(&mut p, 600)
        };
        println!("refine {n}: {stats:?}");
        group.bench_function(format!("grow_prune_{}k", n / 1000), |b| {
            b.iter_batched(
                || (params.clone(), strategy.clone()),
                |(mut p, mut s)| s.refine(&mut p, 600),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn knn(c: &mut Criterion) {
    let mut group = c.benchmark_group("knn_init");
    group.sample_size(10);
    for n in SIZES {
        let points = random_cloud(n, [0.0; 3], EXTENT, 3).positions;
        group.bench_function(format!("mean_sq_dist_knn3_{}k", n / 1000), |b| b.iter(|| mean_sq_dist_knn3(&points)));
    }
    group.finish();
}

criterion_group!(benches, refine, knn);
criterion_main!(benches);
