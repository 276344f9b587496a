//! [`Nerf`]: the method as the harness sees it ([`Reconstructor`]), and its fitted [`NerfReconstruction`].

use crate::config::{NerfConfig, Sampling};
use crate::field::{Bounds, Networks, RayRender, render_rays};
use crate::rays::{Rays, camera_rays, near_far, optical_axis};
use crate::train::{NerfStep, RayPool};
use burn::tensor::Device;
use splatbench_core::{
    Artifact, Camera, Error, Image, Reconstruction, Reconstructor, Result, RunContext, Scene, TrainReport, TrainView,
    View,
};
use splatbench_train::tensors::to_vec;
use splatbench_train::{Plan, run};
use std::collections::BTreeMap;
use std::path::Path;

/// NeRF fitted per scene; `id` names the sampling variant (`nerf-hierarchical`, `nerf-coarse_only`).
pub struct Nerf {
    pub config: NerfConfig,
    trained: Option<NerfReconstruction>,
    /// The networks before the first step.
    initial: Option<NerfReconstruction>,
}

impl Nerf {
    pub fn new(config: NerfConfig) -> Self {
        Nerf { config, trained: None, initial: None }
    }

    /// The fitted reconstruction (after `train`).
    pub fn fitted(&self) -> Option<&NerfReconstruction> {
        self.trained.as_ref()
    }
}

impl Reconstructor for Nerf {
    fn id(&self) -> &str {
        match self.config.sampling {
            Sampling::Hierarchical => "nerf-hierarchical",
            Sampling::CoarseOnly => "nerf-coarse_only",
        }
    }

    fn train(&mut self, scenes: &[Scene], ctx: &mut RunContext) -> Result<TrainReport> {
        let [scene] = scenes else {
            return Err(Error::input("scenes", format!("nerf fits one scene at a time, got {}", scenes.len())));
        };
        let cfg = &self.config;
        cfg.check()?;
        let max_side = cfg.max_image_side;
        let views: Vec<TrainView> = ctx.time(splatbench_core::Phase::Data, || {
            scene
                .split("train")
                .iter()
                .map(|v| TrainView::prepare(v, scene.background, max_side, "nerf"))
                .collect::<Result<Vec<_>>>()
        })?;
        if views.is_empty() {
            return Err(Error::input(&scene.name, "nerf needs at least one training view"));
        }
        let cameras: Vec<Camera> = views.iter().map(|v| v.camera.clone()).collect();
        let (near, far) = near_far(&cameras, cfg)?;
        let bounds = Bounds { near, far, background: scene.background };
        let device = splatbench_device::device_for(ctx.backend, ctx.device_index)?;
        let mut task = NerfStep::new(cfg, RayPool::new(&views), bounds, ctx.seed, &device);
        let initial_nets = task.nets.without_autodiff();
        let steps = ctx.steps.unwrap_or(cfg.steps);
        task.fingerprint = fingerprint(cfg, steps, ctx.seed, &scene.name, views.len());
        let start = match (&ctx.work_dir, cfg.resume) {
            (Some(dir), true) => crate::resume::resume_latest(dir, &mut task),
            _ => 0,
        };
        let plan = Plan { start, total: steps, checkpoint_every: cfg.checkpoint_every };
        let summary = run(&mut task, ctx, plan)?;

        let rays = (steps * cfg.batch_rays) as f64;
        let per_ray = match cfg.sampling {
            Sampling::Hierarchical => 2 * cfg.n_coarse + cfg.n_fine,
            Sampling::CoarseOnly => cfg.n_coarse + cfg.n_fine,
        };
        let mut stats = BTreeMap::from([
            ("parameters".to_string(), task.nets.parameter_count() as f64),
            ("network_samples_per_ray".to_string(), per_ray as f64),
            ("near".to_string(), near),
            ("far".to_string(), far),
        ]);
        if summary.seconds > 0.0 && steps > 0 {
            stats.insert("train_rays_per_s".into(), rays / summary.seconds);
            stats.insert("train_samples_per_s".into(), rays * per_ray as f64 / summary.seconds);
        }
        let fitted = NerfReconstruction {
            id: self.id().to_string(),
            nets: task.nets.without_autodiff(),
            bounds,
            cfg: cfg.clone(),
            device: device.inner(),
            cameras,
        };
        self.initial =
            Some(NerfReconstruction { id: format!("{}-initial", fitted.id), nets: initial_nets, ..fitted.clone() });
        self.trained = Some(fitted);
        Ok(TrainReport { steps, final_loss: summary.final_loss, stats })
    }

