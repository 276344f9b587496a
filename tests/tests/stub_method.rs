//! Adding a method touches its own crate and one registration: this test-only binary links a stub method (the mean
//! colour of the training views, rendered as a flat image), extends the built-in registry with it, and is the
//! `splatbench` program through the app's entry point. Run by `cargo test` (a `harness = false` target), it runs a
//! one-run suite of the stub through `bench`, which trains it in a `bench-run` child of this same binary (the path
//! every real run takes), and checks the record: finished, scored, and named after the stub — with no edit to the
//! bench or the app.

use splatbench_bench::registry::Registry;
use splatbench_core::{
    Camera, Image, MethodConfig, MethodDef, Reconstruction, Reconstructor, Result, RunContext, Scene, TrainReport, View,
};
use std::process::Command;

#[derive(serde::Serialize, serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StubConfig {}

impl MethodConfig for StubConfig {}

#[derive(Default)]
struct Stub {
    colour: [f32; 3],
}

struct Flat([f32; 3]);

impl Reconstruction for Flat {
    fn render(&self, camera: &Camera) -> Result<Image> {
        let mut img = Image::new(camera.width, camera.height, 3);
        for px in img.data.chunks_mut(3) {
            px.copy_from_slice(&self.0);
        }
        Ok(img)
    }
    fn artifacts(&self, _dir: &std::path::Path) -> Result<Vec<splatbench_core::Artifact>> {
        Ok(Vec::new())
    }
}

impl Reconstructor for Stub {
    fn id(&self) -> &str {
        "stub"
    }
    fn train(&mut self, scenes: &[Scene], _ctx: &mut RunContext) -> Result<TrainReport> {
        let (mut sum, mut n) = ([0.0f64; 3], 0usize);
        for view in scenes.iter().flat_map(|s| s.split("train")) {
            for px in view.image.data.chunks(view.image.channels as usize) {
                (0..3).for_each(|c| sum[c] += px[c] as f64);
                n += 1;
            }
        }
        self.colour = sum.map(|s| (s / n.max(1) as f64) as f32);
        Ok(TrainReport::default())
    }
    fn reconstruct(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Box<dyn Reconstruction>> {
        Ok(Box::new(Flat(self.colour)))
    }
}

static STUB: MethodDef<StubConfig> = MethodDef {
    name: "stub",
    description: "test stub: the training views' mean colour",
    version: 1,
    build: |_| Box::new(Stub::default()),
    check_dataset: splatbench_core::registration::needs_train_and_test_views,
    command: None,
};

const SUITE: &str = r#"
description = "one run of the stub method"
backends = ["ndarray"]
lpips = []
[[entry]]
method = "stub"
dataset = "gen:head_toy"
"#;

fn main() {
    // As the program (the bench's `bench-run` children, and the test's own `bench` call below).
    if std::env::var_os("SPLATBENCH_STUB_APP").is_some() {
        splatbench_app::main_with(Registry::builtin().with(&STUB));
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let suite = tmp.path().join("stub.toml");
    std::fs::write(&suite, SUITE).expect("writing the suite");
    let out = tmp.path().join("results");
    let exe = std::env::current_exe().expect("current exe");
    let st = Command::new(exe)
        .env("SPLATBENCH_STUB_APP", "1")
        .args(["bench", "--suite"])
        .arg(&suite)
        .arg("--out")
        .arg(&out)
        .status()
        .expect("running the bench");
    assert!(st.success(), "the stub's bench failed: {st}");
    let runs: Vec<_> = std::fs::read_dir(out.join("runs")).expect("runs/").flatten().map(|e| e.path()).collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(&runs[0]).unwrap()).unwrap();
    assert_eq!(record["spec"]["method"], "stub", "{record}");
    assert_eq!(record["status"], "ok", "{record}");
    let psnr = record["aggregate"]["psnr"].as_f64().unwrap_or(f64::NAN);
    assert!(psnr.is_finite() && psnr > 5.0, "the stub's mean colour scores {psnr} dB: {record}");
    println!("stub_method: 1 passed, 0 failed");
}
