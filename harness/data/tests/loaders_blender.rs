//! Blender loader on nerf_synthetic_lego, plus crafted scenes for the edge cases.

use splatbench_core::Image;
use splatbench_data::{load_blender, load_scene};
use splatbench_io::imageio::write_png;
use std::path::PathBuf;

fn dataset(rel: &str) -> PathBuf {
    splatbench_io::paths::shared_path(&format!("datasets/{rel}"))
        .unwrap_or_else(|e| panic!("this test needs the shared data: {e}"))
}

#[test]
fn lego_counts_sizes_and_raw_pose() {
    let dir = dataset("nerf_synthetic_lego");
    let scene = load_scene(&dir).unwrap();
    // Only transforms_train.json exists: every 8th frame by sorted name is held out as test, the COLMAP rule.
    assert_eq!(scene.splits.keys().collect::<Vec<_>>(), ["test", "train"]);
    assert_eq!(scene.background, [1.0; 3]);
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("transforms_train.json")).unwrap()).unwrap();
    let frames = meta["frames"].as_array().unwrap();
    let mut names: Vec<&str> =
        frames.iter().map(|f| f["file_path"].as_str().unwrap().trim_start_matches("./train/")).collect();
    names.sort();
    let mut test: Vec<&str> = scene.split("test").iter().map(|v| v.name.as_str()).collect();
    test.sort();
    assert_eq!(test, names.iter().step_by(8).copied().collect::<Vec<_>>());
    assert_eq!((scene.split("train").len(), test.len()), (87, 13));
    let angle = meta["camera_angle_x"].as_f64().unwrap();
    let focal = 200.0 / (angle / 2.0).tan();
    assert!((focal - 555.5555).abs() < 1e-3, "{focal}");
    for v in scene.split("train").iter().chain(scene.split("test")) {
        let frame = frames.iter().find(|f| f["file_path"] == format!("./train/{}", v.name).as_str()).unwrap();
        assert_eq!((v.image.width, v.image.height, v.image.channels), (400, 400, 4));
        let c = &v.camera;
        assert!((c.fx - focal).abs() < 1e-9 && (c.fy - focal).abs() < 1e-9);
        assert_eq!((c.cx, c.cy), (200.0, 200.0));
        // Back to OpenGL: c2w · diag(1, −1, −1, 1) must give the file's transform_matrix.
        let c2w = c.camera_to_world();
        let raw = &frame["transform_matrix"];
        for i in 0..4 {
            for j in 0..4 {
                let sign = if j == 1 || j == 2 { -1.0 } else { 1.0 };
                let want = raw[i][j].as_f64().unwrap();
                // The file's rotations are float32, orthonormal to ~1e-7, so inverting twice moves the 4-unit
                // translation by up to a few 1e-6.
                assert!((c2w[i][j] * sign - want).abs() < 2e-5, "{} [{i}][{j}]", v.name);
            }
        }
        // The model sits at the origin: it must be in front of every camera and inside its image.
        let (px, z) = c.project([0.0; 3]);
        assert!(z > 0.0 && (0.0..400.0).contains(&px[0]) && (0.0..400.0).contains(&px[1]), "{} {px:?}", v.name);
    }
}

#[test]
fn crafted_blender_scene_with_extensions_and_three_splits() {
    let dir = tempfile::tempdir().unwrap();
    let img = Image::from_fn(8, 6, 4, |x, _, c| if c == 3 { 1.0 } else { x as f32 / 8.0 });
    let pose = "[[1,0,0,0],[0,1,0,0],[0,0,1,4],[0,0,0,1]]";
    for split in ["train", "val", "test"] {
        write_png(&dir.path().join(format!("{split}_0.png")), &img).unwrap();
        let json = format!(
            r#"{{"camera_angle_x": 0.9, "frames": [{{"file_path": "{split}_0.png", "transform_matrix": {pose}}}]}}"#
        );
        std::fs::write(dir.path().join(format!("transforms_{split}.json")), json).unwrap();
    }
    let scene = load_blender(dir.path()).unwrap();
    assert_eq!(scene.splits.keys().collect::<Vec<_>>(), ["test", "train", "val"]);
    let c = &scene.split("val")[0].camera;
    assert_eq!((c.width, c.height, c.cx, c.cy), (8, 6, 4.0, 3.0));
    // OpenGL camera at z = 4 looking down −z sees the origin 4 units ahead.
    assert!((c.project([0.0; 3]).1 - 4.0).abs() < 1e-12);

    std::fs::write(dir.path().join("transforms_val.json"), r#"{"frames": []}"#).unwrap();
    let err = load_blender(dir.path()).unwrap_err().to_string();
    assert!(err.contains("transforms_val.json") && err.contains("camera_angle_x"), "{err}");
}
