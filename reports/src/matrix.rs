//! The results matrix: one table per dataset (methods run on different datasets, so one wide table would be
//! mostly dashes), a row per (method, variant, backend), a column per metric and timing figure, each cell the mean
//! ± std over seeds (a single seed is its value). The best row of each column is bold where there is more than one
//! row; a quality cell is flagged where a run did no better than its own mean-colour reference.

use crate::format::Col;
use crate::html::text;
use crate::ok;
use crate::page::Page;
use crate::settings;
use crate::stats::{Group, MeanStd};
use maud::{Markup, html};
use splatbench_record::{MEAN_COLOUR, RunRecord};

/// A timing figure of a run, by the column's key.
pub fn timing(r: &RunRecord, key: &str) -> Option<f64> {
    let t = &r.timing;
    match key {
        "train_s" => Some(t.train_s),
        "steps_per_s" => Some(t.steps_per_s),
        "render_fps" => Some(t.render_fps),
        "peak_rss_mib" => Some(t.peak_rss_mib),
        _ => None,
    }
}

/// A column's value in one run: an aggregate metric or a timing figure.
pub fn value(r: &RunRecord, col: &Col) -> Option<f64> {
    r.aggregate.get(&col.key).copied().or_else(|| timing(r, &col.key))
}

pub fn section(page: &mut Page, records: &[RunRecord], metrics: &[Col]) {
    let ok: Vec<&RunRecord> = ok(records).collect();
    if ok.is_empty() {
        return;
    }
    page.section("Results by dataset", true);
    page.para(
        "Mean ± std over seeds (one seed: its value). Bold: the best row of the dataset in that column. \
         ⚠ k/n: k of the row's n runs did no better than the mean-colour reference (a flat image) on that metric.",
    );
    let timing = [Col::train_s(), Col::steps_per_s(), Col::render_fps(), Col::peak_mib()];
    for (dataset, runs) in Group::by(ok.iter().copied(), |r| r.spec.dataset.clone()) {
        let rows = Group::by(runs.iter().copied(), |r| {
            (r.spec.method.clone(), r.spec.variant.clone(), r.spec.backend.name().to_string())
        });
        let cols: Vec<&Col> = metrics
            .iter()
            .filter(|m| runs.iter().any(|r| r.aggregate.contains_key(&m.key)))
            .chain(timing.iter())
            .collect();
        let stats: Vec<Vec<MeanStd>> = rows
            .values()
            .map(|rr| cols.iter().map(|c| MeanStd::of(rr.iter().filter_map(|r| value(r, c)))).collect())
            .collect();
        // The best of each column, only where some row is worse.
        let best: Vec<Option<f64>> = (0..cols.len())
            .map(|j| {
                let vals: Vec<f64> = stats.iter().map(|s| s[j]).filter(|m| m.n > 0).map(|m| m.mean).collect();
                let best = vals.iter().copied().reduce(|a, b| if cols[j].better(b, a) { b } else { a })?;
                // A column where every row ties has no best.
                vals.iter().any(|v| *v != best).then_some(best)
            })
            .collect();
        let body: Vec<Vec<Markup>> = rows
            .iter()
            .zip(&stats)
            .map(|(((method, variant, backend), rr), cells)| {
                let mut row = vec![text(method), text(variant), text(backend), text(settings(variant)), text(rr.len())];
                for (j, (c, m)) in cols.iter().zip(cells).enumerate() {
                    let s = c.cell(m);
                    let below = below_mean_colour(rr, c);
                    row.push(html! {
                        @if m.n > 0 && best[j] == Some(m.mean) { b { (s) } } @else { (s) }
                        @if below > 0 {
                            " " span.flag title="runs no better than the mean-colour reference on this metric" {
                                "⚠ " (below) "/" (rr.len())
                            }
                        }
                    });
                }
                row
            })
            .collect();
        let heads: Vec<String> = cols.iter().map(|c| c.head()).collect();
        let mut head = vec!["method", "variant", "backend", "settings", "seeds"];
        head.extend(heads.iter().map(String::as_str));
        page.h3(&dataset);
        page.table(&head, &body, "matrix");
    }
}

/// How many of `runs` did no better than their own mean-colour reference on `col` (0 for timing columns and
/// runs without the reference).
fn below_mean_colour(runs: &[&RunRecord], col: &Col) -> usize {
    runs.iter()
        .filter(|r| {
            let reference = r.references.get(MEAN_COLOUR).and_then(|rf| rf.aggregate.get(&col.key));
            matches!((r.aggregate.get(&col.key), reference), (Some(v), Some(m)) if !col.better(*v, *m))
        })
        .count()
}
