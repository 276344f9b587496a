//! Brush textures: alpha masks a stroke samples through its inverse affine transform.
//!
//! A brush is a `width × height` grid of alpha texels in [0, 1], row-major, texel (i, j) centred at texture
//! coordinates ((i + 0.5)/width, (j + 0.5)/height) of the unit square. [`Brush::sample`] is bilinear in the
//! continuous texel coordinates `tu = u·width − 0.5`, `tv = v·height − 0.5`, reading texels outside the grid as 0,
//! so a stroke's alpha is continuous everywhere and vanishes for `tu ∉ (−1, width)`; the stroke's footprint is
//! therefore the unit square grown by one texel on each side ([`Brush::support`]).
//!
//! Procedural brushes ([`Brush::ellipse`], [`Brush::bristle`], [`Brush::dab`]) are radial profiles in
//! q = 2·(u, v) − 1 ∈ [−1, 1]²; any image file becomes a brush through its alpha channel (or its luminance when it
//! has none).

use serde::{Deserialize, Serialize};
use splatbench_core::{Error, Result};
use std::path::Path;

/// Texels of a procedural brush on a side.
pub const PROCEDURAL_SIZE: usize = 64;
/// Largest brush image accepted from a file, per side (a brush is sampled per pixel per stroke: keep it small).
pub const MAX_FILE_SIZE: u32 = 2048;

#[derive(Clone, Debug, PartialEq)]
pub struct Brush {
    pub width: usize,
    pub height: usize,
    /// Row-major alpha, `height × width`.
    pub alpha: Vec<f32>,
}

/// Which brush a run paints with (the config's `brush`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BrushKind {
    /// Soft-edged ellipse: opaque for radius ≤ `hardness`, raised-cosine falloff to 0 at radius 1.
    Ellipse { hardness: f32 },
    /// An ellipse striped along the stroke's long axis by bristles of varying density.
    Bristle,
    /// An irregular round dab.
    Dab,
    /// Any PNG/JPEG: its alpha, or its luminance when it has no alpha.
    File(std::path::PathBuf),
}

impl Default for BrushKind {
    fn default() -> Self {
        BrushKind::Ellipse { hardness: 0.6 }
    }
}

impl BrushKind {
    pub fn build(&self) -> Result<Brush> {
        Ok(match self {
            BrushKind::Ellipse { hardness } => Brush::ellipse(PROCEDURAL_SIZE, *hardness),
            BrushKind::Bristle => Brush::bristle(PROCEDURAL_SIZE),
            BrushKind::Dab => Brush::dab(PROCEDURAL_SIZE),
            BrushKind::File(path) => Brush::from_file(path)?,
        })
    }
}

/// 1 for r ≤ r0, raised cosine down to 0 at r = r1, 0 beyond.
fn falloff(r: f64, r0: f64, r1: f64) -> f64 {
    if r <= r0 {
        1.0
    } else if r >= r1 {
        0.0
    } else {
        0.5 * (1.0 + (std::f64::consts::PI * (r - r0) / (r1 - r0)).cos())
    }
}

/// A deterministic value in [0, 1) for integer `i` (bristle densities; no RNG state in a brush).
fn hash01(i: u32) -> f64 {
    let mut x = i.wrapping_mul(0x9E37_79B9) ^ 0x85EB_CA6B;
    x ^= x >> 16;
    x = x.wrapping_mul(0x7FEB_352D);
    x ^= x >> 15;
    (x >> 8) as f64 / (1u32 << 24) as f64
}

impl Brush {
    /// A brush from a profile f(qx, qy) on q ∈ [−1, 1]² evaluated at texel centres.
    pub fn from_profile(size: usize, f: impl Fn(f64, f64) -> f64) -> Brush {
        let mut alpha = Vec::with_capacity(size * size);
        for j in 0..size {
            for i in 0..size {
                let q = |k: usize| 2.0 * (k as f64 + 0.5) / size as f64 - 1.0;
                alpha.push(f(q(i), q(j)).clamp(0.0, 1.0) as f32);
            }
        }
        Brush { width: size, height: size, alpha }
    }

    /// Ellipse (a disc in texture space; the stroke's two scales make it an ellipse): opaque for |q| ≤ `hardness`.
    pub fn ellipse(size: usize, hardness: f32) -> Brush {
        let r0 = (hardness as f64).clamp(0.0, 0.999);
        Brush::from_profile(size, |x, y| falloff(x.hypot(y), r0, 1.0))
    }

    /// An ellipse envelope times bristles: bands along the long axis (x) with per-band density in [0.55, 1].
    pub fn bristle(size: usize) -> Brush {
        const BANDS: f64 = 9.0;
        Brush::from_profile(size, |x, y| {
            let t = (y + 1.0) * 0.5 * BANDS;
            let (k, f) = (t.floor(), t.fract());
            // Smooth interpolation between neighbouring bands' densities.
            let s = f * f * (3.0 - 2.0 * f);
            let d = |k: f64| 0.55 + 0.45 * hash01(k.max(0.0) as u32);
            let density = d(k) * (1.0 - s) + d(k + 1.0) * s;
            falloff(x.hypot(y), 0.55, 1.0) * density
        })
    }

