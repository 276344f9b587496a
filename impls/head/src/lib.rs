//! Sparse-view head reconstruction with learnable cameras (issue #7).
//!
//! A few hundred points with learnable position, colour (sigmoid), opacity (sigmoid) and scale (exp; isotropic by
//! default) are rendered as 3D Gaussians by `splatbench_render::op` and fitted to ~4 views of a head whose cameras
//! are themselves learned: per-view yaw and pitch of the object seen from a fixed distance, one shared focal length
//! ([`yaw_pitch`] gives the model and its conventions). The point count grows progressively towards a maximum by
//! cloning high-gradient points ([`strategy::ProgressiveStrategy`]). Modules:
//! - [`config`]: [`HeadConfig`]; [`yaw_pitch`]: the camera model; [`cameras`]: the learnable cameras;
//! - [`init`]: the initial cloud; [`points`]: the parameterisation;
//! - [`loss`]: the loss and regularisers; [`strategy`]: densification; [`train`]: the loop;
//! - [`recon`]: rendering and artifacts of the fit; [`checkpoint`]: save/resume.

pub mod cameras;
pub mod checkpoint;
pub mod config;
pub mod init;
pub mod loss;
pub mod points;
pub mod recon;
pub mod strategy;
pub mod train;

pub mod yaw_pitch;

pub use config::{HeadConfig, OpacityReg};
pub use recon::HeadReconstruction;
pub use strategy::ProgressiveStrategy;
pub use train::{TrainOutcome, train_scene};
pub use yaw_pitch::{YawPitch, YawPitchRig};

use splatbench_core::{Error, Reconstruction, Reconstructor, Result, RunContext, Scene, TrainReport, View};

/// The head method as the harness sees it.
pub struct HeadReconstructor {
    pub config: HeadConfig,
    /// The dataset's yaw/pitch cameras of the train split (cameras_yaw_pitch.json), when the caller loaded them;
    /// without it the rig is recovered from the train views' poses.
    pub dataset_rig: Option<YawPitchRig>,
    fitted: Option<TrainOutcome>,
}

impl HeadReconstructor {
    pub fn new(config: HeadConfig) -> Self {
        HeadReconstructor { config, dataset_rig: None, fitted: None }
    }

    pub fn with_dataset_rig(mut self, rig: YawPitchRig) -> Self {
        self.dataset_rig = Some(rig);
        self
    }

    /// The last fit (point history, rigs), after `train`.
    pub fn outcome(&self) -> Option<&TrainOutcome> {
        self.fitted.as_ref()
    }
}

impl Reconstructor for HeadReconstructor {
    fn id(&self) -> &str {
        "head"
    }

    fn train(&mut self, scenes: &[Scene], ctx: &mut RunContext) -> Result<TrainReport> {
        let scene = match scenes {
            [one] => one,
            _ => return Err(Error::input("scenes", format!("the head method fits one scene, got {}", scenes.len()))),
        };
        let outcome = train_scene(&self.config, scene, self.dataset_rig.as_ref(), ctx)?;
        let report = outcome.report.clone();
        self.fitted = Some(outcome);
        Ok(report)
    }

    fn reconstruct(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Box<dyn Reconstruction>> {
        let fitted = self.fitted.as_ref().ok_or_else(|| Error::bug("head: reconstruct called before train"))?;
        Ok(Box::new(fitted.reconstruction.clone()))
    }

    fn initial(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Option<Box<dyn Reconstruction>>> {
        Ok(self.fitted.as_ref().and_then(|f| f.initial.clone()).map(|r| Box::new(r) as Box<dyn Reconstruction>))
    }
}

/// The method as the harness registers it (`splatbench_bench::registry`). `version`: see `CHANGELOG.md`.
pub static METHOD: splatbench_core::MethodDef<HeadConfig> = splatbench_core::MethodDef {
    name: "head",
    description: "sparse-view head reconstruction with learnable cameras (3D Gaussians)",
    version: 2,
    build: |config| Box::new(HeadReconstructor::new(config)),
    check_dataset: splatbench_core::registration::needs_train_and_test_views,
    command: None,
};

impl splatbench_core::MethodConfig for HeadConfig {
    fn validate(&self) -> splatbench_core::Result<()> {
        HeadConfig::validate(self).map_err(|m| splatbench_core::Error::input("head config", m))
    }
}
