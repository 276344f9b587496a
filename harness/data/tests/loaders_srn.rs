//! SRN loader on srn_cars_mini: counts, sizes, the raw pose and intrinsics, and the half-pixel shift.

use splatbench_data::{SrnIntrinsics, load_scene, load_srn, read_intrinsics, srn_camera};
use std::path::{Path, PathBuf};

fn dataset(rel: &str) -> PathBuf {
    splatbench_io::paths::shared_path(&format!("datasets/{rel}"))
        .unwrap_or_else(|e| panic!("this test needs the shared data: {e}"))
}

const TRAIN_OBJECT: &str = "cars_train/0d82fbd23af188f708eee85407d1e3e1";

#[test]
fn srn_cars_mini_counts_splits_and_sizes() {
    let scenes = load_srn(&dataset("srn_cars_mini")).unwrap();
    assert_eq!(scenes.len(), 11);
    let (train, test): (Vec<_>, Vec<_>) = scenes.iter().partition(|s| s.splits.contains_key("train"));
    assert_eq!((train.len(), test.len()), (8, 3));
    assert!(train.iter().all(|s| s.splits.len() == 1 && s.split("train").len() == 50));
    assert!(test.iter().all(|s| s.splits.len() == 1 && s.split("test").len() == 251));
    assert!(test.iter().any(|s| s.name == "ce546c3813634751c9d404c11a404543"));
    for s in &scenes {
        assert_eq!(s.background, [1.0; 3]);
        assert!(s.points.is_none());
        for (i, v) in s.splits.values().flatten().enumerate() {
            assert_eq!(v.name, format!("{i:06}"));
            assert_eq!((v.image.width, v.image.height, v.image.channels), (128, 128, 3));
            // Every camera sits at radius 1.3 looking at the origin, which lands on the principal point.
            let c = &v.camera;
            let r = c.center().iter().map(|x| x * x).sum::<f64>().sqrt();
            let (px, z) = c.project([0.0; 3]);
            assert!((r - 1.3).abs() < 1e-6 && (z - 1.3).abs() < 1e-6, "{} {}: r {r} z {z}", s.name, v.name);
            assert!((px[0] - c.cx).abs() < 1e-4 && (px[1] - c.cy).abs() < 1e-4, "{px:?}");
        }
    }
}

#[test]
fn srn_camera_matches_raw_pose_and_shifts_the_principal_point() {
    let dir = dataset("srn_cars_mini").join(TRAIN_OBJECT);
    let scene = load_scene(&dir).unwrap();
    let view = &scene.split("train")[7];
    let raw: Vec<f64> = std::fs::read_to_string(dir.join("pose/000007.txt"))
        .unwrap()
        .split_whitespace()
        .map(|t| t.parse().unwrap())
        .collect();
    let c2w = view.camera.camera_to_world();
    for i in 0..4 {
        for j in 0..4 {
            assert!((c2w[i][j] - raw[i * 4 + j]).abs() < 1e-9, "c2w[{i}][{j}]");
        }
    }
    // intrinsics.txt: "131.250000 64.000000 64.000000 0." — integer pixel centres; +0.5 to the project's.
    let intr = read_intrinsics(&dir.join("intrinsics.txt")).unwrap();
    assert_eq!(intr, SrnIntrinsics { focal: 131.25, cx: 64.0, cy: 64.0, size: Some((128, 128)) });
    let c = &view.camera;
    assert_eq!((c.fx, c.fy, c.cx, c.cy, c.width, c.height), (131.25, 131.25, 64.5, 64.5, 128, 128));
    // SRN's ray for pixel column u is (u − cx)/f; the same ray must leave our pixel centre u + 0.5.
    let u = 20.0;
    let srn_dir_x = (u - intr.cx) / intr.focal;
    let ours_dir_x = (u + 0.5 - c.cx) / c.fx;
    assert!((srn_dir_x - ours_dir_x).abs() < 1e-15);
}

#[test]
fn srn_intrinsics_for_another_resolution_are_scaled_about_the_pixel_grid() {
    // Stated for 256×256 with centre at integer pixel 128 (= 128.5 in half-pixel terms); image is 128×128.
    let intr = SrnIntrinsics { focal: 262.5, cx: 128.0, cy: 127.0, size: Some((256, 256)) };
    let cam = srn_camera(&intr, identity(), 128, 128);
    assert_eq!((cam.fx, cam.cx, cam.cy, cam.width), (131.25, 64.25, 63.75, 128));
    let none = SrnIntrinsics { size: None, ..intr };
    assert_eq!(srn_camera(&none, identity(), 128, 128).cx, 128.5);
}

#[test]
fn srn_object_under_cars_test_is_a_test_split_and_roots_need_load_srn() {
    let root = dataset("srn_cars_mini");
    let scene = load_scene(&root.join("cars_test/ce546c3813634751c9d404c11a404543")).unwrap();
    assert_eq!(scene.split("test").len(), 251);
    let err = load_scene(&root).unwrap_err().to_string();
    assert!(err.contains("load_srn"), "{err}");
    assert!(load_srn(Path::new("/nonexistent/srn")).is_err());
}

fn identity() -> [[f64; 4]; 4] {
    std::array::from_fn(|i| std::array::from_fn(|j| if i == j { 1.0 } else { 0.0 }))
}
