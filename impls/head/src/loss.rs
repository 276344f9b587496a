//! The head method's training loss.
//!
//! ```text
//! L = w_l1 · L1(Î, I) + w_ssim · (1 − SSIM(Î, I))        photometric, on the background-composited images
//!   + w_mask · mean |α̂ − M|                               silhouette, where the view has a mask M (alpha)
//!   + w_opacity · mean σ(o)(1 − σ(o))                     opacity (`binary`): pushes every point to transparent or
//!                                                         opaque, so low-value points are pruned instead of lingering;
//!             or mean (1 − σ(o))                          (`visible`, the write-up's "encourages points to be visible")
//!   + w_scale · mean relu(exp(s) − s_max)                 scale: no point larger than s_max = max_scale_factor · R
//!             + mean relu(s_min − exp(s))                 and, when min_scale_factor > 0, none smaller than s_min
//!   + w_spatial · mean relu(‖μ‖ − R)                      spatial: points stay in the object's sphere of radius R
//! ```
//!
//! Masking: the target is the RGBA image composited on the scene background (white for these datasets) and the
//! render uses the same background, so outside the mask the photometric term asks for "nothing here"; the mask
//! term supervises the silhouette directly through the rendered alpha, which the photometric term alone cannot
//! do where the object's colour is close to the background's.

use burn::tensor::Tensor;
use burn::tensor::activation::{relu, sigmoid};
use splatbench_losses::{photometric::l1, ssim::ssim};
use splatbench_render::op::RenderOutput;

use crate::config::{HeadConfig, OpacityReg};
use splatbench_gstrain::PointParams;
use splatbench_train::tensors::ViewTensors;

/// The loss and its photometric part (for logging).
pub struct LossValue {
    pub total: Tensor<1>,
    pub photometric: Tensor<1>,
}

pub fn head_loss(
    out: &RenderOutput,
    view: &ViewTensors,
    params: &PointParams,
    cfg: &HeadConfig,
    radius: f64,
) -> LossValue {
    let mut photometric = l1(out.color.clone(), view.target.clone()).mul_scalar(cfg.w_l1 as f32);
    if cfg.w_ssim > 0.0 {
        let d = ssim(out.color.clone(), view.target.clone()).neg().add_scalar(1.0);
        photometric = photometric + d.mul_scalar(cfg.w_ssim as f32);
    }
    let mut total = photometric.clone();
    if let (Some(mask), true) = (&view.mask, cfg.w_mask > 0.0) {
        total = total + (out.alpha.clone() - mask.clone()).abs().mean().mul_scalar(cfg.w_mask as f32);
    }
    if cfg.w_opacity > 0.0 {
        let o = sigmoid(params.get("opacity_logits"));
        let reg = match cfg.opacity_reg {
            OpacityReg::Binary => (o.clone() * o.neg().add_scalar(1.0)).mean(),
            OpacityReg::Visible => o.neg().add_scalar(1.0).mean(),
        };
        total = total + reg.mul_scalar(cfg.w_opacity as f32);
    }
    if cfg.w_scale > 0.0 {
        let s_max = (cfg.max_scale_factor * radius) as f32;
        let scales = params.get("log_scales").exp();
        let mut reg = relu(scales.clone().sub_scalar(s_max)).mean();
        if cfg.min_scale_factor > 0.0 {
            let s_min = (cfg.min_scale_factor * radius) as f32;
            reg = reg + relu(scales.neg().add_scalar(s_min)).mean();
        }
        total = total + reg.mul_scalar(cfg.w_scale as f32);
    }
    if cfg.w_spatial > 0.0 {
        let m = params.get("means");
        let norm: Tensor<2> = m.powi_scalar(2).sum_dim(1).add_scalar(1e-12).sqrt();
        total = total + relu(norm.sub_scalar(radius as f32)).mean().mul_scalar(cfg.w_spatial as f32);
    }
    LossValue { total, photometric }
}
