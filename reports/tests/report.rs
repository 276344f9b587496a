//! Acceptance tests of issue #37 on synthetic records (no training, no browser): the backends section, paired
//! verdicts, chart ticks, integer count cells, escaping, contents anchors, the image budget, the check verdict.

use splatbench_core::Backend;

use splatbench_record::{ImageTriple, Reference, RunRecord, RunSpec, RunStatus, Timing, ViewMetrics};
use splatbench_reports::{CheckVerdict, EMBED_BUDGET, ReportOptions, render_report, render_report_with};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn record(method: &str, variant: &str, dataset: &str, backend: Backend, seed: u64, psnr: f64) -> RunRecord {
    let spec = RunSpec {
        suite: "test".into(),
        method: method.into(),
        variant: variant.into(),
        dataset: dataset.into(),
        backend,
        device: None,
        control: None,
        seed,
        lpips: vec!["vgg".into()],
        config: serde_json::json!({ "steps": 100, "variant": variant }),
    };
    let view = |name: &str, d: f64| ViewMetrics {
        view: name.into(),
        psnr: Some(psnr + d),
        ssim: Some(0.8),
        lpips: BTreeMap::from([("vgg".to_string(), 0.3)]),
        ..Default::default()
    };
    RunRecord {
        schema: splatbench_record::RECORD_SCHEMA,
        id: spec.id(),
        spec,
        provenance: Default::default(),
        status: RunStatus::Ok,
        reason: String::new(),
        views: vec![view("r_0", -0.5), view("r_4", 0.5)],
        aggregate: BTreeMap::from([
            ("psnr".into(), psnr),
            ("ssim".into(), 0.8 + psnr / 1000.0),
            ("lpips_vgg".into(), 0.5 - psnr / 100.0),
        ]),
        objects: 1,
        conditioning: vec![],
        conditioning_aggregate: BTreeMap::new(),
        failed_metrics: BTreeMap::new(),
        initial: BTreeMap::new(),
        references: BTreeMap::from([(
            "mean_colour".to_string(),
            Reference {
                description: "flat".into(),
                views: vec![],
                aggregate: BTreeMap::from([("psnr".into(), 12.0), ("ssim".into(), 0.5)]),
            },
        )]),
        timing: Timing {
            train_s: 2.0 + seed as f64,
            steps: 100,
            steps_per_s: 50.0,
            render_fps: 30.0,
            peak_rss_mib: 120.4,
            phases_s: BTreeMap::new(),
            ..Default::default()
        },
        loss_curve: (0..20).map(|i| (i * 10, 1.0 / (1.0 + i as f64))).collect(),
        loss_wall_s: (0..20).map(|i| 0.1 * i as f64).collect(),
        stats: BTreeMap::from([("gaussians".into(), 1000.0), ("camera_error_deg".into(), 0.25)]),
        images: vec![],
        renders: vec![],
        artifacts: vec![],
        conventions: BTreeMap::from([("ssim".into(), "3DGS".into())]),
        environment: BTreeMap::from([(
            "onnxruntime".into(),
            "ORT Build Info: git-branch=rel-1.20.1, git-commit-id=5c1b7cc, build type=Release".into(),
        )]),
    }
}

fn toy(variant: &str, seed: u64, psnr: f64) -> RunRecord {
    record("m", variant, "gen:toy", Backend::Ndarray, seed, psnr)
}

fn render(records: &[RunRecord]) -> String {
    render_report("t", records, Path::new("/nonexistent"))
}

