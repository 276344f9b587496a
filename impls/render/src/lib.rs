//! Differentiable 3D Gaussian rasterizer: a fast CPU kernel ([`cpu`]), a dense f64 reference
//! ([`reference`]), a burn custom op ([`op`]) and 3DGS PLY I/O ([`ply`]).
//!
//! # Semantics (the fast kernel, the reference and the tests all follow exactly this)
//!
//! The numbers below (near plane, blur, α bounds, tile size, SH constants) are defined once, in [`constants`].
//!
//! **Gaussian** ([`GaussianCloud`]): mean m (world), scale s = exp(log_scale), rotation R from the normalised
//! quaternion (w, x, y, z), opacity o = sigmoid(logit), colour from real spherical harmonics of degree 0–3 in
//! the 3DGS/gsplat convention ([`sh`]; C0 = 0.28209479177387814): colour = max(0, Σ_k sh_k·Y_k(d) + 0.5) with
//! d = normalize(m − camera centre) in **world** space. The camera centre is −Rᵀt of the viewmat, so viewmat
//! gradients include this direction term.
//!
//! **Camera** ([`RasterCamera`]): world-to-camera rigid transform (OpenCV axes), fx, fy, cx, cy. Pixel
//! (col j, row i) has its centre at (j + 0.5, i + 0.5); a camera-space point (x, y, z) projects to
//! (fx·x/z + cx, fy·y/z + cy). Gaussians with z < 0.01 are culled.
//!
//! **Projection** ([`project`]): Σ = R S² Rᵀ, Σ₂ = J W Σ Wᵀ Jᵀ + 0.3·I (EWA low-pass), with gsplat's
//! `persp_proj` Jacobian: x/z is clamped to [−(cx/fx + 0.3·tan_fovx), (W−cx)/fx + 0.3·tan_fovx] with
//! tan_fovx = 0.5·W/fx (= ±1.3·tan_fovx for a centred principal point), likewise y/z; the clamp enters only J
//! (the clamped ratio has zero derivative with respect to x, y, z) and never the projected mean.
//!
//! **Compositing**, per pixel, front to back by increasing view-space z (ties broken by Gaussian index):
//! α = min(0.99, o·exp(−½ dᵀΣ₂⁻¹d)) with d = pixel centre − projected mean; α < 1/255 is skipped; the walk
//! stops *before* the contribution that would bring T below 1e-4. Then
//! colour = Σ c·α·T + T_final·background, alpha = 1 − T_final, depth = Σ z·α·T (expected z, not normalised).
//!
//! **Extent** is opacity-aware: α ≥ 1/255 needs dᵀΣ₂⁻¹d ≤ 2·ln(255·o), so a Gaussian is binned to every 16×16
//! tile that the bounding box of that ellipse touches (o < 1/255 culls it). There is no 3σ cut-off, so the
//! fast result equals the dense evaluation. The reported radius is ceil(√(2·ln(255·o)·λ_max(Σ₂))).
//!
//! **Gradients** ([`cpu::backward`]): analytic, deterministic (same input → same bits), with respect to means,
//! log-scales, quaternions, opacity logits, SH, the viewmat (rigid 3×4 part), fx, fy, cx, cy and the background,
//! plus dL/d(projected pixel mean) for densification. Where a clamp is active (α = 0.99, colour < 0, the J
//! clamp) the clamped quantity passes no gradient through it; the skip/stop decisions are treated as constant.

pub mod camera;
pub mod constants;
pub mod cpu;
#[cfg(feature = "wgpu")]
pub mod cube;
pub mod gaussians;
pub mod op;
pub mod ply;
pub mod project;
pub mod reference;
pub mod sh;

pub use camera::{CameraF64, RasterCamera};

pub use gaussians::GaussianCloud;
