//! Aligning a monocular depth map to the sparse points: per-view least-squares scale and shift.
//!
//! A monocular estimator gives z-depth up to an unknown affine map, `z ≈ s·d + b`. With the sparse points
//! projected into the view (pixel `p_i`, camera z `z_i`) and the map sampled at their pixels (`d_i = D(p_i)`,
//! nearest pixel), `(s, b) = argmin Σ (s·d_i + b − z_i)²`, the closed form of simple linear regression:
//! `s = cov(d, z) / var(d)`, `b = mean(z) − s·mean(d)`.
//!
//! Sparse points are not all visible in every view they project into (the back of an object, a wall behind
//! it): those pairs are outliers (`z_i` far behind `D(p_i)`). One trimmed re-fit drops pairs whose residual is
//! above [`TRIM_FACTOR`] × the median absolute residual and solves again; exact data (every residual zero)
//! is left as it is.

use splatbench_core::{Camera, DepthMap};

/// Residuals above this multiple of the median absolute residual are dropped in the re-fit.
pub const TRIM_FACTOR: f64 = 3.0;
/// Fewest point/pixel pairs a fit accepts.
pub const MIN_PAIRS: usize = 8;

/// `aligned = scale · raw + shift`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DepthAlignment {
    pub scale: f64,
    pub shift: f64,
    /// Pairs used by the final fit.
    pub pairs: usize,
    /// Root-mean-square residual of the final fit, in scene units.
    pub rms: f64,
}

impl DepthAlignment {
    pub fn apply(&self, raw: f32) -> f32 {
        (self.scale * raw as f64 + self.shift) as f32
    }
}

/// `(d_i, z_i)` pairs: the raw depth at each point's pixel and the point's camera z. Points behind the camera,
/// outside the image, or on an unknown (non-finite or ≤ 0) depth pixel give no pair.
pub fn depth_pairs(camera: &Camera, depth: &DepthMap, points: &[[f64; 3]]) -> Vec<(f64, f64)> {
    let (sx, sy) = (depth.width as f64 / camera.width as f64, depth.height as f64 / camera.height as f64);
    points
        .iter()
        .filter_map(|&p| {
            let ([u, v], z) = camera.project(p);
            if !(z > 0.0 && u.is_finite() && v.is_finite()) {
                return None;
            }
            let (x, y) = ((u * sx).floor(), (v * sy).floor());
            if x < 0.0 || y < 0.0 || x >= depth.width as f64 || y >= depth.height as f64 {
                return None;
            }
            let d = depth.data[y as usize * depth.width as usize + x as usize];
            (d.is_finite() && d > 0.0).then_some((d as f64, z))
        })
        .collect()
}

/// Least-squares scale and shift from `(raw, target)` pairs, with one trimmed re-fit; `None` when there are
/// fewer than [`MIN_PAIRS`] pairs or the raw values do not vary (the fit is then undetermined).
pub fn fit_scale_shift(pairs: &[(f64, f64)]) -> Option<DepthAlignment> {
    let first = solve(pairs)?;
    let residuals: Vec<f64> = pairs.iter().map(|&(d, z)| (first.scale * d + first.shift - z).abs()).collect();
    let mut sorted = residuals.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    if median <= f64::EPSILON * first.shift.abs().max(1.0) {
        return Some(first);
    }
    let kept: Vec<(f64, f64)> =
        pairs.iter().zip(&residuals).filter(|&(_, &r)| r <= TRIM_FACTOR * median).map(|(&p, _)| p).collect();
    solve(&kept).or(Some(first))
}

/// Aligns `depth` to the points seen by `camera`; `None` when too few points land on known depth.
pub fn align_depth(camera: &Camera, depth: &DepthMap, points: &[[f64; 3]]) -> Option<DepthAlignment> {
    fit_scale_shift(&depth_pairs(camera, depth, points))
}

