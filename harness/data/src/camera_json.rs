//! A single camera as JSON (the fields of [`Camera`], pinhole only), the input of `splatbench render`.

use splatbench_core::error::IoContext;
use splatbench_core::limits::check_image_size;
use splatbench_core::{Camera, Error, Result};
use std::path::Path;

/// Read and check a camera file: valid intrinsics and pose, an image size within the limits (checked before a
/// rasterizer sizes its buffers from it: a typo'd width must not take the machine's memory), pinhole.
pub fn read_camera(path: &Path) -> Result<Camera> {
    let text = std::fs::read_to_string(path).at(path)?;
    let camera: Camera =
        serde_json::from_str(&text).map_err(|e| Error::input(path, format!("bad camera JSON: {e}")))?;
    camera.validate().map_err(|msg| Error::input(path, msg))?;
    check_image_size(camera.width.into(), camera.height.into()).map_err(|msg| Error::input(path, msg))?;
    camera.require_pinhole("splatbench render").map_err(|e| Error::input(path, e.to_string()))?;
    Ok(camera)
}
