//! Training views at the training resolution.
//!
//! Images larger than `max_image_side` are reduced by area averaging (each output pixel is the mean of the input
//! pixels whose centres fall in its footprint) and their cameras rescaled with [`Camera::scaled_to`], which keeps
//! the pixel-centre convention. RGBA images are composited over the scene background first.

use splatbench_core::{Camera, Error, Image, Result, View};

/// A training view ready for the loss: camera and RGB image at the training resolution.
#[derive(Clone, Debug)]
pub struct TrainView {
    pub name: String,
    pub camera: Camera,
    pub image: Image,
}

/// Training size for a `width × height` image under `max_side` (aspect kept, at least 1 px).
pub fn training_size(width: u32, height: u32, max_side: Option<u32>) -> (u32, u32) {
    match max_side {
        Some(m) if width.max(height) > m => {
            let s = m as f64 / width.max(height) as f64;
            (((width as f64 * s).round() as u32).max(1), ((height as f64 * s).round() as u32).max(1))
        }
        _ => (width, height),
    }
}

/// Checks a view (pinhole, RGB/RGBA, image size matches the camera) and brings it to the training resolution.
pub fn prepare_view(view: &View, background: [f32; 3], max_side: Option<u32>, method: &str) -> Result<TrainView> {
    view.camera.require_pinhole(method)?;
    view.camera.validate().map_err(|m| Error::input(&view.name, m))?;
    let img = &view.image;
    if img.channels != 3 && img.channels != 4 {
        return Err(Error::input(&view.name, format!("image has {} channels; expected RGB or RGBA", img.channels)));
    }
    if (img.width, img.height) != (view.camera.width, view.camera.height) {
        return Err(Error::input(
            &view.name,
            format!(
                "image is {}×{} but its camera is {}×{}",
                img.width, img.height, view.camera.width, view.camera.height
            ),
        ));
    }
    let rgb = img.to_rgb_over(background);
    let (w, h) = training_size(img.width, img.height, max_side);
    Ok(TrainView { name: view.name.clone(), camera: view.camera.scaled_to(w, h), image: downscale(&rgb, w, h) })
}

/// Area-average `img` to `width × height` (no-op at the same size).
pub fn downscale(img: &Image, width: u32, height: u32) -> Image {
    if (img.width, img.height) == (width, height) {
        return img.clone();
    }
    let (sx, sy) = (img.width as f64 / width as f64, img.height as f64 / height as f64);
    let range = |i: u32, s: f64, n: u32| {
        // Input pixels whose centre (k + 0.5) lies in [i·s, (i+1)·s); at least one.
        let lo = ((i as f64 * s - 0.5).ceil().max(0.0) as u32).min(n - 1);
        let hi = (((i + 1) as f64 * s - 0.5).ceil() as u32).clamp(lo + 1, n);
        lo..hi
    };
    let c = img.channels;
    let mut data = Vec::with_capacity((width * height * c) as usize);
    for y in 0..height {
        let ys = range(y, sy, img.height);
        for x in 0..width {
            let xs = range(x, sx, img.width);
            let count = (ys.len() * xs.len()) as f32;
            for ch in 0..c {
                let mut sum = 0.0f32;
                for yy in ys.clone() {
                    for xx in xs.clone() {
                        sum += img.get(xx, yy, ch);
                    }
                }
                data.push(sum / count);
            }
        }
    }
    Image { width, height, channels: c, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_keep_the_aspect() {
        assert_eq!(training_size(320, 240, Some(64)), (64, 48));
        assert_eq!(training_size(32, 24, Some(64)), (32, 24));
        assert_eq!(training_size(100, 1, Some(10)), (10, 1));
        assert_eq!(training_size(320, 240, None), (320, 240));
    }

    #[test]
    fn area_average_of_a_2x_reduction() {
        let img = Image::from_fn(4, 2, 1, |x, y, _| (x + 4 * y) as f32);
        let small = downscale(&img, 2, 1);
        assert_eq!(small.data, vec![(0.0 + 1.0 + 4.0 + 5.0) / 4.0, (2.0 + 3.0 + 6.0 + 7.0) / 4.0]);
        // Non-integer factors still cover every output pixel with at least one input pixel.
        let odd = downscale(&Image::from_fn(7, 5, 3, |_, _, c| c as f32), 3, 2);
        assert!(odd.data.chunks(3).all(|p| p == [0.0, 1.0, 2.0]));
    }
}