/// The `<tr>…</tr>` of the first row whose first cell is `first`.
fn row<'a>(html: &'a str, first: &str) -> &'a str {
    let start = [format!("<tr><td>{first}</td>"), format!("<tr><td class=\"l\">{first}</td>")]
        .iter()
        .filter_map(|r| html.find(r.as_str()))
        .min()
        .unwrap_or_else(|| panic!("no row {first}"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

/// Every table as (header cells, body rows of cells), read off the markup the report writes.
fn tables(html: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    let cells = |s: &str, tag: &str| -> Vec<String> {
        s.split(&format!("<{tag}"))
            .skip(1)
            .map(|c| {
                let c = &c[c.find('>').unwrap() + 1..];
                c[..c.find(&format!("</{tag}>")).unwrap_or(c.len())].to_string()
            })
            .collect()
    };
    html.split("<table")
        .skip(1)
        .map(|t| {
            let t = &t[..t.find("</table>").unwrap()];
            let (head, body) = t.split_once("<tbody>").unwrap_or(("", t));
            let last_head_row = head.rsplit("<tr>").next().unwrap_or("");
            (cells(last_head_row, "th"), body.split("<tr>").skip(1).map(|r| cells(r, "td")).collect())
        })
        .collect()
}

#[test]
fn three_backends_side_by_side_with_ratios_and_the_largest_difference() {
    let mut records = Vec::new();
    for (backend, speed, psnr) in
        [(Backend::Ndarray, 10.0, 20.0), (Backend::Wgpu, 40.0, 20.25), (Backend::Tch, 20.0, 20.6)]
    {
        let mut r = record("m", "baseline", "gen:toy", backend, 0, psnr);
        r.timing.steps_per_s = speed;
        records.push(r);
    }
    let html = render(&records);
    let backends = &html[html.find("<table class=\"backends\">").expect("no backends table")..];
    let r = row(backends, "m");
    for b in ["ndarray", "wgpu", "tch"] {
        assert!(html.contains(&format!("<th colspan=\"7\">{b}</th>")), "no column group for {b}");
    }
    assert!(r.contains("0.25×") && r.contains("0.50×") && r.contains("1.00× ★ fastest"), "{r}");
    assert!(r.contains("0.60 (tch − ndarray)"), "largest PSNR difference missing: {r}");
}

#[test]
fn two_seeds_mark_a_winner_where_the_interval_excludes_zero_and_ns_where_it_spans_it() {
    let records = vec![
        toy("baseline", 0, 20.0),
        toy("baseline", 1, 20.2),
        toy("better", 0, 21.0),
        toy("better", 1, 21.3),
        toy("noisy", 0, 19.0),
        toy("noisy", 1, 21.5),
    ];
    let html = render(&records);
    let ablation = &html[html.find("<table class=\"ablation\"").expect("ablation table")..];
    let better = row(ablation, "better");
    assert!(better.contains("winner on PSNR dB") && better.contains("+1.05 ± 0.64 winner"), "{better}");
    let noisy = row(ablation, "noisy");
    assert!(noisy.contains("n.s.") && !noisy.contains("winner"), "{noisy}");
    assert!(html.contains("Control: &quot;baseline&quot;."), "control not named");
    for h in ["Δ PSNR dB ↑", "Δ SSIM ↑", "Δ LPIPS-vgg ↓"] {
        assert!(ablation.contains(&format!("<th>{h}</th>")), "no header {h}");
    }
}

#[test]
fn one_seed_says_no_test_and_an_entry_without_baseline_names_its_control() {
    let html = render(&[toy("baseline", 0, 20.0), toy("better", 0, 21.0)]);
    assert!(html.contains("n = 1: no test"), "one seed not flagged");
    assert!(!html.contains(" winner"), "a winner with one seed");
    let nerf = [
        record("nerf", "small", "gen:toy", Backend::Ndarray, 0, 20.0),
        record("nerf", "big", "gen:toy", Backend::Ndarray, 0, 21.0),
    ];
    let html = render(&nerf);
    assert!(
        html.contains("No variant is named &quot;baseline&quot;: the control is &quot;big&quot;, the first variant in sorted order."),
        "defaulted control not said"
    );
}

#[test]
fn every_chart_has_three_distinct_y_tick_labels_and_point_titles() {
    let mut records = vec![toy("baseline", 0, 20.0), toy("baseline", 1, 20.2), toy("better", 0, 21.0)];
    records.push(record("m", "baseline", "gen:other", Backend::Wgpu, 0, 30.0));
    let html = render(&records);
    let charts: Vec<&str> =
        html.split("<div class=\"chart\">").skip(1).map(|c| &c[..c.find("</svg>").unwrap()]).collect();
    // One PSNR chart per dataset and two loss charts (step, seconds) for the method.
    assert_eq!(charts.len(), 4, "charts");
    for c in &charts {
        let labels: Vec<&str> = c
            .split("class=\"ytick\"")
            .skip(1)
            .map(|t| &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()])
            .collect();
        assert!(labels.len() >= 3, "{labels:?}");
        assert_eq!(labels.iter().collect::<BTreeSet<_>>().len(), labels.len(), "duplicate ticks {labels:?}");
        assert!(c.contains("<title>m__"), "points without a run id title");
    }
    assert!(
        html.contains("PSNR against training time on gen:other")
            && html.contains("<button type=\"button\" data-series")
    );
}

#[test]
fn count_cells_are_integers() {
    let mut records =
        vec![toy("baseline", 0, 20.0), toy("baseline", 1, 20.2), toy("better", 0, 21.0), toy("better", 1, 21.4)];
    records[0].conditioning_aggregate = BTreeMap::from([("psnr".into(), 25.0)]);
    let html = render(&records);
    let counts = ["seeds", "pairs", "objects", "steps", "seed", "gaussians"];
    let mut seen = 0;
    for (head, rows) in tables(&html) {
        for (j, h) in head.iter().enumerate() {
            if counts.contains(&h.as_str()) {
                for r in &rows {
                    let c = &r[j];
                    seen += 1;
                    assert!(!c.as_bytes().windows(2).any(|w| w[0] == b'.' && w[1].is_ascii_digit()), "{h}: {c}");
                }
            }
        }
    }
    assert!(seen >= 10, "only {seen} count cells found");
    assert!(html.contains("<td>0.2500</td>"), "camera error at 4 significant digits");
}

#[test]
fn hostile_names_render_as_text() {
    let evil = "</script><script>alert(1)</script>";
    let records = vec![toy("baseline", 0, 20.0), toy("baseline", 1, 20.1), toy(evil, 0, 21.0), toy(evil, 1, 21.2)];
    let html = render(&records);
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own script");
    assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "name not shown escaped");
}

