//! NeRF on the generator's blender_toy (64² RGBA over white, 24 training and 6 test views), CPU-sized: both
//! sampling variants with the same samples per ray and the same steps must beat their initial state by 2 dB and
//! the mean-colour reference by 1 dB on the held-out views; the figures must be written.

use splatbench_core::{Backend, Image, Reconstruction, Reconstructor, RunContext, Scene};
use splatbench_metrics::psnr;
use splatbench_metrics::reference::mean_colour_image;
use splatbench_nerf::{Nerf, NerfConfig, Sampling};
use std::time::Instant;

const STEPS: usize = 300;
/// Half the CPU preset's batch, so the test stays within minutes on 2 cores.
const BATCH: usize = 256;

fn clamped(mut img: Image) -> Image {
    img.data.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
    img
}

/// Mean PSNR over the test views of `scene`.
fn held_out_psnr(recon: &dyn Reconstruction, scene: &Scene) -> f64 {
    let test = scene.split("test");
    let sum: f64 = test
        .iter()
        .map(|v| psnr(&clamped(recon.render(&v.camera).unwrap()), &v.image.to_rgb_over(scene.background)).unwrap())
        .sum();
    sum / test.len() as f64
}

fn fit(scene: &Scene, sampling: Sampling, steps: usize, seed: u64) -> (Nerf, f64) {
    let cfg = NerfConfig {
        sampling,
        batch_rays: BATCH,
        gif_frames: 2,
        gif_size: 24,
        figure_size: 32,
        ..NerfConfig::default()
    };
    let mut m = Nerf::new(cfg);
    let mut ctx = RunContext::new(Backend::Ndarray, seed);
    ctx.steps = Some(steps);
    let t = Instant::now();
    let report = m.train(std::slice::from_ref(scene), &mut ctx).unwrap();
    let secs = t.elapsed().as_secs_f64();
    eprintln!("{sampling:?} seed {seed}: {steps} steps in {secs:.1} s, stats {:?}", report.stats);
    (m, secs)
}

#[test]
#[cfg_attr(debug_assertions, ignore = "release only: cargo xtask test runs it in its release step")]
fn both_variants_beat_their_start_and_the_mean_colour_on_held_out_views() {
    let scenes = splatbench_data::reference::load("gen:blender_toy").unwrap();
    let scene = &scenes[0];
    let test = scene.split("test");
    let (w, h) = (test[0].image.width, test[0].image.height);
    let mean = mean_colour_image(scene.split("train"), w, h);
    let reference: f64 = test.iter().map(|v| psnr(&mean, &v.image.to_rgb_over(scene.background)).unwrap()).sum::<f64>()
        / test.len() as f64;

    let mut results = Vec::new();
    for sampling in [Sampling::Hierarchical, Sampling::CoarseOnly] {
        let (m0, _) = fit(scene, sampling, 0, 0);
        let initial = held_out_psnr(m0.fitted().unwrap(), scene);
        let (m, secs) = fit(scene, sampling, STEPS, 0);
        let recon = m.fitted().unwrap();
        let t = Instant::now();
        let trained = held_out_psnr(recon, scene);
        let render_s = t.elapsed().as_secs_f64() / test.len() as f64;
        eprintln!(
            "{sampling:?}: held-out PSNR {trained:.2} dB (initial {initial:.2}, mean colour {reference:.2}); \
             train {secs:.1} s, {render_s:.2} s per 64² test view"
        );
        // Measured (seed 0, 300 steps of 256 rays): hierarchical 16.10 dB from 10.97, coarse_only 15.96 from
        // 9.94, mean colour 5.56. Asserted: about half those gains (the issue asks for +2 and +1 dB).
        assert!(trained >= initial + 2.5, "{sampling:?}: {trained} vs initial {initial}");
        assert!(trained >= reference + 5.0, "{sampling:?}: {trained} vs mean colour {reference}");
        results.push((sampling, trained, m));
    }
    // The fine stage's gain at equal samples per ray is reported, not asserted: +0.14 dB at seed 0 (+0.19 dB
    // with 512-ray batches) has not been shown robust across seeds.
    if let [(_, h, _), (_, c, _)] = &results[..] {
        eprintln!("hierarchical − coarse_only: {:+.2} dB", h - c);
    }

    // The pictures: depth and opacity PNGs, the sampling SVG with one panel per probe ray, the turntable.
    let dir = tempfile::tempdir().unwrap();
    let recon = results[0].2.fitted().unwrap();
    let arts = recon.artifacts(dir.path()).unwrap();
    let kinds: Vec<_> = arts.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["png", "png", "svg", "gif"]);
    let svg = std::fs::read_to_string(&arts[2].path).unwrap();
    for label in ["edge pixel", "interior pixel", "background pixel"] {
        assert!(svg.contains(label), "{label} missing from the SVG");
    }
    // 32 coarse dots per panel.
    assert_eq!(svg.matches("<circle").count(), 3 * 32);
    for a in &arts {
        assert!(std::fs::metadata(&a.path).unwrap().len() > 100, "{} is empty", a.path.display());
    }
    if let Ok(keep) = std::env::var("NERF_FIGURES") {
        for a in &arts {
            std::fs::copy(&a.path, std::path::Path::new(&keep).join(a.path.file_name().unwrap())).unwrap();
        }
    }
}
