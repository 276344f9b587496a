//! `head_toy`: a head-like object in nerfstudio format, with the cameras of `shared/datasets/head_james`.
//!
//! ```text
//! head_toy/images/yaw±YY_pitch±PP.png   13 RGBA views, 128×128, alpha = coverage, transparent pixels white
//! head_toy/transforms.json              nerfstudio: fl_x, fl_y, cx, cy, w, h, frames, train/test_filenames
//! head_toy/cameras_yaw_pitch.json       the same cameras as yaw/pitch/focal (head_james's format)
//! ```
//! Camera model (as head_james): world = object frame, y up, the face looks towards +z. For yaw ψ and pitch θ
//! the object is rotated by R = Rx(θ)·Ry(ψ) and viewed from +z at distance 3:
//! `w2c_opencv = [diag(1, −1, −1)·R | (0, 0, 3)]`. Field of view 30°, so f = (W/2)/tan 15°; cx = cy = W/2 with
//! pixel (0, 0) centred at (0.5, 0.5) (`cx_opencv` = W/2 − ½ for integer-centre code). nerfstudio's
//! `transform_matrix` is c2w in OpenGL axes = c2w_opencv · diag(1, −1, −1, 1).
//! Training views: yaw −45, −15, +15, +45 (pitch 0); test: yaw −60, −30, 0, 30, 60 and four ±15° pitch views.

use super::{GtBuilder, WHITE, lights, png_rgba};
use crate::io::Sink;
use crate::math::{IDENTITY, M3, V3, mat_mul, rigid, rot_x, rot_y};
use crate::points::sample_surface;
use crate::rng::Rng;
use crate::shapes::{Primitive, Shape};
use crate::texture::Texture;
use crate::tracer::World;
use serde::Serialize;
use splatbench_core::camera::{OPENGL_TO_OPENCV, matmul4, rigid_inverse};
use splatbench_core::{Camera, Intrinsics, Result};

pub const NAME: &str = "head_toy";
pub const SIZE: u32 = 128;
pub const FOV_DEG: f64 = 30.0;
pub const DISTANCE: f64 = 3.0;
pub const TRAIN: [(i32, i32); 4] = [(-45, 0), (-15, 0), (15, 0), (45, 0)];
pub const TEST: [(i32, i32); 9] =
    [(-60, 0), (-30, 0), (0, 0), (30, 0), (60, 0), (0, 15), (0, -15), (30, 15), (-30, -15)];

/// Head, nose, ears, eyes with pupils, mouth, a textured hair cap and a neck, scaled by `s` about the origin
/// and moved by `at`. Extent at s = 1: about x ±0.34, y −0.57…0.45, z −0.40…0.33.
pub fn head_prims(s: f64, at: V3, object: u16, seed: u32) -> Vec<Primitive> {
    let skin = Texture::Noise { a: [0.88, 0.69, 0.56], b: [0.78, 0.56, 0.45], scale: 0.08 * s, seed };
    let mut p = Vec::new();
    let mut add = |shape: Shape, rot: M3, c: V3, t: Texture| p.push(Primitive::new(shape, rot, c * s + at, t, object));
    let e = |a: f64, b: f64, c: f64| Shape::Ellipsoid { radii: V3(a * s, b * s, c * s) };
    add(e(0.30, 0.38, 0.32), IDENTITY, V3(0.0, 0.0, 0.0), skin.clone());
    add(e(0.05, 0.08, 0.07), rot_x(-15.0), V3(0.0, -0.02, 0.31), skin.clone());
    for sx in [-1.0, 1.0] {
        add(e(0.04, 0.09, 0.06), IDENTITY, V3(sx * 0.29, 0.0, -0.02), skin.clone());
        add(e(0.045, 0.045, 0.045), IDENTITY, V3(sx * 0.11, 0.08, 0.27), Texture::Solid([0.96, 0.96, 0.94]));
        add(e(0.022, 0.022, 0.022), IDENTITY, V3(sx * 0.11, 0.08, 0.30), Texture::Solid([0.15, 0.3, 0.45]));
    }
    add(e(0.09, 0.022, 0.03), IDENTITY, V3(0.0, -0.17, 0.27), Texture::Solid([0.65, 0.22, 0.25]));
    let hair = Texture::Noise { a: [0.30, 0.18, 0.08], b: [0.12, 0.07, 0.03], scale: 0.025 * s, seed: seed ^ 0x5a5a };
    add(e(0.32, 0.29, 0.33), IDENTITY, V3(0.0, 0.16, -0.07), hair);
    let neck = Shape::Cylinder { radius: 0.12 * s, half_height: 0.15 * s };
    add(neck, rot_x(90.0), V3(0.0, -0.42, -0.03), skin);
    p
}

/// `w2c_opencv = [diag(1, −1, −1)·Rx(pitch)·Ry(yaw) | (0, 0, d)]`.
pub fn w2c_yaw_pitch(yaw: f64, pitch: f64, d: f64) -> [[f64; 4]; 4] {
    let flip: M3 = [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]];
    rigid(&mat_mul(&flip, &mat_mul(&rot_x(pitch), &rot_y(yaw))), V3(0.0, 0.0, d))
}

pub fn focal(size: u32, fov_deg: f64) -> f64 {
    size as f64 / 2.0 / (fov_deg.to_radians() / 2.0).tan()
}

