//! Training views prepared for the loss: downscaled, composited on the background, as tensors.
//!
//! Downscaling is an area average (box filter over each output pixel's footprint, fractional at the edges) and the
//! camera follows with `Camera::scaled_to`, which scales the intrinsics about the pixel grid — so a pixel centre
//! keeps its ray. Images with alpha are composited on the scene background (straight alpha, `rgb·a + bg·(1 − a)`)
//! *before* averaging, which is the same as averaging premultiplied colour and alpha.

use burn::tensor::{Device, Tensor, TensorData};
use splatbench_core::{Camera, Image, Mask, View};

/// A training view ready for the GPU/CPU loss.
pub struct TrainView {
    pub name: String,
    /// Dataset camera at the training resolution (its pose is replaced by the learnable one).
    pub camera: Camera,
    /// Target RGB on the background, [H, W, 3].
    pub target: Tensor<3>,
    /// Soft mask [H, W] where the data has one.
    pub mask: Option<Tensor<2>>,
    /// Host copy of the mask, for the visual-hull initialisation.
    pub mask_host: Option<Mask>,
    pub target_host: Image,
}

/// The output size for `max_side` (0 keeps the size); never upscales.
pub fn target_size(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if max_side == 0 || long <= max_side {
        return (width, height);
    }
    let s = max_side as f64 / long as f64;
    (((width as f64 * s).round() as u32).max(1), ((height as f64 * s).round() as u32).max(1))
}

/// Area-average `src` (any channel count) to `w` × `h`.
pub fn area_downscale(src: &Image, w: u32, h: u32) -> Image {
    if (w, h) == (src.width, src.height) {
        return src.clone();
    }
    let (sx, sy) = (src.width as f64 / w as f64, src.height as f64 / h as f64);
    let ch = src.channels as usize;
    let mut out = Image::new(w, h, src.channels);
    for oy in 0..h {
        let (y0, y1) = (oy as f64 * sy, (oy + 1) as f64 * sy);
        for ox in 0..w {
            let (x0, x1) = (ox as f64 * sx, (ox + 1) as f64 * sx);
            let mut acc = vec![0.0f64; ch];
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

fn mask_as_image(m: &Mask) -> Image {
    Image { width: m.width, height: m.height, channels: 1, data: m.data.clone() }
}

/// Prepare `view` at most `max_side` pixels on its longer side, composited on `background`.
pub fn prepare(view: &View, max_side: u32, background: [f32; 3], device: &Device) -> TrainView {
    let (w, h) = target_size(view.image.width, view.image.height, max_side);
    let rgb = area_downscale(&view.image.to_rgb_over(background), w, h);
    // The loader fills `mask` from alpha; fall back to alpha for views built by hand.
    let mask_host = view.mask.clone().or_else(|| view.image.alpha()).map(|m| Mask {
        width: w,
        height: h,
        data: area_downscale(&mask_as_image(&m), w, h).data,
    });
    let target = Tensor::<3>::from_data(TensorData::new(rgb.data.clone(), [h as usize, w as usize, 3]), device);
    let mask = mask_host
        .as_ref()
        .map(|m| Tensor::<2>::from_data(TensorData::new(m.data.clone(), [h as usize, w as usize]), device));
    TrainView {
        name: view.name.clone(),
        camera: view.camera.scaled_to(w, h),
        target,
        mask,
        mask_host,
        target_host: rgb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_average_preserves_mean_and_handles_fractional_footprints() {
        let src = Image::from_fn(10, 6, 3, |x, y, c| (x * 7 + y * 3 + c) as f32 / 100.0);
        let mean = |im: &Image| im.data.iter().map(|&v| v as f64).sum::<f64>() / im.data.len() as f64;
        for (w, h) in [(5, 3), (4, 3), (3, 2)] {
            let out = area_downscale(&src, w, h);
            assert!((mean(&out) - mean(&src)).abs() < 1e-5, "{w}x{h}");
        }
        let half = area_downscale(&src, 5, 3);
        let want: f32 = [(0, 0), (1, 0), (0, 1), (1, 1)].iter().map(|&(x, y)| src.get(x, y, 1)).sum::<f32>() / 4.0;
        assert!((half.get(0, 0, 1) - want).abs() < 1e-6);
        assert_eq!(target_size(256, 128, 64), (64, 32));
        assert_eq!(target_size(32, 32, 64), (32, 32));
    }
}
