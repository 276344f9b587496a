//! Building the seed corpus (`splatbench-fuzz seed --shared DIR`): real files from `../shared` and the
//! generator's scenes, cut down to a few records each so a mutation lands in the interesting part more often
//! (a 800 KB `images.bin` spends most mutations on keypoints). Seeds whose frames name images are rewritten to
//! the scratch scene's frame names and size ([`SCRATCH_SIDE`]) so that, unmutated, they load.

use crate::targets::{SCRATCH_FRAMES, SCRATCH_SIDE};
use serde_json::{Value, json};
use splatbench_core::{Camera, Error, Intrinsics, Result};
use splatbench_data as data;
use splatbench_io::npy::{encode, read_npy};
use std::path::Path;

/// Write every target's seeds under `fuzz/corpus/`.
/// `records`: a bench's `runs/` directory whose records seed the run-record and baseline targets.
pub fn build(shared: &Path, records: &Path) -> Result<()> {
    let ds = shared.join("datasets");
    let tmp = tempfile::tempdir().map_err(|e| Error::internal("creating a temporary directory", e))?;
    let generated = tmp.path().join("gen");
    splatbench_datasets::generate(&generated, None)?;
    let mut out = Corpus::default();

    // COLMAP: the shared ROI scene (binary) and bust (binary), the generator's roi_toy, each cut down.
    for dir in [ds.join("roi_head_scene"), ds.join("colmap/bust"), generated.join("roi_toy")] {
        let model = shrink(data::read_colmap_model(&dir)?);
        let stem = dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let (b, t) = (tmp.path().join(format!("{stem}_bin")), tmp.path().join(format!("{stem}_txt")));
        data::write_colmap_binary(&model, &b)?;
        data::write_colmap_text(&model, &t)?;
        for (k, f) in ["cameras", "images", "points3D"].iter().enumerate() {
            out.add("colmap_bin", &format!("{stem}_{f}"), prefixed(k as u8, &read(&b.join(format!("{f}.bin")))?));
            out.add("colmap_txt", &format!("{stem}_{f}"), prefixed(k as u8, &read(&t.join(format!("{f}.txt")))?));
        }
    }
    out.add(
        "colmap_txt",
        "roi_cameras_shared",
        prefixed(0, &read(&ds.join("roi_head_scene/sparse_txt/0/cameras.txt"))?),
    );

    // SRN: a pose and the intrinsics of the first shared object and of the generator's first object.
    for root in [ds.join("srn_cars_mini/cars_train"), generated.join("srn_toy/cars_train")] {
        let object = first_entry(&root)?;
        let pose = first_entry(&object.join("pose"))?;
        let stem =
            root.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        out.add("srn", &format!("{stem}_pose"), prefixed(0, &read(&pose)?));
        out.add("srn", &format!("{stem}_intrinsics"), prefixed(1, &read(&object.join("intrinsics.txt"))?));
    }

    // Blender: lego and the generator's blender_toy, three frames, named as the scratch scene names them.
    for path in
        [ds.join("nerf_synthetic_lego/transforms_train.json"), generated.join("blender_toy/transforms_train.json")]
    {
        let mut meta = json_file(&path)?;
        keep_frames(&mut meta, |i| json!(format!("./train/r_{i}")));
        out.add("blender", &parent_name(&path), pretty(&meta));
    }

    // nerfstudio: head_james and the generator's head_toy, three frames, sizes rewritten to the scratch images.
    for path in [ds.join("head_james/transforms.json"), generated.join("head_toy/transforms.json")] {
        let mut meta = json_file(&path)?;
        keep_frames(&mut meta, |i| json!(format!("images/{i}.png")));
        let half = f64::from(SCRATCH_SIDE) / 2.0;
        for (key, v) in
            [("w", json!(SCRATCH_SIDE)), ("h", json!(SCRATCH_SIDE)), ("cx", json!(half)), ("cy", json!(half))]
        {
            if meta.get(key).is_some() {
                meta[key] = v;
            }
        }
        for split in ["train_filenames", "val_filenames", "test_filenames"] {
            if meta.get(split).is_some() {
                meta[split] = json!(["images/0.png"]);
            }
        }
        if let Some(o) = meta.as_object_mut() {
            // Only one list survives, so frames 1 and 2 are listed nowhere (left out, as nerfstudio does).
            o.retain(|k, _| !k.ends_with("_filenames") || k == "train_filenames");
        }
        out.add("nerfstudio", &parent_name(&path), pretty(&meta));
    }

    // cameras_yaw_pitch.json: head_james's and the generator's, three views.
    for path in [ds.join("head_james/cameras_yaw_pitch.json"), generated.join("head_toy/cameras_yaw_pitch.json")] {
        let mut meta = json_file(&path)?;
        if let Some(v) = meta.get_mut("views").and_then(Value::as_array_mut) {
            v.truncate(SCRATCH_FRAMES);
        }
        out.add("yaw_pitch", &parent_name(&path), pretty(&meta));
    }

    // PLY: degree-0 and degree-1 clouds, binary as the writer makes them and the same rows as ascii.
    for degree in [0u32, 1] {
        let cloud = small_cloud(degree);
        let path = tmp.path().join(format!("d{degree}.ply"));
        splatbench_render::ply::write_ply(&path, &cloud)?;
        let bin = read(&path)?;
        out.add("ply_ascii", &format!("degree{degree}"), to_ascii(&bin));
        out.add("ply_binary", &format!("degree{degree}"), bin);
    }

    // .npy and depth: a crop of a shared Depth Pro map as f32, f64 and u8, plus a 3-D array.
    let depth = read_npy(&ds.join("roi_head_scene/depth_pro/view_00.npy"))?;
    let (w, values) = (depth.shape[1], depth.into_f32());
    let side = SCRATCH_SIDE as usize;
    let crop: Vec<f32> = (0..side * side).map(|i| values[(i / side) * w + i % side]).collect();
    let f32s = encode(&[side, side], &crop).map_err(Error::bug)?;
    let f64s = encode(&[side, side], &crop.iter().map(|&v| f64::from(v)).collect::<Vec<_>>()).map_err(Error::bug)?;
    let u8s = encode(&[side, side], &crop.iter().map(|&v| v as u8).collect::<Vec<_>>()).map_err(Error::bug)?;
    let small = encode(&[4, 4], &crop[..16]).map_err(Error::bug)?;
    for (name, bytes) in [("f32", &f32s), ("f64", &f64s), ("u8", &u8s)] {
        out.add("npy", name, bytes.clone());
        out.add("depth", name, bytes.clone());
    }
    out.add("depth", "resampled", small);
    out.add("npy", "rgb", encode(&[2, 2, 3], &crop[..12]).map_err(Error::bug)?);

    // Masks: a 16×16 crop of a shared ROI mask as PNG, JPEG and GIF.
    let mask = image_crate_crop(&ds.join("roi_head_scene/pure_masks/view_00.png"))?;
    for (name, bytes) in mask {
        out.add("mask", name, bytes);
    }

    // Suites: the built-in ones.
    for name in ["smoke", "standard", "full"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../harness/suites/{name}.toml"));
        out.add("suite", name, read(&path)?);
    }

    // render's camera: lego's first frame and the head's, as `Camera` JSON.
    let lego = json_file(&ds.join("nerf_synthetic_lego/transforms_train.json"))?;
    let m = &lego["frames"][0]["transform_matrix"];
    let c2w: [[f64; 4]; 4] = std::array::from_fn(|i| std::array::from_fn(|j| m[i][j].as_f64().unwrap_or(0.0)));
    let cam = Camera::from_c2w_opengl(c2w, Intrinsics::centred(100, 100, 138.9));
    out.add("render_camera", "lego", serde_json::to_vec_pretty(&cam).map_err(|e| Error::internal("json", e))?);
    let head = data::load_yaw_pitch_cameras(&ds.join("head_james/cameras_yaw_pitch.json"))?;
    out.add("render_camera", "head", serde_json::to_vec(&head[0].camera).map_err(|e| Error::internal("json", e))?);

    // Run records and baselines: the records of a smoke bench.
    let records = crate::engine::inputs(records)?;
    let parsed: Vec<_> = records.iter().filter_map(|(_, b)| serde_json::from_slice(b).ok()).collect();
    for (path, bytes) in records.iter().take(3) {
        out.add(
            "run_record",
            &path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            bytes.clone(),
        );
    }
    out.add("baseline", "smoke", splatbench_bench::check::baseline_json(&parsed)?);
    out.write()
}

