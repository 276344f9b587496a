//! A fitted head: the Gaussians, the learned cameras, and how to render and export them.
//!
//! Rendering a novel view: the requested camera's pose (world-to-camera) and principal point are used as given,
//! but its focal length is replaced by the learned one scaled to the requested image width
//! (`fx = focal_norm · width`, `fy = fx · fy_req / fx_req` to keep the pixel aspect): the method owns its focal
//! length the way it owns its geometry, and the two are only consistent with each other.

use std::collections::BTreeMap;
use std::path::Path;

use burn::tensor::Device;
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, RgbaImage};
use splatbench_core::error::InternalContext;
use splatbench_core::{Artifact, Camera, Error, Image, Reconstruction, Result};
use splatbench_io::atomic::write_atomic;
use splatbench_render::GaussianCloud;
use splatbench_render::op::{CameraTensors, GaussianTensors, render};

use crate::cameras::CamerasFile;
use crate::yaw_pitch::viewmat_f64;

#[derive(Clone)]
pub struct HeadReconstruction {
    pub cloud: GaussianCloud,
    pub cameras: CamerasFile,
    background: [f32; 3],
    device: Device,
    gif_frames: usize,
    gif_size: u32,
}

impl HeadReconstruction {
    pub fn new(
        cloud: GaussianCloud,
        cameras: CamerasFile,
        background: [f32; 3],
        device: Device,
        gif_frames: usize,
        gif_size: u32,
    ) -> Self {
        HeadReconstruction { cloud, cameras, background, device, gif_frames, gif_size }
    }

    /// `camera` with the learned focal length (see the module docs).
    pub fn with_learned_focal(&self, camera: &Camera) -> Camera {
        let fx = self.cameras.focal_norm * camera.width as f64;
        Camera { fx, fy: fx * camera.fy / camera.fx, ..camera.clone() }
    }

    fn render_exact(&self, camera: &Camera) -> Result<Image> {
        camera.require_pinhole("the head method")?;
        let g = GaussianTensors::from_cloud(&self.cloud, &self.device);
        let out = render(&g, &CameraTensors::from_camera(camera, &self.device), self.background, None);
        let data =
            out.color.into_data().try_into_vec_as::<f32>().map_err(|e| Error::bug(format!("head render: {e:?}")))?;
        Ok(Image { width: camera.width, height: camera.height, channels: 3, data })
    }

    /// Turntable: yaw sweeps ±60° and back (the views a frontal head capture supports), pitch 0.
    fn turntable(&self, path: &Path) -> Result<()> {
        let mut gif = Vec::new();
        let mut enc = GifEncoder::new_with_speed(&mut gif, 10);
        enc.set_repeat(Repeat::Infinite).internal("encoding the turntable GIF")?;
        let s = self.gif_size;
        for k in 0..self.gif_frames {
            let phase = k as f64 / self.gif_frames as f64 * std::f64::consts::TAU;
            let cam = Camera {
                width: s,
                height: s,
                fx: self.cameras.focal_norm * s as f64,
                fy: self.cameras.focal_norm * s as f64,
                cx: s as f64 / 2.0,
                cy: s as f64 / 2.0,
                world_to_camera: viewmat_f64(60.0 * phase.sin(), 0.0, self.cameras.distance),
                distortion: None,
            };
            let img = self.render_exact(&cam)?;
            let rgba = RgbaImage::from_fn(s, s, |x, y| {
                let c = |ch| (img.get(x, y, ch).clamp(0.0, 1.0) * 255.0).round() as u8;
                image::Rgba([c(0), c(1), c(2), 255])
            });
            enc.encode_frame(Frame::from_parts(rgba, 0, 0, Delay::from_numer_denom_ms(80, 1)))
                .internal("encoding the turntable GIF")?;
        }
        drop(enc);
        write_atomic(path, &gif)
    }
}

impl Reconstruction for HeadReconstruction {
    fn render(&self, camera: &Camera) -> Result<Image> {
        self.render_exact(&self.with_learned_focal(camera))
    }

    fn artifacts(&self, dir: &Path) -> Result<Vec<Artifact>> {
        let ply = dir.join("head_gaussians.ply");
        splatbench_render::ply::write_ply(&ply, &self.cloud)?;
        let cams = dir.join("head_cameras.json");
        let text = serde_json::to_string_pretty(&self.cameras).internal("encoding the learned cameras")?;
        write_atomic(&cams, text.as_bytes())?;
        let mut out = vec![
            Artifact { kind: "ply".into(), path: ply, caption: format!("{} Gaussians (3DGS PLY)", self.cloud.len()) },
            Artifact {
                kind: "json".into(),
                path: cams,
                caption: "learned cameras: yaw/pitch per view, shared focal".into(),
            },
        ];
        if self.gif_frames > 0 {
            let gif = dir.join("head_turntable.gif");
            self.turntable(&gif)?;
            out.push(Artifact { kind: "gif".into(), path: gif, caption: "turntable, yaw ±60°".into() });
        }
        Ok(out)
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("gaussians".to_string(), self.cloud.len() as f64),
            ("focal_norm".to_string(), self.cameras.focal_norm),
        ])
    }
}
