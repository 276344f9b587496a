//! The autodiff backward of the op: the backend's [`RasterKernels::raster_backward`] turns the packed `[5·H·W]`
//! upstream gradient into one gradient per input, registered for every tracked parent (the eighth parent, the
//! screen-space probe, gets dL/d(projected mean)).

use super::kernels::RasterKernels;
use burn::backend::autodiff::{
    checkpoint::base::Checkpointer,
    grads::Gradients,
    ops::{Backward, Ops},
};

#[derive(Debug)]
pub(super) struct RasterBackward;

impl<B: RasterKernels> Backward<B, 8> for RasterBackward {
    type State = B::Saved;

    fn backward(self, ops: Ops<Self::State, 8>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let upstream = grads.consume::<B>(&ops.node);
        let all = B::raster_backward(&ops.state, upstream);
        for (parent, grad) in ops.parents.into_iter().zip(all) {
            if let Some(node) = parent {
                grads.register::<B>(node.id, grad);
            }
        }
    }
}
