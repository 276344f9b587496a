//! COLMAP scenes: `sparse/0/{cameras,images,points3D}.{bin,txt}` (or those files directly) plus `images/`.
//!
//! Conventions: COLMAP stores **world-to-camera** poses as a quaternion (w, x, y, z) and a translation, in
//! OpenCV axes, and puts pixel (0, 0)'s centre at (0.5, 0.5): exactly the project convention, so poses and
//! intrinsics are taken unchanged. Intrinsics by model: SIMPLE_PINHOLE (f, cx, cy), PINHOLE (fx, fy, cx, cy),
//! SIMPLE_RADIAL (f, cx, cy, k), RADIAL (f, cx, cy, k1, k2), OPENCV (fx, fy, cx, cy, k1, k2, p1, p2); the
//! distortion coefficients are kept in [`Distortion`] for methods to accept or refuse.
//!
//! Per-view extras (all optional): `pure_masks/<stem>.png` (or `.jpg`/`.jpeg`; binary mask, threshold 127) and
//! `depth_pro/<stem>.npy` (float z-depth, resampled bilinearly to the image size when needed).
//!
//! Splits: a `test.txt` next to `images/` lists test image names one per line (the rest are "train");
//! without it every 8th image by sorted name (index % 8 == 0) is "test", the 3DGS / Mip-NeRF 360 convention
//! ([`crate::split::held_out`], shared with the Blender loader).

mod binary;
mod model;
mod text;

pub use binary::{read_cameras_bin, read_images_bin, read_points_bin, write_colmap_binary};
pub use model::{CAMERA_MODELS, ColmapCamera, ColmapImage, ColmapModel, ColmapPoint, Point2D, TrackElement};
pub use text::{read_cameras_txt, read_images_txt, read_points_txt, write_colmap_text};

use super::common::{checked, read_images, strip_extension};
use super::mask::{present, read_depth, read_mask};
use splatbench_core::error::IoContext;
use splatbench_core::{Camera, Distortion, Error, Intrinsics, PointCloud, Result, Scene, View};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Mask file extensions, in the order they are looked for.
const MASK_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// The directory holding the model files: `dir/sparse/0`, `dir/sparse`, or `dir` itself.
pub fn find_model_dir(dir: &Path) -> Option<PathBuf> {
    [dir.join("sparse").join("0"), dir.join("sparse"), dir.to_path_buf()].into_iter().find(|d| has_model(d))
}

fn has_model(d: &Path) -> bool {
    d.join("cameras.bin").is_file() || d.join("cameras.txt").is_file()
}

/// Read a sparse model from a model directory (or a scene directory with `sparse/0`), binary when
/// `cameras.bin` exists, text otherwise, and check that every id it names exists.
pub fn read_colmap_model(dir: &Path) -> Result<ColmapModel> {
    let model_dir = find_model_dir(dir)
        .ok_or_else(|| Error::input(dir, "no COLMAP model: expected cameras.bin or cameras.txt (or sparse/0/)"))?;
    let binary = model_dir.join("cameras.bin").is_file();
    let ext = if binary { "bin" } else { "txt" };
    let files = ["cameras", "images", "points3D"].map(|f| model_dir.join(format!("{f}.{ext}")));
    for f in &files {
        if !f.is_file() {
            return Err(Error::input(f, "COLMAP model file is missing"));
        }
    }
    let model = if binary {
        ColmapModel {
            cameras: read_cameras_bin(&files[0])?,
            images: read_images_bin(&files[1])?,
            points: read_points_bin(&files[2])?,
        }
    } else {
        ColmapModel {
            cameras: read_cameras_txt(&files[0])?,
            images: read_images_txt(&files[1])?,
            points: read_points_txt(&files[2])?,
        }
    };
    model.check_references([&files[0], &files[1], &files[2]])?;
    Ok(model)
}

/// The project camera for a COLMAP camera and image pose (conventions agree; see the module docs).
pub fn colmap_camera(cam: &ColmapCamera, image: &ColmapImage) -> std::result::Result<Camera, String> {
    let p = &cam.params;
    let (fx, fy, cx, cy, dist) = match cam.model.as_str() {
        "SIMPLE_PINHOLE" => (p[0], p[0], p[1], p[2], None),
        "PINHOLE" => (p[0], p[1], p[2], p[3], None),
        "SIMPLE_RADIAL" | "RADIAL" => (p[0], p[0], p[1], p[2], Some(p[3..].to_vec())),
        "OPENCV" => (p[0], p[1], p[2], p[3], Some(p[4..].to_vec())),
        other => return Err(format!("camera model {other} is not supported (use a pinhole, radial or OPENCV model)")),
    };
    let (w, h) = (u32::try_from(cam.width), u32::try_from(cam.height));
    let (Ok(w), Ok(h)) = (w, h) else { return Err(format!("camera size {}×{} is too large", cam.width, cam.height)) };
    let mut camera = Camera::from_colmap(image.qvec, image.tvec, Intrinsics { width: w, height: h, fx, fy, cx, cy });
    camera.distortion = dist.map(|params| Distortion { model: cam.model.clone(), params });
    Ok(camera)
}

