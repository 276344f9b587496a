//! The head method on a synthetic object: a known Gaussian cloud rendered by the op itself from yaw/pitch cameras.
//! (Fine for unit tests of the pieces; the acceptance test on the generator's head_toy is tests/tests/head.rs.)

use burn::tensor::Device;
use splatbench_core::{Backend, Camera, Error, Image, Mask, Reconstructor, RunContext, Scene, View};
use splatbench_head::{HeadConfig, HeadReconstructor, YawPitchRig, train_scene};
use splatbench_render::GaussianCloud;
use splatbench_render::op::{CameraTensors, GaussianTensors, render};

const SIZE: u32 = 40;
const FOCAL_NORM: f64 = 1.8660254037844386; // fov 30°: 1 / (2 tan 15°)
const DISTANCE: f64 = 3.0;

/// An ellipsoidal shell of opaque Gaussians, coloured by position, so views differ.
fn object() -> GaussianCloud {
    let mut c = GaussianCloud::empty(0);
    let (nu, nv) = (18, 10);
    for i in 0..nu {
        for j in 0..nv {
            let (u, v) =
                (i as f64 / nu as f64 * std::f64::consts::TAU, (j as f64 + 0.5) / nv as f64 * std::f64::consts::PI);
            let p = [0.35 * v.sin() * u.cos(), 0.45 * v.cos(), 0.35 * v.sin() * u.sin()];
            c.means.push(p.map(|x| x as f32));
            c.log_scales.push([(0.07f32).ln(); 3]);
            c.quats.push([1.0, 0.0, 0.0, 0.0]);
            c.opacity_logits.push(3.0);
            let rgb = [0.5 + 1.2 * p[0], 0.5 + 1.0 * p[1], 0.5 - 1.2 * p[2]];
            c.sh.extend(rgb.map(|x| ((x.clamp(0.05, 0.95) - 0.5) / splatbench_core::maths::SH_C0) as f32));
        }
    }
    c
}

fn rig(angles: &[(f64, f64)]) -> YawPitchRig {
    YawPitchRig {
        focal_norm: FOCAL_NORM,
        distance: DISTANCE,
        views: angles.iter().map(|&(y, p)| splatbench_head::YawPitch { yaw_deg: y, pitch_deg: p }).collect(),
    }
}

fn view(cloud: &GaussianCloud, cam: Camera, name: String, device: &Device) -> View {
    let g = GaussianTensors::from_cloud(cloud, device);
    let out = render(&g, &CameraTensors::from_camera(&cam, device), [1.0; 3], None);
    let data = out.color.into_data().try_into_vec_as::<f32>().unwrap();
    let alpha = out.alpha.into_data().try_into_vec_as::<f32>().unwrap();
    View {
        name,
        image: Image { width: SIZE, height: SIZE, channels: 3, data },
        mask: Some(Mask { width: SIZE, height: SIZE, data: alpha }),
        camera: cam,
        depth: None,
    }
}

fn scene() -> Scene {
    let device = splatbench_device::device_for(splatbench_core::Backend::Ndarray, None).unwrap();
    let cloud = object();
    let mut s = Scene { name: "synthetic".into(), background: [1.0; 3], ..Default::default() };
    let train = rig(&[(-45.0, 0.0), (-15.0, 0.0), (15.0, 0.0), (45.0, 0.0)]);
    let test = rig(&[(0.0, 0.0), (30.0, 10.0)]);
    let mk = |r: &YawPitchRig, split: &str| {
        (0..r.views.len())
            .map(|i| view(&cloud, r.camera(i, SIZE, SIZE), format!("{split}{i}"), &device))
            .collect::<Vec<_>>()
    };
    s.splits.insert("train".into(), mk(&train, "train"));
    s.splits.insert("test".into(), mk(&test, "test"));
    s
}

fn psnr(a: &Image, b: &Image) -> f64 {
    splatbench_metrics::psnr(a, b).unwrap_or(f64::INFINITY)
}

fn small_config() -> HeadConfig {
    HeadConfig {
        steps: 120,
        max_image_side: Some(SIZE),
        init_points: 100,
        max_points: 400,
        gif_frames: 3,
        gif_size: 24,
        ..Default::default()
    }
}

fn mean_test_psnr(r: &dyn splatbench_core::Reconstruction, s: &Scene) -> f64 {
    let t = s.split("test");
    t.iter().map(|v| psnr(&r.render(&v.camera).unwrap(), &v.image)).sum::<f64>() / t.len() as f64
}

