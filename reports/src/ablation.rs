//! Ablations: for every entry (method × dataset) with two or more variants, each variant against the entry's
//! control, per backend, paired by seed. A variant is marked the winner (or worse) on a metric only where the 95 %
//! t-interval of its mean paired delta excludes zero; otherwise the cell says "n.s.", and with one seed the table
//! says "n = 1: no test". Below the tables, the entry's images side by side ([`crate::gallery::compare`]).

use crate::format::Col;
use crate::gallery;
use crate::html::text;
use crate::images::Images;
use crate::ok;
use crate::page::Page;
use crate::stats::{Group, MeanStd, Verdict};
use maud::{Markup, html};
use splatbench_record::RunRecord;
use std::collections::{BTreeMap, BTreeSet};

/// The variant every other is compared with when the records name none (the bench's suites call it that).
pub const DEFAULT_CONTROL: &str = "baseline";

/// One method on one dataset, with its control variant and all its ok runs (every backend and seed).
pub struct Entry<'a> {
    pub method: String,
    pub dataset: String,
    pub control: String,
    /// The suite named no control and no variant is [`DEFAULT_CONTROL`], so the control is the first variant in
    /// sorted order (the page says so).
    pub defaulted: bool,
    pub runs: Vec<&'a RunRecord>,
}

/// The entries with at least two variants. The control is the one the suite named (`spec.control`), else
/// [`DEFAULT_CONTROL`] where an entry has it, else (records of a bench before `control` existed) its first variant in
/// sorted order.
pub fn entries(records: &[RunRecord]) -> Vec<Entry<'_>> {
    let groups = Group::by(ok(records), |r| (r.spec.method.clone(), r.spec.dataset.clone()));
    groups
        .into_iter()
        .filter_map(|((method, dataset), runs)| {
            let variants: BTreeSet<&str> = runs.iter().map(|r| r.spec.variant.as_str()).collect();
            if variants.len() < 2 {
                return None;
            }
            let named = runs.iter().find_map(|r| r.spec.control.clone()).filter(|c| variants.contains(c.as_str()));
            let defaulted = named.is_none() && !variants.contains(DEFAULT_CONTROL);
            let control = match named {
                Some(c) => c,
                None if defaulted => variants.first().expect("two variants").to_string(),
                None => DEFAULT_CONTROL.into(),
            };
            Some(Entry { method, dataset, control, defaulted, runs })
        })
        .collect()
}

pub fn section(page: &mut Page, records: &[RunRecord], metrics: &[Col], images: &mut Images) {
    let entries = entries(records);
    if entries.is_empty() {
        return;
    }
    page.section("Ablations: which variant wins, and is it real?", true);
    page.para(
        "Each variant minus the entry's control, paired by seed on one backend: mean delta ± the half-width of its \
         95 % confidence interval, t(0.975, n − 1)·s/√n. \"winner\"/\"worse\": the interval excludes zero. \"n.s.\": \
         it does not, so the difference is not distinguishable from seed noise. With one seed there is no spread \
         and no test.",
    );
    for e in &entries {
        page.h3(&format!("{} on {}", e.method, e.dataset));
        if e.defaulted {
            page.para(&format!(
                "No variant is named \"{DEFAULT_CONTROL}\": the control is \"{}\", the first variant in sorted order.",
                e.control
            ));
        } else {
            page.para(&format!("Control: \"{}\".", e.control));
        }
        config_diffs(page, e);
        for (backend, runs) in Group::by(e.runs.iter().copied(), |r| r.spec.backend.name().to_string()) {
            backend_table(page, e, &backend, &runs, metrics);
        }
        gallery::compare(page, e, images);
    }
}

/// What each variant changes in the resolved config, against the control's.
fn config_diffs(page: &mut Page, e: &Entry) {
    let Some(control) = e.runs.iter().find(|r| r.spec.variant == e.control) else { return };
    let variants =
        Group::by(e.runs.iter().copied().filter(|r| r.spec.variant != e.control), |r| r.spec.variant.clone());
    let rows: Vec<Vec<Markup>> = variants
        .iter()
        .map(|(v, runs)| {
            let diff = config_diff(&control.spec.config, &runs[0].spec.config);
            vec![text(v), html! { @if diff.is_empty() { "(same config)" } @else { (diff.join("; ")) } }]
        })
        .collect();
    page.table(&["variant", "resolved config against the control's"], &rows, "config-diff");
}

