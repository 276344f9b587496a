//! nerfstudio scenes (`transforms.json`) and the head seed's `cameras_yaw_pitch.json`.
//!
//! `transforms.json`:
//! - Intrinsics `fl_x`, `fl_y`, `cx`, `cy`, `w`, `h` (and `camera_model` with `k1 k2 [k3 k4] p1 p2`) at the top
//!   level, overridden per frame. nerfstudio puts pixel (0, 0)'s centre at (0.5, 0.5) like the project, so cx, cy
//!   are taken unchanged; `fl_y` defaults to `fl_x`, `cx`/`cy` to the image centre, `w`/`h` to the image size.
//! - `transform_matrix` is **camera-to-world in OpenGL axes**; converted with c2w · diag(1, −1, −1, 1).
//! - Splits: `train_filenames` / `val_filenames` / `test_filenames` name frames by `file_path`; frames listed in
//!   none of them are left out, as nerfstudio does. Without those lists every frame is "train".
//! - Masks: a frame's `mask_path` (binary PNG) when given, else an RGBA image's alpha as a soft mask. Images keep
//!   their alpha; the background is white.
//!
//! `cameras_yaw_pitch.json` describes the same cameras as an object rotated by R = Rx(pitch)·Ry(yaw) and viewed
//! from +z at a fixed distance; see [`YawPitchCamera`].

use super::blender::{image_path, with_frame};
use super::common::{check_c2w_last_row, checked, json_f64, json_mat4, read_images, read_json};
use super::mask::read_mask;
use serde_json::Value;
use splatbench_core::camera::{matmul4, rigid_inverse};
use splatbench_core::{Camera, Distortion, Error, Intrinsics, Result, Scene, View};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Distortion coefficient names by nerfstudio camera model, in COLMAP's parameter order.
const DISTORTION_KEYS: [(&str, &[&str]); 2] =
    [("OPENCV", &["k1", "k2", "p1", "p2"]), ("OPENCV_FISHEYE", &["k1", "k2", "k3", "k4"])];

/// Load `dir/transforms.json` (see the module docs).
pub fn load_nerfstudio(dir: &Path) -> Result<Scene> {
    let json_path = dir.join("transforms.json");
    let meta = read_json(&json_path)?;
    let frames = meta
        .get("frames")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::input(&json_path, "missing \"frames\" array"))?;
    if frames.is_empty() {
        return Err(Error::input(&json_path, "\"frames\" is empty"));
    }
    let split_of = split_lists(&meta, frames, &json_path)?;

    let mut paths: Vec<PathBuf> = Vec::with_capacity(frames.len());
    for (i, f) in frames.iter().enumerate() {
        let file = f
            .get("file_path")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::input(&json_path, format!("frame {i} has no \"file_path\"")))?;
        paths.push(image_path(dir, file));
    }
    let images = read_images(&paths)?;

    let mut splits: BTreeMap<String, Vec<View>> = BTreeMap::new();
    for (i, ((frame, path), image)) in frames.iter().zip(&paths).zip(images).enumerate() {
        let Some(split) = split_of[i] else { continue };
        let camera =
            frame_camera(&meta, frame, image.width, image.height, &json_path).map_err(|e| with_frame(e, path))?;
        let mask = match frame.get("mask_path").and_then(Value::as_str) {
            Some(m) => Some(read_mask(&dir.join(m.trim_start_matches("./")), image.width, image.height)?),
            None => image.alpha(),
        };
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        splits.entry(split.to_string()).or_default().push(View { name, camera, image, mask, depth: None });
    }
    let name = dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Scene { name, splits, points: None, background: [1.0; 3] })
}

/// The split of each frame (None = listed in no split list), from `<split>_filenames`.
fn split_lists(meta: &Value, frames: &[Value], json_path: &Path) -> Result<Vec<Option<&'static str>>> {
    let norm = |s: &str| s.trim_start_matches("./").to_string();
    let frame_files: Vec<String> =
        frames.iter().map(|f| f.get("file_path").and_then(Value::as_str).map(norm).unwrap_or_default()).collect();
    let lists: Vec<(&'static str, &Vec<Value>)> = ["train", "val", "test"]
        .into_iter()
        .filter_map(|s| meta.get(format!("{s}_filenames")).and_then(Value::as_array).map(|l| (s, l)))
        .collect();
    if lists.is_empty() {
        return Ok(vec![Some("train"); frames.len()]);
    }
    let mut out = vec![None; frames.len()];
    for (split, list) in lists {
        for entry in list {
            let file = entry
                .as_str()
                .map(norm)
                .ok_or_else(|| Error::input(json_path, format!("{split}_filenames holds a non-string")))?;
            let i = frame_files.iter().position(|f| *f == file).ok_or_else(|| {
                Error::input(json_path, format!("{split}_filenames lists {file}, which is not a frame"))
            })?;
            if let Some(prev) = out[i].replace(split) {
                return Err(Error::input(json_path, format!("{file} is in both {prev} and {split} lists")));
            }
        }
    }
    Ok(out)
}

