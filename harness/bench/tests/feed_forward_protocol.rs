//! The feed-forward scoring protocol, on a stub method that exists only here: the method sees the conditioning
//! view alone, that view is scored apart from the novel ones, and aggregates are per-object means first.
//!
//! The stub "reconstructs" an object as its input image seen from the input camera and flat grey (0.5) from every
//! other camera, so each score is known in closed form: a constant ground truth `c` against 0.5 scores
//! PSNR = −10·log10((c − 0.5)²).

use splatbench_bench::run_one::{Job, empty_record};
use splatbench_bench::score::Scoring;
use splatbench_bench::store::Store;
use splatbench_core::{
    Artifact, Backend, Camera, Image, Intrinsics, Reconstruction, Reconstructor, Result, RunContext, Scene,
    TrainReport, View,
};
use splatbench_record::{MEAN_COLOUR, Provenance, RunRecord, RunSpec, RunStatus};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

const COND: &str = "000064";

struct Stub {
    /// The view names each `reconstruct` call was given.
    seen: RefCell<Vec<Vec<String>>>,
}

struct StubRecon {
    input: View,
    grey: f32,
}

impl Reconstruction for StubRecon {
    fn render(&self, camera: &Camera) -> Result<Image> {
        if camera.center() == self.input.camera.center() {
            return Ok(self.input.image.clone());
        }
        Ok(Image::from_fn(camera.width, camera.height, 3, |_, _, _| self.grey))
    }
    fn artifacts(&self, _dir: &Path) -> Result<Vec<Artifact>> {
        Ok(vec![])
    }
}

impl Reconstructor for Stub {
    fn id(&self) -> &str {
        "stub"
    }
    fn train(&mut self, _scenes: &[Scene], _ctx: &mut RunContext) -> Result<TrainReport> {
        Ok(TrainReport::default())
    }
    fn reconstruct(&self, inputs: &[View], _ctx: &mut RunContext) -> Result<Box<dyn Reconstruction>> {
        self.seen.borrow_mut().push(inputs.iter().map(|v| v.name.clone()).collect());
        Ok(Box::new(StubRecon { input: inputs[0].clone(), grey: 0.5 }))
    }
    fn initial(&self, inputs: &[View], _ctx: &mut RunContext) -> Result<Option<Box<dyn Reconstruction>>> {
        // Untrained: flat black everywhere else.
        Ok(Some(Box::new(StubRecon { input: inputs[0].clone(), grey: 0.0 })))
    }
}

fn view(name: &str, x: f64, value: f32) -> View {
    let mut w2c = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 2.0], [0.0, 0.0, 0.0, 1.0]];
    w2c[0][3] = x;
    View {
        name: name.into(),
        camera: Camera::from_w2c(w2c, Intrinsics::centred(16, 12, 20.0)),
        image: Image::from_fn(16, 12, 3, |_, _, _| value),
        mask: None,
        depth: None,
    }
}

/// An object whose conditioning view is mid-grey-ish and whose novel views are all `novel_value`.
fn object(name: &str, novel: usize, novel_value: f32) -> Scene {
    let mut views = vec![view(COND, 0.0, 0.3)];
    views.extend((0..novel).map(|i| view(&format!("{:06}", i), 0.1 * (i + 1) as f64, novel_value)));
    Scene { name: name.into(), splits: BTreeMap::from([("test".into(), views)]), points: None, background: [1.0; 3] }
}

fn record() -> RunRecord {
    let spec = RunSpec {
        suite: "test".into(),
        method: "stub".into(),
        variant: "baseline".into(),
        dataset: "memory".into(),
        backend: Backend::Ndarray,
        device: None,
        control: None,
        seed: 0,
        lpips: vec![],
        config: serde_json::Value::Null,
    };
    empty_record(&Job { spec, provenance: Provenance::default() }, RunStatus::Ok, String::new())
}

fn psnr_against_grey(c: f64) -> f64 {
    -10.0 * ((c - 0.5) * (c - 0.5)).log10()
}

