//! Exponential moving average of the network weights, the copy Splatter Image evaluates (its reference keeps one
//! with decay 0.9999).
//!
//! ```text
//! e₀ = w₀                       the initial weights
//! eₜ = d·eₜ₋₁ + (1 − d)·wₜ      after every optimiser step t, d = `ema_decay`
//! ```
//!
//! Training reads and updates only the raw weights w; `reconstruct` (and a teacher made by
//! [`crate::targets::train_baseline`]) uses e. `ema_decay` = 0 turns it off: no copy is kept and evaluation uses w.
//! The reference starts averaging only after some steps and updates every few; here it is every step from the first
//! (with d = 0.9999 the average then needs ~10⁴ steps to forget w₀, so short runs should use a smaller d or none).
//!
//! The average is a module without autodiff whose parameters keep the raw network's ids, so the raw parameter of
//! each is found by id and a checkpoint of it loads back onto the same ids.

use crate::unet::UNet;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::Tensor;
use std::collections::HashMap;

pub struct Ema {
    pub decay: f64,
    pub net: UNet,
}

impl Ema {
    /// The average started at `net`'s weights, or `None` when `decay` is 0.
    pub fn start(decay: f64, net: &UNet) -> Option<Ema> {
        (decay > 0.0).then(|| Ema { decay, net: net.valid() })
    }

    /// One step of the average towards `raw` (the weights after an optimiser step).
    pub fn update(&mut self, raw: &UNet) {
        struct Flat(HashMap<ParamId, Tensor<1>>);
        impl ModuleVisitor for Flat {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                let t = param.val();
                let n = t.dims().iter().product::<usize>();
                self.0.insert(param.id, t.reshape([n]));
            }
        }
        struct Blend {
            raw: HashMap<ParamId, Tensor<1>>,
            decay: f32,
        }
        impl ModuleMapper for Blend {
            fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
                let w = self.raw.remove(&param.id).expect("the average has the raw network's parameter ids");
                let d = self.decay;
                param.map(|e| {
                    let dims = e.dims();
                    e.mul_scalar(d) + w.reshape(dims).mul_scalar(1.0 - d)
                })
            }
        }
        let mut flat = Flat(HashMap::new());
        raw.valid().visit(&mut flat);
        let net = std::mem::replace(&mut self.net, raw.valid());
        self.net = net.map(&mut Blend { raw: flat.0, decay: self.decay as f32 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SplatterConfig;
    use splatbench_core::Backend;

    fn host(net: &UNet) -> Vec<f32> {
        splatbench_train::tensors::module_values(net)
    }

    /// w₁: every parameter of w₀ moved by a different amount (a stand-in for an optimiser step, same ids).
    fn moved(net: &UNet) -> UNet {
        struct Shift(f32);
        impl ModuleMapper for Shift {
            fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
                self.0 += 0.25;
                let s = self.0;
                param.map(|t| t.mul_scalar(-1.5).add_scalar(s))
            }
        }
        net.clone().map(&mut Shift(0.0))
    }

    #[test]
    fn one_step_of_the_average_is_d_w0_plus_one_minus_d_w1() {
        let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
        let cfg = SplatterConfig { width: 4, groups: 2, depth: 1, ..SplatterConfig::default() };
        let w0 = UNet::new(&cfg, 3, &device);
        let w1 = moved(&w0);
        for d in [0.9, 0.9999] {
            let mut ema = Ema::start(d, &w0).expect("on");
            ema.update(&w1);
            let (a, b, e) = (host(&w0), host(&w1), host(&ema.net));
            assert_eq!((a.len(), b.len()), (e.len(), e.len()));
            for k in 0..e.len() {
                let want = d * a[k] as f64 + (1.0 - d) * b[k] as f64;
                assert!(
                    (e[k] as f64 - want).abs() <= 1e-6 * (1.0 + want.abs()),
                    "d {d}, value {k}: {} vs {want}",
                    e[k]
                );
            }
            // Not the raw weights either way (the test would pass for an average that did nothing otherwise).
            assert!(e.iter().zip(&a).any(|(x, y)| x != y) && e.iter().zip(&b).any(|(x, y)| x != y));
        }
        assert!(Ema::start(0.0, &w0).is_none());
    }
}
