//! `roi_toy`: an object of interest (a small head on a pedestal) in a textured room with clutter, as a COLMAP
//! text model with ROI masks and monocular-style depth — the layout of `shared/datasets/roi_head_scene`.
//!
//! ```text
//! roi_toy/images/view_NN.png            24 RGB views, 96×72, yaw −60°…+60°, pitch alternating −4°/+12°, d = 3
//! roi_toy/pure_masks/view_NN.png        8-bit gray: 255 where the head covers ≥ 50 % of the pixel, else 0
//! roi_toy/depth_pro/view_NN.npy         float32 H×W monocular-style depth (see below)
//! roi_toy/depth_exact/view_NN.npy       float32 H×W exact z-depth at pixel centres
//! roi_toy/depth_pro_meta.json           per view: focallength_px (estimate), scale, shift (for tests)
//! roi_toy/sparse/0/{cameras,images,points3D}.txt   COLMAP text, 1 PINHOLE camera (fx = fy = 90, cx = 48, cy = 36)
//! roi_toy/test.txt                      test images, one name a line (every 8th view)
//! ```
//! World: y up, the head looks towards +z; cameras use the head scene's yaw/pitch model. COLMAP stores
//! world-to-camera (qvec w, x, y, z; tvec) in OpenCV axes with pixel (0, 0) centred at (0.5, 0.5) — the
//! project convention, so no shift. points3D are surface samples seen by ≥ 2 images; their 2-D keypoints are
//! exact projections and ERROR is 0.
//! Monocular depth: `d = (z · (1 + e(u, v))) · s + b`, per-view scale s ~ U(0.85, 1.15) and shift
//! b ~ U(−0.12, 0.12), e a smooth ≈ 2 % field (three random low-frequency sinusoids), then a Gaussian blur
//! with σ = 1.5 px (separable, edge-clamped) that smears depth edges as estimators do.

use super::head::{head_prims, w2c_yaw_pitch};
use super::{GtBuilder, lights, png_rgb};
use crate::io::{Sink, png};
use crate::math::{IDENTITY, V3, rot_x, rot_y};
use crate::points::{observe, sample_surface};
use crate::rng::Rng;
use crate::shapes::{Primitive, Shape};
use crate::texture::Texture;
use crate::tracer::World;
use serde::Serialize;
use splatbench_core::camera::{rigid_inverse, rotmat_to_quat};
use splatbench_core::{Camera, Intrinsics, Result};
use std::fmt::Write;

pub const NAME: &str = "roi_toy";
pub const WIDTH: u32 = 96;
pub const HEIGHT: u32 = 72;
pub const FOCAL: f64 = 90.0;
pub const VIEWS: usize = 24;
pub const ROI: u16 = 1;

fn room(seed: u32) -> Vec<Primitive> {
    let rect = |hx: f64, hy: f64| Shape::Rect { hx, hy };
    let floor = Texture::Checker { a: [0.72, 0.62, 0.48], b: [0.38, 0.30, 0.22], size: 0.4 };
    let back = Texture::Noise { a: [0.35, 0.5, 0.7], b: [0.85, 0.88, 0.9], scale: 0.35, seed };
    let side = Texture::Stripes { a: [0.75, 0.7, 0.55], b: [0.55, 0.42, 0.35], axis: V3(1.0, 0.0, 0.0), freq: 2.5 };
    let front = Texture::Noise { a: [0.5, 0.65, 0.45], b: [0.8, 0.8, 0.7], scale: 0.5, seed: seed ^ 1 };
    // Rect normals (local +z) face into the room; extents overlap a little so no ray escapes at the corners.
    vec![
        Primitive::new(rect(3.6, 3.35), rot_x(-90.0), V3(0.0, -0.9, 1.25), floor, 3),
        Primitive::new(rect(3.6, 1.55), IDENTITY, V3(0.0, 0.6, -2.0), back, 3),
        Primitive::new(rect(3.6, 3.35), rot_x(90.0), V3(0.0, 2.1, 1.25), Texture::Solid([0.9, 0.9, 0.88]), 3),
        Primitive::new(rect(3.35, 1.55), rot_y(90.0), V3(-3.5, 0.6, 1.25), side.clone(), 3),
        Primitive::new(rect(3.35, 1.55), rot_y(-90.0), V3(3.5, 0.6, 1.25), side, 3),
        Primitive::new(rect(3.6, 1.55), rot_y(180.0), V3(0.0, 0.6, 4.5), front, 3),
    ]
}

