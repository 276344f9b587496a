//! The roigs training step on the shared skeleton ([`splatbench_train::run`]): 3DGS on one scene's "train" split,
//! with the ROI and Laplacian terms when configured.
//!
//! Per step t of T (one training view, visited in a seeded random order per epoch):
//! 1. position lr = `exp_decay(1.6e-4·extent → 1.6e-6·extent)`; active SH degree `min(D, t / interval)` (the
//!    parameters always hold degree D; higher bands are sliced off the render until they are switched on);
//! 2. render with a zero screen-space probe (its gradient is the densification statistic);
//! 3. loss `(1 − λ)·L1_w + λ·(1 − SSIM) [+ λ_lap · Σ_k w_k(t/T) |L_k(pred) − L_k(gt)|]`, where `L1_w` is the
//!    plain L1 or, with an ROI, the pixel-weighted L1 (ROI pixels `pixel_weight` times heavier, mean weight 1);
//! 4. backward, Adam, then the strategy's post-backward hook (densify/prune on schedule; [`RoiStrategy`] with an
//!    ROI, [`DefaultStrategy`] otherwise — the trainer never branches on the variant beyond building these).

use crate::config::{MIN_REFINE_EVERY, MIN_RESET_EVERY, RoiGsConfig};
use crate::gating::RoiGate;
use crate::roi::{ViewRoi, effective_rois, pixel_weights};
use crate::strategy::RoiStrategy;
use burn::tensor::{Device, Gradients, Tensor, TensorData};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use splatbench_core::method::Phase;
use splatbench_core::{Camera, Error, Image, Result, RunContext, Scene, TrainReport, TrainView};
use splatbench_device::device_for;
use splatbench_gstrain::gaussians::{self, GaussianLrs, MEANS};
use splatbench_gstrain::{DefaultStrategy, PointParams, StepInfo, Strategy};
use splatbench_losses::{photometric, pyramid, ssim};
use splatbench_render::GaussianCloud;
use splatbench_render::op::{CameraTensors, GaussianTensors, RenderOutput, render};
use splatbench_train::tensors::{image_tensor, tensor_image, to_rows};
use splatbench_train::{Plan, StepOutput, TrainTask};

/// What training leaves behind.
pub struct Trained {
    pub cloud: GaussianCloud,
    /// The Gaussians before the first step (the bench scores them as the "initial" reference).
    pub initial: GaussianCloud,
    /// In-ROI flag per Gaussian (all false without an ROI).
    pub in_roi: Vec<bool>,
    pub background: [f32; 3],
    pub report: TrainReport,
    /// The device the method trained on (inner, non-autodiff), for rendering.
    pub device: Device,
}

/// Training views and their per-pixel loss weights.
struct Batch {
    view: TrainView,
    target: Tensor<3>,
    weights: Option<Tensor<2>>,
}

/// Renders `cloud` from `camera` on `device` (inference, no autodiff).
pub fn render_cloud(cloud: &GaussianCloud, camera: &Camera, background: [f32; 3], device: &Device) -> Result<Image> {
    camera.require_pinhole("roigs")?;
    let device = device.clone().inner();
    let g = GaussianTensors::from_cloud(cloud, &device);
    let out = render(&g, &CameraTensors::from_camera(camera, &device), background, None);
    Ok(tensor_image(out.color))
}

/// Gaussians as render tensors at the active SH degree (the parameters hold `max_degree`).
fn active_tensors(params: &PointParams, max_degree: u32, active: u32) -> GaussianTensors {
    let mut g = gaussians::tensors(params, max_degree);
    if active < max_degree {
        let [n, _, _] = g.sh.dims();
        g.sh = g.sh.slice([0..n, 0..GaussianCloud::num_sh_coeffs(active), 0..3]);
    }
    g
}

/// One roigs step (see the module docs).
struct RoiGsTask<'a> {
    cfg: &'a RoiGsConfig,
    strategy: Box<dyn Strategy>,
    sh_interval: usize,
    /// Visits the views in a seeded random order per epoch.
    rng: ChaCha8Rng,
    order: Vec<usize>,
    current: usize,
    batches: Vec<Batch>,
    params: PointParams,
    lrs: GaussianLrs,
    background: [f32; 3],
    device: Device,
    /// What a checkpoint must match to be resumed from.
    fingerprint: String,
}

