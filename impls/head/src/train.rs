//! The head method's training step on the shared skeleton ([`splatbench_train::run`]): one training view per step
//! (cycling), geometry and camera Adam with cosine annealing, progressive densification, optional checkpoints.
//!
//! Per step `s` of `S`: `lr_geo(s) = cosine(lr_geometry → lr_min_factor · lr_geometry)`, the same for the
//! cameras; render the view through its learnable camera with a screen-space probe, compute the loss
//! ([`crate::loss`]), backward, Adam on the points and — after `camera_warmup_steps` — on the cameras, then hand
//! the probe's gradient to the strategy (accumulate, refine on schedule).

use std::path::Path;

use burn::tensor::{Device, Gradients, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::{Error, Phase, Result, RunContext, Scene, TrainReport, TrainView};
use splatbench_device::device_for;
use splatbench_gstrain::{PointParams, StepInfo, Strategy, cosine_lr};
use splatbench_render::op::render;
use splatbench_train::tensors::{ViewTensors, to_rows};
use splatbench_train::{Plan, StepOutput, TrainTask};

use crate::cameras::{Bounds, LearnableCameras, RigConfig, mean_angle_error_deg};
use crate::checkpoint;
use crate::config::HeadConfig;
use crate::init::{INIT_OPACITY, initial_cloud};
use crate::loss::head_loss;
use crate::points::{PointValues, build_params, gaussian_tensors, set_lrs};
use crate::recon::HeadReconstruction;
use crate::strategy::{ProgressiveConfig, ProgressiveStrategy};
use crate::yaw_pitch::{YawPitch, YawPitchRig};

/// Everything a finished run hands back.
pub struct TrainOutcome {
    pub reconstruction: HeadReconstruction,
    /// The points and cameras before the first step (rebuilt from the seed when the run resumed).
    pub initial: Option<HeadReconstruction>,
    pub report: TrainReport,
    /// (step, point count) after each refinement.
    pub point_history: Vec<(usize, usize)>,
    /// The schedule's allowed count at each refinement step, for checking `point_history` against it.
    pub point_targets: Vec<usize>,
    /// Cameras: the dataset's, the initial (perturbed) and the learned.
    pub true_rig: YawPitchRig,
    pub init_rig: YawPitchRig,
}

/// Perturb every learnable view's angles by a uniform offset in [−noise, noise] degrees.
pub fn perturb(rig: &YawPitchRig, noise_deg: f64, fix_first: bool, seed: u64) -> YawPitchRig {
    let mut out = rig.clone();
    if noise_deg <= 0.0 {
        return out;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0FF_EE00_D15E_A5E5);
    for (i, v) in out.views.iter_mut().enumerate() {
        let (dy, dp): (f64, f64) = (rng.random_range(-1.0..=1.0), rng.random_range(-1.0..=1.0));
        if !(fix_first && i == 0) {
            *v = YawPitch { yaw_deg: v.yaw_deg + noise_deg * dy, pitch_deg: v.pitch_deg + noise_deg * dp };
        }
    }
    out
}

/// The head method's step (see the module docs).
struct HeadTask<'a> {
    cfg: &'a HeadConfig,
    views: Vec<TrainView>,
    targets: Vec<ViewTensors>,
    params: PointParams,
    cameras: LearnableCameras,
    strategy: ProgressiveStrategy,
    background: [f32; 3],
    radius: f64,
    device: Device,
    names: Vec<String>,
    /// The schedule's allowed count at each refinement step.
    point_targets: Vec<usize>,
    /// What a checkpoint must match to be resumed from ([`checkpoint`]).
    fingerprint: String,
}

/// What `end_step` needs from the render.
struct Probe {
    probe: Tensor<2>,
    radii: Vec<u32>,
    view: usize,
}

