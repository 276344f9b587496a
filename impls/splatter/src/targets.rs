//! Making target splatter images (`splatbench splatter make-targets`, and the bench's cached build).
//!
//! Per training object, the views are sorted by name; the last `fit_holdout` of them are held out (when the object
//! has more than `fit_holdout + 1` views) and `target_views` views are picked evenly among the rest. Both modes
//! make targets for the same views, so `teacher` and `fit` differ only in how a target is made:
//!
//! - `teacher`: a baseline network trained `teacher_steps` on the training objects (the same skeleton, loss and
//!   sampling as the student) and run on the target view alone;
//! - `fit`: a free splatter image of the target view fitted `fit_steps` against the object's views that are not
//!   held out ([`crate::fit`]).
//!
//! The bench caches a target set under `<cache>/splatter-targets/<hash>/`, the hash (SHA-256) taken over every
//! training view's name, camera and image bytes and over [`SplatterConfig::target_recipe`] and the seed, so a
//! resumed bench or a second variant with the same recipe reuses it.

use crate::config::{SplatterConfig, TargetMode};
use crate::data::{Object, input_tensor};
use crate::fit::FitTask;
use crate::splat::Splats;
use crate::target_io::{Manifest, ManifestEntry, TargetImage, load_target, save_target};
use crate::train::NetworkTask;
use crate::unet::UNet;
use burn::module::Module;
use burn::tensor::Device;
use sha2::{Digest, Sha256};
use splatbench_core::{Error, Result, RunContext};
use splatbench_train::{Plan, run};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Per training object, its targets on the host: (view index, target).
pub type HostTargets = Vec<Vec<(usize, TargetImage)>>;

/// The views of `o` that no `fit` target may see: its last `holdout` by name, when enough remain.
pub fn held_out(o: &Object, holdout: usize) -> Vec<usize> {
    let n = o.views.len();
    if n > holdout + 1 { (n - holdout..n).collect() } else { Vec::new() }
}

/// The views of `o` that get a target: `count` evenly spaced among those not held out.
pub fn target_view_indices(o: &Object, cfg: &SplatterConfig) -> Vec<usize> {
    let held = held_out(o, cfg.fit_holdout);
    let free: Vec<usize> = (0..o.views.len()).filter(|v| !held.contains(v)).collect();
    let k = cfg.target_views.clamp(1, free.len());
    let mut out: Vec<usize> = (0..k).map(|i| free[i * free.len() / k]).collect();
    out.dedup();
    out
}

/// A target image from a splatter image (host copy of its activated channels and opacity).
pub fn target_from_splats(s: &Splats) -> TargetImage {
    TargetImage {
        width: s.width,
        height: s.height,
        channels: splatbench_train::tensors::to_vec(s.channels()),
        opacity: splatbench_train::tensors::to_vec(s.opacity()),
    }
}

/// The network's splatter image of view `v` of `o` (inference, no autodiff graph).
pub fn predict(net: &UNet, cfg: &SplatterConfig, o: &Object, v: usize, device: &Device) -> Splats {
    let tv = &o.views[v];
    // Inference without a graph: the network's weights and the input both without autodiff.
    let raw = net.valid().forward(input_tensor(tv, device).inner());
    let [_, c, h, w] = raw.dims();
    Splats::from_raw(raw.reshape([c, h * w]).swap_dims(0, 1), &tv.camera, cfg)
}

/// Train a baseline network for `steps` (the teacher, or the student of a test); the weight average when on.
pub fn train_baseline(
    cfg: &SplatterConfig,
    objects: &[Object],
    steps: usize,
    seed: u64,
    device: &Device,
) -> Result<UNet> {
    let base = SplatterConfig { target: TargetMode::None, ..cfg.clone() };
    let net = UNet::new(&base, seed, device);
    let mut task = NetworkTask::new(base, net, objects, None, seed, device.clone())?;
    let mut ctx = RunContext::new(splatbench_core::Backend::Ndarray, seed);
    run(&mut task, &mut ctx, Plan::steps(steps))?;
    Ok(task.eval_net())
}

/// Fit the `fit` target of view `v` of `o` (module docs).
pub fn fit_target(cfg: &SplatterConfig, o: &Object, v: usize, seed: u64, device: &Device) -> Result<Splats> {
    let held = held_out(o, cfg.fit_holdout);
    let allowed: Vec<usize> = (0..o.views.len()).filter(|k| !held.contains(k)).collect();
    let mut task = FitTask::new(cfg, o, v, allowed, seed, device);
    let mut ctx = RunContext::new(splatbench_core::Backend::Ndarray, seed);
    run(&mut task, &mut ctx, Plan::steps(cfg.fit_steps))?;
    Ok(task.splats())
}

