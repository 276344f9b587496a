//! One self-contained HTML file from run records: inline CSS and SVG, images as data URIs, no network.
//!
//! The report reads only [`RunRecord`]s and the image files they name (relative to the bench directory), so it
//! can be rebuilt from any results directory, including merged shards.

mod html;
mod stats;
mod svg;

use html::{Page, esc};
use splatbench_core::{RunRecord, RunStatus, ViewMetrics};
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
    summary(&mut page, records, &metrics);
    ablation(&mut page, records, &metrics);
    references(&mut page, records);
    backends(&mut page, records);
    runs(&mut page, records, bench_dir);
    curves(&mut page, records);
    images(&mut page, records, bench_dir);
    page.finish()
}

fn ok(records: &[RunRecord]) -> impl Iterator<Item = &RunRecord> {
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
    let mut conv = BTreeMap::new();
    let mut env = BTreeMap::new();
    for r in records {
        conv.extend(r.conventions.clone());
        env.extend(r.environment.clone());
    }
    page.h2("Metric conventions");
    page.kv_table(&conv);
    page.h2("Machine and versions");
    page.kv_table(&env);
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
        let mut head = vec!["variant", "dataset", "backend", "seeds"];
        head.extend(metrics.iter().map(|m| m.0.as_str()));
        head.extend(["train s", "steps/s", "render fps", "peak MiB"]);
        let body = rows
            .iter()
            .map(|(k, runs)| {
                let mut row = vec![esc(&k.1), esc(&k.2), esc(&k.3), runs.len().to_string()];
                row.extend(
                    metrics
                        .iter()
                        .map(|(m, _)| MeanStd::of(runs.iter().filter_map(|r| r.aggregate.get(m).copied())).cell()),
                );
                row.push(MeanStd::of(runs.iter().map(|r| r.timing.train_s)).cell());
                row.push(MeanStd::of(runs.iter().map(|r| r.timing.steps_per_s)).cell());
                row.push(MeanStd::of(runs.iter().map(|r| r.timing.render_fps)).cell());
                row.push(MeanStd::of(runs.iter().map(|r| r.timing.peak_rss_mib)).cell());
                row
            })
            .collect::<Vec<_>>();
        page.table(&head, &body, "summary");
    }
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
        let mut head = vec!["variant", "pairs"];
        head.extend(metrics.iter().map(|m| m.0.as_str()));
        let body = variants
            .iter()
            .map(|(variant, vruns)| {
                let mut row = vec![esc(variant), String::new()];
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
                row[1] = pairs.to_string();
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
        let mut shown: Vec<(String, bool, Box<dyn Fn(&ViewMetrics) -> Option<f64>>)> =
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
        let body = r
            .views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut row = vec![esc(&v.view)];
                for (_, higher_better, get) in &shown {
                    let refs: Vec<Option<f64>> =
                        r.references.values().map(|rf| rf.views.get(i).and_then(|w| get(w))).collect();
                    let beaten = get(v)
                        .is_some_and(|x| refs.iter().flatten().any(|&y| if *higher_better { y >= x } else { y <= x }));
                    let cell = get(v).map_or("–".to_string(), fmt);
                    row.push(if beaten { format!("<span class=\"worse\">{cell}</span>") } else { cell });
                    row.extend(refs.iter().map(|y| y.map_or("–".to_string(), fmt)));
                }
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
            body.push(vec![
                esc(&method),
                esc(&variant),
                esc(&dataset),
                esc(&backend),
                MeanStd::of(bruns.iter().map(|r| r.timing.train_s)).cell(),
                MeanStd::of(bruns.iter().map(|r| r.timing.steps_per_s)).cell(),
                MeanStd::of(bruns.iter().map(|r| r.timing.render_fps)).cell(),
                MeanStd::of(bruns.iter().map(|r| r.timing.peak_rss_mib)).cell(),
                MeanStd::of(bruns.iter().filter_map(|r| r.aggregate.get("psnr").copied())).cell(),
                MeanStd::of(bruns.iter().filter_map(|r| r.aggregate.get("ssim").copied())).cell(),
            ]);
        }
    }
    page.table(&head, &body, "backends");
}

/// Failed and skipped runs and metrics that could not be computed first, with why; then every run's log.
fn runs(page: &mut Page, records: &[RunRecord], bench_dir: &Path) {
    let log = |r: &RunRecord| {
        let rel = format!("logs/{}.log", r.id);
        if bench_dir.join(&rel).is_file() { format!("<a href=\"{}\">log</a>", esc(&rel)) } else { "–".into() }
    };
    let bad: Vec<_> = records.iter().filter(|r| r.status != RunStatus::Ok || !r.failed_metrics.is_empty()).collect();
    if !bad.is_empty() {
        page.h2("Failed and skipped runs, metrics not computed");
        let body = bad
            .iter()
            .map(|r| {
                let mut why = vec![r.reason.clone()];
                why.extend(r.failed_metrics.iter().map(|(m, e)| format!("{m} not computed: {e}")));
                why.retain(|w| !w.is_empty());
                vec![esc(&r.id), format!("{:?}", r.status).to_lowercase(), esc(&why.join("; ")), log(r)]
            })
            .collect::<Vec<_>>();
        page.table(&["run", "status", "reason", "log"], &body, "failures");
    }
    page.h2("Run logs");
    let body =
        records.iter().map(|r| vec![esc(&r.id), format!("{:?}", r.status).to_lowercase(), log(r)]).collect::<Vec<_>>();
    page.table(&["run", "status", "log"], &body, "logs");
}

fn curves(page: &mut Page, records: &[RunRecord]) {
    let with: Vec<_> = ok(records).filter(|r| r.loss_curve.len() > 1).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Loss curves");
    for (method, runs) in Group::by(with.into_iter(), |r| r.spec.method.clone()) {
        let series: Vec<(String, &[(usize, f64)])> = runs
            .iter()
            .map(|r| {
                (
                    format!("{} {} {} s{}", r.spec.variant, r.spec.dataset, r.spec.backend.name(), r.spec.seed),
                    r.loss_curve.as_slice(),
                )
            })
            .collect();
        page.h3(&method);
        page.raw(&svg::loss_chart(&series));
    }
}

fn images(page: &mut Page, records: &[RunRecord], bench_dir: &Path) {
    let with: Vec<_> = ok(records).filter(|r| !r.images.is_empty() || !r.artifacts.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.h2("Images (prediction, ground truth, error)");
    for r in with {
        page.h3(&r.id);
        for t in &r.images {
            page.raw("<div class=\"grid\">");
            for (cap, rel) in [("prediction", &t.pred), ("ground truth", &t.gt), ("|error|", &t.error)] {
                page.figure(&bench_dir.join(rel), &format!("{} — {cap}", t.view));
            }
            page.raw("</div>");
        }
        let figures: Vec<_> =
            r.artifacts.iter().filter(|(p, _)| [".png", ".gif", ".svg"].iter().any(|e| p.ends_with(e))).collect();
        if !figures.is_empty() {
            page.raw("<div class=\"grid\">");
            for (rel, cap) in figures {
                page.figure(&bench_dir.join(rel), cap);
            }
            page.raw("</div>");
        }
    }
}