fn solve(pairs: &[(f64, f64)]) -> Option<DepthAlignment> {
    if pairs.len() < MIN_PAIRS {
        return None;
    }
    let n = pairs.len() as f64;
    let (md, mz) = pairs.iter().fold((0.0, 0.0), |(a, b), &(d, z)| (a + d / n, b + z / n));
    let (var, cov) =
        pairs.iter().fold((0.0, 0.0), |(v, c), &(d, z)| (v + (d - md) * (d - md), c + (d - md) * (z - mz)));
    if var <= 1e-12 * md.abs().max(1.0).powi(2) * n {
        return None;
    }
    let scale = cov / var;
    let shift = mz - scale * md;
    let rms = (pairs.iter().map(|&(d, z)| (scale * d + shift - z).powi(2)).sum::<f64>() / n).sqrt();
    Some(DepthAlignment { scale, shift, pairs: pairs.len(), rms })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera() -> Camera {
        let mut m = [[0.0; 4]; 4];
        for (i, row) in m.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        Camera { width: 40, height: 30, fx: 40.0, fy: 40.0, cx: 20.0, cy: 15.0, world_to_camera: m, distortion: None }
    }

    /// A tilted plane z = 3 + 0.02·x + 0.03·y (pixels), stored as raw = (z − shift) / scale.
    fn plane_depth(scale: f64, shift: f64) -> DepthMap {
        let data = (0..30 * 40)
            .map(|i| {
                let (x, y) = ((i % 40) as f64 + 0.5, (i / 40) as f64 + 0.5);
                ((3.0 + 0.02 * x + 0.03 * y - shift) / scale) as f32
            })
            .collect();
        DepthMap { width: 40, height: 30, data }
    }

    /// Points on that plane at pixel centres.
    fn plane_points(cam: &Camera) -> Vec<[f64; 3]> {
        let mut pts = Vec::new();
        for y in (1..30).step_by(3) {
            for x in (1..40).step_by(3) {
                let (u, v) = (x as f64 + 0.5, y as f64 + 0.5);
                let z = 3.0 + 0.02 * u + 0.03 * v;
                pts.push([(u - cam.cx) * z / cam.fx, (v - cam.cy) * z / cam.fy, z]);
            }
        }
        pts
    }

    #[test]
    fn recovers_a_known_scale_and_shift() {
        let cam = camera();
        let (scale, shift) = (1.37, -0.42);
        let a = align_depth(&cam, &plane_depth(scale, shift), &plane_points(&cam)).expect("enough points");
        assert!((a.scale - scale).abs() < 1e-4, "scale {} != {scale}", a.scale);
        assert!((a.shift - shift).abs() < 1e-4, "shift {} != {shift}", a.shift);
        assert!(a.rms < 1e-4);
    }

    #[test]
    fn occluded_points_are_trimmed() {
        let cam = camera();
        let (scale, shift) = (0.8, 0.25);
        let mut pts = plane_points(&cam);
        let clean = pts.len();
        // Points hidden behind the plane (twice as far), as a wall behind an object would be.
        for p in pts.clone().iter().step_by(6) {
            pts.push(p.map(|c| c * 2.0));
        }
        assert!(pts.len() > clean);
        let a = align_depth(&cam, &plane_depth(scale, shift), &pts).unwrap();
        assert!((a.scale - scale).abs() < 1e-3 && (a.shift - shift).abs() < 1e-3, "{a:?}");
        assert!(a.pairs <= clean);
    }

    #[test]
    fn too_few_or_degenerate_pairs_give_none() {
        assert!(fit_scale_shift(&[(1.0, 2.0); 3]).is_none());
        assert!(fit_scale_shift(&[(1.0, 2.0); 20]).is_none(), "constant raw depth cannot fix a scale");
        // Points behind the camera or outside the image give no pairs.
        let cam = camera();
        let d = plane_depth(1.0, 0.0);
        assert!(depth_pairs(&cam, &d, &[[0.0, 0.0, -3.0], [100.0, 0.0, 3.0]]).is_empty());
    }
}
