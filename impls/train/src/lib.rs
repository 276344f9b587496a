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
//!     read back [loss, first non-finite parameter group] in one transfer
//!     non-finite loss or parameter ⇒ Diverged{step, reason naming the group}
//!     task.end_step(extras, &grads)  densify / prune / statistics              (Densify)
//!     every `checkpoint_every` steps: the loss curve (curve::save), then task.save_checkpoint(dir, step + 1)
//! ```
//!
//! Phases are timed into `RunContext::phase_time`, the loss (every step) and named loss terms (every
//! [`TERM_EVERY`] steps, which costs one host read each) into `RunContext`. Resuming is the method's part (it
//! rebuilds its state from its checkpoint and passes the step it reached as `Plan::start`), because what a
//! checkpoint holds differs per method; when to write one is the skeleton's, and so is the loss curve across a
//! resume ([`curve`]).
//!
//! Divergence: a method lists its parameter groups in [`TrainTask::parameter_groups`] and the skeleton checks them
//! after every optimiser step by one on-device reduction read back with the loss (see [`guard`]); the run fails
//! as [`Error::Diverged`](splatbench_core::Error::Diverged) naming the step and the group. Any method on the
//! skeleton gets the check by listing its groups; none is copied to the host.

pub mod checkpoint;
pub mod curve;
pub mod guard;
pub mod tensors;

use burn::tensor::{Gradients, Tensor};
use splatbench_core::{Error, Phase, Result, RunContext};
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
    /// The trainable parameters by group name, as the autodiff leaves the forward pass used (rank 2; reshape
    /// others). Checked for non-finite values after every optimiser step; none by default.
    fn parameter_groups(&self) -> Vec<(String, Tensor<2>)> {
        Vec::new()
    }
    /// The test hook of [`guard::Fault::NanParameter`]: make the gradient of the first parameter that has one NaN, and
    /// name it. By default through [`TrainTask::parameter_groups`]; a method whose groups are reshaped views (not
    /// the autodiff leaves) reaches its leaves itself.
    fn poison_gradient(&self, grads: &mut Gradients) -> Option<String> {
        guard::poison_gradient(&self.parameter_groups(), grads)
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
    /// Checkpoint every this many steps into `RunContext::work_dir`; 0: every tenth of the run when
    /// `RunContext::checkpoints` asks for them, else never.
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
    let fault = guard::take();
    // The method's cadence, else every tenth of the run when the caller asks for checkpoints (the bench does).
    let every = match plan.checkpoint_every {
        0 if ctx.checkpoints => (plan.total / 10).max(1),
        n => n,
    };
    if plan.start > 0 {
        // Into the run's log: the record alone would not tell a resumed run from an uninterrupted one.
        eprintln!("resumed from a checkpoint at step {} of {}", plan.start, plan.total);
    }
    if plan.start > 0
        && let Some(dir) = &ctx.work_dir
    {
        let dir = dir.clone();
        curve::restore(&dir, plan.start, ctx);
    }
    for step in plan.start..plan.total {
        ctx.time(Phase::Densify, || task.begin_step(step, plan.total))?;
        let mut out = ctx.time(Phase::Forward, || task.forward(step, plan.total))?;
        if fault == Some(guard::Fault::NanLoss { step }) {
            out.loss = out.loss.add_scalar(f32::NAN);
        }
        // The loss stays on the device until the check below, read back with the parameter code.
        let loss = out.loss.clone().inner();
        if step % TERM_EVERY == 0 {
            for (name, term) in &out.terms {
                ctx.record_term(name, step, tensors::scalar(term.clone()));
            }
        }
        let mut grads = ctx.time(Phase::Backward, || out.loss.backward());
        if fault == Some(guard::Fault::NanParameter { step }) {
            task.poison_gradient(&mut grads);
        }
        ctx.time(Phase::Optimizer, || task.optimize(&grads, step, plan.total))?;
        let groups = task.parameter_groups();
        let (value, bad) = match guard::first_non_finite(&groups) {
            Some(code) => {
                let both = tensors::to_vec(Tensor::cat(vec![loss, code], 0));
                (f64::from(both[0]), groups.get(both[1] as usize))
            }
            None => (tensors::scalar(loss), None),
        };
        // A non-finite loss is reported first: it is the cause when both are.
        ctx.record_loss(step, value, step + 1 == plan.total)?;
        if let Some((name, _)) = bad {
            return Err(Error::Diverged { step, reason: format!("parameter group `{name}` holds a NaN or infinity") });
        }
        final_loss = value;
        ctx.time(Phase::Densify, || task.end_step(out.extras, &grads, step, plan.total))?;
        if let Some(dir) = &ctx.work_dir
            && every > 0
            && (step + 1) % every == 0
        {
            curve::save(dir, ctx)?;
            checkpoint::save_parameter_digest(dir, step + 1, &task.parameter_groups())?;
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
        w: Tensor<2>,
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
            let mut loss = d.clone().mul(d).sum();
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
        fn parameter_groups(&self) -> Vec<(String, Tensor<2>)> {
            vec![("w".into(), self.w.clone())]
        }
    }

    fn task(poison_at: Option<usize>) -> Quadratic {
        let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
        let w = Tensor::<2>::from_data(TensorData::new(vec![0.0f32], [1, 1]), &device).require_grad();
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

    #[test]
    fn injected_faults_stop_the_run_at_their_step_naming_the_cause() {
        for (fault, step, says) in [
            (guard::Fault::NanLoss { step: 2 }, 2, "loss is NaN"),
            (guard::Fault::NanParameter { step: 4 }, 4, "parameter group `w`"),
        ] {
            let mut t = task(None);
            let mut ctx = RunContext::new(Backend::Ndarray, 0);
            guard::inject(fault);
            match run(&mut t, &mut ctx, Plan::steps(10)) {
                Err(Error::Diverged { step: s, reason }) => {
                    assert_eq!(s, step, "{fault:?}");
                    assert!(reason.contains(says), "{fault:?}: {reason}");
                }
                other => panic!("{fault:?}: expected divergence, got {:?}", other.map(|s| s.final_loss)),
            }
            // The fault is taken once: the next run is clean.
            assert!(run(&mut task(None), &mut RunContext::new(Backend::Ndarray, 0), Plan::steps(3)).is_ok());
        }
    }

    #[test]
    fn the_guard_names_the_first_group_holding_a_non_finite_value() {
        let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
        let t = |v: Vec<f32>| Tensor::<2>::from_data(TensorData::new(v, [1, 3]), &device);
        let code = |groups: &[(String, Tensor<2>)]| tensors::scalar(guard::first_non_finite(groups).unwrap());
        let g = |a, b, c| vec![("a".to_string(), t(a)), ("b".to_string(), t(b)), ("c".to_string(), t(c))];
        assert_eq!(code(&g(vec![1.0, 2.0, 3.0], vec![0.0; 3], vec![-1e30, 1e30, 0.0])), 3.0);
        assert_eq!(code(&g(vec![1.0, 2.0, 3.0], vec![0.0, f32::INFINITY, 0.0], vec![f32::NAN; 3])), 1.0);
        assert_eq!(code(&g(vec![f32::NEG_INFINITY, 2.0, 3.0], vec![0.0; 3], vec![0.0; 3])), 0.0);
        assert!(guard::first_non_finite(&[]).is_none());
    }
}
