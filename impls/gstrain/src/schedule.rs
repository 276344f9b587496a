//! Learning-rate schedules. `t = clamp(step / total, 0, 1)`.
//!
//! - [`cosine_lr`]: `min + ½(base − min)(1 + cos πt)` — `base` at step 0, `min` at the end.
//! - [`exp_decay_lr`]: log-linear interpolation `exp((1 − t)·ln init + t·ln final)`, the 3DGS position schedule
//!   (`get_expon_lr_func` with no delay): `init` at step 0, `final_` at `total`.

use std::f64::consts::PI;

fn progress(step: usize, total: usize) -> f64 {
    if total == 0 { 1.0 } else { (step as f64 / total as f64).clamp(0.0, 1.0) }
}

/// Cosine annealing from `base` (step 0) to `min` (step ≥ `total`).
pub fn cosine_lr(base: f64, min: f64, step: usize, total: usize) -> f64 {
    let t = progress(step, total);
    min + 0.5 * (base - min) * (1.0 + (PI * t).cos())
}

/// Exponential (log-linear) decay from `init` (step 0) to `final_` (step ≥ `total`); both must be > 0.
pub fn exp_decay_lr(init: f64, final_: f64, step: usize, total: usize) -> f64 {
    let t = progress(step, total);
    if init <= 0.0 || final_ <= 0.0 {
        // 3DGS returns 0 for a disabled parameter; a log of 0 would be -inf.
        return 0.0;
    }
    ((1.0 - t) * init.ln() + t * final_.ln()).exp()
}
