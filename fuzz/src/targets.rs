//! One fuzz target per parser. Each takes the raw bytes of one file, hands them to the parser the CLI uses (via a
//! scratch file where the parser reads a path), and returns what it returned. The property checked by the engine:
//! the parser never panics, never asks the allocator for more than the target's cap, and fails only with a one-line
//! [`Error::Input`] (the user's fault, exit 2).
//!
//! Targets whose format is a family of files (COLMAP's three model files, SRN's pose and intrinsics) take the file
//! kind from the input's first byte, so one corpus covers the family.

use splatbench_core::limits::MAX_IMAGE_PIXELS;
use splatbench_core::{Error, Result};
use splatbench_data as data;
use splatbench_record::RunRecord;
use std::path::{Path, PathBuf};

pub struct Target {
    pub name: &'static str,
    /// The parser's contract on allocation: the largest single request an input of `len` bytes may cause.
    pub cap: fn(len: usize) -> usize,
    pub run: fn(&Scratch, &[u8]) -> Result<()>,
}

/// A parser whose buffers are bounded by the bytes it reads: a fixed allowance plus a multiple of the input.
fn bounded(len: usize) -> usize {
    (16 << 20) + 64 * len
}

/// Image decoders may size a buffer from the header's dimensions, within the documented image limits: 16-bit RGBA
/// as decoded (8 bytes a pixel) or an f32 RGBA copy (16 bytes a pixel).
fn image(len: usize) -> usize {
    MAX_IMAGE_PIXELS as usize * 16 + bounded(len)
}

pub const TARGETS: [Target; 15] = [
    Target { name: "colmap_bin", cap: bounded, run: colmap_bin },
    Target { name: "colmap_txt", cap: bounded, run: colmap_txt },
    Target { name: "srn", cap: bounded, run: srn },
    Target { name: "blender", cap: image, run: blender },
    Target { name: "nerfstudio", cap: image, run: nerfstudio },
    Target { name: "yaw_pitch", cap: bounded, run: yaw_pitch },
    Target { name: "ply_ascii", cap: bounded, run: ply },
    Target { name: "ply_binary", cap: bounded, run: ply },
    Target { name: "npy", cap: bounded, run: npy },
    Target { name: "depth", cap: bounded, run: depth },
    Target { name: "mask", cap: image, run: mask },
    Target { name: "suite", cap: bounded, run: suite },
    Target { name: "render_camera", cap: bounded, run: render_camera },
    Target { name: "run_record", cap: bounded, run: run_record },
    Target { name: "baseline", cap: bounded, run: baseline },
];

pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Side of the images a Blender or nerfstudio scratch scene holds (the seeds are rewritten to this size).
pub const SCRATCH_SIDE: u32 = 8;
/// The frames the JSON seeds name: Blender `./train/r_{i}` (no extension) and nerfstudio `images/{i}.png`.
pub const SCRATCH_FRAMES: usize = 3;

/// A private directory per target: the file the input is written to, and the images a scene JSON names.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Result<Scratch> {
        let dir = tempfile::tempdir().map_err(|e| Error::internal("creating a scratch directory", e))?;
        let pixel = |side| splatbench_core::Image {
            width: side,
            height: side,
            channels: 4,
            data: (0..side * side * 4).map(|i| (i % 7) as f32 / 7.0).collect(),
        };
        for i in 0..SCRATCH_FRAMES {
            for rel in [format!("train/r_{i}.png"), format!("test/r_{i}.png"), format!("images/{i}.png")] {
                let path = dir.path().join(rel);
                splatbench_io::imageio::write_png(&path, &pixel(SCRATCH_SIDE))?;
            }
        }
        Ok(Scratch { dir })
    }

    fn put(&self, name: &str, bytes: &[u8]) -> Result<PathBuf> {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).map_err(|e| Error::output(&path, e))?;
        Ok(path)
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// The file kind (first byte) and the file's bytes (the rest).
fn kind(input: &[u8]) -> (u8, &[u8]) {
    input.split_first().map_or((0, input), |(k, rest)| (*k, rest))
}

