//! `splatbench render` end to end: the binary's output equals the library's rasterizer, and bad input exits 2.

use splatbench_core::Camera;
use splatbench_render::{GaussianCloud, RasterCamera, cpu, ply};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_splatbench");

/// A few Gaussians of degree 1 in front of the camera, with distinct colours.
fn cloud() -> GaussianCloud {
    let n = 5;
    let k = 4;
    let mut sh = vec![0.0f32; n * k * 3];
    for i in 0..n {
        for c in 0..3 {
            sh[(i * k) * 3 + c] = 0.3 * (i as f32 - 2.0) + 0.2 * c as f32;
            sh[(i * k + 2) * 3 + c] = 0.1 * c as f32;
        }
    }
    GaussianCloud {
        means: (0..n).map(|i| [0.3 * i as f32 - 0.6, 0.1 * i as f32 - 0.2, 0.2 * i as f32]).collect(),
        log_scales: vec![[-1.5, -1.8, -2.0]; n],
        quats: (0..n).map(|i| [1.0, 0.1 * i as f32, 0.0, 0.05]).collect(),
        opacity_logits: (0..n).map(|i| i as f32 - 1.0).collect(),
        sh_degree: 1,
        sh,
    }
}

fn camera() -> Camera {
    Camera {
        width: 24,
        height: 16,
        fx: 20.0,
        fy: 20.0,
        cx: 12.0,
        cy: 8.0,
        world_to_camera: [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 4.0], [0.0, 0.0, 0.0, 1.0]],
        distortion: None,
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    ply: PathBuf,
    camera: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ply_path = dir.path().join("scene.ply");
    ply::write_ply(&ply_path, &cloud()).unwrap();
    let camera_path = dir.path().join("camera.json");
    std::fs::write(&camera_path, serde_json::to_string(&camera()).unwrap()).unwrap();
    Fixture { dir, ply: ply_path, camera: camera_path }
}

fn run(ply: &Path, camera: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .arg("render")
        .args(["--ply".as_ref(), ply.as_os_str(), "--camera".as_ref(), camera.as_os_str()])
        .args(["--out".as_ref(), out.as_os_str()])
        .args(extra)
        .output()
        .unwrap()
}

/// The file through the project's one `.npy` reader, after checking on the raw bytes what other tools rely on:
/// format 1.0, a 64-byte aligned header, little-endian f32 in C order.
fn load_npy(path: &Path) -> (Vec<usize>, Vec<f32>) {
    let b = std::fs::read(path).unwrap();
    assert_eq!(&b[..8], b"\x93NUMPY\x01\x00");
    let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
    assert_eq!((10 + hlen) % 64, 0, "header is 64-byte aligned");
    let header = std::str::from_utf8(&b[10..10 + hlen]).unwrap();
    assert!(header.contains("'descr': '<f4'") && header.contains("'fortran_order': False"), "{header}");
    assert!(header.ends_with('\n'));
    splatbench_io::npy::read_npy_f32(path).unwrap()
}

fn assert_bad_input(out: &Output, names: &str) {
    assert_eq!(out.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line expected, got: {stderr}");
    assert!(stderr.contains(names), "stderr should name {names}: {stderr}");
}

#[test]
fn npy_equals_the_cpu_rasterizer() {
    let f = fixture();
    let out_path = f.dir.path().join("render.npy");
    let out = run(&f.ply, &f.camera, &out_path, &["--background", "0.25,0.5,1"]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));

    let (shape, data) = load_npy(&out_path);
    assert_eq!(shape, vec![16, 24, 4]);
    let (want, _) = cpu::forward(&cloud(), &RasterCamera::from(&camera()), [0.25, 0.5, 1.0]);
    assert_eq!(data.len(), 16 * 24 * 4);
    for p in 0..16 * 24 {
        for c in 0..3 {
            assert_eq!(data[p * 4 + c].to_bits(), want.color[p * 3 + c].to_bits(), "pixel {p} channel {c}");
        }
        assert_eq!(data[p * 4 + 3].to_bits(), want.alpha[p].to_bits(), "pixel {p} alpha");
    }
    // The scene is not empty and not fully covered, so the comparison above saw real splats and background.
    assert!(want.alpha.iter().any(|&a| a > 0.5) && want.alpha.iter().any(|&a| a < 0.01));
}

#[test]
fn png_is_written() {
    let f = fixture();
    let out_path = f.dir.path().join("render.png");
    let out = run(&f.ply, &f.camera, &out_path, &[]);
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let img = splatbench_io::imageio::read_image(&out_path).unwrap();
    assert_eq!((img.width, img.height, img.channels), (24, 16, 3));
    let (want, _) = cpu::forward(&cloud(), &RasterCamera::from(&camera()), [0.0; 3]);
    for (got, want) in img.data.iter().zip(&want.color) {
        assert!((got - want.clamp(0.0, 1.0)).abs() <= 0.5 / 255.0 + 1e-6);
    }
}

#[test]
fn bad_ply_exits_2() {
    let f = fixture();
    let bad = f.dir.path().join("bad.ply");
    std::fs::write(&bad, b"ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\nend_header\n")
        .unwrap();
    assert_bad_input(&run(&bad, &f.camera, &f.dir.path().join("o.npy"), &[]), "bad.ply");
    let missing = f.dir.path().join("missing.ply");
    assert_bad_input(&run(&missing, &f.camera, &f.dir.path().join("o.npy"), &[]), "missing.ply");
}

#[test]
fn bad_camera_exits_2() {
    let f = fixture();
    let mut json: serde_json::Value = serde_json::to_value(camera()).unwrap();
    let cases: Vec<(&str, serde_json::Value)> = vec![
        ("missing_key.json", {
            let mut j = json.clone();
            j.as_object_mut().unwrap().remove("fx");
            j
        }),
        ("not_orthonormal.json", {
            json["world_to_camera"][0][0] = 2.0.into();
            json.clone()
        }),
    ];
    for (name, value) in cases {
        let path = f.dir.path().join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        assert_bad_input(&run(&f.ply, &path, &f.dir.path().join("o.npy"), &[]), name);
    }
    // JSON has no NaN literal; a NaN written the way Python's json module does is rejected too.
    let nan = f.dir.path().join("nan.json");
    let text = serde_json::to_string(&camera()).unwrap().replace("\"fx\":20.0", "\"fx\":NaN");
    assert!(text.contains("NaN"));
    std::fs::write(&nan, text).unwrap();
    assert_bad_input(&run(&f.ply, &nan, &f.dir.path().join("o.npy"), &[]), "nan.json");
}

#[test]
fn unknown_extension_and_bad_background_exit_2() {
    let f = fixture();
    assert_bad_input(&run(&f.ply, &f.camera, &f.dir.path().join("render.tiff"), &[]), "render.tiff");
    assert_bad_input(&run(&f.ply, &f.camera, &f.dir.path().join("o.npy"), &["--background", "1,2"]), "--background");
}
