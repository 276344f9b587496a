//! One run, in its own process: load data, train, reconstruct, score the test views, write the record.
//!
//! Progress goes to stdout as `PROGRESS <step> <total> <loss>` lines the orchestrator turns into a bar.
//!
//! The harness, not the method, decides what is scored: ground truth is the test image composited over the
//! background its *scene* declares, and every render is clamped to [0, 1] here before any metric sees it.
//!
//! Test hook: with `SPLATBENCH_TEST_SLEEP=<text>:<seconds>` in the environment, a run whose id contains `<text>`
//! sleeps that long before it starts (the bench's timeout and lock tests use it); without the variable nothing
//! changes.

use super::{conditioning, lock, registry, store::Store};
use serde::{Deserialize, Serialize};
use splatbench_core::{
    Error, Image, ImageTriple, Progress, Provenance, RECORD_SCHEMA, Reference, Result, RunContext, RunRecord, RunSpec,
    RunStatus, Timing, ViewMetrics, embedded_view,
};
use splatbench_data::imageio::write_png;
use splatbench_data::reference as data;
use splatbench_metrics::reference::{MEAN_COLOUR, MEAN_COLOUR_DESCRIPTION, filled, mean_colour};
use splatbench_metrics::{self as metrics, Lpips, Net};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

struct StdoutProgress {
    total: u64,
}

