//! The rasterizer as one differentiable burn operation.
//!
//! Methods call [`render`] on burn tensors; gradients flow to every tracked input — the Gaussian parameters, the
//! camera (view matrix and intrinsics) and an optional screen-space probe.
//!
//! # How it is built
//!
//! A backend extension trait (`RasterOps`, generated dispatch via `#[backend_extension]`) has one operation that
//! takes all inputs and returns one packed `[H, W, 5]` float tensor — colour (3), alpha (1), z-depth (1) per pixel —
//! plus the per-Gaussian screen radii as host values. Packing the three images into one tensor keeps the autodiff
//! node single-output: [`render`] slices the packed tensor, burn's `slice` backward scatters the upstream gradients
//! of colour, alpha and depth back into one `[H, W, 5]` gradient, and the hand-written [`Backward`] splits it again.
//!
//! Both passes run on the host: the forward reads the inputs to `Vec<f32>`, runs [`cpu::forward`] and uploads the
//! result to the inputs' device; the backward reads the upstream gradient, runs [`cpu::backward`] with the saved
//! forward state and uploads one gradient per tracked input. The host path is generic over the burn backend, so any
//! backend listed in the extension gets the same rasterizer (and the same numbers): NdArray always, Cube (wgpu) and
//! LibTorch when their cargo features are on.
//!
//! # The screen-space probe
//!
//! 3DGS densification accumulates |dL/d(projected mean)|. That quantity is not a gradient of any model parameter,
//! so — as Brush does — the caller passes an `[N, 2]` zeros tensor with `require_grad()`: the op treats it as an
//! additive offset to the projected pixel means (its value is ignored; it must be zero) and registers
//! `Grads::means2d` as its gradient.

// burn 0.22 deprecates burn-ndarray (and burn-tch) in favour of flex/cubecl; this project keeps ndarray as its
// always-available CPU backend, so the extension is implemented for it.
#![allow(deprecated)]

use crate::cpu::{self, ForwardState, RenderImage};
use crate::{GaussianCloud, RasterCamera};
use burn::backend::TensorMetadata;
use burn::backend::autodiff::{
    Autodiff,
    checkpoint::{base::Checkpointer, strategy::CheckpointStrategy},
    grads::Gradients,
    ops::{Backward, Ops, OpsKind},
};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, ExtensionType, NdArray, backend_extension};
use burn::tensor::{Device, Tensor, TensorData, s};
use splatbench_core::Camera;
use std::sync::Arc;

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

/// What [`render`] returns.
#[derive(Clone, Debug)]
pub struct RenderOutput {
    /// `[H, W, 3]` colour composited over the background.
    pub color: Tensor<3>,
    /// `[H, W]` accumulated opacity.
    pub alpha: Tensor<2>,
    /// `[H, W]` alpha-weighted z-depth (not normalised by alpha), as [`cpu::forward`] defines it.
    pub depth: Tensor<2>,
    /// Per-Gaussian screen radius in pixels; 0 for culled Gaussians.
    pub radii: Vec<u32>,
}

