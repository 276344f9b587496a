//! Thumbnails of the images past the embedding budget: a JPEG of at most [`THUMB_SIDE`] pixels a side, written
//! beside the report under `thumbs/` (mirroring the image's own path), so that an image the page loads lazily
//! costs a few kB instead of the bench's full-size PNG or GIF. The page links the original from the thumbnail
//! (the lightbox shows it on click), which loads nothing until then.

use image::{DynamicImage, RgbImage};
use std::path::{Component, Path};

/// Longest side of a thumbnail: the gallery shows images 96 px wide and enlarged figures 192 px, so 128 px keeps a
/// thumbnail sharp at the gallery's size without paying for the full image.
pub const THUMB_SIDE: u32 = 128;

/// JPEG quality: below about 75 the 8×8 blocks show on the small, flat-coloured renders of the toy scenes.
const QUALITY: u8 = 80;

/// The thumbnail of `dir/rel` as JPEG bytes. `None` when `rel` is not a raster image the `image` crate decodes
/// (an SVG, a damaged file) or leaves `dir`: the page then shows the original.
pub fn jpeg(dir: &Path, rel: &str) -> Option<Vec<u8>> {
    let inside = Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)));
    if !inside || rel.ends_with(".svg") {
        return None;
    }
    // A GIF decodes to its first frame: the still stands for the animation, which the click shows.
    let img = image::open(dir.join(rel)).ok()?;
    let img =
        if img.width() > THUMB_SIDE || img.height() > THUMB_SIDE { img.thumbnail(THUMB_SIDE, THUMB_SIDE) } else { img };
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, QUALITY).encode_image(&on_white(&img)).ok()?;
    Some(bytes)
}

/// The thumbnail of `dir/rel` written to `dir/thumbs/<rel>.jpg`; its path relative to `dir`, or `None` as for
/// [`jpeg`] or when it cannot be written.
pub fn thumbnail(dir: &Path, rel: &str) -> Option<String> {
    let bytes = jpeg(dir, rel)?;
    let out_rel = format!("thumbs/{}", Path::new(rel).with_extension("jpg").to_str()?);
    let out = dir.join(&out_rel);
    std::fs::create_dir_all(out.parent()?).ok()?;
    std::fs::write(&out, bytes).ok()?;
    Some(out_rel)
}

/// JPEG has no alpha: transparent parts go onto white, as the page's background shows them.
fn on_white(img: &DynamicImage) -> RgbImage {
    let rgba = img.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = p[3] as u32;
        image::Rgb([0, 1, 2].map(|c| ((p[c] as u32 * a + 255 * (255 - a) + 127) / 255) as u8))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_are_capped_jpegs_beside_the_report() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("images/r")).unwrap();
        let big = image::RgbaImage::from_fn(400, 200, |x, y| image::Rgba([x as u8, y as u8, 90, 255]));
        big.save(dir.path().join("images/r/v_pred.png")).unwrap();
        let rel = thumbnail(dir.path(), "images/r/v_pred.png").expect("a thumbnail");
        assert_eq!(rel, "thumbs/images/r/v_pred.jpg");
        let t = image::open(dir.path().join(&rel)).unwrap();
        assert_eq!((t.width(), t.height()), (128, 64), "capped, aspect kept");
        // Small images keep their size, so the images of one comparison stay alike.
        image::RgbImage::new(64, 48).save(dir.path().join("images/r/s.png")).unwrap();
        let t = image::open(dir.path().join(thumbnail(dir.path(), "images/r/s.png").unwrap())).unwrap();
        assert_eq!((t.width(), t.height()), (64, 48));
        assert_eq!(thumbnail(dir.path(), "../escape.png"), None);
        assert_eq!(thumbnail(dir.path(), "images/r/figure.svg"), None);
        std::fs::write(dir.path().join("images/r/bad.png"), b"not a png").unwrap();
        assert_eq!(thumbnail(dir.path(), "images/r/bad.png"), None);
        assert_eq!(on_white(&DynamicImage::ImageRgba8(image::RgbaImage::new(1, 1))).get_pixel(0, 0).0, [255; 3]);
    }
}
