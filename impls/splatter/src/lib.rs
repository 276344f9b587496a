//! Splatter Image (Szymanowicz et al., CVPR 2024): a U-Net maps one view of an object to one 3D Gaussian per pixel,
//! trained over many objects by rendering the predicted Gaussians into other views; plus the target-supervision
//! ablation, which adds λ(step)·L_new comparing the raw per-pixel output with a target splatter image.
//!
//! | file | holds |
//! |---|---|
//! | [`config`] | [`SplatterConfig`], [`TargetMode`] (the bench's variants) |
//! | [`unet`] | the U-Net (burn::nn conv, group norm, nearest up-sampling, skips) and its reference initialisation |
//! | [`splat`] | raw output → depth, offset, opacity, scale, rotation, colour; back-projection to world means |
//! | [`sh`] | the optional SH degree-1 band: camera-frame coefficients rotated to world |
//! | [`data`] | training objects at the training resolution |
//! | [`train`] | one network step as a `TrainTask` (photometric L2 + λ·L_new) |
//! | [`ema`] | the weight average evaluation uses (`ema_decay`) |
//! | [`resume`] | checkpoints in the work directory and resuming from them |
//! | [`loss_terms`] | `splatter_loss_terms.csv`: L_base, L_new and λ per step |
//! | [`target_loss`] | L_new with per-image min-max normalisation, and the λ schedule |
//! | [`target_io`] | the target file format (`.npy` per channel group + JSON manifest) |
//! | [`fit`] | a `fit` target: a free per-pixel splatter image fitted to the object's views |
//! | [`targets`] | making targets (`teacher`, `fit`), held-out views, the bench cache |
//! | [`method`] | the `Reconstructor` and the reconstruction (render, PLY, per-pixel maps) |

pub mod command;
pub mod config;
pub mod data;
pub mod ema;
pub mod fit;
pub mod loss_terms;
pub mod method;
pub mod resume;
pub mod sh;
pub mod splat;
pub mod target_io;
pub mod target_loss;
pub mod targets;
pub mod train;
pub mod unet;

pub use config::{SplatterConfig, TargetMode};
pub use method::{Splatter, SplatterReconstruction};

/// The method as the harness registers it (`splatbench_bench::registry`). `version`: see `CHANGELOG.md`.
pub static METHOD: splatbench_core::MethodDef<SplatterConfig> = splatbench_core::MethodDef {
    name: "splatter",
    description: "Splatter Image: one Gaussian per pixel from one view",
    version: 1,
    build: |config| Box::new(Splatter::new(config)),
    check_dataset,
    command: Some(command::COMMAND),
};

/// Splatter Image learns one network over a collection of objects, each seen from views of one size: SRN-style
/// data. A single scene (COLMAP, Blender, nerfstudio, an image) gives it neither, and its views differ in size.
fn check_dataset(d: &splatbench_core::DatasetSummary) -> splatbench_core::Result<()> {
    if d.format != "srn" {
        return Err(splatbench_core::Error::input(
            &d.reference,
            format!(
                "is a {} dataset; splatter trains on SRN-style object collections (cars_train/, cars_test/)",
                d.format
            ),
        ));
    }
    splatbench_core::registration::needs_train_and_test_views(d)
}

impl splatbench_core::MethodConfig for SplatterConfig {
    fn validate(&self) -> splatbench_core::Result<()> {
        self.check().map_err(|m| splatbench_core::Error::input("splatter config", m))
    }
}