#[derive(Default)]
struct Corpus(Vec<(String, String, Vec<u8>)>);

impl Corpus {
    fn add(&mut self, target: &str, name: &str, bytes: Vec<u8>) {
        self.0.push((target.to_string(), name.to_string(), bytes));
    }

    fn write(self) -> Result<()> {
        for (target, name, bytes) in self.0 {
            let path = crate::corpus_dir(&target).join(name);
            splatbench_io::atomic::write_atomic(&path, &bytes)?;
            println!("{} ({} bytes)", path.display(), bytes.len());
        }
        Ok(())
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::input(path, e.to_string()))
}

fn json_file(path: &Path) -> Result<Value> {
    serde_json::from_slice(&read(path)?).map_err(|e| Error::input(path, e.to_string()))
}

fn pretty(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap_or_default()
}

fn parent_name(path: &Path) -> String {
    path.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn prefixed(kind: u8, bytes: &[u8]) -> Vec<u8> {
    std::iter::once(kind).chain(bytes.iter().copied()).collect()
}

fn first_entry(dir: &Path) -> Result<std::path::PathBuf> {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map_err(|e| Error::input(dir, e.to_string()))?.flatten().map(|e| e.path()).collect();
    entries.sort();
    entries.into_iter().next().ok_or_else(|| Error::input(dir, "empty"))
}

/// The first [`SCRATCH_FRAMES`] frames, each `file_path` renamed by `name(i)`.
fn keep_frames(meta: &mut Value, name: impl Fn(usize) -> Value) {
    if let Some(frames) = meta.get_mut("frames").and_then(Value::as_array_mut) {
        frames.truncate(SCRATCH_FRAMES);
        for (i, f) in frames.iter_mut().enumerate() {
            f["file_path"] = name(i);
            if f.get("mask_path").is_some() {
                f["mask_path"] = json!(format!("images/{i}.png"));
            }
        }
    }
}

/// Two images, a few keypoints each, a few points with short tracks: every record kind, little of each.
fn shrink(mut m: data::ColmapModel) -> data::ColmapModel {
    let keep: Vec<u32> = m.images.keys().take(2).copied().collect();
    m.images.retain(|id, _| keep.contains(id));
    for im in m.images.values_mut() {
        im.points2d.truncate(6);
    }
    let cams: Vec<u32> = m.images.values().map(|im| im.camera_id).collect();
    m.cameras.retain(|id, _| cams.contains(id));
    let pts: Vec<u64> = m.points.keys().take(6).copied().collect();
    m.points.retain(|id, _| pts.contains(id));
    for p in m.points.values_mut() {
        p.track.retain(|t| keep.contains(&t.image_id));
        p.track.truncate(3);
    }
    m
}

fn small_cloud(degree: u32) -> splatbench_render::GaussianCloud {
    let n = 3;
    let k = splatbench_render::GaussianCloud::num_sh_coeffs(degree);
    splatbench_render::GaussianCloud {
        means: vec![[0.0, 0.0, 0.0], [0.25, -0.5, 1.0], [-1.0, 2.0, 0.5]],
        log_scales: vec![[-2.0, -1.5, -1.0]; n],
        quats: vec![[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5], [0.0, 1.0, 0.0, 0.0]],
        opacity_logits: vec![0.5, -1.0, 2.0],
        sh_degree: degree,
        sh: (0..n * k * 3).map(|i| i as f32 * 0.125 - 1.0).collect(),
    }
}

/// The same PLY with an ascii body.
fn to_ascii(bin: &[u8]) -> Vec<u8> {
    let end = bin.windows(11).position(|w| w == b"end_header\n").map_or(bin.len(), |p| p + 11);
    let header = String::from_utf8_lossy(&bin[..end]).replace("binary_little_endian", "ascii");
    let props = header.lines().filter(|l| l.starts_with("property")).count().max(1);
    let values: Vec<String> =
        bin[end..].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]).to_string()).collect();
    let rows: Vec<String> = values.chunks(props).map(|r| r.join(" ")).collect();
    format!("{header}{}\n", rows.join("\n")).into_bytes()
}

