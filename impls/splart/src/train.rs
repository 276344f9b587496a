//! Training on the skeleton (`splatbench_train::run`): one [`TrainTask`] step is a forward composite, the L2 loss
//! and one Adam step on every stroke parameter; every K steps a round boundary prunes (after the first round) and
//! places B new strokes.
//!
//! Round r covers steps r·K .. (r+1)·K. At its first step, before the forward pass:
//! 1. prune the strokes of the previous round's end ([`crate::prune`]: tiny, off-canvas, or a gradient norm summed
//!    over the last K steps below ε), removing their Adam state with them (`PointParams::keep_rows`);
//! 2. composite the current strokes on the host, keep it as the animation's frame r, measure its loss L_t;
//! 3. place B strokes ([`crate::sampling`]) of initial half-extent s₀ ([`crate::schedule`]) and (s₀·aspect),
//!    appended in creation order with zero Adam moments (`PointParams::append_rows`).
//!
//! The canvas starts at the target's mean colour, which is also the over operator's background.

use crate::brush::Brush;
use crate::config::SplartConfig;
use crate::kernel;
use crate::op::{StrokeTensors, composite};
use crate::prune::prune_reasons;
use crate::sampling::{ErrorMap, StructureTensor, colour_logits};
use crate::stroke::Stroke;
use burn::tensor::{Device, Gradients, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::resample::{area_downscale, fit_within};
use splatbench_core::{Error, Image, Phase, Result, RunContext, Scene, TrainReport, TrainView};
use splatbench_gstrain::PointParams;
use splatbench_train::{Plan, StepOutput, TrainTask, tensors};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Parameter names in [`PointParams`], with their column counts (the op's input order).
pub const PARAMS: [(&str, usize); 4] = [("position", 2), ("rotation", 1), ("log_scale", 2), ("color_logit", 3)];

/// What a fit leaves behind.
#[derive(Clone, Debug)]
pub struct Trained {
    pub strokes: Vec<Stroke>,
    pub brush: Arc<Brush>,
    pub width: u32,
    pub height: u32,
    /// The canvas's initial colour: the target's mean.
    pub background: [f32; 3],
    /// One frame per round boundary plus the final painting (rounds + 1), at most `gif_max_side` on a side.
    pub frames: Vec<Image>,
    pub loss_curve: Vec<(usize, f64)>,
    pub report: TrainReport,
}

/// Fits the first "train" view of `scene`.
pub fn train_scene(scene: &Scene, cfg: &SplartConfig, ctx: &mut RunContext) -> Result<Trained> {
    let view = scene
        .split("train")
        .first()
        .ok_or_else(|| Error::input(&scene.name, "scene has no \"train\" view to paint"))?;
    let tv = ctx.time(Phase::Data, || TrainView::prepare(view, scene.background, cfg.max_image_side, "splart"))?;
    fit_image(&tv.image, cfg, ctx)
}

pub(crate) fn validate(cfg: &SplartConfig) -> Result<()> {
    let bad = |m: &str| Err(Error::input("splart config", m));
    if cfg.strokes_per_round == 0 || cfg.steps_per_round == 0 {
        return bad("strokes_per_round and steps_per_round must be at least 1");
    }
    if !(cfg.aspect > 0.0 && cfg.aspect <= 1.0) {
        return bad("aspect must be in (0, 1]");
    }
    if !(0.0..=1.0).contains(&cfg.scale.beta) || cfg.scale.s_max_frac <= 0.0 {
        return bad("scale.beta must be in [0, 1] and scale.s_max_frac positive");
    }
    Ok(())
}

/// Paints `target` (RGB, the training resolution).
pub fn fit_image(target: &Image, cfg: &SplartConfig, ctx: &mut RunContext) -> Result<Trained> {
    validate(cfg)?;
    if target.channels != 3 {
        return Err(Error::input(
            "target image",
            format!("splart paints RGB targets; got {} channels", target.channels),
        ));
    }
    let device = splatbench_device::device_for(ctx.backend, ctx.device_index)?;
    let brush = Arc::new(cfg.brush.build()?);
    let k = cfg.steps_per_round;
    let rounds = ctx.steps.map_or(cfg.rounds, |s| s.div_ceil(k)).max(1);
    let (width, height) = (target.width, target.height);
    let pixels = target.pixels() as f64;
    let background =
        [0, 1, 2].map(|c| (target.data.iter().skip(c).step_by(3).map(|&v| v as f64).sum::<f64>() / pixels) as f32);
    let (structure, target_t) = ctx.time(Phase::Data, || {
        (StructureTensor::new(&target.data, width, height, cfg.structure_sigma), tensors::image_tensor(target, &device))
    });
    let mut task = Painter {
        cfg,
        device,
        brush,
        width,
        height,
        background,
        target_host: target.data.clone(),
        target: target_t,
        structure,
        params: None,
        grad_norms: Vec::new(),
        rng: ChaCha8Rng::seed_from_u64(ctx.seed),
        loss0: f64::NAN,
        rounds,
        frames: Vec::new(),
        placed: 0,
        pruned: 0,
        fingerprint: String::new(),
    };
    let total = rounds * k;
    task.fingerprint = fingerprint(cfg, ctx.seed, total, target);
    let mut start = 0;
    if let (Some(dir), true) = (ctx.work_dir.clone(), cfg.resume) {
        start = crate::resume::resume_latest(&dir, &task.fingerprint.clone(), |s| task.restore(s)).unwrap_or(0);
    }
    let plan = Plan { start, total, checkpoint_every: cfg.checkpoint_every };
    let summary = splatbench_train::run(&mut task, ctx, plan)?;
    let strokes = task.host_strokes();
    let last = kernel::forward(&strokes, &task.brush, width, height, background);
    task.push_frame(&last);
    let mut stats = BTreeMap::new();
    stats.insert("strokes".to_string(), strokes.len() as f64);
    stats.insert("strokes_placed".to_string(), task.placed as f64);
    stats.insert("strokes_pruned".to_string(), task.pruned as f64);
    stats.insert("rounds".to_string(), rounds as f64);
    stats.insert("strokes_per_s".to_string(), task.placed as f64 / summary.seconds.max(1e-9));
    stats.insert("initial_loss".to_string(), task.loss0);
    Ok(Trained {
        strokes,
        brush: task.brush,
        width,
        height,
        background,
        frames: task.frames,
        loss_curve: ctx.loss_curve.clone(),
        report: TrainReport { steps: summary.steps_run, final_loss: summary.final_loss, stats },
    })
}

struct Painter<'a> {
    cfg: &'a SplartConfig,
    device: Device,
    brush: Arc<Brush>,
    width: u32,
    height: u32,
    background: [f32; 3],
    target_host: Vec<f32>,
    target: Tensor<3>,
    structure: StructureTensor,
    params: Option<PointParams>,
    /// Per stroke, the sum over this round's steps of its gradient's norm.
    grad_norms: Vec<f64>,
    rng: ChaCha8Rng,
    loss0: f64,
    rounds: usize,
    frames: Vec<Image>,
    placed: usize,
    pruned: usize,
    /// What a checkpoint must match to be resumed from ([`crate::resume`]).
    fingerprint: String,
}

/// The configuration but for when to checkpoint and whether to resume, the seed, the step count, the target.
fn fingerprint(cfg: &SplartConfig, seed: u64, total: usize, target: &Image) -> String {
    // FNV-1a over the target's bits: a different image with the same size is another run.
    let hash = target
        .data
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, v| (h ^ u64::from(v.to_bits())).wrapping_mul(0x100_0000_01b3));
    let run = format!("seed={seed} steps={total} target={}x{} {hash:016x}", target.width, target.height);
    splatbench_train::checkpoint::fingerprint(cfg, &run)
}

