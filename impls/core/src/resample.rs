//! The one area downscaler: an exact fractional box filter.
//!
//! Output pixel (ox, oy) of a `w × h` image made from a `W × H` one covers the source rectangle
//! `[ox·W/w, (ox+1)·W/w) × [oy·H/h, (oy+1)·H/h)`; its value is the mean of the source pixels weighted by the area
//! each one shares with that rectangle (fractional at the edges). The mean of the image is therefore preserved
//! exactly, and integer factors reduce to the plain k×k mean. Accumulation is in f64. A camera follows with
//! [`Camera::scaled_to`](crate::Camera::scaled_to), which scales the intrinsics about the pixel grid, so a pixel
//! centre keeps its ray. Images are never upscaled here.

use crate::{DepthMap, Image, Mask};

/// The output size for at most `max_side` pixels on the longer side (aspect kept, at least 1 px); `None` keeps the
/// size, and an image already small enough is never upscaled.
pub fn fit_within(width: u32, height: u32, max_side: Option<u32>) -> (u32, u32) {
    match max_side {
        Some(m) if width.max(height) > m => {
            let s = m as f64 / width.max(height) as f64;
            (((width as f64 * s).round() as u32).max(1), ((height as f64 * s).round() as u32).max(1))
        }
        _ => (width, height),
    }
}

/// Area-average `src` (any channel count) to `w × h` (see the module docs).
pub fn area_downscale(src: &Image, w: u32, h: u32) -> Image {
    if (w, h) == (src.width, src.height) {
        return src.clone();
    }
    let (sx, sy) = (src.width as f64 / w as f64, src.height as f64 / h as f64);
    let ch = src.channels as usize;
    let mut out = Image::new(w, h, src.channels);
    let mut acc = vec![0.0f64; ch];
    for oy in 0..h {
        let (y0, y1) = (oy as f64 * sy, (oy + 1) as f64 * sy);
        for ox in 0..w {
            let (x0, x1) = (ox as f64 * sx, (ox + 1) as f64 * sx);
            acc.iter_mut().for_each(|a| *a = 0.0);
            let mut total = 0.0;
            for iy in y0.floor() as u32..(y1.ceil() as u32).min(src.height) {
                let wy = (y1.min(iy as f64 + 1.0) - y0.max(iy as f64)).max(0.0);
                for ix in x0.floor() as u32..(x1.ceil() as u32).min(src.width) {
                    let wgt = wy * (x1.min(ix as f64 + 1.0) - x0.max(ix as f64)).max(0.0);
                    total += wgt;
                    for (c, a) in acc.iter_mut().enumerate() {
                        *a += wgt * src.get(ix, iy, c as u32) as f64;
                    }
                }
            }
            let base = ((oy * w + ox) as usize) * ch;
            for c in 0..ch {
                out.data[base + c] = (acc[c] / total) as f32;
            }
        }
    }
    out
}

/// A soft mask through [`area_downscale`].
pub fn downscale_mask(m: &Mask, w: u32, h: u32) -> Mask {
    let img = Image { width: m.width, height: m.height, channels: 1, data: m.data.clone() };
    Mask { width: w, height: h, data: area_downscale(&img, w, h).data }
}

/// A depth map averaged over its *known* pixels only (finite and > 0), weighted by area; an output pixel with no
/// known source pixel is unknown (NaN).
pub fn downscale_depth(d: &DepthMap, w: u32, h: u32) -> DepthMap {
    if (w, h) == (d.width, d.height) {
        return d.clone();
    }
    // Two channels: depth·known and known, so one box pass gives both sums.
    let known = |v: f32| v.is_finite() && v > 0.0;
    let mut data = Vec::with_capacity(d.data.len() * 2);
    for &v in &d.data {
        let k = known(v);
        data.push(if k { v } else { 0.0 });
        data.push(if k { 1.0 } else { 0.0 });
    }
    let two = area_downscale(&Image { width: d.width, height: d.height, channels: 2, data }, w, h);
    let data = two.data.chunks_exact(2).map(|p| if p[1] > 0.0 { p[0] / p[1] } else { f32::NAN }).collect();
    DepthMap { width: w, height: h, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: supersample every source pixel on an n×n grid of sub-pixel points and give each point to the
    /// output pixel whose footprint contains it; exact for factors whose footprints fall on the sub-grid.
    fn brute_force(src: &Image, w: u32, h: u32, n: u32) -> Vec<f64> {
        let ch = src.channels as usize;
        let mut sum = vec![0.0f64; (w * h) as usize * ch];
        let mut cnt = vec![0.0f64; (w * h) as usize];
        for y in 0..src.height * n {
            for x in 0..src.width * n {
                let (px, py) = ((x as f64 + 0.5) / n as f64, (y as f64 + 0.5) / n as f64);
                let ox = ((px * w as f64 / src.width as f64) as u32).min(w - 1);
                let oy = ((py * h as f64 / src.height as f64) as u32).min(h - 1);
                let o = (oy * w + ox) as usize;
                cnt[o] += 1.0;
                for c in 0..ch {
                    sum[o * ch + c] += src.get(x / n, y / n, c as u32) as f64;
                }
            }
        }
        sum.iter().enumerate().map(|(i, s)| s / cnt[i / ch]).collect()
    }

    #[test]
    fn equals_brute_force_at_non_integer_factors() {
        let src = Image::from_fn(10, 7, 3, |x, y, c| ((x * 13 + y * 7 + c * 5) % 11) as f32 / 10.0);
        // 10→4 (2.5×), 7→3 (7/3×), 10→3, 7→2: footprints on a sub-grid of 12 (lcm-friendly for these factors).
        for (w, h) in [(4, 3), (3, 2), (5, 7), (10, 7)] {
            let fast = area_downscale(&src, w, h);
            let slow = brute_force(&src, w, h, 12);
            for (a, b) in fast.data.iter().zip(&slow) {
                assert!((*a as f64 - b).abs() < 1e-6, "{w}x{h}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn sizes_keep_the_aspect_and_never_upscale() {
        assert_eq!(fit_within(320, 240, Some(64)), (64, 48));
        assert_eq!(fit_within(32, 24, Some(64)), (32, 24));
        assert_eq!(fit_within(100, 1, Some(10)), (10, 1));
        assert_eq!(fit_within(320, 240, None), (320, 240));
        assert_eq!(fit_within(256, 128, Some(64)), (64, 32));
    }

    #[test]
    fn depth_averages_known_pixels_only() {
        let d = DepthMap { width: 2, height: 2, data: vec![2.0, f32::NAN, 4.0, 0.0] };
        let small = downscale_depth(&d, 1, 1);
        assert_eq!(small.data, vec![3.0]);
        let none = downscale_depth(&DepthMap { width: 2, height: 1, data: vec![f32::NAN, -1.0] }, 1, 1);
        assert!(none.data[0].is_nan());
    }
}
