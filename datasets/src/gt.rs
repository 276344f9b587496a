//! Ground truth written beside each scene in `<scene>/gt/ground_truth.json` (never read by loaders): the
//! surface points of every object and, for every view, where its exact z-depth map (`.npy`, 0 = no surface)
//! lies. Tests reproject the points with the *loaded* cameras onto the *loaded* images and depths, which
//! catches pose and pixel-centre convention errors on either side.

use serde::{Deserialize, Serialize};
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use std::path::Path;

/// Relative path of the ground-truth file inside a scene directory.
pub const GROUND_TRUTH: &str = "gt/ground_truth.json";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GtView {
    /// The object (SRN object id) or scene the view belongs to.
    pub group: String,
    /// "train", "val" or "test".
    pub split: String,
    /// Image file stem.
    pub name: String,
    /// Image path relative to the scene directory.
    pub image: String,
    /// Exact z-depth `.npy` relative to the scene directory.
    pub depth: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GtGroup {
    pub name: String,
    /// True for the object the masks show (every object in object-centric scenes; the ROI in `roi_toy`).
    pub foreground: bool,
    pub positions: Vec<[f64; 3]>,
    /// RGB in [0, 1] (Lambertian colour at the point).
    pub colors: Vec<[f32; 3]>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GroundTruth {
    pub views: Vec<GtView>,
    pub groups: Vec<GtGroup>,
}

pub fn read_ground_truth(scene_dir: &Path) -> Result<GroundTruth> {
    let p = scene_dir.join(GROUND_TRUTH);
    let bytes = std::fs::read(&p).at(&p)?;
    serde_json::from_slice(&bytes).map_err(|e| Error::input(&p, e.to_string()))
}
