//! Images: every run's test views as thumbnails (the evenly spaced embedded ones; the others as links), the
//! method's own figures, and for each ablation the same views side by side across variants with a before/after
//! slider (baseline under variant) and each variant's error map.

use crate::html::{Page, figure, slider};
use crate::ok;
use crate::stats::Group;
use maud::html;
use splatbench_record::{ImageTriple, RunRecord};
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
        let figures: Vec<_> =
            r.artifacts.iter().filter(|(p, _)| [".png", ".gif", ".svg"].iter().any(|e| p.ends_with(e))).collect();
        page.push(html! {
            div.grid.thumbs { @for t in &r.images { (figure(&dir.join(&t.pred), &t.view)) } }
            @if !r.renders.is_empty() {
                details {
                    summary { (r.renders.len()) " more test views (files)" }
                    p { @for (i, p) in r.renders.iter().enumerate() { @if i > 0 { " " } a href=(p) { (file_stem(p)) } } }
                }
            }
            @if let Some(t) = r.images.first() {
                div.grid {
                    @for (cap, rel) in [("prediction", &t.pred), ("ground truth", &t.gt), ("|error|", &t.error)] {
                        (figure(&dir.join(rel), &format!("{} — {cap}", t.view)))
                    }
                }
            }
            @if !figures.is_empty() {
                div.grid { @for (rel, cap) in &figures { (figure(&dir.join(rel), cap)) } }
            }
        });
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
            let variants: Vec<(&str, &ImageTriple)> = of_seed
                .iter()
                .filter(|(v, _)| **v != "baseline")
                .filter_map(|(v, r)| Some((*v, r.images.iter().find(|t| t.view == bt.view)?)))
                .collect();
            page.push(html! {
                p { "view " (bt.view) }
                div { @for (v, t) in &variants { (slider((&dir.join(&bt.pred), "baseline"), (&dir.join(&t.pred), v))) } }
                div.grid {
                    (figure(&dir.join(&bt.gt), "ground truth"))
                    (figure(&dir.join(&bt.error), "baseline |error|"))
                    @for (v, t) in &variants { (figure(&dir.join(&t.error), &format!("{v} |error|"))) }
                }
            });
        }
    }
}
