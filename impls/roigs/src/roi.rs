//! The effective region of interest of each training view: mask ∩ depth gate.
//!
//! - Mask (`View.mask`, white = ROI): binarised at 0.5, dilated by `dilate_px` (square structuring element,
//!   Chebyshev radius), then given a soft outer edge of `feather_px`: `m = max(b, box_blur(b))` with a
//!   (2·feather + 1)² box, so the ROI keeps weight 1 and falls off to 0 over about `feather_px` pixels outside.
//! - Depth gate (`View.depth`, monocular, unknown affine): aligned per view to the sparse points
//!   ([`crate::depth_align`]); the view's ROI depth `c_v` is the median aligned depth inside the binary mask (or,
//!   with no mask, inside the central [`CENTRE_WINDOW`] of the image, where an object of interest is framed);
//!   the gate keeps pixels with `|aligned − c_v| ≤ r`, where the radius `r` is global: `depth_radius` scene
//!   units when set, else `depth_radius_rel` × the median of the `c_v` over the views.
//! - Effective ROI = mask · gate when both are present, the one present otherwise; a view with neither has no
//!   ROI (`None`), and a view whose depth cannot be aligned (too few points) falls back to its mask alone.
//!
//! The 3D side of the gate (is a Gaussian inside?) is in [`crate::gating`].

use crate::config::RoiConfig;
use crate::depth_align::{DepthAlignment, align_depth};
use splatbench_core::{Camera, Mask, View};

/// Fraction of each image side, centred, whose median depth is the ROI depth when a view has no mask.
pub const CENTRE_WINDOW: f64 = 0.2;

/// The ROI of one training view, at the training resolution.
#[derive(Clone, Debug)]
pub struct ViewRoi {
    pub camera: Camera,
    /// Effective ROI weight per pixel in [0, 1], row-major `camera.height × camera.width`.
    pub weight: Vec<f32>,
    /// Depth interval `[c_v − r, c_v + r]` of the gate, in scene units, when the view has an aligned depth.
    pub depth_range: Option<(f64, f64)>,
    pub alignment: Option<DepthAlignment>,
}

impl ViewRoi {
    /// ROI weight at continuous pixel coordinates (nearest pixel); 0 outside the image.
    pub fn weight_at(&self, u: f64, v: f64) -> f32 {
        let (w, h) = (self.camera.width as f64, self.camera.height as f64);
        if !(u >= 0.0 && v >= 0.0 && u < w && v < h) {
            return 0.0;
        }
        self.weight[v as usize * self.camera.width as usize + u as usize]
    }

    /// Fraction of the image that is ROI (sum of weights over pixels).
    pub fn coverage(&self) -> f64 {
        self.weight.iter().map(|&w| w as f64).sum::<f64>() / self.weight.len().max(1) as f64
    }
}

