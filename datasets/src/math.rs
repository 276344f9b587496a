//! Small 3-vector and rotation helpers for the tracer (f64 throughout, so depths are exact to ~1e-12).
//!
//! Rotations are row-major 3×3 matrices `R` acting on column vectors (`R·v`). A frame's *columns* are its
//! local x, y, z axes in world coordinates, so `world = R·local + c` and `local = Rᵀ·(world − c)`.

use std::ops::{Add, Mul, Neg, Sub};

#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct V3(pub f64, pub f64, pub f64);

impl V3 {
    pub const ZERO: V3 = V3(0.0, 0.0, 0.0);

    pub fn dot(self, o: V3) -> f64 {
        self.0 * o.0 + self.1 * o.1 + self.2 * o.2
    }
    pub fn cross(self, o: V3) -> V3 {
        V3(self.1 * o.2 - self.2 * o.1, self.2 * o.0 - self.0 * o.2, self.0 * o.1 - self.1 * o.0)
    }
    pub fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
    pub fn normalized(self) -> V3 {
        self * (1.0 / self.norm())
    }
    /// Component-wise product.
    pub fn cmul(self, o: V3) -> V3 {
        V3(self.0 * o.0, self.1 * o.1, self.2 * o.2)
    }
    /// Component-wise quotient.
    pub fn cdiv(self, o: V3) -> V3 {
        V3(self.0 / o.0, self.1 / o.1, self.2 / o.2)
    }
    pub fn arr(self) -> [f64; 3] {
        [self.0, self.1, self.2]
    }
    pub fn from_arr(a: [f64; 3]) -> V3 {
        V3(a[0], a[1], a[2])
    }
}

impl Add for V3 {
    type Output = V3;
    fn add(self, o: V3) -> V3 {
        V3(self.0 + o.0, self.1 + o.1, self.2 + o.2)
    }
}
impl Sub for V3 {
    type Output = V3;
    fn sub(self, o: V3) -> V3 {
        V3(self.0 - o.0, self.1 - o.1, self.2 - o.2)
    }
}
impl Mul<f64> for V3 {
    type Output = V3;
    fn mul(self, s: f64) -> V3 {
        V3(self.0 * s, self.1 * s, self.2 * s)
    }
}
impl Neg for V3 {
    type Output = V3;
    fn neg(self) -> V3 {
        V3(-self.0, -self.1, -self.2)
    }
}

pub type M3 = [[f64; 3]; 3];

pub const IDENTITY: M3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

pub fn mat_vec(m: &M3, v: V3) -> V3 {
    V3(
        m[0][0] * v.0 + m[0][1] * v.1 + m[0][2] * v.2,
        m[1][0] * v.0 + m[1][1] * v.1 + m[1][2] * v.2,
        m[2][0] * v.0 + m[2][1] * v.1 + m[2][2] * v.2,
    )
}

/// `Rᵀ·v`.
pub fn mat_t_vec(m: &M3, v: V3) -> V3 {
    V3(
        m[0][0] * v.0 + m[1][0] * v.1 + m[2][0] * v.2,
        m[0][1] * v.0 + m[1][1] * v.1 + m[2][1] * v.2,
        m[0][2] * v.0 + m[1][2] * v.1 + m[2][2] * v.2,
    )
}

pub fn mat_mul(a: &M3, b: &M3) -> M3 {
    std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| a[i][k] * b[k][j]).sum()))
}

pub fn rot_x(deg: f64) -> M3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]]
}
pub fn rot_y(deg: f64) -> M3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]]
}
pub fn rot_z(deg: f64) -> M3 {
    let (s, c) = deg.to_radians().sin_cos();
    [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
}

/// Camera-to-world in OpenCV axes for a camera at `eye` looking at `target`, with image "up" the projection of
/// `up`: columns are right = f × up, down = f × right, forward f.
pub fn look_at_c2w_opencv(eye: V3, target: V3, up: V3) -> [[f64; 4]; 4] {
    let f = (target - eye).normalized();
    let r = f.cross(up).normalized();
    let d = f.cross(r);
    [[r.0, d.0, f.0, eye.0], [r.1, d.1, f.1, eye.1], [r.2, d.2, f.2, eye.2], [0.0, 0.0, 0.0, 1.0]]
}

/// Rigid 4×4 from a rotation and a translation.
pub fn rigid(r: &M3, t: V3) -> [[f64; 4]; 4] {
    let t = t.arr();
    std::array::from_fn(|i| if i < 3 { [r[i][0], r[i][1], r[i][2], t[i]] } else { [0.0, 0.0, 0.0, 1.0] })
}