/// Host strokes of `params` (row order = creation order).
pub fn strokes_of(params: &PointParams) -> Vec<Stroke> {
    let [(p, _), (r, _), (l, _), (c, _)] = PARAMS.map(|(name, _)| params.to_host(name));
    (0..params.len())
        .map(|i| Stroke {
            position: [p[2 * i], p[2 * i + 1]],
            rotation: r[i],
            log_scale: [l[2 * i], l[2 * i + 1]],
            color_logit: [c[3 * i], c[3 * i + 1], c[3 * i + 2]],
        })
        .collect()
}

/// Prunes `params` by [`prune_reasons`]; returns how many rows went. Adam state follows the rows.
pub fn prune_params(
    params: &mut PointParams,
    grad_norms: &[f64],
    brush: &Brush,
    width: u32,
    height: u32,
    rules: &crate::prune::PruneRules,
) -> usize {
    let reasons = prune_reasons(&strokes_of(params), grad_norms, brush, width, height, rules);
    let keep: Vec<bool> = reasons.iter().map(Option::is_none).collect();
    let removed = keep.iter().filter(|k| !**k).count();
    if removed > 0 {
        params.keep_rows(&keep);
    }
    removed
}

fn mse(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(&x, &y)| (x as f64 - y as f64).powi(2)).sum::<f64>() / a.len() as f64
}

