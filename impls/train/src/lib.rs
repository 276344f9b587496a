//! The training skeleton every method runs on, Gaussian or not.
//!
//! A method describes *one step* as a [`TrainTask`]; [`run`] owns the loop around it:
//!
//! ```text
//! for step in start..total:
//!     task.begin_step(step)          learning rates, pre-backward hooks        (Densify phase)
//!     out = task.forward(step)       loss [1] (+ named terms, + method extras)  (Forward)
//!     record loss; non-finite ⇒ Diverged{step}
//!     grads = out.loss.backward()                                              (Backward)
//!     task.optimize(&grads, step)    Adam on each parameter group              (Optimizer)
//!     task.end_step(extras, &grads)  densify / prune / statistics              (Densify)
//!     every `checkpoint_every` steps: task.save_checkpoint(dir, step + 1)
//! ```
//!
//! Phases are timed into `RunContext::phase_time`, the loss (every step) and named loss terms (every
//! [`TERM_EVERY`] steps, which costs one host read each) into `RunContext`. Resuming is the method's part (it
//! rebuilds its state from its checkpoint and passes the step it reached as `Plan::start`), because what a
//! checkpoint holds differs per method; when to write one is the skeleton's.

pub mod tensors;

use burn::tensor::{Gradients, Tensor};
use splatbench_core::{Phase, Result, RunContext};
use std::path::Path;
use std::time::Instant;

/// Named loss terms are read back this often (steps).
pub const TERM_EVERY: usize = 10;

/// What one forward pass hands the skeleton.
pub struct StepOutput<X> {
    /// The scalar loss `[1]` to minimise.
    pub loss: Tensor<1>,
    /// Parts of the loss worth a curve of their own (e.g. "base", "target"); read every [`TERM_EVERY`] steps.
    pub terms: Vec<(&'static str, Tensor<1>)>,
    /// Whatever `end_step` needs from the forward pass (e.g. a render's radii and screen-space probe).
    pub extras: X,
}

impl<X> StepOutput<X> {
    pub fn new(loss: Tensor<1>, extras: X) -> Self {
        StepOutput { loss, terms: Vec::new(), extras }
    }
}

/// One method's training step, split at the points where the skeleton times and records.
pub trait TrainTask {
    type Extras;
    /// Before the forward pass: learning rates for `step`, pre-backward hooks, batch choice.
    fn begin_step(&mut self, _step: usize, _total: usize) -> Result<()> {
        Ok(())
    }
    fn forward(&mut self, step: usize, total: usize) -> Result<StepOutput<Self::Extras>>;
    /// The optimiser step of every parameter group.
    fn optimize(&mut self, grads: &Gradients, step: usize, total: usize) -> Result<()>;
    /// After the optimiser: densification, pruning, statistics.
    fn end_step(&mut self, _extras: Self::Extras, _grads: &Gradients, _step: usize, _total: usize) -> Result<()> {
        Ok(())
    }
    /// Write a checkpoint from which the method can resume at `next_step`.
    fn save_checkpoint(&self, _dir: &Path, _next_step: usize) -> Result<()> {
        Ok(())
    }
}

/// Which steps to run.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// First step (a resumed run starts where its checkpoint ended).
    pub start: usize,
    pub total: usize,
    /// Checkpoint every this many steps into `RunContext::work_dir`; 0 never.
    pub checkpoint_every: usize,
}

impl Plan {
    pub fn steps(total: usize) -> Self {
        Plan { start: 0, total, checkpoint_every: 0 }
    }
}

/// What the loop measured.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// Loss of the last step run (NaN when none ran).
    pub final_loss: f64,
    pub steps_run: usize,
    pub seconds: f64,
}

impl Summary {
    /// Mean wall time per step in milliseconds, when a step ran.
    pub fn ms_per_step(&self) -> Option<f64> {
        (self.steps_run > 0).then(|| 1e3 * self.seconds / self.steps_run as f64)
    }
}

