//! [`Splatter`]: the method as the harness sees it, and [`SplatterReconstruction`], one object built from its
//! conditioning view.
//!
//! `train` learns the network over the training objects (after building or reusing its targets for the target
//! variants); `reconstruct` runs it once on the first input view (the conditioning view the harness passes) at the
//! training resolution (through the weight average when `ema_decay` > 0, [`crate::ema`]); `initial` does the same
//! with the untrained network, a copy of which is kept when training starts. With a work directory, `train` resumes
//! from a checkpoint of the same run ([`crate::resume`]) and writes the per-step loss terms
//! ([`crate::loss_terms`]).

use crate::config::{SplatterConfig, TargetMode};
use crate::data::{Object, prepare};
use crate::loss_terms;
use crate::resume;
use crate::splat::Splats;
use crate::targets::{cached_targets, load_targets, make_targets, predict};
use crate::train::{DeviceTarget, NetworkTask, Targets};
use crate::unet::UNet;
use burn::module::Module;
use burn::tensor::Device;
use splatbench_core::{
    Artifact, Camera, Error, Image, Phase, Reconstruction, Reconstructor, Result, RunContext, Scene, TrainReport, View,
};
use splatbench_io::imageio::write_png;
use splatbench_render::cpu::forward;
use splatbench_render::ply::write_ply;
use splatbench_render::{GaussianCloud, RasterCamera};
use splatbench_train::{Plan, run};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Splatter Image; `id` names the variant (`splatter-baseline`, `splatter-target_teacher`, `splatter-target_fit`).
pub struct Splatter {
    pub config: SplatterConfig,
    /// The network `reconstruct` uses: the weight average when on, else the raw weights.
    net: Option<UNet>,
    /// The raw trained weights.
    raw: Option<UNet>,
    initial: Option<UNet>,
    device: Option<Device>,
    background: [f32; 3],
    /// Reconstructions made so far (names the artifact files apart).
    made: Cell<usize>,
}

impl Splatter {
    pub fn new(config: SplatterConfig) -> Self {
        Splatter { config, net: None, raw: None, initial: None, device: None, background: [1.0; 3], made: Cell::new(0) }
    }

    /// The trained network `reconstruct` uses (after `train`): the weight average when `ema_decay` > 0.
    pub fn network(&self) -> Option<&UNet> {
        self.net.as_ref()
    }

    /// The raw trained weights (after `train`), the ones the optimiser moved.
    pub fn raw_network(&self) -> Option<&UNet> {
        self.raw.as_ref()
    }

    fn build(&self, net: Option<&UNet>, inputs: &[View]) -> Result<SplatterReconstruction> {
        let (Some(net), Some(device)) = (net, &self.device) else {
            return Err(Error::bug("splatter: reconstruct called before train"));
        };
        let Some(view) = inputs.first() else {
            return Err(Error::input("splatter", "reconstruct needs the conditioning view"));
        };
        let tv = prepare(view, self.background, self.config.resolution)?;
        let object = Object { name: view.name.clone(), images: vec![], views: vec![tv], background: self.background };
        let t = Instant::now();
        let splats = predict(net, &self.config, &object, 0, device);
        let seconds = t.elapsed().as_secs_f64();
        let k = self.made.get();
        self.made.set(k + 1);
        Ok(SplatterReconstruction::new(&splats, self.background, object.views[0].camera.clone(), seconds, k))
    }
}

impl Reconstructor for Splatter {
    fn id(&self) -> &str {
        match self.config.target {
            TargetMode::None => "splatter-baseline",
            TargetMode::Teacher => "splatter-target_teacher",
            TargetMode::Fit => "splatter-target_fit",
        }
    }

