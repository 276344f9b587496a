//! `srn_toy`: toy cars in the SRN-Cars layout.
//!
//! ```text
//! srn_toy/cars_train/<id>/{rgb/000000.png…, pose/000000.txt…, intrinsics.txt}   6 objects × 24 views
//! srn_toy/cars_test/<id>/…                                                      2 objects × 24 spiral views
//! srn_toy/README.md, srn_toy/conditioning.json                                  conditioning view = 6
//! ```
//! As in SRN: world up = +z, car front = +x, objects within 0.5 of the origin, cameras at radius 1.3 looking
//! at the origin with no roll (image down = projection of world −z), 64×64 white-background RGB,
//! f = 131.25 · 64/128 = 65.625. `pose/*.txt` is camera-to-world in OpenCV axes. `intrinsics.txt` is SRN's
//! `f cx cy 0 / 0 0 0 / 1 / H W` with integer pixel centres: we write cx = 32 (= W/2, as SRN does), which
//! is cx = 32.5 in the project convention — the renders use 32.5.
//! Train views: z/r ~ U(0.03, 0.95) (equal-area on the upper hemisphere), azimuth ~ U(0, 2π). Test views: a
//! spiral, elevation 5° → 85° linearly over 24 views while azimuth makes 2 turns, offset so that view 6 (the
//! conditioning view, SRN's view 64 of 251 scaled) is a front-left three-quarter view at azimuth 40°.

use super::{GtBuilder, WHITE, hsv, lights, matrix_text, png_rgb};
use crate::io::{Sink, sha256_hex};
use crate::math::{IDENTITY, M3, V3, look_at_c2w_opencv, rot_x};
use crate::points::sample_surface;
use crate::rng::Rng;
use crate::shapes::{Primitive, Shape};
use crate::texture::Texture;
use crate::tracer::World;
use splatbench_core::{Camera, Intrinsics, Result};

pub const NAME: &str = "srn_toy";
pub const SIZE: u32 = 64;
pub const FOCAL: f64 = 65.625;
pub const RADIUS: f64 = 1.3;
pub const TRAIN_OBJECTS: usize = 6;
pub const TEST_OBJECTS: usize = 2;
pub const TRAIN_VIEWS: usize = 24;
pub const TEST_VIEWS: usize = 24;
pub const CONDITIONING_VIEW: usize = 6;

