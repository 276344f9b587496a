//! The kernels' arguments, grouped by what they hold (as Brush's `kernels/types.rs`): the Gaussian parameters,
//! the camera, each stage's device buffers, and one struct of scalar uniforms shared by every launch. Every
//! field is a flat contiguous f32 or u32 buffer indexed linearly (`Box<[T]>`: CubeCL's `Tensor<T>` is unsized and
//! cannot be a field; the kernels never read shapes or strides); the layouts are the kernels' (see each field).
//! The glue passes each buffer with `CubeTensor::into_buffer_arg` in a `…Launch` literal.
//!
//! A struct of buffers still binds one storage buffer per field: grouping changes the signatures, not the
//! bindings, so each kernel stays within the 16 storage buffers per stage some adapters allow.

use cubecl::prelude::*;

/// The per-Gaussian parameters the projection and its backward both read.
#[derive(CubeLaunch, CubeType)]
pub struct GaussianArgs {
    /// `[N, 3]` world-space centres.
    pub means: Box<[f32]>,
    /// `[N, 3]` log standard deviations.
    pub log_scales: Box<[f32]>,
    /// `[N, 4]` quaternions (w, x, y, z), not necessarily unit.
    pub quats: Box<[f32]>,
    /// `[N, K, 3]` SH coefficients.
    pub sh: Box<[f32]>,
}

/// The camera as tensors: `viewmat` `[4, 4]` row-major world-to-camera, `intrinsics` `[4]` = (fx, fy, cx, cy).
#[derive(CubeLaunch, CubeType)]
pub struct CameraArgs {
    pub viewmat: Box<[f32]>,
    pub intrinsics: Box<[f32]>,
}

/// What the projection writes per Gaussian.
#[derive(CubeLaunch, CubeType)]
pub struct Projected {
    /// `[N, SPLAT]`: mean x, mean y, conic a, b, c, opacity, r, g, b, depth.
    pub splats: Box<[f32]>,
    /// `[N, 4]` tile rectangle (tx0, tx1, ty0, ty1), inclusive.
    pub rects: Box<[u32]>,
    /// `[N]` tiles in the rectangle, 0 = culled.
    pub counts: Box<[u32]>,
    /// `[N]` screen radius in pixels, 0 = culled.
    pub radii: Box<[u32]>,
}

/// What the binning reads per Gaussian: the projection's rectangles, counts and splats (for the depth), and the
/// exclusive prefix sum `offsets` `[N + 1]` of the counts.
#[derive(CubeLaunch, CubeType)]
pub struct BinArgs {
    pub rects: Box<[u32]>,
    pub counts: Box<[u32]>,
    pub offsets: Box<[u32]>,
    pub splats: Box<[f32]>,
}

/// The (tile, depth, Gaussian) sort keys, one entry per intersection (padded to a power of two for the sort).
#[derive(CubeLaunch, CubeType)]
pub struct SortKeys {
    pub tile: Box<[u32]>,
    pub depth: Box<[f32]>,
    pub gauss: Box<[u32]>,
}

/// The tiles' sorted lists: `gauss` `[M]` the sorted Gaussian indices, `ranges` `[2·tiles]` each tile's run in
/// them, and `splats` the projection's `[N, SPLAT]` splats they index.
#[derive(CubeLaunch, CubeType)]
pub struct TileLists {
    pub splats: Box<[f32]>,
    pub gauss: Box<[u32]>,
    pub ranges: Box<[u32]>,
}

/// What the forward compositing writes per pixel.
#[derive(CubeLaunch, CubeType)]
pub struct RasterOut {
    /// `[5·H·W]`: colour `[H, W, 3]`, alpha `[H, W]`, depth `[H, W]`.
    pub packed: Box<[f32]>,
    /// `[H·W]` final transmittance.
    pub final_t: Box<[f32]>,
    /// `[H·W]` one past the list position of the last contributor.
    pub n_contrib: Box<[u32]>,
}

/// What the backward compositing reads besides the tile lists: the binning's `rects` and `offsets` (to find each
/// entry's slot), the forward's per-pixel `final_t` and `n_contrib`, and the packed `[5·H·W]` `upstream` gradient.
#[derive(CubeLaunch, CubeType)]
pub struct RasterBwdArgs {
    pub rects: Box<[u32]>,
    pub offsets: Box<[u32]>,
    pub final_t: Box<[f32]>,
    pub n_contrib: Box<[u32]>,
    pub upstream: Box<[f32]>,
}

/// What the projection VJP reads from the forward and the gather: the splats, the tile counts (0 = culled) and
/// the per-Gaussian summed 2D gradients `grads2d` `[N, GRAD]`.
#[derive(CubeLaunch, CubeType)]
pub struct ProjectBwdArgs {
    pub splats: Box<[f32]>,
    pub counts: Box<[u32]>,
    pub grads2d: Box<[f32]>,
}

/// The projection VJP's per-Gaussian outputs; `cam` is `[N, CAM]`, each Gaussian's share of the camera gradient.
#[derive(CubeLaunch, CubeType)]
pub struct ParamGrads {
    pub means: Box<[f32]>,
    pub log_scales: Box<[f32]>,
    pub quats: Box<[f32]>,
    pub opacity: Box<[f32]>,
    pub sh: Box<[f32]>,
    pub cam: Box<[f32]>,
}

/// The scalars every launch shares (a kernel reads the ones it needs): `n` Gaussians with `num_coeffs` SH
/// coefficients each, a `width`×`height` image of `tiles_x` tiles across, and the background colour.
#[derive(CubeLaunch, CubeType)]
pub struct Uniforms {
    pub n: u32,
    pub num_coeffs: u32,
    pub width: u32,
    pub height: u32,
    pub tiles_x: u32,
    pub bg_r: f32,
    pub bg_g: f32,
    pub bg_b: f32,
}
