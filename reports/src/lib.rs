//! One self-contained HTML file from run records: inline CSS and SVG, images as data URIs, no network.
//!
//! The report reads only [`RunRecord`]s and the image files they name (relative to the bench directory), so it
//! can be rebuilt from any results directory, including merged shards.

mod gallery;
mod html;
mod matrix;
mod stats;
mod svg;
mod timing;

use html::{Page, text};
use maud::{Markup, html};
use splatbench_record::{MEAN_COLOUR, RunRecord, RunStatus, ViewMetrics};
use stats::{Group, MeanStd, fmt};
use std::collections::BTreeMap;
use std::path::Path;

/// The metrics shown in tables, with whether higher is better: PSNR, SSIM, one `lpips_<net>` column per LPIPS
/// backbone any record has (the column names the network), the masked metrics.
fn metrics(records: &[RunRecord]) -> Vec<(String, bool)> {
    let mut nets: Vec<&String> = records
        .iter()
        .flat_map(|r| r.aggregate.keys().chain(r.failed_metrics.keys()))
        .filter(|k| k.starts_with("lpips_"))
        .collect();
    nets.sort();
    nets.dedup();
    let mut out = vec![("psnr".to_string(), true), ("ssim".to_string(), true)];
    out.extend(nets.into_iter().map(|n| (n.clone(), false)));
    out.extend([("psnr_masked".to_string(), true), ("ssim_masked".to_string(), true)]);
    out
}

pub fn render_report(title: &str, records: &[RunRecord], bench_dir: &Path) -> String {
    let mut page = Page::new(title);
    let metrics = metrics(records);
    header(&mut page, records);
    matrix::results_matrix(&mut page, records, &metrics);
    summary(&mut page, records, &metrics);
    ablation(&mut page, records, &metrics);
    gallery::compare_variants(&mut page, records, bench_dir);
    novel_and_conditioning(&mut page, records, &metrics);
    against_initial(&mut page, records, &metrics);
    references(&mut page, records);
    method_stats(&mut page, records);
    backends(&mut page, records);
    timing::phase_bars(&mut page, records);
    timing::quality_vs_time(&mut page, records);
    timing::curves(&mut page, records);
    runs(&mut page, records, bench_dir);
    gallery::thumbnails(&mut page, records, bench_dir);
    page.finish()
}

/// A number as the tables print it, or a dash where there is none.
fn num(v: Option<f64>) -> Markup {
    text(v.map_or("–".into(), fmt))
}

pub(crate) fn ok(records: &[RunRecord]) -> impl Iterator<Item = &RunRecord> {
    records.iter().filter(|r| r.status == RunStatus::Ok)
}

fn header(page: &mut Page, records: &[RunRecord]) {
    let ok_n = ok(records).count();
    page.para(&format!(
        "{} runs: {} ok, {} failed, {} skipped. These numbers measure the pipeline on small CPU-sized data; they are \
         not comparable with published results.",
        records.len(),
        ok_n,
        records.iter().filter(|r| r.status == RunStatus::Failed).count(),
        records.iter().filter(|r| r.status == RunStatus::Skipped).count(),
    ));
    let command: Vec<String> = std::env::args().collect();
    page.para(&format!("Written by: {}", command.join(" ")));
    let mut conv = BTreeMap::new();
    for r in records {
        conv.extend(r.conventions.clone());
    }
    page.h2("Metric conventions");
    page.kv_table(&conv);
    // Merged shards may come from different machines: one table per distinct environment, with its runs.
    let envs = Group::by(records.iter().filter(|r| !r.environment.is_empty()), |r| r.environment.clone());
    for (i, (env, runs)) in envs.iter().enumerate() {
        if envs.len() == 1 {
            page.h2("Machine and versions");
        } else {
            page.h2(&format!("Machine and versions ({} of {}: {} runs)", i + 1, envs.len(), runs.len()));
            let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
            page.para(&format!("Runs: {}", ids.join(", ")));
        }
        page.kv_table(env);
    }
}

