//! The head method's camera model: an object at the origin, rotated by yaw and pitch, seen from distance `d`.
//!
//! Model (the one `head_james/cameras_yaw_pitch.json` documents and `transforms.json` holds): the object is
//! rotated by `R = Rx(pitch) · Ry(yaw)` (right-handed, angles in radians here, degrees in the files), then viewed
//! by a camera on the +z axis at distance `d` looking back at the origin. In OpenGL axes that camera has identity
//! rotation and centre (0, 0, d); in the project's OpenCV axes (x right, y down, z forward) the world-to-camera is
//!
//! ```text
//! W = [ F·R  (0, 0, d)ᵀ ]     F = diag(1, −1, −1)
//!     [ 0        1      ]
//!
//!       [  cos y        0       sin y       0 ]
//!     = [ −sin p sin y  −cos p   sin p cos y  0 ]
//!       [  cos p sin y  −sin p  −cos p cos y  d ]
//!       [  0            0        0           1 ]
//! ```
//!
//! World +y is up (it maps to image up). The camera centre is `−(F·R)ᵀ (0, 0, d)ᵀ = d·(−cos p sin y, sin p,
//! cos p cos y)`: positive yaw moves the camera towards −x (yaw −60° puts it at (2.60, 0, 1.50) for d = 3),
//! positive pitch raises it above the object (looking down). The intrinsics share one focal length, stored *normalised by the image width*
//! (`focal_norm = fx / width`) so one number serves every image size; the principal point is the image centre.
//!
//! [`viewmat_tensor`] builds `W` with burn ops from yaw/pitch tensors, so the renderer's viewmat gradient flows
//! back into the angles; [`viewmat_f64`] is the same formula on the host; [`YawPitch::from_camera`] inverts it and
//! refuses cameras the model cannot express.

use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use splatbench_core::{Camera, Intrinsics};

/// Tolerance for "this camera fits the yaw/pitch model" (rotation entries and translation).
const FIT_TOL: f64 = 1e-4;

/// One view's pose in the yaw/pitch model, angles in degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct YawPitch {
    pub yaw_deg: f64,
    pub pitch_deg: f64,
}

/// The whole rig: per-view angles, one focal length, one distance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YawPitchRig {
    /// Focal length divided by the image width (fx / width).
    pub focal_norm: f64,
    /// Camera distance from the origin (normalised object units).
    pub distance: f64,
    pub views: Vec<YawPitch>,
}

/// World-to-camera (OpenCV axes) of the model, on the host.
pub fn viewmat_f64(yaw_deg: f64, pitch_deg: f64, distance: f64) -> [[f64; 4]; 4] {
    let (sy, cy) = yaw_deg.to_radians().sin_cos();
    let (sp, cp) = pitch_deg.to_radians().sin_cos();
    [[cy, 0.0, sy, 0.0], [-sp * sy, -cp, sp * cy, 0.0], [cp * sy, -sp, -cp * cy, distance], [0.0, 0.0, 0.0, 1.0]]
}

impl YawPitch {
    /// Recover yaw/pitch/distance from a camera; `Err` with the reason when the pose is not of the model's form.
    pub fn from_world_to_camera(w: &[[f64; 4]; 4]) -> Result<(YawPitch, f64), String> {
        let yaw = w[0][2].atan2(w[0][0]);
        let pitch = (-w[2][1]).atan2(-w[1][1]);
        let distance = w[2][3];
        let back = viewmat_f64(yaw.to_degrees(), pitch.to_degrees(), distance);
        let err = (0..4)
            .flat_map(|i| (0..4).map(move |j| (i, j)))
            .map(|(i, j)| (back[i][j] - w[i][j]).abs())
            .fold(0.0, f64::max);
        if err > FIT_TOL || distance <= 0.0 {
            return Err(format!(
                "camera is not an object-centred yaw/pitch view at a positive distance along +z (max deviation {err:.2e})"
            ));
        }
        Ok((YawPitch { yaw_deg: yaw.to_degrees(), pitch_deg: pitch.to_degrees() }, distance))
    }
}

