//! Where the time goes: per-phase bars of every run (data, forward, backward, optimizer, densify, as recorded in
//! `phases_s`), loss against step and against wall time, and held-out PSNR against training time across runs.

use crate::html::{Page, table, text};
use crate::ok;
use crate::stats::{Group, fmt};
use crate::svg::{self, Point, Series};
use maud::html;
use splatbench_record::RunRecord;
use std::collections::BTreeMap;

const PHASES: [&str; 5] = ["data", "forward", "backward", "optimizer", "densify"];

fn label(r: &RunRecord) -> String {
    format!("{} {} {} s{}", r.spec.variant, r.spec.dataset, r.spec.backend.name(), r.spec.seed)
}

pub fn phase_bars(page: &mut Page, records: &[RunRecord]) {
    let with: Vec<_> = ok(records).filter(|r| !r.timing.phases_s.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Time per phase (seconds)");
    for (method, runs) in Group::by(with.into_iter(), |r| r.spec.method.clone()) {
        let rows: Vec<(String, BTreeMap<String, f64>)> = runs
            .iter()
            .map(|r| {
                let phases = r.timing.phases_s.iter().map(|(p, s)| (format!("{p:?}").to_lowercase(), *s)).collect();
                (label(r), phases)
            })
            .collect();
        page.h3(&method);
        page.push(svg::stacked_bars(&rows, &PHASES));
    }
}

pub fn curves(page: &mut Page, records: &[RunRecord]) {
    let with: Vec<_> = ok(records).filter(|r| r.loss_curve.len() > 1).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Loss curves (against step, and against wall time since the run started)");
    for (method, runs) in Group::by(with.into_iter(), |r| r.spec.method.clone()) {
        let by_step: Vec<Series> = runs
            .iter()
            .map(|r| Series { name: label(r), points: r.loss_curve.iter().map(|&(s, l)| (s as f64, l)).collect() })
            .collect();
        let by_time: Vec<Series> = runs
            .iter()
            .filter(|r| r.loss_wall_s.len() == r.loss_curve.len())
            .map(|r| Series {
                name: label(r),
                points: r.loss_wall_s.iter().zip(&r.loss_curve).map(|(&t, &(_, l))| (t, l)).collect(),
            })
            .collect();
        page.h3(&method);
        page.push(html! {
            div.grid {
                (svg::loss_chart(&by_step, "step"))
                @if !by_time.is_empty() { (svg::loss_chart(&by_time, "seconds")) }
            }
        });
    }
}

/// The scatter cannot carry tooltips (see [`svg`]), so the runs it plots follow it in a folded table.
pub fn quality_vs_time(page: &mut Page, records: &[RunRecord]) {
    let runs: Vec<(&RunRecord, Point)> = ok(records)
        .filter_map(|r| {
            let group = format!("{} on {}", r.spec.method, r.spec.backend.name());
            Some((r, Point { group, x: r.timing.train_s, y: *r.aggregate.get("psnr")? }))
        })
        .collect();
    if runs.is_empty() {
        return;
    }
    let rows: Vec<_> =
        runs.iter().map(|(r, p)| vec![text(&r.id), text(&p.group), text(fmt(p.x)), text(fmt(p.y))]).collect();
    let points: Vec<Point> = runs.into_iter().map(|(_, p)| p).collect();
    page.h2("Held-out PSNR against training time (each point a run; colour: method and backend)");
    page.push(html! {
        (svg::scatter(&points, "training seconds", "PSNR dB"))
        details {
            summary { (rows.len()) " runs plotted" }
            (table(&["run", "method on backend", "train s", "psnr"], &rows, "points"))
        }
    });
}