/// Render `g` from `cam` over `background`. Differentiable in every tracked tensor input; see the module docs for
/// `means2d_probe`.
pub fn render(
    g: &GaussianTensors,
    cam: &CameraTensors,
    background: [f32; 3],
    means2d_probe: Option<&Tensor<2>>,
) -> RenderOutput {
    let n = g.len();
    // An untracked zeros probe keeps the op's arity fixed; autodiff treats it as a constant.
    let probe = match means2d_probe {
        Some(p) => p.clone(),
        None => Tensor::<2>::zeros([n, 2], &g.means.device()),
    };
    let out = <Dispatch as RasterOps>::rasterize(
        RasterInputs {
            means: g.means.clone().into_dispatch(),
            log_scales: g.log_scales.clone().into_dispatch(),
            quats: g.quats.clone().into_dispatch(),
            opacity_logits: g.opacity_logits.clone().into_dispatch(),
            sh: g.sh.clone().into_dispatch(),
            viewmat: cam.viewmat.clone().into_dispatch(),
            intrinsics: cam.intrinsics.clone().into_dispatch(),
            means2d_probe: probe.into_dispatch(),
        },
        cam.width,
        cam.height,
        background,
    );
    let packed = Tensor::<3>::from_dispatch(out.packed);
    let (h, w) = (cam.height as usize, cam.width as usize);
    RenderOutput {
        color: packed.clone().slice(s![.., .., 0..3]),
        alpha: packed.clone().slice(s![.., .., 3..4]).reshape([h, w]),
        depth: packed.slice(s![.., .., 4..5]).reshape([h, w]),
        radii: out.radii,
    }
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
        let k = self.sh.dims()[1];
        let sh_degree = (0..=3u32)
            .find(|&d| GaussianCloud::num_sh_coeffs(d) == k)
            .unwrap_or_else(|| panic!("SH tensor has K = {k} coefficients; expected 1, 4, 9 or 16"));
        GaussianCloud {
            means: rows(tensor_to_vec(self.means.clone())),
            log_scales: rows(tensor_to_vec(self.log_scales.clone())),
            quats: rows(tensor_to_vec(self.quats.clone())),
            opacity_logits: tensor_to_vec(self.opacity_logits.clone()),
            sh_degree,
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

fn tensor_to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().expect("f32 tensor data")
}

fn rows<const M: usize>(flat: Vec<f32>) -> Vec<[f32; M]> {
    flat.chunks_exact(M).map(|r| r.try_into().expect("chunk of M")).collect()
}

// ---------------------------------------------------------------------------------------------------------------
// The backend extension.

/// Inputs of the op, in the order of the autodiff parents.
#[derive(ExtensionType)]
struct RasterInputs<B: Backend> {
    means: FloatTensor<B>,
    log_scales: FloatTensor<B>,
    quats: FloatTensor<B>,
    opacity_logits: FloatTensor<B>,
    sh: FloatTensor<B>,
    viewmat: FloatTensor<B>,
    intrinsics: FloatTensor<B>,
    means2d_probe: FloatTensor<B>,
}

/// `packed` is `[H, W, 5]` = (r, g, b, alpha, depth); `radii` come from the forward state.
#[derive(ExtensionType)]
struct RasterOutput<B: Backend> {
    packed: FloatTensor<B>,
    radii: Vec<u32>,
}

#[backend_extension(Autodiff, NdArray, Cube: cfg(feature = "wgpu"), LibTorch: cfg(feature = "tch"))]
trait RasterOps: Backend {
    fn rasterize(
        #[extension_type] inputs: RasterInputs<Self>,
        width: u32,
        height: u32,
        background: [f32; 3],
    ) -> RasterOutput<Self>;
}

impl RasterOps for NdArray {
    fn rasterize(inputs: RasterInputs<Self>, width: u32, height: u32, background: [f32; 3]) -> RasterOutput<Self> {
        host_forward_untracked(inputs, width, height, background)
    }
}

#[cfg(feature = "wgpu")]
impl RasterOps for burn::backend::Cube {
    fn rasterize(inputs: RasterInputs<Self>, width: u32, height: u32, background: [f32; 3]) -> RasterOutput<Self> {
        host_forward_untracked(inputs, width, height, background)
    }
}

#[cfg(feature = "tch")]
impl RasterOps for burn::backend::LibTorch {
    fn rasterize(inputs: RasterInputs<Self>, width: u32, height: u32, background: [f32; 3]) -> RasterOutput<Self> {
        host_forward_untracked(inputs, width, height, background)
    }
}

impl<B: Backend, C: CheckpointStrategy> RasterOps for Autodiff<B, C> {
    fn rasterize(inputs: RasterInputs<Self>, width: u32, height: u32, background: [f32; 3]) -> RasterOutput<Self> {
        let RasterInputs { means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics, means2d_probe } = inputs;
        let nodes = [
            means.node(),
            log_scales.node(),
            quats.node(),
            opacity_logits.node(),
            sh.node(),
            viewmat.node(),
            intrinsics.node(),
            means2d_probe.node(),
        ];
        let prims = [
            means.into_primitive(),
            log_scales.into_primitive(),
            quats.into_primitive(),
            opacity_logits.into_primitive(),
            sh.into_primitive(),
            viewmat.into_primitive(),
            intrinsics.into_primitive(),
        ];
        let (packed, radii, saved) = host_forward::<B>(prims, width, height, background);
        let packed = match RasterBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(Saved(Arc::new(saved)), packed),
            OpsKind::UnTracked(prep) => prep.finish(packed),
        };
        RasterOutput { packed, radii }
    }
}

fn host_forward_untracked<B: Backend>(
    inputs: RasterInputs<B>,
    width: u32,
    height: u32,
    background: [f32; 3],
) -> RasterOutput<B> {
    let RasterInputs { means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics, means2d_probe: _ } = inputs;
    let prims = [means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics];
    let (packed, radii, _) = host_forward::<B>(prims, width, height, background);
    RasterOutput { packed, radii }
}

/// Everything the backward pass needs, kept on the host.
struct SavedForward {
    cloud: GaussianCloud,
    cam: RasterCamera,
    background: [f32; 3],
    state: ForwardState,
    /// Shapes of the tensor inputs, so the gradients come back in the caller's shapes.
    shapes: [Vec<usize>; 7],
}

