//! The document around the report's sections: inline style and script, the table of contents, and each section as
//! a collapsible `<details>` with an id the contents link to. Markup goes through maud's `html!`, which escapes
//! every interpolated string; only the style and script constants here enter as `PreEscaped`.

use crate::html::{kv_table, table};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::{BTreeMap, BTreeSet};

/// Laid out for a 1280 px window: the body is at most 1200 px, and anything that could be wider (tables, code,
/// charts) scrolls or shrinks inside its own box rather than widening the page.
const CSS: &str = "body{font-family:system-ui,sans-serif;margin:1em auto;max-width:1200px;padding:0 1em;color:#222}\
h1,h2,h3,h4,p,li,summary{overflow-wrap:anywhere}\
.scroll{overflow-x:auto;max-width:100%;margin:.5em 0 1.5em}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}\
th{background:#f3f3f3}td:first-child,th:first-child,td.l,th.l{text-align:left}td.l{white-space:normal;min-width:5em}\
table.kv td{text-align:left;white-space:normal}td.wrap{white-space:normal;text-align:left;min-width:16em}\
.better{color:#070;font-weight:600}.worse{color:#b00;font-weight:600}.ns{color:#777}.flag{color:#b00}\
details.section{border-top:1px solid #ddd;padding:.3em 0}details.section>summary{cursor:pointer}\
details.section>summary h2{display:inline;font-size:1.3em}\
nav.toc{background:#f7f7f7;padding:.5em 1em;margin:1em 0}nav.toc ul{margin:.2em 0}\
.verdict{padding:.5em 1em;margin:1em 0}.verdict.pass{background:#e8f5e9;border:1px solid #070}\
.verdict.fail{background:#fdecea;border:1px solid #b00}pre{overflow-x:auto;max-width:100%}\
.chart{max-width:100%;margin-bottom:1em}.chart svg{max-width:100%;height:auto;display:block}\
.legend button{font:12px sans-serif;margin:2px;border:1px solid #ccc;background:#fff;cursor:pointer}\
.legend button.off{opacity:.4;text-decoration:line-through}.legend i{display:inline-block;width:10px;height:10px;\
margin-right:4px}.grid{display:flex;gap:8px;flex-wrap:wrap;align-items:flex-start}figure{margin:0}\
figure img{image-rendering:pixelated;width:192px;border:1px solid #ccc;cursor:zoom-in}\
figcaption{font-size:12px;max-width:256px}.thumbs figure img{width:96px}\
.compare{margin-bottom:1.5em}.compare figure img,.compare .slider img{width:256px;height:256px;object-fit:contain}\
.slider{position:relative;display:inline-block;width:256px;height:256px;vertical-align:top;border:1px solid #ccc}\
.slider img{display:block;position:absolute;top:0;left:0;image-rendering:pixelated}\
.slider .top{position:absolute;top:0;left:0;width:50%;height:100%;overflow:hidden;border-right:1px solid #fff}\
.pick{font-size:12px;margin:.3em 0}.pick input{width:256px;display:block}\
.colorbar{font-size:12px;margin:.3em 0}.colorbar .ramp{width:256px;height:12px;border:1px solid #ccc;\
background:linear-gradient(to right,#000,#f00 33.3%,#ff0 66.7%,#fff)}\
.colorbar .ticks{width:256px;display:flex;justify-content:space-between}\
.bar{display:flex;height:12px;width:240px;background:#f3f3f3}.bar span{display:block;height:100%}\
#lightbox{display:none;position:fixed;inset:0;background:rgba(0,0,0,.8);align-items:center;justify-content:center;\
cursor:zoom-out}#lightbox img{max-width:90vw;max-height:90vh;min-width:50vh;image-rendering:pixelated}";

/// Sortable tables (click a header; numbers sort as numbers), click-to-enlarge images (a thumbnail enlarges to
/// its original, `data-full`), image sliders whose two
/// sides are picked from the comparison's images, chart series shown and hidden by their legend. Plain DOM
/// calls only, so the page stays self-contained and works offline.
const SCRIPT: &str = "(function(){\
document.querySelectorAll('table[data-sort]').forEach(function(t){\
t.querySelectorAll('thead th').forEach(function(th,i){th.title='click to sort';\
th.addEventListener('click',function(){var asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';\
var key=function(r){var s=r.cells[i]?r.cells[i].textContent:'';var v=parseFloat(s);return isNaN(v)?s:v;};\
var rows=Array.prototype.slice.call(t.tBodies[0].rows);rows.sort(function(a,b){var x=key(a),y=key(b);\
if(typeof x!==typeof y){return typeof x==='number'?-1:1;}return (x<y?-1:x>y?1:0)*(asc?1:-1);});\
rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});});\
document.querySelectorAll('.compare').forEach(function(c){var s=c.querySelector('.slider');if(!s){return;}\
var src=function(k){var i=c.querySelector('figure[data-key=\"'+k+'\"] img');return i?i.getAttribute('src'):null;};\
var sel=c.querySelectorAll('.pick select');var side=[s.querySelector('.top img'),s.querySelector(':scope>img')];\
var show=function(){[0,1].forEach(function(j){var v=src(sel[j].value);if(v){side[j].setAttribute('src',v);}});};\
sel.forEach(function(x){x.addEventListener('change',show);});show();\
c.querySelector('.pick input').addEventListener('input',function(e){\
s.querySelector('.top').style.width=e.target.value+'%';});});\
document.querySelectorAll('.legend button').forEach(function(b){b.addEventListener('click',function(){\
var off=b.classList.toggle('off');b.closest('.chart').querySelectorAll('svg [data-series=\"'+b.dataset.series+'\"]')\
.forEach(function(g){g.style.display=off?'none':'';});});});\
var box=document.getElementById('lightbox');\
document.addEventListener('click',function(e){var t=e.target;\
if(t.tagName==='IMG'&&t.closest('figure')){box.firstChild.src=t.dataset.full||t.src;box.style.display='flex';}\
else if(t.closest('#lightbox')){box.style.display='none';}});})();";

