//! Per-run detail tables, folded by default: feed-forward methods' novel against conditioning views, each run
//! against its own initial state and the mean colour, every test view beside the trivial references, and the
//! statistics each method reports about itself.

use crate::format::{Col, stat};
use crate::html::text;
use crate::ok;
use crate::page::Page;
use crate::stats::Group;
use maud::{Markup, html};
use splatbench_record::{MEAN_COLOUR, RunRecord, ViewMetrics};
use std::collections::BTreeSet;

/// A number at the column's digits, or a dash where there is none.
fn num(c: &Col, v: Option<f64>) -> Markup {
    text(v.map_or("–".into(), |v| c.fmt(v)))
}

/// Feed-forward runs: the novel views first, then the conditioning view the method saw (per-object means, then
/// the mean over objects, with the object count).
pub fn novel_and_conditioning(page: &mut Page, records: &[RunRecord], metrics: &[Col]) {
    let with: Vec<_> = ok(records).filter(|r| !r.conditioning_aggregate.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.section("Novel and conditioning views (feed-forward methods)", false);
    let shown: Vec<&Col> = metrics.iter().filter(|m| with.iter().any(|r| r.aggregate.contains_key(&m.key))).collect();
    let mut head = vec!["run".to_string(), "objects".into()];
    head.extend(shown.iter().map(|m| format!("{} novel", m.head())));
    head.extend(shown.iter().map(|m| format!("{} conditioning", m.head())));
    let body: Vec<Vec<Markup>> = with
        .iter()
        .map(|r| {
            let mut row = vec![text(&r.id), text(r.objects)];
            row.extend(shown.iter().map(|m| num(m, r.aggregate.get(&m.key).copied())));
            row.extend(shown.iter().map(|m| num(m, r.conditioning_aggregate.get(&m.key).copied())));
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    page.table(&head, &body, "conditioning");
}

/// Each run against its own state before training and against the mean colour, on the same test views: a model
/// that did not train shows no gap to its initial state even where it beats the mean colour.
pub fn against_initial(page: &mut Page, records: &[RunRecord], metrics: &[Col]) {
    let with: Vec<_> = ok(records).filter(|r| !r.initial.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.section("Trained against initial state and mean colour", false);
    let shown: Vec<&Col> = metrics.iter().filter(|m| with.iter().any(|r| r.aggregate.contains_key(&m.key))).collect();
    let mut head = vec!["run".to_string()];
    for m in &shown {
        head.extend([
            format!("{} trained", m.head()),
            format!("{} initial", m.label),
            format!("{} mean colour", m.label),
        ]);
    }
    let body: Vec<Vec<Markup>> = with
        .iter()
        .map(|r| {
            let mut row = vec![text(&r.id)];
            let mc = r.references.get(MEAN_COLOUR).map(|rf| &rf.aggregate);
            for m in &shown {
                let t = r.aggregate.get(&m.key).copied();
                let i = r.initial.get(&m.key).copied();
                let beaten = matches!((t, i), (Some(t), Some(i)) if !m.better(t, i));
                row.push(if beaten {
                    html! { span.worse { (num(m, t)) } }
                } else {
                    num(m, t)
                });
                row.push(num(m, i));
                row.push(num(m, mc.and_then(|a| a.get(&m.key)).copied()));
            }
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    page.para("Red: training did not improve on the initial state.");
    page.table(&head, &body, "initial");
}

/// What each method reports about its reconstruction (Gaussian count, camera error, ...), one table per method.
pub fn method_stats(page: &mut Page, records: &[RunRecord]) {
    let with: Vec<_> = ok(records).filter(|r| !r.stats.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.section("Method statistics", false);
    for (method, runs) in Group::by(with.into_iter(), |r| r.spec.method.clone()) {
        let keys: BTreeSet<&String> = runs.iter().flat_map(|r| r.stats.keys()).collect();
        let mut head = vec!["run"];
        head.extend(keys.iter().map(|k| k.as_str()));
        let body: Vec<Vec<Markup>> = runs
            .iter()
            .map(|r| {
                let mut row = vec![text(&r.id)];
                row.extend(keys.iter().map(|k| text(r.stats.get(*k).map_or("–".into(), |v| stat(*v)))));
                row
            })
            .collect();
        page.h3(&format!("Statistics of {method}"));
        page.table(&head, &body, "stats");
    }
}

/// One per-view metric read off a [`ViewMetrics`] (LPIPS is keyed by network, so these are closures).
type ViewMetric = Box<dyn Fn(&ViewMetrics) -> Option<f64>>;

/// Per test view, the method beside each trivial reference; a method cell is red where the reference does better.
pub fn references(page: &mut Page, records: &[RunRecord]) {
    let with: Vec<_> = ok(records).filter(|r| !r.references.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.section("Per test view: method and trivial references", false);
    let described: std::collections::BTreeMap<&str, &str> =
        with.iter().flat_map(|r| r.references.iter().map(|(k, v)| (k.as_str(), v.description.as_str()))).collect();
    for (name, description) in described {
        page.para(&format!("{name}: {description}."));
    }
    page.para("Red: the method does no better than a reference on that view.");
    for r in with {
        let nets: BTreeSet<String> = r.views.iter().flat_map(|v| v.lpips.keys().cloned()).collect();
        let mut shown: Vec<(Col, ViewMetric)> =
            vec![(Col::metric("psnr"), Box::new(|v| v.psnr)), (Col::metric("ssim"), Box::new(|v| v.ssim))];
        for net in nets {
            let key = net.clone();
            shown.push((Col::metric(&format!("lpips_{net}")), Box::new(move |v| v.lpips.get(&key).copied())));
        }
        let mut head = vec!["view".to_string()];
        for (m, _) in &shown {
            head.push(m.head());
            head.extend(r.references.keys().map(|name| format!("{} {name}", m.label)));
        }
        head.push("notes".into());
        let body = r
            .views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut row = vec![text(&v.view)];
                for (m, get) in &shown {
                    let refs: Vec<Option<f64>> =
                        r.references.values().map(|rf| rf.views.get(i).and_then(get)).collect();
                    let beaten = get(v).is_some_and(|x| refs.iter().flatten().any(|&y| !m.better(x, y)));
                    row.push(if beaten {
                        html! { span.worse { (num(m, get(v))) } }
                    } else {
                        num(m, get(v))
                    });
                    row.extend(refs.iter().map(|y| num(m, *y)));
                }
                row.push(text(&v.notes));
                row
            })
            .collect::<Vec<_>>();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        page.h4(&r.id);
        page.table(&head, &body, "references");
    }
}