/// Load a COLMAP scene (see the module docs). `dir` is the scene directory (with `images/` and `sparse/`), or
/// the model directory itself when `images/` sits one or two levels up.
pub fn load_colmap(dir: &Path) -> Result<Scene> {
    if !dir.is_dir() {
        return Err(Error::input(dir, "no such directory"));
    }
    let model = read_colmap_model(dir)?;
    let model_dir = find_model_dir(dir).expect("read_colmap_model found it");
    let root = scene_root(dir, &model_dir)?;
    let images_dir = root.join("images");

    let ordered: Vec<&ColmapImage> = {
        let mut v: Vec<_> = model.images.values().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    };
    let test = test_names(&root, &ordered)?;
    let paths: Vec<PathBuf> = ordered.iter().map(|im| images_dir.join(&im.name)).collect();
    let pixels = read_images(&paths)?;

    let mut splits: BTreeMap<String, Vec<View>> = BTreeMap::new();
    let model_file = model_dir.join(if model_dir.join("images.bin").is_file() { "images.bin" } else { "images.txt" });
    for ((im, path), image) in ordered.iter().zip(&paths).zip(pixels) {
        let cam = &model.cameras[&im.camera_id];
        let camera =
            colmap_camera(cam, im).map_err(|m| Error::input(&model_file, format!("image {}: {m}", im.name)))?;
        let camera = checked(camera, &model_file)?;
        if (image.width, image.height) != (camera.width, camera.height) {
            return Err(Error::input(
                path,
                format!(
                    "image is {}×{} but COLMAP camera {} is {}×{} (resize the model or the image)",
                    image.width, image.height, im.camera_id, camera.width, camera.height
                ),
            ));
        }
        let stem = strip_extension(&im.name);
        // Masks come as PNG or JPEG (the ROI write-up uses both); the first that exists, PNG first.
        let mask_path =
            MASK_EXTENSIONS.iter().map(|e| root.join("pure_masks").join(format!("{stem}.{e}"))).find(|p| present(p));
        let mask = mask_path.map(|p| read_mask(&p, image.width, image.height)).transpose()?;
        let depth_path = root.join("depth_pro").join(format!("{stem}.npy"));
        let depth = present(&depth_path).then(|| read_depth(&depth_path, image.width, image.height)).transpose()?;
        let split = if test.contains(im.name.as_str()) { "test" } else { "train" };
        splits.entry(split.to_string()).or_default().push(View { name: stem, camera, image, mask, depth });
    }

    let points = PointCloud {
        positions: model.points.values().map(|p| p.xyz).collect(),
        colors: model.points.values().map(|p| p.rgb.map(|c| c as f32 / 255.0)).collect(),
    };
    let name = root.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    // Photographs have no background of their own; black is what a renderer shows where nothing was fitted.
    Ok(Scene { name, splits, points: Some(points), background: [0.0; 3] })
}

/// The directory holding `images/`: the given one, or the first parent of the model directory that has it.
fn scene_root(dir: &Path, model_dir: &Path) -> Result<PathBuf> {
    let candidates = [Some(dir), model_dir.parent(), model_dir.parent().and_then(Path::parent)];
    candidates
        .into_iter()
        .flatten()
        .find(|d| d.join("images").is_dir())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::input(dir.join("images"), "images directory is missing"))
}

/// The scene's `test.txt`, when it has one.
pub(crate) fn test_list(dir: &Path) -> Option<PathBuf> {
    let root = scene_root(dir, &find_model_dir(dir)?).ok()?;
    Some(root.join("test.txt")).filter(|p| p.is_file())
}

/// Names of the test images: those listed in `test.txt`, or every 8th by sorted name.
fn test_names<'a>(root: &Path, ordered: &[&'a ColmapImage]) -> Result<BTreeSet<&'a str>> {
    let list = root.join("test.txt");
    if !list.is_file() {
        let names: Vec<&str> = ordered.iter().map(|im| im.name.as_str()).collect();
        return Ok(crate::split::held_out(&names).into_iter().map(|i| names[i]).collect());
    }
    let text = std::fs::read_to_string(&list).at(&list)?;
    let mut out = BTreeSet::new();
    for name in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let im = ordered
            .iter()
            .find(|im| im.name == name)
            .ok_or_else(|| Error::input(&list, format!("lists {name}, which is not an image of the model")))?;
        out.insert(im.name.as_str());
    }
    Ok(out)
}
