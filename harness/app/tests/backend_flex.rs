//! burn-flex against ndarray, through the bench: a fixed short run of every method on `--backend flex` agrees with
//! the same run on ndarray. Built only with `--features flex` (`cargo xtask test` runs it).
//!
//! Both are CPU backends and run the same host kernels (rasterizer, compositor, blur, fused SSIM) on the same f32
//! values; differences come from burn's own ops — Adam, the networks' matmuls and convolutions, reductions — which
//! flex computes with other kernels (gemm, SIMD lanes) than ndarray, and so in another order. The shared check and
//! its tolerance: `common/parity.rs`.
#![cfg(feature = "flex")]

mod common;
#[path = "common/parity.rs"]
mod parity;

#[test]
fn short_runs_agree_with_ndarray() {
    // Measured (dev profile, 2026-12-07): ≤ 0.04 dB PSNR (splatter; the Gaussian methods ≤ 0.001), ≤ 0.005 LPIPS
    // and ≤ 0.002 SSIM; the bounds leave about 2.5× that.
    let tol = parity::Tolerance { psnr: 0.1, other: 0.01 };
    parity::short_runs_agree_with_ndarray("flex", &["head", "roigs", "nerf", "splart", "splatter"], tol);
}

/// flex threads its own kernels (gemm, SIMD loops) with rayon; at a fixed thread count a seed's run is the same bits
/// twice: every view's metrics and the whole loss curve.
#[test]
fn a_fixed_seed_gives_the_same_bits_twice_at_a_fixed_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let methods = ["head", "roigs", "nerf", "splart", "splatter"];
    let suite = parity::suite(tmp.path(), &methods);
    let bench = |out: &str| {
        let out = tmp.path().join(out);
        let st = common::splatbench()
            .args(["bench", "--backend", "flex", "--suite"])
            .arg(&suite)
            .arg("--out")
            .arg(&out)
            .env("RAYON_NUM_THREADS", "2")
            .output()
            .unwrap();
        assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
        common::records(&out)
    };
    let (first, second) = (bench("first"), bench("second"));
    assert_eq!(first.len(), methods.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.id, b.id);
        let bits = |r: &splatbench_record::RunRecord| {
            let curve: Vec<u64> = r.loss_curve.iter().map(|(_, l)| l.to_bits()).collect();
            (curve, serde_json::to_string(&r.views).unwrap())
        };
        assert!(bits(a) == bits(b), "{}: two flex runs with the same seed differ", a.id);
    }
}
