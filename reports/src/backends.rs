//! Backends side by side: one row per (method, variant, dataset), a column group per backend (speed, memory,
//! quality), each backend's training speed as a ratio to the row's fastest (marked), and per quality metric the
//! largest difference between the row's backends, naming the two: the numbers that say whether a backend changes
//! results or only speed.

use crate::format::Col;
use crate::matrix::value;
use crate::ok;
use crate::page::Page;
use crate::stats::{Group, MeanStd};
use maud::{Markup, html};
use splatbench_core::Backend;
use splatbench_record::RunRecord;
use std::collections::BTreeMap;

pub fn section(page: &mut Page, records: &[RunRecord], metrics: &[Col]) {
    let ok: Vec<&RunRecord> = ok(records).collect();
    if ok.is_empty() {
        return;
    }
    let backends: Vec<Backend> = Backend::ALL.into_iter().filter(|b| ok.iter().any(|r| r.spec.backend == *b)).collect();
    page.section("Backends side by side", backends.len() > 1);
    if backends.len() < 2 {
        page.para(&format!("Every run used one backend ({}): nothing to compare.", backends[0].name()));
    }
    // PSNR, SSIM and the first LPIPS backbone: the columns that say whether a backend changes the result.
    let quality: Vec<&Col> = metrics
        .iter()
        .filter(|m| ["psnr", "ssim"].contains(&m.key.as_str()))
        .chain(metrics.iter().find(|m| m.key.starts_with("lpips_")))
        .filter(|m| ok.iter().any(|r| r.aggregate.contains_key(&m.key)))
        .collect();
    let (speed, fps, mem) = (Col::steps_per_s(), Col::render_fps(), Col::peak_mib());
    let rows =
        Group::by(ok.iter().copied(), |r| (r.spec.method.clone(), r.spec.variant.clone(), r.spec.dataset.clone()));
    let body: Vec<Markup> = rows
        .iter()
        .map(|((method, variant, dataset), runs)| {
            let by: BTreeMap<&str, Vec<&RunRecord>> = Group::by(runs.iter().copied(), |r| r.spec.backend.name());
            let mean = |b: &str, c: &Col| by.get(b).map(|rs| MeanStd::of(rs.iter().filter_map(|r| value(r, c))));
            let fastest = by.keys().map(|b| mean(b, &speed).map_or(f64::NAN, |m| m.mean)).fold(f64::NAN, f64::max);
            html! {
                tr {
                    td.l { (method) } td.l { (variant) } td.l { (dataset) }
                    @for b in &backends {
                        @match mean(b.name(), &speed) {
                            None => { @for _ in 0..(4 + quality.len()) { td { "–" } } }
                            Some(s) => {
                                td { (speed.cell(&s)) }
                                td { (ratio(s.mean, fastest, by.len())) }
                                td { (fps.cell(&mean(b.name(), &fps).expect("runs"))) }
                                td { (mem.cell(&mean(b.name(), &mem).expect("runs"))) }
                                @for q in &quality { td { (q.cell(&mean(b.name(), q).expect("runs"))) } }
                            }
                        }
                    }
                    @for q in &quality { td { (largest_difference(&by, q)) } }
                }
            }
        })
        .collect();
    let sub: Vec<String> = [speed.head(), "speed / fastest".into(), fps.head(), mem.head()]
        .into_iter()
        .chain(quality.iter().map(|q| q.head()))
        .collect();
    page.push(html! {
        div.scroll {
            table.backends {
                thead {
                    tr {
                        th rowspan="2" { "method" } th rowspan="2" { "variant" } th rowspan="2" { "dataset" }
                        @for b in &backends { th colspan=(sub.len()) { (b.name()) } }
                        th colspan=(quality.len()) { "largest difference between backends" }
                    }
                    tr {
                        @for _ in &backends { @for h in &sub { th { (h) } } }
                        @for q in &quality { th { "max Δ " (q.label) } }
                    }
                }
                tbody { @for row in &body { (row) } }
            }
        }
    });
    page.para(
        "speed / fastest: the backend's steps per second over the row's fastest backend's (★). max Δ: the largest \
         difference of the means between two backends of the row, and which two.",
    );
}

fn ratio(speed: f64, fastest: f64, backends: usize) -> Markup {
    let r = speed / fastest;
    html! {
        @if !r.is_finite() { "–" }
        @else if backends > 1 && speed == fastest { span.better { "1.00× ★ fastest" } }
        @else { (format!("{r:.2}×")) }
    }
}

/// Largest difference of the backends' means on `col`, as `0.53 (tch − ndarray)`; a dash below two backends.
fn largest_difference(by: &BTreeMap<&str, Vec<&RunRecord>>, col: &Col) -> Markup {
    let means: Vec<(&str, f64)> = by
        .iter()
        .map(|(b, rs)| (*b, MeanStd::of(rs.iter().filter_map(|r| value(r, col)))))
        .filter(|(_, m)| m.n > 0)
        .map(|(b, m)| (b, m.mean))
        .collect();
    let hi = means.iter().copied().reduce(|a, b| if b.1 > a.1 { b } else { a });
    let lo = means.iter().copied().reduce(|a, b| if b.1 < a.1 { b } else { a });
    match (hi, lo) {
        (Some(hi), Some(lo)) if means.len() > 1 => {
            html! { (col.fmt(hi.1 - lo.1)) " (" (hi.0) " − " (lo.0) ")" }
        }
        _ => html! { "–" },
    }
}