impl Painter<'_> {
    /// The training state after `step` steps (a checkpoint's content).
    fn state(&self, step: usize) -> crate::resume::PainterState {
        crate::resume::PainterState {
            step,
            rng_word_pos: self.rng.get_word_pos().to_string(),
            fingerprint: self.fingerprint.clone(),
            params: self.params.as_ref().map(PointParams::state),
            grad_norms: self.grad_norms.iter().map(|v| v.to_bits()).collect(),
            loss0: self.loss0.to_bits(),
            placed: self.placed,
            pruned: self.pruned,
            frames: self.frames.iter().map(crate::resume::frame_bits).collect(),
        }
    }

    /// Put back a checkpoint's state.
    fn restore(&mut self, s: crate::resume::PainterState) -> std::result::Result<(), String> {
        let pos = splatbench_train::checkpoint::stream_position(&s.rng_word_pos)?;
        let params = match &s.params {
            Some(p) => Some(PointParams::from_state(&self.device, splatbench_gstrain::Adam::default(), p)?),
            None => None,
        };
        if params.as_ref().map_or(0, PointParams::len) != s.grad_norms.len() {
            return Err("the gradient sums do not match the strokes".into());
        }
        self.frames = s.frames.iter().map(crate::resume::frame_of).collect::<std::result::Result<_, _>>()?;
        self.params = params;
        self.grad_norms = s.grad_norms.iter().map(|&b| f64::from_bits(b)).collect();
        self.loss0 = f64::from_bits(s.loss0);
        (self.placed, self.pruned) = (s.placed, s.pruned);
        self.rng.set_word_pos(pos);
        Ok(())
    }

    fn host_strokes(&self) -> Vec<Stroke> {
        self.params.as_ref().map_or_else(Vec::new, strokes_of)
    }

    fn push_frame(&mut self, image: &[f32]) {
        let img = Image { width: self.width, height: self.height, channels: 3, data: image.to_vec() };
        let (w, h) = fit_within(self.width, self.height, Some(self.cfg.gif_max_side));
        self.frames.push(if (w, h) == (self.width, self.height) { img } else { area_downscale(&img, w, h) });
    }

    fn rows(&self, values: Vec<f32>, cols: usize) -> Tensor<2> {
        let n = values.len() / cols;
        Tensor::from_data(TensorData::new(values, [n, cols]), &self.device)
    }

    /// Steps 1–3 of the module docs.
    fn start_round(&mut self, round: usize) -> Result<()> {
        let cfg = self.cfg;
        let (w, h) = (self.width, self.height);
        if let Some(params) = &mut self.params {
            let removed = prune_params(params, &self.grad_norms, &self.brush, w, h, &cfg.prune);
            self.pruned += removed;
            if params.is_empty() {
                self.params = None;
            }
        }
        let strokes = self.host_strokes();
        let render = kernel::forward(&strokes, &self.brush, w, h, self.background);
        self.push_frame(&render);
        let loss = mse(&render, &self.target_host);
        if round == 0 {
            self.loss0 = loss;
        }
        let progress = round as f64 / self.rounds as f64;
        let s0 = cfg.scale.initial_scale(loss, self.loss0, progress, w.max(h) as f64);
        let b = cfg.strokes_per_round;
        let rng = &mut self.rng;
        let map = ErrorMap::new(&render, &self.target_host, w, h, cfg.gamma, cfg.error_block);
        let positions = map.sample(b, || rng.random::<f64>());
        let noise = cfg.rotation_noise_deg.to_radians();
        let rotations: Vec<f32> =
            positions.iter().map(|&p| self.structure.rotation(p, noise, || rng.random::<f64>()) as f32).collect();
        let colours: Vec<f32> = positions.iter().flat_map(|&p| colour_logits(&self.target_host, w, h, p)).collect();
        let log_s = [s0.ln() as f32, (s0 * cfg.aspect).ln() as f32];
        let new = [
            self.rows(positions.as_flattened().to_vec(), 2),
            self.rows(rotations, 1),
            self.rows(log_s.repeat(b), 2),
            self.rows(colours, 3),
        ];
        let lrs = [cfg.lr_position, cfg.lr_rotation, cfg.lr_scale, cfg.lr_color];
        match &mut self.params {
            None => {
                let mut p = PointParams::new(&self.device);
                for (((name, _), value), lr) in PARAMS.iter().zip(new).zip(lrs) {
                    p.add(name, value, lr);
                }
                self.params = Some(p);
            }
            Some(p) => {
                let overrides: Vec<(&str, Tensor<2>)> = PARAMS.iter().map(|(n, _)| *n).zip(new).collect();
                p.append_rows(&vec![0; b], &overrides);
            }
        }
        self.placed += b;
        self.grad_norms = vec![0.0; self.params.as_ref().map_or(0, PointParams::len)];
        Ok(())
    }
}

