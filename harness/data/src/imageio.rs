//! Reading and writing images as [`Image`] (f32 in [0, 1]); 16-bit PNGs keep their precision.

use image::ImageEncoder;
use image::codecs::png::PngEncoder;
use splatbench_core::atomic::write_atomic;
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Image, Result};
use std::path::Path;

/// Decode a PNG/JPEG into RGB or RGBA (grey is expanded to RGB, grey+alpha to RGBA).
pub fn read_image(path: &Path) -> Result<Image> {
    let bytes = std::fs::read(path).at(path)?;
    let img = image::load_from_memory(&bytes).map_err(|e| Error::input(path, format!("cannot decode image: {e}")))?;
    let (width, height) = (img.width(), img.height());
    let has_alpha = img.color().has_alpha();
    let (channels, data): (u32, Vec<f32>) =
        if has_alpha { (4, img.to_rgba32f().into_raw()) } else { (3, img.to_rgb32f().into_raw()) };
    if width == 0 || height == 0 {
        return Err(Error::input(path, "image is empty (0 pixels)"));
    }
    Ok(Image { width, height, channels, data })
}

/// Encode as 8-bit PNG (values clamped to [0, 1] and rounded), written atomically.
pub fn write_png(path: &Path, img: &Image) -> Result<()> {
    let bytes: Vec<u8> = img.data.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect();
    let color = match img.channels {
        1 => image::ExtendedColorType::L8,
        3 => image::ExtendedColorType::Rgb8,
        4 => image::ExtendedColorType::Rgba8,
        c => return Err(Error::bug(format!("{}: cannot write a {c}-channel image as PNG", path.display()))),
    };
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&bytes, img.width, img.height, color)
        .map_err(|e| Error::internal(format!("encoding {} as PNG", path.display()), e))?;
    write_atomic(path, &png)
}