    fn reconstruct(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Box<dyn Reconstruction>> {
        let t = self.trained.as_ref().ok_or_else(|| Error::bug("nerf: reconstruct called before train"))?;
        Ok(Box::new(t.clone()))
    }

    fn initial(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Option<Box<dyn Reconstruction>>> {
        Ok(self.initial.clone().map(|r| Box::new(r) as Box<dyn Reconstruction>))
    }
}

/// The fitted networks and what rendering needs (the training cameras frame the figures and the turntable).
#[derive(Clone)]
pub struct NerfReconstruction {
    id: String,
    pub nets: Networks,
    pub bounds: Bounds,
    pub cfg: NerfConfig,
    device: Device,
    pub cameras: Vec<Camera>,
}

/// Per-pixel outputs of a rendered view: colour, opacity Σw, and the expected z-depth of what is hit
/// (Σwt / Σw along the ray, times the ray's cosine to the optical axis; NaN where Σw = 0).
pub struct Maps {
    pub rgb: Image,
    pub opacity: Vec<f32>,
    pub depth: Vec<f32>,
}

impl NerfReconstruction {
    /// Renders `rays` deterministically (bin midpoints, midpoint fine draws) in chunks of `render_chunk`,
    /// calling `each` with every chunk's first ray index and result.
    pub fn render_rays(&self, rays: &Rays, mut each: impl FnMut(usize, RayRender)) {
        let chunk = self.cfg.render_chunk;
        for start in (0..rays.len()).step_by(chunk) {
            let part = rays.slice(start..(start + chunk).min(rays.len()));
            each(start, render_rays(&self.nets, &part, self.bounds, &self.cfg, None, &self.device));
        }
    }

    /// Colour, opacity and depth of every pixel of `camera`.
    pub fn render_maps(&self, camera: &Camera) -> Result<Maps> {
        camera.require_pinhole("nerf")?;
        camera.validate().map_err(|m| Error::input("camera", m))?;
        let rays = camera_rays(camera);
        let n = rays.len();
        let axis = optical_axis(camera);
        let mut maps = Maps {
            rgb: Image { width: camera.width, height: camera.height, channels: 3, data: vec![0.0; 3 * n] },
            opacity: vec![0.0; n],
            depth: vec![f32::NAN; n],
        };
        self.render_rays(&rays, |start, out| {
            let last = out.last();
            let (rgb, acc, dist) = (to_vec(last.rgb.clone()), to_vec(last.opacity.clone()), to_vec(last.depth.clone()));
            maps.rgb.data[3 * start..3 * start + rgb.len()].copy_from_slice(&rgb);
            for (k, (a, t)) in acc.iter().zip(&dist).enumerate() {
                let i = start + k;
                let d = &rays.dirs[3 * i..3 * i + 3];
                let cos = d[0] as f64 * axis[0] + d[1] as f64 * axis[1] + d[2] as f64 * axis[2];
                maps.opacity[i] = *a;
                if *a > 0.0 {
                    maps.depth[i] = (*t as f64 / *a as f64 * cos) as f32;
                }
            }
        });
        Ok(maps)
    }
}

impl Reconstruction for NerfReconstruction {
    fn render(&self, camera: &Camera) -> Result<Image> {
        Ok(self.render_maps(camera)?.rgb)
    }

    fn artifacts(&self, dir: &Path) -> Result<Vec<Artifact>> {
        crate::figures::write_all(self, &self.id, dir)
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([("parameters".to_string(), self.nets.parameter_count() as f64)])
    }
}

/// What a checkpoint must match to be resumed from: the configuration but for when to checkpoint and whether to
/// resume, the step count, the seed, the scene and its training view count.
fn fingerprint(cfg: &NerfConfig, steps: usize, seed: u64, scene: &str, views: usize) -> String {
    splatbench_train::checkpoint::fingerprint(cfg, &format!("steps={steps} seed={seed} scene={scene} views={views}"))
}
