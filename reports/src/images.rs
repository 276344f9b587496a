//! Images in the page, under a byte budget: each image is embedded as a data URI until the embedded bytes reach
//! [`EMBED_BUDGET`], and after that it is an `<img loading="lazy">` pointing at its file, so a bench of many runs
//! still gives a page that opens quickly. The bench writes `report.html` into the results directory beside
//! `images/<id>/` (harness/bench/src/store.rs), so a record's relative image path is already the file beside the
//! report that the lazy `<img>` loads; nothing has to be copied.

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
        let path = self.dir.join(rel);
        let Ok(bytes) = std::fs::read(&path) else {
            return html! { em { "missing " (rel) } };
        };
        let size = bytes.len().div_ceil(3) * 4;
        if self.embed_all || self.embedded + size <= EMBED_BUDGET {
            self.embedded += size;
            html! { img src={ "data:" (mime(&path)) ";base64," (base64(&bytes)) } alt=(alt); }
        } else {
            self.linked += 1;
            html! { img loading="lazy" src=(rel) alt=(alt); }
        }
    }

    /// A figure: the image with its caption (markup, so a caption can hold a metrics line).
    pub fn figure(&mut self, rel: &str, alt: &str, caption: Markup) -> Markup {
        html! { figure { (self.img(rel, alt)) figcaption { (caption) } } }
    }

    /// Images that did not fit the budget and load from their files.
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
        let mut all = Images::new(dir.path(), true);
        all.img("a.png", "a");
        assert!(all.img("a.png", "a").into_string().contains("base64"));
    }
}
