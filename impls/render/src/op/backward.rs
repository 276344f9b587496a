//! The autodiff backward of the op: split the packed `[H, W, 5]` upstream gradient into colour, alpha and depth,
//! run [`cpu::backward`] with the saved forward state, and register one gradient per tracked parent (the eighth
//! parent, the screen-space probe, gets dL/d(projected mean)).

use super::host::{Saved, read_host};
use crate::cpu;
use burn::backend::Backend;
use burn::backend::TensorMetadata;
use burn::backend::autodiff::{
    checkpoint::base::Checkpointer,
    grads::Gradients,
    ops::{Backward, Ops},
};
use burn::tensor::TensorData;

#[derive(Debug)]
pub(super) struct RasterBackward;

impl<B: Backend> Backward<B, 8> for RasterBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 8>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let upstream = grads.consume::<B>(&ops.node);
        let device = upstream.device();
        let packed = read_host::<B>(upstream);
        let s = &ops.state.0;
        let pixels = (s.cam.width * s.cam.height) as usize;
        let mut d_color = Vec::with_capacity(pixels * 3);
        let mut d_alpha = Vec::with_capacity(pixels);
        let mut d_depth = Vec::with_capacity(pixels);
        for px in packed.chunks_exact(5) {
            d_color.extend_from_slice(&px[..3]);
            d_alpha.push(px[3]);
            d_depth.push(px[4]);
        }
        let g = cpu::backward(&s.cloud, &s.cam, s.background, &s.state, &d_color, &d_alpha, &d_depth);
        let flat: [Vec<f32>; 8] = [
            g.means.as_flattened().to_vec(),
            g.log_scales.as_flattened().to_vec(),
            g.quats.as_flattened().to_vec(),
            g.opacity_logits,
            g.sh,
            g.viewmat.as_flattened().to_vec(),
            g.intrinsics.to_vec(),
            g.means2d.as_flattened().to_vec(),
        ];
        let n = s.cloud.means.len();
        for ((parent, values), i) in ops.parents.into_iter().zip(flat).zip(0..) {
            if let Some(node) = parent {
                let shape = if i < 7 { s.shapes[i].clone() } else { vec![n, 2] };
                grads.register::<B>(node.id, B::float_from_data(TensorData::new(values, shape), &device));
            }
        }
    }
}
