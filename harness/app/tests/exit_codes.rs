//! The exit-code table of the README, through the binary: 0 when everything asked for was done, 1 for a failure
//! at run time (an output that cannot be written, a failed run), 2 when refused before starting (bad input). Every
//! failure is one line on stderr naming the path at fault.
//!
//! Tests run as root here, and root writes through file modes and read-only directories, so the unwritable
//! outputs are ones the kernel refuses to everybody (a file under `/proc`, `/dev/full` for a full disk), a
//! directory where a file should go, and a read-only file, which splatbench's atomic writer refuses on its own
//! (a rename would otherwise replace it whoever runs it).

mod common;

use common::{records, splatbench};
use splatbench_core::{Camera, Image};
use splatbench_record::RunStatus;
use splatbench_render::{GaussianCloud, ply};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A path no user can create, root included: /proc accepts no new files.
const UNWRITABLE: &str = "/proc/splatbench-exit-codes/out";

/// Exit code and the one stderr line; fails the test when stderr has more than one line.
fn code_and_line(out: &Output) -> (Option<i32>, String) {
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    assert!(err.lines().count() <= 1, "stderr is not one line:\n{err}");
    (out.status.code(), err)
}

fn assert_fails(out: &Output, code: i32, path: &Path) {
    let (got, line) = code_and_line(out);
    assert_eq!(got, Some(code), "{line}\nstdout: {}", String::from_utf8_lossy(&out.stdout));
    assert!(line.starts_with("error: "), "{line}");
    assert!(line.contains(&path.display().to_string()), "{line} does not name {}", path.display());
}

fn assert_ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Read-only for its mode bits (root can still open it for writing; splatbench must not replace it).
fn make_read_only(path: &Path) {
    let mut perm = std::fs::metadata(path).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(path, perm).unwrap();
}

// ---------------------------------------------------------------------------------------------------- render --out

struct Scene {
    dir: tempfile::TempDir,
    ply: PathBuf,
    camera: PathBuf,
}

fn scene() -> Scene {
    let dir = tempfile::tempdir().unwrap();
    let cloud = GaussianCloud {
        means: vec![[0.0, 0.0, 0.0], [0.2, -0.1, 0.3]],
        log_scales: vec![[-1.5, -1.5, -1.5]; 2],
        quats: vec![[1.0, 0.0, 0.0, 0.0]; 2],
        opacity_logits: vec![1.0, 0.5],
        sh_degree: 0,
        sh: vec![0.5, 0.2, -0.3, -0.4, 0.1, 0.6],
    };
    let ply_path = dir.path().join("scene.ply");
    ply::write_ply(&ply_path, &cloud).unwrap();
    let camera = Camera {
        width: 16,
        height: 12,
        fx: 14.0,
        fy: 14.0,
        cx: 8.0,
        cy: 6.0,
        world_to_camera: [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 4.0], [0.0, 0.0, 0.0, 1.0]],
        distortion: None,
    };
    let camera_path = dir.path().join("camera.json");
    std::fs::write(&camera_path, serde_json::to_string(&camera).unwrap()).unwrap();
    Scene { dir, ply: ply_path, camera: camera_path }
}

