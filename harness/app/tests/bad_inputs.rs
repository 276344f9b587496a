//! The bad-input catalogue: a table of broken inputs across every command (inspect, metrics, render, bench, report,
//! datasets), each run through the `splatbench` binary. For every case it checks the exit code (2 for input the
//! user must fix, 1 for an output that cannot be written), that stderr is exactly one line starting `error:` that
//! names the file or path at fault and the problem, that nothing panicked, and that the output the command was
//! asked for was not left behind, not even in part.
//!
//! The datasets broken here are the generator's scenes (COLMAP text with masks and depth, Blender, nerfstudio,
//! SRN), copied per case, so every case starts from a dataset that loads.

use splatbench_io::npy::write_npy;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn splatbench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_splatbench"))
}

/// What one case runs and expects.
struct Setup {
    args: Vec<OsString>,
    /// Text the error line must contain to name the file or path at fault.
    names: String,
    /// Text the error line must contain to name the problem.
    says: &'static str,
    /// An output the command was asked for, which must not exist afterwards.
    out: Option<PathBuf>,
}

struct Case {
    name: &'static str,
    code: i32,
    build: fn(&Path) -> Setup,
}

fn setup(args: &[&dyn AsRef<std::ffi::OsStr>], names: impl AsRef<Path>, says: &'static str) -> Setup {
    Setup {
        args: args.iter().map(|a| a.as_ref().to_os_string()).collect(),
        names: names.as_ref().display().to_string(),
        says,
        out: None,
    }
}

/// The generator's scenes, generated once for the whole catalogue.
fn generated() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("splatbench-bad-inputs-{}", std::process::id()));
        for scene in ["roi_toy", "blender_toy", "head_toy", "srn_toy"] {
            splatbench_datasets::generate(&dir, Some(scene)).unwrap();
        }
        dir
    })
}

