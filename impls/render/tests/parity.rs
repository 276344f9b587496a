//! Fast forward vs the dense f64 reference on messy random scenes: ≥ 60 dB PSNR on colour, alpha and depth
//! (depth normalised by its maximum), over odd and non-square sizes, SH degrees 0–3 and several seeds.

mod common;

use splatbench_render::cpu::forward;
use splatbench_render::reference::render_dense;

fn psnr(a: &[f32], b: &[f64], peak: f64) -> f64 {
    assert_eq!(a.len(), b.len());
    let mse = a.iter().zip(b).map(|(&x, &y)| (x as f64 - y).powi(2)).sum::<f64>() / a.len() as f64;
    10.0 * (peak * peak / mse.max(1e-30)).log10()
}

fn check(seed: u64, width: u32, height: u32, n: usize, sh_degree: u32) {
    let mut r = common::rng(seed);
    let cam = common::random_camera(&mut r, width, height);
    let (g, kinds) = common::messy_scene(&mut r, &cam, n, sh_degree);
    let bg = [0.2, 0.5, 0.9];
    let (img, state) = forward(&g, &cam, bg);
    let want = render_dense(&g, &cam, bg);
    let tag = format!("seed {seed}, {width}×{height}, {n} Gaussians, SH {sh_degree}");

    let c = psnr(&img.color, &want.color, 1.0);
    let a = psnr(&img.alpha, &want.alpha, 1.0);
    let max_depth = want.depth.iter().cloned().fold(1e-9, f64::max);
    let d = psnr(&img.depth, &want.depth, max_depth);
    assert!(c >= 60.0, "{tag}: colour PSNR {c:.1} dB");
    assert!(a >= 60.0, "{tag}: alpha PSNR {a:.1} dB");
    assert!(d >= 60.0, "{tag}: depth PSNR {d:.1} dB");

    // The scene must actually exercise what it claims: something visible, something culled, coverage varied.
    let visible = state.radii.iter().filter(|&&r| r > 0).count();
    assert!(visible > n / 2, "{tag}: only {visible} visible");
    assert!(state.radii.iter().any(|&r| r == 0), "{tag}: nothing culled (behind-camera ones: {})", kinds.behind);
    let covered = want.alpha.iter().filter(|&&a| a > 0.5).count();
    assert!(covered > 0, "{tag}: nothing covered");
}

#[test]
fn odd_small_image_all_degrees() {
    for deg in 0..=3 {
        for seed in 0..3 {
            check(seed * 10 + deg as u64, 37, 23, 120, deg);
        }
    }
}

#[test]
fn non_square_images() {
    check(101, 128, 96, 400, 3);
    check(102, 96, 128, 400, 1);
    check(103, 17, 40, 150, 2);
}

#[test]
fn dense_crowd_hits_transmittance_stop() {
    // Many opaque Gaussians so most pixels stop early (T < 1e-4).
    let mut r = common::rng(7);
    let cam = common::random_camera(&mut r, 48, 40);
    let (mut g, _) = common::messy_scene(&mut r, &cam, 600, 0);
    for l in &mut g.opacity_logits {
        *l = l.abs() + 2.0;
    }
    let (img, _) = forward(&g, &cam, [1.0, 0.0, 0.0]);
    let want = render_dense(&g, &cam, [1.0, 0.0, 0.0]);
    let stopped = want.alpha.iter().filter(|&&a| a > 1.0 - 2e-4).count();
    assert!(stopped > want.alpha.len() / 4, "only {stopped} pixels reached the T stop");
    let c = psnr(&img.color, &want.color, 1.0);
    assert!(c >= 60.0, "colour PSNR {c:.1} dB");
}
