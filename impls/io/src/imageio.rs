//! Reading and writing images as [`Image`] (f32 in [0, 1]); 16-bit PNGs keep their precision.
//!
//! Every image and mask goes through [`decode`], which refuses before decoding a size beyond
//! [`limits::check_image_size`] and, after it, a compressed stream that ends early. Decoders differ there: the PNG
//! decoder errors on a cut-off file, but the JPEG decoder fills the missing rows with grey and succeeds, and a GIF
//! cut after its last frame decodes whole; so the end of the stream is checked here, the same for every format.

use crate::atomic::write_atomic;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageEncoder, ImageFormat, ImageReader, Limits};
use splatbench_core::error::IoContext;
use splatbench_core::limits::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, check_image_size};
use splatbench_core::{Error, Image, Result};
use std::io::Cursor;
use std::path::Path;

/// Decode a PNG/JPEG into RGB or RGBA (grey is expanded to RGB, grey+alpha to RGBA).
pub fn read_image(path: &Path) -> Result<Image> {
    let bytes = std::fs::read(path).at(path)?;
    let img = decode(path, &bytes, "image")?;
    let (width, height) = (img.width(), img.height());
    let has_alpha = img.color().has_alpha();
    let (channels, data): (u32, Vec<f32>) =
        if has_alpha { (4, img.to_rgba32f().into_raw()) } else { (3, img.to_rgb32f().into_raw()) };
    Ok(Image { width, height, channels, data })
}

/// Decode the bytes of an image file (`what` names it in messages: "image", "mask"), within the size limits and
/// only when the stream is whole.
pub fn decode(path: &Path, bytes: &[u8], what: &str) -> Result<DynamicImage> {
    let bad = |e: &dyn std::fmt::Display| Error::input(path, format!("cannot decode {what}: {e}"));
    let reader = || ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| bad(&e));
    let format = reader()?.format().ok_or_else(|| bad(&"not a PNG, JPEG or GIF file"))?;
    ends_whole(format, bytes).map_err(|msg| Error::input(path, format!("{what} is truncated: {msg}")))?;
    let (w, h) = reader()?.into_dimensions().map_err(|e| bad(&e))?;
    check_image_size(w.into(), h.into()).map_err(|msg| Error::input(path, format!("{what}: {msg}")))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    // 16-bit RGBA is the widest pixel a decoder produces: 8 bytes.
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 8);
    let mut reader = reader()?;
    reader.limits(limits);
    reader.decode().map_err(|e| bad(&e))
}

/// Whether a compressed stream of `format` reaches its end marker: JPEG's EOI after the last start-of-scan (an
/// EXIF thumbnail has its own EOI earlier, and 0xFF inside entropy-coded data is always followed by 0x00, so an
/// EOI after the last SOS is the main image's), PNG's IEND chunk with its CRC, GIF's trailer byte.
fn ends_whole(format: ImageFormat, bytes: &[u8]) -> std::result::Result<(), &'static str> {
    let find_last = |pat: &[u8]| bytes.windows(pat.len()).rposition(|w| w == pat);
    match format {
        ImageFormat::Jpeg => {
            let sos = find_last(&[0xFF, 0xDA]).ok_or("no start-of-scan marker")?;
            bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9]).then_some(()).ok_or("no end-of-image marker")
        }
        // The IEND chunk type and its 4-byte CRC: the decoder itself does not read that far.
        ImageFormat::Png => {
            find_last(b"IEND").filter(|&p| p + 8 <= bytes.len()).map(|_| ()).ok_or("no complete IEND chunk")
        }
        ImageFormat::Gif => (bytes.last() == Some(&0x3B)).then_some(()).ok_or("no GIF trailer"),
        _ => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(format: ImageFormat) -> Vec<u8> {
        let img = image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([(x * 7) as u8, (y * 9) as u8, 128]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img).write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn whole_files_decode_and_cut_off_ones_are_refused_in_every_format() {
        let path = Path::new("x");
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Gif] {
            let bytes = encoded(format);
            assert_eq!(decode(path, &bytes, "image").unwrap().width(), 32, "{format:?}");
            for keep in [bytes.len() - 1, bytes.len() * 2 / 3, bytes.len() / 3] {
                let msg = decode(path, &bytes[..keep], "image").unwrap_err().report();
                assert!(msg.starts_with("x: "), "{format:?} cut at {keep}: {msg}");
            }
        }
    }

    #[test]
    fn a_header_asking_for_a_huge_image_is_refused_before_decoding() {
        let mut bytes = encoded(ImageFormat::Jpeg);
        // Baseline SOF0: FF C0, length (2), precision (1), height (2, big-endian), width (2). No checksum guards it.
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
        let msg = decode(Path::new("x"), &bytes, "mask").unwrap_err().report();
        assert!(msg.contains("exceeds the limit"), "{msg}");
    }
}