fn clutter(seed: u32) -> Vec<Primitive> {
    let up = rot_x(-90.0); // local z → world +y
    vec![
        // The pedestal the head stands on (not part of the ROI).
        Primitive::new(
            Shape::Cylinder { radius: 0.2, half_height: 0.31 },
            up,
            V3(0.0, -0.59, -0.02),
            Texture::Solid([0.55, 0.55, 0.6]),
            2,
        ),
        Primitive::new(
            Shape::Cuboid { half: V3(0.3, 0.3, 0.3) },
            rot_y(25.0),
            V3(-1.2, -0.6, -0.6),
            Texture::Checker { a: [0.85, 0.3, 0.2], b: [0.95, 0.85, 0.3], size: 0.15 },
            2,
        ),
        Primitive::new(
            Shape::Torus { major: 0.25, minor: 0.08 },
            up,
            V3(1.0, -0.82, 0.4),
            Texture::Solid([0.2, 0.6, 0.3]),
            2,
        ),
        Primitive::new(
            Shape::Ellipsoid { radii: V3(0.4, 0.4, 0.4) },
            IDENTITY,
            V3(1.4, -0.5, -1.1),
            Texture::Noise { a: [0.6, 0.2, 0.6], b: [0.95, 0.7, 0.9], scale: 0.12, seed },
            2,
        ),
        Primitive::new(
            Shape::Cylinder { radius: 0.22, half_height: 0.6 },
            up,
            V3(-2.0, -0.3, -1.3),
            Texture::Stripes { a: [0.2, 0.3, 0.8], b: [0.9, 0.9, 0.95], axis: V3(0.0, 1.0, 0.0), freq: 5.0 },
            2,
        ),
        Primitive::new(
            Shape::Ellipsoid { radii: V3(0.18, 0.12, 0.14) },
            rot_y(40.0),
            V3(0.75, -0.78, 1.0),
            Texture::Solid([0.95, 0.55, 0.15]),
            2,
        ),
    ]
}

pub fn view_angles() -> Vec<(f64, f64)> {
    (0..VIEWS).map(|k| (-60.0 + 120.0 * k as f64 / (VIEWS - 1) as f64, if k % 2 == 0 { -4.0 } else { 12.0 })).collect()
}

pub fn camera(yaw: f64, pitch: f64) -> Camera {
    let c2w = rigid_inverse(&w2c_yaw_pitch(yaw, pitch, 3.0));
    Camera::from_c2w_opencv(c2w, Intrinsics::centred(WIDTH, HEIGHT, FOCAL))
}

pub fn is_test(k: usize) -> bool {
    k % 8 == 0
}

/// Separable Gaussian blur with edge clamping; sums in a fixed order (deterministic).
fn blur(w: usize, h: usize, data: &[f64], sigma: f64) -> Vec<f64> {
    let r = (3.0 * sigma).ceil() as i64;
    let k: Vec<f64> = (-r..=r).map(|x| (-(x * x) as f64 / (2.0 * sigma * sigma)).exp()).collect();
    let norm: f64 = k.iter().sum();
    let pass = |src: &[f64], horizontal: bool| -> Vec<f64> {
        (0..w * h)
            .map(|idx| {
                let (i, j) = ((idx / w) as i64, (idx % w) as i64);
                let mut acc = 0.0;
                for (t, kv) in k.iter().enumerate() {
                    let o = t as i64 - r;
                    let (ii, jj) = if horizontal {
                        (i, (j + o).clamp(0, w as i64 - 1))
                    } else {
                        ((i + o).clamp(0, h as i64 - 1), j)
                    };
                    acc += kv * src[(ii as usize) * w + jj as usize];
                }
                acc / norm
            })
            .collect()
    };
    pass(&pass(data, true), false)
}