impl TrainTask for Painter<'_> {
    type Extras = ();

    fn begin_step(&mut self, step: usize, _total: usize) -> Result<()> {
        if step.is_multiple_of(self.cfg.steps_per_round) {
            self.start_round(step / self.cfg.steps_per_round)?;
        }
        Ok(())
    }

    fn forward(&mut self, _step: usize, _total: usize) -> Result<StepOutput<()>> {
        let p = self.params.as_ref().ok_or_else(|| Error::bug("splart: no strokes to paint"))?;
        let strokes = StrokeTensors {
            position: p.get("position"),
            rotation: p.get("rotation"),
            log_scale: p.get("log_scale"),
            color_logit: p.get("color_logit"),
        };
        let image = composite(&strokes, &self.brush, self.width, self.height, self.background);
        let diff = image - self.target.clone();
        Ok(StepOutput::new((diff.clone() * diff).mean(), ()))
    }

    fn parameter_groups(&self) -> Vec<(String, Tensor<2>)> {
        self.params.as_ref().map(PointParams::groups).unwrap_or_default()
    }

    fn save_checkpoint(&self, dir: &std::path::Path, next_step: usize) -> Result<()> {
        crate::resume::save(dir, &self.state(next_step))
    }

    fn optimize(&mut self, grads: &Gradients, _step: usize, _total: usize) -> Result<()> {
        let p = self.params.as_mut().ok_or_else(|| Error::bug("splart: no strokes to optimise"))?;
        // Squared gradient norm per stroke over all parameters, read before Adam replaces the leaves.
        let mut sq = vec![0.0f64; p.len()];
        for (name, cols) in PARAMS {
            if let Some(g) = p.get(name).grad(grads) {
                for (i, row) in tensors::to_vec(g).chunks_exact(cols).enumerate() {
                    sq[i] += row.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
                }
            }
        }
        for (acc, s) in self.grad_norms.iter_mut().zip(sq) {
            *acc += s.sqrt();
        }
        p.adam_step(grads);
        Ok(())
    }
}
