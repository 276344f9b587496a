//! The wgpu backend against ndarray, through the bench: each method's fixed short run on `--backend wgpu` agrees
//! with the same run on ndarray. Built only with `--features wgpu` (`cargo xtask test` runs it on software Vulkan);
//! with the feature built and no adapter the wgpu runs fail, and so does this test.
//!
//! On wgpu the Gaussian rasterizer runs as CubeCL kernels in f32 (the CPU kernel projects in f64) and burn's
//! tensor ops run on the device, so the runs are not bit-identical to ndarray's: per step the render differs at the
//! 10⁻⁶ level and Adam amplifies it over the run. splart's compositor runs on the host on every backend. Tolerance
//! as for tch: PSNR 0.3 dB, SSIM 0.01, LPIPS 0.01 on every aggregate.
#![cfg(feature = "wgpu")]

mod common;

use common::{records, splatbench};
use splatbench_core::RunStatus;

#[test]
fn short_runs_agree_with_ndarray() {
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("parity.toml");
    std::fs::write(
        &suite,
        r#"
seeds = 1
[[entry]]
method = "head"
dataset = "gen:head_toy"
config = { steps = 60, max_points = 1500 }
[entry.variants]
baseline = {}
[[entry]]
method = "roigs"
dataset = "gen:roi_toy"
config = { steps = 60 }
[entry.variants]
both = { roi = {}, laplacian = {} }
[[entry]]
method = "nerf"
dataset = "gen:blender_toy"
config = { steps = 30, batch_rays = 128, n_coarse = 8, n_fine = 8, gif_frames = 2, gif_size = 16, figure_size = 16 }
[entry.variants]
hierarchical = {}
[[entry]]
method = "splart"
dataset = "gen:paint_toy"
config = { rounds = 4, max_image_side = 64 }
"#,
    )
    .unwrap();
    let out = tmp.path().join("b");
    let st = splatbench()
        .args(["bench", "--suite"])
        .arg(&suite)
        .args(["--backend", "ndarray,wgpu", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let recs = records(&out);
    assert_eq!(recs.len(), 8, "{:?}", recs.iter().map(|r| &r.id).collect::<Vec<_>>());
    for r in &recs {
        assert_eq!(r.status, RunStatus::Ok, "{}: {}", r.id, r.reason);
    }
    for wgpu in recs.iter().filter(|r| r.id.contains("__wgpu__")) {
        let nd = recs.iter().find(|r| r.id == wgpu.id.replace("__wgpu__", "__ndarray__")).expect("ndarray twin");
        for (k, v) in &nd.aggregate {
            let tol = if k.starts_with("psnr") { 0.3 } else { 0.01 };
            let got = wgpu.aggregate.get(k).unwrap_or_else(|| panic!("{}: {k} missing on wgpu", wgpu.id));
            println!("{}: {k} wgpu {got:.4} ndarray {v:.4}", wgpu.id);
            assert!((got - v).abs() <= tol, "{}: {k} = {got} on wgpu, {v} on ndarray (tolerance {tol})", wgpu.id);
        }
        // The comparison is not vacuous: the wgpu run trained.
        let (first, last) = (wgpu.loss_curve.first().unwrap().1, wgpu.loss_curve.last().unwrap().1);
        assert!(last < first, "{}: loss {first} → {last}", wgpu.id);
    }
}
