//! Training on the skeleton: one [`NerfStep`] is one random batch of rays across all training views.
//!
//! loss = MSE(coarse colour, target) + MSE(fine colour, target) (the fine term only with hierarchical sampling);
//! Adam (ε = 1e-7, the paper's) with the learning rate decaying exponentially from `lr_init` to `lr_final`.

use crate::config::{NerfConfig, Sampling};
use crate::field::{Bounds, Networks, render_rays};
use crate::mlp::{Mlp, MlpOptimizer, MlpState};
use crate::rays::{Rays, camera_rays};
use burn::tensor::{Device, Gradients, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::{Result, TrainView};
use splatbench_train::{StepOutput, TrainTask};

/// Every training pixel as a ray with its target colour.
pub struct RayPool {
    pub rays: Rays,
    /// `[N·3]` RGB composited on the background.
    pub colours: Vec<f32>,
}

impl RayPool {
    pub fn new(views: &[TrainView]) -> Self {
        let mut pool = RayPool { rays: Rays::default(), colours: Vec::new() };
        for v in views {
            let r = camera_rays(&v.camera);
            pool.rays.origins.extend(r.origins);
            pool.rays.dirs.extend(r.dirs);
            pool.colours.extend_from_slice(&v.image.data);
        }
        pool
    }

    /// `n` rays drawn uniformly with replacement, and their colours.
    fn batch(&self, n: usize, rng: &mut ChaCha8Rng) -> (Rays, Vec<f32>) {
        let mut rays = Rays::default();
        let mut colours = Vec::with_capacity(3 * n);
        for _ in 0..n {
            let k = rng.random_range(0..self.rays.len());
            rays.origins.extend_from_slice(&self.rays.origins[3 * k..3 * k + 3]);
            rays.dirs.extend_from_slice(&self.rays.dirs[3 * k..3 * k + 3]);
            colours.extend_from_slice(&self.colours[3 * k..3 * k + 3]);
        }
        (rays, colours)
    }
}

/// The networks with their optimisers, and the data one step draws from.
pub struct NerfStep {
    pub nets: Networks,
    opt_coarse: MlpOptimizer,
    opt_fine: Option<MlpOptimizer>,
    pool: RayPool,
    pub bounds: Bounds,
    cfg: NerfConfig,
    rng: ChaCha8Rng,
    device: Device,
    /// What a checkpoint must match to be resumed from ([`crate::resume`]).
    pub fingerprint: String,
}

impl NerfStep {
    pub fn new(cfg: &NerfConfig, pool: RayPool, bounds: Bounds, seed: u64, device: &Device) -> Self {
        let coarse = Mlp::new(cfg, seed.wrapping_mul(2), device);
        let fine = (cfg.sampling == Sampling::Hierarchical).then(|| Mlp::new(cfg, seed.wrapping_mul(2) + 1, device));
        let opt_coarse = coarse.optimizer(1e-7);
        let opt_fine = fine.as_ref().map(|f| f.optimizer(1e-7));
        NerfStep {
            nets: Networks { coarse, fine },
            opt_coarse,
            opt_fine,
            pool,
            bounds,
            cfg: cfg.clone(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x6e65_7266),
            device: device.clone(),
            fingerprint: String::new(),
        }
    }

    /// Each network's parameters and Adam state on the host: coarse, then fine when there is one.
    pub fn states(&self) -> Vec<MlpState> {
        let mut out = vec![self.nets.coarse.state(&self.opt_coarse)];
        if let (Some(net), Some(opt)) = (&self.nets.fine, &self.opt_fine) {
            out.push(net.state(opt));
        }
        out
    }

    /// Where the ray sampler's stream is.
    pub fn rng_word_pos(&self) -> u128 {
        self.rng.get_word_pos()
    }

    /// Put back what [`NerfStep::states`] and [`NerfStep::rng_word_pos`] read (a checkpoint).
    pub fn restore(&mut self, states: &[MlpState], rng_word_pos: u128) -> std::result::Result<(), String> {
        let want = 1 + self.nets.fine.is_some() as usize;
        if states.len() != want {
            return Err(format!("{} networks in the checkpoint, {want} in this run", states.len()));
        }
        self.nets.coarse.restore(&mut self.opt_coarse, &states[0], &self.device)?;
        if let (Some(net), Some(opt)) = (&mut self.nets.fine, &mut self.opt_fine) {
            net.restore(opt, &states[1], &self.device)?;
        }
        self.rng.set_word_pos(rng_word_pos);
        Ok(())
    }
}

fn mse(pred: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    let d = pred - target;
    (d.clone() * d).mean()
}

impl TrainTask for NerfStep {
    type Extras = ();

    fn forward(&mut self, _step: usize, _total: usize) -> Result<StepOutput<()>> {
        let (rays, colours) = self.pool.batch(self.cfg.batch_rays, &mut self.rng);
        let target = Tensor::<2>::from_data(TensorData::new(colours, [rays.len(), 3]), &self.device);
        let out = render_rays(&self.nets, &rays, self.bounds, &self.cfg, Some(&mut self.rng), &self.device);
        let coarse = mse(out.coarse.rgb, target.clone());
        let mut terms = vec![("coarse_mse", coarse.clone())];
        let loss = match out.fine {
            Some(fine) => {
                let fine = mse(fine.rgb, target);
                terms.push(("fine_mse", fine.clone()));
                coarse + fine
            }
            None => coarse,
        };
        Ok(StepOutput { terms, ..StepOutput::new(loss, ()) })
    }

    fn optimize(&mut self, grads: &Gradients, step: usize, total: usize) -> Result<()> {
        let lr = self.cfg.lr(step, total);
        self.nets.coarse.step(&mut self.opt_coarse, lr, grads);
        if let (Some(net), Some(opt)) = (&mut self.nets.fine, &mut self.opt_fine) {
            net.step(opt, lr, grads);
        }
        Ok(())
    }

    fn save_checkpoint(&self, dir: &std::path::Path, next_step: usize) -> Result<()> {
        crate::resume::save(dir, next_step, self, &self.fingerprint)
    }

    fn parameter_groups(&self) -> Vec<(String, Tensor<2>)> {
        let mut groups = self.nets.coarse.parameter_groups("coarse");
        groups.extend(self.nets.fine.iter().flat_map(|f| f.parameter_groups("fine")));
        groups
    }
}