impl TrainTask for HeadTask<'_> {
    type Extras = Probe;

    fn begin_step(&mut self, step: usize, total: usize) -> Result<()> {
        let cfg = self.cfg;
        set_lrs(&mut self.params, cosine_lr(cfg.lr_geometry, cfg.lr_geometry * cfg.lr_min_factor, step, total));
        self.cameras.set_lr(cosine_lr(cfg.lr_camera, cfg.lr_camera * cfg.lr_min_factor, step, total));
        Ok(())
    }

    fn forward(&mut self, step: usize, _total: usize) -> Result<StepOutput<Probe>> {
        let i = step % self.views.len();
        let g = gaussian_tensors(&self.params);
        let probe = Tensor::<2>::zeros([self.params.len(), 2], &self.device).require_grad();
        let cam = self.cameras.tensors(i, &self.views[i].camera);
        let out = render(&g, &cam, self.background, Some(&probe));
        let loss = head_loss(&out, &self.targets[i], &self.params, self.cfg, self.radius);
        Ok(StepOutput {
            terms: vec![("photometric", loss.photometric)],
            ..StepOutput::new(loss.total, Probe { probe, radii: out.radii, view: i })
        })
    }

    fn parameter_groups(&self) -> Vec<(String, Tensor<2>)> {
        self.params.groups()
    }

    fn optimize(&mut self, grads: &Gradients, step: usize, _total: usize) -> Result<()> {
        self.params.adam_step(grads);
        if step >= self.cfg.camera_warmup_steps {
            self.cameras.step(grads);
        }
        Ok(())
    }

    fn end_step(&mut self, p: Probe, grads: &Gradients, step: usize, total: usize) -> Result<()> {
        let n = p.radii.len();
        let g2d: Vec<[f32; 2]> = p.probe.grad(grads).map(to_rows).unwrap_or_else(|| vec![[0.0; 2]; n]);
        let cam = &self.views[p.view].camera;
        let info = StepInfo {
            step,
            total_steps: total,
            means2d_grad: &g2d,
            radii: &p.radii,
            width: cam.width,
            height: cam.height,
        };
        let before = self.strategy.history.len();
        self.strategy.step_post_backward(&mut self.params, &info);
        self.strategy.step_post_optimizer(&mut self.params, step);
        if self.strategy.history.len() > before {
            self.point_targets.push(self.strategy.target(step));
        }
        if self.params.len() > self.cfg.max_points {
            return Err(Error::bug(format!(
                "point count {} exceeds max_points {}",
                self.params.len(),
                self.cfg.max_points
            )));
        }
        Ok(())
    }

    fn save_checkpoint(&self, dir: &Path, next_step: usize) -> Result<()> {
        let c = checkpoint::Checkpoint {
            fingerprint: self.fingerprint.clone(),
            points: self.params.state(),
            cameras: self.cameras.state(),
            strategy: self.strategy.state(),
            history: self.strategy.history.clone(),
            point_targets: self.point_targets.clone(),
        };
        splatbench_train::checkpoint::save_json(dir, checkpoint::PREFIX, next_step, &c)
    }
}

impl HeadTask<'_> {
    fn restore(&mut self, c: checkpoint::Checkpoint) -> std::result::Result<(), String> {
        if c.fingerprint != self.fingerprint {
            return Err("from another run (its configuration, seed or scene differ)".into());
        }
        let params = PointParams::from_state(&self.device, self.params.adam(), &c.points)?;
        if params.len() > self.cfg.max_points {
            return Err(format!("{} points, more than max_points", params.len()));
        }
        self.cameras.restore(&c.cameras)?;
        self.strategy.restore(&c.strategy)?;
        self.params = params;
        self.strategy.history = c.history;
        self.point_targets = c.point_targets;
        Ok(())
    }
}

/// The configuration but for when to checkpoint and whether to resume, the step count, the seed, the scene.
fn fingerprint(cfg: &HeadConfig, steps: usize, seed: u64, scene: &Scene) -> String {
    let run = format!("steps={steps} seed={seed} scene={} views={}", scene.name, scene.split("train").len());
    splatbench_train::checkpoint::fingerprint(cfg, &run)
}

