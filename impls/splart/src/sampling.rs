//! Where new strokes go, which way they point and what colour they start with.
//!
//! - **Position** ∝ |render − target|^γ: the per-pixel error (Euclidean over RGB) raised to γ is averaged over
//!   `down × down` blocks; a block is drawn from that distribution and the position uniformly inside it.
//! - **Rotation** from the target's structure tensor J = G_σ ∗ (∇I ∇Iᵀ) of its grey level I (central differences,
//!   Gaussian window σ): the dominant gradient direction is φ = ½·atan2(2J_xy, J_xx − J_yy), and the stroke lies
//!   along the isophote, θ = φ + π/2, plus N(0, noise) radians. Where J vanishes (flat regions) θ is uniform.
//! - **Colour**: the target's colour at the position, as logits (clamped to [0.01, 0.99] first).

use splatbench_core::maths::{box_muller, logit};

/// Per-block weights of the error map.
pub struct ErrorMap {
    pub weights: Vec<f64>,
    pub blocks_x: u32,
    pub blocks_y: u32,
    pub down: u32,
    pub width: u32,
    pub height: u32,
}

impl ErrorMap {
    /// From per-pixel errors `error` (`height × width`, ≥ 0).
    pub fn from_errors(error: &[f64], width: u32, height: u32, gamma: f64, down: u32) -> ErrorMap {
        let down = down.max(1);
        let (bx, by) = (width.div_ceil(down), height.div_ceil(down));
        let mut weights = vec![0.0; (bx * by) as usize];
        for y in 0..height {
            for x in 0..width {
                weights[((y / down) * bx + x / down) as usize] += error[(y * width + x) as usize].powf(gamma);
            }
        }
        ErrorMap { weights, blocks_x: bx, blocks_y: by, down, width, height }
    }

    /// From a render and its target (`height × width × 3`).
    pub fn new(render: &[f32], target: &[f32], width: u32, height: u32, gamma: f64, down: u32) -> ErrorMap {
        let error: Vec<f64> = render
            .chunks_exact(3)
            .zip(target.chunks_exact(3))
            .map(|(r, t)| (0..3).map(|c| (r[c] as f64 - t[c] as f64).powi(2)).sum::<f64>().sqrt())
            .collect();
        ErrorMap::from_errors(&error, width, height, gamma, down)
    }

    /// `n` positions (continuous pixel coordinates) from uniforms in [0, 1) given by `uniform`.
    pub fn sample(&self, n: usize, mut uniform: impl FnMut() -> f64) -> Vec<[f32; 2]> {
        let mut cdf = Vec::with_capacity(self.weights.len());
        let mut total = 0.0;
        for &w in &self.weights {
            total += w;
            cdf.push(total);
        }
        (0..n)
            .map(|_| {
                // A zero error map (a perfect fit) falls back to uniform positions.
                let b = if total > 0.0 {
                    let r = uniform() * total;
                    cdf.partition_point(|&c| c <= r).min(cdf.len() - 1)
                } else {
                    (uniform() * cdf.len() as f64) as usize % cdf.len()
                };
                let (bx, by) = (b as u32 % self.blocks_x, b as u32 / self.blocks_x);
                let x0 = (bx * self.down) as f64;
                let y0 = (by * self.down) as f64;
                let x1 = ((bx + 1) * self.down).min(self.width) as f64;
                let y1 = ((by + 1) * self.down).min(self.height) as f64;
                [(x0 + uniform() * (x1 - x0)) as f32, (y0 + uniform() * (y1 - y0)) as f32]
            })
            .collect()
    }
}

/// The target's smoothed structure tensor, per pixel (J_xx, J_xy, J_yy).
pub struct StructureTensor {
    j: Vec<[f64; 3]>,
    width: u32,
    height: u32,
}

