//! Splart: an image approximated by textured brush strokes, optimised through a differentiable 2D compositor.
//!
//! - [`brush`]: alpha textures (procedural ellipse, bristle, dab; any image file), sampled bilinearly.
//! - [`stroke`]: a stroke's parameters (position, rotation, log half-extents, colour logits) and geometry.
//! - [`reference`]: the dense f64 compositor (over operator in creation order); [`kernel`]: the fast tiled CPU
//!   forward and analytic backward; [`op`]: both as one differentiable burn op.
//! - [`train`]: rounds of B new strokes and K Adam steps on the training skeleton, with [`sampling`] (where new
//!   strokes go), [`schedule`] (how large they start) and [`prune`] (which go); [`method`]: the bench's
//!   `Reconstructor`; [`outputs`]: painting PNGs, the animation, strokes JSON, loss curve.

pub mod brush;
pub mod config;
pub mod kernel;
pub mod method;
pub mod op;
pub mod outputs;
pub mod prune;
pub mod reference;
pub mod resume;
pub mod sampling;
pub mod schedule;
pub mod stroke;
pub mod train;

pub use brush::{Brush, BrushKind};
pub use config::SplartConfig;
pub use method::{Painting, Splart};
pub use op::{StrokeTensors, composite};
pub use stroke::Stroke;

/// The method as the harness registers it (`splatbench_bench::registry`). `version`: see `CHANGELOG.md`.
pub static METHOD: splatbench_core::MethodDef<SplartConfig> = splatbench_core::MethodDef {
    name: "splart",
    description: "2D differentiable painting with textured brush strokes",
    version: 1,
    build: |config| Box::new(Splart::new(config)),
    check_dataset: splatbench_core::registration::needs_train_and_test_views,
    command: None,
};

impl splatbench_core::MethodConfig for SplartConfig {
    fn validate(&self) -> splatbench_core::Result<()> {
        train::validate(self)
    }
}
