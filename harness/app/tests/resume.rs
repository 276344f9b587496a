//! A bench killed mid-run resumes that run from its last checkpoint, and the record it ends with equals an
//! uninterrupted bench's on ndarray: per-view metrics, aggregate and loss curve to the bit, and the final
//! checkpoint's files (the parameters, the optimiser state) byte for byte.
//!
//! The kill is deterministic: `SPLATBENCH_TEST_KILL_BENCH=<run>:<step>` makes the run SIGKILL its bench on reaching
//! that step (as `kill -9` of the bench would; the run dies with it).
//!
//! Every built-in method is listed; a method added to the registry is expected here too.

mod common;

use common::{records, splatbench};
use splatbench_record::RunStatus;
use std::path::{Path, PathBuf};

/// Method, dataset, a CPU-test-sized config (most set a checkpoint cadence), and the step at which the bench dies.
const METHODS: [(&str, &str, &str, u64); 5] = [
    (
        "head",
        "gen:head_toy",
        r#"{ steps = 40, checkpoint_every = 5, init_points = 300, max_points = 600, densify_every = 10 }"#,
        23,
    ),
    // Refinements at steps 20 and 30 (the 3DGS schedule scaled to 80 steps; 1698 → 3000 Gaussians): the bench
    // dies between them, with statistics half accumulated.
    ("roigs", "gen:roi_toy", r#"{ steps = 80, checkpoint_every = 5, densify = { max_points = 3000 } }"#, 27),
    (
        "splart",
        "gen:paint_toy",
        r#"{ rounds = 3, steps_per_round = 4, strokes_per_round = 20, max_image_side = 32, checkpoint_every = 4 }"#,
        9,
    ),
    (
        "nerf",
        "gen:blender_toy",
        r#"{ steps = 8, checkpoint_every = 3, batch_rays = 64, n_coarse = 8, n_fine = 8, gif_frames = 2, gif_size = 16, figure_size = 16 }"#,
        4,
    ),
    (
        "splatter",
        "gen:srn_toy",
        // No cadence in the config: the bench's default, every tenth of the run (2 steps here).
        r#"{ steps = 20, resolution = 16, batch_objects = 1, supervision_views = 2, width = 4, depth = 1 }"#,
        5,
    ),
];

fn suite(dir: &Path, method: &str, dataset: &str, config: &str) -> PathBuf {
    let p = dir.join(format!("{method}.toml"));
    let text = format!(
        "seeds = 1\nlpips = []\n[[entry]]\nmethod = \"{method}\"\ndataset = \"{dataset}\"\nconfig = {config}\n"
    );
    std::fs::write(&p, text).unwrap();
    p
}

fn bench(suite: &Path, out: &Path) -> std::process::Command {
    let mut cmd = splatbench();
    cmd.args(["bench", "--suite"]).arg(suite).arg("--out").arg(out);
    cmd
}

/// Every file of the run's artifacts folder that two equal runs write byte for byte: not the curve file (it holds
/// wall-clock times), and not burn's record files (`.bpk`, random parameter ids) nor the manifests sealing them —
/// the skeleton's `parameters.sha256` stands for their values.
fn artifacts(out: &Path, id: &str) -> Vec<(String, Vec<u8>)> {
    let dir = out.join("artifacts").join(id);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name != "training_curve.json"
                && !name.ends_with(".bpk")
                && !(name.ends_with(".sha256") && name != "parameters.sha256")
        })
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn a_killed_bench_resumes_each_run_to_the_bits_of_an_uninterrupted_one() {
    for (method, dataset, config, kill_at) in METHODS {
        let tmp = tempfile::tempdir().unwrap();
        let s = suite(tmp.path(), method, dataset, config);
        let (whole, cut) = (tmp.path().join("whole"), tmp.path().join("cut"));
        let o = bench(&s, &whole).output().unwrap();
        assert!(o.status.success(), "{method}: {}", String::from_utf8_lossy(&o.stderr));

        let o = bench(&s, &cut).env("SPLATBENCH_TEST_KILL_BENCH", format!("{method}__:{kill_at}")).output().unwrap();
        assert_eq!(o.status.code(), None, "{method}: the bench was not killed: {}", String::from_utf8_lossy(&o.stderr));
        assert!(records(&cut).is_empty(), "{method}: a record was written before the kill");

        let o = bench(&s, &cut).output().unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{method}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(stdout.contains("running"), "{method}: the run was not run again:\n{stdout}");
        let (a, b) = (&records(&whole)[0], &records(&cut)[0]);
        assert_eq!(b.status, RunStatus::Ok, "{method}: {}", b.reason);
        let log = std::fs::read_to_string(cut.join("logs").join(format!("{}.log", b.id))).unwrap();
        assert!(log.to_lowercase().contains("resum"), "{method}: the log does not say it resumed:\n{log}");
        assert_eq!(a.views, b.views, "{method}: per-view metrics");
        assert_eq!(a.aggregate, b.aggregate, "{method}: aggregate");
        assert_eq!(a.loss_curve, b.loss_curve, "{method}: loss curve");
        let (fa, fb) = (artifacts(&whole, &a.id), artifacts(&cut, &b.id));
        assert!(fa.iter().any(|(n, _)| n == "parameters.sha256"), "{method}: no parameter digest");
        let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&fa), names(&fb), "{method}: artifact files");
        let differ: Vec<&String> = fa.iter().zip(&fb).filter(|((_, x), (_, y))| x != y).map(|((n, _), _)| n).collect();
        assert!(differ.is_empty(), "{method}: {differ:?} differ between the resumed and the uninterrupted run");

        // A run redone on purpose starts from scratch, not from the finished run's checkpoints.
        let o = bench(&s, &cut).arg("--force").output().unwrap();
        assert!(o.status.success(), "{method}: {}", String::from_utf8_lossy(&o.stderr));
        let log = std::fs::read_to_string(cut.join("logs").join(format!("{}.log", b.id))).unwrap();
        assert!(!log.contains("resumed"), "{method}: --force resumed from the old run:\n{log}");
        assert_eq!(records(&cut)[0].aggregate, a.aggregate, "{method}: --force");
    }
}
