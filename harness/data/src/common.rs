//! Small helpers every loader shares: checked cameras, JSON files, directory listings, parallel image reads.

use rayon::prelude::*;
use splatbench_core::error::IoContext;
use splatbench_core::limits::check_image_size;
use splatbench_core::{Camera, Error, Image, Result};
use splatbench_io::imageio::read_image;
use std::path::{Path, PathBuf};

/// Refuse a camera that fails [`Camera::validate`] or is larger than an image may be, naming the file its numbers came from.
pub(crate) fn checked(camera: Camera, source: &Path) -> Result<Camera> {
    if camera.world_to_camera.iter().flatten().any(|v| !v.is_finite()) {
        return Err(Error::input(source, "NaN or infinite value in pose"));
    }
    camera.validate().map_err(|msg| Error::input(source, format!("invalid camera: {msg}")))?;
    // Methods size their renders from the camera, so its size is bounded like an image's.
    check_image_size(camera.width.into(), camera.height.into())
        .map_err(|msg| Error::input(source, format!("camera: {msg}")))?;
    Ok(camera)
}

/// Parse a JSON file; syntax errors name the file (serde_json's message is a single line).
pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).at(path)?;
    serde_json::from_str(&text).map_err(|e| Error::input(path, format!("invalid JSON: {e}")))
}

/// The entries of `dir` whose extension is one of `exts` (case-insensitive), sorted by file name.
pub(crate) fn list_files(dir: &Path, exts: &[&str]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).at(dir)? {
        let path = entry.at(dir)?.path();
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        if path.is_file() && ext.is_some_and(|e| exts.contains(&e.as_str())) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Sorted sub-directories of `dir`.
pub(crate) fn list_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).at(dir)? {
        let path = entry.at(dir)?.path();
        if path.is_dir() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Decode many images on the rayon pool; the first error (in input order) wins.
pub(crate) fn read_images(paths: &[PathBuf]) -> Result<Vec<Image>> {
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if !m.is_file() => return Err(Error::input(p, "image path is not a file")),
            Ok(_) => {}
            Err(_) => return Err(Error::input(p, "image file is missing")),
        }
    }
    paths.par_iter().map(|p| read_image(p)).collect()
}

/// File name without its last extension, keeping any sub-directory: "cam1/img.jpg" → "cam1/img".
pub(crate) fn strip_extension(name: &str) -> String {
    let p = Path::new(name);
    match (p.parent(), p.file_stem()) {
        (Some(parent), Some(stem)) if !parent.as_os_str().is_empty() => {
            format!("{}/{}", parent.to_string_lossy(), stem.to_string_lossy())
        }
        (_, Some(stem)) => stem.to_string_lossy().into_owned(),
        _ => name.to_string(),
    }
}

/// A JSON number as f64, or an input error naming `file` and the key.
pub(crate) fn json_f64(v: &serde_json::Value, key: &str, file: &Path) -> Result<f64> {
    v.get(key)
        .ok_or_else(|| Error::input(file, format!("missing \"{key}\"")))?
        .as_f64()
        .ok_or_else(|| Error::input(file, format!("\"{key}\" is not a number")))
}

/// A 4×4 matrix given as nested JSON arrays.
pub(crate) fn json_mat4(v: &serde_json::Value, what: &str, file: &Path) -> Result<[[f64; 4]; 4]> {
    let bad = || Error::input(file, format!("{what} is not a 4×4 array of numbers"));
    let rows = v.as_array().filter(|r| r.len() == 4).ok_or_else(bad)?;
    let mut m = [[0.0; 4]; 4];
    for (i, row) in rows.iter().enumerate() {
        let row = row.as_array().filter(|r| r.len() == 4).ok_or_else(bad)?;
        for (j, x) in row.iter().enumerate() {
            // serde_json reads the literal NaN as an error, so a null here is how a NaN arrives from Python.
            m[i][j] = if x.is_null() { f64::NAN } else { x.as_f64().ok_or_else(bad)? };
        }
    }
    Ok(m)
}

/// A camera-to-world matrix must end in (0, 0, 0, 1); anything else is not a rigid pose (a projection matrix, or
/// the transpose of a pose).
pub(crate) fn check_c2w_last_row(m: &[[f64; 4]; 4], source: &Path) -> Result<()> {
    let last = m[3];
    if last.iter().any(|v| !v.is_finite()) {
        return Err(Error::input(source, "NaN or infinite value in pose"));
    }
    if (last[0].abs() + last[1].abs() + last[2].abs() + (last[3] - 1.0).abs()) > 1e-6 {
        return Err(Error::input(source, format!("pose's last row is {last:?}, not (0, 0, 0, 1)")));
    }
    Ok(())
}
