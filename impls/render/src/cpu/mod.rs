//! Fast CPU rasterizer: projection (rayon over Gaussians), opacity-aware 16×16 tile binning with a global
//! depth sort, rayon-parallel tile compositing, and the analytic backward pass (per-tile reverse compositing,
//! per-entry gradient buffers reduced in a fixed order, then the projection VJP). Same input → same bits.
//!
//! Images are row-major: `color[(i·W + j)·3 + c]`, `alpha[i·W + j]`, `depth[i·W + j]`.

mod bin;
mod fastexp;
mod raster;
mod raster_bwd;
mod tile;

pub use fastexp::exp_nonpos;

use crate::camera::{CameraF64, RasterCamera};
use crate::constants::{EXTENT_PAD, EXTENT_SCALE};
use crate::gaussians::GaussianCloud;
use crate::project::{self, CameraGrad, ProjectedGrad, VjpSinks};
use raster::TileOut;
use raster_bwd::{EntryGrad, TileBwdIn};
use rayon::prelude::*;
use tile::{TP, TileCtx};

pub use crate::constants::TILE;

/// Forward output.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderImage {
    pub width: u32,
    pub height: u32,
    /// H × W × 3.
    pub color: Vec<f32>,
    /// H × W, 1 − final transmittance.
    pub alpha: Vec<f32>,
    /// H × W, expected z-depth Σ z·α·T (not normalised by alpha).
    pub depth: Vec<f32>,
}

/// Work counters of one forward pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RasterStats {
    /// Gaussians that reach at least one pixel.
    pub visible: usize,
    /// (Gaussian, tile) pairs after binning.
    pub intersections: usize,
    /// (Gaussian, pixel) pairs whose α the forward tile loop computes: 8-pixel row segments that the Gaussian's
    /// ellipse reaches and in which some pixel is still compositing.
    pub pairs_evaluated: u64,
}

/// One projected Gaussian as the tile loops read it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Splat {
    pub mean: [f32; 2],
    pub conic: [f32; 3],
    pub opacity: f32,
    pub color: [f32; 3],
    pub depth: f32,
    /// Inclusive pixel bounds (x0, x1, y0, y1) of the α ≥ 1/255 region, clipped to the image.
    pub bbox: [u32; 4],
    /// Row spans of an ellipse enclosing the α ≥ 1/255 region with margin: on the row at offset dy from the
    /// mean, pixels with |x − (mean_x − k·dy)| ≤ √(h0 − h1·dy²) (+ slack); (k, h0, h1). See
    /// [`tile::TileCtx::row_segments`].
    pub span: [f32; 3],
}

/// What the backward pass needs from the forward pass.
#[derive(Clone, Debug)]
pub struct ForwardState {
    /// Per Gaussian: ceil(√(2·ln(255·o)·λ_max)) in pixels, 0 = culled or reaches no pixel.
    pub radii: Vec<u32>,
    /// Per Gaussian projected pixel mean (0 where culled).
    pub means2d: Vec<[f32; 2]>,
    /// Per Gaussian view-space z (0 where culled).
    pub depths: Vec<f32>,
    pub stats: RasterStats,
    splats: Vec<Splat>,
    tile_offsets: Vec<usize>,
    tile_gauss: Vec<u32>,
    final_t: Vec<f32>,
    n_contrib: Vec<u32>,
}

/// Gradients of the loss with respect to every input of [`forward`].
#[derive(Clone, Debug, PartialEq)]
pub struct Grads {
    pub means: Vec<[f32; 3]>,
    pub log_scales: Vec<[f32; 3]>,
    pub quats: Vec<[f32; 4]>,
    pub opacity_logits: Vec<f32>,
    pub sh: Vec<f32>,
    /// dL/d(projected pixel mean), for densification.
    pub means2d: Vec<[f32; 2]>,
    /// Only the rigid 3×4 part is non-zero.
    pub viewmat: [[f32; 4]; 4],
    /// (fx, fy, cx, cy).
    pub intrinsics: [f32; 4],
    pub background: [f32; 3],
}