/// Effective ROIs of `views`, each resampled (nearest) to its `cameras` entry's resolution; `None` where a
/// view has neither mask nor depth. `points` are the sparse scene points the depth is aligned to.
pub fn effective_rois(
    views: &[View],
    cameras: &[Camera],
    points: &[[f64; 3]],
    cfg: &RoiConfig,
) -> Vec<Option<ViewRoi>> {
    // Aligned depth and binary mask per view, at the training resolution.
    let prepared: Vec<(Option<Vec<f32>>, Option<Vec<f32>>, Option<DepthAlignment>)> = views
        .iter()
        .zip(cameras)
        .map(|(view, cam)| {
            let mask = cfg.use_mask.then_some(view.mask.as_ref()).flatten().map(|m| binary_mask(m, cam));
            let aligned = cfg.use_depth.then_some(view.depth.as_ref()).flatten().and_then(|d| {
                let a = if cfg.align_depth {
                    align_depth(&view.camera, d, points)?
                } else {
                    DepthAlignment { scale: 1.0, shift: 0.0, pairs: 0, rms: f64::NAN }
                };
                let data = resample(d.width, d.height, &d.data, cam.width, cam.height);
                Some((
                    data.into_iter().map(|z| if z.is_finite() && z > 0.0 { a.apply(z) } else { f32::NAN }).collect(),
                    a,
                ))
            });
            let (depth, alignment) = aligned.map_or((None, None), |(d, a)| (Some(d), Some(a)));
            (mask, depth, alignment)
        })
        .collect();

    let centres: Vec<Option<f64>> = prepared
        .iter()
        .zip(cameras)
        .map(|((mask, depth, _), cam)| depth.as_ref().and_then(|d| roi_depth(d, mask.as_deref(), cam)))
        .collect();
    let radius =
        cfg.depth_radius.or_else(|| median(centres.iter().flatten().copied()).map(|c| cfg.depth_radius_rel * c));

    prepared
        .into_iter()
        .zip(centres)
        .zip(cameras)
        .map(|(((mask, depth, alignment), centre), cam)| {
            let gate = match (depth, centre, radius) {
                (Some(d), Some(c), Some(r)) => Some((d, (c - r, c + r))),
                _ => None,
            };
            let soft = mask.map(|b| soften(&dilate(&b, cam, cfg.dilate_px), cam, cfg.feather_px));
            let weight: Vec<f32> = match (&soft, &gate) {
                (None, None) => return None,
                (Some(m), None) => m.clone(),
                (m, Some((d, (lo, hi)))) => d
                    .iter()
                    .enumerate()
                    .map(|(i, &z)| {
                        let inside = (z as f64) >= *lo && (z as f64) <= *hi;
                        if inside { m.as_ref().map_or(1.0, |m| m[i]) } else { 0.0 }
                    })
                    .collect(),
            };
            Some(ViewRoi { camera: cam.clone(), weight, depth_range: gate.map(|(_, r)| r), alignment })
        })
        .collect()
}

/// Photometric pixel weights from an ROI weight map: `1 + (roi_weight − 1)·roi`, rescaled to mean 1 so the
/// loss keeps the scale of the unweighted one and only the balance between ROI and rest changes.
pub fn pixel_weights(roi: &[f32], roi_weight: f64) -> Vec<f32> {
    let raw: Vec<f64> = roi.iter().map(|&m| 1.0 + (roi_weight - 1.0) * m as f64).collect();
    let mean = raw.iter().sum::<f64>() / raw.len().max(1) as f64;
    raw.into_iter().map(|w| (w / mean) as f32).collect()
}