/// Autodiff state must be `Clone + Debug`; share the host data instead of copying it.
#[derive(Clone)]
struct Saved(Arc<SavedForward>);

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.0;
        write!(f, "Saved({} Gaussians, {}x{})", s.cloud.means.len(), s.cam.width, s.cam.height)
    }
}

/// Read the inputs, rasterize on the host, upload the packed image to the inputs' device.
fn host_forward<B: Backend>(
    prims: [FloatTensor<B>; 7],
    width: u32,
    height: u32,
    background: [f32; 3],
) -> (FloatTensor<B>, Vec<u32>, SavedForward) {
    let device = prims[0].device();
    let shapes = prims.each_ref().map(|t| t.shape().to_vec());
    let [means, log_scales, quats, opacity_logits, sh, viewmat, intrinsics] = prims.map(read_host::<B>);
    let n = shapes[0][0];
    assert!(
        shapes[4].len() == 3 && shapes[4][0] == n && shapes[4][2] == 3,
        "sh must be [N, K, 3] with N = {n}, got {:?}",
        shapes[4]
    );
    let k = shapes[4][1];
    let sh_degree = (0..=3u32)
        .find(|&d| GaussianCloud::num_sh_coeffs(d) == k)
        .unwrap_or_else(|| panic!("SH tensor has K = {k} coefficients; expected 1, 4, 9 or 16"));
    let cloud = GaussianCloud {
        means: rows(means),
        log_scales: rows(log_scales),
        quats: rows(quats),
        opacity_logits,
        sh_degree,
        sh,
    };
    let viewmat: [[f32; 4]; 4] = rows::<4>(viewmat).try_into().expect("viewmat must be [4, 4]");
    let [fx, fy, cx, cy]: [f32; 4] = intrinsics.try_into().expect("intrinsics must be [4]");
    let cam = RasterCamera { width, height, fx, fy, cx, cy, viewmat };

    let (image, state) = cpu::forward(&cloud, &cam, background);
    let packed = pack(&image);
    let (h, w) = (height as usize, width as usize);
    let packed = B::float_from_data(TensorData::new(packed, [h, w, 5]), &device);
    let radii = state.radii.clone();
    (packed, radii, SavedForward { cloud, cam, background, state, shapes })
}

fn pack(image: &RenderImage) -> Vec<f32> {
    let pixels = (image.width * image.height) as usize;
    let mut out = Vec::with_capacity(pixels * 5);
    for p in 0..pixels {
        out.extend_from_slice(&image.color[p * 3..p * 3 + 3]);
        out.push(image.alpha[p]);
        out.push(image.depth[p]);
    }
    out
}

fn read_host<B: Backend>(t: FloatTensor<B>) -> Vec<f32> {
    let data = burn::tensor::read_sync(B::float_into_data(t)).expect("reading a tensor to the host for the rasterizer");
    data.try_into_vec_as::<f32>().expect("f32 tensor data")
}

#[derive(Debug)]
struct RasterBackward;

impl<B: Backend> Backward<B, 8> for RasterBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 8>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let upstream = grads.consume::<B>(&ops.node);
        let device = upstream.device();
        let packed = read_host::<B>(upstream);
        let s = &ops.state.0;
        let pixels = (s.cam.width * s.cam.height) as usize;
        let mut d_color = Vec::with_capacity(pixels * 3);
        let mut d_alpha = Vec::with_capacity(pixels);
        let mut d_depth = Vec::with_capacity(pixels);
        for px in packed.chunks_exact(5) {
            d_color.extend_from_slice(&px[..3]);
            d_alpha.push(px[3]);
            d_depth.push(px[4]);
        }
        let g = cpu::backward(&s.cloud, &s.cam, s.background, &s.state, &d_color, &d_alpha, &d_depth);
        let flat: [Vec<f32>; 8] = [
            g.means.as_flattened().to_vec(),
            g.log_scales.as_flattened().to_vec(),
            g.quats.as_flattened().to_vec(),
            g.opacity_logits,
            g.sh,
            g.viewmat.as_flattened().to_vec(),
            g.intrinsics.to_vec(),
            g.means2d.as_flattened().to_vec(),
        ];
        let n = s.cloud.means.len();
        for ((parent, values), i) in ops.parents.into_iter().zip(flat).zip(0..) {
            if let Some(node) = parent {
                let shape = if i < 7 { s.shapes[i].clone() } else { vec![n, 2] };
                grads.register::<B>(node.id, B::float_from_data(TensorData::new(values, shape), &device));
            }
        }
    }
}
