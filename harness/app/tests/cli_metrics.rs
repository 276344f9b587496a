//! `splatbench metrics` end to end: JSON records, identical images, directory pairing, the table, and every kind of
//! bad input giving exit code 2 with one stderr line naming the offending path.

use splatbench_core::Image;
use splatbench_io::imageio::write_png;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn splatbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splatbench")).arg("metrics").args(args).output().expect("run splatbench")
}

fn image(w: u32, h: u32, seed: u32) -> Image {
    Image::from_fn(w, h, 3, |x, y, c| ((x * 13 + y * 7 + c * 3 + seed * 5) % 29) as f32 / 28.0)
}

fn write(dir: &Path, name: &str, img: &Image) -> PathBuf {
    let p = dir.join(name);
    write_png(&p, img).unwrap();
    p
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Exit code 2 and exactly one stderr line, which contains `needle`.
fn assert_input_error(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line expected, got: {stderr}");
    assert!(stderr.contains(needle), "{stderr:?} should name {needle}");
}

#[test]
fn json_has_exactly_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (write(dir.path(), "a.png", &image(40, 33, 0)), write(dir.path(), "b.png", &image(40, 33, 1)));
    let lines = json_lines(&splatbench(&[a.to_str().unwrap(), b.to_str().unwrap(), "--json"]));
    assert_eq!(lines.len(), 1);
    let obj = lines[0].as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(|k| k.as_str()).collect();
    keys.sort();
    let mut expected = [
        "name",
        "width",
        "height",
        "psnr",
        "ssim",
        "ssim_skimage",
        "lpips_alex",
        "lpips_vgg",
        "lpips_squeeze",
        "notes",
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(obj["name"], "a.png");
    assert_eq!((obj["width"].as_u64(), obj["height"].as_u64()), (Some(40), Some(33)));
    for k in ["psnr", "ssim", "ssim_skimage"] {
        assert!(obj[k].as_f64().is_some_and(f64::is_finite), "{k} = {}", obj[k]);
    }
    for k in ["lpips_alex", "lpips_vgg", "lpips_squeeze"] {
        assert!(obj[k].is_null(), "{k} was not requested");
    }
    assert_eq!(obj["notes"], "lpips_alex, lpips_vgg, lpips_squeeze: not requested");
}

#[test]
fn identical_images_have_null_psnr_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.png", &image(20, 20, 3));
    let lines = json_lines(&splatbench(&[a.to_str().unwrap(), a.to_str().unwrap(), "--json"]));
    assert!(lines[0]["psnr"].is_null());
    assert_eq!(lines[0]["ssim"].as_f64(), Some(1.0));
    assert!(lines[0]["notes"].as_str().unwrap().contains("psnr: identical"), "{}", lines[0]["notes"]);
}

#[test]
fn directories_pair_by_file_name() {
    let (p, g) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (i, name) in ["b.png", "a.png", "c.png"].iter().enumerate() {
        write(p.path(), name, &image(24, 16, i as u32));
        write(g.path(), name, &image(24, 16, if *name == "c.png" { 2 } else { 9 }));
    }
    std::fs::write(p.path().join("notes.txt"), "not an image").unwrap();
    let lines = json_lines(&splatbench(&[p.path().to_str().unwrap(), g.path().to_str().unwrap(), "--json"]));
    let names: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a.png", "b.png", "c.png"]);
    assert!(lines[2]["psnr"].is_null(), "c.png is the same image on both sides");
    assert!(lines[0]["psnr"].as_f64().is_some());
}

#[test]
fn table_lists_each_pair() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (write(dir.path(), "a.png", &image(12, 12, 0)), write(dir.path(), "b.png", &image(12, 12, 4)));
    let out = splatbench(&[a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("name") && lines[0].contains("psnr") && lines[0].contains("ssim_sk"), "{text}");
    assert!(lines[1].starts_with("a.png") && lines[1].contains("12x12"), "{text}");
}

#[test]
fn corrupt_png_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.png", &image(16, 16, 0));
    let bad = dir.path().join("bad.png");
    let mut bytes = std::fs::read(&good).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&bad, bytes).unwrap();
    assert_input_error(&splatbench(&[bad.to_str().unwrap(), good.to_str().unwrap()]), bad.to_str().unwrap());
}

