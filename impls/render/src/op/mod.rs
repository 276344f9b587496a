//! The rasterizer as one differentiable burn operation.
//!
//! Methods call [`render`] on burn tensors; gradients flow to every tracked input — the Gaussian parameters, the
//! camera (view matrix and intrinsics) and an optional screen-space probe.
//!
//! # How it is built
//!
//! The files follow the roles of burn's custom-kernel example:
//!
//! - `tensors`: the public tensor bundles ([`GaussianTensors`], [`CameraTensors`], [`RenderOutput`]);
//! - `extension`: the backend extension trait (`RasterOps`, generated dispatch via `#[backend_extension]`) and its
//!   implementation per backend: one body for the plain backends ([`impl_plain_backends!`](splatbench_device::impl_plain_backends))
//!   and the autodiff one that records the backward node;
//! - `kernels`: `RasterKernels`, what a backend provides: a forward returning the state its backward needs, and
//!   that backward;
//! - `host`: the host path (tensors → [`cpu::forward`] / [`cpu::backward`] → tensors), `RasterKernels` for
//!   NdArray and LibTorch;
//! - `backward`: the autodiff [`Backward`](burn::backend::autodiff::ops::Backward) that runs the backend's backward;
//! - [`crate::cube`] (feature `wgpu`): `RasterKernels` for the Cube backend as CubeCL kernels, on the device.
//!
//! The extension has one operation that takes all inputs and returns one packed `[5·H·W]` float tensor — colour
//! `[H, W, 3]`, then alpha `[H, W]`, then z-depth `[H, W]`, one block after another — plus the per-Gaussian screen
//! radii as host values. Packing the three images into one tensor keeps the autodiff node single-output: [`render`]
//! slices the packed tensor, burn's `slice` backward scatters the upstream gradients of colour, alpha and depth back
//! into one gradient, and the hand-written backward splits it again. Blocks rather than five values per pixel make
//! each slice contiguous: burn-ndarray copies a slice, and copying the strided colour of an interleaved `[H, W, 5]`
//! went element by element through dynamic-rank iterators (22 % of a roigs step on ndarray, perf, bust_250).
//!
//! On NdArray and LibTorch both passes run on the host: the forward reads the inputs to `Vec<f32>`, runs
//! [`cpu::forward`] and uploads the result to the inputs' device; the backward reads the upstream gradient, runs
//! [`cpu::backward`] with the saved forward state and uploads one gradient per input, so both backends give the CPU
//! kernel's bits. On Cube (wgpu) the same maths runs as CubeCL kernels in f32 on the device ([`crate::cube`]);
//! only the radii (an output the op returns on the host) and one intersection count are read back.
//!
//! # The screen-space probe
//!
//! 3DGS densification accumulates |dL/d(projected mean)|. That quantity is not a gradient of any model parameter,
//! so — as Brush does — the caller passes an `[N, 2]` zeros tensor with `require_grad()`: the op treats it as an
//! additive offset to the projected pixel means (its value is ignored; it must be zero) and registers
//! `Grads::means2d` as its gradient.
//!
//! [`cpu::forward`]: crate::cpu::forward
//! [`cpu::backward`]: crate::cpu::backward

// burn 0.22 deprecates burn-ndarray (and burn-tch) in favour of flex/cubecl; this project keeps ndarray as its
// always-available CPU backend, so the extension is implemented for it.
#![allow(deprecated)]

mod backward;
mod extension;
mod host;
mod kernels;
mod tensors;

#[cfg(feature = "wgpu")]
pub(crate) use kernels::RasterKernels;

pub use tensors::{CameraTensors, GaussianTensors, RenderOutput};

use burn::backend::Dispatch;
use burn::tensor::{Tensor, s};
use extension::{RasterInputs, RasterOps};

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
    let packed = Tensor::<1>::from_dispatch(out.packed);
    let (h, w) = (cam.height as usize, cam.width as usize);
    let p = h * w;
    RenderOutput {
        color: packed.clone().slice(s![0..3 * p]).reshape([h, w, 3]),
        alpha: packed.clone().slice(s![3 * p..4 * p]).reshape([h, w]),
        depth: packed.slice(s![4 * p..5 * p]).reshape([h, w]),
        radii: out.radii,
    }
}
