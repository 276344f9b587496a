//! 3D Gaussians as [`PointParams`]: parameter names, 3DGS initialisation and learning rates, conversion to the
//! renderer's tensors and cloud.
//!
//! Parameters (N rows each): `"means"` [N,3] world positions, `"log_scales"` [N,3] log standard deviations,
//! `"quats"` [N,4] (w, x, y, z), `"opacity_logits"` [N,1] (opacity = sigmoid), `"sh"` [N, K·3] with K = (d+1)²,
//! coefficient-major then channel (`GaussianCloud::sh`'s layout).
//!
//! Initialisation from a point cloud (3DGS `create_from_pcd`): means = points; every axis scale =
//! `sqrt(max(mean squared distance to the 3 nearest neighbours, 1e-7))`; identity rotation; opacity 0.1;
//! SH DC = (colour − 0.5) / C0 with C0 = 0.28209479177387814 (the degree-0 SH basis), higher bands 0.

use burn::tensor::{Device, Gradients, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::{Camera, Error, PointCloud, Result};
use splatbench_render::GaussianCloud;
use splatbench_render::op::GaussianTensors;

use crate::knn::mean_sq_dist_knn3;
use crate::params::PointParams;
use crate::schedule::exp_decay_lr;

pub const MEANS: &str = "means";
pub const LOG_SCALES: &str = "log_scales";
pub const QUATS: &str = "quats";
pub const OPACITY_LOGITS: &str = "opacity_logits";
pub const SH: &str = "sh";

/// The degree-0 real spherical-harmonic basis value, 1 / (2√π).
pub use splatbench_core::maths::SH_C0;
/// Initial opacity of every Gaussian.
pub const INIT_OPACITY: f64 = 0.1;
/// Floor of the squared neighbour distance (3DGS clamps `distCUDA2` at 1e-7).
const MIN_DIST2: f64 = 1e-7;

/// Per-parameter Adam learning rates; the position rate decays exponentially from `means_init` to `means_final`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GaussianLrs {
    pub means_init: f64,
    pub means_final: f64,
    pub log_scales: f64,
    pub quats: f64,
    pub opacity_logits: f64,
    pub sh_dc: f64,
    pub sh_rest: f64,
}

impl GaussianLrs {
    /// 3DGS's rates (positions scaled by the scene extent, as `spatial_lr_scale`).
    pub fn three_dgs(scene_extent: f64) -> Self {
        GaussianLrs {
            means_init: 1.6e-4 * scene_extent,
            means_final: 1.6e-6 * scene_extent,
            log_scales: 5e-3,
            quats: 1e-3,
            opacity_logits: 5e-2,
            sh_dc: 2.5e-3,
            sh_rest: 2.5e-3 / 20.0,
        }
    }

    /// Position learning rate at `step` of `total`.
    pub fn means_lr(&self, step: usize, total: usize) -> f64 {
        exp_decay_lr(self.means_init, self.means_final, step, total)
    }

    /// Sets the scheduled rates on `params` for this step (call once per step before `adam_step`).
    pub fn apply(&self, params: &mut PointParams, step: usize, total: usize) {
        params.set_lr(MEANS, self.means_lr(step, total));
    }
}

/// 3DGS scene extent: 1.1 × the largest distance of a camera centre from the cameras' centroid (1.0 when the
/// cameras coincide or there are none, so that extent-relative thresholds stay meaningful).
pub fn scene_extent(cameras: &[Camera]) -> f64 {
    if cameras.is_empty() {
        return 1.0;
    }
    let centres: Vec<[f64; 3]> = cameras.iter().map(Camera::center).collect();
    let n = centres.len() as f64;
    let mean = [0, 1, 2].map(|k| centres.iter().map(|c| c[k]).sum::<f64>() / n);
    let radius = centres
        .iter()
        .map(|c| ((c[0] - mean[0]).powi(2) + (c[1] - mean[1]).powi(2) + (c[2] - mean[2]).powi(2)).sqrt())
        .fold(0.0, f64::max);
    if radius > 1e-9 { 1.1 * radius } else { 1.0 }
}

/// `n` points uniform in the cube `centre ± half_extent` with uniform random colours (3DGS's init for scenes
/// without a sparse point cloud).
pub fn random_cloud(n: usize, centre: [f64; 3], half_extent: f64, seed: u64) -> PointCloud {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut positions = Vec::with_capacity(n);
    let mut colors = Vec::with_capacity(n);
    for _ in 0..n {
        positions.push([0, 1, 2].map(|k| centre[k] + half_extent * (2.0 * rng.random::<f64>() - 1.0)));
        colors.push([0, 1, 2].map(|_| rng.random::<f32>()));
    }
    PointCloud { positions, colors }
}

