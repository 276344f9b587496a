//! The document around the report's sections (inline style, lightbox, script) and the pieces sections share:
//! sortable tables, figures and before/after sliders with images as data URIs. Markup goes through maud's `html!`,
//! which escapes every interpolated string; only the style and script constants here and the charts of
//! [`crate::svg`] enter as `PreEscaped`.

use maud::{DOCTYPE, Markup, PreEscaped, Render, html};
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

/// The report's sections in order, each already markup; [`Page::finish`] wraps them in the document.
pub struct Page {
    title: String,
    body: Vec<Markup>,
}

/// Text as a table cell or a fragment; maud escapes it.
pub fn text(s: impl Render) -> Markup {
    html! { (s) }
}

impl Page {
    pub fn new(title: &str) -> Page {
        Page { title: title.to_string(), body: Vec::new() }
    }
    pub fn push(&mut self, part: Markup) {
        self.body.push(part);
    }
    pub fn h2(&mut self, s: &str) {
        self.push(html! { h2 { (s) } });
    }
    pub fn h3(&mut self, s: &str) {
        self.push(html! { h3 { (s) } });
    }
    pub fn para(&mut self, s: &str) {
        self.push(html! { p { (s) } });
    }
    pub fn table(&mut self, head: &[&str], rows: &[Vec<Markup>], class: &str) {
        self.push(table(head, rows, class));
    }
    pub fn kv_table(&mut self, kv: &BTreeMap<String, String>) {
        let rows: Vec<Vec<Markup>> = kv.iter().map(|(k, v)| vec![text(k), text(v)]).collect();
        self.table(&["", ""], &rows, "kv");
    }
    pub fn finish(self) -> String {
        // One section per line keeps the file readable in a diff; the browser ignores the newlines.
        let page = html! {
            (DOCTYPE)
            html lang="en" {
                head { meta charset="utf-8"; title { (self.title) } style { (PreEscaped(CSS)) } }
                body {
                    "\n" h1 { (self.title) } "\n"
                    @for part in &self.body { (part) "\n" }
                    div #lightbox { img alt="enlarged"; }
                    script { (PreEscaped(SCRIPT)) }
                }
            }
        };
        page.into_string() + "\n"
    }
}

/// Every table sorts by a click on its header (the script finds them by `data-sort`).
pub fn table(head: &[&str], rows: &[Vec<Markup>], class: &str) -> Markup {
    html! {
        table class=(class) data-sort {
            thead { tr { @for h in head { th { (h) } } } }
            tbody { @for r in rows { tr { @for c in r { td { (c) } } } } }
        }
    }
}

/// An image embedded as a data URI; a missing file shows its name instead of breaking the page.
pub fn figure(path: &Path, caption: &str) -> Markup {
    html! { figure { (img(path, caption)) figcaption { (caption) } } }
}

/// A before/after slider: `after` drawn over `before`, revealed up to the slider's position.
pub fn slider(before: (&Path, &str), after: (&Path, &str)) -> Markup {
    html! {
        div.slider {
            (img(before.0, before.1))
            div.top { (img(after.0, after.1)) }
            input type="range" min="0" max="100" value="50" aria-label="before/after";
            p { "left: " (after.1) ", right: " (before.1) }
        }
    }
}

/// `<img>` with the file as a data URI, or the missing path in its place.
fn img(path: &Path, alt: &str) -> Markup {
    let mime = match path.extension().and_then(|e| e.to_str()) {
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        _ => "image/png",
    };
    match std::fs::read(path) {
        Ok(bytes) => html! { img src={ "data:" (mime) ";base64," (base64(&bytes)) } alt=(alt); },
        Err(_) => html! { em { "missing " (path.display().to_string()) } },
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
    use std::path::Path;

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
    }

    #[test]
    fn text_is_escaped_by_the_markup() {
        let cell = super::text("<a&\"b\">").into_string();
        assert_eq!(cell, "&lt;a&amp;&quot;b&quot;&gt;");
        let fig = super::figure(Path::new("no/such<file>.png"), "x<y").into_string();
        assert_eq!(fig, "<figure><em>missing no/such&lt;file&gt;.png</em><figcaption>x&lt;y</figcaption></figure>");
    }
}