/// Feed-forward runs: the novel views first, then the conditioning view the method saw (per-object means, then
/// the mean over objects, with the object count).
fn novel_and_conditioning(page: &mut Page, records: &[RunRecord], metrics: &[(String, bool)]) {
    let with: Vec<_> = ok(records).filter(|r| !r.conditioning_aggregate.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Novel and conditioning views (feed-forward methods)");
    let shown: Vec<&String> =
        metrics.iter().map(|(m, _)| m).filter(|m| with.iter().any(|r| r.aggregate.contains_key(*m))).collect();
    let mut head = vec!["run".to_string(), "objects".into()];
    head.extend(shown.iter().map(|m| format!("{m} novel")));
    head.extend(shown.iter().map(|m| format!("{m} conditioning")));
    let body: Vec<Vec<Markup>> = with
        .iter()
        .map(|r| {
            let mut row = vec![text(&r.id), text(r.objects)];
            row.extend(shown.iter().map(|m| num(r.aggregate.get(*m).copied())));
            row.extend(shown.iter().map(|m| num(r.conditioning_aggregate.get(*m).copied())));
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    page.table(&head, &body, "conditioning");
}

/// Each run against its own state before training and against the mean colour, on the same test views: a model
/// that did not train shows no gap to its initial state even where it beats the mean colour.
fn against_initial(page: &mut Page, records: &[RunRecord], metrics: &[(String, bool)]) {
    let with: Vec<_> = ok(records).filter(|r| !r.initial.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Trained against initial state and mean colour");
    let shown: Vec<&(String, bool)> =
        metrics.iter().filter(|(m, _)| with.iter().any(|r| r.aggregate.contains_key(m))).collect();
    let mut head = vec!["run".to_string()];
    for (m, _) in &shown {
        head.extend([format!("{m} trained"), format!("{m} initial"), format!("{m} mean colour")]);
    }
    let body: Vec<Vec<Markup>> = with
        .iter()
        .map(|r| {
            let mut row = vec![text(&r.id)];
            let mc = r.references.get(MEAN_COLOUR).map(|rf| &rf.aggregate);
            for (m, higher_better) in &shown {
                let t = r.aggregate.get(m).copied();
                let i = r.initial.get(m).copied();
                let beaten = matches!((t, i), (Some(t), Some(i)) if if *higher_better { i >= t } else { i <= t });
                row.push(if beaten {
                    html! { span.worse { (num(t)) } }
                } else {
                    num(t)
                });
                row.push(num(i));
                row.push(num(mc.and_then(|a| a.get(m)).copied()));
            }
            row
        })
        .collect();
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    page.para("Red: training did not improve on the initial state.");
    page.table(&head, &body, "initial");
}

/// What each method reports about its reconstruction (Gaussian count, camera error, ...), one table per method.
fn method_stats(page: &mut Page, records: &[RunRecord]) {
    let with: Vec<_> = ok(records).filter(|r| !r.stats.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Method statistics");
    for (method, runs) in Group::by(with.into_iter(), |r| r.spec.method.clone()) {
        let keys: std::collections::BTreeSet<&String> = runs.iter().flat_map(|r| r.stats.keys()).collect();
        let mut head = vec!["run"];
        head.extend(keys.iter().map(|k| k.as_str()));
        let body: Vec<Vec<Markup>> = runs
            .iter()
            .map(|r| {
                let mut row = vec![text(&r.id)];
                row.extend(keys.iter().map(|k| num(r.stats.get(*k).copied())));
                row
            })
            .collect();
        page.h3(&method);
        page.table(&head, &body, "stats");
    }
}

fn summary(page: &mut Page, records: &[RunRecord], metrics: &[(String, bool)]) {
    page.h2("Summary (mean ± std over seeds)");
    let groups = Group::by(ok(records), |r| {
        (r.spec.method.clone(), r.spec.variant.clone(), r.spec.dataset.clone(), r.spec.backend.name().to_string())
    });
    let mut by_method: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for (key, runs) in groups {
        by_method.entry(key.0.clone()).or_default().push((key, runs));
    }
    for (method, rows) in by_method {
        page.h3(&method);
        let mut head = vec!["variant", "settings", "dataset", "backend", "seeds"];
        head.extend(metrics.iter().map(|m| m.0.as_str()));
        head.extend(["train s", "steps/s", "render fps", "peak MiB"]);
        let body = rows
            .iter()
            .map(|(k, runs)| {
                let mut row = vec![text(&k.1), text(settings(&k.1)), text(&k.2), text(&k.3), text(runs.len())];
                let cell = |v: Vec<f64>| text(MeanStd::of(v.into_iter()).cell());
                row.extend(
                    metrics
                        .iter()
                        .map(|(m, _)| cell(runs.iter().filter_map(|r| r.aggregate.get(m).copied()).collect())),
                );
                row.push(cell(runs.iter().map(|r| r.timing.train_s).collect()));
                row.push(cell(runs.iter().map(|r| r.timing.steps_per_s).collect()));
                row.push(cell(runs.iter().map(|r| r.timing.render_fps).collect()));
                row.push(cell(runs.iter().map(|r| r.timing.peak_rss_mib).collect()));
                row
            })
            .collect::<Vec<_>>();
        page.table(&head, &body, "summary");
    }
}

/// The leaves where `variant`'s resolved config differs from `baseline`'s, as `path: baseline → variant`.
fn config_diff(baseline: &serde_json::Value, variant: &serde_json::Value) -> Vec<String> {
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
    leaves(String::new(), baseline, &mut a);
    leaves(String::new(), variant, &mut b);
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let missing = "(absent)".to_string();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| format!("{k}: {} → {}", a.get(k).unwrap_or(&missing), b.get(k).unwrap_or(&missing)))
        .collect()
}

/// A variant named `paper` (or `paper_<ablation>`) runs its write-up's own settings; every other run is sized for a
/// CPU, which the report says wherever it shows numbers.
fn settings(variant: &str) -> &'static str {
    if variant == "paper" || variant.starts_with("paper_") { "paper" } else { "CPU-sized" }
}

/// Variant minus baseline, paired by seed (within one dataset and backend); highlighted when the 95 % confidence
/// interval of the mean delta excludes zero.
fn ablation(page: &mut Page, records: &[RunRecord], metrics: &[(String, bool)]) {
    page.h2("Ablations (variant − baseline, paired by seed)");
    let groups =
        Group::by(ok(records), |r| (r.spec.method.clone(), r.spec.dataset.clone(), r.spec.backend.name().to_string()));
    let mut any = false;
    for ((method, dataset, backend), runs) in groups {
        let baseline: BTreeMap<u64, &RunRecord> =
            runs.iter().filter(|r| r.spec.variant == "baseline").map(|r| (r.spec.seed, *r)).collect();
        if baseline.is_empty() {
            continue;
        }
        let variants =
            Group::by(runs.iter().copied().filter(|r| r.spec.variant != "baseline"), |r| r.spec.variant.clone());
        if variants.is_empty() {
            continue;
        }
        any = true;
        page.h3(&format!("{method} on {dataset} ({backend})"));
        let base_cfg = &baseline.values().next().expect("non-empty").spec.config;
        let diffs: Vec<Vec<Markup>> = variants
            .iter()
            .map(|(variant, vruns)| vec![text(variant), text(config_diff(base_cfg, &vruns[0].spec.config).join("; "))])
            .collect();
        page.table(&["variant", "resolved config against the baseline's"], &diffs, "config-diff");
        let mut head = vec!["variant", "pairs"];
        head.extend(metrics.iter().map(|m| m.0.as_str()));
        let body = variants
            .iter()
            .map(|(variant, vruns)| {
                let mut row = vec![text(variant), html! {}];
                let mut pairs = 0;
                for (m, higher_better) in metrics {
                    let deltas: Vec<f64> = vruns
                        .iter()
                        .filter_map(|r| Some(r.aggregate.get(m)? - baseline.get(&r.spec.seed)?.aggregate.get(m)?))
                        .collect();
                    pairs = pairs.max(deltas.len());
                    let ms = MeanStd::of(deltas.into_iter());
                    row.push(ms.delta_cell(*higher_better));
                }
                row[1] = text(pairs);
                row
            })
            .collect::<Vec<_>>();
        page.table(&head, &body, "ablation");
    }
    if !any {
        page.para("No variant has a baseline run to compare with.");
    } else {
        page.para(
            "Mean delta over seeds ± the half-width of its 95 % confidence interval, t(0.975, n − 1)·s/√n. Green/red: \
             the interval excludes zero (better/worse). With one seed there is no spread to test, so the cell says \
             \"1 seed\" and nothing is highlighted.",
        );
    }
}

/// One per-view metric read off a [`ViewMetrics`] (LPIPS is keyed by network, so these are closures).
type ViewMetric = Box<dyn Fn(&ViewMetrics) -> Option<f64>>;

/// Per test view, the method beside each trivial reference; a method cell is red where the reference does better.
fn references(page: &mut Page, records: &[RunRecord]) {
    let with: Vec<_> = ok(records).filter(|r| !r.references.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Per test view: method and trivial references");
    let described: BTreeMap<&str, &str> =
        with.iter().flat_map(|r| r.references.iter().map(|(k, v)| (k.as_str(), v.description.as_str()))).collect();
    for (name, description) in described {
        page.para(&format!("{name}: {description}."));
    }
    page.para("Red: the method does no better than a reference on that view.");
    for r in with {
        page.h3(&r.id);
        let nets: std::collections::BTreeSet<String> = r.views.iter().flat_map(|v| v.lpips.keys().cloned()).collect();
        let mut shown: Vec<(String, bool, ViewMetric)> =
            vec![("psnr".into(), true, Box::new(|v| v.psnr)), ("ssim".into(), true, Box::new(|v| v.ssim))];
        for net in nets {
            let key = net.clone();
            shown.push((format!("lpips_{net}"), false, Box::new(move |v| v.lpips.get(&key).copied())));
        }
        let mut head = vec!["view".to_string()];
        for (m, _, _) in &shown {
            head.push(m.to_string());
            head.extend(r.references.keys().map(|name| format!("{m} {name}")));
        }
        head.push("notes".into());
        let body = r
            .views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut row = vec![text(&v.view)];
                for (_, higher_better, get) in &shown {
                    let refs: Vec<Option<f64>> =
                        r.references.values().map(|rf| rf.views.get(i).and_then(get)).collect();
                    let beaten = get(v)
                        .is_some_and(|x| refs.iter().flatten().any(|&y| if *higher_better { y >= x } else { y <= x }));
                    row.push(if beaten {
                        html! { span.worse { (num(get(v))) } }
                    } else {
                        num(get(v))
                    });
                    row.extend(refs.iter().map(|y| num(*y)));
                }
                row.push(text(&v.notes));
                row
            })
            .collect::<Vec<_>>();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        page.table(&head, &body, "references");
    }
}

fn backends(page: &mut Page, records: &[RunRecord]) {
    page.h2("Backends");
    let groups = Group::by(ok(records), |r| (r.spec.method.clone(), r.spec.variant.clone(), r.spec.dataset.clone()));
    let head =
        ["method", "variant", "dataset", "backend", "train s", "steps/s", "render fps", "peak MiB", "psnr", "ssim"];
    let mut body = Vec::new();
    for ((method, variant, dataset), runs) in groups {
        for (backend, bruns) in Group::by(runs.into_iter(), |r| r.spec.backend.name().to_string()) {
            let cell = |v: Vec<f64>| text(MeanStd::of(v.into_iter()).cell());
            let metric = |m: &str| cell(bruns.iter().filter_map(|r| r.aggregate.get(m).copied()).collect());
            body.push(vec![
                text(&method),
                text(&variant),
                text(&dataset),
                text(&backend),
                cell(bruns.iter().map(|r| r.timing.train_s).collect()),
                cell(bruns.iter().map(|r| r.timing.steps_per_s).collect()),
                cell(bruns.iter().map(|r| r.timing.render_fps).collect()),
                cell(bruns.iter().map(|r| r.timing.peak_rss_mib).collect()),
                metric("psnr"),
                metric("ssim"),
            ]);
        }
    }
    page.table(&head, &body, "backends");
}

/// Failed and skipped runs and metrics that could not be computed first, with why; then every run's log.
fn runs(page: &mut Page, records: &[RunRecord], bench_dir: &Path) {
    let log = |r: &RunRecord| {
        let rel = format!("logs/{}.log", r.id);
        if bench_dir.join(&rel).is_file() {
            html! { a href=(rel) { "log" } }
        } else {
            text("–")
        }
    };
    let status = |r: &RunRecord| text(format!("{:?}", r.status).to_lowercase());
    let bad: Vec<_> = records.iter().filter(|r| r.status != RunStatus::Ok || !r.failed_metrics.is_empty()).collect();
    if !bad.is_empty() {
        page.h2("Failed and skipped runs, metrics not computed");
        let body = bad
            .iter()
            .map(|r| {
                let mut why = vec![r.reason.clone()];
                why.extend(r.failed_metrics.iter().map(|(m, e)| format!("{m} not computed: {e}")));
                why.retain(|w| !w.is_empty());
                vec![text(&r.id), status(r), text(why.join("; ")), log(r)]
            })
            .collect::<Vec<_>>();
        page.table(&["run", "status", "reason", "log"], &body, "failures");
    }
    page.h2("Run logs");
    let body = records.iter().map(|r| vec![text(&r.id), status(r), log(r)]).collect::<Vec<_>>();
    page.table(&["run", "status", "log"], &body, "logs");
}