#[test]
fn fit_improves_test_views_and_respects_the_point_schedule() {
    let s = scene();
    let mut ctx = RunContext::new(Backend::Ndarray, 7);
    ctx.steps = Some(0);
    let mut m0 = HeadReconstructor::new(small_config());
    m0.train(std::slice::from_ref(&s), &mut ctx).unwrap();
    let before = mean_test_psnr(m0.reconstruct(&[], &mut ctx).unwrap().as_ref(), &s);

    let mut ctx = RunContext::new(Backend::Ndarray, 7);
    let mut m = HeadReconstructor::new(small_config());
    let report = m.train(std::slice::from_ref(&s), &mut ctx).unwrap();
    let after = mean_test_psnr(m.reconstruct(&[], &mut ctx).unwrap().as_ref(), &s);
    let out = m.outcome().unwrap();
    eprintln!("test PSNR {before:.2} -> {after:.2} dB; points {:?}; stats {:?}", out.point_history, report.stats);
    assert!(after > before + 1.0, "test PSNR {before:.2} -> {after:.2}");
    assert!(report.final_loss.is_finite());
    // progressive: refinements happened, never above the schedule nor the maximum, and the cloud grew
    assert!(!out.point_history.is_empty());
    for (&(step, n), &target) in out.point_history.iter().zip(&out.point_targets) {
        assert!(n <= target && n <= 400, "step {step}: {n} points, schedule allows {target}");
    }
    assert!(out.point_history.last().unwrap().1 > 100, "cloud did not grow: {:?}", out.point_history);
    // without noise and with the first camera fixed the cameras stay close to the truth
    assert!(report.stats["camera_err_deg"] < 2.0, "{:?}", report.stats);
}

#[test]
fn artifacts_checkpoint_and_resume() {
    let s = scene();
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = RunContext::new(Backend::Ndarray, 3);
    ctx.work_dir = Some(dir.path().to_path_buf());
    ctx.steps = Some(20);
    let cfg = HeadConfig { checkpoint_every: 10, ..small_config() };
    let mut m = HeadReconstructor::new(cfg.clone());
    m.train(std::slice::from_ref(&s), &mut ctx).unwrap();
    let arts = m.reconstruct(&[], &mut ctx).unwrap().artifacts(&dir.path().join("out")).unwrap();
    let kinds: Vec<&str> = arts.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["ply", "json", "gif"]);
    for a in &arts {
        assert!(std::fs::metadata(&a.path).unwrap().len() > 100, "{:?}", a.path);
    }
    let ply = splatbench_render::ply::read_ply(&arts[0].path).unwrap();
    assert_eq!(ply.len(), m.outcome().unwrap().reconstruction.cloud.len());

    // resume: with the step-20 checkpoint gone (as if killed after step 10's), the same run resumes at 10 and
    // ends where the uninterrupted one did, to the bit
    let first_curve = ctx.loss_curve.clone();
    let first_cloud = m.outcome().unwrap().reconstruction.cloud.clone();
    std::fs::remove_file(dir.path().join("head_step000020.sha256")).unwrap();
    let mut ctx = RunContext::new(Backend::Ndarray, 3);
    ctx.work_dir = Some(dir.path().to_path_buf());
    ctx.steps = Some(20);
    let mut m2 = HeadReconstructor::new(cfg.clone());
    let r2 = m2.train(std::slice::from_ref(&s), &mut ctx).unwrap();
    assert_eq!(r2.stats["resumed_from_step"], 10.0);
    assert_eq!(ctx.loss_curve, first_curve);
    assert_eq!(m2.outcome().unwrap().reconstruction.cloud, first_cloud);

    // another step count is another run: its checkpoints are not resumed from
    let mut ctx = RunContext::new(Backend::Ndarray, 3);
    ctx.work_dir = Some(dir.path().to_path_buf());
    ctx.steps = Some(25);
    let r3 = HeadReconstructor::new(cfg).train(std::slice::from_ref(&s), &mut ctx).unwrap();
    assert_eq!(r3.stats["resumed_from_step"], 0.0);
}

#[test]
fn bad_input_is_an_input_error() {
    let s = scene();
    let mut ctx = RunContext::new(Backend::Ndarray, 1);
    let bad = HeadConfig { init_points: 50, max_points: 10, ..small_config() };
    assert!(matches!(train_scene(&bad, &s, None, &mut ctx), Err(Error::Input { .. })));
    let mut empty = s.clone();
    empty.splits.remove("train");
    assert!(matches!(train_scene(&small_config(), &empty, None, &mut ctx), Err(Error::Input { .. })));
    // a camera that is not a yaw/pitch view of the origin
    let mut off = s.clone();
    off.splits.get_mut("train").unwrap()[1].camera.world_to_camera[0][3] = 0.3;
    assert!(matches!(train_scene(&small_config(), &off, None, &mut ctx), Err(Error::Input { .. })));
}
