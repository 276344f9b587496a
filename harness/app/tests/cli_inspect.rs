//! `splatbench inspect` end to end: a real dataset in text and JSON, and bad inputs crafted in a tempdir, each of
//! which must exit with code 2 and one stderr line naming the offending file.

use splatbench_core::Image;
use splatbench_data::{
    ColmapCamera, ColmapImage, ColmapModel, ColmapPoint, Point2D, TrackElement, write_colmap_binary,
};
use splatbench_io::imageio::write_png;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dataset(rel: &str) -> PathBuf {
    splatbench_io::paths::shared_path(&format!("datasets/{rel}"))
        .unwrap_or_else(|e| panic!("this test needs the shared data: {e}"))
}

fn inspect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splatbench")).arg("inspect").args(args).output().unwrap()
}

/// Exit code 2 and exactly one stderr line, which names `file`.
fn assert_input_error(out: &Output, file: &Path, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: stderr {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{what}: stderr must be one line: {stderr}");
    let name = file.to_string_lossy();
    assert!(stderr.contains(name.as_ref()), "{what}: stderr must name {name}: {stderr}");
}

/// A two-image COLMAP scene (binary model, 16×12 PNGs) with one point seen by both images.
fn tiny_colmap(dir: &Path) -> ColmapModel {
    let cam =
        ColmapCamera { id: 1, model: "PINHOLE".into(), width: 16, height: 12, params: vec![20.0, 20.0, 8.0, 6.0] };
    let image = |id: u32, tx: f64| ColmapImage {
        id,
        qvec: [1.0, 0.0, 0.0, 0.0],
        tvec: [tx, 0.0, 4.0],
        camera_id: 1,
        name: format!("im{id}.png"),
        points2d: vec![Point2D { xy: [8.0 + 20.0 * tx / 4.0, 6.0], point3d_id: Some(7) }],
    };
    let point = ColmapPoint {
        id: 7,
        xyz: [0.0; 3],
        rgb: [255, 0, 0],
        error: 0.1,
        track: vec![TrackElement { image_id: 1, point2d_idx: 0 }, TrackElement { image_id: 2, point2d_idx: 0 }],
    };
    let model = ColmapModel {
        cameras: BTreeMap::from([(1, cam)]),
        images: BTreeMap::from([(1, image(1, 0.0)), (2, image(2, 0.5))]),
        points: BTreeMap::from([(7, point)]),
    };
    write_colmap_binary(&model, &dir.join("sparse/0")).unwrap();
    std::fs::create_dir_all(dir.join("images")).unwrap();
    let img = Image::from_fn(16, 12, 3, |x, y, c| ((x + y + c) % 5) as f32 / 4.0);
    for id in [1, 2] {
        write_png(&dir.join(format!("images/im{id}.png")), &img).unwrap();
    }
    model
}

#[test]
fn inspect_prints_a_real_dataset_as_text_and_json() {
    let root = dataset("roi_head_scene");
    let out = inspect(&[root.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["format"], "Colmap");
    let scene = &json["scenes"][0];
    assert_eq!(scene["points"], 2318);
    assert_eq!(scene["splits"]["test"]["views"], 3);
    assert_eq!(scene["splits"]["train"]["views"], 21);
    assert_eq!(scene["splits"]["train"]["with_mask"], 21);
    assert_eq!(scene["splits"]["train"]["with_depth"], 21);
    assert_eq!(scene["splits"]["train"]["image_sizes"]["320×240"], 21);

    let out = inspect(&[dataset("srn_cars_mini").to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SrnRoot (11 scene(s), 1153 views)"), "{text}");
    assert!(text.contains("128×128 ×251"), "{text}");
}

#[test]
fn inspect_accepts_a_crafted_scene() {
    let dir = tempfile::tempdir().unwrap();
    tiny_colmap(dir.path());
    let out = inspect(&[dir.path().to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Two images sorted by name: index 0 is test under the every-8th rule.
    assert_eq!(json["scenes"][0]["splits"]["test"]["views"], 1);
    assert_eq!(json["scenes"][0]["points"], 1);
    assert!(json["split_rule"].as_str().unwrap().starts_with("no test.txt: every 8th view by sorted name"), "{json}");
}

#[test]
fn inspect_says_how_a_train_only_blender_scene_is_split() {
    let out = inspect(&[dataset("nerf_synthetic_lego").to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("test split: no transforms_test.json: every 8th view by sorted name"), "{stdout}");
    assert!(stdout.contains("test     13 views") && stdout.contains("train    87 views"), "{stdout}");
}

#[test]
fn inspect_says_the_split_a_nerfstudio_scene_really_has() {
    let dir = tempfile::tempdir().unwrap();
    splatbench_datasets::generate(dir.path(), Some("head_toy")).unwrap();
    let scene = dir.path().join("head_toy");
    let out = inspect(&[scene.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = stdout.lines().find(|l| l.starts_with("test split:")).unwrap();
    assert!(line.contains("test_filenames in transforms.json name the splits"), "{line}");
    assert!(!line.contains("every view trains") && !line.contains(" 0 test views"), "{line}");
    // Without the lists every view trains, and the line says so.
    let transforms = scene.join("transforms.json");
    let mut meta: serde_json::Value = serde_json::from_slice(&std::fs::read(&transforms).unwrap()).unwrap();
    meta.as_object_mut().unwrap().retain(|k, _| !k.ends_with("_filenames"));
    std::fs::write(&transforms, serde_json::to_vec(&meta).unwrap()).unwrap();
    let out = inspect(&[scene.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("every view trains, none is a test view") && stdout.contains(", 0 test views)"),
        "{stdout}"
    );
}

#[test]
fn truncated_binary_model() {
    let dir = tempfile::tempdir().unwrap();
    tiny_colmap(dir.path());
    let file = dir.path().join("sparse/0/points3D.bin");
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 5]).unwrap();
    let out = inspect(&[dir.path().to_str().unwrap()]);
    assert_input_error(&out, &file, "truncated points3D.bin");
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"));
    let file = dir.path().join("sparse/0/images.bin");
    std::fs::write(&file, &std::fs::read(&file).unwrap()[..30]).unwrap();
    assert_input_error(&inspect(&[dir.path().to_str().unwrap()]), &file, "truncated images.bin");
}

#[test]
fn point_track_naming_a_missing_image() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = tiny_colmap(dir.path());
    model.points.get_mut(&7).unwrap().track.push(TrackElement { image_id: 99, point2d_idx: 0 });
    write_colmap_binary(&model, &dir.path().join("sparse/0")).unwrap();
    let out = inspect(&[dir.path().to_str().unwrap()]);
    assert_input_error(&out, &dir.path().join("sparse/0/points3D.bin"), "track names image 99");
    assert!(String::from_utf8_lossy(&out.stderr).contains("image 99"));
}

#[test]
fn missing_image_file() {
    let dir = tempfile::tempdir().unwrap();
    tiny_colmap(dir.path());
    let file = dir.path().join("images/im2.png");
    std::fs::remove_file(&file).unwrap();
    assert_input_error(&inspect(&[dir.path().to_str().unwrap()]), &file, "missing image");
}

#[test]
fn corrupt_png() {
    let dir = tempfile::tempdir().unwrap();
    tiny_colmap(dir.path());
    let file = dir.path().join("images/im1.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\n this is not a png").unwrap();
    assert_input_error(&inspect(&[dir.path().to_str().unwrap()]), &file, "corrupt PNG");
}

#[test]
fn mask_size_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    tiny_colmap(dir.path());
    std::fs::create_dir_all(dir.path().join("pure_masks")).unwrap();
    let file = dir.path().join("pure_masks/im1.png");
    write_png(&file, &Image::new(8, 6, 3)).unwrap();
    let out = inspect(&[dir.path().to_str().unwrap()]);
    assert_input_error(&out, &file, "mask size");
    assert!(String::from_utf8_lossy(&out.stderr).contains("8×6"));
}

#[test]
fn nan_in_an_srn_pose() {
    let dir = tempfile::tempdir().unwrap();
    let obj = dir.path().join("cars_train/obj");
    std::fs::create_dir_all(obj.join("rgb")).unwrap();
    std::fs::create_dir_all(obj.join("pose")).unwrap();
    std::fs::write(obj.join("intrinsics.txt"), "10. 4. 4. 0.\n0. 0. 0.\n1.\n8 8\n").unwrap();
    for i in 0..2 {
        write_png(&obj.join(format!("rgb/{i:06}.png")), &Image::new(8, 8, 3)).unwrap();
        let pose =
            if i == 1 { "1 0 0 0\n0 1 0 nan\n0 0 1 2\n0 0 0 1\n" } else { "1 0 0 0\n0 1 0 0\n0 0 1 2\n0 0 0 1\n" };
        std::fs::write(obj.join(format!("pose/{i:06}.txt")), pose).unwrap();
    }
    let out = inspect(&[dir.path().to_str().unwrap()]);
    assert_input_error(&out, &obj.join("pose/000001.txt"), "NaN pose");
    assert!(String::from_utf8_lossy(&out.stderr).contains("NaN"));
}

#[test]
fn nan_in_a_nerfstudio_pose() {
    let dir = tempfile::tempdir().unwrap();
    write_png(&dir.path().join("a.png"), &Image::new(8, 8, 4)).unwrap();
    let json = r#"{"fl_x": 10, "frames": [{"file_path": "a.png",
        "transform_matrix": [[1,0,0,0],[0,1,0,null],[0,0,1,2],[0,0,0,1]]}]}"#;
    std::fs::write(dir.path().join("transforms.json"), json).unwrap();
    assert_input_error(&inspect(&[dir.path().to_str().unwrap()]), &dir.path().join("transforms.json"), "NaN");
}

#[test]
fn empty_directory_and_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    assert_input_error(&inspect(&[dir.path().to_str().unwrap()]), dir.path(), "empty dir");
    let missing = dir.path().join("nope");
    assert_input_error(&inspect(&[missing.to_str().unwrap()]), &missing, "missing path");
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = inspect(&["--frobnicate", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--frobnicate"));
}