fn colmap_bin(s: &Scratch, input: &[u8]) -> Result<()> {
    let (k, bytes) = kind(input);
    match k % 3 {
        0 => data::read_cameras_bin(&s.put("cameras.bin", bytes)?).map(drop),
        1 => data::read_images_bin(&s.put("images.bin", bytes)?).map(drop),
        _ => data::read_points_bin(&s.put("points3D.bin", bytes)?).map(drop),
    }
}

fn colmap_txt(s: &Scratch, input: &[u8]) -> Result<()> {
    let (k, bytes) = kind(input);
    match k % 3 {
        0 => data::read_cameras_txt(&s.put("cameras.txt", bytes)?).map(drop),
        1 => data::read_images_txt(&s.put("images.txt", bytes)?).map(drop),
        _ => data::read_points_txt(&s.put("points3D.txt", bytes)?).map(drop),
    }
}

fn srn(s: &Scratch, input: &[u8]) -> Result<()> {
    let (k, bytes) = kind(input);
    if k % 2 == 0 {
        let c2w = data::read_pose(&s.put("pose.txt", bytes)?)?;
        let intr = data::SrnIntrinsics { focal: 10.0, cx: 4.0, cy: 4.0, size: None };
        let camera = data::srn_camera(&intr, c2w, SCRATCH_SIDE, SCRATCH_SIDE);
        camera.validate().map_err(|m| Error::input(s.root().join("pose.txt"), m))
    } else {
        data::read_intrinsics(&s.put("intrinsics.txt", bytes)?).map(drop)
    }
}

fn blender(s: &Scratch, input: &[u8]) -> Result<()> {
    s.put("transforms_train.json", input)?;
    data::load_blender(s.root()).map(drop)
}

fn nerfstudio(s: &Scratch, input: &[u8]) -> Result<()> {
    s.put("transforms.json", input)?;
    data::load_nerfstudio(s.root()).map(drop)
}

fn yaw_pitch(s: &Scratch, input: &[u8]) -> Result<()> {
    data::load_yaw_pitch_cameras(&s.put("cameras_yaw_pitch.json", input)?).map(drop)
}

fn ply(s: &Scratch, input: &[u8]) -> Result<()> {
    splatbench_render::ply::read_ply(s.put("cloud.ply", input)?).map(drop)
}

fn npy(s: &Scratch, input: &[u8]) -> Result<()> {
    splatbench_io::npy::read_npy(&s.put("array.npy", input)?).map(drop)
}

fn depth(s: &Scratch, input: &[u8]) -> Result<()> {
    data::read_depth(&s.put("depth.npy", input)?, SCRATCH_SIDE, SCRATCH_SIDE).map(drop)
}

fn mask(s: &Scratch, input: &[u8]) -> Result<()> {
    data::read_mask(&s.put("mask.png", input)?, 16, 16).map(drop)
}

fn suite(s: &Scratch, input: &[u8]) -> Result<()> {
    let path = s.put("suite.toml", input)?;
    let (name, suite) = splatbench_bench::suite::load(&path.to_string_lossy())?;
    suite.expand(&name, None, None).map(drop)
}

fn render_camera(s: &Scratch, input: &[u8]) -> Result<()> {
    splatbench_data::read_camera(&s.put("camera.json", input)?).map(drop)
}

fn run_record(s: &Scratch, input: &[u8]) -> Result<()> {
    // As the store reads a record back (and `report` merges it).
    splatbench_bench::store::parse_record(&s.put("record.json", input)?).map(drop::<RunRecord>)
}

fn baseline(s: &Scratch, input: &[u8]) -> Result<()> {
    splatbench_bench::check::read_baseline(&s.put("baseline.json", input)?).map(drop)
}
