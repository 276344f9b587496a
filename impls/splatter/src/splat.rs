//! From the network's raw per-pixel output to Gaussians in world space (one per pixel of the conditioning view).
//!
//! Raw channels per pixel (`RAW_CHANNELS` = 15, plus [`SH1_CHANNELS`] = 9 with `sh_degree = 1`), and what each
//! becomes:
//!
//! ```text
//! 0        depth  d   z = znear + (zfar − znear)·sigmoid(d)           camera z of the conditioning view
//! 1..4     offset Δ   camera-space 3D offset added to the back-projected point
//! 4        opacity o  opacity logit (the rasterizer applies the sigmoid)
//! 5..8     log-scale  scale = exp(·) per axis
//! 8..12    rotation   quaternion (w, x, y, z), normalised here
//! 12..15   colour     SH degree-0 coefficient: colour = SH_C0·c + 0.5
//! 15..24   SH band 1  (a₁₋₁, a₁₀, a₁₁) × RGB in the conditioning camera's frame, rotated to world (crate::sh)
//! ```
//!
//! Mean of pixel (j, i): with the pixel centre (u, v) = (j + ½, i + ½) (the project convention),
//! p_cam = z·((u − cx)/fx, (v − cy)/fy, 1) + Δ, and μ = R_c2w·p_cam + t_c2w with the conditioning camera's
//! camera-to-world transform. With Δ = 0 the mean projects back onto its own pixel centre at depth z.
//!
//! The "activated" channels that target supervision compares ([`Splats::channels`], 13 per pixel) are world xyz (3),
//! scale (3), the normalised quaternion (4) and colour (3); opacity (sigmoid) is kept apart as the target's weight.

use crate::config::SplatterConfig;
pub use crate::sh::SH1_CHANNELS;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData, s};
use splatbench_core::Camera;
use splatbench_core::maths::SH_C0;
use splatbench_render::op::GaussianTensors;

pub const RAW_CHANNELS: usize = 15;
/// Activated channels compared by the target loss: xyz, scale, quaternion, colour.
pub const CHANNELS: usize = 13;
/// Names of the activated channel groups, in [`Splats::channels`] order, with their widths.
pub const CHANNEL_GROUPS: [(&str, usize); 4] = [("xyz", 3), ("scale", 3), ("quat", 4), ("colour", 3)];

/// Raw output channels of the network under `cfg`.
pub fn raw_channels(cfg: &SplatterConfig) -> usize {
    RAW_CHANNELS + SH1_CHANNELS * cfg.sh_degree as usize
}