/// Fit the scene's "train" split. `dataset_rig` is the dataset's yaw/pitch file when the caller has it; otherwise
/// the rig is recovered from the views' poses (which must fit the model).
pub fn train_scene(
    cfg: &HeadConfig,
    scene: &Scene,
    dataset_rig: Option<&YawPitchRig>,
    ctx: &mut RunContext,
) -> Result<TrainOutcome> {
    cfg.validate().map_err(|m| Error::input("head config", m))?;
    let views = scene.split("train");
    if views.is_empty() {
        return Err(Error::input(&scene.name, "the head method needs a \"train\" split with at least one view"));
    }
    for v in views {
        v.camera.require_pinhole("the head method")?;
    }
    let device: Device = device_for(ctx.backend, ctx.device_index)?;
    let steps = ctx.steps.unwrap_or(cfg.steps);
    let bg = scene.background;

    let mut train: Vec<TrainView> = ctx.time(Phase::Data, || {
        views.iter().map(|v| TrainView::prepare(v, bg, cfg.max_image_side, "the head method")).collect::<Result<_>>()
    })?;
    let true_rig = match dataset_rig {
        Some(r) if r.views.len() == views.len() => r.clone(),
        Some(r) => {
            return Err(Error::input(
                &scene.name,
                format!("yaw/pitch file has {} views, the train split {}", r.views.len(), views.len()),
            ));
        }
        None => YawPitchRig::from_cameras(&views.iter().map(|v| &v.camera).collect::<Vec<_>>())
            .map_err(|m| Error::input(&scene.name, format!("train cameras do not fit the yaw/pitch model: {m}")))?,
    };
    let init_rig = perturb(&true_rig, cfg.camera_noise_deg, cfg.fix_first_camera, ctx.seed);
    for (i, v) in train.iter_mut().enumerate() {
        let c = init_rig.camera(i, v.camera.width, v.camera.height);
        v.camera = splatbench_core::Camera { fy: c.fx * v.camera.fy / v.camera.fx, ..c };
    }
    let radius = cfg.object_radius_factor * true_rig.distance / (2.0 * init_rig.focal_norm);

    let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed);
    let bounds = Bounds {
        max_yaw_deg: cfg.max_yaw_deg,
        max_pitch_deg: cfg.max_pitch_deg,
        focal_min: init_rig.focal_norm / cfg.focal_range_factor,
        focal_max: init_rig.focal_norm * cfg.focal_range_factor,
    };
    let init = initial_cloud(&train, cfg.init_points, radius, cfg.visual_hull_init, &mut rng);
    let n = init.means.len();
    let values = PointValues {
        means: init.means,
        colors: init.colors,
        opacities: vec![INIT_OPACITY; n],
        scales: vec![[init.scale; 3]; n],
    };
    let start_rig = init_rig.clone();
    let params: PointParams = build_params(&values, cfg.anisotropic, cfg.lr_geometry, &device);
    let cameras = LearnableCameras::new(
        start_rig,
        RigConfig { fix_first: cfg.fix_first_camera, learn_focal: cfg.learn_focal, lr: cfg.lr_camera, bounds },
        &device,
    );
    let strategy = ProgressiveStrategy::new(
        ProgressiveConfig {
            init_points: cfg.init_points.min(params.len()),
            max_points: cfg.max_points,
            every: cfg.densify_every,
            from: (cfg.densify_from * steps as f64).round() as usize,
            until: (cfg.densify_until * steps as f64).round() as usize,
            jitter: cfg.clone_jitter,
            prune_opacity: cfg.prune_opacity,
        },
        ctx.seed,
    );
    let names: Vec<String> = views.iter().map(|v| v.name.clone()).collect();
    let initial = Some({
        HeadReconstruction::new(
            gaussian_tensors(&params).to_cloud(),
            cameras.to_file(0, &names, train[0].camera.width, train[0].camera.height),
            bg,
            device.clone(),
            cfg.gif_frames,
            cfg.gif_size,
        )
    });
    let mut task = HeadTask {
        cfg,
        targets: train.iter().map(|v| ViewTensors::new(v, &device)).collect(),
        names,
        views: train,
        params,
        cameras,
        strategy,
        background: bg,
        radius,
        device: device.clone(),
        point_targets: Vec::new(),
        fingerprint: fingerprint(cfg, steps, ctx.seed, scene),
    };
    let mut start_step = 0;
    if let (Some(dir), true) = (ctx.work_dir.clone(), cfg.resume) {
        start_step =
            splatbench_train::checkpoint::resume_json(&dir, checkpoint::PREFIX, |c| task.restore(c)).unwrap_or(0);
    }
    let plan = Plan { start: start_step, total: steps, checkpoint_every: cfg.checkpoint_every };
    let summary = splatbench_train::run(&mut task, ctx, plan)?;
    let HeadTask { params, cameras, strategy, views: train, names, point_targets, .. } = task;

    let learned = cameras.rig().clone();
    let mut report = TrainReport { steps, final_loss: summary.final_loss, ..Default::default() };
    report.stats.insert("gaussians".into(), params.len() as f64);
    report.stats.insert("camera_err_deg".into(), mean_angle_error_deg(&learned, &true_rig));
    report.stats.insert("camera_err_init_deg".into(), mean_angle_error_deg(&init_rig, &true_rig));
    report.stats.insert("focal_err_pct".into(), 100.0 * (learned.focal_norm / true_rig.focal_norm - 1.0).abs());
    report.stats.insert("resumed_from_step".into(), start_step as f64);
    if let Some(ms) = summary.ms_per_step() {
        report.stats.insert("ms_per_step".into(), ms);
    }
    let (w, h) = (train[0].camera.width, train[0].camera.height);
    let reconstruction = HeadReconstruction::new(
        gaussian_tensors(&params).to_cloud(),
        cameras.to_file(steps, &names, w, h),
        bg,
        device,
        cfg.gif_frames,
        cfg.gif_size,
    );
    Ok(TrainOutcome {
        reconstruction,
        initial,
        report,
        point_history: strategy.history.clone(),
        point_targets,
        true_rig,
        init_rig,
    })
}
