//! Mean SSIM and its gradient on host `f32` values (module docs of [`super`] for the maths). Images are `[H, W, C]`
//! row-major; the filter runs on `[C, H, W]` planes ([`crate::blur::host::blur_planes`]).

use crate::blur::host::blur_planes;
use crate::blur::taps_f32;
use crate::ssim::{C1, C2};

/// What the backward needs from the forward: both images as planes and the five filtered maps.
pub struct SsimMaps {
    pub h: usize,
    pub w: usize,
    pub c: usize,
    /// `[2C, H, W]`: the planes of x, then of y.
    pub xy: Vec<f32>,
    /// `[5C, H, W]`: G∗x, G∗y, G∗x², G∗y², G∗xy, each C planes.
    pub filtered: Vec<f32>,
}

/// Per-element SSIM terms from the five filtered values (module docs).
struct Terms {
    a: f32,
    b: f32,
    cd: f32,
    s: f32,
    inv_c: f32,
    inv_d: f32,
}

#[inline]
fn terms(mx: f32, my: f32, exx: f32, eyy: f32, exy: f32) -> Terms {
    let (c1, c2) = (C1 as f32, C2 as f32);
    let a = 2.0 * mx * my + c1;
    let b = 2.0 * (exy - mx * my) + c2;
    let c = mx * mx + my * my + c1;
    let d = (exx - mx * mx) + (eyy - my * my) + c2;
    let cd = c * d;
    Terms { a, b, cd, s: a * b / cd, inv_c: 1.0 / c, inv_d: 1.0 / d }
}

/// `[H, W, C]` → `[C, H, W]` appended to `out`.
fn push_planes(src: &[f32], c: usize, out: &mut Vec<f32>) {
    for ch in 0..c {
        out.extend(src.iter().skip(ch).step_by(c));
    }
}

/// Mean SSIM of `x` and `y` (`[H, W, C]`, same shape) and the maps its gradient needs.
///
/// # Panics
/// If the lengths differ from `h · w · c`.
pub fn forward(x: &[f32], y: &[f32], h: usize, w: usize, c: usize) -> (f64, SsimMaps) {
    let n = h * w * c;
    assert!(x.len() == n && y.len() == n, "ssim: images must both hold {h}×{w}×{c} values");
    let mut xy = Vec::with_capacity(2 * n);
    push_planes(x, c, &mut xy);
    push_planes(y, c, &mut xy);
    let mut stack = Vec::with_capacity(5 * n);
    stack.extend_from_slice(&xy);
    let (px, py) = xy.split_at(n);
    stack.extend(px.iter().map(|v| v * v));
    stack.extend(py.iter().map(|v| v * v));
    stack.extend(px.iter().zip(py).map(|(a, b)| a * b));
    let filtered = blur_planes(&stack, h, w, &taps_f32());
    let f = |k: usize| &filtered[k * n..(k + 1) * n];
    let (mx, my, exx, eyy, exy) = (f(0), f(1), f(2), f(3), f(4));
    let total = splatbench_core::reduce::ordered_sum(n, |i| terms(mx[i], my[i], exx[i], eyy[i], exy[i]).s as f64);
    let mean = if n == 0 { 1.0 } else { total / n as f64 };
    (mean, SsimMaps { h, w, c, xy, filtered })
}

/// Gradients of `upstream · mean SSIM` with respect to x and y (`[H, W, C]`), each only when asked for.
pub fn backward(m: &SsimMaps, upstream: f32, want_x: bool, want_y: bool) -> (Option<Vec<f32>>, Option<Vec<f32>>) {
    let n = m.h * m.w * m.c;
    if n == 0 || !(want_x || want_y) {
        return (want_x.then(|| vec![0.0; n]), want_y.then(|| vec![0.0; n]));
    }
    let k = upstream / n as f32;
    let f = |j: usize| &m.filtered[j * n..(j + 1) * n];
    let (mx, my, exx, eyy, exy) = (f(0), f(1), f(2), f(3), f(4));
    // Partials of k·S by G∗xy (shared), then per image by its mean and by G∗(image²): [dxy, dmx, dexx, dmy, deyy].
    let parts = 1 + 2 * usize::from(want_x) + 2 * usize::from(want_y);
    let mut stack = vec![0.0f32; parts * n];
    {
        let (dxy, rest) = stack.split_at_mut(n);
        let (dx_parts, dy_parts) = rest.split_at_mut(if want_x { 2 * n } else { 0 });
        for i in 0..n {
            let t = terms(mx[i], my[i], exx[i], eyy[i], exy[i]);
            let mean_common = (t.b - t.a) / t.cd;
            let spread = t.s * (t.inv_c - t.inv_d);
            dxy[i] = k * 2.0 * t.a / t.cd;
            if want_x {
                dx_parts[i] = k * (2.0 * my[i] * mean_common - 2.0 * mx[i] * spread);
                dx_parts[n + i] = -k * t.s * t.inv_d;
            }
            if want_y {
                dy_parts[i] = k * (2.0 * mx[i] * mean_common - 2.0 * my[i] * spread);
                dy_parts[n + i] = -k * t.s * t.inv_d;
            }
        }
    }
    let g = blur_planes(&stack, m.h, m.w, &taps_f32());
    let (px, py) = m.xy.split_at(n);
    let gxy = &g[..n];
    let mut next = n;
    let mut grad = |own: &[f32], other: &[f32]| {
        let (gm, ge) = (&g[next..next + n], &g[next + n..next + 2 * n]);
        next += 2 * n;
        let planar: Vec<f32> = (0..n).map(|i| gm[i] + 2.0 * own[i] * ge[i] + other[i] * gxy[i]).collect();
        interleave(&planar, m.c)
    };
    let dx = want_x.then(|| grad(px, py));
    let dy = want_y.then(|| grad(py, px));
    (dx, dy)
}

/// `[C, H, W]` → `[H, W, C]`.
fn interleave(planar: &[f32], c: usize) -> Vec<f32> {
    let plane = planar.len() / c;
    let mut out = vec![0.0f32; planar.len()];
    for ch in 0..c {
        for (p, &v) in planar[ch * plane..(ch + 1) * plane].iter().enumerate() {
            out[p * c + ch] = v;
        }
    }
    out
}