/// Gaussians initialised from `cloud` (see the module docs) with SH degree `sh_degree` and the learning rates of
/// `lrs` at step 0. Errors (as input errors) on an empty cloud, mismatched colours, non-finite positions or an SH
/// degree above 3.
pub fn init_from_points(cloud: &PointCloud, sh_degree: u32, lrs: &GaussianLrs, device: &Device) -> Result<PointParams> {
    let what = "point cloud";
    let n = cloud.positions.len();
    if n == 0 {
        return Err(Error::input(what, "has no points to initialise Gaussians from"));
    }
    if cloud.colors.len() != n {
        return Err(Error::input(what, format!("has {n} positions but {} colours", cloud.colors.len())));
    }
    if let Some(i) = cloud.positions.iter().position(|p| p.iter().any(|v| !v.is_finite())) {
        return Err(Error::input(what, format!("point {i} has a non-finite coordinate")));
    }
    if sh_degree > 3 {
        return Err(Error::input(what, format!("SH degree {sh_degree} is not supported (0..=3)")));
    }
    let k = GaussianCloud::num_sh_coeffs(sh_degree);
    let dist2 = mean_sq_dist_knn3(&cloud.positions);
    let means: Vec<f32> = cloud.positions.iter().flatten().map(|&v| v as f32).collect();
    let log_scales: Vec<f32> = dist2.iter().flat_map(|&d| [(0.5 * d.max(MIN_DIST2).ln()) as f32; 3]).collect();
    let quats: Vec<f32> = (0..n).flat_map(|_| [1.0f32, 0.0, 0.0, 0.0]).collect();
    let logit = splatbench_core::maths::logit(INIT_OPACITY) as f32;
    let mut sh = vec![0.0f32; n * k * 3];
    for (i, c) in cloud.colors.iter().enumerate() {
        for ch in 0..3 {
            sh[i * k * 3 + ch] = ((c[ch] as f64 - 0.5) / SH_C0) as f32;
        }
    }
    let t = |v: Vec<f32>, c: usize| Tensor::<2>::from_data(TensorData::new(v, [n, c]), device);
    let mut params = PointParams::new(device);
    params.add(MEANS, t(means, 3), lrs.means_lr(0, 1));
    params.add(LOG_SCALES, t(log_scales, 3), lrs.log_scales);
    params.add(QUATS, t(quats, 4), lrs.quats);
    params.add(OPACITY_LOGITS, t(vec![logit; n], 1), lrs.opacity_logits);
    params.add(SH, t(sh, k * 3), lrs.sh_dc);
    if k > 1 && lrs.sh_dc > 0.0 {
        let rest = (lrs.sh_rest / lrs.sh_dc) as f32;
        let scale: Vec<f32> = (0..k * 3).map(|j| if j < 3 { 1.0 } else { rest }).collect();
        params.set_column_lr_scale(SH, Some(&scale));
    }
    Ok(params)
}

/// The renderer's view of the Gaussian parameters (the autodiff leaves, reshaped).
///
/// # Panics
/// If a Gaussian parameter is missing or "sh" does not have (sh_degree + 1)²·3 columns.
pub fn tensors(params: &PointParams, sh_degree: u32) -> GaussianTensors {
    let n = params.len();
    let k = GaussianCloud::num_sh_coeffs(sh_degree);
    let sh = params.get(SH);
    assert_eq!(sh.dims()[1], k * 3, "tensors: \"sh\" must have {} columns for degree {sh_degree}", k * 3);
    GaussianTensors {
        means: params.get(MEANS),
        log_scales: params.get(LOG_SCALES),
        quats: params.get(QUATS),
        opacity_logits: params.get(OPACITY_LOGITS).reshape([n]),
        sh: sh.reshape([n, k, 3]),
    }
}

/// The current Gaussians on the host (for PLY export and evaluation).
pub fn to_cloud(params: &PointParams, sh_degree: u32) -> GaussianCloud {
    let n = params.len();
    let k = GaussianCloud::num_sh_coeffs(sh_degree);
    GaussianTensors {
        means: params.value(MEANS),
        log_scales: params.value(LOG_SCALES),
        quats: params.value(QUATS),
        opacity_logits: params.value(OPACITY_LOGITS).reshape([n]),
        sh: params.value(SH).reshape([n, k, 3]),
    }
    .to_cloud()
}

/// Gaussians from a cloud (e.g. a PLY or a feed-forward prediction) as trainable parameters with rates `lrs`.
pub fn from_cloud(cloud: &GaussianCloud, lrs: &GaussianLrs, device: &Device) -> Result<PointParams> {
    cloud.validate().map_err(|msg| Error::input("Gaussian cloud", msg))?;
    let g = GaussianTensors::from_cloud(cloud, device);
    let n = cloud.len();
    let k = GaussianCloud::num_sh_coeffs(cloud.sh_degree);
    let mut params = PointParams::new(device);
    params.add(MEANS, g.means, lrs.means_lr(0, 1));
    params.add(LOG_SCALES, g.log_scales, lrs.log_scales);
    params.add(QUATS, g.quats, lrs.quats);
    params.add(OPACITY_LOGITS, g.opacity_logits.reshape([n, 1]), lrs.opacity_logits);
    params.add(SH, g.sh.reshape([n, k * 3]), lrs.sh_dc);
    if k > 1 && lrs.sh_dc > 0.0 {
        let rest = (lrs.sh_rest / lrs.sh_dc) as f32;
        let scale: Vec<f32> = (0..k * 3).map(|j| if j < 3 { 1.0 } else { rest }).collect();
        params.set_column_lr_scale(SH, Some(&scale));
    }
    Ok(params)
}

/// The screen-space probe for [`splatbench_render::op::render`]: `[N, 2]` zeros tracked by autodiff, whose
/// gradient after `backward` is dL/d(projected pixel mean) for densification.
pub fn screen_probe(params: &PointParams) -> Tensor<2> {
    Tensor::<2>::zeros([params.len(), 2], params.device()).autodiff().require_grad()
}

/// The probe's gradient on the host, one `[gx, gy]` per point (empty when the probe got no gradient).
pub fn probe_grad(probe: &Tensor<2>, grads: &Gradients) -> Vec<[f32; 2]> {
    let Some(g) = probe.grad(grads) else { return Vec::new() };
    let v: Vec<f32> = g.into_data().convert::<f32>().try_into_vec().expect("f32 data after convert");
    v.chunks_exact(2).map(|c| [c[0], c[1]]).collect()
}