/// Runs `task` for `plan` (see the module docs).
pub fn run<T: TrainTask>(task: &mut T, ctx: &mut RunContext, plan: Plan) -> Result<Summary> {
    ctx.progress.set_total(plan.total as u64);
    let started = Instant::now();
    let mut final_loss = f64::NAN;
    for step in plan.start..plan.total {
        ctx.time(Phase::Densify, || task.begin_step(step, plan.total))?;
        let out = ctx.time(Phase::Forward, || task.forward(step, plan.total))?;
        let value = tensors::scalar(out.loss.clone());
        ctx.record_loss(step, value)?;
        if step % TERM_EVERY == 0 {
            for (name, term) in &out.terms {
                ctx.record_term(name, step, tensors::scalar(term.clone()));
            }
        }
        final_loss = value;
        let grads = ctx.time(Phase::Backward, || out.loss.backward());
        ctx.time(Phase::Optimizer, || task.optimize(&grads, step, plan.total))?;
        ctx.time(Phase::Densify, || task.end_step(out.extras, &grads, step, plan.total))?;
        if let Some(dir) = &ctx.work_dir
            && plan.checkpoint_every > 0
            && (step + 1) % plan.checkpoint_every == 0
        {
            task.save_checkpoint(dir, step + 1)?;
        }
    }
    Ok(Summary {
        final_loss,
        steps_run: plan.total.saturating_sub(plan.start),
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;
    use splatbench_core::{Backend, Error};

    /// Fits a scalar w to 3 with plain gradient descent: the loop must call every hook once per step in order.
    struct Quadratic {
        w: Tensor<1>,
        calls: Vec<&'static str>,
        poison_at: Option<usize>,
    }

    impl TrainTask for Quadratic {
        type Extras = ();
        fn begin_step(&mut self, _: usize, _: usize) -> Result<()> {
            self.calls.push("begin");
            Ok(())
        }
        fn forward(&mut self, step: usize, _: usize) -> Result<StepOutput<()>> {
            self.calls.push("forward");
            let d = self.w.clone().sub_scalar(3.0);
            let mut loss = d.clone().mul(d);
            if self.poison_at == Some(step) {
                loss = loss.div_scalar(0.0);
            }
            Ok(StepOutput { terms: vec![("half", loss.clone().mul_scalar(0.5))], ..StepOutput::new(loss, ()) })
        }
        fn optimize(&mut self, grads: &Gradients, _: usize, _: usize) -> Result<()> {
            self.calls.push("optimize");
            let g = self.w.grad(grads).expect("w is tracked");
            self.w = (self.w.clone().inner() - g.mul_scalar(0.25)).autodiff().require_grad();
            Ok(())
        }
        fn end_step(&mut self, _: (), _: &Gradients, _: usize, _: usize) -> Result<()> {
            self.calls.push("end");
            Ok(())
        }
    }

    fn task(poison_at: Option<usize>) -> Quadratic {
        let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
        let w = Tensor::<1>::from_data(TensorData::new(vec![0.0f32], [1]), &device).require_grad();
        Quadratic { w, calls: Vec::new(), poison_at }
    }

    #[test]
    fn runs_hooks_in_order_records_and_converges() {
        let mut t = task(None);
        let mut ctx = RunContext::new(Backend::Ndarray, 0);
        let s = run(&mut t, &mut ctx, Plan::steps(20)).unwrap();
        assert_eq!(&t.calls[..4], ["begin", "forward", "optimize", "end"]);
        assert_eq!(t.calls.len(), 80);
        assert!(s.final_loss < 1e-6, "{}", s.final_loss);
        assert_eq!(ctx.loss_terms["half"].len(), 2);
        assert!(ctx.phase_time.contains_key(&Phase::Backward));
    }

    #[test]
    fn a_non_finite_loss_stops_the_run_at_its_step() {
        let mut t = task(Some(3));
        let mut ctx = RunContext::new(Backend::Ndarray, 0);
        match run(&mut t, &mut ctx, Plan::steps(10)) {
            Err(Error::Diverged { step: 3, .. }) => {}
            other => panic!("expected divergence at step 3, got {:?}", other.map(|s| s.final_loss)),
        }
    }
}
