//! One training step of the network, as a [`TrainTask`] the shared skeleton runs.
//!
//! ```text
//! per step: B objects (with replacement when fewer exist); per object a conditioning view c (among the views that
//!           have a target when a target term is on) and V − 1 other views
//! raw      = UNet(images of the B conditioning views)                    [B, 15, H, W]
//! L_base   = mean over the B·V renders of mean((render − image)²)        white (scene) background
//! L_new    = mean over the B objects of target_term(channels, target)    only with targets (target_loss.rs)
//! L        = L_base + λ(step)·L_new
//! ```
//!
//! The network's weights are the only parameters (burn's Adam through [`ModuleOptimizer`]); the Gaussians are a
//! function of them and are never optimised directly. After each optimiser step the weight average moves
//! ([`crate::ema`], when on) and the step's two terms are read back for [`crate::loss_terms`] (one more read of two
//! values per step, made after the skeleton's own read of the loss, when they are already computed). Checkpoints
//! and resuming: [`crate::resume`].

use crate::config::SplatterConfig;
use crate::data::{Object, input_tensor};
use crate::ema::Ema;
use crate::loss_terms::{self, TermRow};
use crate::resume::{self, Checkpoint};
use crate::splat::{CHANNELS, Splats};
use crate::target_io::TargetImage;
use crate::target_loss::{lambda, target_term};
use crate::unet::UNet;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Gradients, Tensor, TensorData};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::{Error, Result};
use splatbench_render::op::{CameraTensors, render};
use splatbench_train::{StepOutput, TrainTask};
use std::path::Path;

/// A target on the device: `[HW, CHANNELS]` channels and `[HW]` opacity.
#[derive(Clone)]
pub struct DeviceTarget {
    pub channels: Tensor<2>,
    pub opacity: Tensor<1>,
}

impl DeviceTarget {
    pub fn upload(t: &TargetImage, device: &Device) -> Self {
        let n = (t.width * t.height) as usize;
        DeviceTarget {
            channels: Tensor::from_data(TensorData::new(t.channels.clone(), [n, CHANNELS]), device),
            opacity: Tensor::from_data(TensorData::new(t.opacity.clone(), [n]), device),
        }
    }
}

/// Per object, the targets of some of its views (view index → target).
pub type Targets = Vec<Vec<(usize, DeviceTarget)>>;

pub struct NetworkTask<'a> {
    pub cfg: SplatterConfig,
    pub net: Option<UNet>,
    optim: ModuleOptimizer,
    objects: &'a [Object],
    targets: Option<&'a Targets>,
    rng: ChaCha8Rng,
    device: Device,
    ema: Option<Ema>,
    /// The steps' terms so far (a resumed run starts with those of the run it resumes).
    pub terms: Vec<TermRow>,
    fingerprint: String,
}

/// One object's sample for a step: its index, the conditioning view and the supervision views.
struct Pick {
    object: usize,
    cond: usize,
    views: Vec<usize>,
}

impl<'a> NetworkTask<'a> {
    pub fn new(
        cfg: SplatterConfig,
        net: UNet,
        objects: &'a [Object],
        targets: Option<&'a Targets>,
        seed: u64,
        device: Device,
    ) -> Result<Self> {
        if objects.is_empty() {
            return Err(Error::input("splatter", "no training objects (the dataset needs scenes with a train split)"));
        }
        if let Some(t) = targets
            && (t.len() != objects.len() || t.iter().any(Vec::is_empty))
        {
            return Err(Error::bug("every training object needs at least one target view"));
        }
        let optim = AdamConfig::new().init();
        let ema = Ema::start(cfg.ema_decay, &net);
        let fingerprint = resume::fingerprint(&cfg, seed, objects);
        Ok(NetworkTask {
            cfg,
            net: Some(net),
            optim,
            objects,
            targets,
            rng: ChaCha8Rng::seed_from_u64(seed),
            device,
            ema,
            terms: Vec::new(),
            fingerprint,
        })
    }

    pub fn net(&self) -> &UNet {
        self.net.as_ref().expect("the network is only taken during an optimiser step")
    }

    /// What this run's checkpoints are stamped with ([`resume::fingerprint`]).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Continue from `ck` (its step is the caller's `Plan::start`); `terms` are the rows of the steps before it.
    pub fn resume_from(&mut self, ck: Checkpoint, terms: Vec<TermRow>) {
        self.net = Some(ck.net);
        self.optim = std::mem::replace(&mut self.optim, AdamConfig::new().init()).load_record(ck.adam);
        if let (Some(e), Some(net)) = (self.ema.as_mut(), ck.ema) {
            e.net = net;
        }
        self.rng.set_word_pos(ck.rng_word_pos);
        self.terms = terms.into_iter().filter(|r| r.step < ck.step).collect();
    }

    /// The network evaluation uses (the weight average when on, else the raw weights), without autodiff.
    pub fn eval_net(&self) -> UNet {
        match &self.ema {
            Some(e) => e.net.clone(),
            None => self.net().valid(),
        }
    }

    fn pick(&mut self) -> Vec<Pick> {
        (0..self.cfg.batch_objects)
            .map(|_| {
                let object = self.rng.random_range(0..self.objects.len());
                let n = self.objects[object].views.len();
                let cond = match self.targets {
                    Some(t) => t[object][self.rng.random_range(0..t[object].len())].0,
                    None => self.rng.random_range(0..n),
                };
                let others = (self.cfg.supervision_views - 1).min(n - 1);
                let mut views = vec![cond];
                views.extend(
                    sample(&mut self.rng, n - 1, others).into_iter().map(|k| if k >= cond { k + 1 } else { k }),
                );
                Pick { object, cond, views }
            })
            .collect()
    }
}

