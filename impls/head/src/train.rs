//! The training loop: one training view per step (cycling), geometry and camera Adam with cosine annealing,
//! progressive densification, optional checkpoints.
//!
//! Per step `s` of `S`: `lr_geo(s) = cosine(lr_geometry → lr_min_factor · lr_geometry)`, the same for the
//! cameras; render the view through its learnable camera with a screen-space probe, compute the loss
//! ([`crate::loss`]), backward, hand the probe's gradient to the strategy (`step_post_backward`: accumulate,
//! refine on schedule), then Adam on the points and — after `camera_warmup_steps` — on the cameras.

use std::time::Instant;

use burn::tensor::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::{Error, Phase, Result, RunContext, Scene, TrainReport};
use splatbench_device::device_for as default_device;
use splatbench_gstrain::{PointParams, StepInfo, Strategy, cosine_lr};
use splatbench_render::op::{GaussianTensors, render};

use crate::cameras::{Bounds, LearnableCameras, mean_angle_error_deg};
use crate::checkpoint;
use crate::config::HeadConfig;
use crate::init::{INIT_OPACITY, initial_cloud};
use crate::loss::head_loss;
use crate::points::{PointValues, build_params, gaussian_tensors, set_lrs, values_from_cloud};
use crate::recon::HeadReconstruction;
use crate::strategy::ProgressiveStrategy;
use crate::views::{TrainView, prepare};
use crate::yaw_pitch::{YawPitch, YawPitchRig};

/// Everything a finished run hands back.
pub struct TrainOutcome {
    pub reconstruction: HeadReconstruction,
    pub report: TrainReport,
    /// (step, point count) after each refinement.
    pub point_history: Vec<(usize, usize)>,
    /// The schedule's allowed count at each refinement step, for checking `point_history` against it.
    pub point_targets: Vec<usize>,
    /// Cameras: the dataset's, the initial (perturbed) and the learned.
    pub true_rig: YawPitchRig,
    pub init_rig: YawPitchRig,
}

/// Perturb every learnable view's angles by a uniform offset in [−noise, noise] degrees.
pub fn perturb(rig: &YawPitchRig, noise_deg: f64, fix_first: bool, seed: u64) -> YawPitchRig {
    let mut out = rig.clone();
    if noise_deg <= 0.0 {
        return out;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0FF_EE00_D15E_A5E5);
    for (i, v) in out.views.iter_mut().enumerate() {
        let (dy, dp): (f64, f64) = (rng.random_range(-1.0..=1.0), rng.random_range(-1.0..=1.0));
        if !(fix_first && i == 0) {
            *v = YawPitch { yaw_deg: v.yaw_deg + noise_deg * dy, pitch_deg: v.pitch_deg + noise_deg * dp };
        }
    }
    out
}

fn probe_grads(probe: &Tensor<2>, grads: &burn::tensor::Gradients, n: usize) -> Vec<[f32; 2]> {
    match probe.grad(grads) {
        Some(g) => g.into_data().try_into_vec_as::<f32>().expect("f32 grads").chunks(2).map(|c| [c[0], c[1]]).collect(),
        None => vec![[0.0; 2]; n],
    }
}

