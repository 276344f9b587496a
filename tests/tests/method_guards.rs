//! Every method on the training skeleton, short runs on its generated scene (ndarray):
//!
//! - **Divergence**: a NaN injected into the loss, and into a parameter group (through a NaN gradient, so the
//!   method's own optimiser writes it), stops the run at that step as `Error::Diverged` naming the cause.
//! - **Determinism**: a fixed seed gives bit-identical loss curves and renders twice in a row, and with rayon pools
//!   of 1 and 2 threads.
//!
//! A method added to the skeleton gets the divergence check by listing its parameter groups; add it to
//! [`METHODS`] here to have both properties asserted.

use splatbench_core::{Backend, Error, RunContext, Scene};
use splatbench_train::guard::{Fault, inject};

/// Method, its generated scene, a CPU-test-sized config.
const METHODS: [(&str, &str, &str); 5] = [
    ("head", "gen:head_toy", r#"{"steps": 4, "init_points": 300, "max_points": 400}"#),
    (
        "splatter",
        "gen:srn_toy",
        r#"{"steps": 3, "resolution": 16, "batch_objects": 1, "supervision_views": 2, "width": 4, "depth": 1}"#,
    ),
    ("roigs", "gen:roi_toy", r#"{"steps": 4, "densify": {"max_points": 400}}"#),
    (
        "nerf",
        "gen:blender_toy",
        r#"{"steps": 3, "batch_rays": 64, "n_coarse": 8, "n_fine": 8, "gif_frames": 2, "gif_size": 16, "figure_size": 16}"#,
    ),
    ("splart", "gen:paint_toy", r#"{"rounds": 1, "max_image_side": 32}"#),
];

/// Every scene of the dataset (one for the per-scene methods, several objects for splatter).
fn scene(reference: &str) -> Vec<Scene> {
    splatbench_data::reference::load(reference).expect("generated scene")
}

/// The bits of everything a run produced: its loss curve and its render of the first test view. Trained on the
/// scenes with a train split; reconstructed from the first scene with test views (its first test view is the input
/// for a feed-forward method, ignored by the others).
fn run(method: &str, cfg: &str, scenes: &[Scene]) -> Result<Vec<u32>, Error> {
    let cfg: serde_json::Value = serde_json::from_str(cfg).unwrap();
    let mut m = splatbench_bench::registry::create(method, &cfg)?;
    let mut ctx = RunContext::new(Backend::Ndarray, 11);
    let train: Vec<Scene> = scenes.iter().filter(|s| !s.split("train").is_empty()).cloned().collect();
    m.train(&train, &mut ctx)?;
    let scene = scenes.iter().find(|s| !s.split("test").is_empty()).unwrap_or(&scenes[0]);
    let inputs = if scene.split("train").is_empty() { &scene.split("test")[..1] } else { scene.split("train") };
    let rec = m.reconstruct(inputs, &mut ctx)?;
    let view = scene.split("test").first().or(scene.split("train").first()).expect("a view");
    let image = rec.render(&view.camera)?;
    let mut bits: Vec<u32> = ctx.loss_curve.iter().map(|&(_, l)| (l as f32).to_bits()).collect();
    bits.extend(image.data.iter().map(|v| v.to_bits()));
    Ok(bits)
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

#[test]
fn injected_nan_in_the_loss_or_a_parameter_stops_every_method_at_that_step() {
    for (method, reference, cfg) in METHODS {
        let scene = scene(reference);
        for (fault, says) in
            [(Fault::NanLoss { step: 1 }, "loss is NaN"), (Fault::NanParameter { step: 1 }, "parameter group")]
        {
            inject(fault);
            match run(method, cfg, &scene) {
                Err(Error::Diverged { step: 1, reason }) => {
                    assert!(reason.contains(says), "{method} {fault:?}: {reason}")
                }
                Err(e) => panic!("{method} {fault:?}: expected Diverged at step 1, got {}", e.report()),
                Ok(_) => panic!("{method} {fault:?}: the run did not stop"),
            }
        }
    }
}

#[test]
fn a_fixed_seed_is_bit_identical_twice_and_across_thread_counts() {
    for (method, reference, cfg) in METHODS {
        let scene = scene(reference);
        let first = run(method, cfg, &scene).unwrap();
        let second = run(method, cfg, &scene).unwrap();
        assert!(first == second, "{method}: two runs with the same seed differ");
        let one = in_pool(1, || run(method, cfg, &scene).unwrap());
        let two = in_pool(2, || run(method, cfg, &scene).unwrap());
        assert!(one == two, "{method}: 1 and 2 rayon threads differ");
        assert!(one == first, "{method}: the 1-thread run differs from the default pool's");
    }
}
