//! What a run keeps besides its final weights: resuming from checkpoints (bit-equal to an uninterrupted run), the
//! weight average, and the per-step loss terms. Tiny networks at 16² on two `srn_toy` objects, a few steps each.

use splatbench_core::{Backend, Reconstructor, RunContext, Scene, TrainReport};
use splatbench_splatter::loss_terms::{FILE, read_csv};
use splatbench_splatter::unet::UNet;
use splatbench_splatter::{Splatter, SplatterConfig, TargetMode};
use std::path::Path;

fn objects() -> Vec<Scene> {
    let scenes = splatbench_data::reference::load("gen:srn_toy").expect("generate srn_toy");
    scenes.into_iter().filter(|s| !s.split("train").is_empty()).take(2).collect()
}

fn tiny() -> SplatterConfig {
    SplatterConfig {
        steps: 4,
        resolution: 16,
        batch_objects: 1,
        supervision_views: 2,
        width: 4,
        groups: 2,
        depth: 1,
        ..SplatterConfig::default()
    }
}

fn weights(net: &UNet) -> Vec<f32> {
    splatbench_train::tensors::module_values(net)
}

/// Train `cfg` on `scenes` with `dir` as the work directory: the method and its report.
fn train(cfg: &SplatterConfig, scenes: &[Scene], dir: &Path) -> (Splatter, TrainReport) {
    let mut m = Splatter::new(cfg.clone());
    let mut ctx = RunContext::new(Backend::Ndarray, 11);
    ctx.work_dir = Some(dir.to_path_buf());
    let report = m.train(scenes, &mut ctx).unwrap();
    (m, report)
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn a_resumed_run_ends_bit_equal_to_an_uninterrupted_one_and_bad_checkpoints_are_passed_over() {
    let scenes = objects();
    let cfg = SplatterConfig { ema_decay: 0.9, checkpoint_every: 2, ..tiny() };
    let straight_dir = tempfile::tempdir().unwrap();
    let (straight, r) = train(&SplatterConfig { checkpoint_every: 0, ..cfg.clone() }, &scenes, straight_dir.path());
    assert_eq!((r.steps, r.stats["resumed_from_step"]), (4, 0.0));
    let straight_loss = r.final_loss;

    // The interrupted run: checkpoints after 2 and 4 steps; without the manifest of the second, that one is
    // incomplete and the run counts as stopped after step 2.
    let dir = tempfile::tempdir().unwrap();
    train(&cfg, &scenes, dir.path());
    let ck4 = |ext: &str| dir.path().join(format!("splatter_step000004{ext}"));
    std::fs::remove_file(ck4(".sha256")).unwrap();
    let (resumed, r) = train(&cfg, &scenes, dir.path());
    assert_eq!((r.steps, r.stats["resumed_from_step"]), (2, 2.0), "resumed at step 2, ran 2 steps");
    let raw = |m: &Splatter| bits(&weights(m.raw_network().unwrap()));
    let eval = |m: &Splatter| bits(&weights(m.network().unwrap()));
    assert!(raw(&resumed) == raw(&straight), "raw weights differ from the uninterrupted run's");
    assert!(eval(&resumed) == eval(&straight), "averaged weights differ from the uninterrupted run's");
    // The loss terms of both halves, one row per step, as the uninterrupted run wrote them.
    let rows = read_csv(&dir.path().join(FILE)).unwrap();
    assert_eq!(rows, read_csv(&straight_dir.path().join(FILE)).unwrap());

    // The rerun re-wrote the step-4 checkpoint: a third run has no step left, and reports the last step's loss.
    let (_, r) = train(&cfg, &scenes, dir.path());
    assert_eq!((r.steps, r.stats["resumed_from_step"]), (0, 4.0));
    assert_eq!(r.final_loss, straight_loss);

    // Damaged, the step-4 checkpoint is passed over for the one of step 2.
    let mut bytes = std::fs::read(ck4(".bpk")).unwrap();
    let k = bytes.len() / 2;
    bytes[k] ^= 1;
    std::fs::write(ck4(".bpk"), bytes).unwrap();
    let (_, r) = train(&cfg, &scenes, dir.path());
    assert_eq!(r.stats["resumed_from_step"], 2.0, "the damaged step-4 checkpoint must be ignored");
    // Another configuration (here the learning rate) never resumes from this run's checkpoints.
    let (_, r) = train(&SplatterConfig { lr: 1e-3, ..cfg.clone() }, &scenes, dir.path());
    assert_eq!((r.steps, r.stats["resumed_from_step"]), (4, 0.0));
    // `resume = false` starts from scratch even with a matching checkpoint there.
    let (_, r) = train(&SplatterConfig { resume: false, ..cfg.clone() }, &scenes, dir.path());
    assert_eq!(r.stats["resumed_from_step"], 0.0);
}

#[test]
fn the_average_changes_evaluation_only_and_decay_zero_evaluates_the_raw_weights() {
    let scenes = objects();
    let dir = tempfile::tempdir().unwrap();
    let (off, _) = train(&tiny(), &scenes, dir.path());
    let dir = tempfile::tempdir().unwrap();
    let (on, _) = train(&SplatterConfig { ema_decay: 0.5, ..tiny() }, &scenes, dir.path());
    let w = |n: Option<&UNet>| bits(&weights(n.unwrap()));
    assert!(w(off.network()) == w(off.raw_network()), "decay 0 must evaluate the raw weights");
    assert!(w(on.raw_network()) == w(off.raw_network()), "the average must not change training");
    assert!(w(on.network()) != w(on.raw_network()), "decay 0.5 must evaluate something else than the raw weights");
}

#[test]
fn the_loss_terms_file_has_one_row_per_step_and_no_weighted_target_term_before_the_ramp() {
    let scenes = objects();
    let dir = tempfile::tempdir().unwrap();
    let cfg = SplatterConfig {
        steps: 5,
        target: TargetMode::Fit,
        target_views: 1,
        fit_steps: 2,
        lambda_start: 0.4,
        lambda_max: 0.5,
        ..tiny()
    };
    train(&cfg, &scenes, dir.path());
    let rows = read_csv(&dir.path().join(FILE)).unwrap();
    assert_eq!(rows.iter().map(|r| r.step).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    // The ramp starts at ⌊0.4·5⌋ = 2, where λ is still 0.
    for r in &rows {
        assert!(r.l_base > 0.0 && r.l_new > 0.0, "{r:?}");
        if r.step <= 2 {
            assert_eq!((r.lambda, r.weighted()), (0.0, 0.0), "{r:?}");
        } else {
            assert!(r.lambda > 0.0 && r.weighted() > 0.0, "{r:?}");
        }
    }
    assert!((rows[4].lambda - 0.5 * 2.0 / 3.0).abs() < 1e-12);
}

#[test]
fn sh_degree_one_trains_and_reconstructs_view_dependent_gaussians() {
    let scenes = objects();
    let dir = tempfile::tempdir().unwrap();
    let (m, r) = train(&SplatterConfig { sh_degree: 1, steps: 2, ..tiny() }, &scenes, dir.path());
    assert!(r.final_loss.is_finite());
    let view = &scenes[0].split("train")[0];
    let rec = m.reconstruct(std::slice::from_ref(view), &mut RunContext::new(Backend::Ndarray, 11)).unwrap();
    let ply = rec.artifacts(dir.path()).unwrap().into_iter().find(|a| a.kind == "ply").unwrap();
    let cloud = splatbench_render::ply::read_ply(&ply.path).unwrap();
    assert_eq!((cloud.sh_degree, cloud.sh.len()), (1, cloud.means.len() * 4 * 3));
    // The band reaches the saved cloud (its small initial weights make it nonzero from the start).
    assert!(cloud.sh.chunks_exact(12).any(|g| g[3..].iter().any(|&v| v != 0.0)));
}