struct Section {
    id: String,
    title: String,
    open: bool,
    parts: Vec<Markup>,
    /// Sub-headings (id, title), listed under the section in the contents.
    subs: Vec<(String, String)>,
}

/// The report: what stands above the contents (verdict, scope), then the sections in order; [`Page::finish`]
/// wraps them in the document.
pub struct Page {
    title: String,
    top: Vec<Markup>,
    sections: Vec<Section>,
    ids: BTreeSet<String>,
}

/// `s` as an id: ASCII letters, digits and `-`, so it needs no escaping in an href; unique within the page.
fn slug(s: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while base.contains("--") {
        base = base.replace("--", "-");
    }
    let base = base.trim_matches('-').chars().take(60).collect::<String>();
    let base = if base.is_empty() { "s".to_string() } else { base };
    let mut id = base.clone();
    let mut n = 1;
    while taken.contains(&id) {
        n += 1;
        id = format!("{base}-{n}");
    }
    taken.insert(id.clone());
    id
}

impl Page {
    pub fn new(title: &str) -> Page {
        Page { title: title.to_string(), top: Vec::new(), sections: Vec::new(), ids: BTreeSet::new() }
    }

    /// Markup above the table of contents.
    pub fn top(&mut self, part: Markup) {
        self.top.push(part);
    }

    /// Start a section; what is pushed next goes into it. `open`: whether it starts unfolded.
    pub fn section(&mut self, title: &str, open: bool) {
        let id = slug(title, &mut self.ids);
        self.sections.push(Section { id, title: title.into(), open, parts: Vec::new(), subs: Vec::new() });
    }

    pub fn push(&mut self, part: Markup) {
        if self.sections.is_empty() {
            self.section("Report", true);
        }
        self.sections.last_mut().expect("a section").parts.push(part);
    }

    /// A sub-heading with an id, listed in the contents under its section.
    pub fn h3(&mut self, s: &str) {
        let id = slug(s, &mut self.ids);
        self.push(html! { h3 id=(id) { (s) } });
        self.sections.last_mut().expect("a section").subs.push((id, s.to_string()));
    }

    pub fn h4(&mut self, s: &str) {
        self.push(html! { h4 { (s) } });
    }

    pub fn para(&mut self, s: &str) {
        self.push(html! { p { (s) } });
    }

    pub fn table(&mut self, head: &[&str], rows: &[Vec<Markup>], class: &str) {
        self.push(table(head, rows, class));
    }

    pub fn kv_table(&mut self, kv: &BTreeMap<String, String>) {
        self.push(kv_table(kv));
    }

    pub fn finish(self) -> String {
        // One section per line keeps the file readable in a diff; the browser ignores the newlines.
        let page = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (self.title) }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    "\n" h1 { (self.title) } "\n"
                    @for part in &self.top { (part) "\n" }
                    nav.toc {
                        strong { "Contents" }
                        ul {
                            @for s in &self.sections {
                                li {
                                    a href={ "#" (s.id) } { (s.title) }
                                    @if !s.subs.is_empty() {
                                        ul { @for (id, t) in &s.subs { li { a href={ "#" (id) } { (t) } } } }
                                    }
                                }
                            }
                        }
                    }
                    "\n"
                    @for s in &self.sections {
                        details.section id=(s.id) open[s.open] {
                            summary { h2 { (s.title) } }
                            "\n"
                            @for part in &s.parts { (part) "\n" }
                        }
                        "\n"
                    }
                    div #lightbox { img alt="enlarged"; }
                    script { (PreEscaped(SCRIPT)) }
                }
            }
        };
        page.into_string() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_and_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(slug("Ablation: m on gen:toy", &mut taken), "ablation-m-on-gen-toy");
        assert_eq!(slug("Ablation: m on gen:toy", &mut taken), "ablation-m-on-gen-toy-2");
        assert_eq!(slug("</script>", &mut taken), "script");
        assert_eq!(slug("€", &mut taken), "s");
    }
}
