//! Minimal HTML page builder: escaped text, tables, figures as data URIs.

use std::collections::BTreeMap;
use std::path::Path;

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.better{color:#070;font-weight:600}\
.worse{color:#b00;font-weight:600}.grid{display:flex;gap:8px;flex-wrap:wrap}figure{margin:0}\
figure img{image-rendering:pixelated;width:192px;border:1px solid #ccc}figcaption{font-size:12px}";

pub struct Page {
    out: String,
}

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl Page {
    pub fn new(title: &str) -> Page {
        let t = esc(title);
        Page {
            out: format!(
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{CSS}</style></head><body>\n<h1>{t}</h1>\n"
            ),
        }
    }
    pub fn h2(&mut self, s: &str) {
        self.out += &format!("<h2>{}</h2>\n", esc(s));
    }
    pub fn h3(&mut self, s: &str) {
        self.out += &format!("<h3>{}</h3>\n", esc(s));
    }
    pub fn para(&mut self, s: &str) {
        self.out += &format!("<p>{}</p>\n", esc(s));
    }
    pub fn raw(&mut self, s: &str) {
        self.out += s;
    }
    /// Cells are HTML already (callers escape text).
    pub fn table(&mut self, head: &[&str], rows: &[Vec<String>], class: &str) {
        self.out += &format!("<table class=\"{class}\"><tr>");
        for h in head {
            self.out += &format!("<th>{}</th>", esc(h));
        }
        self.out += "</tr>\n";
        for r in rows {
            self.out += "<tr>";
            for c in r {
                self.out += &format!("<td>{c}</td>");
            }
            self.out += "</tr>\n";
        }
        self.out += "</table>\n";
    }
    pub fn kv_table(&mut self, kv: &BTreeMap<String, String>) {
        let rows: Vec<Vec<String>> = kv.iter().map(|(k, v)| vec![esc(k), esc(v)]).collect();
        self.table(&["", ""], &rows, "kv");
    }
    /// An image embedded as a data URI; a missing file shows its name instead of breaking the page.
    pub fn figure(&mut self, path: &Path, caption: &str) {
        let mime = match path.extension().and_then(|e| e.to_str()) {
            Some("gif") => "image/gif",
            Some("svg") => "image/svg+xml",
            _ => "image/png",
        };
        let img = match std::fs::read(path) {
            Ok(bytes) => format!("<img src=\"data:{mime};base64,{}\" alt=\"{}\">", base64(&bytes), esc(caption)),
            Err(_) => format!("<em>missing {}</em>", esc(&path.display().to_string())),
        };
        self.out += &format!("<figure>{img}<figcaption>{}</figcaption></figure>", esc(caption));
    }
    pub fn finish(mut self) -> String {
        self.out += "</body></html>\n";
        self.out
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
            assert_eq!(super::base64(i.as_bytes()), o);
        }
        assert_eq!(super::esc("<a&\"b\">"), "&lt;a&amp;&quot;b&quot;&gt;");
    }
}
