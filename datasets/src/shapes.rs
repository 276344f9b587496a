//! Analytic primitives: ray intersection, inside test, surface area and surface sampling, all in the
//! primitive's local frame (world = R·local + centre; rays are transformed, not the shapes, so `t` is the same
//! in both frames because R is a rotation).
//!
//! - Ellipsoid with radii (a, b, c): scale by 1/radii to the unit sphere and solve the quadratic there; the
//!   normal is ∇(x²/a² + y²/b² + z²/c²) = p/radii².
//! - Cuboid with half-extents h: slab test; the normal is the axis whose |p_i|/h_i is largest.
//! - Cylinder of radius r, half-height h along local z, capped: quadratic in (x, y) plus the two cap planes.
//! - Torus with major radius R and tube radius r around local z: f(p) = (|p|² + R² − r²)² − 4R²(x² + y²) is a
//!   quartic along the ray; its first root inside the bounding sphere is isolated between the critical points
//!   of f (see `torus_hit`) and bisected, so a ray that only grazes the tube still hits it where the surface
//!   sampler puts points.
//! - Rect (a bounded plane z = 0, |x| ≤ hx, |y| ≤ hy), two-sided, zero thickness.

use crate::math::{M3, V3, mat_t_vec, mat_vec};
use crate::rng::Rng;
use crate::texture::Texture;
use std::f64::consts::{PI, TAU};

#[derive(Clone, Debug)]
pub enum Shape {
    Ellipsoid { radii: V3 },
    Cuboid { half: V3 },
    Cylinder { radius: f64, half_height: f64 },
    Torus { major: f64, minor: f64 },
    Rect { hx: f64, hy: f64 },
}

/// A shape placed in the world with its texture and the id of the object it belongs to (0 is reserved for
/// "no object": background).
#[derive(Clone, Debug)]
pub struct Primitive {
    pub shape: Shape,
    pub rot: M3,
    pub center: V3,
    pub texture: Texture,
    pub object: u16,
}

pub struct Hit {
    pub t: f64,
    /// Outward unit normal in world axes (for a Rect: local +z).
    pub normal: V3,
    /// Hit point in the local frame (where textures are evaluated).
    pub local: V3,
}

