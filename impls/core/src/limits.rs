//! The sizes any input may ask for, checked before anything is allocated for it, so that no file — corrupt,
//! hostile or merely mistaken — can exhaust the machine's memory. Each loader compares what a header, count or
//! camera declares against these limits, and where a file says how many records follow, also against the bytes
//! that actually follow.
//!
//! | limit | value | why this value |
//! |---|---|---|
//! | [`MAX_IMAGE_SIDE`] | 16 384 px | larger than any camera in the datasets the bench reads (lego 800, COLMAP ≤ 6 000) |
//! | [`MAX_IMAGE_PIXELS`] | 2²⁵ ≈ 33.5 Mpx | an 8K frame; as f32 RGBA that is 512 MiB, a quarter of what a 2-core CI box can spare |
//! | [`MAX_GAUSSIANS`] | 2²⁴ ≈ 16.8 M | 3× the largest INRIA scenes; a degree-3 cloud of that size is ≈ 4 GiB as f32 |
//!
//! Images, masks, depth maps, dataset cameras and `render` cameras all go through [`check_image_size`]; PLY vertex
//! counts through [`check_gaussians`]. `.npy` arrays and COLMAP binary counts are bounded by the bytes present.

/// Longest side of any image, mask, depth map or camera, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 16_384;
/// Most pixels of any image, mask, depth map or camera.
pub const MAX_IMAGE_PIXELS: u64 = 1 << 25;
/// Most Gaussians (PLY vertices) a cloud may hold.
pub const MAX_GAUSSIANS: usize = 1 << 24;

/// Refuse an image size that is empty or beyond [`MAX_IMAGE_SIDE`] / [`MAX_IMAGE_PIXELS`]; the message names both.
pub fn check_image_size(width: u64, height: u64) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err(format!("image size {width}×{height} is empty"));
    }
    let side = u64::from(MAX_IMAGE_SIDE);
    if width > side || height > side || width.saturating_mul(height) > MAX_IMAGE_PIXELS {
        return Err(format!(
            "image size {width}×{height} exceeds the limit ({MAX_IMAGE_SIDE} px a side, {MAX_IMAGE_PIXELS} px in all)"
        ));
    }
    Ok(())
}

/// Refuse a Gaussian count beyond [`MAX_GAUSSIANS`].
pub fn check_gaussians(n: usize) -> Result<(), String> {
    if n > MAX_GAUSSIANS {
        return Err(format!("{n} Gaussians exceed the limit of {MAX_GAUSSIANS}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_at_and_past_the_limits() {
        assert!(check_image_size(800, 800).is_ok());
        assert!(check_image_size(8192, 4096).is_ok());
        assert!(check_image_size(0, 10).unwrap_err().contains("empty"));
        assert!(check_image_size(16_385, 1).unwrap_err().contains("exceeds"));
        assert!(check_image_size(16_384, 16_384).unwrap_err().contains("exceeds"));
        assert!(check_image_size(u64::MAX, u64::MAX).is_err());
        assert!(check_gaussians(MAX_GAUSSIANS).is_ok());
        assert!(check_gaussians(MAX_GAUSSIANS + 1).is_err());
    }
}
