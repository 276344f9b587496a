//! One run, in its own process: load data, train, reconstruct, score the test views, write the record.
//!
//! Progress goes to stdout as `PROGRESS <step> <total> <loss>` lines the orchestrator turns into a bar.
//!
//! The harness, not the method, decides what is scored: see [`super::score`].
//!
//! Test hook: with `SPLATBENCH_TEST_SLEEP=<text>:<seconds>` in the environment, a run whose id contains `<text>`
//! sleeps that long before it starts (the bench's timeout and lock tests use it); with
//! `SPLATBENCH_TEST_KILL_BENCH=<text>:<step>`, such a run kills its bench with SIGKILL on reaching that step (the
//! resume tests use it: a bench killed mid-run, deterministically). Without the variables nothing changes.

use super::score::Scoring;
use super::{conditioning, lock, registry, store::Store};
use serde::{Deserialize, Serialize};
use splatbench_core::{Error, Progress, Result, RunContext};
use splatbench_data::reference as data;
use splatbench_metrics::{Lpips, Net};
use splatbench_record::{Provenance, RECORD_SCHEMA, RunRecord, RunSpec, RunStatus, Timing};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

struct StdoutProgress {
    total: u64,
    kill_bench_at: Option<u64>,
}

impl Progress for StdoutProgress {
    fn set_total(&mut self, steps: u64) {
        self.total = steps;
    }
    fn step(&mut self, step: u64, loss: f64) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "PROGRESS {step} {} {loss}", self.total);
        let _ = out.flush();
        if self.kill_bench_at == Some(step) {
            // The test hook (module docs): the bench and this run die as under `kill -9` of the bench.
            unsafe {
                libc::kill(libc::getppid(), libc::SIGKILL);
            }
            std::process::exit(137);
        }
    }
}

/// The `SPLATBENCH_TEST_KILL_BENCH` hook (module docs): the step at which the run `id` kills its bench, if any.
fn kill_bench_at(id: &str) -> Option<u64> {
    let v = std::env::var("SPLATBENCH_TEST_KILL_BENCH").ok()?;
    let (text, step) = v.rsplit_once(':')?;
    if id.contains(text) { step.parse().ok() } else { None }
}

/// What the bench hands one run: the spec and the provenance its record must carry.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub spec: RunSpec,
    pub provenance: Provenance,
}

pub fn empty_record(job: &Job, status: RunStatus, reason: String) -> RunRecord {
    let spec = &job.spec;
    RunRecord {
        schema: RECORD_SCHEMA,
        id: spec.id(),
        spec: spec.clone(),
        provenance: job.provenance.clone(),
        status,
        reason,
        views: vec![],
        aggregate: BTreeMap::new(),
        objects: 0,
        conditioning: vec![],
        conditioning_aggregate: BTreeMap::new(),
        failed_metrics: BTreeMap::new(),
        initial: BTreeMap::new(),
        references: BTreeMap::new(),
        timing: Timing::default(),
        loss_curve: vec![],
        loss_wall_s: vec![],
        stats: BTreeMap::new(),
        images: vec![],
        renders: vec![],
        artifacts: vec![],
        conventions: conventions(),
        environment: environment(None),
    }
}

/// Run and store; errors of the run itself become a failed record (the bench goes on). The record is not written
/// when the bench that started the run is gone (its directory may belong to a new bench by now).
pub fn run_and_store(job: &Job, store: &Store) -> Result<()> {
    test_sleep(&job.spec.id());
    let mut rec = match run(job, store) {
        Ok(rec) => rec,
        Err(e) => empty_record(job, RunStatus::Failed, e.report()),
    };
    if !lock::parent_holds(&store.dir) {
        return Err(Error::bug(format!(
            "{}: the bench that started this run is gone; the record of {} is not written",
            store.dir.display(),
            rec.id
        )));
    }
    // The last thing before the write, so the figure covers loading, training, scoring and the images.
    rec.timing.wall_s = splatbench_core::clock::since_process_start();
    store.write(&rec)?;
    if rec.status == RunStatus::Ok {
        drop_checkpoints(&store.dir.join("artifacts").join(&rec.id));
    }
    Ok(())
}

