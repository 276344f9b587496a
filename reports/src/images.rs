//! Images in the page, under a byte budget: each image is embedded as a data URI until the embedded bytes reach
//! [`EMBED_BUDGET`], and after that it is an `<img loading="lazy">` of a capped-size JPEG thumbnail written beside
//! the report ([`crate::thumbs`]), with the original (the bench's PNG or GIF under `images/<id>/`,
//! harness/bench/src/store.rs) in `data-full` for the lightbox. So a bench of many runs still gives a page that
//! opens quickly and whose lazily loaded files are small.

use crate::thumbs::{jpeg, thumbnail};
use maud::{Markup, html};
use std::path::{Path, PathBuf};

/// Bytes of embedded images (as base64, what the page carries) per report, whatever the number of runs.
pub const EMBED_BUDGET: usize = 1_000_000;

/// Where images come from and how many bytes of them the page has embedded so far.
pub struct Images {
    dir: PathBuf,
    embed_all: bool,
    embedded: usize,
    linked: usize,
}

impl Images {
    /// Images named relative to `dir` (the bench directory); `embed_all` lifts the budget.
    pub fn new(dir: &Path, embed_all: bool) -> Images {
        Images { dir: dir.to_path_buf(), embed_all, embedded: 0, linked: 0 }
    }

    /// `<img>` of the file `rel` (relative to the bench directory): embedded while the budget lasts, else lazy;
    /// a missing file shows its name instead of breaking the page.
    pub fn img(&mut self, rel: &str, alt: &str) -> Markup {
        self.imgs(&[(rel, alt)]).remove(0)
    }

    /// The `<img>`s of `(rel, alt)` pairs that belong together (one comparison): all embedded or all lazy, so
    /// that they keep one natural size (a thumbnail may be smaller than its original).
    pub fn imgs(&mut self, items: &[(&str, &str)]) -> Vec<Markup> {
        let files: Vec<Option<Vec<u8>>> = items.iter().map(|(rel, _)| std::fs::read(self.dir.join(rel)).ok()).collect();
        let size: usize = files.iter().flatten().map(|b| b.len().div_ceil(3) * 4).sum();
        let embed = self.embed_all || self.embedded + size <= EMBED_BUDGET;
        if embed {
            self.embedded += size;
        }
        items
            .iter()
            .zip(files)
            .map(|(&(rel, alt), bytes)| match bytes {
                None => html! { em { "missing " (rel) } },
                Some(bytes) if embed => {
                    html! { img src={ "data:" (mime(Path::new(rel))) ";base64," (base64(&bytes)) } alt=(alt); }
                }
                Some(_) => {
                    self.linked += 1;
                    match thumbnail(&self.dir, rel) {
                        Some(thumb) => html! { img loading="lazy" src=(thumb) data-full=(rel) alt=(alt); },
                        None => html! { img loading="lazy" src=(rel) alt=(alt); },
                    }
                }
            })
            .collect()
    }

    /// A thumbnail of the file `rel` (the gallery's small test views): the capped-size JPEG of [`crate::thumbs`]
    /// whether it is embedded or loaded lazily, the original one click away; the original itself where it makes
    /// no thumbnail (an SVG), or where every image is embedded (a page that must work without the files beside
    /// it has no original to click through to).
    pub fn thumb(&mut self, rel: &str, alt: &str) -> Markup {
        let Some(bytes) = jpeg(&self.dir, rel).filter(|_| !self.embed_all) else { return self.img(rel, alt) };
        let size = bytes.len().div_ceil(3) * 4;
        if self.embedded + size <= EMBED_BUDGET {
            self.embedded += size;
            html! { img src={ "data:image/jpeg;base64," (base64(&bytes)) } data-full=(rel) alt=(alt); }
        } else {
            self.imgs(&[(rel, alt)]).remove(0)
        }
    }

    /// A figure: the image with its caption (markup, so a caption can hold a metrics line).
    pub fn figure(&mut self, rel: &str, alt: &str, caption: Markup) -> Markup {
        html! { figure { (self.img(rel, alt)) figcaption { (caption) } } }
    }

    /// Images that did not fit the budget and load from their files (thumbnails where the image is raster).
    pub fn linked(&self) -> usize {
        self.linked
    }
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "image/png",
    }
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn images_embed_until_the_budget_then_load_lazily() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.png"), vec![7u8; EMBED_BUDGET / 2]).unwrap();
        let mut images = Images::new(dir.path(), false);
        let first = images.img("a.png", "a").into_string();
        let second = images.img("a.png", "a").into_string();
        assert!(first.starts_with("<img src=\"data:image/png;base64,"), "{}", &first[..40]);
        assert_eq!(second, "<img loading=\"lazy\" src=\"a.png\" alt=\"a\">");
        assert_eq!(images.linked(), 1);
        assert_eq!(
            Images::new(dir.path(), false).img("no<such>.png", "x").into_string(),
            "<em>missing no&lt;such&gt;.png</em>"
        );
        // A decodable image past the budget loads as its thumbnail, the original one click away. (Noise, so that
        // its PNG does not fit the rest of the budget either.)
        let noise = image::RgbImage::from_fn(300, 300, |x, y| {
            let n = (x * 7919 + y * 104_729).wrapping_mul(2_654_435_761) >> 8;
            image::Rgb([n as u8, (n >> 8) as u8, (n >> 16) as u8])
        });
        noise.save(dir.path().join("b.png")).unwrap();
        let lazy = images.img("b.png", "b").into_string();
        assert_eq!(lazy, "<img loading=\"lazy\" src=\"thumbs/b.jpg\" data-full=\"b.png\" alt=\"b\">");
        // A group goes all one way: the tiny image that would still fit does not embed while its partner is lazy.
        image::RgbImage::new(4, 4).save(dir.path().join("c.png")).unwrap();
        assert!(images.img("c.png", "c").into_string().contains("base64"));
        let pair = images.imgs(&[("b.png", "b"), ("c.png", "c")]);
        assert!(pair.iter().all(|m| m.0.contains("loading=\"lazy\"")), "{pair:?}");
        // A gallery thumbnail embeds as its JPEG while the budget lasts.
        let t = Images::new(dir.path(), false).thumb("b.png", "b").into_string();
        assert!(t.starts_with("<img src=\"data:image/jpeg;base64,") && t.ends_with("data-full=\"b.png\" alt=\"b\">"));
        let mut all = Images::new(dir.path(), true);
        assert!(all.thumb("b.png", "b").into_string().starts_with("<img src=\"data:image/png;base64,"));
        all.img("a.png", "a");
        assert!(all.img("a.png", "a").into_string().contains("base64"));
    }
}
