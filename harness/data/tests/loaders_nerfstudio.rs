//! nerfstudio loader and yaw/pitch cameras on head_james: splits, masks, raw poses, the two camera files
//! agreeing, and the face mesh projecting onto the alpha masks.

use splatbench_core::Camera;
use splatbench_data::{load_nerfstudio, load_scene, load_yaw_pitch_cameras};
use std::collections::HashMap;
use std::path::PathBuf;

fn dataset(rel: &str) -> PathBuf {
    splatbench_io::paths::shared_path(&format!("datasets/{rel}"))
        .unwrap_or_else(|e| panic!("this test needs the shared data: {e}"))
}

fn json(path: PathBuf) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn head_james_splits_sizes_masks_and_raw_pose() {
    let dir = dataset("head_james");
    let scene = load_scene(&dir).unwrap();
    let names = |s: &str| scene.split(s).iter().map(|v| v.name.clone()).collect::<Vec<_>>();
    assert_eq!(names("train"), ["yaw-45_pitch+00", "yaw-15_pitch+00", "yaw+15_pitch+00", "yaw+45_pitch+00"]);
    assert_eq!(names("test").len(), 9);
    assert!(names("test").contains(&"yaw+00_pitch-15".to_string()));
    assert_eq!(scene.background, [1.0; 3]);
    let meta = json(dir.join("transforms.json"));
    let frames: HashMap<String, &serde_json::Value> = meta["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file_path"].as_str().unwrap().trim_start_matches("images/").replace(".png", ""), f))
        .collect();
    for v in scene.splits.values().flatten() {
        assert_eq!((v.image.width, v.image.height, v.image.channels), (256, 256, 4));
        let c = &v.camera;
        assert!((c.fx - 477.70250336881634).abs() < 1e-12 && c.fx == c.fy);
        assert_eq!((c.cx, c.cy), (128.0, 128.0));
        let d = c.distortion.as_ref().expect("camera_model OPENCV is kept");
        assert_eq!((d.model.as_str(), d.params.clone()), ("OPENCV", vec![0.0; 4]));
        c.require_pinhole("test").expect("zero coefficients are a pinhole");
        // The soft mask is the alpha channel.
        let mask = v.mask.as_ref().unwrap();
        assert_eq!(mask, &v.image.alpha().unwrap());
        assert!(mask.data.contains(&0.0) && mask.data.contains(&1.0), "the head covers part of the image");
        let raw = &frames[&v.name]["transform_matrix"];
        let c2w = c.camera_to_world();
        for i in 0..4 {
            for j in 0..4 {
                let sign = if j == 1 || j == 2 { -1.0 } else { 1.0 };
                assert!((c2w[i][j] * sign - raw[i][j].as_f64().unwrap()).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn yaw_pitch_cameras_match_their_definition_and_transforms_json() {
    let dir = dataset("head_james");
    let cams = load_yaw_pitch_cameras(&dir.join("cameras_yaw_pitch.json")).unwrap();
    assert_eq!(cams.len(), 13);
    let scene = load_nerfstudio(&dir).unwrap();
    let by_name: HashMap<&str, &Camera> =
        scene.splits.values().flatten().map(|v| (v.name.as_str(), &v.camera)).collect();
    for c in &cams {
        assert!((c.distance - 3.0).abs() < 1e-9 && c.fov_deg == 30.0);
        assert_eq!((c.cx, c.cy, c.camera.width), (128.0, 128.0, 256));
        assert!((c.fx - 128.0 / (15f64.to_radians()).tan()).abs() < 1e-9, "fx from a 30° field of view");
        // world-to-camera = diag(1, −1, −1)·Rx(pitch)·Ry(yaw), then 3 units along +z.
        let (y, p) = (c.yaw_deg.to_radians(), c.pitch_deg.to_radians());
        let ry = [[y.cos(), 0.0, y.sin()], [0.0, 1.0, 0.0], [-y.sin(), 0.0, y.cos()]];
        let rx = [[1.0, 0.0, 0.0], [0.0, p.cos(), -p.sin()], [0.0, p.sin(), p.cos()]];
        let flip = [1.0, -1.0, -1.0];
        let ours = by_name[c.name.as_str()];
        for i in 0..3 {
            for j in 0..3 {
                let r: f64 = (0..3).map(|k| rx[i][k] * ry[k][j]).sum::<f64>() * flip[i];
                assert!((c.camera.world_to_camera[i][j] - r).abs() < 1e-9, "{} R[{i}][{j}]", c.name);
                assert!((ours.world_to_camera[i][j] - r).abs() < 1e-9, "transforms.json disagrees for {}", c.name);
            }
            let t = if i == 2 { 3.0 } else { 0.0 };
            assert!((ours.world_to_camera[i][3] - t).abs() < 1e-9);
        }
    }
}

#[test]
fn face_mesh_vertices_project_onto_the_alpha_mask() {
    // The mesh, normalised as cameras_yaw_pitch.json says, is what was rendered: every vertex must land on an
    // opaque pixel (1 px tolerance for the rim) of every view. Axis, flip or inversion errors fail here.
    let dir = dataset("head_james");
    let meta = json(dir.join("cameras_yaw_pitch.json"));
    let centre: Vec<f64> =
        meta["normalization"]["center"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let scale = meta["normalization"]["scale"].as_f64().unwrap();
    let obj = std::fs::read_to_string(dir.join("mesh/james.obj")).unwrap();
    let verts: Vec<[f64; 3]> = obj
        .lines()
        .filter_map(|l| l.strip_prefix("v "))
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().map(|t| t.parse().unwrap()).collect();
            std::array::from_fn(|k| (v[k] - centre[k]) / scale)
        })
        .collect();
    assert!(verts.len() > 5000);
    let scene = load_nerfstudio(&dir).unwrap();
    for v in scene.splits.values().flatten() {
        let mask = v.mask.as_ref().unwrap();
        let opaque_near = |x: f64, y: f64| {
            let (j, i) = (x.floor() as i64, y.floor() as i64);
            (-1..=1).any(|di| {
                (-1..=1).any(|dj| {
                    let (jj, ii) = (j + dj, i + di);
                    (0..256).contains(&jj) && (0..256).contains(&ii) && mask.data[(ii * 256 + jj) as usize] > 0.5
                })
            })
        };
        // The neck runs out of the frame, so only vertices that land inside the image are checked.
        let inside = |x: f64, y: f64| (1.0..255.0).contains(&x) && (1.0..255.0).contains(&y);
        let (mut seen, mut misses) = (0, 0);
        for &p in &verts {
            let (px, _) = v.camera.project(p);
            if inside(px[0], px[1]) {
                seen += 1;
                misses += !opaque_near(px[0], px[1]) as usize;
            }
        }
        assert!(seen > 4000, "{}: only {seen} vertices inside the image", v.name);
        assert!(misses <= 3, "{}: {misses} of {seen} vertices fall outside the silhouette", v.name);
    }
}
