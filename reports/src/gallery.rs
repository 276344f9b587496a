//! Images: every run's test views as thumbnails (the evenly spaced embedded ones; the others as links), the
//! method's own figures, and for each ablation the same views side by side across variants with a before/after
//! slider (baseline under variant) and each variant's error map.

use crate::html::{Page, esc};
use crate::ok;
use crate::stats::Group;
use splatbench_core::{ImageTriple, RunRecord};
use std::collections::BTreeMap;
use std::path::Path;

/// Views per ablation shown side by side (the page stays a few MB).
const COMPARED_VIEWS: usize = 3;

pub fn thumbnails(page: &mut Page, records: &[RunRecord], dir: &Path) {
    let with: Vec<_> = ok(records).filter(|r| !r.images.is_empty() || !r.artifacts.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Test views (click to enlarge)");
    for r in with {
        page.h3(&r.id);
        page.raw("<div class=\"grid thumbs\">");
        for t in &r.images {
            page.figure(&dir.join(&t.pred), &t.view);
        }
        page.raw("</div>");
        if !r.renders.is_empty() {
            let links: Vec<String> =
                r.renders.iter().map(|p| format!("<a href=\"{}\">{}</a>", esc(p), esc(file_stem(p)))).collect();
            page.raw(&format!(
                "<details><summary>{} more test views (files)</summary><p>{}</p></details>",
                r.renders.len(),
                links.join(" ")
            ));
        }
        if let Some(t) = r.images.first() {
            page.raw("<div class=\"grid\">");
            for (cap, rel) in [("prediction", &t.pred), ("ground truth", &t.gt), ("|error|", &t.error)] {
                page.figure(&dir.join(rel), &format!("{} — {cap}", t.view));
            }
            page.raw("</div>");
        }
        let figures: Vec<_> =
            r.artifacts.iter().filter(|(p, _)| [".png", ".gif", ".svg"].iter().any(|e| p.ends_with(e))).collect();
        if !figures.is_empty() {
            page.raw("<div class=\"grid\">");
            for (rel, cap) in figures {
                page.figure(&dir.join(rel), cap);
            }
            page.raw("</div>");
        }
    }
}

fn file_stem(p: &str) -> &str {
    Path::new(p).file_stem().and_then(|s| s.to_str()).unwrap_or(p)
}

/// Per (method, dataset, backend) with a baseline: the first seed's runs, the first views, baseline | variant.
pub fn compare_variants(page: &mut Page, records: &[RunRecord], dir: &Path) {
    let groups =
        Group::by(ok(records), |r| (r.spec.method.clone(), r.spec.dataset.clone(), r.spec.backend.name().to_string()));
    let mut started = false;
    for ((method, dataset, backend), runs) in groups {
        let Some(seed) = runs.iter().filter(|r| r.spec.variant == "baseline").map(|r| r.spec.seed).min() else {
            continue;
        };
        let of_seed: BTreeMap<&str, &RunRecord> =
            runs.iter().filter(|r| r.spec.seed == seed).map(|r| (r.spec.variant.as_str(), *r)).collect();
        let (Some(base), true) = (of_seed.get("baseline"), of_seed.len() > 1) else { continue };
        if !started {
            page.h2("Variants side by side (slider: baseline under the variant; error maps below)");
            started = true;
        }
        page.h3(&format!("{method} on {dataset} ({backend}), seed {seed}"));
        for bt in base.images.iter().take(COMPARED_VIEWS) {
            page.raw(&format!("<p>view {}</p><div>", esc(&bt.view)));
            let variants: Vec<(&str, &ImageTriple)> = of_seed
                .iter()
                .filter(|(v, _)| **v != "baseline")
                .filter_map(|(v, r)| Some((*v, r.images.iter().find(|t| t.view == bt.view)?)))
                .collect();
            for (v, t) in &variants {
                page.slider((&dir.join(&bt.pred), "baseline"), (&dir.join(&t.pred), v));
            }
            page.raw("</div><div class=\"grid\">");
            page.figure(&dir.join(&bt.gt), "ground truth");
            page.figure(&dir.join(&bt.error), "baseline |error|");
            for (v, t) in &variants {
                page.figure(&dir.join(&t.error), &format!("{v} |error|"));
            }
            page.raw("</div>");
        }
    }
}
