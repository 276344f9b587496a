//! Learnable cameras: per-view yaw and pitch (radians) and one shared normalised focal length.
//!
//! The parameters live in two gstrain [`PointParams`] ("rows" = learnable views for `yaw`/`pitch` [V', 1], one row
//! for `focal_norm` [1, 1]), so they get gstrain's Adam with its own learning rate and moments — there is one Adam
//! in the project. With `fix_first_camera` view 0 is not a row at all but a constant: it pins the world frame
//! (the angles of all views and the object's orientation are otherwise only defined up to a common rotation).
//!
//! After each optimiser step the values are projected back into the allowed box (yaw ±max_yaw, pitch ±max_pitch,
//! focal within [1/k, k] × initial): a projection, not a clamp in the forward pass, so gradients at the bounds
//! are not cut.

use burn::tensor::{Device, Gradients, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use splatbench_core::Camera;
use splatbench_gstrain::PointParams;
use splatbench_render::op::CameraTensors;

use crate::yaw_pitch::{YawPitch, YawPitchRig, intrinsics_tensor, viewmat_tensor};

pub struct LearnableCameras {
    angles: PointParams,
    focal: PointParams,
    /// Row in `angles` of each view; `None` for the fixed view.
    rows: Vec<Option<usize>>,
    /// Values of all views (the fixed one included), refreshed after every step.
    host: YawPitchRig,
    bounds: Bounds,
    learn_focal: bool,
    device: Device,
}

/// [`LearnableCameras`] to the bit (floats as their bits).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CamerasState {
    pub angles: Vec<splatbench_gstrain::ParamState>,
    pub focal: Vec<splatbench_gstrain::ParamState>,
    pub focal_norm: u64,
    /// (yaw, pitch) in degrees of every view, the fixed one included.
    pub views: Vec<[u64; 2]>,
}

/// How the rig learns: which parameters move, how fast, within which bounds.
#[derive(Clone, Copy, Debug)]
pub struct RigConfig {
    /// Pin view 0 (removes the global-rotation gauge).
    pub fix_first: bool,
    pub learn_focal: bool,
    pub lr: f64,
    pub bounds: Bounds,
}

