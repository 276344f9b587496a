//! [`RoiGs`]: the method as the harness sees it ([`Reconstructor`]), and its fitted [`RoiGsReconstruction`].

use crate::config::{RoiGsConfig, Variant};
use crate::trainer::{Trained, render_cloud, train_scene};
use burn::tensor::Device;
use splatbench_core::{
    Artifact, Camera, Error, Image, Reconstruction, Reconstructor, Result, RunContext, Scene, TrainReport, View,
};
use splatbench_render::GaussianCloud;
use splatbench_render::ply::write_ply;
use std::collections::BTreeMap;
use std::path::Path;

/// Per-scene 3DGS with optional ROI gating and Laplacian-pyramid loss; `id` names the variant
/// (`roigs-baseline`, `roigs-roi`, `roigs-laplacian`, `roigs-both`).
pub struct RoiGs {
    pub config: RoiGsConfig,
    trained: Option<Trained>,
}

impl RoiGs {
    pub fn new(config: RoiGsConfig) -> Self {
        RoiGs { config, trained: None }
    }

    /// The default config with `variant`'s deltas.
    pub fn variant(variant: Variant) -> Self {
        Self::new(RoiGsConfig::default().variant(variant))
    }

    /// In-ROI flag per fitted Gaussian (empty before training).
    pub fn in_roi(&self) -> &[bool] {
        self.trained.as_ref().map_or(&[], |t| &t.in_roi)
    }
}

impl Reconstructor for RoiGs {
    fn id(&self) -> &str {
        match self.config.which() {
            Variant::Baseline => "roigs-baseline",
            Variant::Roi => "roigs-roi",
            Variant::Laplacian => "roigs-laplacian",
            Variant::Both => "roigs-both",
        }
    }

    fn train(&mut self, scenes: &[Scene], ctx: &mut RunContext) -> Result<TrainReport> {
        let [scene] = scenes else {
            return Err(Error::input("scenes", format!("roigs fits one scene at a time, got {}", scenes.len())));
        };
        let trained = train_scene(scene, &self.config, ctx)?;
        let report = trained.report.clone();
        self.trained = Some(trained);
        Ok(report)
    }

    fn reconstruct(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Box<dyn Reconstruction>> {
        let t = self.trained.as_ref().ok_or_else(|| Error::bug("roigs: reconstruct called before train"))?;
        Ok(Box::new(RoiGsReconstruction {
            id: self.id().to_string(),
            cloud: t.cloud.clone(),
            roi_gaussians: t.in_roi.iter().filter(|&&r| r).count(),
            background: t.background,
            device: t.device.clone(),
        }))
    }

    fn initial(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Option<Box<dyn Reconstruction>>> {
        Ok(self.trained.as_ref().map(|t| {
            Box::new(RoiGsReconstruction {
                id: format!("{}-initial", self.id()),
                cloud: t.initial.clone(),
                roi_gaussians: 0,
                background: t.background,
                device: t.device.clone(),
            }) as Box<dyn Reconstruction>
        }))
    }
}

/// The fitted Gaussians.
pub struct RoiGsReconstruction {
    id: String,
    pub cloud: GaussianCloud,
    roi_gaussians: usize,
    background: [f32; 3],
    device: Device,
}

impl Reconstruction for RoiGsReconstruction {
    fn render(&self, camera: &Camera) -> Result<Image> {
        render_cloud(&self.cloud, camera, self.background, &self.device)
    }

    fn artifacts(&self, dir: &Path) -> Result<Vec<Artifact>> {
        let path = dir.join(format!("{}.ply", self.id));
        write_ply(&path, &self.cloud)?;
        Ok(vec![Artifact {
            kind: "ply".into(),
            path,
            caption: format!("{}: {} Gaussians (3DGS PLY)", self.id, self.cloud.len()),
        }])
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("gaussians".to_string(), self.cloud.len() as f64),
            ("roi_gaussians".to_string(), self.roi_gaussians as f64),
        ])
    }
}