#[derive(Serialize)]
struct DepthMeta {
    view: String,
    focallength_px: f64,
    scale: f64,
    shift: f64,
}

fn monocular(rng: &mut Rng, depth: &[f32]) -> (Vec<f32>, f64, f64) {
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    let (s, b) = (rng.range(0.85, 1.15), rng.range(-0.12, 0.12));
    let waves: Vec<[f64; 4]> = (0..3)
        .map(|_| {
            [rng.range(-1.5, 1.5), rng.range(-1.5, 1.5), rng.range(0.0, std::f64::consts::TAU), rng.range(0.005, 0.012)]
        })
        .collect();
    let raw: Vec<f64> = (0..w * h)
        .map(|idx| {
            let (u, v) = ((idx % w) as f64 / w as f64, (idx / w) as f64 / h as f64);
            let e: f64 =
                waves.iter().map(|q| q[3] * (std::f64::consts::TAU * (q[0] * u + q[1] * v) + q[2]).sin()).sum();
            depth[idx] as f64 * (1.0 + e) * s + b
        })
        .collect();
    (blur(w, h, &raw, 1.5).into_iter().map(|v| v as f32).collect(), s, b)
}

pub fn write(sink: &mut Sink, seed: u64) -> Result<()> {
    let mut rng = Rng::new(seed, &format!("{NAME}/scene"));
    let tex_seed = rng.next_u64() as u32;
    let mut prims = head_prims(0.6, V3(0.0, 0.05, 0.0), ROI, tex_seed);
    prims.extend(clutter(tex_seed ^ 7));
    prims.extend(room(tex_seed ^ 11));
    let world =
        World { prims, lights: lights(V3(0.3, 0.8, 0.5), V3(-0.5, 0.4, 0.6)), ambient: 0.3, background: [0.5; 3] };
    let mut gt = GtBuilder::default();
    let cams: Vec<Camera> = view_angles().into_iter().map(|(y, p)| camera(y, p)).collect();
    let names: Vec<String> = (0..VIEWS).map(|k| format!("view_{k:02}")).collect();
    let mut meta = Vec::new();
    for (k, cam) in cams.iter().enumerate() {
        let stem = &names[k];
        let r = world.render(cam, &|o| o == ROI);
        sink.write(&format!("{NAME}/images/{stem}.png"), &png_rgb(&r)?)?;
        let mask: Vec<u8> = r.coverage.iter().map(|&c| if c >= 0.5 { 255 } else { 0 }).collect();
        sink.write(&format!("{NAME}/pure_masks/{stem}.png"), &png(WIDTH, HEIGHT, 1, &mask)?)?;
        let split = if is_test(k) { "test" } else { "train" };
        gt.view(sink, NAME, NAME, split, stem, &format!("images/{stem}.png"), &format!("depth_exact/{stem}.npy"), &r)?;
        let (mono, s, b) = monocular(&mut rng, &r.depth);
        sink.npy_f32(&format!("{NAME}/depth_pro/{stem}.npy"), HEIGHT, WIDTH, &mono)?;
        meta.push(DepthMeta { view: stem.clone(), focallength_px: FOCAL * rng.range(0.95, 1.05), scale: s, shift: b });
    }
    sink.json(&format!("{NAME}/depth_pro_meta.json"), &meta)?;
    let test: String = (0..VIEWS).filter(|&k| is_test(k)).map(|k| format!("{}.png\n", names[k])).collect();
    sink.write(&format!("{NAME}/test.txt"), test.as_bytes())?;

    let pts = sample_surface(&world, 400.0, 20, 250, &mut rng, |_| true);
    let (roi, rest): (Vec<_>, Vec<_>) = pts.into_iter().partition(|p| p.object == ROI);
    gt.group("roi", true, &roi);
    gt.group("room", false, &rest);
    gt.finish(sink, NAME)?;
    write_colmap(sink, &world, &cams, &names, roi.iter().chain(rest.iter()))
}