/// A frame's camera: per-frame intrinsics override the top-level ones.
fn frame_camera(meta: &Value, frame: &Value, width: u32, height: u32, json_path: &Path) -> Result<Camera> {
    let get = |key: &str| frame.get(key).or_else(|| meta.get(key));
    let num = |key: &str| -> Result<Option<f64>> {
        match get(key) {
            None => Ok(None),
            Some(v) => {
                v.as_f64().map(Some).ok_or_else(|| Error::input(json_path, format!("\"{key}\" is not a number")))
            }
        }
    };
    for (key, actual) in [("w", width), ("h", height)] {
        if let Some(stated) = num(key)? {
            if stated != actual as f64 {
                return Err(Error::input(json_path, format!("\"{key}\" is {stated} but the image has {actual}")));
            }
        }
    }
    let fx = num("fl_x")?.ok_or_else(|| Error::input(json_path, "missing \"fl_x\""))?;
    let fy = num("fl_y")?.unwrap_or(fx);
    let cx = num("cx")?.unwrap_or(width as f64 / 2.0);
    let cy = num("cy")?.unwrap_or(height as f64 / 2.0);
    let m =
        frame.get("transform_matrix").ok_or_else(|| Error::input(json_path, "frame has no \"transform_matrix\""))?;
    let c2w = json_mat4(m, "transform_matrix", json_path)?;
    check_c2w_last_row(&c2w, json_path)?;
    let mut camera = Camera::from_c2w_opengl(c2w, Intrinsics { width, height, fx, fy, cx, cy });
    if let Some(model) = get("camera_model").and_then(Value::as_str) {
        if let Some((_, keys)) = DISTORTION_KEYS.iter().find(|(m, _)| *m == model) {
            let params =
                keys.iter().map(|k| -> Result<f64> { Ok(num(*k)?.unwrap_or(0.0)) }).collect::<Result<Vec<f64>>>()?;
            camera.distortion = Some(Distortion { model: model.to_string(), params });
        } else if model != "PINHOLE" {
            return Err(Error::input(json_path, format!("camera_model {model} is not supported")));
        }
    }
    checked(camera, json_path)
}

/// One camera of `cameras_yaw_pitch.json`: the object is rotated by R = Rx(pitch)·Ry(yaw) and viewed from +z at
/// `distance`, so world-to-camera (OpenCV) = diag(1, −1, −1)·R with translation (0, 0, distance).
#[derive(Clone, Debug, PartialEq)]
pub struct YawPitchCamera {
    /// File stem, e.g. "yaw-45_pitch+00" (the view name nerfstudio's loader gives the same image).
    pub name: String,
    /// Image file name as the JSON gives it.
    pub file: String,
    pub yaw_deg: f64,
    pub pitch_deg: f64,
    /// Camera distance from the object centre (norm of the camera centre).
    pub distance: f64,
    /// Field of view the file states, in degrees.
    pub fov_deg: f64,
    /// Intrinsics in the project convention (`cx_pixelcenter_half`, `cy_pixelcenter_half`).
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
    /// The full camera, built from the file's `w2c_opencv`.
    pub camera: Camera,
}

/// Read `cameras_yaw_pitch.json`: `image_size`, `fov_deg`, `fx`, `fy`, `cx_pixelcenter_half`,
/// `cy_pixelcenter_half` (`cx_opencv` is the same point in integer-centre convention, = cx − 0.5) and `views[]` of
/// `{file, yaw_deg, pitch_deg, w2c_opencv, c2w_opencv}`. The two matrices must be inverses of each other.
pub fn load_yaw_pitch_cameras(path: &Path) -> Result<Vec<YawPitchCamera>> {
    let meta = read_json(path)?;
    let size = json_f64(&meta, "image_size", path)?;
    if !(size >= 1.0 && size.fract() == 0.0 && size <= u32::MAX as f64) {
        return Err(Error::input(path, format!("image_size {size} is not a positive integer")));
    }
    let size = size as u32;
    let fov_deg = json_f64(&meta, "fov_deg", path)?;
    let fx = json_f64(&meta, "fx", path)?;
    let fy = json_f64(&meta, "fy", path)?;
    let cx = json_f64(&meta, "cx_pixelcenter_half", path)?;
    let cy = json_f64(&meta, "cy_pixelcenter_half", path)?;
    let views = meta.get("views").and_then(Value::as_array).ok_or_else(|| Error::input(path, "missing \"views\""))?;
    let mut out = Vec::with_capacity(views.len());
    for (i, v) in views.iter().enumerate() {
        let file = v
            .get("file")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::input(path, format!("view {i} has no \"file\"")))?
            .to_string();
        let w2c = json_mat4(v.get("w2c_opencv").unwrap_or(&Value::Null), &format!("{file} w2c_opencv"), path)?;
        let c2w = json_mat4(v.get("c2w_opencv").unwrap_or(&Value::Null), &format!("{file} c2w_opencv"), path)?;
        check_c2w_last_row(&c2w, path)?;
        let product = matmul4(&w2c, &c2w);
        let off_identity = (0..4)
            .flat_map(|r| (0..4).map(move |c| (r, c)))
            .map(|(r, c)| (product[r][c] - if r == c { 1.0 } else { 0.0 }).abs())
            .fold(0.0, f64::max);
        if !(off_identity < 1e-6) {
            return Err(Error::input(path, format!("{file}: w2c_opencv and c2w_opencv are not inverses")));
        }
        let camera = Camera::from_c2w_opencv(c2w, Intrinsics { width: size, height: size, fx, fy, cx, cy });
        let camera = Camera { world_to_camera: w2c, ..camera };
        let camera = checked(camera, path)?;
        let centre = rigid_inverse(&w2c);
        let distance = (0..3).map(|k| centre[k][3] * centre[k][3]).sum::<f64>().sqrt();
        let name = Path::new(&file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        out.push(YawPitchCamera {
            name,
            yaw_deg: json_f64(v, "yaw_deg", path)?,
            pitch_deg: json_f64(v, "pitch_deg", path)?,
            file,
            distance,
            fov_deg,
            fx,
            fy,
            cx,
            cy,
            camera,
        });
    }
    Ok(out)
}
