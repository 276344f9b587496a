//! Initial size of new strokes by loss perturbation.
//!
//! With L_t the loss when a round starts, L_0 the loss of the initial (mean-colour) canvas and t/T the fraction of
//! rounds done, the perturbed loss interpolates the normalised loss times a constant k with an artificial linear
//! loss:
//!
//! ```text
//! L̃ = (1 − β)·k·L_t/L_0 + β·(1 − t/T)        s₀ = clamp(s_max·L̃, s_min, s_max)
//! ```
//!
//! so strokes start large and shrink slowly, even when the true loss drops fast early on. It only sizes new strokes:
//! no gradient flows through it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScaleSchedule {
    /// Weight of the artificial linear loss (1: s₀ follows progress only).
    pub beta: f64,
    /// Multiplier of the normalised loss.
    pub k: f64,
    /// Largest initial half-extent, as a fraction of the canvas's longer side.
    pub s_max_frac: f64,
    /// Smallest initial half-extent in pixels.
    pub s_min_px: f64,
}

impl Default for ScaleSchedule {
    fn default() -> Self {
        ScaleSchedule { beta: 0.5, k: 1.0, s_max_frac: 0.12, s_min_px: 1.0 }
    }
}

impl ScaleSchedule {
    /// L̃ for loss `loss` (initial loss `loss0`) at `progress` = t/T ∈ [0, 1].
    pub fn perturbed_loss(&self, loss: f64, loss0: f64, progress: f64) -> f64 {
        let normalised = if loss0 > 0.0 { loss / loss0 } else { 0.0 };
        (1.0 - self.beta) * self.k * normalised + self.beta * (1.0 - progress)
    }

    /// s₀ in pixels on a canvas whose longer side is `long_side`.
    pub fn initial_scale(&self, loss: f64, loss0: f64, progress: f64, long_side: f64) -> f64 {
        let s_max = self.s_max_frac * long_side;
        let s_min = self.s_min_px.min(s_max);
        (s_max * self.perturbed_loss(loss, loss0, progress)).clamp(s_min, s_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_scale_is_monotone_in_progress_for_a_non_increasing_loss() {
        let s = ScaleSchedule::default();
        let rounds = 40;
        // Fast early drop, plateaus, a flat stretch: non-increasing throughout.
        let losses: Vec<f64> =
            (0..=rounds).map(|t| 0.02 + 0.1 * (-(t as f64) / 3.0).exp() * if t > 30 { 0.0 } else { 1.0 }).collect();
        let mut last = f64::INFINITY;
        for (t, &l) in losses.iter().enumerate() {
            let s0 = s.initial_scale(l, losses[0], t as f64 / rounds as f64, 256.0);
            assert!(s0 <= last, "round {t}: {s0} > {last}");
            assert!((1.0..=0.12 * 256.0).contains(&s0));
            last = s0;
        }
        assert!(last < s.initial_scale(losses[0], losses[0], 0.0, 256.0));
    }

    #[test]
    fn beta_one_gives_the_linear_curve() {
        let s = ScaleSchedule { beta: 1.0, s_min_px: 0.0, ..ScaleSchedule::default() };
        for (i, loss) in [(0, 0.3), (5, 0.9), (10, 0.01)] {
            let t = i as f64 / 10.0;
            let s0 = s.initial_scale(loss, 0.5, t, 100.0);
            assert!((s0 - 12.0 * (1.0 - t)).abs() < 1e-12, "{s0}");
        }
    }
}