#[test]
fn contents_anchors_resolve_and_sections_fold() {
    let mut records = vec![toy("baseline", 0, 20.0), toy("better", 0, 21.0)];
    records.push(record("m", "baseline", "gen:other", Backend::Wgpu, 0, 30.0));
    records[1].status = RunStatus::Failed;
    records[1].reason = "loss is NaN".into();
    let html = render(&records);
    let ids: BTreeSet<&str> = html.split(" id=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    let hrefs: Vec<&str> = html.split("href=\"#").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert!(hrefs.len() >= 6, "{hrefs:?}");
    for h in &hrefs {
        assert!(ids.contains(h), "#{h} does not resolve");
    }
    assert!(html.contains("<details class=\"section\""), "sections not collapsible");
    // Failures come first, before the results.
    let fail = html.find("<table class=\"failures\"").expect("failures");
    assert!(fail < html.find("<table class=\"matrix\"").unwrap());
}

#[test]
fn layout_rules_hold() {
    let html = render(&[toy("baseline", 0, 20.0), toy("better", 0, 21.0)]);
    // Every table scrolls in its own box.
    assert_eq!(html.matches("<table").count(), html.matches("<div class=\"scroll\"><table").count());
    assert!(!html.contains("<th></th>"), "an empty header cell");
    assert!(html.contains("<th class=\"l\" scope=\"row\">onnxruntime</th><td>1.20.1</td>"), "onnxruntime version");
    assert!(html.contains("pipeline numbers on CPU-sized data"), "scope line");
    assert!(
        html.contains("<th>PSNR dB ↑</th>")
            && html.contains("<th>peak MiB ↓</th>")
            && html.contains("<th>steps/s ↑</th>")
    );
    assert!(html.contains("<td>120</td>"), "memory as whole MiB");
    assert!(!html.contains("mean over its datasets"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "nothing from the network");
}

#[test]
fn matrix_is_grouped_by_dataset_and_flags_runs_below_the_mean_colour() {
    let mut bad = toy("baseline", 0, 11.0);
    bad.spec.method = "weak".into();
    let records = vec![toy("baseline", 0, 20.0), bad, record("n", "baseline", "gen:other", Backend::Ndarray, 0, 25.0)];
    let html = render(&records);
    let matrices = html.matches("<table class=\"matrix\"").count();
    assert_eq!(matrices, 2, "one matrix per dataset");
    let weak = row(&html[html.find("<table class=\"matrix\"").unwrap()..], "weak");
    assert!(weak.contains("⚠ 1/1"), "{weak}");
    assert!(
        !row(&html[html.find("<table class=\"matrix\"").unwrap()..], "n").contains('–'),
        "a dash in a dataset's own row"
    );
}

#[test]
fn the_check_verdict_stands_at_the_top() {
    let opts = ReportOptions {
        check: Some(CheckVerdict {
            passed: false,
            against: "base<line>.json".into(),
            table: "run  psnr  REGRESSED".into(),
        }),
        ..Default::default()
    };
    let html = render_report_with("t", &[toy("baseline", 0, 20.0)], Path::new("."), &opts);
    let verdict = html.find("<div class=\"verdict fail\"><strong>--check FAILED</strong>").expect("verdict");
    assert!(verdict < html.find("<nav class=\"toc\"").unwrap());
    assert!(html.contains("base&lt;line&gt;.json") && html.contains("REGRESSED"));
    assert!(!render(&[toy("baseline", 0, 20.0)]).contains("class=\"verdict"));
}

/// `n` KB of bytes as an image file beside the report (the report only embeds or links it).
fn image(dir: &Path, rel: &str, kb: usize) -> String {
    std::fs::create_dir_all(dir.join(rel).parent().unwrap()).unwrap();
    std::fs::write(dir.join(rel), vec![0x89u8; kb * 1024]).unwrap();
    rel.to_string()
}

fn with_images(mut r: RunRecord, dir: &Path, kb: usize) -> RunRecord {
    let id = r.id.clone();
    r.images = ["r_0", "r_4"]
        .iter()
        .map(|v| ImageTriple {
            view: v.to_string(),
            pred: image(dir, &format!("images/{id}/{v}_pred.png"), kb),
            gt: image(dir, &format!("images/{id}/{v}_gt.png"), kb),
            error: image(dir, &format!("images/{id}/{v}_error.png"), kb),
        })
        .collect();
    r
}

#[test]
fn embedded_images_stay_under_the_budget_however_many_runs() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<RunRecord> = (0..60)
        .map(|i| {
            with_images(
                toy(if i % 2 == 0 { "baseline" } else { "better" }, i / 2, 20.0 + i as f64 / 100.0),
                dir.path(),
                8,
            )
        })
        .collect();
    let html = render_report("t", &records, dir.path());
    let embedded: usize = html.split("src=\"data:").skip(1).map(|s| s.find('"').unwrap()).sum();
    assert!(embedded <= EMBED_BUDGET, "{embedded} bytes embedded");
    assert!(embedded > EMBED_BUDGET / 2, "the budget is not used: {embedded}");
    assert!(html.contains("<img loading=\"lazy\" src=\"images/"), "no lazy images past the budget");
    let all =
        render_report_with("t", &records, dir.path(), &ReportOptions { embed_all_images: true, ..Default::default() });
    assert!(!all.contains("loading=\"lazy\""), "embed-everything still links");
}

#[test]
fn a_comparison_shows_like_with_like() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<RunRecord> =
        [toy("baseline", 0, 20.0), toy("better", 0, 21.0)].into_iter().map(|r| with_images(r, dir.path(), 1)).collect();
    let html = render_report("t", &records, dir.path());
    let cmp = &html[html.find("<div class=\"compare\">").expect("comparison")..];
    let cmp = &cmp[..cmp.find("<div class=\"slider\">").unwrap()];
    for key in ["ground truth", "control: baseline", "better"] {
        assert!(cmp.contains(&format!("<strong>{key}</strong>")), "{key} missing");
    }
    assert!(cmp.contains("PSNR 20.50 dB · SSIM 0.8000 · LPIPS-vgg 0.3000"), "per-view metrics");
    assert!(cmp.contains("class=\"colorbar\"") && cmp.contains("≥ 0.250"), "colour bar and scale");
    assert_eq!(cmp.matches("<select").count(), 2, "two pickers");
    assert_eq!(cmp.matches("<option").count(), 6, "each picker offers ground truth, control, variant");
}
