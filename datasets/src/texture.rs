//! Procedural solid textures, evaluated at a surface point in the primitive's local frame (so a texture is
//! glued to its object and the same for every view — the scenes are Lambertian and view-independent).
//!
//! - `Checker`: parity of ⌊x/s⌋ + ⌊y/s⌋ + ⌊z/s⌋ (3D checkerboard, hard edges).
//! - `Stripes`: a or b by the sign of sin(2π·f·(p·axis)) (hard edges along one direction).
//! - `Noise`: fractal value noise — random values on the integer lattice, smoothstep-trilinear interpolation,
//!   3 octaves — used as the blend weight between two colours (smooth, band-limited detail).

use crate::math::V3;
use crate::rng::hash3;

pub type Rgb = [f64; 3];

#[derive(Clone, Debug)]
pub enum Texture {
    Solid(Rgb),
    Checker { a: Rgb, b: Rgb, size: f64 },
    Stripes { a: Rgb, b: Rgb, axis: V3, freq: f64 },
    Noise { a: Rgb, b: Rgb, scale: f64, seed: u32 },
}

impl Texture {
    pub fn eval(&self, p: V3) -> Rgb {
        match self {
            Texture::Solid(c) => *c,
            Texture::Checker { a, b, size } => {
                // A tiny offset keeps surfaces that lie exactly on a lattice plane (box faces) off the boundary.
                let k = |v: f64| ((v + 1e-4) / size).floor() as i64;
                if (k(p.0) + k(p.1) + k(p.2)).rem_euclid(2) == 0 { *a } else { *b }
            }
            Texture::Stripes { a, b, axis, freq } => {
                if (std::f64::consts::TAU * freq * p.dot(*axis)).sin() >= 0.0 {
                    *a
                } else {
                    *b
                }
            }
            Texture::Noise { a, b, scale, seed } => {
                let w = fractal_noise(p * (1.0 / scale), *seed);
                std::array::from_fn(|i| a[i] + (b[i] - a[i]) * w)
            }
        }
    }
}

fn smooth(t: f64) -> f64 {
    t * t * (3.0 - 2.0 * t)
}

/// Value noise in [0, 1] at `p` (lattice spacing 1).
pub fn value_noise(p: V3, seed: u32) -> f64 {
    let (fx, fy, fz) = (p.0.floor(), p.1.floor(), p.2.floor());
    let (x0, y0, z0) = (fx as i64, fy as i64, fz as i64);
    let (tx, ty, tz) = (smooth(p.0 - fx), smooth(p.1 - fy), smooth(p.2 - fz));
    let mut acc = 0.0;
    for dz in 0..2 {
        for dy in 0..2 {
            for dx in 0..2 {
                let w = (if dx == 1 { tx } else { 1.0 - tx })
                    * (if dy == 1 { ty } else { 1.0 - ty })
                    * (if dz == 1 { tz } else { 1.0 - tz });
                acc += w * hash3(seed, x0 + dx, y0 + dy, z0 + dz);
            }
        }
    }
    acc
}

/// Three octaves of value noise, normalised to [0, 1].
pub fn fractal_noise(p: V3, seed: u32) -> f64 {
    let mut sum = 0.0;
    let mut amp = 1.0;
    let mut norm = 0.0;
    let mut q = p;
    for o in 0..3 {
        sum += amp * value_noise(q, seed.wrapping_add(o * 7919));
        norm += amp;
        amp *= 0.5;
        q = q * 2.03;
    }
    sum / norm
}
