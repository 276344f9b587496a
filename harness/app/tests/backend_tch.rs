//! The libtorch backend against ndarray, through the bench: each method's fixed short run on `--backend tch` agrees
//! with the same run on ndarray. Built only with `--features tch` (`cargo xtask test` runs it).
//!
//! The rasterizer is the same host kernel on both (its tensors are copied to and from libtorch), so differences come
//! from burn's tensor ops — Adam, losses, SSIM convolutions, activations — in libtorch's float32 against
//! ndarray's, which reorder sums and so round differently; over a short run they stay far below what a method change
//! moves. Tolerance: PSNR 0.3 dB, SSIM 0.01, LPIPS 0.01 on every aggregate.
#![cfg(feature = "tch")]

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
"#,
    )
    .unwrap();
    let out = tmp.path().join("b");
    let st = splatbench()
        .args(["bench", "--suite"])
        .arg(&suite)
        .args(["--backend", "ndarray,tch", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let recs = records(&out);
    assert_eq!(recs.len(), 4, "{:?}", recs.iter().map(|r| &r.id).collect::<Vec<_>>());
    for r in &recs {
        assert_eq!(r.status, RunStatus::Ok, "{}: {}", r.id, r.reason);
    }
    for tch in recs.iter().filter(|r| r.id.contains("__tch__")) {
        let nd = recs.iter().find(|r| r.id == tch.id.replace("__tch__", "__ndarray__")).expect("ndarray twin");
        for (k, v) in &nd.aggregate {
            let tol = if k.starts_with("psnr") { 0.3 } else { 0.01 };
            let got = tch.aggregate.get(k).unwrap_or_else(|| panic!("{}: {k} missing on tch", tch.id));
            assert!((got - v).abs() <= tol, "{}: {k} = {got} on tch, {v} on ndarray (tolerance {tol})", tch.id);
        }
        // The comparison is not vacuous: the tch run trained.
        let (first, last) = (tch.loss_curve.first().unwrap().1, tch.loss_curve.last().unwrap().1);
        assert!(last < first, "{}: loss {first} → {last}", tch.id);
    }
}