/// A car: body box, cabin (box or ellipsoid), four wheels (torus tyres on cylinder hubs, or plain
/// cylinders), headlights, sometimes a spoiler. Sizes and colours drawn from `rng`.
fn car(rng: &mut Rng) -> Vec<Primitive> {
    let (l, w, h) = (rng.range(0.28, 0.34), rng.range(0.13, 0.16), rng.range(0.05, 0.075));
    let zb = -0.02;
    let hue = rng.f64();
    let paint = hsv(hue, rng.range(0.55, 0.9), rng.range(0.55, 0.85));
    let second = hsv(hue + rng.range(0.3, 0.7), rng.range(0.4, 0.8), rng.range(0.3, 0.7));
    let body_tex = match rng.below(4) {
        0 => Texture::Solid(paint),
        1 => Texture::Stripes { a: paint, b: second, axis: V3(1.0, 0.0, 0.0), freq: 9.0 },
        2 => Texture::Checker { a: paint, b: second, size: 0.07 },
        _ => Texture::Noise { a: paint, b: second, scale: 0.06, seed: rng.next_u64() as u32 },
    };
    let glass = Texture::Solid(hsv(0.58, 0.35, rng.range(0.25, 0.45)));
    let mut p = vec![Primitive::new(Shape::Cuboid { half: V3(l, w, h) }, IDENTITY, V3(0.0, 0.0, zb), body_tex, 1)];
    let cab_x = rng.range(-0.08, 0.03);
    if rng.f64() < 0.5 {
        let ch = rng.range(0.045, 0.06);
        p.push(Primitive::new(
            Shape::Cuboid { half: V3(l * rng.range(0.42, 0.55), w * 0.85, ch) },
            IDENTITY,
            V3(cab_x, 0.0, zb + h + ch),
            glass,
            1,
        ));
    } else {
        p.push(Primitive::new(
            Shape::Ellipsoid { radii: V3(l * rng.range(0.5, 0.6), w * 0.88, rng.range(0.09, 0.11)) },
            IDENTITY,
            V3(cab_x, 0.0, zb + h),
            glass,
            1,
        ));
    }
    let tyre = Texture::Solid([0.12, 0.12, 0.13]);
    let hub = Texture::Stripes { a: [0.75, 0.75, 0.78], b: [0.35, 0.35, 0.38], axis: V3(1.0, 0.0, 0.0), freq: 40.0 };
    let axle: M3 = rot_x(90.0); // local z (the wheel axis) → world −y
    let torus_wheels = rng.f64() < 0.6;
    for (sx, sy) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
        let c = V3(sx * (l - 0.075), sy * (w - 0.005), zb - h);
        if torus_wheels {
            p.push(Primitive::new(Shape::Torus { major: 0.045, minor: 0.025 }, axle, c, tyre.clone(), 1));
            p.push(Primitive::new(Shape::Cylinder { radius: 0.048, half_height: 0.012 }, axle, c, hub.clone(), 1));
        } else {
            p.push(Primitive::new(Shape::Cylinder { radius: 0.068, half_height: 0.025 }, axle, c, tyre.clone(), 1));
        }
    }
    for sy in [1.0, -1.0] {
        p.push(Primitive::new(
            Shape::Ellipsoid { radii: V3(0.02, 0.025, 0.018) },
            IDENTITY,
            V3(l, sy * w * 0.6, zb + h * 0.3),
            Texture::Solid([0.95, 0.85, 0.3]),
            1,
        ));
    }
    if rng.f64() < 0.35 {
        p.push(Primitive::new(
            Shape::Cuboid { half: V3(0.03, w * 0.9, 0.008) },
            IDENTITY,
            V3(-l + 0.02, 0.0, zb + h + 0.05),
            Texture::Solid(second),
            1,
        ));
        p.push(Primitive::new(
            Shape::Cylinder { radius: 0.01, half_height: 0.025 },
            IDENTITY,
            V3(-l + 0.02, 0.0, zb + h + 0.025),
            Texture::Solid(second),
            1,
        ));
    }
    p
}

pub fn camera(c2w: [[f64; 4]; 4]) -> Camera {
    // SRN's integer-centre principal point W/2 is W/2 + ½ here.
    let c = SIZE as f64 / 2.0 + 0.5;
    Camera::from_c2w_opencv(c2w, Intrinsics { width: SIZE, height: SIZE, fx: FOCAL, fy: FOCAL, cx: c, cy: c })
}

fn on_sphere(elev: f64, azim: f64) -> [[f64; 4]; 4] {
    let eye = V3(elev.cos() * azim.cos(), elev.cos() * azim.sin(), elev.sin()) * RADIUS;
    look_at_c2w_opencv(eye, V3::ZERO, V3(0.0, 0.0, 1.0))
}

pub fn train_poses(rng: &mut Rng) -> Vec<[[f64; 4]; 4]> {
    (0..TRAIN_VIEWS)
        .map(|_| {
            let z = rng.range(0.03, 0.95);
            on_sphere(z.asin(), rng.range(0.0, std::f64::consts::TAU))
        })
        .collect()
}

pub fn test_poses() -> Vec<[[f64; 4]; 4]> {
    let n = (TEST_VIEWS - 1) as f64;
    let turn = |k: usize| 2.0 * 360.0 * k as f64 / n;
    let offset = 40.0 - turn(CONDITIONING_VIEW);
    (0..TEST_VIEWS)
        .map(|k| on_sphere((5.0 + 80.0 * k as f64 / n).to_radians(), (offset + turn(k)).to_radians()))
        .collect()
}

