//! A single image file as a scene, so 2D methods (splart) run through the same bench as 3D ones.
//!
//! The scene has one view, the image, in both the "train" and "test" splits, seen by an identity pinhole camera:
//! world-to-camera = I, fx = fy = max(W, H), cx = W/2, cy = H/2 (pixel (j, i)'s centre at (j + 0.5, i + 0.5), as
//! everywhere). Greyscale images become RGB; RGBA images are composited over white, the scene background.
//! A directory that holds no dataset but exactly one PNG/JPEG (the generator's `paint_toy/paint.png`) loads the same
//! way.

use splatbench_core::{Camera, Error, Intrinsics, Result, Scene, View};
use splatbench_io::imageio::read_image;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const WHITE: [f32; 3] = [1.0, 1.0, 1.0];

/// Whether `path` names an image file this loader reads (by extension).
pub fn is_image_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["png", "jpg", "jpeg"].contains(&e.to_ascii_lowercase().as_str()))
}

/// The only image file directly inside `dir`, if it holds exactly one.
pub fn single_image_in(dir: &Path) -> Option<PathBuf> {
    let mut images = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_image_file(p));
    let first = images.next()?;
    images.next().is_none().then_some(first)
}

/// The identity pinhole camera of a `width × height` image (see the module docs).
pub fn image_camera(width: u32, height: u32) -> Camera {
    let mut pose = [[0.0; 4]; 4];
    for (i, row) in pose.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    Camera::from_w2c(pose, Intrinsics::centred(width, height, width.max(height) as f64))
}

/// Loads the image at `path` as a one-view scene.
pub fn load_image_scene(path: &Path) -> Result<Scene> {
    if !path.is_file() {
        return Err(Error::input(path, "no such image file"));
    }
    let image = read_image(path)?.to_rgb_over(WHITE);
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("image").to_string();
    let view =
        View { name: name.clone(), camera: image_camera(image.width, image.height), image, mask: None, depth: None };
    let splits = BTreeMap::from([("train".to_string(), vec![view.clone()]), ("test".to_string(), vec![view])]);
    Ok(Scene { name, splits, points: None, background: WHITE })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_and_rgba_pngs_load_as_rgb_one_view_scenes_with_the_identity_camera() {
        let dir = tempfile::tempdir().unwrap();
        let grey = dir.path().join("g.png");
        image::save_buffer(&grey, &[0u8, 128, 255, 64, 32, 16], 3, 2, image::ExtendedColorType::L8).unwrap();
        let s = load_image_scene(&grey).unwrap();
        let v = &s.split("train")[0];
        assert_eq!(s.split("test").len(), 1);
        assert_eq!((v.image.channels, v.image.width, v.image.height), (3, 3, 2));
        assert_eq!(v.image.get(2, 0, 1), 1.0);
        assert_eq!((v.camera.fx, v.camera.fy, v.camera.cx, v.camera.cy), (3.0, 3.0, 1.5, 1.0));
        assert_eq!(v.camera.project([0.0, 0.0, 1.0]).0, [1.5, 1.0]);
        let rgba = dir.path().join("c.png");
        image::save_buffer(&rgba, &[255u8, 0, 0, 0, 0, 0, 255, 255], 2, 1, image::ExtendedColorType::Rgba8).unwrap();
        let v = load_image_scene(&rgba).unwrap().splits["train"][0].image.clone();
        assert_eq!(v.data, vec![1.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
        assert_eq!(single_image_in(dir.path()), None);
        // Through a dataset reference: the path of an image is a scene.
        let scenes = crate::reference::load(grey.to_str().unwrap()).unwrap();
        assert_eq!((scenes.len(), scenes[0].name.as_str()), (1, "g"));
        assert!(matches!(load_image_scene(&dir.path().join("missing.png")), Err(Error::Input { .. })));
    }
}
