//! NeRF-synthetic ("Blender") scenes: `transforms_{train,val,test}.json`, each with `camera_angle_x` and
//! `frames[]` of `{file_path, transform_matrix}`.
//!
//! - `transform_matrix` is **camera-to-world in OpenGL axes** (y up, z backward); converted with
//!   c2w · diag(1, −1, −1, 1).
//! - `file_path` is relative to the JSON's directory and usually has no extension (`./train/r_0` → `.png`).
//! - Focal length fx = fy = W / (2 tan(camera_angle_x / 2)) (`camera_angle_y` sets fy when present); the
//!   principal point is the image centre (W/2, H/2) in the project's half-pixel convention, which is where
//!   Blender's renderer puts it (the original NeRF code's `i - W/2` rays are half a pixel off).
//! - Images are RGBA with straight alpha over a **white** background; they are kept as RGBA (composite with
//!   `Image::to_rgb_over(scene.background)`).
//! - Without `transforms_test.json` the test views are held out of the training frames by the rule COLMAP scenes
//!   use ([`crate::split::held_out`]: every 8th by sorted name), so a scene shipped with training frames only can
//!   still be scored.

use super::common::{check_c2w_last_row, checked, json_f64, json_mat4, read_images, read_json};
use splatbench_core::{Camera, Error, Intrinsics, Result, Scene, View};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SPLITS: [&str; 3] = ["train", "val", "test"];

/// Load every `transforms_<split>.json` present in `dir` (at least one is required).
pub fn load_blender(dir: &Path) -> Result<Scene> {
    let mut splits = BTreeMap::new();
    for split in SPLITS {
        let json_path = dir.join(format!("transforms_{split}.json"));
        if json_path.is_file() {
            splits.insert(split.to_string(), load_split(dir, &json_path)?);
        }
    }
    if splits.is_empty() {
        return Err(Error::input(dir, "not a Blender scene: no transforms_{train,val,test}.json"));
    }
    if !splits.contains_key("test")
        && let Some(train) = splits.remove("train")
    {
        let names: Vec<&str> = train.iter().map(|v| v.name.as_str()).collect();
        let test = crate::split::held_out(&names);
        let (held, kept): (Vec<_>, Vec<_>) = train.into_iter().enumerate().partition(|(i, _)| test.contains(i));
        splits.insert("train".into(), kept.into_iter().map(|(_, v)| v).collect());
        splits.insert("test".into(), held.into_iter().map(|(_, v)| v).collect());
    }
    let name = dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Scene { name, splits, points: None, background: [1.0; 3] })
}

fn load_split(dir: &Path, json_path: &Path) -> Result<Vec<View>> {
    let meta = read_json(json_path)?;
    let angle_x = json_f64(&meta, "camera_angle_x", json_path)?;
    let angle_y = meta.get("camera_angle_y").and_then(|v| v.as_f64());
    let frames = meta
        .get("frames")
        .and_then(|f| f.as_array())
        .ok_or_else(|| Error::input(json_path, "missing \"frames\" array"))?;
    // An empty split file is a broken export, not a scene with nothing to test on.
    if frames.is_empty() {
        return Err(Error::input(json_path, "\"frames\" is empty"));
    }
    let mut paths = Vec::with_capacity(frames.len());
    let mut c2ws = Vec::with_capacity(frames.len());
    for (i, frame) in frames.iter().enumerate() {
        let file = frame
            .get("file_path")
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::input(json_path, format!("frame {i} has no \"file_path\"")))?;
        paths.push(image_path(dir, file));
        let m = frame
            .get("transform_matrix")
            .ok_or_else(|| Error::input(json_path, format!("frame {i} has no \"transform_matrix\"")))?;
        c2ws.push(json_mat4(m, &format!("frame {i} transform_matrix"), json_path)?);
    }
    let images = read_images(&paths)?;
    let mut views = Vec::with_capacity(frames.len());
    for ((path, c2w), image) in paths.iter().zip(c2ws).zip(images) {
        let (w, h) = (image.width as f64, image.height as f64);
        let fx = 0.5 * w / (0.5 * angle_x).tan();
        let fy = angle_y.map_or(fx, |a| 0.5 * h / (0.5 * a).tan());
        let camera = Camera::from_c2w_opengl(
            c2w,
            Intrinsics { width: image.width, height: image.height, fx, fy, cx: w / 2.0, cy: h / 2.0 },
        );
        let camera = check_c2w_last_row(&c2w, json_path)
            .and_then(|()| checked(camera, json_path))
            .map_err(|e| with_frame(e, path))?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        views.push(View { name, camera, image, mask: None, depth: None });
    }
    Ok(views)
}

/// Resolve a frame's `file_path`: relative to `dir`, `.png` appended when it has no extension.
pub(crate) fn image_path(dir: &Path, file: &str) -> PathBuf {
    let p = dir.join(file.trim_start_matches("./"));
    if p.extension().is_some() { p } else { p.with_extension("png") }
}

/// Say which frame a bad pose belongs to, keeping the JSON file as the path.
pub(crate) fn with_frame(e: Error, frame: &Path) -> Error {
    match e {
        Error::Input { path, msg } => Error::input(path, format!("{msg} (frame {})", frame.display())),
        other => other,
    }
}
