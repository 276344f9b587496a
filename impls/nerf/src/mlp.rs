//! The NeRF network: F(γ(x), γ(d)) → (σ, c).
//!
//! ```text
//! h₀ = γ(x);  hᵢ₊₁ = relu(Wᵢ · [γ(x), hᵢ] + bᵢ) at the skip layer, relu(Wᵢ · hᵢ + bᵢ) elsewhere (depth layers)
//! σ = relu(w_σ · h + b_σ)                               density, independent of the view
//! f = W_f · h + b_f                                    feature (no activation)
//! c = sigmoid(W_c · relu(W_v · [f, γ(d)] + b_v) + b_c)   colour; γ(d) left out when `use_viewdirs` is off
//! ```
//!
//! Every layer is one matrix product over all samples of a batch (`[rays·samples, features]`). Weights and
//! biases are plain tensors (`[in, out]`, `[1, out]`) initialised as PyTorch's `nn.Linear` does, U(±1/√in), from
//! a seeded generator on the host, so a seed gives the same network on every backend. Each parameter is stepped
//! by burn's Adam with its own state.

use crate::config::NerfConfig;
use crate::encoding::{encode, encoded_width};
use burn::optim::{Adam, AdamState, AdaptiveMomentumState, Optimizer};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Gradients, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Clone)]
struct Linear {
    w: Tensor<2>,
    b: Tensor<2>,
}

impl Linear {
    fn new(fan_in: usize, fan_out: usize, rng: &mut ChaCha8Rng, device: &Device) -> Self {
        let bound = 1.0 / (fan_in as f32).sqrt();
        let mut draw = |n| (0..n).map(|_| rng.random_range(-bound..bound)).collect::<Vec<f32>>();
        let w = Tensor::from_data(TensorData::new(draw(fan_in * fan_out), [fan_in, fan_out]), device);
        let b = Tensor::from_data(TensorData::new(draw(fan_out), [1, fan_out]), device);
        Linear { w: w.require_grad(), b: b.require_grad() }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.w.clone()) + self.b.clone()
    }
}

/// One NeRF MLP.
#[derive(Clone)]
pub struct Mlp {
    trunk: Vec<Linear>,
    skip: usize,
    sigma: Linear,
    feature: Linear,
    view: Linear,
    colour: Linear,
    pos_freqs: usize,
    dir_freqs: usize,
    use_viewdirs: bool,
}

/// Adam state of every parameter of an [`Mlp`], in [`Mlp::params_mut`] order.
pub struct MlpOptimizer {
    adam: Adam,
    states: Vec<Option<AdamState<2>>>,
}

/// An [`Mlp`]'s parameters and Adam state on the host (a checkpoint's content), in [`Mlp::parameter_groups`] order:
/// weight then bias of each layer.
#[derive(Clone, Debug, PartialEq)]
pub struct MlpState {
    /// `(shape, values)` of each parameter.
    pub params: Vec<(Vec<usize>, Vec<f32>)>,
    /// Each parameter's Adam state; `None` before its first step.
    pub adam: Vec<Option<AdamMoments>>,
}

/// One parameter's Adam state on the host: its step count and both moments (the parameter's shape).
#[derive(Clone, Debug, PartialEq)]
pub struct AdamMoments {
    pub time: usize,
    pub moment_1: Vec<f32>,
    pub moment_2: Vec<f32>,
}

impl Mlp {
    /// The parameters and `opt`'s state, copied to the host.
    pub fn state(&self, opt: &MlpOptimizer) -> MlpState {
        let host = |t: &Tensor<2>| splatbench_train::tensors::to_vec(t.clone().inner());
        let params = self.layers().flat_map(|l| [&l.w, &l.b]).map(|p| (p.dims().to_vec(), host(p))).collect();
        let adam = opt
            .states
            .iter()
            .map(|s| {
                s.as_ref().map(|s| AdamMoments {
                    time: s.momentum.time,
                    moment_1: host(&s.momentum.moment_1),
                    moment_2: host(&s.momentum.moment_2),
                })
            })
            .collect();
        MlpState { params, adam }
    }

    /// Put `state` back (the inverse of [`Mlp::state`]); why not, when it does not fit this network.
    pub fn restore(
        &mut self,
        opt: &mut MlpOptimizer,
        state: &MlpState,
        device: &Device,
    ) -> std::result::Result<(), String> {
        let n = 2 * self.layers().count();
        if state.params.len() != n || state.adam.len() != n {
            return Err(format!("{} parameters in the checkpoint, {n} in the network", state.params.len()));
        }
        let tensor = |shape: &[usize], values: &[f32]| -> std::result::Result<Tensor<2>, String> {
            match (shape, values.len()) {
                (&[r, c], len) if r * c == len => {
                    Ok(Tensor::from_data(TensorData::new(values.to_vec(), [r, c]), device))
                }
                _ => Err(format!("a parameter of shape {shape:?} holds {} values", values.len())),
            }
        };
        let mut k = 0;
        for layer in self.layers_mut() {
            for p in [&mut layer.w, &mut layer.b] {
                let (shape, values) = &state.params[k];
                if shape.as_slice() != p.dims() {
                    return Err(format!("parameter {k} has shape {shape:?} in the checkpoint, {:?} here", p.dims()));
                }
                *p = tensor(shape, values)?.require_grad();
                opt.states[k] = match &state.adam[k] {
                    None => None,
                    Some(a) => Some(AdamState::new(AdaptiveMomentumState::new(
                        a.time,
                        tensor(shape, &a.moment_1)?.inner(),
                        tensor(shape, &a.moment_2)?.inner(),
                    ))),
                };
                k += 1;
            }
        }
        Ok(())
    }