fn render(s: &Scene, out: &Path) -> Output {
    splatbench()
        .arg("render")
        .arg("--ply")
        .arg(&s.ply)
        .arg("--camera")
        .arg(&s.camera)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn render_creates_missing_output_directories() {
    let s = scene();
    for name in ["a/b/out.png", "c/d/out.npy"] {
        let out = s.dir.path().join(name);
        assert_ok(&render(&s, &out));
        assert!(out.is_file(), "{}", out.display());
    }
    // Only the output is left: no temporary files beside it.
    let names: Vec<_> = std::fs::read_dir(s.dir.path().join("a/b")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, ["out.png"]);
}

#[test]
fn render_to_a_directory_exits_1_naming_it() {
    let s = scene();
    for name in ["dir.png", "dir.npy"] {
        let out = s.dir.path().join(name);
        std::fs::create_dir(&out).unwrap();
        assert_fails(&render(&s, &out), 1, &out);
        assert!(out.is_dir());
    }
}

#[test]
fn render_over_a_read_only_file_exits_1_and_leaves_it() {
    let s = scene();
    for name in ["ro.png", "ro.npy"] {
        let out = s.dir.path().join(name);
        std::fs::write(&out, b"keep me").unwrap();
        make_read_only(&out);
        let result = render(&s, &out);
        assert_fails(&result, 1, &out);
        assert!(code_and_line(&result).1.contains("Permission denied"));
        assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    }
}

#[test]
fn render_to_an_unwritable_path_exits_1_naming_it() {
    let s = scene();
    let out = PathBuf::from(format!("{UNWRITABLE}.png"));
    let result = render(&s, &out);
    assert_fails(&result, 1, &out);
    assert!(code_and_line(&result).1.starts_with(&format!("error: cannot write {}: ", out.display())));
}

#[test]
fn render_with_bad_input_exits_2() {
    let s = scene();
    let missing = s.dir.path().join("missing.ply");
    let out = splatbench()
        .args(["render", "--ply"])
        .arg(&missing)
        .arg("--camera")
        .arg(&s.camera)
        .arg("--out")
        .arg(s.dir.path().join("o.png"))
        .output()
        .unwrap();
    assert_fails(&out, 2, &missing);
    // An input error is found before anything is written.
    assert!(!s.dir.path().join("o.png").exists());
}

// ---------------------------------------------------------------------------------------------------- metrics

fn image_pair(dir: &Path) -> (PathBuf, PathBuf) {
    let a = Image::from_fn(8, 8, 3, |x, y, c| (x + 2 * y + c) as f32 / 30.0);
    let b = Image::from_fn(8, 8, 3, |x, y, c| (2 * x + y + c) as f32 / 30.0);
    let (pa, pb) = (dir.join("pred.png"), dir.join("gt.png"));
    splatbench_io::imageio::write_png(&pa, &a).unwrap();
    splatbench_io::imageio::write_png(&pb, &b).unwrap();
    (pa, pb)
}

#[test]
fn metrics_json_to_a_full_disk_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (pred, gt) = image_pair(dir.path());
    let ok = splatbench().arg("metrics").arg(&pred).arg(&gt).arg("--json").output().unwrap();
    assert_ok(&ok);
    assert!(String::from_utf8_lossy(&ok.stdout).contains("\"psnr\""));
    // /dev/full fails every write with ENOSPC, for every user.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = splatbench().arg("metrics").arg(&pred).arg(&gt).arg("--json").stdout(Stdio::from(full)).output().unwrap();
    assert_fails(&out, 1, Path::new("standard output"));
    assert!(code_and_line(&out).1.contains("No space left on device"));
}

/// Needs onnxruntime and the LPIPS models, like `cli_metrics.rs` (always present in CI).
#[test]
fn metrics_with_a_requested_lpips_it_cannot_compute_prints_all_then_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (pred, gt) = image_pair(dir.path());
    let out = splatbench().arg("metrics").arg(&pred).arg(&gt).args(["--json", "--lpips", "alex"]).output().unwrap();
    let (code, line) = code_and_line(&out);
    assert_eq!(code, Some(1), "{line}");
    assert_eq!(line, "error: 1 of 1 requested LPIPS values could not be computed");
    // The results are still written: 8 px is below LPIPS's 32 px, so null with the reason.
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(record["lpips_alex"].is_null() && record["psnr"].is_number(), "{record}");
    assert!(record["notes"].as_str().unwrap().contains("lpips_alex"), "{record}");
}

#[test]
fn metrics_with_a_missing_image_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (pred, _) = image_pair(dir.path());
    let missing = dir.path().join("nothing.png");
    assert_fails(&splatbench().arg("metrics").arg(&pred).arg(&missing).output().unwrap(), 2, &missing);
}