/// (k, h0, h1) of [`Splat::span`] for the conic as the tile loops use it (f32): for fixed dy the form
/// a·dx² + 2b·dx·dy + c·dy² is at most q for dx ∈ −(b/a)·dy ± √(q/a − (ac − b²)/a²·dy²). q is q₀ plus 1 % and
/// 0.05: far above the f32 rounding of the α test (a few ulp of exp and of the form) and of the spans themselves,
/// so no pixel the α test would keep falls outside.
fn row_span(conic: [f32; 3], q0: f64) -> [f32; 3] {
    let [a, b, c] = conic.map(f64::from);
    let q = q0 * 1.01 + 0.05;
    [(b / a) as f32, (q / a) as f32, ((a * c - b * b) / (a * a)) as f32]
}

/// Project one Gaussian into a [`Splat`]; `None` if culled or it reaches no pixel centre.
fn make_splat(p: &project::Projection, cam: &RasterCamera) -> Option<Splat> {
    // Slight inflation so f32 rounding at the α = 1/255 boundary never drops a pixel the α test would keep.
    let ex = p.extent.map(|e| e * EXTENT_SCALE + EXTENT_PAD);
    // Pixel j is inside when |j + 0.5 − μ| ≤ e.
    let lo = |m: f64, e: f64, n: u32| (m - e - 0.5).ceil().clamp(0.0, n as f64);
    let hi = |m: f64, e: f64, n: u32| (m + e - 0.5).floor().clamp(-1.0, n as f64 - 1.0);
    let (x0, x1) = (lo(p.mean2d[0], ex[0], cam.width), hi(p.mean2d[0], ex[0], cam.width));
    let (y0, y1) = (lo(p.mean2d[1], ex[1], cam.height), hi(p.mean2d[1], ex[1], cam.height));
    if x0 > x1 || y0 > y1 {
        return None;
    }
    Some(Splat {
        mean: p.mean2d.map(|v| v as f32),
        conic: p.conic.map(|v| v as f32),
        opacity: p.opacity as f32,
        color: p.color.map(|v| v as f32),
        depth: p.depth as f32,
        bbox: [x0 as u32, x1 as u32, y0 as u32, y1 as u32],
        span: row_span(p.conic.map(|v| v as f32), p.q0),
    })
}