/// One backend's variants against the control: a delta cell per metric and a verdict per variant.
fn backend_table(page: &mut Page, e: &Entry, backend: &str, runs: &[&RunRecord], metrics: &[Col]) {
    let control: BTreeMap<u64, &RunRecord> =
        runs.iter().filter(|r| r.spec.variant == e.control).map(|r| (r.spec.seed, *r)).collect();
    let variants = Group::by(runs.iter().copied().filter(|r| r.spec.variant != e.control), |r| r.spec.variant.clone());
    if variants.is_empty() {
        return;
    }
    if control.is_empty() {
        page.para(&format!("{backend}: no run of the control \"{}\" on this backend, nothing to compare.", e.control));
        return;
    }
    let shown: Vec<&Col> = metrics.iter().filter(|m| runs.iter().any(|r| r.aggregate.contains_key(&m.key))).collect();
    let mut max_pairs = 0;
    let body: Vec<Vec<Markup>> = variants
        .iter()
        .map(|(variant, vruns)| {
            let mut cells = Vec::new();
            let (mut wins, mut losses, mut pairs) = (Vec::new(), Vec::new(), 0);
            for m in &shown {
                let deltas: Vec<f64> = vruns
                    .iter()
                    .filter_map(|r| Some(r.aggregate.get(&m.key)? - control.get(&r.spec.seed)?.aggregate.get(&m.key)?))
                    .collect();
                let d = MeanStd::of(deltas.into_iter());
                pairs = pairs.max(d.n);
                let verdict = d.verdict(m.higher_better);
                match verdict {
                    Verdict::Better => wins.push(m.label.as_str()),
                    Verdict::Worse => losses.push(m.label.as_str()),
                    _ => {}
                }
                cells.push(delta_cell(m, &d, verdict));
            }
            max_pairs = max_pairs.max(pairs);
            let summary = match (wins.is_empty(), losses.is_empty(), pairs >= 2) {
                (_, _, false) => html! { span.ns { "no test" } },
                (true, true, true) => html! { span.ns { "n.s." } },
                _ => html! {
                    @if !wins.is_empty() { span.better { "winner on " (wins.join(", ")) } }
                    @if !wins.is_empty() && !losses.is_empty() { "; " }
                    @if !losses.is_empty() { span.worse { "worse on " (losses.join(", ")) } }
                },
            };
            let mut row = vec![text(variant), text(pairs), summary];
            row.extend(cells);
            row
        })
        .collect();
    page.h4(&if max_pairs <= 1 {
        format!("{backend}: variant − control \"{}\", n = 1: no test", e.control)
    } else {
        format!("{backend}: variant − control \"{}\", paired by seed (up to n = {max_pairs})", e.control)
    });
    let heads: Vec<String> = shown.iter().map(|m| format!("Δ {}", m.head())).collect();
    let mut head = vec!["variant", "pairs", "verdict"];
    head.extend(heads.iter().map(String::as_str));
    page.table(&head, &body, "ablation");
}

/// `+0.52 ± 0.31 winner`, `−0.10 ± 0.40 n.s.`, or the bare delta with one pair.
fn delta_cell(m: &Col, d: &MeanStd, verdict: Verdict) -> Markup {
    if d.n == 0 {
        return text("–");
    }
    let value = match d.ci95() {
        Some(half) => format!("{} ± {}", m.delta(d.mean), m.fmt(half)),
        None => m.delta(d.mean),
    };
    match verdict {
        Verdict::Better => html! { span.better { (value) " winner" } },
        Verdict::Worse => html! { span.worse { (value) " worse" } },
        Verdict::NotSignificant => html! { (value) " " span.ns { "n.s." } },
        Verdict::Untested => text(value),
    }
}

/// The leaves where `variant`'s resolved config differs from `control`'s, as `path: control → variant`.
fn config_diff(control: &serde_json::Value, variant: &serde_json::Value) -> Vec<String> {
    fn leaves(prefix: String, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        match v.as_object() {
            Some(map) => {
                for (k, x) in map {
                    leaves(if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }, x, out);
                }
            }
            None => {
                out.insert(prefix, v.to_string());
            }
        }
    }
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves(String::new(), control, &mut a);
    leaves(String::new(), variant, &mut b);
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let missing = "(absent)".to_string();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("{k}: {} → {}", a.get(k).unwrap_or(&missing), b.get(k).unwrap_or(&missing)))
        .collect()
}
