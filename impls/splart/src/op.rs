//! The compositor as one differentiable burn operation, in the style of the rasterizer's op
//! (`splatbench_render::op`): a `#[backend_extension]` trait whose backend implementations read the stroke tensors
//! to the host and run [`kernel::forward`], and whose autodiff implementation registers a hand-written backward
//! that runs [`kernel::backward`] and uploads one gradient per tracked input.
//!
//! burn's own `grid_sample_2d` could express a stroke, but under autodiff it decomposes into gathers per stroke:
//! far too slow and memory-hungry for thousands of strokes. Here the brush is an ordinary (host) argument and the
//! backward keeps only the stroke parameters: it re-composites the tiles it needs.

// burn 0.22 deprecates burn-ndarray (and burn-tch); this project keeps ndarray as its always-available CPU backend.
#![allow(deprecated)]

use crate::brush::Brush;
use crate::kernel;
use crate::stroke::Stroke;
use burn::backend::TensorMetadata;
use burn::backend::autodiff::{
    Autodiff,
    checkpoint::{base::Checkpointer, strategy::CheckpointStrategy},
    grads::Gradients,
    ops::{Backward, Ops, OpsKind},
};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, ExtensionType};
use burn::tensor::{Tensor, TensorData};
use splatbench_device::host::read_f32;
use std::sync::Arc;

/// Stroke parameters as burn tensors, one row per stroke (layout of [`crate::stroke`]).
#[derive(Clone, Debug)]
pub struct StrokeTensors {
    /// `[N, 2]` centre in pixels.
    pub position: Tensor<2>,
    /// `[N, 1]` rotation in radians.
    pub rotation: Tensor<2>,
    /// `[N, 2]` log half-extents in pixels.
    pub log_scale: Tensor<2>,
    /// `[N, 3]` colour logits.
    pub color_logit: Tensor<2>,
}

/// The `[H, W, 3]` painting of `strokes` over `background`; differentiable in every tracked stroke tensor.
pub fn composite(
    strokes: &StrokeTensors,
    brush: &Arc<Brush>,
    width: u32,
    height: u32,
    background: [f32; 3],
) -> Tensor<3> {
    let out = <Dispatch as CompositeOps>::composite(
        CompositeInputs {
            position: strokes.position.clone().into_dispatch(),
            rotation: strokes.rotation.clone().into_dispatch(),
            log_scale: strokes.log_scale.clone().into_dispatch(),
            color_logit: strokes.color_logit.clone().into_dispatch(),
        },
        SharedBrush(brush.clone()),
        width,
        height,
        background,
    );
    Tensor::<3>::from_dispatch(out)
}

/// The brush travels as an ordinary argument: shared, never copied per call.
#[derive(Clone)]
pub struct SharedBrush(pub Arc<Brush>);

impl std::fmt::Debug for SharedBrush {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Brush({}×{})", self.0.width, self.0.height)
    }
}

/// Inputs of the op, in the order of the autodiff parents.
#[derive(ExtensionType)]
struct CompositeInputs<B: Backend> {
    position: FloatTensor<B>,
    rotation: FloatTensor<B>,
    log_scale: FloatTensor<B>,
    color_logit: FloatTensor<B>,
}

splatbench_device::backend_extension! {
    trait CompositeOps: Backend {
        fn composite(
            #[extension_type] inputs: CompositeInputs<Self>,
            brush: SharedBrush,
            width: u32,
            height: u32,
            background: [f32; 3],
        ) -> FloatTensor<Self>;
    }
}

// Every plain backend runs the host compositor (wgpu reads its tensors back; see the module docs).
splatbench_device::impl_plain_backends!(impl CompositeOps {
    fn composite(
        inputs: CompositeInputs<Self>,
        brush: SharedBrush,
        width: u32,
        height: u32,
        background: [f32; 3],
    ) -> FloatTensor<Self> {
        host_forward(inputs, &brush.0, width, height, background).0
    }
});

