//! Which strokes to drop at the end of a round, by parameters and gradients (strokes have no opacity to prune on):
//!
//! - **tiny**: the stroke's longer side, 2·max(sₓ, s_y), is below `min_size_px` (0.5 px by default);
//! - **off-canvas**: its footprint covers no pixel centre ([`crate::stroke::Stroke::pixel_box`] is empty);
//! - **covered**: the sum over the round's K steps of its gradient's norm (all eight parameters) stays below
//!   `grad_eps`: nothing it does reaches the image (an opaque stroke lies over it).

use crate::brush::Brush;
use crate::stroke::Stroke;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PruneRules {
    pub min_size_px: f64,
    pub grad_eps: f64,
}

impl Default for PruneRules {
    fn default() -> Self {
        PruneRules { min_size_px: 0.5, grad_eps: 1e-12 }
    }
}

/// Why a stroke was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pruned {
    Tiny,
    OffCanvas,
    Covered,
}

/// The reason to drop each stroke, `None` to keep it; `grad_norm_sums[i]` is stroke i's accumulated gradient norm.
pub fn prune_reasons(
    strokes: &[Stroke],
    grad_norm_sums: &[f64],
    brush: &Brush,
    width: u32,
    height: u32,
    rules: &PruneRules,
) -> Vec<Option<Pruned>> {
    assert_eq!(strokes.len(), grad_norm_sums.len(), "one gradient sum per stroke");
    strokes
        .iter()
        .zip(grad_norm_sums)
        .map(|(s, &g)| {
            let [sx, sy] = s.half_extents();
            if 2.0 * sx.max(sy) < rules.min_size_px {
                Some(Pruned::Tiny)
            } else if s.pixel_box(brush, width, height).is_none() {
                Some(Pruned::OffCanvas)
            } else if g < rules.grad_eps {
                Some(Pruned::Covered)
            } else {
                None
            }
        })
        .collect()
}
