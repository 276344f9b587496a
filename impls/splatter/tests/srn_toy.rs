//! Method tests on the generator's `srn_toy` (6 training objects × 24 views, 2 test objects × 24 spiral views, 64²):
//! a short training run must clear its initial state and a constant white image on the novel views, and a `fit`
//! target must beat a `teacher` target on the views it never saw.
//!
//! Release build: `cargo test -p splatbench-splatter --release` (a few minutes on 2 cores in all).

use splatbench_core::{Backend, Image, Reconstructor, RunContext, Scene};
use splatbench_metrics::psnr;
use splatbench_splatter::data::Object;
use splatbench_splatter::splat::Splats;
use splatbench_splatter::target_io::TargetImage;
use splatbench_splatter::targets::{
    fit_target, held_out, predict, target_from_splats, target_view_indices, train_baseline,
};
use splatbench_splatter::{Splatter, SplatterConfig};

/// The generator's conditioning view of srn_toy (`conditioning.json`: 6).
const CONDITIONING: &str = "000006";

fn srn_toy() -> Vec<Scene> {
    splatbench_data::reference::load("gen:srn_toy").expect("generate srn_toy")
}

fn split(scenes: Vec<Scene>) -> (Vec<Scene>, Vec<Scene>) {
    scenes.into_iter().partition(|s| !s.split("train").is_empty())
}

/// Mean over test objects of the mean novel-view PSNR of `recon(conditioning view)`, and of a white image.
fn novel_psnr(
    tests: &[Scene],
    recon: impl Fn(&splatbench_core::View) -> Box<dyn splatbench_core::Reconstruction>,
) -> (f64, f64) {
    let (mut method, mut white) = (0.0, 0.0);
    for s in tests {
        let views = s.split("test");
        let cond = views.iter().find(|v| v.name == CONDITIONING).expect("conditioning view");
        let r = recon(cond);
        let (mut m, mut w, mut n) = (0.0, 0.0, 0.0);
        for v in views.iter().filter(|v| v.name != CONDITIONING) {
            let gt = v.image.to_rgb_over(s.background);
            let pred = r.render(&v.camera).unwrap();
            let pred = Image { data: pred.data.iter().map(|x| x.clamp(0.0, 1.0)).collect(), ..pred };
            m += psnr(&pred, &gt).unwrap();
            w += psnr(&Image::from_fn(gt.width, gt.height, 3, |_, _, _| 1.0), &gt).unwrap();
            n += 1.0;
        }
        method += m / n;
        white += w / n;
    }
    (method / tests.len() as f64, white / tests.len() as f64)
}

#[test]
fn a_short_run_beats_its_initial_state_and_a_white_image_on_novel_views() {
    let (train, tests) = split(srn_toy());
    let cfg = SplatterConfig { steps: 100, resolution: 64, ..SplatterConfig::default() };
    let mut m = Splatter::new(cfg);
    let mut ctx = RunContext::new(Backend::Ndarray, 7);
    let t = std::time::Instant::now();
    let report = m.train(&train, &mut ctx).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let (trained, white) = novel_psnr(&tests, |v| {
        m.reconstruct(std::slice::from_ref(v), &mut RunContext::new(Backend::Ndarray, 7)).unwrap()
    });
    let (initial, _) = novel_psnr(&tests, |v| {
        m.initial(std::slice::from_ref(v), &mut RunContext::new(Backend::Ndarray, 7)).unwrap().expect("initial state")
    });
    eprintln!(
        "srn_toy {} steps in {secs:.1} s (loss {:.4}): novel PSNR trained {trained:.2} dB, initial {initial:.2} dB, \
         white {white:.2} dB",
        report.steps, report.final_loss
    );
    // Measured (seed 7, trained and scored at srn_toy's 64², 2-core VM): trained 16.28 dB, initial 10.76 dB, white
    // 12.54 dB. Half the margins, never below the issue's +2 dB / +0.5 dB: +2.7 dB over the initial state, +1.8 dB
    // over white.
    assert!(trained >= initial + 2.7, "trained {trained:.2} dB vs initial {initial:.2} dB");
    assert!(trained >= white + 1.8, "trained {trained:.2} dB vs white {white:.2} dB");
}

/// Render a target image from `cam` (its channels back to raw parameters).
fn render_target(t: &TargetImage, cam: &splatbench_core::Camera, bg: [f32; 3]) -> Image {
    use splatbench_core::maths::{SH_C0, logit};
    let mut g = splatbench_render::GaussianCloud::empty(0);
    for (px, &o) in t.channels.chunks_exact(13).zip(&t.opacity) {
        g.means.push([px[0], px[1], px[2]]);
        g.log_scales.push([px[3].ln(), px[4].ln(), px[5].ln()]);
        g.quats.push([px[6], px[7], px[8], px[9]]);
        g.opacity_logits.push(logit(o.clamp(1e-6, 1.0 - 1e-6) as f64) as f32);
        g.sh.extend((10..13).map(|k| (px[k] - 0.5) / SH_C0 as f32));
    }
    let (img, _) = splatbench_render::cpu::forward(&g, &splatbench_render::RasterCamera::from(cam), bg);
    Image {
        width: img.width,
        height: img.height,
        channels: 3,
        data: img.color.iter().map(|x| x.clamp(0.0, 1.0)).collect(),
    }
}

#[test]
fn a_fit_target_beats_a_teacher_target_on_held_out_views() {
    let (train, _) = split(srn_toy());
    let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
    let cfg = SplatterConfig { target_views: 1, ..SplatterConfig::default() };
    let objects: Vec<Object> = train.iter().map(|s| Object::from_scene(s, cfg.resolution, &device).unwrap()).collect();
    let teacher = train_baseline(&cfg, &objects, 60, 3, &device).unwrap();
    let (mut fit_sum, mut teacher_sum, mut n) = (0.0, 0.0, 0.0);
    for o in objects.iter().take(2) {
        let v = target_view_indices(o, &cfg)[0];
        let held = held_out(o, cfg.fit_holdout);
        assert!(!held.is_empty() && !held.contains(&v));
        let fit: Splats = fit_target(&cfg, o, v, 5, &device).unwrap();
        let fit = target_from_splats(&fit);
        let teach = target_from_splats(&predict(&teacher, &cfg, o, v, &device));
        for &h in &held {
            let gt = &o.views[h].image;
            fit_sum += psnr(&render_target(&fit, &o.views[h].camera, o.background), gt).unwrap();
            teacher_sum += psnr(&render_target(&teach, &o.views[h].camera, o.background), gt).unwrap();
            n += 1.0;
        }
    }
    let (fit, teach) = (fit_sum / n, teacher_sum / n);
    eprintln!("held-out PSNR: fit target {fit:.2} dB, teacher target {teach:.2} dB over {n} views");
    // Measured: fit 24.85 dB, teacher (60 steps) 17.67 dB over 6 held-out views; half the margin asserted.
    assert!(fit > teach + 3.5, "fit {fit:.2} dB vs teacher {teach:.2} dB on held-out views");
}