impl<B: Backend, C: CheckpointStrategy> CompositeOps for Autodiff<B, C> {
    fn composite(
        inputs: CompositeInputs<Self>,
        brush: SharedBrush,
        width: u32,
        height: u32,
        background: [f32; 3],
    ) -> FloatTensor<Self> {
        let CompositeInputs { position, rotation, log_scale, color_logit } = inputs;
        let nodes = [position.node(), rotation.node(), log_scale.node(), color_logit.node()];
        let prims = CompositeInputs::<B> {
            position: position.into_primitive(),
            rotation: rotation.into_primitive(),
            log_scale: log_scale.into_primitive(),
            color_logit: color_logit.into_primitive(),
        };
        let (image, strokes) = host_forward::<B>(prims, &brush.0, width, height, background);
        match CompositeBackward.prepare::<C>(nodes).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let saved = SavedForward { strokes, brush: brush.0, width, height, background };
                prep.finish(Saved(Arc::new(saved)), image)
            }
            OpsKind::UnTracked(prep) => prep.finish(image),
        }
    }
}

/// Read the stroke tensors, composite on the host, upload the image to the inputs' device.
fn host_forward<B: Backend>(
    inputs: CompositeInputs<B>,
    brush: &Brush,
    width: u32,
    height: u32,
    background: [f32; 3],
) -> (FloatTensor<B>, Vec<Stroke>) {
    let device = inputs.position.device();
    let n = inputs.position.shape()[0];
    for (name, t, c) in [
        ("position", &inputs.position, 2),
        ("rotation", &inputs.rotation, 1),
        ("log_scale", &inputs.log_scale, 2),
        ("color_logit", &inputs.color_logit, 3),
    ] {
        assert_eq!(t.shape().to_vec(), vec![n, c], "splart composite: {name} must be [{n}, {c}]");
    }
    let position = read_f32::<B>(inputs.position);
    let rotation = read_f32::<B>(inputs.rotation);
    let log_scale = read_f32::<B>(inputs.log_scale);
    let color_logit = read_f32::<B>(inputs.color_logit);
    let strokes: Vec<Stroke> = (0..n)
        .map(|i| Stroke {
            position: [position[2 * i], position[2 * i + 1]],
            rotation: rotation[i],
            log_scale: [log_scale[2 * i], log_scale[2 * i + 1]],
            color_logit: [color_logit[3 * i], color_logit[3 * i + 1], color_logit[3 * i + 2]],
        })
        .collect();
    let image = kernel::forward(&strokes, brush, width, height, background);
    let image = B::float_from_data(TensorData::new(image, [height as usize, width as usize, 3]), &device);
    (image, strokes)
}

/// Everything the backward pass needs, on the host.
struct SavedForward {
    strokes: Vec<Stroke>,
    brush: Arc<Brush>,
    width: u32,
    height: u32,
    background: [f32; 3],
}

/// Autodiff state must be `Clone + Debug`; share the host data instead of copying it.
#[derive(Clone)]
struct Saved(Arc<SavedForward>);

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.0;
        write!(f, "Saved({} strokes, {}x{})", s.strokes.len(), s.width, s.height)
    }
}

#[derive(Debug)]
struct CompositeBackward;

impl<B: Backend> Backward<B, 4> for CompositeBackward {
    type State = Saved;

    fn backward(self, ops: Ops<Self::State, 4>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let upstream = grads.consume::<B>(&ops.node);
        let device = upstream.device();
        let d_image = read_f32::<B>(upstream);
        let s = &ops.state.0;
        let g = kernel::backward(&s.strokes, &s.brush, s.width, s.height, s.background, &d_image);
        let n = s.strokes.len();
        // Columns of each input within a gradient row (Stroke::to_row order).
        let parts: [(usize, usize); 4] = [(0, 2), (2, 1), (3, 2), (5, 3)];
        for (parent, (start, cols)) in ops.parents.into_iter().zip(parts) {
            if let Some(node) = parent {
                let values: Vec<f32> =
                    g.rows.iter().flat_map(|r| r[start..start + cols].iter().map(|&v| v as f32)).collect();
                grads.register::<B>(node.id, B::float_from_data(TensorData::new(values, [n, cols]), &device));
            }
        }
    }
}