impl Progress for StdoutProgress {
    fn set_total(&mut self, steps: u64) {
        self.total = steps;
    }
    fn step(&mut self, step: u64, loss: f64) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "PROGRESS {step} {} {loss}", self.total);
        let _ = out.flush();
    }
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
    let rec = match run(job, store) {
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
    store.write(&rec)
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
fn lpips_scorers(spec: &RunSpec) -> (Vec<Lpips>, BTreeMap<String, String>) {
    let mut ok = Vec::new();
    let mut failed = BTreeMap::new();
    for name in &spec.lpips {
        let net = Net::ALL.into_iter().find(|n| n.name() == name);
        match net.ok_or_else(|| Error::input("suite", format!("unknown LPIPS backbone '{name}'"))).and_then(Lpips::new)
        {
            Ok(l) => ok.push(l),
            Err(e) => {
                failed.insert(format!("lpips_{name}"), e.to_string());
            }
        }
    }
    (ok, failed)
}

/// A render as the metrics see it: RGB clamped to [0, 1], whatever range the method produced.
fn clamped(img: &Image) -> Image {
    Image { data: img.data.iter().map(|v| v.clamp(0.0, 1.0)).collect(), ..img.clone() }
}

fn run(job: &Job, store: &Store) -> Result<RunRecord> {
    let spec = &job.spec;
    let mut rec = empty_record(job, RunStatus::Ok, String::new());
    let mut ctx = RunContext::new(spec.backend, spec.seed);
    ctx.device_index = spec.device;
    ctx.progress = Box::new(StdoutProgress { total: 0 });
    let work = store.dir.join("artifacts").join(&rec.id);
    splatbench_core::atomic::create_dir_all(&work)?;
    ctx.work_dir = Some(work.clone());
    ctx.cache_dir = Some(store.dir.join("cache"));

    let t = Instant::now();
    let scenes = data::load(&spec.dataset)?;
    let load_s = t.elapsed().as_secs_f64();
    let mut method = registry::create(&spec.method, &spec.config)?;
    let train_scenes: Vec<_> = scenes.iter().filter(|s| !s.split("train").is_empty()).cloned().collect();
    let t = Instant::now();
    let report = method.train(&train_scenes, &mut ctx)?;
    let train_s = t.elapsed().as_secs_f64();

    let (lpips, failed_metrics) = lpips_scorers(spec);
    rec.failed_metrics = failed_metrics;
    rec.environment = environment(lpips.first().map(Lpips::onnxruntime_version));
    let mut render_s = 0.0;
    let mut rendered = 0usize;
    let mut initial_views = Vec::new();
    let n_test: usize = scenes.iter().map(|s| s.split("test").len()).sum();
    let mut view_index = 0usize;
    let mut reference =
        Reference { description: MEAN_COLOUR_DESCRIPTION.into(), views: vec![], aggregate: BTreeMap::new() };
    // Per object, the index ranges its views take in `rec.views` / `rec.conditioning` (per-object means, then
    // the mean over objects).
    let conditioning_name = conditioning::view_name(&spec.dataset)?;
    let (mut novel_groups, mut cond_groups) = (Vec::new(), Vec::new());
    let mut reconstruct_s = 0.0;
    for scene in scenes.iter().filter(|s| !s.split("test").is_empty()) {
        let cond = conditioning_name.as_deref().and_then(|c| scene.split("test").iter().find(|v| v.name == c));
        let inputs = match cond {
            // Feed-forward protocol: the method sees the conditioning view only.
            Some(v) => std::slice::from_ref(v),
            None if scene.split("train").is_empty() => scene.split("test"),
            None => scene.split("train"),
        };
        let (novel_start, cond_start) = (rec.views.len(), rec.conditioning.len());
        let t = Instant::now();
        let recon = method.reconstruct(inputs, &mut ctx)?;
        reconstruct_s += t.elapsed().as_secs_f64();
        let initial = method.initial(inputs, &mut ctx)?;
        let colour = mean_colour(inputs);
        for view in scene.split("test") {
            let t = Instant::now();
            // The scoring rule is the harness's, the same for every method: renders are clamped to [0, 1].
            let pred = clamped(&recon.render(&view.camera)?);
            render_s += t.elapsed().as_secs_f64();
            rendered += 1;
            let gt = view.image.to_rgb_over(scene.background);
            let name = if scenes.len() > 1 { format!("{}/{}", scene.name, view.name) } else { view.name.clone() };
            let scored = score(&name, &pred, &gt, view.mask.as_ref(), &lpips)?;
            if cond.is_some_and(|c| c.name == view.name) {
                // Scored apart, and not taken for the references or the initial state: it is the method's input.
                rec.conditioning.push(scored);
                continue;
            }
            rec.views.push(scored);
            let flat = filled(colour, gt.width, gt.height);
            reference.views.push(score(&name, &flat, &gt, view.mask.as_ref(), &lpips)?);
            if let Some(init) = &initial {
                let pred = clamped(&init.render(&view.camera)?);
                initial_views.push(score(&name, &pred, &gt, view.mask.as_ref(), &lpips)?);
            }
            if embedded_view(view_index, n_test) {
                rec.images.push(save_images(store, &rec.id, &name, &pred, &gt)?);
            } else {
                rec.renders.push(save_render(store, &rec.id, &name, &pred)?);
            }
            view_index += 1;
        }
        for a in recon.artifacts(&work)? {
            let rel = a.path.strip_prefix(&store.dir).unwrap_or(&a.path).display().to_string();
            rec.artifacts.push((rel, a.caption));
        }
        rec.stats.extend(recon.stats());
        novel_groups.push(novel_start..rec.views.len());
        cond_groups.push(cond_start..rec.conditioning.len());
    }
    if rec.views.is_empty() {
        return Err(Error::input(&spec.dataset, "the dataset has no test views to score"));
    }
    rec.objects = novel_groups.len();
    // Feed-forward methods build each object in `reconstruct` (per-scene ones return what `train` fitted).
    rec.stats.insert("reconstruct_s_per_object".into(), reconstruct_s / rec.objects as f64);
    rec.aggregate = aggregate_objects(&rec.views, &novel_groups);
    rec.conditioning_aggregate = aggregate_objects(&rec.conditioning, &cond_groups);
    if !initial_views.is_empty() {
        rec.initial = aggregate_objects(&initial_views, &novel_groups);
    }
    reference.aggregate = aggregate_objects(&reference.views, &novel_groups);
    rec.references.insert(MEAN_COLOUR.into(), reference);
    rec.stats.extend(report.stats.clone());
    rec.conventions.insert("lpips".into(), lpips_convention(&spec.lpips));
    let mut phases: BTreeMap<_, f64> = ctx.phase_time.iter().map(|(k, v)| (*k, v.as_secs_f64())).collect();
    *phases.entry(splatbench_core::Phase::Data).or_default() += load_s;
    rec.timing = Timing {
        train_s,
        steps: report.steps,
        steps_per_s: if train_s > 0.0 { report.steps as f64 / train_s } else { 0.0 },
        phases_s: phases,
        render_fps: if render_s > 0.0 { rendered as f64 / render_s } else { 0.0 },
        peak_rss_mib: peak_rss_mib(),
    };
    rec.loss_curve = std::mem::take(&mut ctx.loss_curve);
    rec.loss_wall_s = std::mem::take(&mut ctx.loss_wall_s);
    Ok(rec)
}

fn score(
    name: &str,
    pred: &Image,
    gt: &Image,
    mask: Option<&splatbench_core::Mask>,
    lpips: &[Lpips],
) -> Result<ViewMetrics> {
    if (pred.width, pred.height) != (gt.width, gt.height) {
        return Err(Error::Failed(format!(
            "{name}: render is {}x{}, ground truth {}x{}",
            pred.width, pred.height, gt.width, gt.height
        )));
    }
    let mut notes = Vec::new();
    let mut vm = ViewMetrics { view: name.to_string(), ..Default::default() };
    vm.psnr = metrics::psnr(pred, gt);
    if vm.psnr.is_none() {
        notes.push("psnr: identical".to_string());
    }
    vm.ssim = Some(metrics::ssim(pred, gt));
    for l in lpips {
        match l.distance(pred, gt)? {
            Ok(d) => {
                vm.lpips.insert(l.net().name().to_string(), d);
            }
            Err(u) => notes.push(format!("lpips_{}: {u}", l.net())),
        }
    }
    if let Some(m) = mask {
        match metrics::psnr_masked(pred, gt, m) {
            Ok(v) => vm.psnr_masked = Some(v),
            Err(u) => notes.push(format!("psnr_masked: {u}")),
        }
        match metrics::ssim_masked(pred, gt, m) {
            Ok(v) => vm.ssim_masked = Some(v),
            Err(u) => notes.push(format!("ssim_masked: {u}")),
        }
    }
    vm.notes = notes.join("; ");
    Ok(vm)
}

/// [`aggregate`] of each object's views (`groups`: index ranges into `views`), then the mean over the objects that
/// define each metric (the SRN protocol); one object is the plain mean over its views.
pub fn aggregate_objects(views: &[ViewMetrics], groups: &[std::ops::Range<usize>]) -> BTreeMap<String, f64> {
    let per: Vec<BTreeMap<String, f64>> =
        groups.iter().filter(|g| !g.is_empty()).map(|g| aggregate(&views[g.clone()])).collect();
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for m in &per {
        for (k, v) in m {
            let e = sums.entry(k.clone()).or_default();
            e.0 += v;
            e.1 += 1.0;
        }
    }
    sums.into_iter().map(|(k, (s, n))| (k, s / n)).collect()
}

/// Mean over views of each metric, LPIPS as `lpips_<net>`; a metric no view defines is absent.
pub fn aggregate(views: &[ViewMetrics]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut put = |name: String, vals: Vec<f64>| {
        let vals: Vec<f64> = vals.into_iter().filter(|x| x.is_finite()).collect();
        if !vals.is_empty() {
            out.insert(name, vals.iter().sum::<f64>() / vals.len() as f64);
        }
    };
    let cols: [(&str, fn(&ViewMetrics) -> Option<f64>); 4] = [
        ("psnr", |v| v.psnr),
        ("ssim", |v| v.ssim),
        ("psnr_masked", |v| v.psnr_masked),
        ("ssim_masked", |v| v.ssim_masked),
    ];
    for (name, get) in cols {
        put(name.to_string(), views.iter().filter_map(get).collect());
    }
    let nets: std::collections::BTreeSet<&String> = views.iter().flat_map(|v| v.lpips.keys()).collect();
    for net in nets {
        put(format!("lpips_{net}"), views.iter().filter_map(|v| v.lpips.get(net).copied()).collect());
    }
    out
}

fn lpips_convention(nets: &[String]) -> String {
    if nets.is_empty() {
        return "not requested".into();
    }
    format!("LPIPS v0.1, backbone {}, inputs scaled to [-1, 1] (ONNX Runtime)", nets.join(" and "))
}

/// `images/<run id>/<view>_<what>.png`, relative to the bench directory.
fn image_path(id: &str, view: &str, what: &str) -> String {
    format!("images/{id}/{}_{what}.png", view.replace(['/', '\\'], "_"))
}

fn save_render(store: &Store, id: &str, view: &str, pred: &Image) -> Result<String> {
    let rel = image_path(id, view, "pred");
    write_png(&store.dir.join(&rel), pred)?;
    Ok(rel)
}

fn save_images(store: &Store, id: &str, view: &str, pred: &Image, gt: &Image) -> Result<ImageTriple> {
    let err = Image::from_fn(pred.width, pred.height, 3, |x, y, c| {
        let e: f32 = (0..3).map(|k| (pred.get(x, y, k) - gt.get(x, y, k)).abs()).sum::<f32>() / 3.0;
        heat(e * 4.0)[c as usize]
    });
    let rel = |s: &str| image_path(id, view, s);
    for (s, img) in [("pred", pred), ("gt", gt), ("error", &err)] {
        write_png(&store.dir.join(rel(s)), img)?;
    }
    Ok(ImageTriple { view: view.to_string(), pred: rel("pred"), gt: rel("gt"), error: rel("error") })
}

/// Black → red → yellow → white ramp for error maps.
fn heat(t: f32) -> [f32; 3] {
    let t = t.clamp(0.0, 1.0) * 3.0;
    [t.min(1.0), (t - 1.0).clamp(0.0, 1.0), (t - 2.0).clamp(0.0, 1.0)]
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vm(psnr: f64) -> ViewMetrics {
        ViewMetrics { view: String::new(), psnr: Some(psnr), ..Default::default() }
    }

    #[test]
    fn objects_are_averaged_first_then_over_objects() {
        // Object A has 3 views at 10 dB, object B one view at 30 dB: per object 10 and 30, mean 20 (the plain
        // mean over views would be 15).
        let views = vec![vm(10.0), vm(10.0), vm(10.0), vm(30.0)];
        let agg = aggregate_objects(&views, &[0..3, 3..4]);
        assert!((agg["psnr"] - 20.0).abs() < 1e-12, "{agg:?}");
        assert_eq!(aggregate_objects(&views, std::slice::from_ref(&(0..4))), aggregate(&views));
        // An object without views (no conditioning view scored) does not count.
        assert!((aggregate_objects(&views, &[0..3, 3..3, 3..4])["psnr"] - 20.0).abs() < 1e-12);
    }
}