/// Fit the scene's "train" split. `dataset_rig` is the dataset's yaw/pitch file when the caller has it; otherwise
/// the rig is recovered from the views' poses (which must fit the model).
pub fn train_scene(
    cfg: &HeadConfig,
    scene: &Scene,
    dataset_rig: Option<&YawPitchRig>,
    ctx: &mut RunContext,
) -> Result<TrainOutcome> {
    cfg.validate().map_err(|m| Error::input("head config", m))?;
    let views = scene.split("train");
    if views.is_empty() {
        return Err(Error::input(&scene.name, "the head method needs a \"train\" split with at least one view"));
    }
    for v in views {
        v.camera.require_pinhole("the head method")?;
    }
    let device: Device = default_device(ctx.backend, ctx.device_index)?;
    let steps = ctx.steps.unwrap_or(cfg.steps);
    let bg = scene.background;

    let mut train: Vec<TrainView> =
        ctx.time(Phase::Data, || views.iter().map(|v| prepare(v, cfg.image_size, bg, &device)).collect());
    let true_rig = match dataset_rig {
        Some(r) if r.views.len() == views.len() => r.clone(),
        Some(r) => {
            return Err(Error::input(
                &scene.name,
                format!("yaw/pitch file has {} views, the train split {}", r.views.len(), views.len()),
            ));
        }
        None => YawPitchRig::from_cameras(&views.iter().map(|v| &v.camera).collect::<Vec<_>>())
            .map_err(|m| Error::input(&scene.name, format!("train cameras do not fit the yaw/pitch model: {m}")))?,
    };
    let init_rig = perturb(&true_rig, cfg.camera_noise_deg, cfg.fix_first_camera, ctx.seed);
    for (i, v) in train.iter_mut().enumerate() {
        let c = init_rig.camera(i, v.camera.width, v.camera.height);
        v.camera = splatbench_core::Camera { fy: c.fx * v.camera.fy / v.camera.fx, ..c };
    }
    let radius = cfg.object_radius_factor * true_rig.distance / (2.0 * init_rig.focal_norm);

    let mut rng = ChaCha8Rng::seed_from_u64(ctx.seed);
    let bounds = Bounds {
        max_yaw_deg: cfg.max_yaw_deg,
        max_pitch_deg: cfg.max_pitch_deg,
        focal_min: init_rig.focal_norm / cfg.focal_range_factor,
        focal_max: init_rig.focal_norm * cfg.focal_range_factor,
    };
    let resumed = match (&ctx.work_dir, cfg.resume) {
        (Some(dir), true) => checkpoint::load(dir)?,
        _ => None,
    };
    let (values, start_rig, start_step) = match resumed {
        Some(ck) => {
            let values = values_from_cloud(&ck.cloud).map_err(|m| Error::input("head_checkpoint.ply", m))?;
            let rig = YawPitchRig {
                focal_norm: ck.cameras.focal_norm,
                distance: ck.cameras.distance,
                views: ck
                    .cameras
                    .views
                    .iter()
                    .map(|v| YawPitch { yaw_deg: v.yaw_deg, pitch_deg: v.pitch_deg })
                    .collect(),
            };
            if rig.views.len() != init_rig.views.len() {
                return Err(Error::input("head_checkpoint_cameras.json", "checkpoint has a different number of views"));
            }
            (values, rig, ck.cameras.step)
        }
        None => {
            let init = initial_cloud(&train, cfg.init_points, radius, cfg.visual_hull_init, &mut rng);
            let n = init.means.len();
            let values = PointValues {
                means: init.means,
                colors: init.colors,
                opacities: vec![INIT_OPACITY; n],
                scales: vec![[init.scale; 3]; n],
            };
            (values, init_rig.clone(), 0)
        }
    };
    let mut params: PointParams = build_params(&values, cfg.anisotropic, cfg.lr_geometry, &device);
    let mut cameras =
        LearnableCameras::new(start_rig, cfg.fix_first_camera, cfg.learn_focal, cfg.lr_camera, bounds, &device);
    let from = (cfg.densify_from * steps as f64).round() as usize;
    let until = (cfg.densify_until * steps as f64).round() as usize;
    let mut strategy = ProgressiveStrategy::new(
        cfg.init_points.min(params.len()),
        cfg.max_points,
        cfg.densify_every,
        from,
        until,
        cfg.clone_jitter,
        cfg.prune_opacity,
        ctx.seed,
    );
    ctx.progress.set_total(steps as u64);

    let names: Vec<String> = views.iter().map(|v| v.name.clone()).collect();
    let mut final_loss = f64::NAN;
    let mut point_targets = Vec::new();
    let t_start = Instant::now();
    for step in start_step..steps {
        let lr_geo = cosine_lr(cfg.lr_geometry, cfg.lr_geometry * cfg.lr_min_factor, step, steps);
        set_lrs(&mut params, lr_geo);
        cameras.set_lr(cosine_lr(cfg.lr_camera, cfg.lr_camera * cfg.lr_min_factor, step, steps));
        let i = step % train.len();
        let view = &train[i];
        let n = params.len();

        let (out, probe, loss) = ctx.time(Phase::Forward, || {
            let g: GaussianTensors = gaussian_tensors(&params);
            let probe = Tensor::<2>::zeros([n, 2], &device).require_grad();
            let cam = cameras.tensors(i, &view.camera);
            let out = render(&g, &cam, bg, Some(&probe));
            let loss = head_loss(&out, view, &params, cfg, radius);
            (out, probe, loss)
        });
        let value = loss.total.clone().into_scalar::<f32>() as f64;
        ctx.record_loss(step, value)?;
        final_loss = value;
        let grads = ctx.time(Phase::Backward, || loss.total.backward());
        let g2d = probe_grads(&probe, &grads, n);

        ctx.time(Phase::Optimizer, || {
            params.adam_step(&grads);
            if step >= cfg.camera_warmup_steps {
                cameras.step(&grads);
            }
        });
        ctx.time(Phase::Densify, || {
            let info = StepInfo {
                step,
                total_steps: steps,
                means2d_grad: &g2d,
                radii: &out.radii,
                width: view.camera.width,
                height: view.camera.height,
            };
            let before = strategy.history.len();
            strategy.step_post_backward(&mut params, &info);
            strategy.step_post_optimizer(&mut params, step);
            if strategy.history.len() > before {
                point_targets.push(strategy.target(step));
            }
        });
        assert!(params.len() <= cfg.max_points, "point count {} exceeds max_points {}", params.len(), cfg.max_points);

        if let (Some(dir), true) = (&ctx.work_dir, cfg.checkpoint_every > 0 && (step + 1) % cfg.checkpoint_every == 0) {
            let (w, h) = (train[0].camera.width, train[0].camera.height);
            checkpoint::save(dir, &gaussian_tensors(&params).to_cloud(), &cameras.to_file(step + 1, &names, w, h))?;
        }
    }
    let elapsed = t_start.elapsed().as_secs_f64();
    let ran = steps.saturating_sub(start_step);

    let learned = cameras.rig().clone();
    let mut report = TrainReport { steps, final_loss, ..Default::default() };
    report.stats.insert("points".into(), params.len() as f64);
    report.stats.insert("camera_err_deg".into(), mean_angle_error_deg(&learned, &true_rig));
    report.stats.insert("camera_err_init_deg".into(), mean_angle_error_deg(&init_rig, &true_rig));
    report.stats.insert("focal_err_pct".into(), 100.0 * (learned.focal_norm / true_rig.focal_norm - 1.0).abs());
    report.stats.insert("resumed_from_step".into(), start_step as f64);
    if ran > 0 {
        report.stats.insert("ms_per_step".into(), 1e3 * elapsed / ran as f64);
    }
    let (w, h) = (train[0].camera.width, train[0].camera.height);
    let reconstruction = HeadReconstruction::new(
        gaussian_tensors(&params).to_cloud(),
        cameras.to_file(steps, &names, w, h),
        bg,
        device,
        cfg.gif_frames,
        cfg.gif_size,
    );
    Ok(TrainOutcome {
        reconstruction,
        report,
        point_history: strategy.history.clone(),
        point_targets,
        true_rig,
        init_rig,
    })
}