/// A private copy of a generated scene under `dir`.
fn scene(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    copy_dir(&generated().join(name), &to);
    to
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// One SRN object of the generator's scene.
fn srn_object(dir: &Path) -> PathBuf {
    let root = scene(dir, "srn_toy").join("cars_train");
    let mut objects: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).collect();
    objects.sort();
    objects.remove(0)
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

fn edit_bytes(path: &Path, f: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(path).unwrap();
    f(&mut bytes);
    std::fs::write(path, bytes).unwrap();
}

fn cut(path: &Path, keep_fraction: f64) {
    let bytes = std::fs::read(path).unwrap();
    std::fs::write(path, &bytes[..(bytes.len() as f64 * keep_fraction) as usize]).unwrap();
}

fn replace_with_dir(path: &Path) {
    std::fs::remove_file(path).unwrap();
    std::fs::create_dir_all(path).unwrap();
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn write_json(path: &Path, v: &serde_json::Value) {
    std::fs::write(path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

/// A PNG of `w`×`h` grey pixels.
fn png(path: &Path, w: u32, h: u32) {
    let img = splatbench_core::Image { width: w, height: h, channels: 3, data: vec![0.5; (w * h * 3) as usize] };
    splatbench_io::imageio::write_png(path, &img).unwrap();
}

/// The bytes of an RGB JPEG of `w`×`h`.
fn jpeg_bytes(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 3) as u8, (y * 5) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

// ----------------------------------------------------------------------------------------------- COLMAP (inspect)

fn roi(dir: &Path) -> PathBuf {
    scene(dir, "roi_toy")
}

fn inspect(scene: &Path, names: impl AsRef<Path>, says: &'static str) -> Setup {
    setup(&[&"inspect", &scene], names, says)
}

fn colmap_binary(dir: &Path) -> PathBuf {
    let s = roi(dir);
    let model_dir = s.join("sparse/0");
    let model = splatbench_data::read_colmap_model(&model_dir).unwrap();
    for f in ["cameras.txt", "images.txt", "points3D.txt"] {
        std::fs::remove_file(model_dir.join(f)).unwrap();
    }
    splatbench_data::write_colmap_binary(&model, &model_dir).unwrap();
    s
}

const CASES: &[Case] = &[
    Case {
        name: "colmap cameras.txt cut mid-line",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("sparse/0/cameras.txt");
            edit(&f, |t| t.trim_end().rsplit_once(' ').unwrap().0.to_string());
            inspect(&s, f, "parameters")
        },
    },
    Case {
        name: "colmap images.txt header count disagrees",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("sparse/0/images.txt");
            edit(&f, |t| t.replace("# Number of images: 24", "# Number of images: 25"));
            inspect(&s, f, "header says 25")
        },
    },
    Case {
        name: "colmap NaN in a pose",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("sparse/0/images.txt");
            edit(&f, |t| {
                let lines: Vec<String> = t
                    .lines()
                    .map(|l| {
                        if l.starts_with("1 ") {
                            let mut w: Vec<&str> = l.split(' ').collect();
                            w[5] = "nan";
                            w.join(" ")
                        } else {
                            l.to_string()
                        }
                    })
                    .collect();
                lines.join("\n") + "\n"
            });
            inspect(&s, f, "NaN")
        },
    },
    Case {
        name: "colmap zero quaternion",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("sparse/0/images.txt");
            edit(&f, |t| {
                let lines: Vec<String> = t
                    .lines()
                    .map(|l| {
                        if l.starts_with("1 ") {
                            let mut w: Vec<&str> = l.split(' ').collect();
                            w[1..5].copy_from_slice(&["0", "0", "0", "0"]);
                            w.join(" ")
                        } else {
                            l.to_string()
                        }
                    })
                    .collect();
                lines.join("\n") + "\n"
            });
            inspect(&s, f, "NaN")
        },
    },
    Case {
        name: "colmap infinite focal length",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("sparse/0/cameras.txt");
            edit(&f, |t| t.replace("PINHOLE 96 72 90.000000", "PINHOLE 96 72 inf"));
            inspect(&s, f, "NaN or infinite")
        },
    },
    Case {
        name: "colmap camera far larger than any image",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("sparse/0/cameras.txt");
            edit(&f, |t| t.replace("PINHOLE 96 72 ", "PINHOLE 4000000000 72 "));
            inspect(&s, s.join("sparse/0/images.txt"), "exceeds the limit")
        },
    },
    Case {
        name: "colmap images.bin cut short",
        code: 2,
        build: |d| {
            let s = colmap_binary(d);
            let f = s.join("sparse/0/images.bin");
            cut(&f, 0.6);
            inspect(&s, f, "truncated")
        },
    },
    Case {
        name: "colmap cameras.bin count of 2^60",
        code: 2,
        build: |d| {
            let s = colmap_binary(d);
            let f = s.join("sparse/0/cameras.bin");
            let mut b = std::fs::read(&f).unwrap();
            b[..8].copy_from_slice(&(1u64 << 60).to_le_bytes());
            std::fs::write(&f, b).unwrap();
            inspect(&s, f, "records")
        },
    },
    Case {
        name: "colmap points3D.bin over-long",
        code: 2,
        build: |d| {
            let s = colmap_binary(d);
            let f = s.join("sparse/0/points3D.bin");
            let mut b = std::fs::read(&f).unwrap();
            b.extend_from_slice(&[0; 5]);
            std::fs::write(&f, b).unwrap();
            inspect(&s, f, "unexpected bytes")
        },
    },
    Case {
        name: "colmap image file missing",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("images/view_03.png");
            std::fs::remove_file(&f).unwrap();
            inspect(&s, f, "missing")
        },
    },
    Case {
        name: "colmap image of another size",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("images/view_03.png");
            png(&f, 40, 30);
            inspect(&s, f, "40×30")
        },
    },
    Case {
        name: "colmap image is a directory",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("images/view_03.png");
            replace_with_dir(&f);
            inspect(&s, f, "not a file")
        },
    },
    Case {
        name: "colmap PNG cut short",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("images/view_05.png");
            cut(&f, 0.5);
            inspect(&s, f, "truncated")
        },
    },
    Case {
        name: "colmap JPEG cut short",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("images/view_05.png");
            let b = jpeg_bytes(96, 72);
            std::fs::write(&f, &b[..b.len() * 2 / 3]).unwrap();
            inspect(&s, f, "truncated")
        },
    },
    Case {
        name: "colmap mask of another size",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("pure_masks/view_02.png");
            png(&f, 48, 36);
            inspect(&s, f, "48×36")
        },
    },
    Case {
        name: "colmap mask path is a directory",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("pure_masks/view_02.png");
            replace_with_dir(&f);
            inspect(&s, f, "not a file")
        },
    },
    Case {
        name: "colmap depth map with no finite value",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("depth_pro/view_04.npy");
            write_npy(&f, &[72, 96], &vec![f32::NAN; 72 * 96]).unwrap();
            inspect(&s, f, "no finite value")
        },
    },
    Case {
        name: "colmap depth map with the wrong magic",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("depth_pro/view_04.npy");
            let mut b = std::fs::read(&f).unwrap();
            b[1..6].copy_from_slice(b"NUMPZ");
            std::fs::write(&f, b).unwrap();
            inspect(&s, f, "magic")
        },
    },
    Case {
        name: "colmap depth map cut short",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("depth_pro/view_04.npy");
            cut(&f, 0.7);
            inspect(&s, f, "npy")
        },
    },
    Case {
        name: "colmap depth path is a directory",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("depth_pro/view_04.npy");
            replace_with_dir(&f);
            inspect(&s, f, "not a file")
        },
    },
    Case {
        name: "colmap test.txt names an unknown image",
        code: 2,
        build: |d| {
            let s = roi(d);
            let f = s.join("test.txt");
            std::fs::write(&f, "view_99.png\n").unwrap();
            inspect(&s, f, "view_99.png")
        },
    },
    Case {
        name: "colmap model with no images (empty splits)",
        code: 2,
        build: |d| {
            let s = roi(d);
            std::fs::write(s.join("sparse/0/images.txt"), "# no images\n").unwrap();
            std::fs::write(s.join("sparse/0/points3D.txt"), "").unwrap();
            std::fs::write(s.join("test.txt"), "").unwrap();
            inspect(&s, &s, "no views")
        },
    },
    // ------------------------------------------------------------------------------------ Blender (inspect)
    Case {
        name: "blender transforms cut short (invalid JSON)",
        code: 2,
        build: |d| {
            let s = scene(d, "blender_toy");
            let f = s.join("transforms_train.json");
            cut(&f, 0.5);
            inspect(&s, f, "invalid JSON")
        },
    },
    Case {
        name: "blender non-rigid rotation",
        code: 2,
        build: |d| {
            let s = scene(d, "blender_toy");
            let f = s.join("transforms_val.json");
            let mut v = json(&f);
            for row in 0..3 {
                let x = v["frames"][0]["transform_matrix"][row][0].as_f64().unwrap();
                v["frames"][0]["transform_matrix"][row][0] = serde_json::json!(x * 2.0);
            }
            write_json(&f, &v);
            inspect(&s, f, "orthonormal")
        },
    },
    Case {
        name: "blender pose whose last row is not 0 0 0 1",
        code: 2,
        build: |d| {
            let s = scene(d, "blender_toy");
            let f = s.join("transforms_test.json");
            let mut v = json(&f);
            v["frames"][1]["transform_matrix"][3][2] = serde_json::json!(0.5);
            write_json(&f, &v);
            inspect(&s, f, "last row")
        },
    },
    Case {
        name: "blender camera_angle_x is not a number",
        code: 2,
        build: |d| {
            let s = scene(d, "blender_toy");
            let f = s.join("transforms_train.json");
            let mut v = json(&f);
            v["camera_angle_x"] = serde_json::json!("wide");
            write_json(&f, &v);
            inspect(&s, f, "camera_angle_x")
        },
    },
    Case {
        name: "blender empty split",
        code: 2,
        build: |d| {
            let s = scene(d, "blender_toy");
            let f = s.join("transforms_val.json");
            let mut v = json(&f);
            v["frames"] = serde_json::json!([]);
            write_json(&f, &v);
            inspect(&s, f, "empty")
        },
    },
    Case {
        name: "blender null (NaN) in a pose",
        code: 2,
        build: |d| {
            let s = scene(d, "blender_toy");
            let f = s.join("transforms_train.json");
            let mut v = json(&f);
            v["frames"][2]["transform_matrix"][0][3] = serde_json::Value::Null;
            write_json(&f, &v);
            inspect(&s, f, "NaN")
        },
    },
    // --------------------------------------------------------------------------------- nerfstudio (inspect)
    Case {
        name: "nerfstudio w disagrees with the image",
        code: 2,
        build: |d| {
            let s = scene(d, "head_toy");
            let f = s.join("transforms.json");
            let mut v = json(&f);
            v["w"] = serde_json::json!(100);
            write_json(&f, &v);
            inspect(&s, f, "\"w\" is 100")
        },
    },
    Case {
        name: "nerfstudio negative focal length",
        code: 2,
        build: |d| {
            let s = scene(d, "head_toy");
            let f = s.join("transforms.json");
            let mut v = json(&f);
            v["fl_x"] = serde_json::json!(-5.0);
            write_json(&f, &v);
            inspect(&s, f, "focal length")
        },
    },
    Case {
        name: "nerfstudio mask_path is a directory",
        code: 2,
        build: |d| {
            let s = scene(d, "head_toy");
            let f = s.join("transforms.json");
            let mut v = json(&f);
            v["frames"][0]["mask_path"] = serde_json::json!("masks_dir");
            write_json(&f, &v);
            std::fs::create_dir_all(s.join("masks_dir")).unwrap();
            inspect(&s, s.join("masks_dir"), "not a file")
        },
    },
    Case {
        name: "nerfstudio mask_path names no file",
        code: 2,
        build: |d| {
            let s = scene(d, "head_toy");
            let f = s.join("transforms.json");
            let mut v = json(&f);
            v["frames"][0]["mask_path"] = serde_json::json!("nowhere.png");
            write_json(&f, &v);
            inspect(&s, s.join("nowhere.png"), "no such file")
        },
    },
    Case {
        name: "nerfstudio split list names an unknown frame",
        code: 2,
        build: |d| {
            let s = scene(d, "head_toy");
            let f = s.join("transforms.json");
            let mut v = json(&f);
            v["test_filenames"] = serde_json::json!(["images/none.png"]);
            write_json(&f, &v);
            inspect(&s, f, "not a frame")
        },
    },
    Case {
        name: "nerfstudio no frames array",
        code: 2,
        build: |d| {
            let s = scene(d, "head_toy");
            let f = s.join("transforms.json");
            let mut v = json(&f);
            v.as_object_mut().unwrap().remove("frames");
            write_json(&f, &v);
            inspect(&s, f, "frames")
        },
    },
    Case {
        name: "cameras_yaw_pitch image_size beyond the limit (via a frame size)",
        code: 2,
        build: |d| {
            let s = scene(d, "head_toy");
            let f = s.join("transforms.json");
            let mut v = json(&f);
            v["frames"][0]["transform_matrix"][1][1] = serde_json::json!(f64::INFINITY.to_string());
            write_json(&f, &v);
            inspect(&s, f, "transform_matrix")
        },
    },
    // --------------------------------------------------------------------------------------- SRN (inspect)
    Case {
        name: "srn pose with 15 numbers",
        code: 2,
        build: |d| {
            let o = srn_object(d);
            let f = o.join("pose/000003.txt");
            edit(&f, |t| t.trim_end().rsplit_once(char::is_whitespace).unwrap().0.to_string());
            inspect(&o, f, "16 numbers")
        },
    },
    Case {
        name: "srn pose with an infinite value",
        code: 2,
        build: |d| {
            let o = srn_object(d);
            let f = o.join("pose/000003.txt");
            edit(&f, |t| format!("inf {}", t.split_once(char::is_whitespace).unwrap().1));
            inspect(&o, f, "NaN or infinite")
        },
    },
    Case {
        name: "srn intrinsics missing their second line",
        code: 2,
        build: |d| {
            let o = srn_object(d);
            let f = o.join("intrinsics.txt");
            edit(&f, |t| t.lines().next().unwrap().to_string());
            inspect(&o, f, "missing")
        },
    },
    Case {
        name: "srn object with no images",
        code: 2,
        build: |d| {
            let o = srn_object(d);
            for e in std::fs::read_dir(o.join("rgb")).unwrap().flatten() {
                std::fs::remove_file(e.path()).unwrap();
            }
            inspect(&o, o.join("rgb"), "no images")
        },
    },
    Case {
        name: "inspect a path that does not exist",
        code: 2,
        build: |d| inspect(&d.join("absent"), d.join("absent"), "no such file"),
    },
    Case {
        name: "inspect a file where a directory is expected",
        code: 2,
        build: |d| {
            let f = d.join("scene.txt");
            std::fs::write(&f, "x").unwrap();
            inspect(&f, &f, "directory")
        },
    },
    Case {
        name: "inspect with an unknown flag",
        code: 2,
        build: |d| setup(&[&"inspect", &d, &"--bogus"], "--bogus", "unexpected argument"),
    },
    // ------------------------------------------------------------------------------------------------ render
    Case {
        name: "render: ascii PLY whose header claims 2^60 vertices",
        code: 2,
        build: |d| {
            let mut r = render_with_ply(
                d,
                &ascii_ply("element vertex 1152921504606846976", "0 0 0 0 0 0 0.5 0.5 0.5 0 -1 -1 -1 1 0 0 0"),
            );
            r.says = "exceed the limit";
            r
        },
    },
    Case {
        name: "render: binary PLY with fewer rows than declared",
        code: 2,
        build: |d| {
            let mut r = render_setup(d);
            cut(Path::new(&r.args[2]), 0.8);
            r.says = "truncated";
            r
        },
    },
    Case {
        name: "render: binary PLY with more rows than declared",
        code: 2,
        build: |d| {
            let mut r = render_setup(d);
            edit_bytes(Path::new(&r.args[2]), |b| {
                let at = b.windows(16).position(|w| w == b"element vertex 2").unwrap();
                b[at + 15] = b'1';
            });
            r.says = "more rows";
            r
        },
    },
    Case {
        name: "render: ascii PLY with more rows than declared",
        code: 2,
        build: |d| {
            let row = "0 0 0 0 0 0 0.5 0.5 0.5 0 -1 -1 -1 1 0 0 0";
            let mut r = render_with_ply(d, &ascii_ply("element vertex 1", &format!("{row}\n{row}")));
            r.says = "more rows";
            r
        },
    },
    Case {
        name: "render: --background outside [0, 1]",
        code: 2,
        build: |d| {
            let mut r = render_setup(d);
            r.args.extend(["--background".into(), "0,1.5,0".into()]);
            r.names = "--background".into();
            r.says = "outside [0, 1]";
            r
        },
    },
    Case {
        name: "render: PLY with the wrong magic",
        code: 2,
        build: |d| {
            let mut r = render_setup(d);
            let p = PathBuf::from(&r.args[2]);
            let mut b = std::fs::read(&p).unwrap();
            b[..3].copy_from_slice(b"PLY");
            std::fs::write(&p, b).unwrap();
            r.says = "not a PLY file";
            r
        },
    },
    Case {
        name: "render: NaN opacity in a PLY",
        code: 2,
        build: |d| render_with_ply(d, &ascii_ply("element vertex 1", "0 0 0 0 0 0 0.5 0.5 0.5 nan -1 -1 -1 1 0 0 0")),
    },
    Case {
        name: "render: PLY row with a missing value",
        code: 2,
        build: |d| render_with_ply(d, &ascii_ply("element vertex 1", "0 0 0 0 0 0 0.5 0.5 0.5 0 -1 -1 -1 1 0 0")),
    },
    Case {
        name: "render: PLY path is a directory",
        code: 2,
        build: |d| {
            let mut r = render_setup(d);
            replace_with_dir(Path::new(&r.args[2]));
            r.says = "directory";
            r
        },
    },
    Case {
        name: "render: camera asking for a 100000×100000 image",
        code: 2,
        build: |d| render_with_camera(d, |c| c["width"] = serde_json::json!(100_000), "exceeds the limit"),
    },
    Case {
        name: "render: camera with a non-rigid rotation",
        code: 2,
        build: |d| render_with_camera(d, |c| c["world_to_camera"][0][0] = serde_json::json!(3.0), "orthonormal"),
    },
    Case {
        name: "render: camera with a zero focal length",
        code: 2,
        build: |d| render_with_camera(d, |c| c["fx"] = serde_json::json!(0.0), "focal length"),
    },
    Case {
        name: "render: camera JSON cut short",
        code: 2,
        build: |d| {
            let mut r = render_setup(d);
            let cam = PathBuf::from(&r.args[4]);
            cut(&cam, 0.5);
            r.names = cam.display().to_string();
            r.says = "bad camera JSON";
            r
        },
    },
    Case {
        name: "render: unknown flag",
        code: 2,
        build: |d| {
            let mut r = render_setup(d);
            r.args.push("--gamma".into());
            r.names = "--gamma".into();
            r.says = "unexpected argument";
            r
        },
    },
    Case {
        name: "render: output under a path nobody can create",
        code: 1,
        build: |d| {
            let mut r = render_setup(d);
            r.args[6] = "/proc/splatbench-bad-inputs/out.png".into();
            r.names = "/proc/splatbench-bad-inputs".into();
            r.says = "cannot write";
            r.out = None;
            r
        },
    },
    // ----------------------------------------------------------------------------------------------- metrics
    Case {
        name: "metrics: JPEG prediction cut short",
        code: 2,
        build: |d| {
            let (pred, gt) = (d.join("pred.jpg"), d.join("gt.png"));
            let b = jpeg_bytes(64, 48);
            std::fs::write(&pred, &b[..b.len() / 2]).unwrap();
            png(&gt, 64, 48);
            setup(&[&"metrics", &pred, &gt], &pred, "truncated")
        },
    },
    Case {
        name: "metrics: prediction and ground truth of different sizes",
        code: 2,
        build: |d| {
            let (pred, gt) = (d.join("pred.png"), d.join("gt.png"));
            png(&pred, 64, 48);
            png(&gt, 32, 48);
            setup(&[&"metrics", &pred, &gt], &pred, "differs")
        },
    },
    Case {
        name: "metrics: ground truth is a directory, prediction a file",
        code: 2,
        build: |d| {
            let pred = d.join("pred.png");
            png(&pred, 8, 8);
            setup(&[&"metrics", &pred, &d], d, "is a directory")
        },
    },
    Case {
        name: "metrics: directory pair with an image missing from the ground truth",
        code: 2,
        build: |d| {
            let (p, g) = (d.join("pred"), d.join("gt"));
            std::fs::create_dir_all(&p).unwrap();
            std::fs::create_dir_all(&g).unwrap();
            png(&p.join("a.png"), 8, 8);
            png(&p.join("b.png"), 8, 8);
            png(&g.join("a.png"), 8, 8);
            setup(&[&"metrics", &p, &g], p.join("b.png"), "no file of that name")
        },
    },
    Case {
        name: "metrics: not an image at all",
        code: 2,
        build: |d| {
            let (pred, gt) = (d.join("pred.png"), d.join("gt.png"));
            std::fs::write(&pred, "this is text").unwrap();
            png(&gt, 8, 8);
            setup(&[&"metrics", &pred, &gt], &pred, "cannot decode")
        },
    },
    Case {
        name: "metrics: --background outside [0, 1]",
        code: 2,
        build: |d| {
            let (pred, gt) = (d.join("pred.png"), d.join("gt.png"));
            png(&pred, 8, 8);
            png(&gt, 8, 8);
            setup(&[&"metrics", &pred, &gt, &"--background", &"0,0,-1"], "--background", "outside [0, 1]")
        },
    },
    Case {
        name: "metrics: unknown LPIPS backbone",
        code: 2,
        build: |d| setup(&[&"metrics", &d, &d, &"--lpips", &"resnet"], "resnet", "invalid value"),
    },
    // ------------------------------------------------------------------------------------------------- bench
    Case {
        name: "bench: suite file with an unknown key",
        code: 2,
        build: |d| bench_with_suite(d, "seeds = 1\nbackend = [\"ndarray\"]\n", "unknown field"),
    },
    Case {
        name: "bench: suite entry with an unknown method",
        code: 2,
        build: |d| {
            bench_with_suite(d, "[[entry]]\nmethod = \"gaussianator\"\ndataset = \"gen:roi_toy\"\n", "gaussianator")
        },
    },
    Case {
        name: "bench: suite entry with a config key the method does not have",
        code: 2,
        build: |d| {
            bench_with_suite(
                d,
                "[[entry]]\nmethod = \"head\"\ndataset = \"gen:head_toy\"\nconfig = { stepz = 3 }\n",
                "stepz",
            )
        },
    },
    Case {
        name: "bench: a config value out of range (roigs ssim_weight = 1.5)",
        code: 2,
        build: |d| {
            bench_with_suite(
                d,
                "[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\nconfig = { ssim_weight = 1.5 }\n",
                "ssim_weight",
            )
        },
    },
    Case {
        name: "bench: an entry of two variants naming no control",
        code: 2,
        build: |d| {
            bench_with_suite(
                d,
                "[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\n[entry.variants]\na = {}\nb = {}\n",
                "none is the control",
            )
        },
    },
    Case {
        name: "bench: two entries giving the same run id",
        code: 2,
        build: |d| {
            let one = "[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\n";
            bench_with_suite(d, &format!("{one}{one}"), "entries 1 and 2")
        },
    },
    Case {
        name: "bench: --seeds 0 selects nothing",
        code: 2,
        build: |d| {
            let out = d.join("bench-out");
            let mut s = setup(&[&"bench", &"--suite", &"smoke", &"--seeds", &"0", &"--out", &out], "--seeds", "no run");
            s.out = Some(out);
            s
        },
    },
    Case {
        name: "bench: --method that no entry of the suite uses",
        code: 2,
        build: |d| {
            let (suite, out) = (d.join("suite.toml"), d.join("bench-out"));
            std::fs::write(&suite, "[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\n").unwrap();
            let args: [&dyn AsRef<std::ffi::OsStr>; 7] =
                [&"bench", &"--suite", &suite, &"--method", &"head", &"--out", &out];
            let mut s = setup(&args, "--method", "no entry of suite");
            s.out = Some(out);
            s
        },
    },
    Case {
        name: "bench: --backend not compiled into this binary",
        code: 2,
        build: |d| {
            let out = d.join("bench-out");
            let b = uncompiled_backend();
            let mut s = setup(
                &[&"bench", &"--suite", &"smoke", &"--backend", &b, &"--out", &out],
                "--backend",
                "not compiled in",
            );
            s.out = Some(out);
            s
        },
    },
    Case {
        name: "bench: a suite's backends list names one not compiled into this binary",
        code: 2,
        build: |d| {
            let text = format!(
                "backends = [\"ndarray\", \"{}\"]\n[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\n",
                uncompiled_backend()
            );
            bench_with_suite(d, &text, "not compiled in")
        },
    },
    Case {
        name: "bench: a dataset path that does not exist",
        code: 2,
        build: |d| {
            let missing = d.join("no-such-scene");
            let text = format!("[[entry]]\nmethod = \"roigs\"\ndataset = \"{}\"\n", missing.display());
            let mut s = bench_with_suite(d, &text, "dataset not found");
            s.names = missing.display().to_string();
            s
        },
    },
    Case {
        name: "bench: a gen: name the generator does not have",
        code: 2,
        build: |d| {
            let mut s =
                bench_with_suite(d, "[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:castle_toy\"\n", "castle_toy");
            s.names = "castle_toy".into();
            s
        },
    },
    Case {
        name: "bench: a shared: name the shared data does not have",
        code: 2,
        build: |d| {
            let mut s =
                bench_with_suite(d, "[[entry]]\nmethod = \"roigs\"\ndataset = \"shared:datasets/no_such_scene\"\n", "");
            s.names = "no_such_scene".into();
            s
        },
    },
    Case {
        name: "bench: an empty backends list",
        code: 2,
        build: |d| {
            bench_with_suite(
                d,
                "backends = []\n[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\n",
                "no backend",
            )
        },
    },
    Case {
        name: "bench: a dataset directory holding no dataset",
        code: 2,
        build: |d| {
            let empty = d.join("empty-scene");
            std::fs::create_dir_all(&empty).unwrap();
            let text = format!("[[entry]]\nmethod = \"roigs\"\ndataset = \"{}\"\n", empty.display());
            let mut s = bench_with_suite(d, &text, "no dataset found");
            s.names = empty.display().to_string();
            s
        },
    },
    Case {
        name: "bench: a dataset with a broken file (a COLMAP image cut short)",
        code: 2,
        build: |d| {
            let scene = roi(d);
            let image = first_image(&scene.join("images"));
            cut(&image, 0.5);
            let text = format!("[[entry]]\nmethod = \"roigs\"\ndataset = \"{}\"\n", scene.display());
            let mut s = bench_with_suite(d, &text, "");
            s.names = image.display().to_string();
            s
        },
    },
    Case {
        name: "bench: splatter on a COLMAP scene",
        code: 2,
        build: |d| {
            let scene = roi(d);
            let text = format!("[[entry]]\nmethod = \"splatter\"\ndataset = \"{}\"\n", scene.display());
            let mut s = bench_with_suite(d, &text, "splatter trains on SRN-style");
            s.names = scene.display().to_string();
            s
        },
    },
    Case {
        name: "bench: a split that leaves no test view (nerfstudio without test_filenames)",
        code: 2,
        build: |d| {
            let scene = scene(d, "head_toy");
            let transforms = scene.join("transforms.json");
            let mut v = json(&transforms);
            v.as_object_mut().unwrap().retain(|k, _| !k.ends_with("_filenames"));
            write_json(&transforms, &v);
            let text = format!("[[entry]]\nmethod = \"roigs\"\ndataset = \"{}\"\n", scene.display());
            let mut s = bench_with_suite(d, &text, "no test view");
            s.names = scene.display().to_string();
            s
        },
    },
    Case {
        name: "bench: suite path is a directory",
        code: 2,
        build: |d| {
            let out = d.join("bench-out");
            let mut s = setup(&[&"bench", &"--suite", &d, &"--out", &out], d, "directory");
            s.out = Some(out);
            s
        },
    },
    Case {
        name: "bench --check: baseline that is not JSON",
        code: 2,
        build: |d| {
            let (base, out) = (d.join("baseline.json"), d.join("bench-out"));
            std::fs::write(&base, "{\"schema\": 1, \"runs\": ").unwrap();
            let mut s = setup(
                &[&"bench", &"--suite", &"smoke", &"--check", &"--baseline", &base, &"--out", &out],
                &base,
                "baseline",
            );
            s.out = Some(out);
            s
        },
    },
    Case {
        name: "bench: unknown flag",
        code: 2,
        build: |_| setup(&[&"bench", &"--suite", &"smoke", &"--fast"], "--fast", "unexpected argument"),
    },
    // ------------------------------------------------------------------------------------------------ report
    Case {
        name: "report --merge: a shard's run record is not a record",
        code: 2,
        build: |d| {
            let (shard, out) = (d.join("shard"), d.join("merged"));
            std::fs::create_dir_all(shard.join("runs")).unwrap();
            let rec = shard.join("runs/head__baseline__gen_head_toy__ndarray__s0.json");
            std::fs::write(&rec, "{\"id\": \"head\", \"status\": ").unwrap();
            let mut s = setup(&[&"report", &"--merge", &shard, &"--out", &out], &rec, "not a run record");
            s.out = Some(out);
            s
        },
    },
    Case {
        name: "report --merge: a shard that does not exist",
        code: 2,
        build: |d| {
            let (shard, out) = (d.join("no-shard"), d.join("merged"));
            let mut s = setup(&[&"report", &"--merge", &shard, &"--out", &out], &shard, "");
            s.out = Some(out);
            s
        },
    },
    Case {
        name: "report: a directory that is not a bench results directory",
        code: 2,
        build: |d| {
            let mut s = setup(&[&"report", &"--out", &d], d, "not a bench results directory");
            s.out = Some(d.join("report.html"));
            s
        },
    },
    Case {
        name: "report: a results directory holding a corrupt record",
        code: 2,
        build: |d| {
            let rec = d.join("runs/roigs__baseline__gen_roi_toy__ndarray__s0.json");
            std::fs::create_dir_all(rec.parent().unwrap()).unwrap();
            std::fs::write(&rec, "{\"id\": ").unwrap();
            let mut s = setup(&[&"report", &"--out", &d], &rec, "not a run record");
            s.out = Some(d.join("report.html"));
            s
        },
    },
    Case {
        name: "report: a record of a future schema",
        code: 2,
        build: |d| {
            let rec = record_file(d, 1.0);
            edit(&rec, |t| t.replacen("\"schema\": 1", "\"schema\": 999", 1));
            let mut s = setup(&[&"report", &"--out", &d], &rec, "newer than this splatbench");
            s.out = Some(d.join("report.html"));
            s
        },
    },
    Case {
        name: "report --merge: --out is one of the inputs",
        code: 2,
        build: |d| {
            record_file(d, 1.0);
            let mut s = setup(&[&"report", &"--merge", &d, &"--out", &d], d, "never writes into one of its inputs");
            s.out = Some(d.join("report.html"));
            s
        },
    },
    Case {
        name: "report --merge: one run id with different content in two inputs",
        code: 2,
        build: |d| {
            let (a, b, out) = (d.join("a"), d.join("b"), d.join("merged"));
            record_file(&a, 20.0);
            let rec_b = record_file(&b, 21.0);
            let mut s = setup(&[&"report", &"--merge", &a, &b, &"--out", &out], &rec_b, "differs from the one in");
            s.out = Some(out);
            s
        },
    },
    // ---------------------------------------------------------------------------------------------- datasets
    Case {
        name: "datasets generate: unknown scene",
        code: 2,
        build: |d| {
            let out = d.join("gen");
            let mut s = setup(&[&"datasets", &"generate", &"--out", &out, &"--only", &"castle_toy"], "castle_toy", "");
            s.out = Some(out);
            s
        },
    },
    Case {
        name: "datasets generate: output directory that cannot be created",
        code: 1,
        build: |_| {
            let out = "/proc/splatbench-bad-inputs/gen";
            setup(&[&"datasets", &"generate", &"--out", &out, &"--only", &"paint_toy"], out, "cannot write")
        },
    },
];

