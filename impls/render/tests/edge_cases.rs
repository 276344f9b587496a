//! Determinism (same bits across runs and thread counts), empty clouds and fully culled clouds.

mod common;

use rand::Rng;
use splatbench_render::GaussianCloud;
use splatbench_render::cpu::{Grads, ImageGrads, RenderImage, backward, forward};

fn run(g: &GaussianCloud, cam: &splatbench_render::RasterCamera, seed: u64) -> (RenderImage, Grads, Vec<u32>) {
    let bg = [0.1, 0.2, 0.3];
    let (img, state) = forward(g, cam, bg);
    let mut r = common::rng(seed);
    let n = img.alpha.len();
    let dc: Vec<f32> = (0..n * 3).map(|_| r.random_range(-1.0..1.0)).collect();
    let da: Vec<f32> = (0..n).map(|_| r.random_range(-1.0..1.0)).collect();
    let dd: Vec<f32> = (0..n).map(|_| r.random_range(-1.0..1.0)).collect();
    let grads = backward(g, cam, bg, &state, ImageGrads { color: &dc, alpha: &da, depth: &dd });
    (img, grads, state.radii)
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn grad_bits(g: &Grads) -> Vec<u32> {
    let mut out = bits(g.means.concat().as_slice());
    out.extend(bits(&g.log_scales.concat()));
    out.extend(bits(&g.quats.concat()));
    out.extend(bits(&g.opacity_logits));
    out.extend(bits(&g.sh));
    out.extend(bits(&g.means2d.concat()));
    out.extend(bits(&g.viewmat.concat()));
    out.extend(bits(&g.intrinsics));
    out.extend(bits(&g.background));
    out
}

#[test]
fn deterministic_across_runs_and_thread_counts() {
    let mut r = common::rng(5);
    let cam = common::random_camera(&mut r, 70, 45);
    let (g, _) = common::messy_scene(&mut r, &cam, 3000, 2);
    let (img1, g1, r1) = run(&g, &cam, 9);
    let (img2, g2, r2) = run(&g, &cam, 9);
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let (img3, g3, r3) = one.install(|| run(&g, &cam, 9));
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    let (img4, g4, _) = three.install(|| run(&g, &cam, 9));
    assert_eq!(r1, r2);
    assert_eq!(r1, r3);
    for img in [&img2, &img3, &img4] {
        assert_eq!(bits(&img1.color), bits(&img.color));
        assert_eq!(bits(&img1.alpha), bits(&img.alpha));
        assert_eq!(bits(&img1.depth), bits(&img.depth));
    }
    for gr in [&g2, &g3, &g4] {
        assert_eq!(grad_bits(&g1), grad_bits(gr));
    }
    assert!(g1.means.iter().flatten().any(|&v| v != 0.0), "gradients are all zero");
}

#[test]
fn empty_cloud_renders_background() {
    let mut r = common::rng(1);
    let cam = common::random_camera(&mut r, 33, 17);
    let g = GaussianCloud::empty(3);
    let (img, grads, radii) = run(&g, &cam, 2);
    assert!(radii.is_empty());
    for px in img.color.chunks_exact(3) {
        assert_eq!(px, [0.1, 0.2, 0.3]);
    }
    assert!(img.alpha.iter().all(|&a| a == 0.0));
    assert!(img.depth.iter().all(|&d| d == 0.0));
    assert!(grads.means.is_empty() && grads.sh.is_empty());
    assert_eq!(grads.viewmat, [[0.0; 4]; 4]);
    assert_eq!(grads.intrinsics, [0.0; 4]);
    // dL/dbackground = Σ dL/dcolour (T = 1 everywhere).
    let mut rr = common::rng(2);
    let n = img.alpha.len();
    let dc: Vec<f32> = (0..n * 3).map(|_| rr.random_range(-1.0..1.0)).collect();
    for c in 0..3 {
        let want: f64 = dc.iter().skip(c).step_by(3).map(|&v| v as f64).sum();
        assert!((grads.background[c] as f64 - want).abs() < 1e-4, "background grad {c}");
    }
}

#[test]
fn fully_culled_cloud_renders_background_with_zero_grads() {
    let mut r = common::rng(3);
    let cam = common::random_camera(&mut r, 40, 30);
    let (mut g, _) = common::messy_scene(&mut r, &cam, 50, 1);
    for (i, m) in g.means.iter_mut().enumerate() {
        if i % 2 == 0 {
            // Behind the camera.
            let c = common::camera_center(&cam);
            let fwd = [cam.viewmat[2][0], cam.viewmat[2][1], cam.viewmat[2][2]];
            *m = std::array::from_fn(|k| c[k] - 2.0 * fwd[k]);
        } else {
            // In front, but transparent below 1/255.
            g.opacity_logits[i] = -7.0;
        }
    }
    let (img, grads, radii) = run(&g, &cam, 4);
    assert!(radii.iter().all(|&r| r == 0));
    for px in img.color.chunks_exact(3) {
        assert_eq!(px, [0.1, 0.2, 0.3]);
    }
    assert!(img.alpha.iter().all(|&a| a == 0.0));
    assert!(grads.means.iter().flatten().all(|&v| v == 0.0));
    assert!(grads.sh.iter().all(|&v| v == 0.0));
    assert!(grads.means2d.iter().flatten().all(|&v| v == 0.0));
}

#[test]
fn validate_rejects_bad_clouds() {
    let mut g = GaussianCloud::empty(1);
    g.means.push([0.0; 3]);
    assert!(g.validate().is_err(), "missing arrays");
    g.log_scales.push([0.0; 3]);
    g.quats.push([0.0; 4]);
    g.opacity_logits.push(0.0);
    g.sh.extend([0.0; 12]);
    assert!(g.validate().unwrap_err().contains("zero quaternion"));
    g.quats[0] = [1.0, 0.0, 0.0, 0.0];
    assert!(g.validate().is_ok());
    g.means[0][1] = f32::NAN;
    assert!(g.validate().is_err());
    g.means[0][1] = 0.0;
    g.sh_degree = 4;
    assert!(g.validate().is_err());
}