fn gaussian_kernel(sigma: f64) -> Vec<f64> {
    let r = (3.0 * sigma).ceil() as i64;
    let k: Vec<f64> = (-r..=r).map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp()).collect();
    let s: f64 = k.iter().sum();
    k.into_iter().map(|v| v / s).collect()
}

/// Separable blur with clamped borders.
fn blur(src: &[f64], w: usize, h: usize, k: &[f64]) -> Vec<f64> {
    let r = (k.len() / 2) as i64;
    let mut tmp = vec![0.0; w * h];
    for y in 0..h {
        for x in 0..w {
            tmp[y * w + x] = k
                .iter()
                .enumerate()
                .map(|(i, kv)| kv * src[y * w + (x as i64 + i as i64 - r).clamp(0, w as i64 - 1) as usize])
                .sum();
        }
    }
    let mut out = vec![0.0; w * h];
    for y in 0..h {
        for x in 0..w {
            out[y * w + x] = k
                .iter()
                .enumerate()
                .map(|(i, kv)| kv * tmp[(y as i64 + i as i64 - r).clamp(0, h as i64 - 1) as usize * w + x])
                .sum();
        }
    }
    out
}

impl StructureTensor {
    /// Of `target` (`height × width × 3`), window σ in pixels.
    pub fn new(target: &[f32], width: u32, height: u32, sigma: f64) -> StructureTensor {
        let (w, h) = (width as usize, height as usize);
        let grey: Vec<f64> = target.chunks_exact(3).map(|p| (p[0] + p[1] + p[2]) as f64 / 3.0).collect();
        let at = |x: i64, y: i64| grey[y.clamp(0, h as i64 - 1) as usize * w + x.clamp(0, w as i64 - 1) as usize];
        let mut comps = [vec![0.0; w * h], vec![0.0; w * h], vec![0.0; w * h]];
        for y in 0..h as i64 {
            for x in 0..w as i64 {
                let gx = 0.5 * (at(x + 1, y) - at(x - 1, y));
                let gy = 0.5 * (at(x, y + 1) - at(x, y - 1));
                let p = y as usize * w + x as usize;
                comps[0][p] = gx * gx;
                comps[1][p] = gx * gy;
                comps[2][p] = gy * gy;
            }
        }
        let k = gaussian_kernel(sigma);
        let [a, b, c] = comps.map(|v| blur(&v, w, h, &k));
        StructureTensor { j: (0..w * h).map(|p| [a[p], b[p], c[p]]).collect(), width, height }
    }

    /// Stroke direction (along the isophote) at pixel (x, y), `None` where the image is flat.
    pub fn orientation(&self, x: u32, y: u32) -> Option<f64> {
        let [jxx, jxy, jyy] = self.j[(y.min(self.height - 1) * self.width + x.min(self.width - 1)) as usize];
        if jxx + jyy < 1e-10 {
            return None;
        }
        Some(0.5 * (2.0 * jxy).atan2(jxx - jyy) + std::f64::consts::FRAC_PI_2)
    }

    /// A rotation for a stroke at continuous position `p`: orientation + N(0, noise), uniform where flat.
    pub fn rotation(&self, p: [f32; 2], noise: f64, mut uniform: impl FnMut() -> f64) -> f64 {
        let (x, y) = (p[0].max(0.0) as u32, p[1].max(0.0) as u32);
        match self.orientation(x, y) {
            Some(theta) => theta + noise * box_muller(1.0 - uniform(), uniform()),
            None => uniform() * std::f64::consts::PI,
        }
    }
}

/// Colour logits of `target` (`height × width × 3`) at continuous position `p`.
pub fn colour_logits(target: &[f32], width: u32, height: u32, p: [f32; 2]) -> [f32; 3] {
    let x = (p[0].max(0.0) as u32).min(width - 1);
    let y = (p[1].max(0.0) as u32).min(height - 1);
    let i = ((y * width + x) * 3) as usize;
    [0, 1, 2].map(|c| logit((target[i + c] as f64).clamp(0.01, 0.99)) as f32)
}