/// A scene PLY, a camera that sees it and an output path: the arguments of a render that succeeds.
fn render_setup(d: &Path) -> Setup {
    let (ply, cam, out) = (d.join("scene.ply"), d.join("camera.json"), d.join("out.png"));
    let cloud = splatbench_render::GaussianCloud {
        means: vec![[0.0, 0.0, 0.0], [0.2, -0.1, 0.3]],
        log_scales: vec![[-1.5, -1.5, -1.5]; 2],
        quats: vec![[1.0, 0.0, 0.0, 0.0]; 2],
        opacity_logits: vec![1.0, 0.5],
        sh_degree: 0,
        sh: vec![0.5, 0.2, -0.3, -0.4, 0.1, 0.6],
    };
    splatbench_render::ply::write_ply(&ply, &cloud).unwrap();
    let camera = serde_json::json!({
        "width": 16, "height": 12, "fx": 14.0, "fy": 14.0, "cx": 8.0, "cy": 6.0,
        "world_to_camera": [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 4.0], [0.0, 0.0, 0.0, 1.0]]
    });
    write_json(&cam, &camera);
    let mut s = setup(&[&"render", &"--ply", &ply, &"--camera", &cam, &"--out", &out], &ply, "");
    s.out = Some(out);
    s
}

/// An ascii 3DGS PLY (degree 0) with the given element line and one row.
fn ascii_ply(element: &str, row: &str) -> String {
    let props = ["x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2", "opacity"]
        .into_iter()
        .chain(["scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"])
        .map(|p| format!("property float {p}\n"))
        .collect::<String>();
    format!("ply\nformat ascii 1.0\n{element}\n{props}end_header\n{row}\n")
}