/// A roigs checkpoint (`roigs_step{n:06}.json`, sealed by the skeleton's manifest): everything a step depends on —
/// the Gaussians with their Adam state, the strategy's statistics, stream and history, the view order's stream and
/// what is left of this epoch's order. The learning rates and SH degree are functions of the step.
#[derive(serde::Serialize, serde::Deserialize)]
struct Checkpoint {
    fingerprint: String,
    params: Vec<splatbench_gstrain::ParamState>,
    strategy: splatbench_gstrain::StrategyState,
    /// ChaCha8 word position of the view order (u128, as text).
    rng_word_pos: String,
    order: Vec<usize>,
}

impl RoiGsTask<'_> {
    fn restore(&mut self, c: Checkpoint) -> std::result::Result<(), String> {
        if c.fingerprint != self.fingerprint {
            return Err("from another run (its configuration, seed or scene differ)".into());
        }
        if c.order.iter().any(|&i| i >= self.batches.len()) {
            return Err("the view order names a view this scene does not have".into());
        }
        let pos = splatbench_train::checkpoint::stream_position(&c.rng_word_pos)?;
        let params = PointParams::from_state(&self.device, self.params.adam(), &c.params)?;
        self.strategy.restore(&c.strategy)?;
        self.params = params;
        self.rng.set_word_pos(pos);
        self.order = c.order;
        Ok(())
    }
}

/// The configuration but for when to checkpoint and whether to resume, the step count, the seed, the scene.
fn fingerprint(cfg: &RoiGsConfig, total: usize, seed: u64, scene: &Scene, views: usize) -> String {
    splatbench_train::checkpoint::fingerprint(
        cfg,
        &format!("steps={total} seed={seed} scene={} views={views}", scene.name),
    )
}

/// What `end_step` needs from the render.
struct Probe {
    probe: Tensor<2>,
    radii: Vec<u32>,
}

impl TrainTask for RoiGsTask<'_> {
    type Extras = Probe;

    fn begin_step(&mut self, step: usize, total: usize) -> Result<()> {
        if self.order.is_empty() {
            self.order = (0..self.batches.len()).collect();
            self.order.shuffle(&mut self.rng);
        }
        self.current = self.order.pop().expect("refilled above");
        self.lrs.apply(&mut self.params, step, total);
        self.strategy.step_pre_backward(&mut self.params, step);
        Ok(())
    }

    fn forward(&mut self, step: usize, total: usize) -> Result<StepOutput<Probe>> {
        let b = &self.batches[self.current];
        let active = self.cfg.sh_degree.min((step / self.sh_interval) as u32);
        let g = active_tensors(&self.params, self.cfg.sh_degree, active);
        let probe = Tensor::<2>::zeros([self.params.len(), 2], &self.params.get(MEANS).device()).require_grad();
        let cam = CameraTensors::from_camera(&b.view.camera, &self.device);
        let RenderOutput { color, radii, .. } = render(&g, &cam, self.background, Some(&probe));
        Ok(StepOutput::new(step_loss(self.cfg, color, b, step, total), Probe { probe, radii }))
    }

    fn parameter_groups(&self) -> Vec<(String, Tensor<2>)> {
        self.params.groups()
    }

    fn save_checkpoint(&self, dir: &std::path::Path, next_step: usize) -> Result<()> {
        let c = Checkpoint {
            fingerprint: self.fingerprint.clone(),
            params: self.params.state(),
            strategy: self.strategy.state(),
            rng_word_pos: self.rng.get_word_pos().to_string(),
            order: self.order.clone(),
        };
        splatbench_train::checkpoint::save_json(dir, "roigs", next_step, &c)
    }

    fn optimize(&mut self, grads: &Gradients, _step: usize, _total: usize) -> Result<()> {
        self.params.adam_step(grads);
        Ok(())
    }

    fn end_step(&mut self, p: Probe, grads: &Gradients, step: usize, total: usize) -> Result<()> {
        let means2d_grad: Vec<[f32; 2]> = p.probe.grad(grads).map(to_rows).unwrap_or_default();
        let cam = &self.batches[self.current].view.camera;
        let info = StepInfo {
            step,
            total_steps: total,
            means2d_grad: &means2d_grad,
            radii: &p.radii,
            width: cam.width,
            height: cam.height,
        };
        self.strategy.step_post_backward(&mut self.params, &info);
        self.strategy.step_post_optimizer(&mut self.params, step);
        Ok(())
    }
}