#[test]
fn size_mismatch_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (write(dir.path(), "a.png", &image(16, 16, 0)), write(dir.path(), "b.png", &image(16, 17, 0)));
    let out = splatbench(&[a.to_str().unwrap(), b.to_str().unwrap(), "--json"]);
    assert_input_error(&out, a.to_str().unwrap());
    assert!(String::from_utf8_lossy(&out.stderr).contains("16x16"));
}

#[test]
fn empty_directory_is_an_input_error() {
    let (p, g) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write(g.path(), "a.png", &image(16, 16, 0));
    assert_input_error(
        &splatbench(&[p.path().to_str().unwrap(), g.path().to_str().unwrap()]),
        p.path().to_str().unwrap(),
    );
}

#[test]
fn unpaired_file_is_an_input_error() {
    let (p, g) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write(p.path(), "a.png", &image(16, 16, 0));
    write(g.path(), "a.png", &image(16, 16, 0));
    let lonely = write(g.path(), "z.png", &image(16, 16, 0));
    assert_input_error(
        &splatbench(&[p.path().to_str().unwrap(), g.path().to_str().unwrap()]),
        lonely.to_str().unwrap(),
    );
}

#[test]
fn missing_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.png", &image(16, 16, 0));
    let missing = dir.path().join("missing.png");
    assert_input_error(&splatbench(&[a.to_str().unwrap(), missing.to_str().unwrap()]), missing.to_str().unwrap());
}

#[test]
fn unknown_flag_exits_with_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.png", &image(16, 16, 0));
    let out = splatbench(&[a.to_str().unwrap(), a.to_str().unwrap(), "--bogus"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // clap's usage error (printed by main.rs) spans several lines; its first line names the flag.
    assert!(stderr.lines().next().unwrap_or("").contains("--bogus"), "{stderr}");
    let out = splatbench(&[a.to_str().unwrap(), a.to_str().unwrap(), "--lpips", "resnet"]);
    assert_eq!(out.status.code(), Some(2), "unknown backbone: {}", String::from_utf8_lossy(&out.stderr));
}

/// Needs the shared data and onnxruntime (always present in CI).
#[test]
fn lpips_through_the_cli_matches_the_reference() {
    let dir = splatbench_io::paths::shared_path("golden/metrics").unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (dir.join("p001_a.png"), dir.join("p001_b.png"));
    let lines =
        json_lines(&splatbench(&[a.to_str().unwrap(), b.to_str().unwrap(), "--lpips", "alex,squeeze", "--json"]));
    // reference.csv, row p001: lpips_alex 0.0229224823, lpips_squeeze 0.0378152132.
    assert!((lines[0]["lpips_alex"].as_f64().unwrap() - 0.0229224823).abs() < 1e-4, "{}", lines[0]);
    assert!((lines[0]["lpips_squeeze"].as_f64().unwrap() - 0.0378152132).abs() < 1e-4, "{}", lines[0]);
    assert!(lines[0]["lpips_vgg"].is_null());
    assert_eq!(lines[0]["notes"], "lpips_vgg: not requested");
}

#[test]
fn an_image_with_alpha_is_composited_over_the_background_and_the_notes_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let gt = write(dir.path(), "gt.png", &image(16, 16, 0));
    // The ground truth's colours with alpha 0: the background, not the ground truth.
    let clear = Image::from_fn(16, 16, 4, |x, y, c| if c == 3 { 0.0 } else { image(16, 16, 0).get(x, y, c) });
    let pred = write(dir.path(), "clear.png", &clear);
    for (background, expect_identical) in [("1,1,1", false), ("0,0,0", false)] {
        let out = splatbench(&["--json", "--background", background, pred.to_str().unwrap(), gt.to_str().unwrap()]);
        let rec = &json_lines(&out)[0];
        assert_eq!(rec["psnr"].is_null(), expect_identical, "{rec}");
        assert!(rec["notes"].as_str().unwrap().contains(&format!("alpha: composited over {background}")), "{rec}");
    }
    let out = splatbench(&["--background", "2,0,0", pred.to_str().unwrap(), gt.to_str().unwrap()]);
    assert_input_error(&out, "--background");
}
