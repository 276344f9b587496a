//! RGB planes in f64 (alpha dropped) and the shape checks every metric shares.

use splatbench_core::{Image, Mask};

/// Panics unless `a` and `b` have the same size and channel count and at least the three RGB channels.
pub(crate) fn assert_same_shape(a: &Image, b: &Image) {
    assert!(
        a.width == b.width && a.height == b.height && a.channels == b.channels,
        "metric inputs differ in shape: {}x{}x{} vs {}x{}x{}",
        a.width,
        a.height,
        a.channels,
        b.width,
        b.height,
        b.channels
    );
    assert!(a.channels >= 3, "metrics need RGB or RGBA images, got {} channels", a.channels);
}

pub(crate) fn assert_mask_fits(img: &Image, mask: &Mask) {
    assert!(
        mask.width == img.width && mask.height == img.height,
        "mask {}x{} does not match image {}x{}",
        mask.width,
        mask.height,
        img.width,
        img.height
    );
}

/// The R, G and B channels as separate row-major H×W planes in f64.
pub(crate) fn rgb_planes(img: &Image) -> [Vec<f64>; 3] {
    let stride = img.channels as usize;
    std::array::from_fn(|c| img.data.chunks_exact(stride).map(|px| px[c] as f64).collect())
}
