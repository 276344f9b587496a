//! `blender_toy`: a small still life in the NeRF-synthetic (Blender) format.
//!
//! ```text
//! blender_toy/transforms_{train,val,test}.json   camera_angle_x, frames[{file_path "./train/r_0", rotation,
//!                                                 transform_matrix}] — file_path without extension
//! blender_toy/{train,val,test}/r_N.png           RGBA 64×64, alpha = coverage, transparent pixels white
//! ```
//! World z up (Blender). `transform_matrix` is camera-to-world in OpenGL axes (x right, y up, z backward) =
//! c2w_opencv · diag(1, −1, −1, 1). Focal f = (W/2)/tan(camera_angle_x/2) and principal point W/2, H/2 with
//! pixel (0, 0) centred at (0.5, 0.5) (nerfstudio's reading of Blender scenes).
//! Cameras at radius 2.7 looking at the origin: train and val uniform on the upper hemisphere (z/r ~
//! U(0.05, 0.95)), test on a ring at 30° elevation.

use super::{GtBuilder, WHITE, lights, png_rgba};
use crate::io::Sink;
use crate::math::{IDENTITY, V3, look_at_c2w_opencv, rot_x, rot_z};
use crate::points::sample_surface;
use crate::rng::Rng;
use crate::shapes::{Primitive, Shape};
use crate::texture::Texture;
use crate::tracer::World;
use serde::Serialize;
use splatbench_core::camera::{OPENGL_TO_OPENCV, matmul4};
use splatbench_core::{Camera, Intrinsics, Result};

pub const NAME: &str = "blender_toy";
pub const SIZE: u32 = 64;
pub const CAMERA_ANGLE_X: f64 = 0.6911112070083618;
pub const RADIUS: f64 = 2.7;
pub const SPLITS: [(&str, usize); 3] = [("train", 24), ("val", 4), ("test", 6)];

fn still_life(seed: u32) -> Vec<Primitive> {
    vec![
        Primitive::new(
            Shape::Cuboid { half: V3(0.5, 0.5, 0.08) },
            IDENTITY,
            V3(0.0, 0.0, -0.4),
            Texture::Checker { a: [0.9, 0.85, 0.7], b: [0.3, 0.25, 0.2], size: 0.2 },
            1,
        ),
        Primitive::new(
            Shape::Cylinder { radius: 0.12, half_height: 0.25 },
            IDENTITY,
            V3(-0.22, -0.2, -0.07),
            Texture::Stripes { a: [0.9, 0.3, 0.2], b: [0.95, 0.9, 0.85], axis: V3(0.0, 0.0, 1.0), freq: 8.0 },
            1,
        ),
        Primitive::new(
            Shape::Ellipsoid { radii: V3(0.22, 0.22, 0.22) },
            IDENTITY,
            V3(0.2, 0.15, -0.1),
            Texture::Noise { a: [0.2, 0.4, 0.8], b: [0.7, 0.9, 1.0], scale: 0.08, seed },
            1,
        ),
        Primitive::new(
            Shape::Torus { major: 0.25, minor: 0.06 },
            rot_x(60.0),
            V3(0.0, 0.0, 0.3),
            Texture::Solid([0.85, 0.15, 0.2]),
            1,
        ),
        Primitive::new(
            Shape::Ellipsoid { radii: V3(0.1, 0.18, 0.12) },
            rot_z(30.0),
            V3(-0.25, 0.25, -0.2),
            Texture::Solid([0.2, 0.7, 0.3]),
            1,
        ),
        Primitive::new(
            Shape::Cuboid { half: V3(0.1, 0.1, 0.1) },
            rot_z(30.0),
            V3(0.25, -0.25, -0.22),
            Texture::Checker { a: [0.2, 0.3, 0.9], b: [0.95, 0.95, 0.3], size: 0.07 },
            1,
        ),
    ]
}

#[derive(Serialize)]
struct Frame {
    file_path: String,
    rotation: f64,
    transform_matrix: [[f64; 4]; 4],
}

#[derive(Serialize)]
struct Transforms {
    camera_angle_x: f64,
    frames: Vec<Frame>,
}

pub fn focal() -> f64 {
    SIZE as f64 / 2.0 / (CAMERA_ANGLE_X / 2.0).tan()
}

fn pose(elev: f64, azim: f64) -> [[f64; 4]; 4] {
    let eye = V3(elev.cos() * azim.cos(), elev.cos() * azim.sin(), elev.sin()) * RADIUS;
    look_at_c2w_opencv(eye, V3::ZERO, V3(0.0, 0.0, 1.0))
}

pub fn write(sink: &mut Sink, seed: u64) -> Result<()> {
    let mut rng = Rng::new(seed, &format!("{NAME}/scene"));
    let world = World {
        prims: still_life(rng.next_u64() as u32),
        lights: lights(V3(0.5, 0.3, 1.0), V3(-0.6, -0.4, 0.3)),
        ambient: 0.3,
        background: WHITE,
    };
    let (f, c) = (focal(), SIZE as f64 / 2.0);
    let mut gt = GtBuilder::default();
    for (split, n) in SPLITS {
        let mut frames = Vec::new();
        for k in 0..n {
            let c2w = if split == "test" {
                pose(30f64.to_radians(), std::f64::consts::TAU * k as f64 / n as f64)
            } else {
                pose(rng.range(0.05, 0.95).asin(), rng.range(0.0, std::f64::consts::TAU))
            };
            let r = world.render(
                &Camera::from_c2w_opencv(c2w, Intrinsics { width: SIZE, height: SIZE, fx: f, fy: f, cx: c, cy: c }),
                &|o| o != 0,
            );
            let image = format!("{split}/r_{k}.png");
            sink.write(&format!("{NAME}/{image}"), &png_rgba(&r)?)?;
            gt.view(sink, NAME, NAME, split, &format!("r_{k}"), &image, &format!("gt/depth/{split}/r_{k}.npy"), &r)?;
            frames.push(Frame {
                file_path: format!("./{split}/r_{k}"),
                rotation: 0.012566370614359171,
                transform_matrix: matmul4(&c2w, &OPENGL_TO_OPENCV),
            });
        }
        sink.json(&format!("{NAME}/transforms_{split}.json"), &Transforms { camera_angle_x: CAMERA_ANGLE_X, frames })?;
    }
    let pts = sample_surface(&world, 1500.0, 40, 800, &mut rng, |_| true);
    gt.group(NAME, true, &pts);
    gt.finish(sink, NAME)
}
