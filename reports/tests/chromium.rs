//! The report opens in headless Chromium without console errors, shows its tables and passes the acceptance checks
//! (`support/acceptance.rs`, which the smoke bench's real report passes too). The screenshot is kept as a CI
//! artefact in `target/ci-artifacts/report.png` (see `support/chromium.rs`).

#[path = "support/acceptance.rs"]
mod acceptance;
#[path = "support/chromium.rs"]
mod chromium;

use splatbench_core::{Backend, Phase};

use splatbench_record::{ImageTriple, Reference, RunRecord, RunSpec, RunStatus, Timing, ViewMetrics};
use splatbench_reports::render_report;
use std::collections::BTreeMap;

fn record(method: &str, variant: &str, seed: u64, psnr: f64, status: RunStatus) -> RunRecord {
    let spec = RunSpec {
        suite: "test".into(),
        method: method.into(),
        variant: variant.into(),
        dataset: "gen:toy".into(),
        backend: Backend::Ndarray,
        device: None,
        control: None,
        seed,
        lpips: vec!["vgg".into()],
        config: serde_json::json!({ "steps": 100, "camera_noise_deg": if variant == "noisy" { 8.0 } else { 0.0 } }),
    };
    RunRecord {
        schema: splatbench_record::RECORD_SCHEMA,
        id: spec.id(),
        spec,
        provenance: Default::default(),
        failed_metrics: BTreeMap::new(),
        status,
        reason: if status_is_ok(&status) { String::new() } else { "loss is NaN".into() },
        views: vec![],
        aggregate: BTreeMap::from([("psnr".into(), psnr), ("ssim".into(), 0.8 + psnr / 1000.0)]),
        objects: 1,
        conditioning: vec![],
        conditioning_aggregate: BTreeMap::from([("psnr".into(), psnr + 5.0)]),
        initial: BTreeMap::from([("psnr".into(), 9.0), ("ssim".into(), 0.3)]),
        references: BTreeMap::new(),
        timing: Timing {
            train_s: 1.5 + seed as f64,
            steps: 100,
            steps_per_s: 66.0,
            render_fps: 30.0,
            peak_rss_mib: 120.0,
            phases_s: BTreeMap::from([(Phase::Data, 0.2), (Phase::Forward, 0.5), (Phase::Backward, 0.7)]),
            ..Default::default()
        },
        loss_curve: (0..20).map(|i| (i * 10, 1.0 / (1.0 + i as f64))).collect(),
        loss_wall_s: (0..20).map(|i| 0.07 * i as f64).collect(),
        stats: BTreeMap::from([("gaussians".into(), 1000.0)]),
        images: vec![],
        renders: vec![],
        artifacts: vec![],
        conventions: BTreeMap::from([("ssim".into(), "3DGS".into())]),
        environment: BTreeMap::from([("cpu".into(), "test".into())]),
    }
}

/// A valid 2×2 RGB PNG (the report embeds whatever the run wrote; the test only needs real image files).
const PNG: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0, 253, 212, 154,
    115, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 56, 161, 161, 1, 68, 12, 16, 10, 0, 33, 46, 4, 97, 30, 224, 109,
    194, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// Two embedded views (render, ground truth, error) and two linked renders, as the bench writes them.
fn with_images(mut r: RunRecord, dir: &std::path::Path) -> RunRecord {
    let id = r.id.clone();
    let file = |name: String| {
        let rel = format!("images/{id}/{name}.png");
        std::fs::create_dir_all(dir.join(&rel).parent().unwrap()).unwrap();
        std::fs::write(dir.join(&rel), PNG).unwrap();
        rel
    };
    r.images = ["r_0", "r_4"]
        .iter()
        .map(|v| ImageTriple {
            view: v.to_string(),
            pred: file(format!("{v}_pred")),
            gt: file(format!("{v}_gt")),
            error: file(format!("{v}_error")),
        })
        .collect();
    r.renders = ["r_1", "r_2"].iter().map(|v| file(format!("{v}_pred"))).collect();
    r
}

fn status_is_ok(s: &RunStatus) -> bool {
    *s == RunStatus::Ok
}

