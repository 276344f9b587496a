//! The COLMAP sparse model as COLMAP itself stores it (cameras, images with 2-D keypoints, points with tracks),
//! with the cross-checks a loader owes its users: every id a record names must exist.

use splatbench_core::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// COLMAP camera models: (id, name, number of parameters), from `colmap/sensor/models.h`.
pub const CAMERA_MODELS: [(i32, &str, usize); 12] = [
    (0, "SIMPLE_PINHOLE", 3),
    (1, "PINHOLE", 4),
    (2, "SIMPLE_RADIAL", 4),
    (3, "RADIAL", 5),
    (4, "OPENCV", 8),
    (5, "OPENCV_FISHEYE", 8),
    (6, "FULL_OPENCV", 12),
    (7, "FOV", 5),
    (8, "SIMPLE_RADIAL_FISHEYE", 4),
    (9, "RADIAL_FISHEYE", 5),
    (10, "THIN_PRISM_FISHEYE", 12),
    (11, "RAD_TAN_THIN_PRISM_FISHEYE", 16),
];

pub fn model_by_id(id: i32) -> Option<(&'static str, usize)> {
    CAMERA_MODELS.iter().find(|m| m.0 == id).map(|m| (m.1, m.2))
}

pub fn model_by_name(name: &str) -> Option<(i32, usize)> {
    CAMERA_MODELS.iter().find(|m| m.1 == name).map(|m| (m.0, m.2))
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColmapCamera {
    pub id: u32,
    /// Model name as COLMAP spells it ("PINHOLE", "OPENCV", ...).
    pub model: String,
    pub width: u64,
    pub height: u64,
    /// Parameters in the model's order, e.g. PINHOLE: fx, fy, cx, cy; OPENCV: fx, fy, cx, cy, k1, k2, p1, p2.
    pub params: Vec<f64>,
}

/// One 2-D keypoint of an image and the 3-D point it observes, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Point2D {
    pub xy: [f64; 2],
    pub point3d_id: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColmapImage {
    pub id: u32,
    /// World-to-camera rotation as a quaternion (w, x, y, z).
    pub qvec: [f64; 4],
    /// World-to-camera translation.
    pub tvec: [f64; 3],
    pub camera_id: u32,
    /// Path relative to the images directory.
    pub name: String,
    pub points2d: Vec<Point2D>,
}

/// One observation of a 3-D point: image id and index into that image's `points2d`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrackElement {
    pub image_id: u32,
    pub point2d_idx: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColmapPoint {
    pub id: u64,
    pub xyz: [f64; 3],
    pub rgb: [u8; 3],
    /// Mean reprojection error in pixels.
    pub error: f64,
    pub track: Vec<TrackElement>,
}

/// A whole sparse model, keyed by id (sorted, so two models compare and print deterministically).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColmapModel {
    pub cameras: BTreeMap<u32, ColmapCamera>,
    pub images: BTreeMap<u32, ColmapImage>,
    pub points: BTreeMap<u64, ColmapPoint>,
}

impl ColmapModel {
    /// Every id a record names must exist: an image's camera, a keypoint's 3-D point, a track's image and
    /// keypoint index. `files` are (cameras, images, points3D) paths used to name the offending file.
    pub fn check_references(&self, files: [&Path; 3]) -> Result<()> {
        let [_, images_file, points_file] = files;
        for (id, cam) in &self.cameras {
            let (_, n) = model_by_name(&cam.model)
                .ok_or_else(|| Error::input(files[0], format!("camera {id}: unknown model {}", cam.model)))?;
            if cam.params.len() != n {
                return Err(Error::input(
                    files[0],
                    format!("camera {id}: {} takes {n} parameters, found {}", cam.model, cam.params.len()),
                ));
            }
        }
        for (id, img) in &self.images {
            if !self.cameras.contains_key(&img.camera_id) {
                return Err(Error::input(
                    images_file,
                    format!(
                        "image {id} ({}) names camera {} which is not in the cameras file",
                        img.name, img.camera_id
                    ),
                ));
            }
            for (k, p) in img.points2d.iter().enumerate() {
                if let Some(pid) = p.point3d_id {
                    if !self.points.contains_key(&pid) {
                        return Err(Error::input(
                            images_file,
                            format!("image {id} keypoint {k} names point3D {pid} which is not in points3D"),
                        ));
                    }
                }
            }
        }
        for (id, pt) in &self.points {
            for t in &pt.track {
                let img = self.images.get(&t.image_id).ok_or_else(|| {
                    Error::input(
                        points_file,
                        format!("point3D {id}: track names image {} which is not in the images file", t.image_id),
                    )
                })?;
                let kp = img.points2d.get(t.point2d_idx as usize).ok_or_else(|| {
                    Error::input(
                        points_file,
                        format!(
                            "point3D {id}: track names keypoint {} of image {} which has only {}",
                            t.point2d_idx,
                            t.image_id,
                            img.points2d.len()
                        ),
                    )
                })?;
                if kp.point3d_id != Some(*id) {
                    return Err(Error::input(
                        points_file,
                        format!(
                            "point3D {id}: keypoint {} of image {} observes {:?}, not this point",
                            t.point2d_idx, t.image_id, kp.point3d_id
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}
