//! Dataset loaders: SRN, COLMAP (binary and text), Blender/NeRF-synthetic and nerfstudio, into [`Scene`].
//!
//! Every loader converts into the project convention (see `splatbench_core`): world-to-camera poses in
//! OpenCV axes, pixel (j, i)'s centre at (j + 0.5, i + 0.5). What each format needs:
//!
//! | format | stored pose | axes | pixel centres | conversion |
//! |---|---|---|---|---|
//! | SRN | camera-to-world | OpenCV | integer | invert; cx, cy += 0.5 |
//! | COLMAP | world-to-camera (qvec, tvec) | OpenCV | half-pixel | none |
//! | Blender | camera-to-world | OpenGL | half-pixel (image centre) | c2w · diag(1, −1, −1, 1), invert |
//! | nerfstudio | camera-to-world | OpenGL | half-pixel | c2w · diag(1, −1, −1, 1), invert |
//!
//! Every camera a loader returns passes [`Camera::validate`](splatbench_core::Camera::validate); anything wrong
//! with the files (missing, truncated, inconsistent, NaN) is an [`Error::input`] naming the file. RGBA images keep
//! their alpha; composite them with `Image::to_rgb_over(scene.background)`.

mod blender;
pub mod camera_json;
mod colmap;
mod common;
pub mod fingerprint;
pub mod image_scene;
mod mask;
mod nerfstudio;
pub mod reference;
pub mod split;
mod srn;

pub use blender::load_blender;
pub use camera_json::read_camera;
pub use colmap::{
    CAMERA_MODELS, ColmapCamera, ColmapImage, ColmapModel, ColmapPoint, Point2D, TrackElement, colmap_camera,
    find_model_dir, load_colmap, read_cameras_bin, read_cameras_txt, read_colmap_model, read_images_bin,
    read_images_txt, read_points_bin, read_points_txt, write_colmap_binary, write_colmap_text,
};
pub use image_scene::load_image_scene;
pub use mask::{read_depth, read_mask, resize_bilinear};
pub use nerfstudio::{YawPitchCamera, load_nerfstudio, load_yaw_pitch_cameras};
pub use srn::{SrnIntrinsics, load_srn, load_srn_object, read_intrinsics, read_pose, srn_camera};

use splatbench_core::{Error, Result, Scene};
use std::path::Path;

/// The dataset format of a directory, as [`load_scene`] detects it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Nerfstudio,
    Blender,
    Colmap,
    /// One SRN object directory (`rgb/`, `pose/`, `intrinsics.txt`).
    SrnObject,
    /// An SRN root with `cars_train/`, `cars_val/` or `cars_test/` (many scenes: use [`load_srn`]).
    SrnRoot,
}

/// Which format `path` holds, if any.
pub fn detect(path: &Path) -> Option<Format> {
    let has = |f: &str| path.join(f).exists();
    if has("transforms.json") {
        Some(Format::Nerfstudio)
    } else if ["transforms_train.json", "transforms_val.json", "transforms_test.json"].into_iter().any(has) {
        Some(Format::Blender)
    } else if colmap::find_model_dir(path).is_some() {
        Some(Format::Colmap)
    } else if has("intrinsics.txt") && has("rgb") && has("pose") {
        Some(Format::SrnObject)
    } else if ["cars_train", "cars_val", "cars_test"].iter().any(|f| path.join(f).is_dir()) {
        Some(Format::SrnRoot)
    } else {
        None
    }
}

/// Load one scene, detecting its format: `transforms.json` → nerfstudio; `transforms_<split>.json` → Blender;
/// `sparse/`, `cameras.bin` or `cameras.txt` → COLMAP; `rgb/` + `pose/` + `intrinsics.txt` → an SRN object
/// (split "test" when its parent is `cars_test`, "val" for `cars_val`, else "train").
pub fn load_scene(path: &Path) -> Result<Scene> {
    let scene = detect_and_load(path)?;
    // A split lists views to train or score on; one with none (every frame left out of the split lists, a model
    // with no images) would make a run that measures nothing.
    if scene.splits.values().all(Vec::is_empty) {
        return Err(Error::input(path, "the dataset holds no views"));
    }
    if let Some((name, _)) = scene.splits.iter().find(|(_, v)| v.is_empty()) {
        return Err(Error::input(path, format!("split \"{name}\" holds no views")));
    }
    Ok(scene)
}

fn detect_and_load(path: &Path) -> Result<Scene> {
    if !path.exists() {
        return Err(Error::input(path, "no such file or directory"));
    }
    if !path.is_dir() {
        return Err(Error::input(path, "expected a dataset directory"));
    }
    match detect(path) {
        Some(Format::Nerfstudio) => load_nerfstudio(path),
        Some(Format::Blender) => load_blender(path),
        Some(Format::Colmap) => load_colmap(path),
        Some(Format::SrnObject) => {
            let parent = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str());
            let split = match parent {
                Some("cars_test") => "test",
                Some("cars_val") => "val",
                _ => "train",
            };
            load_srn_object(path, split)
        }
        Some(Format::SrnRoot) => {
            Err(Error::input(path, "is an SRN root holding many objects: load it with load_srn (one scene each)"))
        }
        None => Err(Error::input(
            path,
            "no dataset found (expected transforms.json, transforms_train.json, sparse/, cameras.bin|txt, \
             or an SRN object with rgb/, pose/ and intrinsics.txt)",
        )),
    }
}