impl Shape {
    fn hit_local(&self, o: V3, d: V3, tmin: f64) -> Option<(f64, V3)> {
        match *self {
            Shape::Ellipsoid { radii } => {
                let (os, ds) = (o.cdiv(radii), d.cdiv(radii));
                let (a, b, c) = (ds.dot(ds), os.dot(ds), os.dot(os) - 1.0);
                let disc = b * b - a * c;
                if disc < 0.0 {
                    return None;
                }
                let s = disc.sqrt();
                let t = [(-b - s) / a, (-b + s) / a].into_iter().find(|&t| t >= tmin)?;
                let p = o + d * t;
                Some((t, p.cdiv(radii.cmul(radii)).normalized()))
            }
            Shape::Cuboid { half } => {
                let (mut tn, mut tf) = (f64::NEG_INFINITY, f64::INFINITY);
                for (oi, di, hi) in [(o.0, d.0, half.0), (o.1, d.1, half.1), (o.2, d.2, half.2)] {
                    if di.abs() < 1e-300 {
                        if oi.abs() > hi {
                            return None;
                        }
                        continue;
                    }
                    let (t1, t2) = ((-hi - oi) / di, (hi - oi) / di);
                    tn = tn.max(t1.min(t2));
                    tf = tf.min(t1.max(t2));
                }
                if tn > tf || tf < tmin {
                    return None;
                }
                let t = if tn >= tmin { tn } else { tf };
                let p = o + d * t;
                let r = [p.0 / half.0, p.1 / half.1, p.2 / half.2];
                let k = (0..3).max_by(|&a, &b| r[a].abs().total_cmp(&r[b].abs())).unwrap_or(0);
                let mut n = [0.0; 3];
                n[k] = r[k].signum();
                Some((t, V3::from_arr(n)))
            }
            Shape::Cylinder { radius, half_height } => {
                let mut best: Option<(f64, V3)> = None;
                let mut offer = |t: f64, n: V3| {
                    if t >= tmin && best.as_ref().is_none_or(|b| t < b.0) {
                        best = Some((t, n));
                    }
                };
                let a = d.0 * d.0 + d.1 * d.1;
                if a > 1e-300 {
                    let b = o.0 * d.0 + o.1 * d.1;
                    let c = o.0 * o.0 + o.1 * o.1 - radius * radius;
                    let disc = b * b - a * c;
                    if disc >= 0.0 {
                        let s = disc.sqrt();
                        for t in [(-b - s) / a, (-b + s) / a] {
                            let p = o + d * t;
                            if p.2.abs() <= half_height {
                                offer(t, V3(p.0 / radius, p.1 / radius, 0.0));
                            }
                        }
                    }
                }
                if d.2.abs() > 1e-300 {
                    for zc in [-half_height, half_height] {
                        let t = (zc - o.2) / d.2;
                        let p = o + d * t;
                        if p.0 * p.0 + p.1 * p.1 <= radius * radius {
                            offer(t, V3(0.0, 0.0, zc.signum()));
                        }
                    }
                }
                best
            }
            Shape::Torus { major, minor } => {
                // Bounding sphere |p| ≤ R + r gives the interval to search.
                let rb = major + minor;
                let (b, c) = (o.dot(d), o.dot(o) - rb * rb);
                let disc = b * b - c;
                if disc < 0.0 {
                    return None;
                }
                let s = disc.sqrt();
                // Measure along the ray from its closest approach to the centre: every term of the quartic is
                // then of the torus's size, instead of the camera distance's, and keeps its precision.
                let tc = -b;
                let oc = o + d * tc;
                // A hair outside the bounding sphere f > 0 holds strictly, so a root on the sphere itself
                // (grazing the equator) is still a sign change.
                let (u0, u1) = ((-s - 1e-3 * minor).max(tmin - tc), s);
                if u1 < u0 {
                    return None;
                }
                let u = torus_hit(oc, d, major, minor, u0, u1)?;
                let p = oc + d * u;
                let g = p.dot(p) + major * major - minor * minor;
                let n = p * (4.0 * g) - V3(p.0, p.1, 0.0) * (8.0 * major * major);
                // `p` is relative to the closest approach; the caller wants the ray parameter.
                Some((tc + u, n.normalized()))
            }
            Shape::Rect { hx, hy } => {
                if d.2.abs() < 1e-300 {
                    return None;
                }
                let t = -o.2 / d.2;
                let p = o + d * t;
                (t >= tmin && p.0.abs() <= hx && p.1.abs() <= hy).then_some((t, V3(0.0, 0.0, 1.0)))
            }
        }
    }

    /// Strictly inside (by a margin), so points on a shared boundary are not discarded twice.
    fn inside_local(&self, p: V3) -> bool {
        const EPS: f64 = 1e-6;
        match *self {
            Shape::Ellipsoid { radii } => {
                let q = p.cdiv(radii);
                q.dot(q) < 1.0 - EPS
            }
            Shape::Cuboid { half } => p.0.abs() < half.0 - EPS && p.1.abs() < half.1 - EPS && p.2.abs() < half.2 - EPS,
            Shape::Cylinder { radius, half_height } => {
                p.0 * p.0 + p.1 * p.1 < radius * radius - EPS && p.2.abs() < half_height - EPS
            }
            Shape::Torus { major, minor } => torus_f(p, major, minor) < -EPS * major * major,
            Shape::Rect { .. } => false,
        }
    }

    fn bound_radius(&self) -> f64 {
        match *self {
            Shape::Ellipsoid { radii } => radii.0.max(radii.1).max(radii.2),
            Shape::Cuboid { half } => half.norm(),
            Shape::Cylinder { radius, half_height } => radius.hypot(half_height),
            Shape::Torus { major, minor } => major + minor,
            Shape::Rect { hx, hy } => hx.hypot(hy),
        }
    }

    /// Surface area (Knud Thomsen's approximation for the ellipsoid, within about 1 %).
    pub fn area(&self) -> f64 {
        match *self {
            Shape::Ellipsoid { radii: V3(a, b, c) } => {
                let p = 1.6075;
                4.0 * PI * (((a * b).powf(p) + (a * c).powf(p) + (b * c).powf(p)) / 3.0).powf(1.0 / p)
            }
            Shape::Cuboid { half: V3(a, b, c) } => 8.0 * (a * b + b * c + a * c),
            Shape::Cylinder { radius, half_height } => TAU * radius * 2.0 * half_height + TAU * radius * radius,
            Shape::Torus { major, minor } => 4.0 * PI * PI * major * minor,
            Shape::Rect { hx, hy } => 4.0 * hx * hy,
        }
    }

