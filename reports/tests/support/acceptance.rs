//! The acceptance checks of the report (issue #37) on a written `report.html`, as Chromium shows it at 1280 px:
//! run on the smoke bench's real report by `harness/app/tests/bench.rs` and on the fixture of
//! `reports/tests/chromium.rs`. The including test crate must also include `chromium.rs` as `mod chromium`.
//!
//! The browser-side measurements come from `probe.js`; what can be read off the file (its weight) is read here.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// The most a report may weigh: its own bytes and every file it loads when opened.
pub const MAX_WEIGHT: u64 = 1_500_000;

/// Columns that hold counts (seeds, pairs, steps, per-run integer statistics of the methods): no cell of theirs may
/// read like `2.0` or `1.5`.
const COUNT_COLUMNS: [&str; 21] = [
    "seeds",
    "pairs",
    "objects",
    "steps",
    "seed",
    "gaussians",
    "init_gaussians",
    "roi_gaussians",
    "parameters",
    "lpips_memo_hits",
    "lpips_network_pairs",
    "resumed_from_step",
    "rounds",
    "strokes",
    "strokes_placed",
    "strokes_pruned",
    "train_views",
    "roi_views",
    "target_views",
    "train_height",
    "network_samples_per_ray",
];

/// Bytes of `page` plus every distinct file it references with `src=` (images, scripts) or a `<link href=`:
/// embedded `data:` images are already in the page's bytes, and images below the fold count as if loaded, since
/// scrolling loads them. Links a reader has to click (`<a href>`) load nothing on open.
pub fn weight(page: &Path) -> (u64, Vec<String>) {
    let html = std::fs::read_to_string(page).expect("read the report");
    let dir = page.parent().expect("the report's folder");
    let mut files = BTreeSet::new();
    let attrs =
        html.split(" src=\"").skip(1).chain(html.split("<link ").skip(1).filter_map(|l| l.split(" href=\"").nth(1)));
    for rest in attrs {
        let value = rest[..rest.find('"').expect("a closing quote")].replace("&amp;", "&");
        if !value.starts_with("data:") && !value.starts_with('#') {
            files.insert(value);
        }
    }
    let mut total = html.len() as u64;
    for f in &files {
        assert!(!f.contains("://"), "the report loads {f} from elsewhere");
        total += std::fs::metadata(dir.join(f)).unwrap_or_else(|e| panic!("{f}, referenced by the report: {e}")).len();
    }
    (total, files.into_iter().collect())
}

/// Asserts the acceptance criteria that hold for every report on `page`, whose runs are `run_ids`, and returns the
/// probe's measurements for the caller's own checks (`compares`, `verdict`, …; see `probe.js`).
pub fn check(page: &Path, run_ids: &[String]) -> Value {
    let (p, console) = crate::chromium::probe(page, include_str!("probe.js"));
    assert!(console.is_empty(), "console messages: {console:?}");
    assert!(p.get("error").is_none(), "the probe failed: {}", p["error"]);
    let int = |v: &Value| v.as_u64().expect("a number");
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    // No horizontal overflow at 1280 px, with every section unfolded.
    let (width, client) = (int(&p["width_open"]), int(&p["client_width"]));
    assert!(width <= client, "the page is {width} px wide in a {client} px window; sticking out: {}", p["too_wide"]);
    // Charts: three distinct y tick labels, a run id on hover, a legend that hides and shows each series.
    let charts = list(&p["charts"]);
    assert!(!charts.is_empty(), "no chart");
    for c in &charts {
        let label = &c["label"];
        let ticks: Vec<String> = list(&c["yticks"]).iter().map(|t| t.as_str().unwrap_or("").to_string()).collect();
        let distinct: BTreeSet<&String> = ticks.iter().filter(|t| !t.is_empty()).collect();
        assert!(distinct.len() >= 3 && distinct.len() == ticks.len(), "{label}: y ticks {ticks:?}");
        let points = list(&c["points"]);
        assert!(!points.is_empty(), "{label}: no point");
        for t in &points {
            let t = t.as_str().unwrap_or("");
            assert!(run_ids.iter().any(|id| t.contains(id.as_str())), "{label}: a point's title names no run: {t:?}");
        }
        let legend = list(&c["legend"]);
        assert!(!legend.is_empty(), "{label}: no legend");
        for e in &legend {
            assert!(int(&e["drawn"]) > 0, "{label}: legend entry {e} draws nothing");
            assert!(e["hidden_by_click"] == true && e["shown_again"] == true, "{label}: legend entry {e}");
        }
    }
    // The contents link to ids that exist.
    let toc = list(&p["toc"]);
    assert!(toc.len() >= 3, "contents: {toc:?}");
    for a in &toc {
        assert!(a["resolves"] == true, "contents link {} resolves to nothing", a["href"]);
    }
    // Every image loads, and the images of one comparison share one natural size.
    assert!(list(&p["broken"]).is_empty(), "images that do not load: {}", p["broken"]);
    for cmp in list(&p["compares"]) {
        let sizes: BTreeSet<(u64, u64)> = list(&cmp["images"]).iter().map(|i| (int(&i["w"]), int(&i["h"]))).collect();
        assert!(sizes.len() == 1 && !sizes.contains(&(0, 0)), "{}: image sizes {sizes:?}", cmp["entry"]);
    }
    // Count cells are integers.
    let mut counts = 0;
    for t in list(&p["tables"]).iter().filter(|t| int(&t["head_rows"]) == 1) {
        let head = list(&t["head"]);
        for (j, h) in head.iter().enumerate().filter(|(_, h)| COUNT_COLUMNS.contains(&h.as_str().unwrap_or(""))) {
            for row in list(&t["rows"]) {
                let cell = row[j].as_str().unwrap_or("");
                counts += 1;
                assert!(!cell.as_bytes().windows(2).any(|w| w[0] == b'.' && w[1].is_ascii_digit()), "{h}: {cell}");
            }
        }
    }
    assert!(counts > 0, "no count column found");
    let (bytes, files) = weight(page);
    assert!(bytes <= MAX_WEIGHT, "the report weighs {bytes} bytes with the {} files it loads: {files:?}", files.len());
    p
}
