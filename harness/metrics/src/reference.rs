//! Trivial references the bench scores beside every method, so that a run's PSNR / SSIM / LPIPS come with the
//! numbers of a prediction that knows nothing about the scene's geometry.

use splatbench_core::{Image, View};

pub const MEAN_COLOUR_DESCRIPTION: &str =
    "every pixel the mean RGB of the training images, inside their mask or alpha where they have one";

/// Mean RGB of `views`, each pixel weighted by the view's mask, else its alpha, else 1: the object's colour where
/// the data says where the object is (a mean over the background too would mostly measure the background).
pub fn mean_colour(views: &[View]) -> [f32; 3] {
    let mut acc = [0.0f64; 3];
    let mut total = 0.0f64;
    for v in views {
        let weights = v.mask.clone().or_else(|| v.image.alpha());
        let ch = v.image.channels as usize;
        for (i, p) in v.image.data.chunks(ch).enumerate() {
            let w = weights.as_ref().map_or(1.0, |m| m.data[i] as f64);
            for c in 0..3 {
                acc[c] += w * p[c] as f64;
            }
            total += w;
        }
    }
    if total <= 0.0 {
        // Empty masks everywhere: no object to take the colour of, so mid-grey rather than a division by zero.
        return [0.5; 3];
    }
    acc.map(|a| (a / total) as f32)
}

/// A `width` × `height` RGB image of one colour.
pub fn filled(rgb: [f32; 3], width: u32, height: u32) -> Image {
    Image::from_fn(width, height, 3, |_, _, c| rgb[c as usize])
}

/// The mean-colour reference for a test view of `width` × `height` when the method was given `train`.
pub fn mean_colour_image(train: &[View], width: u32, height: u32) -> Image {
    filled(mean_colour(train), width, height)
}

#[cfg(test)]
mod tests {
    use super::*;
    use splatbench_core::{Camera, Mask};

    fn view(image: Image, mask: Option<Mask>) -> View {
        let camera = Camera {
            width: image.width,
            height: image.height,
            fx: 1.0,
            fy: 1.0,
            cx: 0.0,
            cy: 0.0,
            world_to_camera: [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
            distortion: None,
        };
        View { name: "v".into(), camera, image, mask, depth: None }
    }

    #[test]
    fn mean_colour_weights_by_mask_then_alpha_then_uniformly() {
        // left pixel red and opaque, right pixel blue and transparent
        let rgba = Image { width: 2, height: 1, channels: 4, data: vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0] };
        assert_eq!(mean_colour(&[view(rgba.clone(), None)]), [1.0, 0.0, 0.0]);
        let right = Mask { width: 2, height: 1, data: vec![0.0, 1.0] };
        assert_eq!(mean_colour(&[view(rgba, Some(right))]), [0.0, 0.0, 1.0]);
        let rgb = Image { width: 2, height: 1, channels: 3, data: vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0] };
        assert_eq!(mean_colour(&[view(rgb.clone(), None)]), [0.5, 0.0, 0.5]);
        let img = mean_colour_image(&[view(rgb, None)], 3, 2);
        assert_eq!((img.width, img.height, img.channels), (3, 2, 3));
        assert!(img.data.chunks(3).all(|p| p == [0.5, 0.0, 0.5]));
    }
}
