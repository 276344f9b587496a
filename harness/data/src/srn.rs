//! SRN (Scene Representation Networks) datasets: `cars_{train,val,test}/<object>/{rgb/*.png, pose/*.txt,
//! intrinsics.txt}`.
//!
//! - `pose/NNNNNN.txt`: 16 numbers, a row-major 4×4 **camera-to-world** matrix in OpenCV axes.
//! - `intrinsics.txt` (SRN `parse_intrinsics`): line 1 `f cx cy 0.`; line 2 the grid barycentre (3 numbers);
//!   line 3 the scale; line 4 (optional) `height width`, the resolution the intrinsics are given for.
//! - **Pixel centres.** SRN/pixelNeRF generate rays through integer pixel coordinates (`arange(W) - cx`), so
//!   pixel (j, i)'s centre sits at (j, i). The project puts it at (j + 0.5, i + 0.5), so the loader adds 0.5 to
//!   cx and cy: the optical axis keeps passing through the same physical point of the image. Intrinsics given
//!   for another resolution are then scaled about the pixel grid to the PNG's size.
//! - The images are RGB on a white background.

use super::common::{check_c2w_last_row, checked, list_dirs, list_files, read_images};
use splatbench_core::error::IoContext;
use splatbench_core::{Camera, Error, Intrinsics, Result, Scene, View};
use std::collections::BTreeMap;
use std::path::Path;

/// The splits of an SRN root, in the order their objects are returned.
const SPLIT_DIRS: [(&str, &str); 3] = [("cars_train", "train"), ("cars_val", "val"), ("cars_test", "test")];

/// Intrinsics as `intrinsics.txt` states them (integer pixel-centre convention).
#[derive(Clone, Debug, PartialEq)]
pub struct SrnIntrinsics {
    pub focal: f64,
    pub cx: f64,
    pub cy: f64,
    /// (height, width) from the optional fourth line.
    pub size: Option<(u32, u32)>,
}

/// Every object of an SRN root (`cars_train/` → split "train", `cars_val/` → "val", `cars_test/` → "test"), one
/// [`Scene`] per object, train objects first.
pub fn load_srn(root: &Path) -> Result<Vec<Scene>> {
    let mut scenes = Vec::new();
    let mut found = false;
    for (dir, split) in SPLIT_DIRS {
        let split_dir = root.join(dir);
        if !split_dir.is_dir() {
            continue;
        }
        found = true;
        for object in list_dirs(&split_dir)? {
            scenes.push(load_srn_object(&object, split)?);
        }
    }
    if !found {
        return Err(Error::input(root, "not an SRN root: no cars_train/, cars_val/ or cars_test/ directory"));
    }
    Ok(scenes)
}

/// One SRN object directory as a scene whose views all go to `split`.
pub fn load_srn_object(dir: &Path, split: &str) -> Result<Scene> {
    let intrinsics_path = dir.join("intrinsics.txt");
    let intr = read_intrinsics(&intrinsics_path)?;
    let rgb = list_files(&dir.join("rgb"), &["png", "jpg", "jpeg"])?;
    if rgb.is_empty() {
        return Err(Error::input(dir.join("rgb"), "no images"));
    }
    let images = read_images(&rgb)?;
    let mut views = Vec::with_capacity(rgb.len());
    for (path, image) in rgb.iter().zip(images) {
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let pose_path = dir.join("pose").join(format!("{stem}.txt"));
        if !pose_path.is_file() {
            return Err(Error::input(&pose_path, format!("pose file is missing for image {}", path.display())));
        }
        let c2w = read_pose(&pose_path)?;
        check_c2w_last_row(&c2w, &pose_path)?;
        let camera = srn_camera(&intr, c2w, image.width, image.height);
        let camera = checked(camera, &pose_path)?;
        views.push(View { name: stem, camera, image, mask: None, depth: None });
    }
    let name = dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Scene { name, splits: BTreeMap::from([(split.to_string(), views)]), points: None, background: [1.0; 3] })
}

/// The project camera for an SRN pose: +0.5 on the principal point (integer → half-pixel centres), then scaled
/// from the intrinsics' stated resolution to the image's.
pub fn srn_camera(intr: &SrnIntrinsics, c2w: [[f64; 4]; 4], width: u32, height: u32) -> Camera {
    let (h0, w0) = intr.size.unwrap_or((height, width));
    let cam = Camera::from_c2w_opencv(
        c2w,
        Intrinsics { width: w0, height: h0, fx: intr.focal, fy: intr.focal, cx: intr.cx + 0.5, cy: intr.cy + 0.5 },
    );
    if (w0, h0) == (width, height) { cam } else { cam.scaled_to(width, height) }
}

/// Parse `intrinsics.txt` (see the module docs).
pub fn read_intrinsics(path: &Path) -> Result<SrnIntrinsics> {
    let text = std::fs::read_to_string(path).at(path)?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let nums = |line: Option<&str>, what: &str| -> Result<Vec<f64>> {
        let line = line.ok_or_else(|| Error::input(path, format!("missing {what} line")))?;
        line.split_whitespace()
            .map(|t| t.parse::<f64>().map_err(|_| Error::input(path, format!("{what}: '{t}' is not a number"))))
            .collect()
    };
    let first = nums(lines.next(), "focal/centre")?;
    if first.len() < 3 {
        return Err(Error::input(path, "first line must be `f cx cy [0.]`"));
    }
    // Grid barycentre and scale are SRN's world normalisation; cameras here need neither, but they must parse.
    nums(lines.next(), "grid barycentre")?;
    nums(lines.next(), "scale")?;
    let size = match lines.next() {
        None => None,
        Some(l) => match nums(Some(l), "height width")?[..] {
            [h, w] if h >= 1.0 && w >= 1.0 && h.fract() == 0.0 && w.fract() == 0.0 => Some((h as u32, w as u32)),
            _ => return Err(Error::input(path, "fourth line must be `height width` (positive integers)")),
        },
    };
    let [focal, cx, cy] = [first[0], first[1], first[2]];
    if !(focal.is_finite() && focal > 0.0 && cx.is_finite() && cy.is_finite()) {
        return Err(Error::input(path, format!("bad intrinsics f={focal} cx={cx} cy={cy}")));
    }
    Ok(SrnIntrinsics { focal, cx, cy, size })
}

/// A pose file: exactly 16 numbers, row-major.
pub fn read_pose(path: &Path) -> Result<[[f64; 4]; 4]> {
    let text = std::fs::read_to_string(path).at(path)?;
    let nums: Vec<f64> = text
        .split_whitespace()
        .map(|t| t.parse::<f64>().map_err(|_| Error::input(path, format!("'{t}' is not a number"))))
        .collect::<Result<_>>()?;
    if nums.len() != 16 {
        return Err(Error::input(path, format!("pose must hold 16 numbers (a 4×4 matrix), found {}", nums.len())));
    }
    Ok(std::array::from_fn(|i| std::array::from_fn(|j| nums[i * 4 + j])))
}