impl TrainTask for NetworkTask<'_> {
    /// `[2]`: this step's L_base and unweighted L_new (0 without targets), detached, for the terms file.
    type Extras = Tensor<1>;

    fn forward(&mut self, step: usize, total: usize) -> Result<StepOutput<Tensor<1>>> {
        let picks = self.pick();
        let inputs: Vec<Tensor<4>> =
            picks.iter().map(|p| input_tensor(&self.objects[p.object].views[p.cond], &self.device)).collect();
        let raw = self.net().forward(Tensor::cat(inputs, 0));
        let [_, c, h, w] = raw.dims();
        let mut photo = Vec::new();
        let mut target = Vec::new();
        for (b, p) in picks.iter().enumerate() {
            let obj = &self.objects[p.object];
            let raw_b = raw.clone().narrow(0, b, 1).reshape([c, h * w]).swap_dims(0, 1);
            let splats = Splats::from_raw(raw_b, &obj.views[p.cond].camera, &self.cfg);
            let g = splats.gaussians();
            for &v in &p.views {
                let cam = CameraTensors::from_camera(&obj.views[v].camera, &self.device);
                let out = render(&g, &cam, obj.background, None);
                photo.push((out.color - obj.images[v].clone()).powi_scalar(2).mean());
            }
            if let Some(t) = self.targets {
                let tgt = &t[p.object].iter().find(|(k, _)| *k == p.cond).expect("cond has a target").1;
                target.push(target_term(splats.channels(), tgt.channels.clone(), tgt.opacity.clone()));
            }
        }
        let base = Tensor::cat(photo, 0).mean();
        if target.is_empty() {
            let both = Tensor::cat(vec![base.clone().detach(), base.zeros_like().detach()], 0);
            return Ok(StepOutput { terms: vec![("base", base.clone())], ..StepOutput::new(base, both) });
        }
        let new = Tensor::cat(target, 0).mean();
        let lam = lambda(step, total, self.cfg.lambda_start, self.cfg.lambda_max);
        let loss = base.clone() + new.clone().mul_scalar(lam as f32);
        let both = Tensor::cat(vec![base.clone().detach(), new.clone().detach()], 0);
        Ok(StepOutput { terms: vec![("base", base), ("target", new)], ..StepOutput::new(loss, both) })
    }

    fn optimize(&mut self, grads: &Gradients, _step: usize, _total: usize) -> Result<()> {
        let net = self.net.take().expect("network present");
        let params = grads_of(&net, grads);
        let net = self.optim.step(self.cfg.lr, net, params);
        if let Some(e) = self.ema.as_mut() {
            e.update(&net);
        }
        self.net = Some(net);
        Ok(())
    }

    fn end_step(&mut self, both: Tensor<1>, _grads: &Gradients, step: usize, total: usize) -> Result<()> {
        let v = splatbench_train::tensors::to_vec(both);
        let lambda =
            if self.targets.is_some() { lambda(step, total, self.cfg.lambda_start, self.cfg.lambda_max) } else { 0.0 };
        self.terms.push(TermRow { step, l_base: v[0] as f64, l_new: v[1] as f64, lambda });
        Ok(())
    }

    /// Every weight tensor of the U-Net, flattened, named by its position and shape (burn's params carry ids, not
    /// paths), so the skeleton's divergence guard names the first tensor that went non-finite.
    fn parameter_groups(&self) -> Vec<(String, Tensor<2>)> {
        struct Collect(Vec<(String, Tensor<2>)>);
        impl ModuleVisitor for Collect {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                let t = param.val();
                let dims = t.dims();
                let n = dims.iter().product::<usize>();
                self.0.push((format!("unet tensor {} {dims:?}", self.0.len()), t.reshape([n, 1])));
            }
        }
        let mut c = Collect(Vec::new());
        self.net().visit(&mut c);
        c.0
    }

    /// The U-Net's weights are the autodiff leaves (the groups above are reshaped views of them): the first weight
    /// with a gradient gets a NaN one.
    fn poison_gradient(&self, grads: &mut Gradients) -> Option<String> {
        struct Poison<'a> {
            grads: &'a mut Gradients,
            seen: usize,
            hit: Option<String>,
        }
        impl ModuleVisitor for Poison<'_> {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                let t = param.val();
                if self.hit.is_none()
                    && let Some(g) = t.grad(self.grads)
                {
                    t.grad_replace(self.grads, g.mul_scalar(f32::NAN));
                    self.hit = Some(format!("unet tensor {} {:?}", self.seen, t.dims()));
                }
                self.seen += 1;
            }
        }
        let mut p = Poison { grads, seen: 0, hit: None };
        self.net().visit(&mut p);
        p.hit
    }

    fn save_checkpoint(&self, dir: &Path, next_step: usize) -> Result<()> {
        loss_terms::write_csv(&dir.join(loss_terms::FILE), &self.terms)?;
        resume::save(
            dir,
            next_step,
            self.net(),
            self.optim.to_record(),
            self.ema.as_ref(),
            self.rng.get_word_pos(),
            &self.fingerprint,
        )
    }
}

/// The gradient of every parameter of `module` found in `grads`, without consuming `grads` (the skeleton lends them).
pub fn grads_of<M: Module>(module: &M, grads: &Gradients) -> GradientsParams {
    struct Collect<'g> {
        grads: &'g Gradients,
        out: GradientsParams,
    }
    impl ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = param.val().grad(self.grads) {
                self.out.register(param.id, g);
            }
        }
    }
    let mut c = Collect { grads, out: GradientsParams::new() };
    module.visit(&mut c);
    c.out
}