    /// An irregular dab: the disc's edge radius wobbles with the angle.
    pub fn dab(size: usize) -> Brush {
        Brush::from_profile(size, |x, y| {
            let phi = y.atan2(x);
            let edge = 0.82 + 0.1 * (3.0 * phi + 1.0).sin() + 0.05 * (7.0 * phi + 2.0).sin();
            falloff(x.hypot(y) / edge, 0.5, 1.0)
        })
    }

    /// A brush from an image file: its alpha channel, or its luminance (Rec. 709) without one.
    pub fn from_file(path: &Path) -> Result<Brush> {
        // Check the header's size before decoding the pixels.
        let (w, h) =
            image::image_dimensions(path).map_err(|e| Error::input(path, format!("cannot read brush image: {e}")))?;
        if w == 0 || h == 0 || w > MAX_FILE_SIZE || h > MAX_FILE_SIZE {
            return Err(Error::input(path, format!("brush image is {w}×{h}; expected 1..={MAX_FILE_SIZE} per side")));
        }
        let img = splatbench_io::imageio::read_image(path)?;
        let c = img.channels as usize;
        let alpha = img
            .data
            .chunks_exact(c)
            .map(|p| if c == 4 { p[3] } else { 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2] })
            .collect();
        Ok(Brush { width: img.width as usize, height: img.height as usize, alpha })
    }

    fn texel(&self, i: i64, j: i64) -> f32 {
        if i < 0 || j < 0 || i >= self.width as i64 || j >= self.height as i64 {
            0.0
        } else {
            self.alpha[j as usize * self.width + i as usize]
        }
    }

    /// Bilinear alpha at continuous texel coordinates (tu, tv) and its partial derivatives (∂/∂tu, ∂/∂tv).
    #[inline]
    pub fn sample(&self, tu: f32, tv: f32) -> (f32, f32, f32) {
        let (fu, fv) = (tu.floor(), tv.floor());
        let (i, j) = (fu as i64, fv as i64);
        let (a, b) = (tu - fu, tv - fv);
        let t00 = self.texel(i, j);
        let t10 = self.texel(i + 1, j);
        let t01 = self.texel(i, j + 1);
        let t11 = self.texel(i + 1, j + 1);
        let top = t00 + a * (t10 - t00);
        let bottom = t01 + a * (t11 - t01);
        let value = top + b * (bottom - top);
        let du = (1.0 - b) * (t10 - t00) + b * (t11 - t01);
        (value, du, bottom - top)
    }

    /// [`Brush::sample`] in f64 (the dense reference's copy; same texels, same interpolation).
    pub fn sample_f64(&self, tu: f64, tv: f64) -> f64 {
        let (fu, fv) = (tu.floor(), tv.floor());
        let (i, j) = (fu as i64, fv as i64);
        let (a, b) = (tu - fu, tv - fv);
        let t = |i, j| self.texel(i, j) as f64;
        let top = t(i, j) + a * (t(i + 1, j) - t(i, j));
        let bottom = t(i, j + 1) + a * (t(i + 1, j + 1) - t(i, j + 1));
        top + b * (bottom - top)
    }

    /// Half-extent of the non-zero footprint in the stroke's local q coordinates, per axis. The exact bound is
    /// 1 + 1/size (tu > −1); two texels' margin keeps rounding at the edge inside it.
    pub fn support(&self) -> [f64; 2] {
        [1.0 + 2.0 / self.width as f64, 1.0 + 2.0 / self.height as f64]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_sample_interpolates_texels_and_vanishes_outside() {
        let b = Brush { width: 2, height: 2, alpha: vec![0.0, 1.0, 0.5, 0.25] };
        assert_eq!(b.sample(0.0, 0.0).0, 0.0);
        assert_eq!(b.sample(1.0, 1.0).0, 0.25);
        assert!((b.sample(0.5, 0.0).0 - 0.5).abs() < 1e-7);
        assert_eq!(b.sample(-1.0, 0.0).0, 0.0);
        assert_eq!(b.sample(2.0, 0.5).0, 0.0);
        // ∂/∂tu on the first row is t10 − t00.
        assert!((b.sample(0.25, 0.0).1 - 1.0).abs() < 1e-7);
    }

    #[test]
    fn procedural_brushes_are_opaque_at_the_centre_and_clear_at_the_corners() {
        for b in [Brush::ellipse(32, 0.5), Brush::bristle(32), Brush::dab(32)] {
            let c = b.sample(15.5, 15.5).0;
            assert!(c > 0.5, "{c}");
            assert_eq!(b.sample(0.0, 0.0).0, 0.0);
        }
        assert_eq!(Brush::ellipse(32, 0.5).sample(15.5, 15.5).0, 1.0);
    }
}
