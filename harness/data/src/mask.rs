//! Per-view masks (binary PNG) and depth maps (`.npy`), checked against the image they belong to.
//!
//! A mask or depth path that exists but is not a file (a directory, say) is an error, not "no mask": silently
//! training without the region of interest would change the method. A depth map with no finite value is an error
//! too: it carries no depth at all.

use splatbench_core::error::IoContext;
use splatbench_core::limits::check_image_size;
use splatbench_core::{DepthMap, Error, Mask, Result};
use splatbench_io::imageio::decode;
use splatbench_io::npy::read_npy_f32;
use std::path::Path;

/// Read a mask PNG as 0/1: a pixel is inside when its 8-bit grey value is > 127 (colour masks are converted to
/// luma first). The mask must be exactly `width` × `height`, the size of its image; a resized mask would
/// silently misalign the region of interest.
pub fn read_mask(path: &Path, width: u32, height: u32) -> Result<Mask> {
    require_file(path, "mask")?;
    let bytes = std::fs::read(path).at(path)?;
    let img = decode(path, &bytes, "mask")?;
    if (img.width(), img.height()) != (width, height) {
        return Err(Error::input(
            path,
            format!("mask is {}×{} but its image is {width}×{height}", img.width(), img.height()),
        ));
    }
    let data = img.to_luma8().into_raw().into_iter().map(|v| if v > 127 { 1.0 } else { 0.0 }).collect();
    Ok(Mask { width, height, data })
}

/// Read a 2-D float `.npy` depth map and bring it to `width` × `height` (bilinear, pixel-centre aligned) when its
/// size differs: monocular estimators often run at their own resolution.
pub fn read_depth(path: &Path, width: u32, height: u32) -> Result<DepthMap> {
    require_file(path, "depth map")?;
    let (shape, data) = read_npy_f32(path)?;
    let [h, w] = shape[..] else {
        return Err(Error::input(path, format!("depth must be a 2-D array, got shape {shape:?}")));
    };
    if h == 0 || w == 0 {
        return Err(Error::input(path, "depth map is empty"));
    }
    check_image_size(w as u64, h as u64).map_err(|msg| Error::input(path, format!("depth map: {msg}")))?;
    if !data.iter().any(|v| v.is_finite()) {
        return Err(Error::input(path, "depth map has no finite value"));
    }
    let src = DepthMap { width: w as u32, height: h as u32, data };
    Ok(if (src.width, src.height) == (width, height) { src } else { resize_bilinear(&src, width, height) })
}

/// `path` must be a file (a directory or other entry in its place is an error naming it).
fn require_file(path: &Path, what: &str) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(Error::input(path, format!("{what} path is not a file"))),
        _ => Ok(()),
    }
}

/// Whether an optional per-view file is there: `false` when nothing exists at `path`, `true` when something does
/// (the reader then refuses anything that is not a readable file of the right kind).
pub(crate) fn present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Bilinear resampling with the pixel-centre convention (PyTorch `align_corners=False`): output pixel centre
/// x + 0.5 maps to source coordinate (x + 0.5)·w_src/w_dst, clamped to the outermost source centres.
pub fn resize_bilinear(src: &DepthMap, width: u32, height: u32) -> DepthMap {
    let axis = |dst: u32, n_src: u32| -> Vec<(usize, usize, f32)> {
        let scale = n_src as f64 / dst as f64;
        (0..dst)
            .map(|x| {
                let s = ((x as f64 + 0.5) * scale - 0.5).clamp(0.0, (n_src - 1) as f64);
                let i0 = s.floor() as usize;
                let i1 = (i0 + 1).min(n_src as usize - 1);
                (i0, i1, (s - i0 as f64) as f32)
            })
            .collect()
    };
    let xs = axis(width, src.width);
    let ys = axis(height, src.height);
    let at = |x: usize, y: usize| src.data[y * src.width as usize + x];
    let mut data = Vec::with_capacity((width * height) as usize);
    for &(y0, y1, ty) in &ys {
        for &(x0, x1, tx) in &xs {
            let top = at(x0, y0) * (1.0 - tx) + at(x1, y0) * tx;
            let bottom = at(x0, y1) * (1.0 - tx) + at(x1, y1) * tx;
            data.push(top * (1.0 - ty) + bottom * ty);
        }
    }
    DepthMap { width, height, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bilinear_doubling_matches_align_corners_false() {
        // torch.nn.functional.interpolate([[0, 1], [2, 3]], size=4, mode="bilinear", align_corners=False)
        let src = DepthMap { width: 2, height: 2, data: vec![0.0, 1.0, 2.0, 3.0] };
        let out = resize_bilinear(&src, 4, 4);
        let row0 = [0.0, 0.25, 0.75, 1.0];
        for (i, want) in row0.iter().enumerate() {
            assert!((out.data[i] - want).abs() < 1e-6, "{:?}", out.data);
        }
        assert!((out.data[4 + 1] - (0.25 + 0.5)).abs() < 1e-6);
        assert!((out.data[15] - 3.0).abs() < 1e-6);
    }

    #[test]
    fn same_size_is_identity() {
        let src = DepthMap { width: 3, height: 2, data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0] };
        assert_eq!(resize_bilinear(&src, 3, 2), src);
    }
}
