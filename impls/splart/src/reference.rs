//! The dense float64 compositor: every stroke at every pixel, no bounding boxes, no tiles. Slow and obviously
//! right; the fast kernel ([`crate::kernel`]) is tested against it and its gradients against central finite
//! differences of it.
//!
//! The canvas starts at the background colour and each stroke, in creation order, is laid over it with the over
//! operator: C ← (1 − αₖ)·C + αₖ·colourₖ, αₖ the brush sampled at the pixel centre's texel coordinates
//! (see [`crate::stroke`]).

use crate::brush::Brush;
use crate::stroke::Stroke;
use splatbench_core::maths::sigmoid;

/// Row-major `height × width × 3` image of `strokes` over `background`.
pub fn render(strokes: &[Stroke], brush: &Brush, width: u32, height: u32, background: [f64; 3]) -> Vec<f64> {
    let rows: Vec<[f64; 8]> = strokes.iter().map(Stroke::to_row).collect();
    render_rows(&rows, brush, width, height, background)
}

/// [`render`] of strokes given as f64 parameter rows (see [`Stroke::to_row`]), so that finite differences can
/// perturb parameters below f32 resolution.
pub fn render_rows(rows: &[[f64; 8]], brush: &Brush, width: u32, height: u32, background: [f64; 3]) -> Vec<f64> {
    let mut out = Vec::with_capacity((width * height * 3) as usize);
    for i in 0..height {
        for j in 0..width {
            let (px, py) = (j as f64 + 0.5, i as f64 + 0.5);
            let mut c = background;
            for r in rows {
                let a = alpha_at(r, brush, px, py);
                let col = [r[5], r[6], r[7]].map(sigmoid);
                for k in 0..3 {
                    c[k] = (1.0 - a) * c[k] + a * col[k];
                }
            }
            out.extend_from_slice(&c);
        }
    }
    out
}

/// The alpha of the stroke with parameter row `r` at continuous pixel position (px, py), in f64 throughout.
pub fn alpha_at(r: &[f64; 8], brush: &Brush, px: f64, py: f64) -> f64 {
    let (sx, sy) = (r[3].exp(), r[4].exp());
    let (sin, cos) = r[2].sin_cos();
    let (dx, dy) = (px - r[0], py - r[1]);
    let qx = (cos * dx + sin * dy) / sx;
    let qy = (-sin * dx + cos * dy) / sy;
    let tu = (qx + 1.0) * 0.5 * brush.width as f64 - 0.5;
    let tv = (qy + 1.0) * 0.5 * brush.height as f64 - 0.5;
    brush.sample_f64(tu, tv)
}
