//! COLMAP's binary model files (`cameras.bin`, `images.bin`, `points3D.bin`), little-endian, as written by
//! `colmap/scene/reconstruction_io.cc`:
//!
//! - cameras: u64 count; per camera u32 id, i32 model id, u64 width, u64 height, f64 params[n(model)].
//! - images: u64 count; per image u32 id, f64 qvec[4] (w, x, y, z), f64 tvec[3], u32 camera id, NUL-terminated
//!   name, u64 n, then n × (f64 x, f64 y, u64 point3D id; u64::MAX = none).
//! - points3D: u64 count; per point u64 id, f64 xyz[3], u8 rgb[3], f64 error, u64 track length, then
//!   track length × (u32 image id, u32 keypoint index).
//!
//! Newer COLMAP also writes `rigs.bin` and `frames.bin`; a single-camera-per-image model does not need them, so
//! they are ignored. Every read is bounds-checked: a short file is an input error naming it, never a panic, and
//! counts are checked against the bytes left before anything is allocated.

use super::model::{
    ColmapCamera, ColmapImage, ColmapModel, ColmapPoint, Point2D, TrackElement, model_by_id, model_by_name,
};
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use std::collections::BTreeMap;
use std::path::Path;

/// COLMAP's "no 3-D point" marker for a keypoint.
const INVALID_POINT3D: u64 = u64::MAX;

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| {
            Error::input(
                self.path,
                format!("truncated: {what} needs {n} bytes at offset {}, file has {}", self.pos, self.bytes.len()),
            )
        })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn u8(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().expect("4 bytes")))
    }
    fn i32(&mut self, what: &str) -> Result<i32> {
        Ok(i32::from_le_bytes(self.take(4, what)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().expect("8 bytes")))
    }
    fn f64(&mut self, what: &str) -> Result<f64> {
        Ok(f64::from_le_bytes(self.take(8, what)?.try_into().expect("8 bytes")))
    }
    fn f64s<const N: usize>(&mut self, what: &str) -> Result<[f64; N]> {
        let mut out = [0.0; N];
        for v in &mut out {
            *v = self.f64(what)?;
        }
        Ok(out)
    }
    /// A record count, refused when `count × min_record` exceeds the bytes left (a corrupt count would
    /// otherwise ask for terabytes).
    fn count(&mut self, min_record: usize, what: &str) -> Result<usize> {
        let n = self.u64(what)?;
        let left = (self.bytes.len() - self.pos) as u128;
        if n as u128 * min_record as u128 > left {
            return Err(Error::input(
                self.path,
                format!("truncated: {what} says {n} records of ≥ {min_record} bytes but only {left} bytes remain"),
            ));
        }
        Ok(n as usize)
    }
    fn cstring(&mut self, what: &str) -> Result<String> {
        let rest = &self.bytes[self.pos..];
        let len = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| Error::input(self.path, format!("truncated: {what} has no terminating NUL")))?;
        let s = String::from_utf8(rest[..len].to_vec())
            .map_err(|_| Error::input(self.path, format!("{what} is not UTF-8")))?;
        self.pos += len + 1;
        Ok(s)
    }
    fn finish(&self) -> Result<()> {
        if self.pos != self.bytes.len() {
            return Err(Error::input(
                self.path,
                format!("{} unexpected bytes after the last record (counts disagree)", self.bytes.len() - self.pos),
            ));
        }
        Ok(())
    }
}

pub fn read_cameras_bin(path: &Path) -> Result<BTreeMap<u32, ColmapCamera>> {
    let bytes = std::fs::read(path).at(path)?;
    let mut r = Reader { bytes: &bytes, pos: 0, path };
    let n = r.count(24, "camera count")?;
    let mut out = BTreeMap::new();
    for _ in 0..n {
        let id = r.u32("camera id")?;
        let model_id = r.i32("camera model")?;
        let (model, n_params) = model_by_id(model_id)
            .ok_or_else(|| Error::input(path, format!("camera {id}: unknown model id {model_id}")))?;
        let width = r.u64("camera width")?;
        let height = r.u64("camera height")?;
        let params: Vec<f64> = (0..n_params).map(|_| r.f64("camera params")).collect::<Result<_>>()?;
        // Blamed here, on the file that holds it, rather than on the first image that uses the camera.
        if params.iter().any(|p| !p.is_finite()) {
            return Err(Error::input(path, format!("camera {id} has a NaN or infinite parameter")));
        }
        if out.insert(id, ColmapCamera { id, model: model.to_string(), width, height, params }).is_some() {
            return Err(Error::input(path, format!("camera id {id} appears twice")));
        }
    }
    r.finish()?;
    Ok(out)
}

