//! `paint_toy`: one 256×256 RGB image with hard edges and smooth regions, for 2-D fitting benches.
//!
//! A diagonal two-colour gradient, a soft radial glow, hard-edged discs and rectangles, a rotated
//! checkerboard square, a value-noise blob, a stripe ring and thin lines; every pixel is the mean of a 4×4
//! grid of samples (anti-aliased edges), painted back to front.

use super::hsv;
use crate::io::{Sink, png, to_u8};
use crate::math::V3;
use crate::rng::Rng;
use crate::texture::fractal_noise;
use splatbench_core::Result;

pub const NAME: &str = "paint_toy";
pub const SIZE: u32 = 256;

enum Layer {
    Disc { c: [f64; 2], r: f64, col: [f64; 3] },
    Rect { lo: [f64; 2], hi: [f64; 2], col: [f64; 3] },
    Checker { c: [f64; 2], half: f64, angle: f64, cell: f64 },
    Blob { c: [f64; 2], r: f64, seed: u32 },
    Ring { c: [f64; 2], r0: f64, r1: f64 },
    Line { a: [f64; 2], b: [f64; 2], w: f64, col: [f64; 3] },
}

impl Layer {
    /// Colour of this layer at (x, y) in [0, 1]², if it covers the point.
    fn at(&self, x: f64, y: f64) -> Option<[f64; 3]> {
        match *self {
            Layer::Disc { c, r, col } => ((x - c[0]).hypot(y - c[1]) <= r).then_some(col),
            Layer::Rect { lo, hi, col } => (x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1]).then_some(col),
            Layer::Checker { c, half, angle, cell } => {
                let (s, co) = angle.sin_cos();
                let (dx, dy) = (x - c[0], y - c[1]);
                let (u, v) = (co * dx + s * dy, -s * dx + co * dy);
                if u.abs() > half || v.abs() > half {
                    return None;
                }
                let k = ((u + half) / cell).floor() as i64 + ((v + half) / cell).floor() as i64;
                Some(if k % 2 == 0 { [0.95, 0.95, 0.9] } else { [0.1, 0.1, 0.15] })
            }
            Layer::Blob { c, r, seed } => {
                let d = (x - c[0]).hypot(y - c[1]);
                let n = fractal_noise(V3(x * 12.0, y * 12.0, 0.5), seed);
                (d <= r * (0.75 + 0.5 * n)).then(|| [0.2 + 0.7 * n, 0.5 * n, 0.6 - 0.4 * n])
            }
            Layer::Ring { c, r0, r1 } => {
                let d = (x - c[0]).hypot(y - c[1]);
                let a = (y - c[1]).atan2(x - c[0]);
                (d >= r0 && d <= r1).then(|| if (a * 12.0).sin() >= 0.0 { [0.95, 0.75, 0.1] } else { [0.3, 0.1, 0.5] })
            }
            Layer::Line { a, b, w, col } => {
                let (ab, ap) = ([b[0] - a[0], b[1] - a[1]], [x - a[0], y - a[1]]);
                let t = ((ap[0] * ab[0] + ap[1] * ab[1]) / (ab[0] * ab[0] + ab[1] * ab[1])).clamp(0.0, 1.0);
                ((ap[0] - t * ab[0]).hypot(ap[1] - t * ab[1]) <= w).then_some(col)
            }
        }
    }
}

pub fn write(sink: &mut Sink, seed: u64) -> Result<()> {
    let mut rng = Rng::new(seed, &format!("{NAME}/layers"));
    let mut layers = Vec::new();
    for _ in 0..5 {
        let c = [rng.range(0.1, 0.9), rng.range(0.1, 0.9)];
        layers.push(Layer::Disc { c, r: rng.range(0.04, 0.14), col: hsv(rng.f64(), 0.7, 0.9) });
    }
    for _ in 0..3 {
        let lo = [rng.range(0.05, 0.7), rng.range(0.05, 0.7)];
        let hi = [lo[0] + rng.range(0.08, 0.25), lo[1] + rng.range(0.05, 0.2)];
        layers.push(Layer::Rect { lo, hi, col: hsv(rng.f64(), 0.5, 0.7) });
    }
    layers.push(Layer::Checker { c: [0.3, 0.7], half: 0.12, angle: 0.4, cell: 0.04 });
    layers.push(Layer::Blob { c: [0.72, 0.3], r: 0.14, seed: rng.next_u64() as u32 });
    layers.push(Layer::Ring { c: [0.7, 0.72], r0: 0.08, r1: 0.15 });
    for _ in 0..3 {
        let a = [rng.range(0.0, 1.0), rng.range(0.0, 1.0)];
        let b = [rng.range(0.0, 1.0), rng.range(0.0, 1.0)];
        layers.push(Layer::Line { a, b, w: rng.range(0.003, 0.008), col: hsv(rng.f64(), 0.2, 0.15) });
    }
    let (c0, c1) = (hsv(rng.f64(), 0.4, 0.9), hsv(rng.f64(), 0.6, 0.5));
    let n = SIZE as usize;
    let mut data = Vec::with_capacity(n * n * 3);
    for i in 0..n {
        for j in 0..n {
            let mut acc = [0.0; 3];
            for s in 0..16 {
                let x = (j as f64 + (s % 4) as f64 / 4.0 + 0.125) / n as f64;
                let y = (i as f64 + (s / 4) as f64 / 4.0 + 0.125) / n as f64;
                let t = 0.5 * (x + y);
                let glow = 0.25 * (-((x - 0.5).powi(2) + (y - 0.45).powi(2)) / 0.05).exp();
                let mut col: [f64; 3] = std::array::from_fn(|q| c0[q] + (c1[q] - c0[q]) * t + glow);
                for l in &layers {
                    if let Some(c) = l.at(x, y) {
                        col = c;
                    }
                }
                (0..3).for_each(|q| acc[q] += col[q]);
            }
            data.extend(acc.map(|v| to_u8(v / 16.0)));
        }
    }
    sink.write(&format!("{NAME}/paint.png"), &png(SIZE, SIZE, 3, &data)?)
}