pub fn file_name(yaw: i32, pitch: i32) -> String {
    format!("yaw{yaw:+03}_pitch{pitch:+03}.png")
}

#[derive(Serialize)]
struct Frame {
    file_path: String,
    transform_matrix: [[f64; 4]; 4],
    yaw_deg: i32,
    pitch_deg: i32,
}

#[derive(Serialize)]
struct Transforms {
    camera_model: &'static str,
    w: u32,
    h: u32,
    fl_x: f64,
    fl_y: f64,
    cx: f64,
    cy: f64,
    k1: f64,
    k2: f64,
    p1: f64,
    p2: f64,
    frames: Vec<Frame>,
    train_filenames: Vec<String>,
    test_filenames: Vec<String>,
}

#[derive(Serialize)]
struct Normalization {
    center: [f64; 3],
    scale: f64,
    note: &'static str,
}

#[derive(Serialize)]
struct YawPitchView {
    file: String,
    yaw_deg: i32,
    pitch_deg: i32,
    w2c_opencv: [[f64; 4]; 4],
    c2w_opencv: [[f64; 4]; 4],
}

#[derive(Serialize)]
struct YawPitch {
    source: &'static str,
    normalization: Normalization,
    image_size: u32,
    fov_deg: f64,
    fx: f64,
    fy: f64,
    cx_pixelcenter_half: f64,
    cy_pixelcenter_half: f64,
    cx_opencv: f64,
    cy_opencv: f64,
    convention: &'static str,
    views: Vec<YawPitchView>,
}

pub fn write(sink: &mut Sink, seed: u64) -> Result<()> {
    let mut rng = Rng::new(seed, &format!("{NAME}/points"));
    let world = World {
        prims: head_prims(1.0, V3::ZERO, 1, (seed as u32) ^ 0x4ead),
        lights: lights(V3(0.4, 0.5, 0.8), V3(-0.6, 0.2, 0.3)),
        ambient: 0.28,
        background: WHITE,
    };
    let f = focal(SIZE, FOV_DEG);
    let c = SIZE as f64 / 2.0;
    let mut gt = GtBuilder::default();
    let (mut frames, mut views) = (Vec::new(), Vec::new());
    // Frames in head_james's order: the pitch-0 sweep by yaw, then the pitched views.
    let mut all: Vec<(i32, i32)> = TRAIN.iter().chain(TEST.iter()).copied().collect();
    all.sort_by_key(|&(y, p)| (p != 0, if p == 0 { y } else { 0 }));
    for &(yaw, pitch) in &all {
        let w2c = w2c_yaw_pitch(yaw as f64, pitch as f64, DISTANCE);
        let c2w = rigid_inverse(&w2c);
        let cam = Camera::from_c2w_opencv(c2w, Intrinsics { width: SIZE, height: SIZE, fx: f, fy: f, cx: c, cy: c });
        let r = world.render(&cam, &|o| o != 0);
        let file = file_name(yaw, pitch);
        let image = format!("images/{file}");
        sink.write(&format!("{NAME}/{image}"), &png_rgba(&r)?)?;
        let split = if TRAIN.contains(&(yaw, pitch)) { "train" } else { "test" };
        let stem = file.trim_end_matches(".png");
        gt.view(sink, NAME, NAME, split, stem, &image, &format!("gt/depth/{stem}.npy"), &r)?;
        frames.push(Frame {
            file_path: image,
            transform_matrix: matmul4(&c2w, &OPENGL_TO_OPENCV),
            yaw_deg: yaw,
            pitch_deg: pitch,
        });
        views.push(YawPitchView { file, yaw_deg: yaw, pitch_deg: pitch, w2c_opencv: w2c, c2w_opencv: c2w });
    }
    let names = |set: &[(i32, i32)]| -> Vec<String> {
        set.iter().map(|&(y, p)| format!("images/{}", file_name(y, p))).collect()
    };
    sink.json(
        &format!("{NAME}/transforms.json"),
        &Transforms {
            camera_model: "OPENCV",
            w: SIZE,
            h: SIZE,
            fl_x: f,
            fl_y: f,
            cx: c,
            cy: c,
            k1: 0.0,
            k2: 0.0,
            p1: 0.0,
            p2: 0.0,
            frames,
            train_filenames: names(&TRAIN[..]),
            test_filenames: names(&TEST[..]),
        },
    )?;
    sink.json(
        &format!("{NAME}/cameras_yaw_pitch.json"),
        &YawPitch {
            source: "splatbench-datasets procedural head (analytic primitives)",
            normalization: Normalization { center: [0.0; 3], scale: 1.0, note: "X_norm=(X_obj-center)/scale" },
            image_size: SIZE,
            fov_deg: FOV_DEG,
            fx: f,
            fy: f,
            cx_pixelcenter_half: c,
            cy_pixelcenter_half: c,
            cx_opencv: c - 0.5,
            cy_opencv: c - 0.5,
            convention: "w2c_opencv maps normalized object coords to OpenCV camera coords (x right, y down, z forward). \
                         yaw/pitch in degrees: object rotated by R=Rx(pitch)@Ry(yaw) then viewed from +z at distance 3 \
                         (normalized units).",
            views,
        },
    )?;
    let pts = sample_surface(&world, 1500.0, 40, 800, &mut rng, |_| true);
    gt.group(NAME, true, &pts);
    gt.finish(sink, NAME)
}