fn write_colmap<'a>(
    sink: &mut Sink,
    world: &World,
    cams: &[Camera],
    names: &[String],
    pts: impl Iterator<Item = &'a crate::points::SurfacePoint>,
) -> Result<()> {
    // Observations per image, in point order: (x, y, point id).
    let mut obs: Vec<Vec<([f64; 2], usize)>> = vec![Vec::new(); cams.len()];
    let mut lines = String::new();
    let (mut n_points, mut n_obs) = (0usize, 0usize);
    for p in pts {
        let seen: Vec<(usize, [f64; 2])> =
            cams.iter().enumerate().filter_map(|(k, c)| observe(world, c, p.pos).map(|uv| (k, uv))).collect();
        if seen.len() < 2 {
            continue;
        }
        n_points += 1;
        let rgb = p.color.map(crate::io::to_u8);
        let _ =
            write!(lines, "{n_points} {:.9} {:.9} {:.9} {} {} {} 0", p.pos.0, p.pos.1, p.pos.2, rgb[0], rgb[1], rgb[2]);
        for (k, uv) in seen {
            let _ = write!(lines, " {} {}", k + 1, obs[k].len());
            obs[k].push((uv, n_points));
            n_obs += 1;
        }
        lines.push('\n');
    }
    let root = format!("{NAME}/sparse/0");
    let cameras = format!(
        "# Camera list with one line of data per camera:\n#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n\
         # Number of cameras: 1\n1 PINHOLE {WIDTH} {HEIGHT} {FOCAL:.6} {FOCAL:.6} {:.6} {:.6}\n",
        WIDTH as f64 / 2.0,
        HEIGHT as f64 / 2.0
    );
    sink.write(&format!("{root}/cameras.txt"), cameras.as_bytes())?;
    let mut images = format!(
        "# Image list with two lines of data per image:\n#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME\n\
         #   POINTS2D[] as (X, Y, POINT3D_ID)\n# Number of images: {}, mean observations per image: {:.6}\n",
        cams.len(),
        n_obs as f64 / cams.len() as f64
    );
    for (k, cam) in cams.iter().enumerate() {
        let m = &cam.world_to_camera;
        let r = [[m[0][0], m[0][1], m[0][2]], [m[1][0], m[1][1], m[1][2]], [m[2][0], m[2][1], m[2][2]]];
        let q = rotmat_to_quat(&r).map(|v| v + 0.0);
        let t = [m[0][3], m[1][3], m[2][3]].map(|v| v + 0.0);
        let _ = writeln!(
            images,
            "{} {:.12} {:.12} {:.12} {:.12} {:.12} {:.12} {:.12} 1 {}.png",
            k + 1,
            q[0],
            q[1],
            q[2],
            q[3],
            t[0],
            t[1],
            t[2],
            names[k]
        );
        let row: Vec<String> = obs[k].iter().map(|(uv, id)| format!("{:.6} {:.6} {id}", uv[0], uv[1])).collect();
        images.push_str(&row.join(" "));
        images.push('\n');
    }
    sink.write(&format!("{root}/images.txt"), images.as_bytes())?;
    let header = format!(
        "# 3D point list with one line of data per point:\n\
         #   POINT3D_ID, X, Y, Z, R, G, B, ERROR, TRACK[] as (IMAGE_ID, POINT2D_IDX)\n\
         # Number of points: {n_points}, mean track length: {:.6}\n",
        n_obs as f64 / n_points.max(1) as f64
    );
    sink.write(&format!("{root}/points3D.txt"), (header + &lines).as_bytes())
}
