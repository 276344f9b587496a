//! Adam on plain tensors, by hand, so that rows can be appended and removed together with their moments.
//!
//! For a parameter `p` with gradient `g` at the tensor's `t`-th update (t = 1, 2, …):
//!
//! ```text
//! m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
//! p ← p − lr · (m / (1 − β1ᵗ)) / (sqrt(v / (1 − β2ᵗ)) + ε)
//! ```
//!
//! exactly PyTorch's `torch.optim.Adam` (no weight decay, no amsgrad), which 3DGS and gsplat use. The step count
//! `t` belongs to the whole tensor, as in PyTorch: rows added by densification start with m = v = 0 but share the
//! tensor's bias correction (that is what 3DGS does when it concatenates optimiser state).

use burn::tensor::Tensor;

/// Adam hyper-parameters. The defaults are 3DGS's: β1 = 0.9, β2 = 0.999, ε = 1e-15.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adam {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
}

impl Default for Adam {
    fn default() -> Self {
        Adam { beta1: 0.9, beta2: 0.999, eps: 1e-15 }
    }
}

/// First and second moments of one tensor and how many updates it has had.
#[derive(Clone, Debug)]
pub(crate) struct Moments {
    pub m: Tensor<2>,
    pub v: Tensor<2>,
    pub step: u64,
}

impl Adam {
    /// One update of `param` (no autodiff) with gradient `grad`; `lr_scale` (optional `[1, C]` row) multiplies the
    /// learning rate per column. Returns the new parameter value and advances `moments`.
    pub(crate) fn update(
        &self,
        param: Tensor<2>,
        grad: Tensor<2>,
        moments: &mut Moments,
        lr: f64,
        lr_scale: Option<&Tensor<2>>,
    ) -> Tensor<2> {
        moments.step += 1;
        let t = moments.step as i32;
        let m = moments.m.clone().mul_scalar(self.beta1) + grad.clone().mul_scalar(1.0 - self.beta1);
        let v = moments.v.clone().mul_scalar(self.beta2) + (grad.clone() * grad).mul_scalar(1.0 - self.beta2);
        let bc1 = 1.0 - self.beta1.powi(t);
        let bc2 = 1.0 - self.beta2.powi(t);
        let denom = v.clone().div_scalar(bc2).sqrt().add_scalar(self.eps);
        let mut delta = (m.clone() / denom).mul_scalar(lr / bc1);
        if let Some(scale) = lr_scale {
            delta = delta * scale.clone();
        }
        moments.m = m;
        moments.v = v;
        param - delta
    }
}