    /// A point on the surface (local frame). Not exactly area-uniform for ellipsoids and tori; the points are
    /// for checking geometry, not for integrals.
    fn sample_local(&self, rng: &mut Rng) -> V3 {
        match *self {
            Shape::Ellipsoid { radii } => unit_sphere(rng).cmul(radii),
            Shape::Cuboid { half: V3(a, b, c) } => {
                let areas = [b * c, a * c, a * b];
                let mut k = rng.f64() * (areas[0] + areas[1] + areas[2]);
                let mut axis = 2;
                for (i, &w) in areas.iter().enumerate() {
                    if k < w {
                        axis = i;
                        break;
                    }
                    k -= w;
                }
                let sign = if rng.f64() < 0.5 { -1.0 } else { 1.0 };
                let mut p = [rng.range(-a, a), rng.range(-b, b), rng.range(-c, c)];
                p[axis] = sign * [a, b, c][axis];
                V3::from_arr(p)
            }
            Shape::Cylinder { radius, half_height } => {
                let side = 2.0 * half_height;
                let u = rng.f64() * (side + radius);
                let phi = rng.range(0.0, TAU);
                if u < side {
                    V3(radius * phi.cos(), radius * phi.sin(), u - half_height)
                } else {
                    let r = radius * rng.f64().sqrt();
                    let z = if rng.f64() < 0.5 { -half_height } else { half_height };
                    V3(r * phi.cos(), r * phi.sin(), z)
                }
            }
            Shape::Torus { major, minor } => {
                let (u, v) = (rng.range(0.0, TAU), rng.range(0.0, TAU));
                let ring = major + minor * v.cos();
                V3(ring * u.cos(), ring * u.sin(), minor * v.sin())
            }
            Shape::Rect { hx, hy } => V3(rng.range(-hx, hx), rng.range(-hy, hy), 0.0),
        }
    }
}

/// First root in [u0, u1] of the torus quartic f(o + u·d) (|d| = 1), found exactly rather than by marching:
/// the roots of f'' (a quadratic) split the interval into pieces where f' is monotone, each sign change of
/// f' there is a critical point of f, and between critical points f is monotone, so the first piece whose
/// ends differ in sign holds the first root, and bisection finds it to rounding. A ray that clips the tube
/// over any length, however short, is a hit; only exact tangency (f touching zero) can be lost to rounding.
fn torus_hit(o: V3, d: V3, major: f64, minor: f64, u0: f64, u1: f64) -> Option<f64> {
    let f = |u: f64| torus_f(o + d * u, major, minor);
    // f(u) = g² − 4R²·q with g = u² + 2βu + γ and q = x² + y² = a2·u² + 2·a1·u + a0 along the ray.
    let (beta, gamma) = (o.dot(d), o.dot(o) + major * major - minor * minor);
    let (a2, a1) = (d.0 * d.0 + d.1 * d.1, o.0 * d.0 + o.1 * d.1);
    let r2 = major * major;
    let df = |u: f64| 4.0 * (u * u + 2.0 * beta * u + gamma) * (u + beta) - 8.0 * r2 * (a2 * u + a1);
    // f''(u) = 12u² + 24βu + 8β² + 4γ − 8R²·a2 = 0.
    let mut knots = vec![u0];
    let disc = beta * beta - (8.0 * beta * beta + 4.0 * gamma - 8.0 * r2 * a2) / 12.0;
    if disc > 0.0 {
        let s = disc.sqrt();
        knots.extend([-beta - s, -beta + s].into_iter().filter(|&u| u > u0 && u < u1));
    }
    knots.push(u1);
    let mut crit = vec![u0];
    for w in knots.windows(2) {
        if (df(w[0]) > 0.0) != (df(w[1]) > 0.0) {
            crit.push(bisect(&df, w[0], w[1]));
        }
    }
    crit.push(u1);
    crit.windows(2).find(|w| (f(w[0]) > 0.0) != (f(w[1]) > 0.0)).map(|w| bisect(&f, w[0], w[1]))
}