/// Median aligned depth inside the binary mask, or inside the centre window without a mask.
fn roi_depth(depth: &[f32], mask: Option<&[f32]>, cam: &Camera) -> Option<f64> {
    let (w, h) = (cam.width as usize, cam.height as usize);
    let in_centre = |i: usize| {
        let (x, y) = ((i % w) as f64 / w as f64, (i / w) as f64 / h as f64);
        (x - 0.5).abs() <= CENTRE_WINDOW / 2.0 && (y - 0.5).abs() <= CENTRE_WINDOW / 2.0
    };
    let values = depth.iter().enumerate().filter(|&(i, z)| {
        z.is_finite()
            && match mask {
                Some(m) => m[i] >= 0.5,
                None => in_centre(i),
            }
    });
    median(values.map(|(_, &z)| z as f64))
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

/// Nearest-neighbour resampling of a row-major `w × h` map to `out_w × out_h` (pixel-centre aligned).
fn resample(w: u32, h: u32, data: &[f32], out_w: u32, out_h: u32) -> Vec<f32> {
    if (w, h) == (out_w, out_h) {
        return data.to_vec();
    }
    let mut out = Vec::with_capacity((out_w * out_h) as usize);
    for y in 0..out_h {
        let sy = (((y as f64 + 0.5) * h as f64 / out_h as f64) as u32).min(h - 1);
        for x in 0..out_w {
            let sx = (((x as f64 + 0.5) * w as f64 / out_w as f64) as u32).min(w - 1);
            out.push(data[(sy * w + sx) as usize]);
        }
    }
    out
}

/// The mask at the camera's resolution, binarised at 0.5.
fn binary_mask(mask: &Mask, cam: &Camera) -> Vec<f32> {
    resample(mask.width, mask.height, &mask.data, cam.width, cam.height)
        .into_iter()
        .map(|m| if m >= 0.5 { 1.0 } else { 0.0 })
        .collect()
}

/// Separable max filter with Chebyshev radius `r` (binary dilation by a square).
fn dilate(mask: &[f32], cam: &Camera, r: u32) -> Vec<f32> {
    separable(mask, cam, r, |window| window.iter().copied().fold(0.0, f32::max))
}

/// `max(b, box_blur(b))` with a box of radius `r`: a soft edge outside the mask only.
fn soften(mask: &[f32], cam: &Camera, r: u32) -> Vec<f32> {
    let blurred = separable(mask, cam, r, |window| window.iter().sum::<f32>() / window.len() as f32);
    mask.iter().zip(blurred).map(|(&b, s)| b.max(s)).collect()
}

/// Applies `f` over a (2r+1) window along rows then columns; windows are clipped at the border, except that a
/// box mean always divides by the full window (done by padding with zeros).
fn separable(data: &[f32], cam: &Camera, r: u32, f: impl Fn(&[f32]) -> f32) -> Vec<f32> {
    if r == 0 {
        return data.to_vec();
    }
    let (w, h, r) = (cam.width as usize, cam.height as usize, r as usize);
    let pass = |src: &[f32], len: usize, lines: usize, at: &dyn Fn(usize, usize) -> usize| {
        let mut out = vec![0.0; src.len()];
        let mut window = Vec::with_capacity(2 * r + 1);
        for line in 0..lines {
            for i in 0..len {
                window.clear();
                window.extend(
                    (i as isize - r as isize..=i as isize + r as isize)
                        .map(|j| if j < 0 || j >= len as isize { 0.0 } else { src[at(line, j as usize)] }),
                );
                out[at(line, i)] = f(&window);
            }
        }
        out
    };
    let rows = pass(data, w, h, &|y, x| y * w + x);
    pass(&rows, h, w, &|x, y| y * w + x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use splatbench_core::{DepthMap, Image};

    /// 20×16 camera at the origin looking down +z; a "head" square (x 6..14, y 4..12) at depth 2 in front of a
    /// wall at depth 5. The mask is the square plus a 2-px column of wall at x = 16..18 (a sloppy mask).
    fn scene(scale: f32, shift: f32) -> (View, Vec<[f64; 3]>) {
        let (w, h) = (20u32, 16u32);
        let mut m = [[0.0; 4]; 4];
        for (i, row) in m.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        let cam =
            Camera { width: w, height: h, fx: 20.0, fy: 20.0, cx: 10.0, cy: 8.0, world_to_camera: m, distortion: None };
        let head = |x: u32, y: u32| (6..14).contains(&x) && (4..12).contains(&y);
        let true_z = |x: u32, y: u32| if head(x, y) { 2.0 } else { 5.0 };
        let depth = DepthMap {
            width: w,
            height: h,
            data: (0..w * h).map(|i| (true_z(i % w, i / w) - shift) / scale).collect(),
        };
        let mask = Mask {
            width: w,
            height: h,
            data: (0..w * h)
                .map(|i| if head(i % w, i / w) || (16..18).contains(&(i % w)) { 1.0 } else { 0.0 })
                .collect(),
        };
        let mut points = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let z = true_z(x, y) as f64;
                let (u, v) = (x as f64 + 0.5, y as f64 + 0.5);
                points.push([(u - cam.cx) * z / cam.fx, (v - cam.cy) * z / cam.fy, z]);
            }
        }
        let view =
            View { name: "v".into(), camera: cam, image: Image::new(w, h, 3), mask: Some(mask), depth: Some(depth) };
        (view, points)
    }

    fn at(roi: &ViewRoi, x: u32, y: u32) -> f32 {
        roi.weight[(y * roi.camera.width + x) as usize]
    }

    #[test]
    fn mask_and_depth_intersect() {
        let (view, points) = scene(0.5, 1.0);
        let cfg = RoiConfig {
            feather_px: 0,
            dilate_px: 0,
            depth_radius: None,
            depth_radius_rel: 0.25,
            ..RoiConfig::default()
        };
        let roi = effective_rois(&[view.clone()], &[view.camera.clone()], &points, &cfg)[0].clone().unwrap();
        let a = roi.alignment.unwrap();
        assert!((a.scale - 0.5).abs() < 1e-4 && (a.shift - 1.0).abs() < 1e-4, "{a:?}");
        let (lo, hi) = roi.depth_range.unwrap();
        assert!(lo < 2.0 && hi > 2.0 && hi < 5.0, "gate [{lo}, {hi}] holds the head, not the wall");
        assert_eq!(at(&roi, 10, 8), 1.0, "head pixel");
        assert_eq!(at(&roi, 16, 8), 0.0, "masked wall pixel is cut by the depth gate");
        assert_eq!(at(&roi, 2, 2), 0.0, "background");
        assert_eq!(roi.weight.iter().filter(|&&w| w > 0.0).count(), 64);

        // Mask only: the sloppy column stays; depth only: the head square, found from the image centre.
        let mask_only = RoiConfig { use_depth: false, ..cfg.clone() };
        let roi = effective_rois(&[view.clone()], &[view.camera.clone()], &points, &mask_only)[0].clone().unwrap();
        assert_eq!(at(&roi, 16, 8), 1.0);
        assert!(roi.depth_range.is_none());
        let depth_only = RoiConfig { use_mask: false, ..cfg.clone() };
        let roi = effective_rois(&[view.clone()], &[view.camera.clone()], &points, &depth_only)[0].clone().unwrap();
        assert_eq!(roi.weight.iter().filter(|&&w| w > 0.0).count(), 64);
        assert_eq!(at(&roi, 16, 8), 0.0);
        let neither = RoiConfig { use_mask: false, use_depth: false, ..cfg };
        assert!(effective_rois(&[view.clone()], &[view.camera.clone()], &points, &neither)[0].is_none());
    }

    #[test]
    fn dilation_and_soft_edge_grow_the_mask() {
        let (mut view, points) = scene(1.0, 0.0);
        view.depth = None;
        let cam = view.camera.clone();
        let cfg = RoiConfig { feather_px: 0, dilate_px: 1, ..RoiConfig::default() };
        let roi = effective_rois(&[view.clone()], &[cam.clone()], &points, &cfg)[0].clone().unwrap();
        assert_eq!(at(&roi, 5, 8), 1.0, "one pixel left of the square is dilated in");
        assert_eq!(at(&roi, 4, 8), 0.0);
        let cfg = RoiConfig { feather_px: 2, dilate_px: 0, ..RoiConfig::default() };
        let roi = effective_rois(&[view], &[cam], &points, &cfg)[0].clone().unwrap();
        assert_eq!(at(&roi, 6, 8), 1.0, "inside keeps full weight");
        let edge = at(&roi, 5, 8);
        assert!(edge > 0.0 && edge < 1.0 && at(&roi, 4, 8) < edge && at(&roi, 3, 8) == 0.0);
    }

    #[test]
    fn resampling_to_a_smaller_camera_keeps_the_roi() {
        let (view, points) = scene(1.0, 0.0);
        let small = view.camera.scaled_to(10, 8);
        let cfg = RoiConfig { feather_px: 0, dilate_px: 0, ..RoiConfig::default() };
        let roi = effective_rois(&[view], &[small], &points, &cfg)[0].clone().unwrap();
        assert_eq!(roi.weight.len(), 80);
        assert_eq!(at(&roi, 5, 4), 1.0);
        assert_eq!(at(&roi, 1, 1), 0.0);
    }

    #[test]
    fn pixel_weights_have_mean_one_and_favour_the_roi() {
        let w = pixel_weights(&[1.0, 0.0, 0.0, 0.0], 4.0);
        assert!((w.iter().sum::<f32>() / 4.0 - 1.0).abs() < 1e-6);
        assert!((w[0] / w[1] - 4.0).abs() < 1e-5);
        assert!(pixel_weights(&[1.0, 0.0], 1.0).iter().all(|&x| (x - 1.0).abs() < 1e-6));
    }
}