    pub fn new(cfg: &NerfConfig, seed: u64, device: &Device) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (px, w) = (encoded_width(cfg.pos_freqs), cfg.width);
        let trunk = (0..cfg.depth)
            .map(|i| {
                let fan_in = match i {
                    0 => px,
                    i if i == cfg.skip && cfg.skip > 0 => px + w,
                    _ => w,
                };
                Linear::new(fan_in, w, &mut rng, device)
            })
            .collect();
        let dirs = if cfg.use_viewdirs { encoded_width(cfg.dir_freqs) } else { 0 };
        let half = (w / 2).max(1);
        Mlp {
            trunk,
            skip: cfg.skip,
            sigma: Linear::new(w, 1, &mut rng, device),
            feature: Linear::new(w, w, &mut rng, device),
            view: Linear::new(w + dirs, half, &mut rng, device),
            colour: Linear::new(half, 3, &mut rng, device),
            pos_freqs: cfg.pos_freqs,
            dir_freqs: cfg.dir_freqs,
            use_viewdirs: cfg.use_viewdirs,
        }
    }

    fn layers_mut(&mut self) -> impl Iterator<Item = &mut Linear> {
        self.trunk.iter_mut().chain([&mut self.sigma, &mut self.feature, &mut self.view, &mut self.colour])
    }

    fn layers(&self) -> impl Iterator<Item = &Linear> {
        self.trunk.iter().chain([&self.sigma, &self.feature, &self.view, &self.colour])
    }

    /// Every weight and bias by name (`<prefix>.<layer>.w|b`), as the autodiff leaves (for the divergence guard).
    pub fn parameter_groups(&self, prefix: &str) -> Vec<(String, Tensor<2>)> {
        self.layers()
            .enumerate()
            .flat_map(|(i, l)| [(format!("{prefix}.{i}.w"), l.w.clone()), (format!("{prefix}.{i}.b"), l.b.clone())])
            .collect()
    }

    /// Number of scalar parameters.
    pub fn parameter_count(&self) -> usize {
        self.layers().map(|l| l.w.shape().num_elements() + l.b.shape().num_elements()).sum()
    }

    /// The same network without autodiff (for rendering: no graph is recorded).
    pub fn without_autodiff(&self) -> Mlp {
        let mut m = self.clone();
        for l in m.layers_mut() {
            l.w = l.w.clone().inner();
            l.b = l.b.clone().inner();
        }
        m
    }

    /// Density `[N, 1]` (≥ 0) and colour `[N, 3]` (in (0, 1)) at world points `x` `[N, 3]` seen along unit
    /// directions `d` `[N, 3]`.
    pub fn forward(&self, x: Tensor<2>, d: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let gx = encode(x, self.pos_freqs);
        let mut h = gx.clone();
        for (i, layer) in self.trunk.iter().enumerate() {
            if i == self.skip && i > 0 {
                h = Tensor::cat(vec![gx.clone(), h], 1);
            }
            h = relu(layer.forward(h));
        }
        let sigma = relu(self.sigma.forward(h.clone()));
        let f = self.feature.forward(h);
        let v = if self.use_viewdirs { Tensor::cat(vec![f, encode(d, self.dir_freqs)], 1) } else { f };
        let rgb = sigmoid(self.colour.forward(relu(self.view.forward(v))));
        (sigma, rgb)
    }

    pub fn optimizer(&self, epsilon: f32) -> MlpOptimizer {
        let adam = burn::optim::AdamConfig::new().with_epsilon(epsilon).build();
        MlpOptimizer { adam, states: vec![None; 2 * self.layers().count()] }
    }

    /// One Adam step at learning rate `lr` on every parameter that has a gradient in `grads`.
    pub fn step(&mut self, opt: &mut MlpOptimizer, lr: f64, grads: &Gradients) {
        let mut k = 0;
        for layer in self.layers_mut() {
            for p in [&mut layer.w, &mut layer.b] {
                if let Some(g) = p.grad(grads) {
                    let (next, state) = opt.adam.step(lr, p.clone().inner(), g, opt.states[k].take());
                    opt.states[k] = state;
                    *p = Tensor::from_inner(next).require_grad();
                }
                k += 1;
            }
        }
    }
}