#[test]
fn report_renders_in_headless_chromium() {
    let records = vec![
        record("head", "baseline", 0, 20.0, RunStatus::Ok),
        record("head", "baseline", 1, 20.5, RunStatus::Ok),
        record("head", "noisy", 0, 21.0, RunStatus::Ok),
        record("head", "noisy", 1, 21.6, RunStatus::Ok),
        record("roigs", "baseline", 0, 0.0, RunStatus::Failed),
    ];
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<RunRecord> = records.into_iter().map(|r| with_images(r, dir.path())).collect();
    let html = render_report("splatbench test report", &records, dir.path());
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).unwrap();
    let (dom, console) = chromium::dom_and_console(&page);
    assert!(console.is_empty(), "console messages: {console:?}");
    for expected in [
        "<table class=\"ablation\"",
        "<table class=\"backends\"",
        "<table class=\"failures\"",
        "<table class=\"matrix\" data-sort",
        "<table class=\"initial\"",
        "<table class=\"stats\"",
        "<table class=\"conditioning\"",
        "camera_noise_deg: 0.0 → 8.0",
        "class=\"grid thumbs\"",
        "class=\"slider\"",
        "<input type=\"range\"",
        "class=\"phases\"",
        "class=\"chart\"",
        "class=\"ytick\"",
        "<nav class=\"toc\"",
        "<svg",
    ] {
        assert!(dom.contains(expected), "rendered page lacks {expected}");
    }
    assert!(dom.contains("noisy") && dom.contains("loss is NaN"));
    // The matrix's best PSNR on the dataset (noisy, mean 21.3 over its two seeds) is in bold.
    assert!(dom.contains("<b>21.30 ± 0.42</b>"), "best cell not bold");
    assert!(dom.contains("<details><summary>2 more test views"), "linked renders missing");
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    acceptance::check(&page, &ids);
    chromium::screenshot(&page, "report.png");
}

#[test]
fn ablation_highlights_consistent_improvement() {
    let records = vec![
        record("m", "baseline", 0, 20.0, RunStatus::Ok),
        record("m", "baseline", 1, 20.2, RunStatus::Ok),
        record("m", "better", 0, 21.0, RunStatus::Ok),
        record("m", "better", 1, 21.3, RunStatus::Ok),
    ];
    let html = render_report("t", &records, std::path::Path::new("."));
    assert!(html.contains("class=\"better\">+1.05 ± 0.64 winner"), "{html}");
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "the report must not load anything from the network"
    );
}

#[test]
fn reference_table_marks_the_views_a_reference_wins() {
    let vm = |view: &str, psnr: f64| ViewMetrics { view: view.into(), psnr: Some(psnr), ..Default::default() };
    let mut r = record("m", "baseline", 0, 20.0, RunStatus::Ok);
    r.views = vec![vm("front", 25.0), vm("side", 8.5)];
    r.references.insert(
        "mean_colour".into(),
        Reference {
            description: "flat".into(),
            views: vec![vm("front", 9.0), vm("side", 9.25)],
            aggregate: BTreeMap::new(),
        },
    );
    let html = render_report("t", &[r], std::path::Path::new("."));
    assert!(html.contains("<table class=\"references\""), "{html}");
    assert!(html.contains("<td class=\"l\">front</td><td>25.00</td><td>9.00</td>"), "{html}");
    assert!(
        html.contains("<td class=\"l\">side</td><td><span class=\"worse\">8.50</span></td><td>9.25</td>"),
        "{html}"
    );
    assert!(html.contains("mean_colour: flat."), "{html}");
}

/// The acceptance checks on a report a bench already wrote, named by `SPLATBENCH_REPORT` (its run ids come from
/// `runs/*.json` beside it): `SPLATBENCH_REPORT=out/report.html cargo test -p splatbench-reports --test chromium --
/// --ignored`. The smoke test runs the same checks on a fresh bench; this reruns them without one.
#[test]
#[ignore = "needs SPLATBENCH_REPORT, the path of a bench's report.html"]
fn acceptance_of_a_written_report() {
    let page = std::path::PathBuf::from(std::env::var("SPLATBENCH_REPORT").expect("SPLATBENCH_REPORT"));
    let runs = page.parent().unwrap().join("runs");
    let ids: Vec<String> = std::fs::read_dir(&runs)
        .unwrap_or_else(|e| panic!("{}: {e}", runs.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| p.file_stem()?.to_str().map(str::to_string))
        .collect();
    let probe = acceptance::check(&page, &ids);
    let (bytes, files) = acceptance::weight(&page);
    println!("weight {bytes} bytes: report.html and {} files; verdict {}", files.len(), probe["verdict"]);
}
