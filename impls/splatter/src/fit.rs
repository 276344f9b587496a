//! A `fit` target: a free per-pixel splatter image of one view, optimised directly against the object's views.
//!
//! The parameters are the raw per-pixel channels of [`crate::splat`] (`[HW, 15]`), activated exactly as the
//! network's output is, so a fitted image and a predicted one live in the same space. Start: the network's initial
//! bias (mid depth, faint, small Gaussians) with the colour read from the view itself (sh0 = (rgb − ½)/SH_C0).
//! Each step renders the target view and `fit_views_per_step − 1` other allowed views (never a held-out one) and
//! minimises the mean squared error on the scene background with burn's Adam.

use crate::config::SplatterConfig;
use crate::data::Object;
use crate::splat::{RAW_CHANNELS, Splats, output_bias};
use burn::optim::{Adam, AdamConfig, AdamState, Optimizer};
use burn::tensor::{Device, Gradients, Tensor, TensorData};
use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use splatbench_core::Result;
use splatbench_core::maths::SH_C0;
use splatbench_render::op::{CameraTensors, render};
use splatbench_train::{StepOutput, TrainTask};

pub struct FitTask<'a> {
    cfg: &'a SplatterConfig,
    object: &'a Object,
    view: usize,
    /// Views a step may render (the object's views minus the held-out ones).
    allowed: Vec<usize>,
    pub raw: Tensor<2>,
    adam: Adam,
    state: Option<AdamState<2>>,
    rng: ChaCha8Rng,
    device: Device,
}

impl<'a> FitTask<'a> {
    pub fn new(
        cfg: &'a SplatterConfig,
        object: &'a Object,
        view: usize,
        allowed: Vec<usize>,
        seed: u64,
        device: &Device,
    ) -> Self {
        let tv = &object.views[view];
        let bias = output_bias(cfg);
        let mut raw = Vec::with_capacity(tv.image.data.len() / 3 * RAW_CHANNELS);
        for px in tv.image.data.chunks_exact(3) {
            let mut r = bias;
            for c in 0..3 {
                r[12 + c] = (px[c] - 0.5) / SH_C0 as f32;
            }
            raw.extend_from_slice(&r);
        }
        let n = raw.len() / RAW_CHANNELS;
        let raw = Tensor::from_data(TensorData::new(raw, [n, RAW_CHANNELS]), device).require_grad();
        FitTask {
            cfg,
            object,
            view,
            allowed,
            raw,
            adam: AdamConfig::new().build(),
            state: None,
            rng: ChaCha8Rng::seed_from_u64(seed),
            device: device.clone(),
        }
    }

    /// The fitted splatter image (without autodiff).
    pub fn splats(&self) -> Splats {
        Splats::from_raw(self.raw.clone().inner(), &self.object.views[self.view].camera, self.cfg)
    }
}

impl TrainTask for FitTask<'_> {
    type Extras = ();

    fn forward(&mut self, _step: usize, _total: usize) -> Result<StepOutput<()>> {
        let splats = Splats::from_raw(self.raw.clone(), &self.object.views[self.view].camera, self.cfg);
        let g = splats.gaussians();
        let others: Vec<usize> = self.allowed.iter().copied().filter(|&v| v != self.view).collect();
        let k = (self.cfg.fit_views_per_step.max(1) - 1).min(others.len());
        let mut views = vec![self.view];
        views.extend(sample(&mut self.rng, others.len(), k).into_iter().map(|i| others[i]));
        let mut terms = Vec::new();
        for v in views {
            let cam = CameraTensors::from_camera(&self.object.views[v].camera, &self.device);
            let out = render(&g, &cam, self.object.background, None);
            terms.push((out.color - self.object.images[v].clone()).powi_scalar(2).mean());
        }
        Ok(StepOutput::new(Tensor::cat(terms, 0).mean(), ()))
    }

    fn optimize(&mut self, grads: &Gradients, _step: usize, _total: usize) -> Result<()> {
        if let Some(g) = self.raw.grad(grads) {
            let (next, state) = self.adam.step(self.cfg.fit_lr, self.raw.clone().inner(), g, self.state.take());
            self.state = state;
            self.raw = Tensor::from_inner(next).require_grad();
        }
        Ok(())
    }
}