impl Default for RigConfig {
    fn default() -> Self {
        RigConfig {
            fix_first: true,
            learn_focal: true,
            lr: 1e-3,
            bounds: Bounds { max_yaw_deg: 180.0, max_pitch_deg: 89.0, focal_min: 0.1, focal_max: 10.0 },
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub max_yaw_deg: f64,
    pub max_pitch_deg: f64,
    pub focal_min: f64,
    pub focal_max: f64,
}

/// What the artifacts and checkpoints store.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CamerasFile {
    pub step: usize,
    pub focal_norm: f64,
    pub distance: f64,
    pub views: Vec<CameraEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CameraEntry {
    pub name: String,
    pub yaw_deg: f64,
    pub pitch_deg: f64,
    /// World-to-camera (OpenCV axes) at the training resolution, for tools that do not know the model.
    pub w2c_opencv: [[f64; 4]; 4],
    pub fx: f64,
    pub width: u32,
    pub height: u32,
}

fn column(values: &[f64], device: &Device) -> Tensor<2> {
    Tensor::<2>::from_data(
        TensorData::new(values.iter().map(|&v| v as f32).collect::<Vec<_>>(), [values.len(), 1]),
        device,
    )
}

fn host_column(t: Tensor<2>) -> Vec<f64> {
    t.into_data().try_into_vec_as::<f32>().expect("f32 camera tensor").into_iter().map(f64::from).collect()
}

impl LearnableCameras {
    pub fn new(rig: YawPitchRig, config: RigConfig, device: &Device) -> Self {
        let RigConfig { fix_first, learn_focal, lr, bounds } = config;
        let rows: Vec<Option<usize>> =
            (0..rig.views.len()).map(|i| if fix_first { i.checked_sub(1) } else { Some(i) }).collect();
        let learn: Vec<&YawPitch> = rig.views.iter().zip(&rows).filter(|(_, r)| r.is_some()).map(|(v, _)| v).collect();
        let mut angles = PointParams::new(device);
        let yaw: Vec<f64> = learn.iter().map(|v| v.yaw_deg.to_radians()).collect();
        let pitch: Vec<f64> = learn.iter().map(|v| v.pitch_deg.to_radians()).collect();
        angles.add("yaw", column(&yaw, device), lr);
        angles.add("pitch", column(&pitch, device), lr);
        let mut focal = PointParams::new(device);
        focal.add("focal_norm", column(&[rig.focal_norm], device), lr);
        LearnableCameras { angles, focal, rows, host: rig, bounds, learn_focal, device: device.clone() }
    }

    pub fn rig(&self) -> &YawPitchRig {
        &self.host
    }

    /// The learned values with their Adam state, and the rig as last projected (a checkpoint's content).
    pub fn state(&self) -> CamerasState {
        CamerasState {
            angles: self.angles.state(),
            focal: self.focal.state(),
            focal_norm: self.host.focal_norm.to_bits(),
            views: self.host.views.iter().map(|v| [v.yaw_deg.to_bits(), v.pitch_deg.to_bits()]).collect(),
        }
    }

    /// Put back what [`LearnableCameras::state`] returned.
    pub fn restore(&mut self, s: &CamerasState) -> std::result::Result<(), String> {
        if s.views.len() != self.host.views.len() {
            return Err(format!("{} views in the checkpoint, {} in this run", s.views.len(), self.host.views.len()));
        }
        let angles = PointParams::from_state(&self.device, self.angles.adam(), &s.angles)?;
        let focal = PointParams::from_state(&self.device, self.focal.adam(), &s.focal)?;
        if angles.len() != self.angles.len() || focal.len() != 1 {
            return Err("the learned camera values do not fit this rig".into());
        }
        (self.angles, self.focal) = (angles, focal);
        self.host.focal_norm = f64::from_bits(s.focal_norm);
        for (v, [y, p]) in self.host.views.iter_mut().zip(&s.views) {
            *v = YawPitch { yaw_deg: f64::from_bits(*y), pitch_deg: f64::from_bits(*p) };
        }
        Ok(())
    }

    pub fn set_lr(&mut self, lr: f64) {
        self.angles.set_lr("yaw", lr);
        self.angles.set_lr("pitch", lr);
        self.focal.set_lr("focal_norm", lr);
    }

    /// Differentiable camera of view `i` for an image shaped like `like` (its size and pixel aspect).
    pub fn tensors(&self, i: usize, like: &Camera) -> CameraTensors {
        let (yaw, pitch) = match self.rows[i] {
            Some(r) => {
                let pick = |name: &str| self.angles.get(name).slice([r..r + 1, 0..1]).reshape([1]);
                (pick("yaw"), pick("pitch"))
            }
            None => {
                let v = self.host.views[i];
                let c = |deg: f64| Tensor::<1>::from_floats([deg.to_radians() as f32], &self.device);
                (c(v.yaw_deg), c(v.pitch_deg))
            }
        };
        let focal = self.focal.get("focal_norm").reshape([1]);
        CameraTensors {
            viewmat: viewmat_tensor(yaw, pitch, self.host.distance, &self.device),
            intrinsics: intrinsics_tensor(focal, like.width, like.height, like.fy / like.fx, &self.device),
            width: like.width,
            height: like.height,
        }
    }

    /// One Adam step on the angles (and the focal when learned), then projection into the bounds.
    pub fn step(&mut self, grads: &Gradients) {
        self.angles.adam_step(grads);
        if self.learn_focal {
            self.focal.adam_step(grads);
        }
        let b = self.bounds;
        let clamp_col = |p: &mut PointParams, name: &str, lo: f64, hi: f64| {
            let v: Vec<f64> = host_column(p.get(name).detach()).into_iter().map(|x| x.clamp(lo, hi)).collect();
            p.replace(name, column(&v, &self.device), false);
            v
        };
        let yaw = clamp_col(&mut self.angles, "yaw", -b.max_yaw_deg.to_radians(), b.max_yaw_deg.to_radians());
        let pitch = clamp_col(&mut self.angles, "pitch", -b.max_pitch_deg.to_radians(), b.max_pitch_deg.to_radians());
        let focal = clamp_col(&mut self.focal, "focal_norm", b.focal_min, b.focal_max);
        for (i, row) in self.rows.iter().enumerate() {
            if let Some(r) = *row {
                self.host.views[i] = YawPitch { yaw_deg: yaw[r].to_degrees(), pitch_deg: pitch[r].to_degrees() };
            }
        }
        self.host.focal_norm = focal[0];
    }

    /// The file form, with cameras at `width` × `height`.
    pub fn to_file(&self, step: usize, names: &[String], width: u32, height: u32) -> CamerasFile {
        CamerasFile {
            step,
            focal_norm: self.host.focal_norm,
            distance: self.host.distance,
            views: (0..self.host.views.len())
                .map(|i| {
                    let cam = self.host.camera(i, width, height);
                    CameraEntry {
                        name: names.get(i).cloned().unwrap_or_default(),
                        yaw_deg: self.host.views[i].yaw_deg,
                        pitch_deg: self.host.views[i].pitch_deg,
                        w2c_opencv: cam.world_to_camera,
                        fx: cam.fx,
                        width,
                        height,
                    }
                })
                .collect(),
        }
    }
}

/// Mean absolute yaw and pitch error in degrees between two rigs' views: (|Δyaw| + |Δpitch|) / 2 averaged over views.
pub fn mean_angle_error_deg(a: &YawPitchRig, b: &YawPitchRig) -> f64 {
    let n = a.views.len().min(b.views.len()).max(1);
    a.views
        .iter()
        .zip(&b.views)
        .map(|(x, y)| 0.5 * ((x.yaw_deg - y.yaw_deg).abs() + (x.pitch_deg - y.pitch_deg).abs()))
        .sum::<f64>()
        / n as f64
}
