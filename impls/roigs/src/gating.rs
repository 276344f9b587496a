//! Which Gaussians are inside the region of interest.
//!
//! Gaussian i is in view v's ROI when its centre μ_i projects in front of the camera onto a pixel whose
//! effective ROI weight ([`crate::roi`]) is ≥ 0.5 and — when the view has a depth gate `[c_v − r, c_v + r]` —
//! its own camera z lies in that interval (the 3D counterpart of the 2D gate: a wall Gaussian seen *through*
//! head pixels is not in the ROI). It is in the ROI when that holds in at least `k` training views,
//! `k = min(min_views, number of views with an ROI)`.

use crate::roi::ViewRoi;

/// The ROI views a scene's Gaussians are tested against, with the vote count they need.
#[derive(Clone, Debug)]
pub struct RoiGate {
    pub views: Vec<ViewRoi>,
    pub min_views: usize,
}

impl RoiGate {
    /// `min_views` is capped at the number of views (at least 1).
    pub fn new(views: Vec<ViewRoi>, min_views: usize) -> Self {
        let min_views = min_views.clamp(1, views.len().max(1));
        RoiGate { views, min_views }
    }

    /// Number of views whose ROI holds `p`.
    pub fn votes(&self, p: [f64; 3]) -> usize {
        self.views
            .iter()
            .filter(|roi| {
                let ([u, v], z) = roi.camera.project(p);
                z > 0.0 && roi.weight_at(u, v) >= 0.5 && roi.depth_range.is_none_or(|(lo, hi)| z >= lo && z <= hi)
            })
            .count()
    }

    /// In-ROI flag per point of a row-major `[N, 3]` buffer of means.
    pub fn classify(&self, means: &[f32]) -> Vec<bool> {
        if self.views.is_empty() {
            return vec![false; means.len() / 3];
        }
        means.chunks_exact(3).map(|m| self.votes([m[0] as f64, m[1] as f64, m[2] as f64]) >= self.min_views).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use splatbench_core::Camera;

    /// A camera at `(x, 0, 0)` looking down +z, 16×16, with the central 8×8 pixels as ROI.
    fn view(x: f64, depth_range: Option<(f64, f64)>) -> ViewRoi {
        let mut m = [[0.0; 4]; 4];
        for (i, row) in m.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        m[0][3] = -x;
        let camera = Camera {
            width: 16,
            height: 16,
            fx: 16.0,
            fy: 16.0,
            cx: 8.0,
            cy: 8.0,
            world_to_camera: m,
            distortion: None,
        };
        let weight = (0..256)
            .map(|i| if (4..12).contains(&(i % 16)) && (4..12).contains(&(i / 16)) { 1.0 } else { 0.0 })
            .collect();
        ViewRoi { camera, weight, depth_range, alignment: None }
    }

    #[test]
    fn needs_k_views_and_respects_the_depth_gate() {
        // Three cameras side by side; the point (0, 0, 4) projects to the centre of the middle one and to
        // column 8 ± 16·1.5/4 = 2 or 14 in the outer ones: outside their ROI.
        let cams = || vec![view(-1.5, None), view(0.0, None), view(1.5, None)];
        let gate = RoiGate::new(cams(), 2);
        assert_eq!(gate.votes([0.0, 0.0, 4.0]), 1);
        // Far away every camera sees it near its centre.
        assert_eq!(gate.votes([0.0, 0.0, 40.0]), 3);
        assert_eq!(gate.classify(&[0.0, 0.0, 4.0, 0.0, 0.0, 40.0, 0.0, 0.0, -4.0]), vec![false, true, false]);
        assert_eq!(RoiGate::new(cams(), 1).classify(&[0.0, 0.0, 4.0]), vec![true]);
        // k larger than the view count is capped.
        assert_eq!(RoiGate::new(cams(), 10).min_views, 3);

        // A depth gate around z = 40 keeps the far point only while it stays in the interval.
        let gated: Vec<ViewRoi> = cams()
            .into_iter()
            .map(|mut v| {
                v.depth_range = Some((35.0, 45.0));
                v
            })
            .collect();
        let gate = RoiGate::new(gated, 2);
        assert_eq!(gate.classify(&[0.0, 0.0, 40.0, 0.0, 0.0, 60.0]), vec![true, false]);
        assert!(RoiGate::new(Vec::new(), 2).classify(&[0.0; 6]).iter().all(|&b| !b));
    }
}
