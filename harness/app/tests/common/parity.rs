//! One backend against ndarray, through the bench: each listed method's fixed short run on `--backend <b>` agrees
//! with the same run on ndarray within the backend's tolerance on every aggregate, and trained (its loss fell).
//! Shared by `backend_flex`, `backend_tch` and `backend_wgpu`, whose docs say why their runs differ from ndarray's.

use super::common::{records, splatbench};
use splatbench_record::RunStatus;

/// Each method's short run: a few dozen steps on its generated toy scene.
const ENTRIES: [(&str, &str); 5] = [
    (
        "head",
        "method = \"head\"\ndataset = \"gen:head_toy\"\nconfig = { steps = 60, max_points = 1500 }\n\
         [entry.variants]\nbaseline = {}",
    ),
    (
        "roigs",
        "method = \"roigs\"\ndataset = \"gen:roi_toy\"\nconfig = { steps = 60 }\n\
         [entry.variants]\nboth = { roi = {}, laplacian = {} }",
    ),
    (
        "nerf",
        "method = \"nerf\"\ndataset = \"gen:blender_toy\"\nconfig = { steps = 30, batch_rays = 128, n_coarse = 8, \
         n_fine = 8, gif_frames = 2, gif_size = 16, figure_size = 16 }\n[entry.variants]\nhierarchical = {}",
    ),
    ("splart", "method = \"splart\"\ndataset = \"gen:paint_toy\"\nconfig = { rounds = 4, max_image_side = 64 }"),
    (
        "splatter",
        "method = \"splatter\"\ndataset = \"gen:srn_toy\"\nconfig = { steps = 40, resolution = 32, batch_objects = 2, \
         supervision_views = 2, width = 8, depth = 2 }",
    ),
];

/// A suite file in `dir` with the short runs of `methods`.
pub fn suite(dir: &std::path::Path, methods: &[&str]) -> std::path::PathBuf {
    let suite = dir.join("parity.toml");
    let mut text = String::from("seeds = 1\n");
    for m in methods {
        let (_, entry) = ENTRIES.iter().find(|e| e.0 == *m).expect("a parity entry for the method");
        text += &format!("[[entry]]\n{entry}\n");
    }
    std::fs::write(&suite, text).unwrap();
    suite
}

/// How far a backend's aggregates may sit from ndarray's: PSNR in dB, SSIM and LPIPS in their units.
pub struct Tolerance {
    pub psnr: f64,
    pub other: f64,
}

/// burn's ops in another library (libtorch, CubeCL) over a short run.
#[allow(dead_code)] // each backend test includes this file; flex uses its own bound
pub const LOOSE: Tolerance = Tolerance { psnr: 0.3, other: 0.01 };

pub fn short_runs_agree_with_ndarray(backend: &str, methods: &[&str], tol: Tolerance) {
    let tmp = tempfile::tempdir().unwrap();
    let suite = suite(tmp.path(), methods);
    let out = tmp.path().join("b");
    let st = splatbench()
        .args(["bench", "--suite"])
        .arg(&suite)
        .args(["--backend", &format!("ndarray,{backend}"), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let recs = records(&out);
    assert_eq!(recs.len(), 2 * methods.len(), "{:?}", recs.iter().map(|r| &r.id).collect::<Vec<_>>());
    for r in &recs {
        assert_eq!(r.status, RunStatus::Ok, "{}: {}", r.id, r.reason);
    }
    let tag = format!("__{backend}__");
    for run in recs.iter().filter(|r| r.id.contains(&tag)) {
        let nd = recs.iter().find(|r| r.id == run.id.replace(&tag, "__ndarray__")).expect("ndarray twin");
        for (k, v) in &nd.aggregate {
            let tol = if k.starts_with("psnr") { tol.psnr } else { tol.other };
            let got = run.aggregate.get(k).unwrap_or_else(|| panic!("{}: {k} missing on {backend}", run.id));
            println!("{}: {k} {backend} {got:.4} ndarray {v:.4}", run.id);
            assert!((got - v).abs() <= tol, "{}: {k} = {got} on {backend}, {v} on ndarray (tolerance {tol})", run.id);
        }
        // The comparison is not vacuous: the run trained.
        let (first, last) = (run.loss_curve.first().unwrap().1, run.loss_curve.last().unwrap().1);
        assert!(last < first, "{}: loss {first} → {last}", run.id);
    }
}
