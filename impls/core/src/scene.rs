//! Views, scenes and sparse points.

use crate::{Camera, DepthMap, Image, Mask};
use std::collections::BTreeMap;

/// One posed photograph with what the dataset knows about it.
#[derive(Clone, Debug)]
pub struct View {
    /// File stem of the image, unique within its scene.
    pub name: String,
    pub camera: Camera,
    pub image: Image,
    pub mask: Option<Mask>,
    pub depth: Option<DepthMap>,
}

/// Sparse 3D points (COLMAP `points3D`, or the generator's surface samples).
#[derive(Clone, Debug, Default)]
pub struct PointCloud {
    pub positions: Vec<[f64; 3]>,
    /// RGB in [0, 1].
    pub colors: Vec<[f32; 3]>,
}

/// One object or scene with its views in named splits ("train", "test", "val", ...).
#[derive(Clone, Debug, Default)]
pub struct Scene {
    pub name: String,
    pub splits: BTreeMap<String, Vec<View>>,
    pub points: Option<PointCloud>,
    /// Background the images were rendered or composited on (white for SRN/Blender/nerfstudio RGBA).
    pub background: [f32; 3],
}

impl Scene {
    pub fn split(&self, name: &str) -> &[View] {
        self.splits.get(name).map(Vec::as_slice).unwrap_or(&[])
    }
}