/// A 16×16 crop of a mask, encoded as PNG, JPEG and GIF.
fn image_crate_crop(path: &Path) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let img = splatbench_io::imageio::read_image(path)?;
    let crop = splatbench_core::Image {
        width: 16,
        height: 16,
        channels: 3,
        data: (0..16 * 16)
            .flat_map(|i| {
                let (x, y) = (i % 16 + img.width as usize / 2 - 8, i / 16 + img.height as usize / 2 - 8);
                let v = img.data[(y * img.width as usize + x) * img.channels as usize];
                [v, v, v]
            })
            .collect(),
    };
    let png = tempfile::NamedTempFile::new().map_err(|e| Error::internal("temp file", e))?;
    splatbench_io::imageio::write_png(png.path(), &crop)?;
    let png_bytes = read(png.path())?;
    let mut out = vec![("png", png_bytes)];
    let decoded = image::load_from_memory(&out[0].1).map_err(|e| Error::internal("decoding the crop", e))?;
    for (name, format) in [("jpeg", image::ImageFormat::Jpeg), ("gif", image::ImageFormat::Gif)] {
        let mut bytes = std::io::Cursor::new(Vec::new());
        decoded.write_to(&mut bytes, format).map_err(|e| Error::internal("encoding the crop", e))?;
        out.push((name, bytes.into_inner()));
    }
    Ok(out)
}