/// The sign change of `f` in [lo, hi] (their signs differ), to rounding.
fn bisect(f: &impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    let pos = f(lo) > 0.0;
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if (f(mid) > 0.0) == pos {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn torus_f(p: V3, major: f64, minor: f64) -> f64 {
    let g = p.dot(p) + major * major - minor * minor;
    g * g - 4.0 * major * major * (p.0 * p.0 + p.1 * p.1)
}

fn unit_sphere(rng: &mut Rng) -> V3 {
    let z = rng.range(-1.0, 1.0);
    let phi = rng.range(0.0, TAU);
    let r = (1.0 - z * z).max(0.0).sqrt();
    V3(r * phi.cos(), r * phi.sin(), z)
}

impl Primitive {
    pub fn new(shape: Shape, rot: M3, center: V3, texture: Texture, object: u16) -> Self {
        Primitive { shape, rot, center, texture, object }
    }

    pub fn hit(&self, o: V3, d: V3, tmin: f64) -> Option<Hit> {
        let oc = o - self.center;
        // Cheap rejection: the ray's closest approach to the bounding sphere.
        let rb = self.shape.bound_radius();
        let along = oc.dot(d);
        if oc.dot(oc) - along * along > rb * rb * (1.0 + 1e-9) {
            return None;
        }
        let (ol, dl) = (mat_t_vec(&self.rot, oc), mat_t_vec(&self.rot, d));
        let (t, n) = self.shape.hit_local(ol, dl, tmin)?;
        Some(Hit { t, normal: mat_vec(&self.rot, n), local: ol + dl * t })
    }

    pub fn contains(&self, p: V3) -> bool {
        self.shape.inside_local(mat_t_vec(&self.rot, p - self.center))
    }

    /// A surface point in world coordinates and its local coordinates.
    pub fn sample(&self, rng: &mut Rng) -> (V3, V3) {
        let l = self.shape.sample_local(rng);
        (mat_vec(&self.rot, l) + self.center, l)
    }

    /// Outward unit normal (world axes) at a surface point given in local coordinates: the gradient of the
    /// shape's implicit function, as in `hit_local`.
    pub fn normal_at(&self, local: V3) -> V3 {
        let n = match self.shape {
            Shape::Ellipsoid { radii } => local.cdiv(radii.cmul(radii)),
            Shape::Cuboid { half } => {
                let r = [local.0 / half.0, local.1 / half.1, local.2 / half.2];
                let k = (0..3).max_by(|&a, &b| r[a].abs().total_cmp(&r[b].abs())).unwrap_or(0);
                let mut n = [0.0; 3];
                n[k] = r[k].signum();
                V3::from_arr(n)
            }
            Shape::Cylinder { radius, half_height } => {
                if (local.2.abs() - half_height).abs() < 1e-12 {
                    V3(0.0, 0.0, local.2.signum())
                } else {
                    V3(local.0 / radius, local.1 / radius, 0.0)
                }
            }
            Shape::Torus { major, minor } => {
                let g = local.dot(local) + major * major - minor * minor;
                local * (4.0 * g) - V3(local.0, local.1, 0.0) * (8.0 * major * major)
            }
            Shape::Rect { .. } => V3(0.0, 0.0, 1.0),
        };
        mat_vec(&self.rot, n.normalized())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::{IDENTITY, rot_x, rot_y};

    fn prim(shape: Shape, rot: M3, c: V3) -> Primitive {
        Primitive::new(shape, rot, c, Texture::Solid([1.0; 3]), 1)
    }

    #[test]
    fn ray_along_x_hits_each_shape_where_expected() {
        let (o, d) = (V3(5.0, 0.0, 0.0), V3(-1.0, 0.0, 0.0));
        let cases = [
            (Shape::Ellipsoid { radii: V3(0.5, 0.2, 0.3) }, 4.5),
            (Shape::Cuboid { half: V3(0.4, 1.0, 1.0) }, 4.6),
            (Shape::Cylinder { radius: 0.3, half_height: 1.0 }, 4.7),
            (Shape::Torus { major: 1.0, minor: 0.25 }, 3.75),
        ];
        for (shape, want) in cases {
            let h = prim(shape.clone(), IDENTITY, V3::ZERO).hit(o, d, 0.0).expect("hit");
            assert!((h.t - want).abs() < 1e-12, "{shape:?}: t = {}", h.t);
            assert!((h.normal.0 - 1.0).abs() < 1e-9, "{shape:?}: normal {:?}", h.normal);
        }
        // Through the hole along the axis: a miss; from inside the tube: its exit, then the far side.
        let torus = prim(Shape::Torus { major: 1.0, minor: 0.25 }, IDENTITY, V3::ZERO);
        assert!(torus.hit(V3(0.0, 0.0, 5.0), V3(0.0, 0.0, -1.0), 0.0).is_none());
        assert!((torus.hit(o, d, 4.0).unwrap().t - 4.25).abs() < 1e-12);
        assert!((torus.hit(o, d, 4.5).unwrap().t - 5.75).abs() < 1e-12);
    }

    #[test]
    fn rotated_shapes_and_rects() {
        // A cylinder whose axis is turned onto world y: its cap faces a ray coming down y.
        let c = prim(Shape::Cylinder { radius: 0.3, half_height: 0.5 }, rot_x(-90.0), V3(0.0, 1.0, 0.0));
        let h = c.hit(V3(0.1, 5.0, 0.0), V3(0.0, -1.0, 0.0), 0.0).unwrap();
        assert!((h.t - 3.5).abs() < 1e-12 && (h.normal.1 - 1.0).abs() < 1e-12);
        let r = prim(Shape::Rect { hx: 1.0, hy: 2.0 }, rot_y(90.0), V3(-2.0, 0.0, 0.0));
        assert!((r.hit(V3::ZERO, V3(-1.0, 0.0, 0.0), 0.0).unwrap().t - 2.0).abs() < 1e-12);
        assert!(r.hit(V3(0.0, 0.0, 1.5), V3(-1.0, 0.0, 0.0), 0.0).is_none());
    }

    /// A ray from a camera towards a sampled surface point must stop at that point or at something in front of
    /// it: passing it means the tracer and the sampler disagree about where the surface is, and ground-truth
    /// points would then show up in front of the rendered depth. A ray that grazes a surface is the hard case,
    /// so every point is looked at from many directions.
    #[test]
    fn rays_towards_sampled_points_stop_there() {
        let shapes = [
            Shape::Ellipsoid { radii: V3(0.02, 0.025, 0.018) },
            Shape::Cuboid { half: V3(0.3, 0.15, 0.06) },
            Shape::Cylinder { radius: 0.048, half_height: 0.012 },
            Shape::Torus { major: 0.045, minor: 0.025 },
            Shape::Torus { major: 0.4, minor: 0.1 },
            Shape::Rect { hx: 0.5, hy: 0.2 },
        ];
        let mut rng = Rng::new(2, "test");
        let eyes: Vec<V3> = (0..24).map(|_| unit_sphere(&mut rng) * 1.3).collect();
        for s in shapes {
            let p = prim(s.clone(), rot_x(90.0), V3(0.1, -0.12, -0.09));
            let convex = !matches!(s, Shape::Torus { .. });
            let mut passed = 0;
            for _ in 0..2000 {
                let (w, _) = p.sample(&mut rng);
                for &eye in &eyes {
                    let to = w - eye;
                    let dist = to.norm();
                    let t = p.hit(eye, to * (1.0 / dist), 1e-9).map_or(f64::INFINITY, |h| h.t);
                    passed += (t > dist * (1.0 + 1e-9)) as usize;
                    // Nothing can hide a point of a convex shape that faces the eye.
                    let facing = p.normal_at(mat_t_vec(&p.rot, w - p.center)).dot(to) < 0.0;
                    if convex && facing {
                        assert!((t - dist).abs() <= 1e-9 * dist, "{s:?}: t = {t}, point at {dist}");
                    }
                }
            }
            assert_eq!(passed, 0, "{s:?}: {passed} rays passed their point");
        }
    }

    #[test]
    fn sampled_points_lie_on_the_surface() {
        let shapes = [
            Shape::Ellipsoid { radii: V3(0.5, 0.2, 0.3) },
            Shape::Cuboid { half: V3(0.4, 0.1, 0.2) },
            Shape::Cylinder { radius: 0.3, half_height: 0.2 },
            Shape::Torus { major: 0.4, minor: 0.1 },
        ];
        let mut rng = Rng::new(1, "test");
        for s in shapes {
            let p = prim(s.clone(), rot_x(30.0), V3(0.1, 0.2, 0.3));
            for _ in 0..200 {
                let (w, l) = p.sample(&mut rng);
                // A ray from just outside along −normal hits the point itself.
                let n = p.normal_at(l);
                let h = p.hit(w + n * 1e-3, -n, 0.0).expect("hit");
                assert!((h.t - 1e-3).abs() < 1e-6, "{s:?}: {}", h.t);
            }
        }
    }
}
