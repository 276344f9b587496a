//! The op's public tensor bundles: Gaussian parameters and camera in, rendered images out, and their conversion
//! to and from the host types the CPU kernel reads ([`GaussianCloud`], [`RasterCamera`]).

use crate::{GaussianCloud, RasterCamera};
use burn::tensor::{Device, Tensor, TensorData};
use splatbench_core::Camera;

/// Gaussian parameters as burn tensors (the [`GaussianCloud`] layout, one row per Gaussian).
#[derive(Clone, Debug)]
pub struct GaussianTensors {
    /// `[N, 3]` world-space centres.
    pub means: Tensor<2>,
    /// `[N, 3]` log of the per-axis standard deviations.
    pub log_scales: Tensor<2>,
    /// `[N, 4]` rotations (w, x, y, z); the rasterizer normalises them.
    pub quats: Tensor<2>,
    /// `[N]` opacity before the sigmoid.
    pub opacity_logits: Tensor<1>,
    /// `[N, K, 3]` SH coefficients, K = (degree + 1)².
    pub sh: Tensor<3>,
}

/// A pinhole camera as burn tensors, so its pose and intrinsics can be optimised.
#[derive(Clone, Debug)]
pub struct CameraTensors {
    /// `[4, 4]` world-to-camera, OpenCV axes, row-major.
    pub viewmat: Tensor<2>,
    /// `[4]` = (fx, fy, cx, cy) in pixels.
    pub intrinsics: Tensor<1>,
    pub width: u32,
    pub height: u32,
}

/// What [`render`](super::render) returns.
#[derive(Clone, Debug)]
pub struct RenderOutput {
    /// `[H, W, 3]` colour composited over the background.
    pub color: Tensor<3>,
    /// `[H, W]` accumulated opacity.
    pub alpha: Tensor<2>,
    /// `[H, W]` alpha-weighted z-depth (not normalised by alpha), as [`crate::cpu::forward`] defines it.
    pub depth: Tensor<2>,
    /// Per-Gaussian screen radius in pixels; 0 for culled Gaussians.
    pub radii: Vec<u32>,
}

impl GaussianTensors {
    pub fn len(&self) -> usize {
        self.means.dims()[0]
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Leaf tensors on `device` holding `c` (not marked `require_grad`; the caller decides what is optimised).
    pub fn from_cloud(c: &GaussianCloud, device: &Device) -> Self {
        let n = c.means.len();
        let k = GaussianCloud::num_sh_coeffs(c.sh_degree);
        GaussianTensors {
            means: Tensor::from_data(TensorData::new(c.means.as_flattened().to_vec(), [n, 3]), device),
            log_scales: Tensor::from_data(TensorData::new(c.log_scales.as_flattened().to_vec(), [n, 3]), device),
            quats: Tensor::from_data(TensorData::new(c.quats.as_flattened().to_vec(), [n, 4]), device),
            opacity_logits: Tensor::from_data(TensorData::new(c.opacity_logits.clone(), [n]), device),
            sh: Tensor::from_data(TensorData::new(c.sh.clone(), [n, k, 3]), device),
        }
    }

    /// Read the tensors back to the host.
    ///
    /// Panics when the SH tensor's K is not (degree + 1)² for a degree 0..=3: no constructor in this crate makes one.
    pub fn to_cloud(&self) -> GaussianCloud {
        GaussianCloud {
            means: rows(tensor_to_vec(self.means.clone())),
            log_scales: rows(tensor_to_vec(self.log_scales.clone())),
            quats: rows(tensor_to_vec(self.quats.clone())),
            opacity_logits: tensor_to_vec(self.opacity_logits.clone()),
            sh_degree: sh_degree(self.sh.dims()[1]),
            sh: tensor_to_vec(self.sh.clone()),
        }
    }
}

impl CameraTensors {
    /// Constant (untracked) camera tensors; call `require_grad()` on a field to optimise it.
    pub fn from_camera(cam: &Camera, device: &Device) -> Self {
        // Through RasterCamera so the f64 → f32 conversion is the rasterizer's own.
        let rc = RasterCamera::from(cam);
        CameraTensors {
            viewmat: Tensor::from_data(TensorData::new(rc.viewmat.as_flattened().to_vec(), [4, 4]), device),
            intrinsics: Tensor::from_data(TensorData::new(vec![rc.fx, rc.fy, rc.cx, rc.cy], [4]), device),
            width: rc.width,
            height: rc.height,
        }
    }
}

/// The SH degree whose (degree + 1)² is `k`. Panics otherwise: the tensor bundles are built from valid clouds, so a
/// wrong K is a caller bug, not input.
pub(super) fn sh_degree(k: usize) -> u32 {
    (0..=3u32)
        .find(|&d| GaussianCloud::num_sh_coeffs(d) == k)
        .unwrap_or_else(|| panic!("SH tensor has K = {k} coefficients; expected 1, 4, 9 or 16"))
}

fn tensor_to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().expect("f32 tensor data")
}

/// Row-major `[_, M]` values as rows.
pub(super) fn rows<const M: usize>(flat: Vec<f32>) -> Vec<[f32; M]> {
    flat.chunks_exact(M).map(|r| r.try_into().expect("chunk of M")).collect()
}