// ---------------------------------------------------------------------------------------------------- datasets

fn generate(out: &Path) -> Output {
    splatbench().args(["datasets", "generate", "--only", "paint_toy", "--out"]).arg(out).output().unwrap()
}

#[test]
fn datasets_generate_creates_its_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x/y/data");
    assert_ok(&generate(&out));
    assert!(out.join("manifest.json").is_file());
    assert!(out.join("paint_toy").is_dir());
}

#[test]
fn datasets_generate_into_a_file_or_unwritable_path_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    assert_fails(&generate(&file), 1, &file);
    let unwritable = PathBuf::from(UNWRITABLE);
    assert_fails(&generate(&unwritable), 1, &unwritable);
}

#[test]
fn datasets_generate_with_an_unknown_scene_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        splatbench().args(["datasets", "generate", "--only", "nosuch", "--out"]).arg(dir.path()).output().unwrap();
    assert_fails(&out, 2, Path::new("--only"));
}

// ---------------------------------------------------------------------------------------------------- bench --out

/// A suite of one roigs run of one step on `dataset` (cheap; fails while loading when the dataset is missing).
fn suite(dir: &Path, dataset: &str) -> PathBuf {
    let p = dir.join("one.toml");
    let text = format!("seeds = 1\n[[entry]]\nmethod = \"roigs\"\ndataset = \"{dataset}\"\nconfig = {{ steps = 1 }}\n");
    std::fs::write(&p, text).unwrap();
    p
}

fn bench(suite: &Path, backend: &str, out: &Path) -> Output {
    let mut cmd: Command = splatbench();
    cmd.args(["bench", "--suite"]).arg(suite).args(["--backend", backend, "--out"]).arg(out);
    cmd.output().unwrap()
}

#[test]
fn bench_creates_its_results_directory() {
    let backend = "ndarray";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deep/er/results");
    let result = bench(&suite(dir.path(), "gen:roi_toy"), backend, &out);
    assert_ok(&result);
    assert!(out.join("results.csv").is_file() && out.join("report.html").is_file());
    assert_eq!(records(&out).len(), 1);
}

#[test]
fn bench_into_a_file_or_unwritable_path_exits_1() {
    let backend = "ndarray";
    let dir = tempfile::tempdir().unwrap();
    let s = suite(dir.path(), "gen:roi_toy");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    assert_fails(&bench(&s, backend, &file), 1, &file);
    let unwritable = PathBuf::from(UNWRITABLE);
    assert_fails(&bench(&s, backend, &unwritable), 1, &unwritable);
}

#[test]
fn bench_with_a_failed_run_writes_its_results_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    // A run that fails at run time (a missing dataset is refused before any run): it hangs past its timeout.
    let mut cmd: Command = splatbench();
    cmd.args(["bench", "--suite"]).arg(suite(dir.path(), "gen:roi_toy")).args(["--timeout", "1", "--out"]).arg(&out);
    let result = cmd.env("SPLATBENCH_TEST_SLEEP", "roigs__:60").output().unwrap();
    let (code, line) = code_and_line(&result);
    assert_eq!(code, Some(1), "{line}");
    assert!(line.contains("1 of 1 runs failed") && line.contains("results.csv"), "{line}");
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].status, RunStatus::Failed);
    assert!(recs[0].reason.contains("timeout after 1 s"), "{}", recs[0].reason);
    assert!(out.join("results.csv").is_file() && out.join("report.html").is_file());
}

#[test]
fn bench_with_a_missing_suite_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nosuch.toml");
    let out = splatbench().args(["bench", "--suite"]).arg(&missing).arg("--out").arg(dir.path().join("r")).output();
    assert_fails(&out.unwrap(), 2, &missing);
    assert!(!dir.path().join("r").exists(), "refused before starting: nothing is created");
}
