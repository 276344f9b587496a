//! Points on the true surface, exported so tests (and COLMAP `points3D`) can check cameras against images.
//!
//! A sample on one primitive that lies strictly inside another is not on the union's surface and is
//! dropped. A point is *seen* by a camera when it projects inside the image in front of the camera and the
//! ray from the camera centre towards it first hits a surface at (to 1e-6 relative) its own distance.

use crate::math::V3;
use crate::rng::Rng;
use crate::texture::Rgb;
use crate::tracer::World;
use splatbench_core::Camera;

pub struct SurfacePoint {
    pub pos: V3,
    pub color: Rgb,
    pub object: u16,
}

/// About `density` points per unit area on every primitive whose object passes `include`, at least `min`
/// and at most `max` per primitive, in primitive order.
pub fn sample_surface(
    world: &World,
    density: f64,
    min: usize,
    max: usize,
    rng: &mut Rng,
    include: impl Fn(u16) -> bool,
) -> Vec<SurfacePoint> {
    let mut out = Vec::new();
    for (k, prim) in world.prims.iter().enumerate() {
        if !include(prim.object) {
            continue;
        }
        let n = ((prim.shape.area() * density).round() as usize).clamp(min, max);
        for _ in 0..n {
            let (p, local) = prim.sample(rng);
            if world.prims.iter().enumerate().any(|(j, q)| j != k && q.contains(p)) {
                continue;
            }
            let color = world.shade(k, local, prim.normal_at(local));
            out.push(SurfacePoint { pos: p, color, object: prim.object });
        }
    }
    out
}

/// Pixel position (project convention: pixel (0, 0) centred at (0.5, 0.5)) where `cam` sees `p`, if it does.
pub fn observe(world: &World, cam: &Camera, p: V3) -> Option<[f64; 2]> {
    let (uv, z) = cam.project(p.arr());
    if z <= 0.0 || !(0.0..cam.width as f64).contains(&uv[0]) || !(0.0..cam.height as f64).contains(&uv[1]) {
        return None;
    }
    let eye = V3::from_arr(cam.center());
    let to = p - eye;
    let dist = to.norm();
    let (hit, _) = world.trace(eye, to * (1.0 / dist), 1e-9)?;
    (hit.t >= dist * (1.0 - 1e-6)).then_some(uv)
}
