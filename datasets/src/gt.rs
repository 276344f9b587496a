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

/// Reads a 2-D little-endian float32 C-order `.npy` (v1 or v2 header): (height, width, data).
pub fn read_npy_f32(path: &Path) -> Result<(u32, u32, Vec<f32>)> {
    let bytes = std::fs::read(path).at(path)?;
    let bad = |m: &str| Error::input(path, m.to_string());
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("not a .npy file"));
    }
    let (hlen, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        _ => return Err(bad("unsupported .npy version")),
    };
    let header = std::str::from_utf8(bytes.get(start..start + hlen).ok_or_else(|| bad("truncated header"))?)
        .map_err(|_| bad("header is not text"))?;
    if !header.contains("'<f4'") || !header.contains("'fortran_order': False") {
        return Err(bad("expected little-endian float32 in C order"));
    }
    let shape = header.split("'shape': (").nth(1).and_then(|s| s.split(')').next()).ok_or_else(|| bad("no shape"))?;
    let dims: Vec<u32> = shape
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("bad shape"))?;
    let &[h, w] = dims.as_slice() else { return Err(bad("expected a 2-D array")) };
    let data = &bytes[start + hlen..];
    if data.len() != (h * w) as usize * 4 {
        return Err(bad("data size does not match the shape"));
    }
    Ok((h, w, data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()))
}