fn render_with_ply(d: &Path, text: &str) -> Setup {
    let mut r = render_setup(d);
    std::fs::write(&r.args[2], text).unwrap();
    r.says = if text.contains("nan") { "NaN" } else { "values" };
    r
}

fn render_with_camera(d: &Path, change: fn(&mut serde_json::Value), says: &'static str) -> Setup {
    let mut r = render_setup(d);
    let cam = PathBuf::from(&r.args[4]);
    let mut v = json(&cam);
    change(&mut v);
    write_json(&cam, &v);
    r.names = cam.display().to_string();
    r.says = says;
    r
}

/// A backend this binary was built without. The catalogue runs in the default (CPU-only) build, where libtorch is
/// never compiled in; a build with every backend has none to offer, and says so.
fn uncompiled_backend() -> &'static str {
    splatbench_core::Backend::ALL
        .into_iter()
        .find(|b| splatbench_bench::orchestrate::backend_unavailable(*b).is_some())
        .map(|b| b.name())
        .expect("this build has every backend compiled in: run the bad-input catalogue in the default build")
}

/// A results directory `dir` holding one ok run record whose PSNR is `psnr`; the record's path.
fn record_file(dir: &Path, psnr: f64) -> PathBuf {
    let id = "roigs__baseline__gen_roi_toy__ndarray__s0";
    let rec = serde_json::json!({
        "schema": 1,
        "id": id,
        "spec": {"suite": "s", "method": "roigs", "variant": "baseline", "dataset": "gen:roi_toy",
                 "backend": "ndarray", "seed": 0, "config": {}},
        "status": "ok",
        "aggregate": {"psnr": psnr},
    });
    let path = dir.join("runs").join(format!("{id}.json"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&rec).unwrap()).unwrap();
    path
}

