//! A batch of rays through the networks: sample, evaluate, composite — the part training and rendering share.
//!
//! Stage one evaluates the first network at stratified samples (`n_coarse`, or `n_coarse + n_fine` for
//! `coarse_only`). With hierarchical sampling the coarse weights are read back (detached), `n_fine` samples are
//! drawn from them ([`crate::sampling`]), and the fine network evaluates the sorted union. Each stage is one
//! network call on `[rays·samples, 3]` points, so the work is a few large matrix products.

use crate::config::NerfConfig;
use crate::mlp::Mlp;
use crate::rays::Rays;
use crate::sampling::{fine_samples, sorted_union, stratified};
use crate::volume::{Composite, composite};
use burn::tensor::{Device, Tensor, TensorData};
use rand_chacha::ChaCha8Rng;
use splatbench_train::tensors::to_vec;

/// The networks of a run: the fine one exists with hierarchical sampling only.
#[derive(Clone)]
pub struct Networks {
    pub coarse: Mlp,
    pub fine: Option<Mlp>,
}

impl Networks {
    pub fn without_autodiff(&self) -> Networks {
        Networks { coarse: self.coarse.without_autodiff(), fine: self.fine.as_ref().map(Mlp::without_autodiff) }
    }

    pub fn parameter_count(&self) -> usize {
        self.coarse.parameter_count() + self.fine.as_ref().map_or(0, Mlp::parameter_count)
    }
}

/// Where the rays sample and what they return.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub near: f64,
    pub far: f64,
    pub background: [f32; 3],
}

/// One batch rendered by both stages.
pub struct RayRender {
    pub coarse: Composite,
    pub fine: Option<Composite>,
    /// Stage-one sample distances `[rays, n₁]`.
    pub t_coarse: Vec<f32>,
    /// The fine draws `[rays, n_fine]` (unsorted, in draw order) and the union the fine network saw.
    pub t_fine: Vec<f32>,
    pub t_union: Vec<f32>,
}

impl RayRender {
    /// The output of the last stage.
    pub fn last(&self) -> &Composite {
        self.fine.as_ref().unwrap_or(&self.coarse)
    }
}

/// Renders `rays` (on `device`; stratified jitter and fine draws from `rng`, midpoints when `None`).
pub fn render_rays(
    nets: &Networks,
    rays: &Rays,
    bounds: Bounds,
    cfg: &NerfConfig,
    rng: Option<&mut ChaCha8Rng>,
    device: &Device,
) -> RayRender {
    let r = rays.len();
    let origins = Tensor::<2>::from_data(TensorData::new(rays.origins.clone(), [r, 3]), device);
    let dirs = Tensor::<2>::from_data(TensorData::new(rays.dirs.clone(), [r, 3]), device);
    let n1 = cfg.first_stage_samples();
    let mut rng = rng;
    let t_coarse = stratified(r, n1, bounds.near, bounds.far, rng.as_deref_mut());
    let coarse = evaluate(&nets.coarse, &origins, &dirs, &t_coarse, n1, bounds, device);
    let Some(fine_net) = &nets.fine else {
        return RayRender { coarse, fine: None, t_coarse, t_fine: Vec::new(), t_union: Vec::new() };
    };
    let w = to_vec(coarse.weights.clone().detach());
    let t_fine = fine_samples(&w, n1, cfg.n_fine, bounds.near, bounds.far, rng);
    let t_union = sorted_union(&t_coarse, n1, &t_fine, cfg.n_fine);
    let fine = evaluate(fine_net, &origins, &dirs, &t_union, n1 + cfg.n_fine, bounds, device);
    RayRender { coarse, fine: Some(fine), t_coarse, t_fine, t_union }
}

/// One network on samples `t` (`[rays, n]`, sorted per ray) along the rays, composited.
fn evaluate(
    net: &Mlp,
    origins: &Tensor<2>,
    dirs: &Tensor<2>,
    t: &[f32],
    n: usize,
    bounds: Bounds,
    device: &Device,
) -> Composite {
    let [r, _] = origins.dims();
    let t = Tensor::<2>::from_data(TensorData::new(t.to_vec(), [r, n]), device);
    let d = dirs.clone().unsqueeze_dim::<3>(1);
    let points = origins.clone().unsqueeze_dim::<3>(1) + d.clone() * t.clone().unsqueeze_dim::<3>(2);
    let (sigma, rgb) = net.forward(points.reshape([r * n, 3]), d.expand([r, n, 3]).reshape([r * n, 3]));
    composite(sigma.reshape([r, n]), rgb.reshape([r, n, 3]), t, bounds.far, bounds.background)
}