/// Fits `scene`'s "train" split. `ctx.steps` overrides `cfg.steps` (0 returns the initialisation).
pub fn train_scene(scene: &Scene, cfg: &RoiGsConfig, ctx: &mut RunContext) -> Result<Trained> {
    cfg.validate().map_err(|m| Error::input("RoiGsConfig", m))?;
    let total = ctx.steps.unwrap_or(cfg.steps);
    let raw_views = scene.split("train");
    if raw_views.is_empty() {
        return Err(Error::input(&scene.name, "scene has no \"train\" views"));
    }
    let background = cfg.background.unwrap_or_else(|| crate::background::render_background(scene, raw_views));
    let device = device_for(ctx.backend, ctx.device_index)?;

    // Data: views at the training resolution, initial points, ROI.
    let views: Vec<TrainView> = ctx.time(Phase::Data, || {
        raw_views.iter().map(|v| TrainView::prepare(v, background, cfg.max_image_side, "roigs")).collect::<Result<_>>()
    })?;
    let cameras: Vec<Camera> = views.iter().map(|v| v.camera.clone()).collect();
    let extent = gaussians::scene_extent(&cameras);
    let sparse: Vec<[f64; 3]> = scene.points.as_ref().map(|p| p.positions.clone()).unwrap_or_default();
    let cloud = match &scene.points {
        Some(p) if !p.positions.is_empty() => p.clone(),
        _ => {
            let n = cameras.len() as f64;
            let centre = [0, 1, 2].map(|k| cameras.iter().map(|c| c.center()[k]).sum::<f64>() / n);
            gaussians::random_cloud(cfg.random_init_points, centre, extent, ctx.seed)
        }
    };
    let l = &cfg.lr;
    let lrs = GaussianLrs {
        means_init: l.means_init * extent,
        means_final: l.means_final * extent,
        log_scales: l.scaling,
        quats: l.rotation,
        opacity_logits: l.opacity,
        sh_dc: l.sh_dc,
        sh_rest: l.sh_dc / l.sh_rest_divisor,
    };
    let params = gaussians::init_from_points(&cloud, cfg.sh_degree, &lrs, &device)?;
    let n_init = params.len();
    let initial = gaussians::to_cloud(&params, cfg.sh_degree);

    let rois: Vec<Option<ViewRoi>> = match &cfg.roi {
        Some(rc) => ctx.time(Phase::Data, || effective_rois(raw_views, &cameras, &sparse, rc)),
        None => vec![None; views.len()],
    };
    let gate = cfg.roi.as_ref().map(|rc| RoiGate::new(rois.iter().flatten().cloned().collect(), rc.min_views));
    if gate.as_ref().is_some_and(|g| g.views.is_empty()) {
        return Err(Error::input(
            &scene.name,
            "the ROI variant needs View.mask or View.depth (with sparse points to align it) on some training view",
        ));
    }
    let batches: Vec<Batch> = views
        .into_iter()
        .zip(&rois)
        .map(|(view, roi)| {
            let (w, h) = (view.camera.width as usize, view.camera.height as usize);
            let weights = match (roi, &cfg.roi) {
                (Some(r), Some(rc)) => {
                    Some(Tensor::from_data(TensorData::new(pixel_weights(&r.weight, rc.pixel_weight), [h, w]), &device))
                }
                _ => None,
            };
            Batch { target: image_tensor(&view.image, &device), view, weights }
        })
        .collect();

    let mut task = RoiGsTask {
        cfg,
        strategy: build_strategy(cfg, extent, total, ctx.seed, gate.clone()),
        sh_interval: cfg.sh_interval_for(total),
        rng: ChaCha8Rng::seed_from_u64(ctx.seed),
        order: Vec::new(),
        current: 0,
        batches,
        params,
        lrs,
        background,
        device: device.clone(),
        fingerprint: String::new(),
    };
    task.fingerprint = fingerprint(cfg, total, ctx.seed, scene, task.batches.len());
    let mut start = 0;
    if let (Some(dir), true) = (ctx.work_dir.clone(), cfg.resume) {
        start = splatbench_train::checkpoint::resume_json(&dir, "roigs", |c| task.restore(c)).unwrap_or(0);
    }
    let plan = Plan { start, total, checkpoint_every: cfg.checkpoint_every };
    let summary = splatbench_train::run(&mut task, ctx, plan)?;
    let RoiGsTask { params, batches, .. } = task;
    let last_loss = summary.final_loss;

    let cloud = gaussians::to_cloud(&params, cfg.sh_degree);
    let in_roi = match &gate {
        Some(g) => g.classify(&params.to_host(MEANS).0),
        None => vec![false; cloud.len()],
    };
    let mut report = TrainReport { steps: total, final_loss: last_loss, ..Default::default() };
    let roi_count = in_roi.iter().filter(|&&r| r).count();
    for (k, v) in [
        ("gaussians", cloud.len() as f64),
        ("roi_gaussians", roi_count as f64),
        ("init_gaussians", n_init as f64),
        ("train_views", batches.len() as f64),
        ("train_width", batches[0].view.camera.width as f64),
        ("train_height", batches[0].view.camera.height as f64),
        ("scene_extent", extent),
    ] {
        report.stats.insert(k.to_string(), v);
    }
    if let Some(g) = &gate {
        let coverage = g.views.iter().map(ViewRoi::coverage).sum::<f64>() / g.views.len() as f64;
        report.stats.insert("roi_views".into(), g.views.len() as f64);
        report.stats.insert("roi_pixel_fraction".into(), coverage);
    }
    Ok(Trained { cloud, initial, in_roi, background, report, device: device.inner() })
}

