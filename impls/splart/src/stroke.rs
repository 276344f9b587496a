//! One brush stroke and its geometry.
//!
//! Parameters (one row each in [`crate::params`]): position c = (x, y) in pixels (pixel (j, i)'s centre is at
//! (j + 0.5, i + 0.5)), rotation θ in radians (the stroke's long axis is (cos θ, sin θ) in image axes, x right,
//! y down), log half-extents (ln sₓ, ln s_y) in pixels along the stroke's own axes, and colour logits (RGB =
//! sigmoid(logit)).
//!
//! A pixel centre p maps to the stroke's local coordinates q = diag(1/sₓ, 1/s_y)·R(−θ)·(p − c):
//! qₓ = ( cos θ·dx + sin θ·dy)/sₓ, q_y = (−sin θ·dx + cos θ·dy)/s_y with d = p − c, and then to texture
//! coordinates u = (qₓ + 1)/2, v = (q_y + 1)/2, i.e. texel coordinates tu = u·W_brush − 0.5 (see [`crate::brush`]).
//! The stroke's alpha at p is the brush sampled there; it has no opacity parameter of its own.

use crate::brush::Brush;
use serde::{Deserialize, Serialize};
use splatbench_core::maths::sigmoid;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    pub position: [f32; 2],
    pub rotation: f32,
    pub log_scale: [f32; 2],
    pub color_logit: [f32; 3],
}

/// Pixel rectangle `[x0, x1) × [y0, y1)` of the centres a stroke may cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelBox {
    pub x0: u32,
    pub x1: u32,
    pub y0: u32,
    pub y1: u32,
}

impl PixelBox {
    pub fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x0 && x < self.x1 && y >= self.y0 && y < self.y1
    }
}

impl Stroke {
    /// The parameters as one f64 row: x, y, θ, ln sₓ, ln s_y, colour logits (r, g, b).
    pub fn to_row(&self) -> [f64; 8] {
        let [x, y] = self.position;
        let [lx, ly] = self.log_scale;
        let [r, g, b] = self.color_logit;
        [x, y, self.rotation, lx, ly, r, g, b].map(|v| v as f64)
    }

    pub fn half_extents(&self) -> [f64; 2] {
        self.log_scale.map(|l| (l as f64).exp())
    }

    pub fn color(&self) -> [f64; 3] {
        self.color_logit.map(|l| sigmoid(l as f64))
    }

    /// The same stroke on a canvas scaled by `factor` (positions and extents scale, pixel centres stay at +0.5).
    pub fn scaled(&self, factor: f64) -> Stroke {
        Stroke {
            position: self.position.map(|p| (p as f64 * factor) as f32),
            log_scale: self.log_scale.map(|l| (l as f64 + factor.ln()) as f32),
            ..*self
        }
    }

    /// Axis-aligned bounds (continuous pixel coordinates) of the brush footprint: x0, x1, y0, y1.
    pub fn bounds(&self, brush: &Brush) -> [f64; 4] {
        let [sx, sy] = self.half_extents();
        let [ex, ey] = brush.support();
        let (sin, cos) = (self.rotation as f64).sin_cos();
        let hx = cos.abs() * sx * ex + sin.abs() * sy * ey;
        let hy = sin.abs() * sx * ex + cos.abs() * sy * ey;
        let [x, y] = self.position.map(|p| p as f64);
        [x - hx, x + hx, y - hy, y + hy]
    }

    /// Pixels whose centres lie within [`Stroke::bounds`], clipped to a `width × height` canvas; `None` when no
    /// centre does (the stroke is entirely off-canvas, or falls between centres).
    pub fn pixel_box(&self, brush: &Brush, width: u32, height: u32) -> Option<PixelBox> {
        let [bx0, bx1, by0, by1] = self.bounds(brush);
        if !(bx0.is_finite() && bx1.is_finite() && by0.is_finite() && by1.is_finite()) {
            return None;
        }
        // Centre j + 0.5 ∈ [b0, b1] ⇔ j ∈ [⌈b0 − 0.5⌉, ⌊b1 − 0.5⌋].
        let lo = |b: f64, n: u32| (b - 0.5).ceil().clamp(0.0, n as f64) as u32;
        let hi = |b: f64, n: u32| ((b - 0.5).floor() + 1.0).clamp(0.0, n as f64) as u32;
        let pb = PixelBox { x0: lo(bx0, width), x1: hi(bx1, width), y0: lo(by0, height), y1: hi(by1, height) };
        (pb.x0 < pb.x1 && pb.y0 < pb.y1).then_some(pb)
    }
}

/// A stroke's per-pixel constants in f32, for the fast kernel.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    pub cx: f32,
    pub cy: f32,
    pub cos: f32,
    pub sin: f32,
    pub sx: f32,
    pub sy: f32,
    pub inv_sx: f32,
    pub inv_sy: f32,
    pub color: [f32; 3],
}

impl Frame {
    pub fn new(s: &Stroke) -> Frame {
        let [sx, sy] = s.half_extents();
        let (sin, cos) = (s.rotation as f64).sin_cos();
        Frame {
            cx: s.position[0],
            cy: s.position[1],
            cos: cos as f32,
            sin: sin as f32,
            sx: sx as f32,
            sy: sy as f32,
            inv_sx: (1.0 / sx) as f32,
            inv_sy: (1.0 / sy) as f32,
            color: s.color().map(|c| c as f32),
        }
    }

    /// Local coordinates q of the pixel centre (px, py).
    #[inline]
    pub fn local(&self, px: f32, py: f32) -> (f32, f32) {
        let (dx, dy) = (px - self.cx, py - self.cy);
        ((self.cos * dx + self.sin * dy) * self.inv_sx, (-self.sin * dx + self.cos * dy) * self.inv_sy)
    }
}

/// Texel coordinates of local q on `brush` (f32, the kernel's).
#[inline]
pub fn texel_coords(brush: &Brush, qx: f32, qy: f32) -> (f32, f32) {
    ((qx + 1.0) * 0.5 * brush.width as f32 - 0.5, (qy + 1.0) * 0.5 * brush.height as f32 - 0.5)
}