    fn train(&mut self, scenes: &[Scene], ctx: &mut RunContext) -> Result<TrainReport> {
        let mut cfg = self.config.clone();
        cfg.check().map_err(|m| Error::input("splatter config", m))?;
        if let Some(steps) = ctx.steps {
            cfg.steps = steps;
        }
        let device = splatbench_device::device_for(ctx.backend, ctx.device_index)?;
        let objects: Vec<Object> = ctx.time(Phase::Data, || {
            scenes.iter().map(|s| Object::from_scene(s, cfg.resolution, &device)).collect::<Result<Vec<_>>>()
        })?;
        if objects.is_empty() {
            return Err(Error::input("splatter", "no training objects"));
        }
        self.background = objects[0].background;
        let mut stats = BTreeMap::new();
        let targets: Option<Targets> = match cfg.target {
            TargetMode::None => None,
            mode => {
                let t = Instant::now();
                let host = match &ctx.cache_dir {
                    Some(cache) => {
                        let (_, targets, made_s) = cached_targets(&cfg, &objects, ctx.seed, &device, cache)?;
                        stats.insert("targets_made_s".into(), made_s);
                        targets
                    }
                    None => {
                        // No cache (tests, library use): make them in a scratch directory and read them back, so
                        // the same format is exercised either way.
                        let dir = tempdir_in(ctx.work_dir.as_deref())?;
                        make_targets(&cfg, mode, &objects, ctx.seed, &device, dir.path())?;
                        load_targets(dir.path(), &objects)?.1
                    }
                };
                stats.insert("targets_s".into(), t.elapsed().as_secs_f64());
                stats.insert("target_views".into(), host.iter().map(Vec::len).sum::<usize>() as f64);
                Some(
                    host.iter()
                        .map(|o| o.iter().map(|(v, t)| (*v, DeviceTarget::upload(t, &device))).collect())
                        .collect(),
                )
            }
        };
        let net = UNet::new(&cfg, ctx.seed, &device);
        self.initial = Some(net.valid());
        stats.insert("parameters".into(), net.num_params() as f64);
        let mut task = NetworkTask::new(cfg.clone(), net, &objects, targets.as_ref(), ctx.seed, device.clone())?;
        let mut start = 0;
        if let (Some(dir), true) = (&ctx.work_dir, cfg.resume)
            && let Some(ck) = resume::load_latest(dir, &cfg, ctx.seed, task.fingerprint(), &device)
        {
            start = ck.step;
            let rows = loss_terms::read_csv(&dir.join(loss_terms::FILE)).unwrap_or_else(|e| {
                eprintln!("warning: the loss terms before step {start} are lost: {}", e.report());
                Vec::new()
            });
            task.resume_from(ck, rows);
        }
        stats.insert("resumed_from_step".into(), start as f64);
        let plan = Plan { start, total: cfg.steps, checkpoint_every: cfg.checkpoint_every };
        let summary = run(&mut task, ctx, plan)?;
        if let Some(ms) = summary.ms_per_step() {
            stats.insert("ms_per_step".into(), ms);
        }
        let mut final_loss = summary.final_loss;
        if let (0, Some(last)) = (summary.steps_run, task.terms.last()) {
            // Resumed from a checkpoint at the last step: no step ran, the loss is that of the last one recorded.
            final_loss = last.l_base + last.weighted();
        }
        if let Some(dir) = &ctx.work_dir {
            loss_terms::write_csv(&dir.join(loss_terms::FILE), &task.terms)?;
        }
        self.net = Some(task.eval_net());
        self.raw = Some(task.net.take().expect("network present").valid());
        self.device = Some(device);
        Ok(TrainReport { steps: summary.steps_run, final_loss, stats })
    }

    fn reconstruct(&self, inputs: &[View], _ctx: &mut RunContext) -> Result<Box<dyn Reconstruction>> {
        Ok(Box::new(self.build(self.net.as_ref(), inputs)?))
    }

    fn initial(&self, inputs: &[View], _ctx: &mut RunContext) -> Result<Option<Box<dyn Reconstruction>>> {
        match &self.initial {
            None => Ok(None),
            Some(net) => {
                let mut r = self.build(Some(net), inputs)?;
                r.label = "initial".into();
                Ok(Some(Box::new(r)))
            }
        }
    }
}