/// The loss of one step (see the module docs).
fn step_loss(cfg: &RoiGsConfig, pred: Tensor<3>, b: &Batch, step: usize, total: usize) -> Tensor<1> {
    let l1 = match &b.weights {
        Some(w) => photometric::l1_weighted(pred.clone(), b.target.clone(), w.clone()),
        None => photometric::l1(pred.clone(), b.target.clone()),
    };
    // With `weight_all_terms`, D-SSIM is the weighted mean of the per-pixel 1 − SSIM map, and the pyramid is
    // built from the weighted difference w ⊙ (pred − target) (the pyramid is linear, so that weights every band).
    let all = b.weights.as_ref().filter(|_| cfg.roi.as_ref().is_some_and(|r| r.weight_all_terms));
    let dssim = match all {
        Some(w) => {
            (ssim::ssim_map(pred.clone(), b.target.clone()).neg().add_scalar(1.0) * w.clone().unsqueeze_dim(2)).mean()
        }
        None => ssim::dssim_loss(pred.clone(), b.target.clone()),
    };
    let mut loss = l1.mul_scalar(1.0 - cfg.ssim_weight) + dssim.mul_scalar(cfg.ssim_weight);
    if let Some(lap) = &cfg.laplacian {
        let weights = lap.weights(step as f64 / total.max(1) as f64);
        let (p, t) = match all {
            Some(w) => {
                let w: Tensor<3> = w.clone().unsqueeze_dim(2);
                (pred * w.clone(), b.target.clone() * w)
            }
            None => (pred, b.target.clone()),
        };
        loss = loss + pyramid::pyramid_l1(p, t, &weights).mul_scalar(lap.weight);
    }
    loss
}

/// The 3DGS schedule scaled to `total` steps with the short-run floors of [`crate::config`]; wrapped in a
/// [`RoiStrategy`] when there is an ROI gate.
pub fn build_strategy(
    cfg: &RoiGsConfig,
    extent: f64,
    total: usize,
    seed: u64,
    gate: Option<RoiGate>,
) -> Box<dyn Strategy> {
    let d = &cfg.densify;
    let mut inner = DefaultStrategy::new(extent, seed).scale_schedule(total);
    inner.grad_threshold = d.grad_threshold;
    inner.max_points = d.max_points;
    inner.schedule.every = inner.schedule.every.max(MIN_REFINE_EVERY);
    inner.schedule.start = inner.schedule.start.max(inner.schedule.every);
    // Resets off (explicitly or by the floor) also leave 3DGS's post-reset giant pruning off, as in 3DGS
    // itself before its first reset.
    inner.reset_every = if d.opacity_reset { inner.reset_every.max(MIN_RESET_EVERY) } else { usize::MAX };
    if !d.enabled {
        inner.schedule.stop = 0;
    }
    match (gate, &cfg.roi) {
        (Some(gate), Some(rc)) => Box::new(RoiStrategy::new(inner, gate, rc.roi_grad_factor, rc.outside_prune_opacity)),
        _ => Box::new(inner),
    }
}
