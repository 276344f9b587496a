//! The divergence guard: after every optimiser step, one on-device reduction tells whether any parameter group
//! holds a NaN or an infinity, and which group is the first that does, without copying parameters to the host.
//!
//! For group i, `sum(x · 0)` is 0 when every value is finite and NaN otherwise (NaN · 0 and ±inf · 0 are NaN), so
//! `bad_i = isnan(sum(x · 0))`. The code `min_i(G − bad_i · (G − i))` is the index of the first bad group, or G
//! when none is. It is concatenated with the step's loss into one `[2]` tensor, so the skeleton still reads back
//! once per step (it read the loss alone before), and the code is exact in f32 for fewer than 2²⁴ groups.
//!
//! [`inject`] is the test hook: it makes the next [`run`](crate::run) on this thread poison its loss, or the
//! gradient of one parameter group (so the method's own optimiser writes the NaN into the parameters), at a step.

use burn::tensor::{Gradients, Tensor};
use std::cell::Cell;

/// The `[1]` code of the first group holding a non-finite value (`groups.len()` when none does), on the device.
pub fn first_non_finite(groups: &[(String, Tensor<2>)]) -> Option<Tensor<1>> {
    let n = groups.len() as f32;
    groups
        .iter()
        .enumerate()
        .map(|(i, (_, t))| {
            let bad = t.clone().inner().mul_scalar(0.0).sum().is_nan().float();
            bad.mul_scalar(i as f32 - n).add_scalar(n)
        })
        .reduce(|a, b| a.min_pair(b))
}

/// A fault for the next run on this thread to inject (tests only).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    /// The loss at `step` becomes NaN.
    NanLoss { step: usize },
    /// The gradient of the first parameter group that has one becomes NaN at `step`; the method's optimiser then
    /// writes NaN into that group.
    NanParameter { step: usize },
}

thread_local! {
    static FAULT: Cell<Option<Fault>> = const { Cell::new(None) };
}

/// Arm `fault` for the next [`run`](crate::run) on this thread.
pub fn inject(fault: Fault) {
    FAULT.with(|f| f.set(Some(fault)));
}

/// The armed fault, disarmed (each run takes it once, at its start).
pub(crate) fn take() -> Option<Fault> {
    FAULT.with(Cell::take)
}

/// Make the gradient of the first group that has one NaN; the group's name, if any had a gradient.
pub(crate) fn poison_gradient(groups: &[(String, Tensor<2>)], grads: &mut Gradients) -> Option<String> {
    groups.iter().find_map(|(name, t)| {
        let g = t.grad(grads)?;
        t.grad_replace(grads, g.mul_scalar(f32::NAN));
        Some(name.clone())
    })
}