fn tempdir_in(base: Option<&Path>) -> Result<TempDir> {
    let root = base.map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
    let dir = root.join(format!("splatter-targets-{}-{}", std::process::id(), rand::random::<u64>()));
    splatbench_io::atomic::create_dir_all(&dir)?;
    Ok(TempDir(dir))
}

/// A scratch directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One object's Gaussians (one per pixel of its conditioning view) and the per-pixel maps shown as artifacts.
pub struct SplatterReconstruction {
    pub cloud: GaussianCloud,
    background: [f32; 3],
    /// The conditioning camera at the network's resolution.
    pub camera: Camera,
    /// Per-pixel camera z, opacity and colour of the conditioning view.
    depth: Vec<f32>,
    opacity: Vec<f32>,
    colour: Vec<f32>,
    /// Seconds of the network's forward pass for this object.
    pub seconds: f64,
    index: usize,
    label: String,
}

impl SplatterReconstruction {
    fn new(s: &Splats, background: [f32; 3], camera: Camera, seconds: f64, index: usize) -> Self {
        let g = s.gaussians().to_cloud();
        let colour = splatbench_train::tensors::to_vec(s.channels());
        let colour = colour.chunks_exact(crate::splat::CHANNELS).flat_map(|px| px[10..13].to_vec()).collect();
        SplatterReconstruction {
            cloud: g,
            background,
            camera,
            depth: splatbench_train::tensors::to_vec(s.depth.clone()),
            opacity: splatbench_train::tensors::to_vec(s.opacity()),
            colour,
            seconds,
            index,
            label: "trained".into(),
        }
    }
}

impl Reconstruction for SplatterReconstruction {
    fn render(&self, camera: &Camera) -> Result<Image> {
        camera.require_pinhole("splatter")?;
        let (img, _) = forward(&self.cloud, &RasterCamera::from(camera), self.background);
        Ok(Image { width: img.width, height: img.height, channels: 3, data: img.color })
    }

    fn artifacts(&self, dir: &Path) -> Result<Vec<Artifact>> {
        let stem = format!("splatter_{:02}_{}", self.index, self.label);
        let (w, h) = (self.camera.width, self.camera.height);
        let ply = dir.join(format!("{stem}.ply"));
        write_ply(&ply, &self.cloud)?;
        let (lo, hi) = self.depth.iter().fold((f32::MAX, f32::MIN), |(a, b), &z| (a.min(z), b.max(z)));
        let depth = Image::from_fn(w, h, 3, |x, y, _| {
            let z = self.depth[(y * w + x) as usize];
            1.0 - (z - lo) / (hi - lo).max(1e-6)
        });
        let opacity = Image::from_fn(w, h, 3, |x, y, _| self.opacity[(y * w + x) as usize]);
        let colour = Image::from_fn(w, h, 3, |x, y, c| self.colour[((y * w + x) * 3 + c) as usize].clamp(0.0, 1.0));
        let mut out = vec![Artifact {
            kind: "ply".into(),
            path: ply,
            caption: format!("{} Gaussians, one per pixel of conditioning view {}", self.cloud.len(), self.index),
        }];
        for (name, img, caption) in [
            ("depth", depth, format!("per-pixel depth (near = bright, {lo:.3}–{hi:.3})")),
            ("opacity", opacity, "per-pixel opacity".to_string()),
            ("colour", colour, "per-pixel colour (SH degree-0 part)".to_string()),
        ] {
            let path = dir.join(format!("{stem}_{name}.png"));
            write_png(&path, &img)?;
            out.push(Artifact { kind: "png".into(), path, caption });
        }
        Ok(out)
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([("gaussians".into(), self.cloud.len() as f64), ("reconstruct_s".into(), self.seconds)])
    }
}