/// The first file (by name) in `dir`.
fn first_image(dir: &Path) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    files.remove(0)
}

fn bench_with_suite(d: &Path, text: &str, says: &'static str) -> Setup {
    let (suite, out) = (d.join("suite.toml"), d.join("bench-out"));
    std::fs::write(&suite, text).unwrap();
    let mut s = setup(&[&"bench", &"--suite", &suite, &"--out", &out], &suite, says);
    s.out = Some(out);
    s
}

/// Run one case; the reasons it fails, if any.
fn check(case: &Case) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let s = (case.build)(dir.path());
    let out = splatbench().args(&s.args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    let mut wrong = Vec::new();
    if out.status.code() != Some(case.code) {
        wrong.push(format!("exit {:?}, expected {}", out.status.code(), case.code));
    }
    if err.lines().count() != 1 || !err.starts_with("error: ") {
        wrong.push("stderr is not one `error:` line".into());
    }
    if err.contains("panicked") {
        wrong.push("panicked".into());
    }
    if !err.contains(&s.names) {
        wrong.push(format!("does not name {}", s.names));
    }
    if !err.contains(s.says) {
        wrong.push(format!("does not say \"{}\"", s.says));
    }
    if let Some(o) = &s.out
        && o.exists()
    {
        wrong.push(format!("left {} behind", o.display()));
    }
    if wrong.is_empty() { wrong } else { vec![format!("{}: {} — stderr: {err}", case.name, wrong.join("; "))] }
}

#[test]
fn every_broken_input_is_refused_with_one_line_naming_the_file_and_the_problem() {
    assert!(CASES.len() >= 40, "the catalogue holds {} cases", CASES.len());
    let wrong: Vec<String> = CASES.iter().flat_map(check).collect();
    let _ = std::fs::remove_dir_all(generated());
    assert!(wrong.is_empty(), "{} of {} cases wrong:\n{}", wrong.len(), CASES.len(), wrong.join("\n"));
}