/// A finished run's checkpoints (`<method>_step{n:06}…`, the skeleton's curve file) only take room: a rerun of it
/// starts from scratch anyway. The parameter digest stays (it says what the run ended with).
fn drop_checkpoints(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if splatbench_train::checkpoint::name_step(&name).is_some() || name == splatbench_train::curve::FILE {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The `SPLATBENCH_TEST_SLEEP` hook (module docs).
fn test_sleep(id: &str) {
    let Some(v) = std::env::var_os("SPLATBENCH_TEST_SLEEP") else { return };
    let v = v.to_string_lossy();
    if let Some((text, secs)) = v.rsplit_once(':')
        && id.contains(text)
        && let Ok(secs) = secs.parse::<f64>()
    {
        eprintln!("SPLATBENCH_TEST_SLEEP: sleeping {secs} s");
        std::thread::sleep(std::time::Duration::from_secs_f64(secs));
    }
}

/// The scorers of the backbones `spec` asks for, and for each one that cannot be loaded, why.
fn lpips_scorers(spec: &RunSpec, memo_dir: &std::path::Path) -> (Vec<Lpips>, BTreeMap<String, String>) {
    let mut ok = Vec::new();
    let mut failed = BTreeMap::new();
    for name in &spec.lpips {
        let net = Net::ALL.into_iter().find(|n| n.name() == name);
        match net
            .ok_or_else(|| Error::input("suite", format!("unknown LPIPS backbone '{name}'")))
            .and_then(Lpips::new)
            .map(|l| l.memoized_in(memo_dir))
        {
            Ok(l) => ok.push(l),
            Err(e) => {
                failed.insert(format!("lpips_{name}"), e.to_string());
            }
        }
    }
    (ok, failed)
}

fn run(job: &Job, store: &Store) -> Result<RunRecord> {
    let spec = &job.spec;
    let mut rec = empty_record(job, RunStatus::Ok, String::new());
    let mut ctx = RunContext::new(spec.backend, spec.seed);
    ctx.device_index = spec.device;
    ctx.progress = Box::new(StdoutProgress { total: 0, kill_bench_at: kill_bench_at(&spec.id()) });
    let work = store.dir.join("artifacts").join(&rec.id);
    splatbench_io::atomic::create_dir_all(&work)?;
    ctx.work_dir = Some(work.clone());
    ctx.checkpoints = true;
    ctx.cache_dir = Some(store.cache_dir());

    let t = Instant::now();
    let scenes = data::load(&spec.dataset)?;
    let load_s = t.elapsed().as_secs_f64();
    let say = |what: String| eprintln!("{}{what}", super::orchestrate::LOG_PREFIX);
    say(format!("loaded {}: {} scene(s) in {load_s:.2} s", spec.dataset, scenes.len()));
    let mut method = registry::create(&spec.method, &spec.config)?;
    let train_scenes: Vec<_> = scenes.iter().filter(|s| !s.split("train").is_empty()).cloned().collect();
    let t = Instant::now();
    let report = method.train(&train_scenes, &mut ctx)?;
    let train_s = t.elapsed().as_secs_f64();
    say(format!("trained: {} steps in {train_s:.2} s", report.steps));

    let (lpips, failed_metrics) = lpips_scorers(spec, &store.cache_dir().join("lpips-memo"));
    rec.failed_metrics = failed_metrics;
    rec.environment = environment(lpips.first().map(Lpips::onnxruntime_version));
    let conditioning_name = conditioning::view_name(&spec.dataset)?;
    let scoring = Scoring { store, work: &work, conditioning: conditioning_name.as_deref(), lpips: &lpips };
    let t = Instant::now();
    let scored = scoring.evaluate(method.as_ref(), &scenes, &mut rec, &mut ctx)?;
    let score_s = t.elapsed().as_secs_f64();
    let psnr = rec.aggregate.get("psnr").map_or("–".to_string(), |v| format!("{v:.2} dB"));
    say(format!("scored {} test view(s) in {score_s:.2} s: psnr {psnr}", rec.views.len()));
    let (hits, computed) = Lpips::memo_counts();
    rec.stats.insert("lpips_memo_hits".into(), hits as f64);
    rec.stats.insert("lpips_network_pairs".into(), computed as f64);
    if rec.views.is_empty() {
        return Err(Error::input(&spec.dataset, "the dataset has no test views to score"));
    }
    rec.stats.extend(report.stats.clone());
    rec.conventions.insert("lpips".into(), lpips_convention(&spec.lpips));
    let mut phases: BTreeMap<_, f64> = ctx.phase_time.iter().map(|(k, v)| (*k, v.as_secs_f64())).collect();
    *phases.entry(splatbench_core::Phase::Data).or_default() += load_s;
    rec.timing = Timing {
        train_s,
        steps: report.steps,
        steps_per_s: if train_s > 0.0 { report.steps as f64 / train_s } else { 0.0 },
        phases_s: phases,
        render_fps: scored.render_fps(),
        peak_rss_mib: peak_rss_mib(),
        score_s,
        wall_s: 0.0,
    };
    rec.loss_curve = std::mem::take(&mut ctx.loss_curve);
    rec.loss_wall_s = std::mem::take(&mut ctx.loss_wall_s);
    Ok(rec)
}

fn lpips_convention(nets: &[String]) -> String {
    if nets.is_empty() {
        return "not requested".into();
    }
    format!("LPIPS v0.1, backbone {}, inputs scaled to [-1, 1] (ONNX Runtime)", nets.join(" and "))
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

pub fn conventions() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("psnr".into(), "data range 1, images in [0, 1] (scikit-image)".into()),
        (
            "ssim".into(),
            "3DGS / Splatter Image: 11×11 Gaussian σ = 1.5, zero padding, mean over pixels and channels".into(),
        ),
        ("masked metrics".into(), "PSNR / SSIM map averaged over mask-weighted pixels".into()),
    ])
}

pub fn environment(onnxruntime: Option<String>) -> BTreeMap<String, String> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string()))
        })
        .unwrap_or_else(|| "unknown".into());
    let mut env = BTreeMap::from([
        ("cpu".into(), cpu),
        ("cores".into(), std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).to_string()),
        ("os".into(), format!("{} {}", std::env::consts::OS, std::env::consts::ARCH)),
        ("splatbench".into(), env!("CARGO_PKG_VERSION").into()),
        ("build".into(), if cfg!(debug_assertions) { "debug" } else { "release" }.into()),
    ]);
    env.extend(super::versions::versions(onnxruntime));
    env
}