impl YawPitchRig {
    /// The rig of a set of cameras (all must fit the model, share the distance and fx / width).
    pub fn from_cameras(cameras: &[&Camera]) -> Result<YawPitchRig, String> {
        let first = cameras.first().ok_or("no cameras")?;
        let focal_norm = first.fx / first.width as f64;
        let mut distance = None;
        let mut views = Vec::with_capacity(cameras.len());
        for (i, cam) in cameras.iter().enumerate() {
            let (v, d) = YawPitch::from_world_to_camera(&cam.world_to_camera).map_err(|e| format!("view {i}: {e}"))?;
            let d0 = *distance.get_or_insert(d);
            if (d - d0).abs() > FIT_TOL * d0 {
                return Err(format!("view {i}: camera distance {d} differs from view 0's {d0}"));
            }
            let f = cam.fx / cam.width as f64;
            if (f - focal_norm).abs() > FIT_TOL * focal_norm
                || (cam.fy / cam.width as f64 - focal_norm).abs() > 1e-3 * focal_norm
            {
                return Err(format!(
                    "view {i}: focal length differs from view 0's (the model shares one focal length)"
                ));
            }
            views.push(v);
        }
        Ok(YawPitchRig { focal_norm, distance: distance.unwrap_or(0.0), views })
    }

    /// The project camera of view `i` for a `width` × `height` image (principal point at the centre).
    pub fn camera(&self, i: usize, width: u32, height: u32) -> Camera {
        let v = self.views[i];
        let k = Intrinsics::centred(width, height, self.focal_norm * width as f64);
        Camera::from_w2c(viewmat_f64(v.yaw_deg, v.pitch_deg, self.distance), k)
    }
}

/// `W` as a [4, 4] tensor built from `yaw` and `pitch` (radians, shape [1]) with differentiable ops.
pub fn viewmat_tensor(yaw: Tensor<1>, pitch: Tensor<1>, distance: f64, device: &Device) -> Tensor<2> {
    let (sy, cy) = (yaw.clone().sin(), yaw.cos());
    let (sp, cp) = (pitch.clone().sin(), pitch.cos());
    let c = |v: f64| Tensor::<1>::from_floats([v as f32], device);
    let entries = vec![
        cy.clone(),
        c(0.0),
        sy.clone(),
        c(0.0),
        -(sp.clone() * sy.clone()),
        -cp.clone(),
        sp.clone() * cy.clone(),
        c(0.0),
        cp.clone() * sy,
        -sp,
        -(cp * cy),
        c(distance),
        c(0.0),
        c(0.0),
        c(0.0),
        c(1.0),
    ];
    Tensor::cat(entries, 0).reshape([4, 4])
}

/// Intrinsics `[fx, fy, cx, cy]` for a `width` × `height` image from the normalised focal (shape [1]).
/// `aspect` = fy / fx of the target camera (1 for square pixels).
pub fn intrinsics_tensor(focal_norm: Tensor<1>, width: u32, height: u32, aspect: f64, device: &Device) -> Tensor<1> {
    let fx = focal_norm.mul_scalar(width as f32);
    let fy = fx.clone().mul_scalar(aspect as f32);
    let centre = Tensor::<1>::from_floats([width as f32 / 2.0, height as f32 / 2.0], device);
    Tensor::cat(vec![fx, fy, centre], 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_recovers_angles_and_rejects_other_poses() {
        for (y, p) in [(-45.0, 0.0), (30.0, 15.0), (-30.0, -15.0), (80.0, -40.0)] {
            let w = viewmat_f64(y, p, 3.0);
            let (v, d) = YawPitch::from_world_to_camera(&w).unwrap();
            assert!((v.yaw_deg - y).abs() < 1e-9 && (v.pitch_deg - p).abs() < 1e-9 && (d - 3.0).abs() < 1e-12);
        }
        let mut w = viewmat_f64(10.0, 5.0, 3.0);
        w[0][3] = 0.5; // camera shifted sideways: not looking at the origin
        assert!(YawPitch::from_world_to_camera(&w).is_err());
    }

    #[test]
    fn tensor_viewmat_matches_host_formula() {
        let device = splatbench_device::device_for(splatbench_core::Backend::Ndarray, None).unwrap();
        for (y, p) in [(-45.0f64, 0.0f64), (30.0, 15.0), (-30.0, -15.0)] {
            let t = viewmat_tensor(
                Tensor::<1>::from_floats([y.to_radians() as f32], &device),
                Tensor::<1>::from_floats([p.to_radians() as f32], &device),
                3.0,
                &device,
            );
            let got = t.into_data().try_into_vec_as::<f32>().unwrap();
            let want = viewmat_f64(y, p, 3.0);
            for i in 0..16 {
                assert!((got[i] as f64 - want[i / 4][i % 4]).abs() < 1e-6, "entry {i}");
            }
        }
    }
}