#[test]
fn conditioning_views_are_scored_apart_and_objects_averaged_first() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut rec = record();
    // Object a: one novel view at 0.6 (20 dB); object b: three at 0.51 (40 dB). Per object 20 and 40, mean 30;
    // the plain mean over the four views would be 35.
    let scenes = [object("a", 1, 0.6), object("b", 3, 0.51)];
    let stub = Stub { seen: RefCell::new(vec![]) };
    let scoring = Scoring { store: &store, work: dir.path(), conditioning: Some(COND), lpips: &[] };
    let mut ctx = RunContext::new(Backend::Ndarray, 0);
    scoring.evaluate(&stub, &scenes, &mut rec, &mut ctx).unwrap();

    // The method saw each object's conditioning view and nothing else.
    assert_eq!(*stub.seen.borrow(), vec![vec![COND.to_string()], vec![COND.to_string()]]);
    assert_eq!(rec.objects, 2);
    // Novel views only in `views`; the conditioning views, reproduced exactly, apart.
    let novel: Vec<&str> = rec.views.iter().map(|v| v.view.as_str()).collect();
    assert_eq!(novel, ["a/000000", "b/000000", "b/000001", "b/000002"]);
    let cond: Vec<&str> = rec.conditioning.iter().map(|v| v.view.as_str()).collect();
    assert_eq!(cond, ["a/000064", "b/000064"]);
    for v in &rec.conditioning {
        assert_eq!(v.psnr, None, "{v:?}");
        assert!(v.notes.contains("psnr: identical"), "{v:?}");
        assert!((v.ssim.unwrap() - 1.0).abs() < 1e-9, "{v:?}");
    }
    assert!((rec.conditioning_aggregate["ssim"] - 1.0).abs() < 1e-9);
    assert!(!rec.conditioning_aggregate.contains_key("psnr"));

    let expected = (psnr_against_grey(0.6) + psnr_against_grey(0.51)) / 2.0;
    assert!((rec.aggregate["psnr"] - expected).abs() < 1e-3, "{} vs {expected}", rec.aggregate["psnr"]);
    assert!((rec.aggregate["psnr"] - 30.0).abs() < 1e-3);
    // The references are scored on the novel views only: the mean colour of the input (0.3 everywhere) and the
    // untrained state (black).
    let mean_colour = &rec.references[MEAN_COLOUR];
    assert_eq!(mean_colour.views.len(), 4);
    let flat = |c: f64, v: f64| -10.0 * ((c - v) * (c - v)).log10();
    let expected = (flat(0.6, 0.3) + flat(0.51, 0.3)) / 2.0;
    assert!((mean_colour.aggregate["psnr"] - expected).abs() < 1e-3, "{:?}", mean_colour.aggregate);
    let expected = (flat(0.6, 0.0) + flat(0.51, 0.0)) / 2.0;
    assert!((rec.initial["psnr"] - expected).abs() < 1e-3, "{:?}", rec.initial);
    // Every novel view has a saved render; the conditioning views are not among them.
    assert_eq!(rec.images.len() + rec.renders.len(), 4);
    assert!(rec.images.iter().all(|t| !t.view.ends_with(COND)));
}

#[test]
fn without_a_conditioning_view_every_test_view_is_novel() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut rec = record();
    let scenes = [object("a", 2, 0.6)];
    let stub = Stub { seen: RefCell::new(vec![]) };
    let scoring = Scoring { store: &store, work: dir.path(), conditioning: None, lpips: &[] };
    scoring.evaluate(&stub, &scenes, &mut rec, &mut RunContext::new(Backend::Ndarray, 0)).unwrap();
    // No train split: the method gets the test views themselves, all three, and all are scored as novel.
    assert_eq!(stub.seen.borrow()[0].len(), 3);
    assert_eq!(rec.views.len(), 3);
    assert!(rec.conditioning.is_empty() && rec.conditioning_aggregate.is_empty());
}

#[test]
fn ground_truth_is_composited_on_the_scene_background_not_the_methods() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut rec = record();
    // Fully transparent test views: the ground truth is the scene's background, whatever colour the RGB holds.
    let mut scene = object("a", 2, 0.2);
    for v in scene.splits.get_mut("test").unwrap().iter_mut().skip(1) {
        v.image = Image::from_fn(16, 12, 4, |_, _, c| if c == 3 { 0.0 } else { 0.2 });
    }
    for (background, expected_psnr) in [([1.0f32; 3], 0.0), ([0.5; 3], 10.0 * 4f64.log10())] {
        scene.background = background;
        // The stub renders black on every novel view (its "initial" state is the same picture).
        let stub = Stub { seen: RefCell::new(vec![]) };
        let scoring = Scoring { store: &store, work: dir.path(), conditioning: Some(COND), lpips: &[] };
        rec.views.clear();
        rec.conditioning.clear();
        scoring
            .evaluate(&stub, std::slice::from_ref(&scene), &mut rec, &mut RunContext::new(Backend::Ndarray, 0))
            .unwrap();
        // Black against white: MSE 1, 0 dB; against grey 0.5: MSE 0.25, 6.02 dB.
        assert!((rec.initial["psnr"] - expected_psnr).abs() < 1e-4, "{background:?}: {:?}", rec.initial);
    }
}