/// Render `g` from `cam` over `background`. Panics if `g.validate()` fails (callers validate input once).
pub fn forward(g: &GaussianCloud, cam: &RasterCamera, background: [f32; 3]) -> (RenderImage, ForwardState) {
    debug_assert!(g.validate().is_ok(), "{:?}", g.validate());
    let camf = CameraF64::from(cam);
    let n = g.len();
    let projected: Vec<Option<(Splat, u32, f64)>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let p = project::project(g, i, &camf)?;
            make_splat(&p, cam).map(|s| (s, p.radius, p.depth))
        })
        .collect();
    let mut splats = vec![Splat::default(); n];
    let mut radii = vec![0u32; n];
    let mut means2d = vec![[0.0f32; 2]; n];
    let mut depths = vec![0.0f32; n];
    let mut visible = Vec::new();
    for (i, p) in projected.into_iter().enumerate() {
        if let Some((s, r, z)) = p {
            splats[i] = s;
            radii[i] = r;
            means2d[i] = s.mean;
            depths[i] = s.depth;
            visible.push((z, i as u32));
        }
    }
    let n_visible = visible.len();
    let (tiles_x, tiles_y) = cam.tile_grid();
    let bins = bin::bin(&splats, visible, tiles_x, tiles_y);

    let (w, h) = (cam.width as usize, cam.height as usize);
    let n_tiles = (tiles_x * tiles_y) as usize;
    let ctx = |t: usize| TileCtx::new(t, cam, &bins.offsets, &bins.gauss, &splats);
    let tiles: Vec<Box<TileOut>> = (0..n_tiles)
        .into_par_iter()
        .map(|t| {
            let mut out = Box::new(TileOut {
                color: [[0.0; TP]; 3],
                depth: [0.0; TP],
                final_t: [1.0; TP],
                n_contrib: [0; TP],
                pairs: 0,
            });
            raster::raster_tile(&ctx(t), &mut out);
            out
        })
        .collect();

    let mut img = RenderImage {
        width: cam.width,
        height: cam.height,
        color: vec![0.0; w * h * 3],
        alpha: vec![0.0; w * h],
        depth: vec![0.0; w * h],
    };
    let mut final_t = vec![1.0f32; w * h];
    let mut n_contrib = vec![0u32; w * h];
    let mut pairs = 0;
    for (t, out) in tiles.iter().enumerate() {
        pairs += out.pairs;
        let ctx = ctx(t);
        for p in 0..TP {
            let Some(pix) = ctx.pixel(p) else { continue };
            let tf = out.final_t[p];
            for c in 0..3 {
                img.color[pix * 3 + c] = out.color[c][p] + tf * background[c];
            }
            img.alpha[pix] = 1.0 - tf;
            img.depth[pix] = out.depth[p];
            final_t[pix] = tf;
            n_contrib[pix] = out.n_contrib[p];
        }
    }
    let stats = RasterStats { visible: n_visible, intersections: bins.gauss.len(), pairs_evaluated: pairs };
    let state = ForwardState {
        radii,
        means2d,
        depths,
        stats,
        splats,
        tile_offsets: bins.offsets,
        tile_gauss: bins.gauss,
        final_t,
        n_contrib,
    };
    (img, state)
}

/// The upstream gradient of one [`RenderImage`]: dL/d(color, alpha, depth), same layouts.
#[derive(Clone, Copy, Debug)]
pub struct ImageGrads<'a> {
    pub color: &'a [f32],
    pub alpha: &'a [f32],
    pub depth: &'a [f32],
}

