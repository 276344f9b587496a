//! The backend extension: `gaussian_blur` on each backend (the host path on NdArray and Flex, [`super::conv`] elsewhere),
//! and on autodiff a node whose backward filters the upstream gradient again (the filter is self-adjoint).

use super::{conv::blur_conv, host::blur_planes, taps_f32};
use burn::backend::autodiff::{
    Autodiff,
    checkpoint::{base::Checkpointer, strategy::CheckpointStrategy},
    grads::Gradients,
    ops::{Backward, Ops},
};
use burn::backend::ops::FloatTensorOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, NdArray, TensorMetadata};
use burn::tensor::TensorData;
use splatbench_device::host::with_f32;

splatbench_device::backend_extension! {
    pub(super) trait BlurOps: Backend {
        fn gaussian_blur(x: FloatTensor<Self>) -> FloatTensor<Self> {
            blur_conv::<Self>(x)
        }
    }
}

// The CPU backends filter their storage on the host.
splatbench_device::impl_plain_backends!(impl BlurOps for [NdArray, #[cfg(feature = "flex")] burn::backend::Flex] {
    fn gaussian_blur(x: FloatTensor<Self>) -> FloatTensor<Self> {
        let shape = x.shape().to_vec();
        assert_eq!(shape.len(), 4, "gaussian_blur: expected [N, K, H, W], got {shape:?}");
        let (h, w) = (shape[2], shape[3]);
        let device = x.device();
        // Borrowed from the storage: autodiff keeps the input alive, and reading a shared array out as `TensorData`
        // walks it element by element (10× the filter's own time at 15×165×250).
        let out = with_f32::<Self, _>(&x, |values| blur_planes(values, h, w, &taps_f32()));
        Self::float_from_data(TensorData::new(out, shape), &device)
    }
});

// The other plain backends run the trait's default: blur as a convolution on the backend itself.
splatbench_device::impl_plain_backends!(impl BlurOps for [
    #[cfg(feature = "wgpu")] burn::backend::Cube,
    #[cfg(feature = "tch")] burn::backend::LibTorch,
] {});

impl<B: BlurOps, C: CheckpointStrategy> BlurOps for Autodiff<B, C> {
    fn gaussian_blur(x: FloatTensor<Self>) -> FloatTensor<Self> {
        let node = x.node();
        let out = B::gaussian_blur(x.into_primitive());
        BlurBackward.prepare::<C>([node]).compute_bound().stateless(out)
    }
}

#[derive(Debug)]
struct BlurBackward;

impl<B: BlurOps> Backward<B, 1> for BlurBackward {
    type State = ();

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let upstream = grads.consume::<B>(&ops.node);
        if let [Some(parent)] = ops.parents {
            grads.register::<B>(parent.id, B::gaussian_blur(upstream));
        }
    }
}
