//! The head method's point parameterisation and its mapping onto the renderer's Gaussians.
//!
//! Learnable per point (gstrain [`PointParams`] names): `means` [N, 3]; `color_logits` [N, 3] with colour
//! `sigmoid(c)`; `opacity_logits` [N, 1] with opacity `sigmoid(o)`; `log_scales` [N, 1] (isotropic) or [N, 3]
//! (anisotropic) with scale `exp(s)`. Rotations are not learned: quaternions are the constant identity (with
//! isotropic scales they would not matter; anisotropic scales are then axis-aligned).
//!
//! Renderer mapping: degree-0 SH `sh0 = (sigmoid(c) − 0.5) / C0`, so the renderer's `C0 · sh0 + 0.5` equals
//! `sigmoid(c)` exactly (always in (0, 1), so its clamp at 0 never acts); isotropic `log_scales` are repeated to
//! three columns.

use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use splatbench_gstrain::PointParams;
use splatbench_render::op::GaussianTensors;

use splatbench_core::maths::{SH_C0 as C0, logit};

fn rows<const C: usize>(v: &[[f32; C]], device: &Device) -> Tensor<2> {
    Tensor::<2>::from_data(TensorData::new(v.iter().flatten().copied().collect::<Vec<_>>(), [v.len(), C]), device)
}

/// Host values to build the parameters from.
pub struct PointValues {
    pub means: Vec<[f32; 3]>,
    /// RGB in (0, 1).
    pub colors: Vec<[f32; 3]>,
    pub opacities: Vec<f32>,
    /// Per-axis scales (equal for isotropic points).
    pub scales: Vec<[f32; 3]>,
}

/// Learning rates of the point groups relative to the geometry base rate (positions move slower than appearance,
/// as in 3DGS, because a unit of position is a large change at this object scale).
pub const LR_FACTORS: [(&str, f64); 4] =
    [("means", 0.1), ("color_logits", 1.0), ("opacity_logits", 2.0), ("log_scales", 0.5)];

pub fn build_params(v: &PointValues, anisotropic: bool, lr: f64, device: &Device) -> PointParams {
    let mut p = PointParams::new(device);
    let lr_of = |name: &str| lr * LR_FACTORS.iter().find(|(n, _)| *n == name).map_or(1.0, |(_, f)| *f);
    p.add("means", rows(&v.means, device), lr_of("means"));
    let cl: Vec<[f32; 3]> = v.colors.iter().map(|c| c.map(logit)).collect();
    p.add("color_logits", rows(&cl, device), lr_of("color_logits"));
    let ol: Vec<[f32; 1]> = v.opacities.iter().map(|&o| [logit(o.clamp(1e-6, 1.0 - 1e-6))]).collect();
    p.add("opacity_logits", rows(&ol, device), lr_of("opacity_logits"));
    let ls = if anisotropic {
        rows(&v.scales.iter().map(|s| s.map(f32::ln)).collect::<Vec<_>>(), device)
    } else {
        let iso: Vec<[f32; 1]> = v.scales.iter().map(|s| [((s[0] * s[1] * s[2]).cbrt()).ln()]).collect();
        rows(&iso, device)
    };
    p.add("log_scales", ls, lr_of("log_scales"));
    p
}

pub fn set_lrs(p: &mut PointParams, lr: f64) {
    for (name, f) in LR_FACTORS {
        p.set_lr(name, lr * f);
    }
}

/// The renderer's Gaussians from the parameters (differentiable).
pub fn gaussian_tensors(p: &PointParams) -> GaussianTensors {
    let means = p.get("means");
    let n = means.dims()[0];
    let device = means.device();
    let color = sigmoid(p.get("color_logits"));
    let sh = (color.sub_scalar(0.5)).div_scalar(C0 as f32).reshape([n, 1, 3]);
    let ls = p.get("log_scales");
    let log_scales = if ls.dims()[1] == 1 { ls.repeat(&[1, 3]) } else { ls };
    let quats = Tensor::<2>::from_data(TensorData::new([1.0f32, 0.0, 0.0, 0.0].repeat(n), [n, 4]), &device);
    GaussianTensors { means, log_scales, quats, opacity_logits: p.get("opacity_logits").reshape([n]), sh }
}

/// Opacities on the host (for pruning and stats).
pub fn opacities(p: &PointParams) -> Vec<f32> {
    sigmoid(p.get("opacity_logits").detach()).into_data().try_into_vec_as::<f32>().expect("f32 opacities")
}

/// Per-point mean scale on the host (clone jitter).
pub fn mean_scales(p: &PointParams) -> Vec<f32> {
    p.get("log_scales").detach().exp().mean_dim(1).into_data().try_into_vec_as::<f32>().expect("f32 scales")
}