/// Gradients of L given its gradient `up` with respect to the image of the pass that produced `state` from the
/// same `g`, `cam` and `background`.
pub fn backward(
    g: &GaussianCloud,
    cam: &RasterCamera,
    background: [f32; 3],
    state: &ForwardState,
    up: ImageGrads,
) -> Grads {
    let ImageGrads { color: d_color, alpha: d_alpha, depth: d_depth } = up;
    let n = g.len();
    let (w, h) = (cam.width as usize, cam.height as usize);
    assert_eq!(d_color.len(), w * h * 3, "d_color must be H×W×3");
    assert_eq!(d_alpha.len(), w * h, "d_alpha must be H×W");
    assert_eq!(d_depth.len(), w * h, "d_depth must be H×W");
    assert_eq!(state.radii.len(), n, "forward state is for another cloud");
    let (tiles_x, tiles_y) = cam.tile_grid();
    let n_tiles = (tiles_x * tiles_y) as usize;

    // Per-entry gradients, one disjoint slice per tile.
    let mut entry_grads: Vec<EntryGrad> = vec![[0.0; 10]; state.tile_gauss.len()];
    let mut slices: Vec<&mut [EntryGrad]> = Vec::with_capacity(n_tiles);
    let mut rest = entry_grads.as_mut_slice();
    for t in 0..n_tiles {
        let (head, tail) = rest.split_at_mut(state.tile_offsets[t + 1] - state.tile_offsets[t]);
        slices.push(head);
        rest = tail;
    }
    slices.into_par_iter().enumerate().for_each(|(t, out)| {
        let ctx = TileCtx::new(t, cam, &state.tile_offsets, &state.tile_gauss, &state.splats);
        let mut inp = Box::new(TileBwdIn {
            final_t: [1.0; TP],
            n_contrib: [0; TP],
            d_color: [[0.0; TP]; 3],
            d_alpha: [0.0; TP],
            d_depth: [0.0; TP],
        });
        for p in 0..TP {
            if let Some(pix) = ctx.pixel(p) {
                inp.final_t[p] = state.final_t[pix];
                inp.n_contrib[p] = state.n_contrib[pix];
                for c in 0..3 {
                    inp.d_color[c][p] = d_color[pix * 3 + c];
                }
                inp.d_alpha[p] = d_alpha[pix];
                inp.d_depth[p] = d_depth[pix];
            }
        }
        raster_bwd::tile_bwd(&ctx, background, &inp, out);
    });

    // Reduce per Gaussian in tile order (fixed), in f64.
    let mut per_gauss = vec![ProjectedGrad::default(); n];
    for (&gi, e) in state.tile_gauss.iter().zip(&entry_grads) {
        let pg = &mut per_gauss[gi as usize];
        pg.mean2d[0] += e[0] as f64;
        pg.mean2d[1] += e[1] as f64;
        for k in 0..3 {
            pg.conic[k] += e[2 + k] as f64;
            pg.color[k] += e[6 + k] as f64;
        }
        pg.opacity += e[5] as f64;
        pg.depth += e[9] as f64;
    }

    let mut d_bg = [0.0f64; 3];
    for pix in 0..w * h {
        for c in 0..3 {
            d_bg[c] += d_color[pix * 3 + c] as f64 * state.final_t[pix] as f64;
        }
    }

    // Projection VJP per Gaussian; camera gradients summed over fixed chunks, then in chunk order.
    let camf = CameraF64::from(cam);
    let k3 = GaussianCloud::num_sh_coeffs(g.sh_degree) * 3;
    let mut grads = Grads {
        means: vec![[0.0; 3]; n],
        log_scales: vec![[0.0; 3]; n],
        quats: vec![[0.0; 4]; n],
        opacity_logits: vec![0.0; n],
        sh: vec![0.0; n * k3],
        means2d: per_gauss.iter().map(|p| p.mean2d.map(|v| v as f32)).collect(),
        viewmat: [[0.0; 4]; 4],
        intrinsics: [0.0; 4],
        background: d_bg.map(|v| v as f32),
    };
    const CHUNK: usize = 1024;
    let cam_parts: Vec<CameraGrad> = grads
        .means
        .par_chunks_mut(CHUNK)
        .zip(grads.log_scales.par_chunks_mut(CHUNK))
        .zip(grads.quats.par_chunks_mut(CHUNK))
        .zip(grads.opacity_logits.par_chunks_mut(CHUNK))
        .zip(grads.sh.par_chunks_mut(CHUNK * k3.max(1)))
        .enumerate()
        .map(|(chunk, ((((dm, ds), dq), dop), dsh))| {
            let mut dcam = CameraGrad::default();
            for local in 0..dm.len() {
                let i = chunk * CHUNK + local;
                if state.radii[i] == 0 {
                    continue;
                }
                let Some(p) = project::project(g, i, &camf) else { continue };
                let sinks = VjpSinks { sh: &mut dsh[local * k3..(local + 1) * k3], cam: &mut dcam };
                let pg = project::project_vjp(g, i, &camf, &p, &per_gauss[i], sinks);
                dm[local] = pg.mean.map(|v| v as f32);
                ds[local] = pg.log_scale.map(|v| v as f32);
                dq[local] = pg.quat.map(|v| v as f32);
                dop[local] = pg.opacity_logit as f32;
            }
            dcam
        })
        .collect();
    let mut dcam = CameraGrad::default();
    for part in &cam_parts {
        dcam.add(part);
    }
    for i in 0..3 {
        for j in 0..3 {
            grads.viewmat[i][j] = dcam.w[i][j] as f32;
        }
        grads.viewmat[i][3] = dcam.tau[i] as f32;
    }
    grads.intrinsics = dcam.intrinsics.map(|v| v as f32);
    grads
}