/// Make every target of `mode` for `objects` into `dir` (arrays and manifest, see [`crate::target_io`]).
pub fn make_targets(
    cfg: &SplatterConfig,
    mode: TargetMode,
    objects: &[Object],
    seed: u64,
    device: &Device,
    dir: &Path,
) -> Result<Manifest> {
    let mut manifest = Manifest::new(mode, cfg.resolution);
    let teacher = match mode {
        TargetMode::None => return Err(Error::input("splatter", "make-targets needs a mode: teacher or fit")),
        TargetMode::Teacher => Some(train_baseline(cfg, objects, cfg.teacher_steps, seed, device)?),
        TargetMode::Fit => None,
    };
    if let Some(t) = &teacher {
        let path = dir.join("teacher.bpk");
        splatbench_io::atomic::create_dir_all(dir)?;
        t.clone().save_file(&path).map_err(|e| Error::internal(format!("saving {}", path.display()), e.to_string()))?;
    }
    for (k, o) in objects.iter().enumerate() {
        for v in target_view_indices(o, cfg) {
            let splats = match &teacher {
                Some(net) => predict(net, cfg, o, v, device),
                None => fit_target(cfg, o, v, seed ^ ((k as u64) << 32 | v as u64), device)?,
            };
            let rel = format!("{}/{}", o.name, o.views[v].name);
            save_target(&dir.join(&rel), &target_from_splats(&splats))?;
            manifest.targets.push(ManifestEntry { object: o.name.clone(), view: o.views[v].name.clone(), dir: rel });
        }
        if mode == TargetMode::Fit {
            let names = held_out(o, cfg.fit_holdout).into_iter().map(|v| o.views[v].name.clone()).collect();
            manifest.held_out.push((o.name.clone(), names));
        }
    }
    manifest.save(dir)?;
    Ok(manifest)
}

/// Every target a manifest lists, per object in `objects` order: (view index, target). A listed target whose
/// object or view is not in `objects`, or an object without any target, is an input error naming the manifest.
pub fn load_targets(dir: &Path, objects: &[Object]) -> Result<(Manifest, HostTargets)> {
    let m = Manifest::load(dir)?;
    let mut out: HostTargets = objects.iter().map(|_| Vec::new()).collect();
    for e in &m.targets {
        let Some(k) = objects.iter().position(|o| o.name == e.object) else {
            return Err(Error::input(
                Manifest::path(dir),
                format!("target object '{}' is not a training object", e.object),
            ));
        };
        let Some(v) = objects[k].view_index(&e.view) else {
            return Err(Error::input(Manifest::path(dir), format!("object '{}' has no view '{}'", e.object, e.view)));
        };
        out[k].push((v, load_target(&dir.join(&e.dir), m.resolution)?));
    }
    if let Some(o) = objects.iter().zip(&out).find(|(_, t)| t.is_empty()) {
        return Err(Error::input(Manifest::path(dir), format!("no target for training object '{}'", o.0.name)));
    }
    Ok((m, out))
}

/// The cache key of a target set (module docs).
pub fn cache_key(cfg: &SplatterConfig, objects: &[Object], seed: u64) -> String {
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(&cfg.target_recipe()).expect("recipe serialises"));
    h.update(seed.to_le_bytes());
    for o in objects {
        h.update(o.name.as_bytes());
        for v in &o.views {
            h.update(v.name.as_bytes());
            h.update(serde_json::to_vec(&v.camera).expect("camera serialises"));
            for x in &v.image.data {
                h.update(x.to_le_bytes());
            }
        }
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The targets for `cfg.target` under `cache`, made once and reused (module docs); returns them with the directory
/// and the seconds spent making them (0 when reused).
pub fn cached_targets(
    cfg: &SplatterConfig,
    objects: &[Object],
    seed: u64,
    device: &Device,
    cache: &Path,
) -> Result<(PathBuf, HostTargets, f64)> {
    let dir = cache.join("splatter-targets").join(format!("{}-{}", cfg.target.name(), cache_key(cfg, objects, seed)));
    let t = Instant::now();
    let mut made = 0.0;
    if !Manifest::path(&dir).is_file() {
        // Build beside the final directory and rename, so an interrupted build is never taken for a finished one.
        let tmp = dir.with_extension("partial");
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| Error::output(&tmp, e))?;
        }
        make_targets(cfg, cfg.target, objects, seed, device, &tmp)?;
        std::fs::rename(&tmp, &dir).map_err(|e| Error::output(&dir, e))?;
        made = t.elapsed().as_secs_f64();
    }
    let (_, targets) = load_targets(&dir, objects)?;
    Ok((dir, targets, made))
}

/// `splatbench splatter make-targets`: the targets of `mode` for the training objects of `scenes` (those with a
/// train split) into `out`, on `backend`.
pub fn make_targets_for_scenes(
    scenes: &[splatbench_core::Scene],
    cfg: &SplatterConfig,
    mode: TargetMode,
    seed: u64,
    backend: splatbench_core::Backend,
    out: &Path,
) -> Result<Manifest> {
    cfg.check().map_err(|m| Error::input("splatter config", m))?;
    let device = splatbench_device::device_for(backend, None)?;
    let objects: Vec<Object> = scenes
        .iter()
        .filter(|s| !s.split("train").is_empty())
        .map(|s| Object::from_scene(s, cfg.resolution, &device))
        .collect::<Result<_>>()?;
    if objects.is_empty() {
        return Err(Error::input("dataset", "no training objects (scenes with a train split)"));
    }
    make_targets(cfg, mode, &objects, seed, &device, out)
}
