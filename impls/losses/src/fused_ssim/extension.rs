//! The backend extension: `fused_ssim` on every backend through the host path, and on autodiff a node whose
//! backward runs [`host::backward`] with the saved maps.

use super::host::{self, SsimMaps};
use burn::backend::autodiff::{
    Autodiff,
    checkpoint::{base::Checkpointer, strategy::CheckpointStrategy},
    grads::Gradients,
    ops::{Backward, Ops, OpsKind},
};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, TensorMetadata};
use burn::tensor::TensorData;
use splatbench_device::host::{read_f32, with_f32};
use std::sync::Arc;

splatbench_device::backend_extension! {
    pub(super) trait FusedSsimOps: Backend {
        /// Mean SSIM `[1]` of two `[H, W, C]` images.
        fn fused_ssim(x: FloatTensor<Self>, y: FloatTensor<Self>) -> FloatTensor<Self> {
            host_forward::<Self>(x, y).0
        }
    }
}

splatbench_device::impl_plain_backends!(impl FusedSsimOps {});

/// Read both images, run [`host::forward`], upload the mean as `[1]`.
fn host_forward<B: Backend>(x: FloatTensor<B>, y: FloatTensor<B>) -> (FloatTensor<B>, SsimMaps) {
    let shape = x.shape().to_vec();
    assert_eq!(shape, y.shape().to_vec(), "ssim: pred and target must have the same [H, W, C] shape");
    assert_eq!(shape.len(), 3, "ssim: expected [H, W, C], got {shape:?}");
    let device = x.device();
    let (mean, maps) =
        with_f32::<B, _>(&x, |xv| with_f32::<B, _>(&y, |yv| host::forward(xv, yv, shape[0], shape[1], shape[2])));
    (B::float_from_data(TensorData::new(vec![mean as f32], [1]), &device), maps)
}

/// Autodiff state: `Clone + Debug`, sharing the host maps.
#[derive(Clone)]
struct Saved(Arc<SsimMaps>);

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Saved({}x{}x{})", self.0.h, self.0.w, self.0.c)
    }
}

impl<B: FusedSsimOps, C: CheckpointStrategy> FusedSsimOps for Autodiff<B, C> {
    fn fused_ssim(x: FloatTensor<Self>, y: FloatTensor<Self>) -> FloatTensor<Self> {
        let nodes = [x.node(), y.node()];
        let (out, maps) = host_forward::<B>(x.into_primitive(), y.into_primitive());
        match SsimBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => prep.finish(Saved(Arc::new(maps)), out),
            OpsKind::UnTracked(prep) => prep.finish(out),
        }
    }
}

#[derive(Debug)]
struct SsimBackward;

impl<B: Backend> Backward<B, 2> for SsimBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let upstream = grads.consume::<B>(&ops.node);
        let device = upstream.device();
        let g = read_f32::<B>(upstream)[0];
        let m = &ops.state.0;
        let [px, py] = ops.parents;
        let (dx, dy) = host::backward(m, g, px.is_some(), py.is_some());
        let shape = [m.h, m.w, m.c];
        for (parent, grad) in [(px, dx), (py, dy)] {
            if let (Some(p), Some(v)) = (parent, grad) {
                grads.register::<B>(p.id, B::float_from_data(TensorData::new(v, shape), &device));
            }
        }
    }
}
