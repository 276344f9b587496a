//! The results matrix: one table per metric, rows (method, variant, backend), columns the datasets, each cell the
//! mean ± std over seeds; the best row of each dataset in bold (higher or lower, as the metric prefers). The last
//! column is the row's mean over the datasets it ran on, with their count, since methods run on different datasets.

use crate::html::{Page, text};
use crate::ok;
use crate::stats::{Group, MeanStd, fmt};
use maud::{Markup, html};
use splatbench_record::RunRecord;
use std::collections::{BTreeMap, BTreeSet};

pub fn results_matrix(page: &mut Page, records: &[RunRecord], metrics: &[(String, bool)]) {
    let ok: Vec<&RunRecord> = ok(records).collect();
    if ok.is_empty() {
        return;
    }
    page.h2("Results matrix (mean ± std over seeds; best per dataset in bold)");
    let datasets: BTreeSet<&str> = ok.iter().map(|r| r.spec.dataset.as_str()).collect();
    let rows = Group::by(ok.iter().copied(), |r| {
        (r.spec.method.clone(), r.spec.variant.clone(), r.spec.backend.name().to_string())
    });
    for (metric, higher_better) in metrics {
        let cell = |runs: &[&RunRecord], ds: &str| {
            MeanStd::of(runs.iter().filter(|r| r.spec.dataset == ds).filter_map(|r| r.aggregate.get(metric).copied()))
        };
        let stats: BTreeMap<_, Vec<MeanStd>> =
            rows.iter().map(|(k, runs)| (k.clone(), datasets.iter().map(|d| cell(runs, d)).collect())).collect();
        if stats.values().flatten().all(|m| m.n == 0) {
            continue;
        }
        let best: Vec<f64> = (0..datasets.len())
            .map(|j| {
                let vals = stats.values().map(|v| v[j]).filter(|m| m.n > 0).map(|m| m.mean);
                if *higher_better { vals.fold(f64::NEG_INFINITY, f64::max) } else { vals.fold(f64::INFINITY, f64::min) }
            })
            .collect();
        let mut head = vec!["method", "variant", "backend"];
        head.extend(datasets.iter().copied());
        head.push("mean over its datasets");
        let body: Vec<Vec<Markup>> = stats
            .iter()
            .map(|((method, variant, backend), cells)| {
                let mut row = vec![text(method), text(variant), text(backend)];
                for (j, m) in cells.iter().enumerate() {
                    let c = m.cell();
                    row.push(if m.n > 0 && m.mean == best[j] {
                        html! { b { (c) } }
                    } else {
                        text(c)
                    });
                }
                let present: Vec<f64> = cells.iter().filter(|m| m.n > 0).map(|m| m.mean).collect();
                row.push(text(if present.is_empty() {
                    "–".into()
                } else {
                    format!("{} ({})", fmt(present.iter().sum::<f64>() / present.len() as f64), present.len())
                }));
                row
            })
            .collect();
        page.h3(metric);
        page.table(&head, &body, "matrix");
    }
}