pub fn read_images_bin(path: &Path) -> Result<BTreeMap<u32, ColmapImage>> {
    let bytes = std::fs::read(path).at(path)?;
    let mut r = Reader { bytes: &bytes, pos: 0, path };
    let n = r.count(4 + 56 + 4 + 1 + 8, "image count")?;
    let mut out = BTreeMap::new();
    for _ in 0..n {
        let id = r.u32("image id")?;
        let qvec = r.f64s::<4>("image qvec")?;
        let tvec = r.f64s::<3>("image tvec")?;
        let camera_id = r.u32("image camera id")?;
        let name = r.cstring("image name")?;
        let n_pts = r.count(24, "keypoint count")?;
        let mut points2d = Vec::with_capacity(n_pts);
        for _ in 0..n_pts {
            let xy = r.f64s::<2>("keypoint")?;
            let pid = r.u64("keypoint point3D id")?;
            points2d.push(Point2D { xy, point3d_id: (pid != INVALID_POINT3D).then_some(pid) });
        }
        if out.insert(id, ColmapImage { id, qvec, tvec, camera_id, name, points2d }).is_some() {
            return Err(Error::input(path, format!("image id {id} appears twice")));
        }
    }
    r.finish()?;
    Ok(out)
}

pub fn read_points_bin(path: &Path) -> Result<BTreeMap<u64, ColmapPoint>> {
    let bytes = std::fs::read(path).at(path)?;
    let mut r = Reader { bytes: &bytes, pos: 0, path };
    let n = r.count(8 + 24 + 3 + 8 + 8, "point count")?;
    let mut out = BTreeMap::new();
    for _ in 0..n {
        let id = r.u64("point id")?;
        let xyz = r.f64s::<3>("point xyz")?;
        let rgb = [r.u8("point rgb")?, r.u8("point rgb")?, r.u8("point rgb")?];
        let error = r.f64("point error")?;
        let len = r.count(8, "track length")?;
        let mut track = Vec::with_capacity(len);
        for _ in 0..len {
            track.push(TrackElement { image_id: r.u32("track image id")?, point2d_idx: r.u32("track keypoint")? });
        }
        if out.insert(id, ColmapPoint { id, xyz, rgb, error, track }).is_some() {
            return Err(Error::input(path, format!("point3D id {id} appears twice")));
        }
    }
    r.finish()?;
    Ok(out)
}

/// Write `cameras.bin`, `images.bin` and `points3D.bin` into `dir` (created if needed).
pub fn write_colmap_binary(model: &ColmapModel, dir: &Path) -> Result<()> {
    let mut cams = Vec::new();
    cams.extend((model.cameras.len() as u64).to_le_bytes());
    for c in model.cameras.values() {
        let (model_id, n) = model_by_name(&c.model)
            .ok_or_else(|| Error::bug(format!("writing COLMAP camera {}: unknown model {}", c.id, c.model)))?;
        if c.params.len() != n {
            return Err(Error::bug(format!("writing COLMAP camera {}: {} needs {n} params", c.id, c.model)));
        }
        cams.extend(c.id.to_le_bytes());
        cams.extend(model_id.to_le_bytes());
        cams.extend(c.width.to_le_bytes());
        cams.extend(c.height.to_le_bytes());
        c.params.iter().for_each(|p| cams.extend(p.to_le_bytes()));
    }
    let mut imgs = Vec::new();
    imgs.extend((model.images.len() as u64).to_le_bytes());
    for im in model.images.values() {
        imgs.extend(im.id.to_le_bytes());
        im.qvec.iter().chain(&im.tvec).for_each(|v| imgs.extend(v.to_le_bytes()));
        imgs.extend(im.camera_id.to_le_bytes());
        imgs.extend(im.name.as_bytes());
        imgs.push(0);
        imgs.extend((im.points2d.len() as u64).to_le_bytes());
        for p in &im.points2d {
            imgs.extend(p.xy[0].to_le_bytes());
            imgs.extend(p.xy[1].to_le_bytes());
            imgs.extend(p.point3d_id.unwrap_or(INVALID_POINT3D).to_le_bytes());
        }
    }
    let mut pts = Vec::new();
    pts.extend((model.points.len() as u64).to_le_bytes());
    for p in model.points.values() {
        pts.extend(p.id.to_le_bytes());
        p.xyz.iter().for_each(|v| pts.extend(v.to_le_bytes()));
        pts.extend(p.rgb);
        pts.extend(p.error.to_le_bytes());
        pts.extend((p.track.len() as u64).to_le_bytes());
        for t in &p.track {
            pts.extend(t.image_id.to_le_bytes());
            pts.extend(t.point2d_idx.to_le_bytes());
        }
    }
    for (name, bytes) in [("cameras.bin", cams), ("images.bin", imgs), ("points3D.bin", pts)] {
        write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(())
}