/// The last layer's bias per raw channel (the Splatter Image reference's initial state): mid depth, no offset,
/// opacity logit −2 (σ ≈ 0.12), scale 0.02 (log), identity rotation, grey colour.
pub fn output_bias(_cfg: &SplatterConfig) -> [f32; RAW_CHANNELS] {
    let ls = 0.02f32.ln();
    [0.0, 0.0, 0.0, 0.0, -2.0, ls, ls, ls, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
}

/// Gain on the last layer's initial weights per raw channel: offset, opacity, scale and rotation start small (the
/// reference's choice), so every pixel begins near its bias; depth and colour keep the default initialisation.
pub fn output_weight_gain() -> [f32; RAW_CHANNELS] {
    let small = 0.05;
    [1.0, small, small, small, small, small, small, small, small, small, small, small, 1.0, 1.0, 1.0]
}

/// One object's splatter image: per-pixel Gaussians, rows in row-major pixel order.
#[derive(Clone, Debug)]
pub struct Splats {
    pub width: u32,
    pub height: u32,
    /// `[HW]` camera z of each pixel's back-projected point (before the offset).
    pub depth: Tensor<1>,
    /// `[HW, 3]` world means.
    pub means: Tensor<2>,
    pub log_scales: Tensor<2>,
    /// `[HW, 4]` unit quaternions.
    pub quats: Tensor<2>,
    pub opacity_logits: Tensor<1>,
    /// `[HW, 3]` SH degree-0 coefficients.
    pub sh0: Tensor<2>,
    /// `[HW, 3, 3]` SH degree-1 coefficients in world (coefficient × RGB), when the raw output has them.
    pub sh1: Option<Tensor<3>>,
}

/// `[HW, 3]` camera-space rays (x/z, y/z, 1) through the pixel centres of `cam`.
pub fn pixel_rays(cam: &Camera, device: &Device) -> Tensor<2> {
    let (w, h) = (cam.width as usize, cam.height as usize);
    let mut v = Vec::with_capacity(w * h * 3);
    for i in 0..h {
        for j in 0..w {
            v.push(((j as f64 + 0.5 - cam.cx) / cam.fx) as f32);
            v.push(((i as f64 + 0.5 - cam.cy) / cam.fy) as f32);
            v.push(1.0);
        }
    }
    Tensor::from_data(TensorData::new(v, [w * h, 3]), device)
}

/// Camera-to-world as (Rᵀ-ready `[3, 3]` = R_c2wᵀ for row vectors, `[1, 3]` translation).
fn c2w_tensors(cam: &Camera, device: &Device) -> (Tensor<2>, Tensor<2>) {
    let m = cam.camera_to_world();
    let rt: Vec<f32> = (0..3).flat_map(|k| (0..3).map(move |i| m[i][k] as f32)).collect();
    let t: Vec<f32> = (0..3).map(|i| m[i][3] as f32).collect();
    (Tensor::from_data(TensorData::new(rt, [3, 3]), device), Tensor::from_data(TensorData::new(t, [1, 3]), device))
}

impl Splats {
    /// Activate raw output `[HW, RAW_CHANNELS]` (or `RAW_CHANNELS + SH1_CHANNELS`, with the degree-1 band) of the
    /// view seen by `cam` (at the network's resolution).
    pub fn from_raw(raw: Tensor<2>, cam: &Camera, cfg: &SplatterConfig) -> Splats {
        let device = raw.device();
        let n = (cam.width * cam.height) as usize;
        let [rows, k] = raw.dims();
        assert!(
            rows == n && (k == RAW_CHANNELS || k == RAW_CHANNELS + SH1_CHANNELS),
            "raw output {:?} does not match the camera's pixel grid ({n} pixels)",
            raw.dims()
        );
        let sh1 = (k > RAW_CHANNELS).then(|| {
            let band = raw.clone().slice(s![.., RAW_CHANNELS..RAW_CHANNELS + SH1_CHANNELS]).reshape([n, 3, 3]);
            crate::sh::to_world(band, cam)
        });
        let z = sigmoid(raw.clone().slice(s![.., 0..1])).mul_scalar(cfg.zfar - cfg.znear).add_scalar(cfg.znear);
        let offset = raw.clone().slice(s![.., 1..4]);
        let p_cam = pixel_rays(cam, &device) * z.clone() + offset;
        let (rt, t) = c2w_tensors(cam, &device);
        let means = p_cam.matmul(rt) + t;
        let q = raw.clone().slice(s![.., 8..12]);
        let norm = q.clone().powi_scalar(2).sum_dim(1).add_scalar(1e-12).sqrt();
        Splats {
            width: cam.width,
            height: cam.height,
            depth: z.reshape([n]),
            means,
            log_scales: raw.clone().slice(s![.., 5..8]),
            quats: q / norm,
            opacity_logits: raw.clone().slice(s![.., 4..5]).reshape([n]),
            sh0: raw.slice(s![.., 12..15]),
            sh1,
        }
    }

    pub fn len(&self) -> usize {
        (self.width * self.height) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rasterizer's view of these Gaussians (SH degree 0, or 1 with the band; the op evaluates it per view).
    pub fn gaussians(&self) -> GaussianTensors {
        let sh0 = self.sh0.clone().reshape([self.len(), 1, 3]);
        let sh = match &self.sh1 {
            Some(band) => Tensor::cat(vec![sh0, band.clone()], 1),
            None => sh0,
        };
        GaussianTensors {
            means: self.means.clone(),
            log_scales: self.log_scales.clone(),
            quats: self.quats.clone(),
            opacity_logits: self.opacity_logits.clone(),
            sh,
        }
    }

    /// `[HW, CHANNELS]` activated channels: world xyz, scale, unit quaternion, colour (the degree-0 part).
    pub fn channels(&self) -> Tensor<2> {
        let colour = self.sh0.clone().mul_scalar(SH_C0 as f32).add_scalar(0.5);
        Tensor::cat(vec![self.means.clone(), self.log_scales.clone().exp(), self.quats.clone(), colour], 1)
    }

    /// `[HW]` opacity in (0, 1).
    pub fn opacity(&self) -> Tensor<1> {
        sigmoid(self.opacity_logits.clone())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use splatbench_core::{Backend, Intrinsics};

    /// A camera at `eye` looking at the origin (OpenCV axes, world z up), 8 × 6 pixels, off-centre principal point.
    pub(crate) fn look_at(eye: [f64; 3]) -> Camera {
        let n = |v: [f64; 3]| {
            let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
            v.map(|x| x / l)
        };
        let cross = |a: [f64; 3], b: [f64; 3]| {
            [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
        };
        let fwd = n(eye.map(|x| -x));
        let right = n(cross(fwd, [0.0, 0.0, -1.0]));
        let down = cross(fwd, right);
        let mut c2w = [[0.0; 4]; 4];
        for i in 0..3 {
            c2w[i] = [right[i], down[i], fwd[i], eye[i]];
        }
        c2w[3][3] = 1.0;
        Camera::from_c2w_opencv(c2w, Intrinsics { width: 8, height: 6, fx: 7.5, fy: 7.0, cx: 4.3, cy: 2.9 })
    }

    /// An SRN-like camera: radius 1.3, looking at the origin from an oblique direction.
    fn camera() -> Camera {
        look_at([0.7, -0.9, 0.6])
    }

    #[test]
    fn a_pixel_with_zero_offset_reprojects_onto_its_own_centre_at_depth_z() {
        let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
        let cam = camera();
        let cfg = SplatterConfig::default();
        let n = (cam.width * cam.height) as usize;
        // Raw depth varies per pixel; every other channel 0 except a valid quaternion.
        let mut raw = vec![0.0f32; n * RAW_CHANNELS];
        for p in 0..n {
            raw[p * RAW_CHANNELS] = (p as f32 * 0.37).sin() * 3.0;
            raw[p * RAW_CHANNELS + 8] = 1.0;
        }
        let raw = Tensor::from_data(TensorData::new(raw.clone(), [n, RAW_CHANNELS]), &device);
        let s = Splats::from_raw(raw, &cam, &cfg);
        let means = splatbench_train::tensors::to_vec(s.means);
        let depth = splatbench_train::tensors::to_vec(s.depth);
        for i in 0..cam.height {
            for j in 0..cam.width {
                let p = (i * cam.width + j) as usize;
                let m = [means[3 * p] as f64, means[3 * p + 1] as f64, means[3 * p + 2] as f64];
                let (px, z) = cam.project(m);
                assert!((px[0] - (j as f64 + 0.5)).abs() < 1e-3, "pixel ({j}, {i}) → {px:?}");
                assert!((px[1] - (i as f64 + 0.5)).abs() < 1e-3, "pixel ({j}, {i}) → {px:?}");
                assert!((z - depth[p] as f64).abs() < 1e-4, "z {z} vs {}", depth[p]);
                assert!(depth[p] > cfg.znear && depth[p] < cfg.zfar);
            }
        }
    }

    #[test]
    fn the_initial_bias_gives_faint_small_unrotated_grey_gaussians() {
        let b = output_bias(&SplatterConfig::default());
        assert!((splatbench_core::maths::sigmoid(b[4] as f64) - 0.1192).abs() < 1e-3);
        assert!((b[5].exp() - 0.02).abs() < 1e-6);
        assert_eq!(&b[8..12], &[1.0, 0.0, 0.0, 0.0]);
        assert!((SH_C0 as f32 * b[12] + 0.5 - 0.5).abs() < 1e-9);
    }
}
