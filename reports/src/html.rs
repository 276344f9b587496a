//! Minimal HTML page builder: escaped text, tables, figures as data URIs.

use std::collections::BTreeMap;
use std::path::Path;

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.better{color:#070;font-weight:600}\
.worse{color:#b00;font-weight:600}.grid{display:flex;gap:8px;flex-wrap:wrap}figure{margin:0}\
figure img{image-rendering:pixelated;width:192px;border:1px solid #ccc;cursor:zoom-in}figcaption{font-size:12px}\
.thumbs figure img{width:96px}table[data-sort] th{cursor:pointer}\
.slider{position:relative;display:inline-block;width:256px;margin:0 8px 8px 0;vertical-align:top}\
.slider img{width:256px;display:block;image-rendering:pixelated}\
.slider .top{position:absolute;top:0;left:0;width:50%;overflow:hidden}.slider .top img{max-width:none}\
.slider input{width:256px}.slider p{font-size:12px;margin:0}\
#lightbox{display:none;position:fixed;inset:0;background:rgba(0,0,0,.8);align-items:center;justify-content:center;\
cursor:zoom-out}#lightbox img{max-width:90vw;max-height:90vh;min-width:50vh;image-rendering:pixelated}";

/// Sortable tables (click a header; numbers sort as numbers), click-to-enlarge images, before/after sliders.
/// Plain DOM calls only, so the page stays self-contained and works offline.
const SCRIPT: &str = "(function(){\
document.querySelectorAll('table[data-sort]').forEach(function(t){\
t.querySelectorAll('thead th').forEach(function(th,i){th.title='click to sort';\
th.addEventListener('click',function(){var asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';\
var key=function(r){var s=r.cells[i]?r.cells[i].textContent:'';var v=parseFloat(s);return isNaN(v)?s:v;};\
var rows=Array.prototype.slice.call(t.tBodies[0].rows);rows.sort(function(a,b){var x=key(a),y=key(b);\
if(typeof x!==typeof y){return typeof x==='number'?-1:1;}return (x<y?-1:x>y?1:0)*(asc?1:-1);});\
rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});});\
document.querySelectorAll('.slider input').forEach(function(r){r.addEventListener('input',function(){\
r.parentNode.querySelector('.top').style.width=r.value+'%';});});\
var box=document.getElementById('lightbox');\
document.addEventListener('click',function(e){var t=e.target;\
if(t.tagName==='IMG'&&t.closest('figure')){box.firstChild.src=t.src;box.style.display='flex';}\
else if(t.closest('#lightbox')){box.style.display='none';}});})();";

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
    /// Cells are HTML already (callers escape text). Every table sorts by a click on its header.
    pub fn table(&mut self, head: &[&str], rows: &[Vec<String>], class: &str) {
        self.out += &format!("<table class=\"{class}\" data-sort><thead><tr>");
        for h in head {
            self.out += &format!("<th>{}</th>", esc(h));
        }
        self.out += "</tr></thead><tbody>\n";
        for r in rows {
            self.out += "<tr>";
            for c in r {
                self.out += &format!("<td>{c}</td>");
            }
            self.out += "</tr>\n";
        }
        self.out += "</tbody></table>\n";
    }
    pub fn kv_table(&mut self, kv: &BTreeMap<String, String>) {
        let rows: Vec<Vec<String>> = kv.iter().map(|(k, v)| vec![esc(k), esc(v)]).collect();
        self.table(&["", ""], &rows, "kv");
    }
    /// An image embedded as a data URI; a missing file shows its name instead of breaking the page.
    pub fn figure(&mut self, path: &Path, caption: &str) {
        self.out += &format!("<figure>{}<figcaption>{}</figcaption></figure>", img(path, caption), esc(caption));
    }
    /// A before/after slider: `after` drawn over `before`, revealed up to the slider's position.
    pub fn slider(&mut self, before: (&Path, &str), after: (&Path, &str)) {
        self.out += &format!(
            "<div class=\"slider\">{}<div class=\"top\">{}</div><input type=\"range\" min=\"0\" max=\"100\" \
             value=\"50\" aria-label=\"before/after\"><p>left: {}, right: {}</p></div>",
            img(before.0, before.1),
            img(after.0, after.1),
            esc(after.1),
            esc(before.1)
        );
    }
    pub fn finish(mut self) -> String {
        self.out +=
            &format!("<div id=\"lightbox\"><img alt=\"enlarged\"></div><script>{SCRIPT}</script></body></html>\n");
        self.out
    }
}

/// `<img>` with the file as a data URI, or the missing path in its place.
fn img(path: &Path, alt: &str) -> String {
    let mime = match path.extension().and_then(|e| e.to_str()) {
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        _ => "image/png",
    };
    match std::fs::read(path) {
        Ok(bytes) => format!("<img src=\"data:{mime};base64,{}\" alt=\"{}\">", base64(&bytes), esc(alt)),
        Err(_) => format!("<em>missing {}</em>", esc(&path.display().to_string())),
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