fn object_id(seed: u64, k: usize) -> String {
    sha256_hex(format!("splatbench/srn_toy/{seed}/{k}").as_bytes())[..32].to_string()
}

pub fn write(sink: &mut Sink, seed: u64) -> Result<()> {
    let mut gt = GtBuilder::default();
    // SRN's own principal point is W/2 in its integer-centre convention.
    let c = (SIZE / 2) as f64;
    let intrinsics = format!("{FOCAL:.6} {c:.6} {c:.6} 0.\n0. 0. 0.\n1.\n{SIZE} {SIZE}\n");
    let tests = test_poses();
    for k in 0..TRAIN_OBJECTS + TEST_OBJECTS {
        let (dir, split) = if k < TRAIN_OBJECTS { ("cars_train", "train") } else { ("cars_test", "test") };
        let id = object_id(seed, k);
        let mut rng = Rng::new(seed, &format!("{NAME}/object/{k}"));
        let world = World {
            prims: car(&mut rng),
            lights: lights(V3(0.4, 0.3, 1.0), V3(-0.5, -0.7, 0.4)),
            ambient: 0.3,
            background: WHITE,
        };
        let poses = if k < TRAIN_OBJECTS { train_poses(&mut rng) } else { tests.clone() };
        let obj = format!("{dir}/{id}");
        sink.write(&format!("{NAME}/{obj}/intrinsics.txt"), intrinsics.as_bytes())?;
        for (v, c2w) in poses.iter().enumerate() {
            let stem = format!("{v:06}");
            let r = world.render(&camera(*c2w), &|o| o != 0);
            let image = format!("{obj}/rgb/{stem}.png");
            sink.write(&format!("{NAME}/{image}"), &png_rgb(&r)?)?;
            sink.write(&format!("{NAME}/{obj}/pose/{stem}.txt"), matrix_text(c2w).as_bytes())?;
            gt.view(sink, NAME, &id, split, &stem, &image, &format!("gt/depth/{obj}/{stem}.npy"), &r)?;
        }
        let pts = sample_surface(&world, 1500.0, 30, 600, &mut rng, |_| true);
        gt.group(&id, true, &pts);
    }
    gt.finish(sink, NAME)?;
    sink.json(
        &format!("{NAME}/conditioning.json"),
        &serde_json::json!({ "conditioning_view": CONDITIONING_VIEW, "test_views": TEST_VIEWS }),
    )?;
    let readme = format!(
        "# srn_toy — procedural toy cars in the SRN-Cars layout (splatbench-datasets)\n\n\
         Not SRN-Cars: analytic ray-traced primitives (boxes, ellipsoids, cylinders, tori) with procedural textures.\n\
         {TRAIN_OBJECTS} objects × {TRAIN_VIEWS} views in `cars_train/`, {TEST_OBJECTS} objects × {TEST_VIEWS} spiral views in \
         `cars_test/`; {SIZE}×{SIZE} RGB on white; f = {FOCAL} px.\n\n\
         - **Conditioning view: {CONDITIONING_VIEW}** (the role of SRN's view 64 of 251; also in `conditioning.json`).\n\
         - World up = +z, car front = +x; cameras at radius {RADIUS} look at the origin without roll.\n\
         - `pose/*.txt`: camera-to-world, OpenCV axes. `intrinsics.txt`: SRN format, integer pixel centres \
         (cx = cy = {} here is {} with pixel (0, 0) centred at (0.5, 0.5)).\n\
         - `gt/`: exact z-depth per view and surface points (for tests; not part of the SRN format).\n",
        SIZE / 2,
        SIZE as f64 / 2.0 + 0.5
    );
    sink.write(&format!("{NAME}/README.md"), readme.as_bytes())
}
