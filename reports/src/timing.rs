//! Where the time goes: held-out PSNR against training time (one chart per dataset, since PSNR is only comparable
//! on one dataset), loss against step and against wall time per method, and each run's time per phase (data,
//! forward, backward, optimizer, densify, as recorded in `phases_s`) as a table with a stacked bar.

use crate::format::{Col, seconds, stat};
use crate::html::text;
use crate::ok;
use crate::page::Page;
use crate::stats::Group;
use crate::svg::{self, Chart, Pt, Series};
use maud::{Markup, html};
use splatbench_record::RunRecord;

const PHASES: [&str; 5] = ["data", "forward", "backward", "optimizer", "densify"];

fn label(r: &RunRecord) -> String {
    format!("{} {} s{}", r.spec.variant, r.spec.backend.name(), r.spec.seed)
}

pub fn charts(page: &mut Page, records: &[RunRecord]) {
    let scored: Vec<&RunRecord> = ok(records).filter(|r| r.aggregate.contains_key("psnr")).collect();
    let curved: Vec<&RunRecord> = ok(records).filter(|r| r.loss_curve.len() > 1).collect();
    if scored.is_empty() && curved.is_empty() {
        return;
    }
    page.section("Charts", true);
    page.para("Hover a point for its run and value; click a legend entry to hide or show its series.");
    let psnr = Col::metric("psnr");
    for (dataset, runs) in Group::by(scored.into_iter(), |r| r.spec.dataset.clone()) {
        // A series per (method, variant, backend): its seeds are the points.
        let series =
            Group::by(runs.into_iter(), |r| format!("{} {} {}", r.spec.method, r.spec.variant, r.spec.backend.name()))
                .into_iter()
                .map(|(name, rs)| Series {
                    name,
                    points: rs
                        .iter()
                        .map(|r| {
                            let y = r.aggregate["psnr"];
                            let title = format!("{}: PSNR {} dB, {} s", r.id, psnr.fmt(y), seconds(r.timing.train_s));
                            Pt { x: r.timing.train_s, y, title }
                        })
                        .collect(),
                })
                .collect();
        page.h3(&format!("PSNR against training time on {dataset}"));
        page.push(svg::chart(&Chart { x_label: "training seconds", y_label: "PSNR dB", lines: false, series }));
    }
    for (method, runs) in Group::by(curved.into_iter(), |r| r.spec.method.clone()) {
        // A point's tooltip: run, loss at 4 significant digits, step, and the wall time where the curve has it.
        let curve = |r: &RunRecord, by_time: bool| Series {
            name: format!("{} {}", r.spec.dataset, label(r)),
            points: r
                .loss_curve
                .iter()
                .enumerate()
                .map(|(k, &(step, l))| {
                    let t = r.loss_wall_s.get(k).copied().unwrap_or(f64::NAN);
                    let at = if t.is_finite() { format!(", {} s", seconds(t)) } else { String::new() };
                    let title = format!("{}: loss {} at step {step}{at}", r.id, stat(l));
                    Pt { x: if by_time { t } else { step as f64 }, y: l, title }
                })
                .collect(),
        };
        let by_step: Vec<Series> = runs.iter().map(|r| curve(r, false)).collect();
        let by_time: Vec<Series> =
            runs.iter().filter(|r| r.loss_wall_s.len() == r.loss_curve.len()).map(|r| curve(r, true)).collect();
        page.h3(&format!("Loss of {method}"));
        page.push(html! {
            (svg::chart(&Chart { x_label: "step", y_label: "loss", lines: true, series: by_step }))
            @if !by_time.is_empty() {
                (svg::chart(&Chart { x_label: "seconds since the run started", y_label: "loss", lines: true, series: by_time }))
            }
        });
    }
}

/// Seconds per phase: a row per run, the phases' seconds, the total, and a bar of the shares.
pub fn phases(page: &mut Page, records: &[RunRecord]) {
    let with: Vec<_> = ok(records).filter(|r| !r.timing.phases_s.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.section("Time per phase (seconds)", false);
    page.push(html! {
        p.legend { @for (i, p) in PHASES.iter().enumerate() { span { i style={ "background:" (svg::color(i)) } {} (p) } " " } }
    });
    for (method, runs) in Group::by(with.into_iter(), |r| r.spec.method.clone()) {
        let body: Vec<Vec<Markup>> = runs
            .iter()
            .map(|r| {
                let secs: Vec<Option<f64>> = PHASES
                    .iter()
                    .map(|p| {
                        r.timing.phases_s.iter().find(|(k, _)| format!("{k:?}").to_lowercase() == *p).map(|(_, s)| *s)
                    })
                    .collect();
                let total: f64 = secs.iter().flatten().sum();
                let mut row = vec![text(&r.id)];
                row.extend(secs.iter().map(|s| text(s.map_or("–".into(), seconds))));
                row.push(text(seconds(total)));
                row.push(bar(&secs, total));
                row
            })
            .collect();
        let mut head = vec!["run"];
        head.extend(PHASES);
        head.extend(["total", "share"]);
        page.h3(&format!("Phases of {method}"));
        page.table(&head, &body, "phases");
    }
}

/// The phases' shares of the total as one stacked bar, in the phase colours of the legend above.
fn bar(secs: &[Option<f64>], total: f64) -> Markup {
    html! {
        div.bar {
            @for (i, s) in secs.iter().enumerate() {
                @if let (Some(s), true) = (s, total > 0.0) {
                    span style={ "width:" (format!("{:.1}", 100.0 * s / total)) "%;background:" (svg::color(i)) }
                        title={ (PHASES[i]) " " (seconds(*s)) " s" } {}
                }
            }
        }
    }
}
