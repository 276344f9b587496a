//! The crate graph points one way, and the shared pieces of maths and I/O are defined once.
//!
//! Layers (a crate may depend only on crates of a strictly lower layer; dev-dependencies may also reach its own
//! layer's helpers below the methods, never the bench or the app):
//!
//! | layer | crates |
//! |---|---|
//! | 0 | `splatbench-core` |
//! | 1 | `splatbench-device`, `splatbench-datasets` (the generator) |
//! | 2 | `splatbench-data`, `splatbench-metrics`, `splatbench-render`, `splatbench-losses`, `splatbench-reports` |
//! | 3 | `splatbench-train` |
//! | 4 | `splatbench-gstrain` |
//! | 5 | the methods: `splatbench-head`, `-roigs`, `-nerf`, `-splart`, `-splatter` |
//! | 6 | `splatbench-bench` |
//! | 7 | `splatbench` (the app) |
//! | 8 | `splatbench-tests`, `splatbench-fuzz`, `xtask` |

use splatbench_tests::{members, package_name, workspace};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn layer(name: &str) -> Option<u32> {
    Some(match name {
        "splatbench-core" => 0,
        "splatbench-device" | "splatbench-datasets" => 1,
        "splatbench-data" | "splatbench-metrics" | "splatbench-render" | "splatbench-losses" | "splatbench-reports" => {
            2
        }
        "splatbench-train" => 3,
        "splatbench-gstrain" => 4,
        "splatbench-head" | "splatbench-roigs" | "splatbench-nerf" | "splatbench-splart" | "splatbench-splatter" => 5,
        "splatbench-bench" => 6,
        "splatbench" => 7,
        "splatbench-tests" | "splatbench-fuzz" | "xtask" => 8,
        _ => return None,
    })
}

/// The workspace members a manifest table (`dependencies`, `dev-dependencies`) names.
fn workspace_deps(manifest: &toml::Table, table: &str) -> Vec<String> {
    manifest
        .get(table)
        .and_then(|t| t.as_table())
        .map(|t| t.keys().filter(|k| k.starts_with("splatbench")).cloned().collect())
        .unwrap_or_default()
}

#[test]
fn dependencies_point_down() {
    let mut wrong = Vec::new();
    for (_, manifest) in members() {
        let name = package_name(&manifest);
        let Some(own) = layer(&name) else {
            wrong.push(format!("{name}: not in the layer table of tests/tests/layering.rs (add it there)"));
            continue;
        };
        for dep in workspace_deps(&manifest, "dependencies") {
            match layer(&dep) {
                Some(l) if l < own => {}
                Some(l) => wrong.push(format!("{name} (layer {own}) depends on {dep} (layer {l})")),
                None => wrong.push(format!("{name} depends on {dep}, which is not in the layer table")),
            }
        }
        for dep in workspace_deps(&manifest, "dev-dependencies") {
            let l = layer(&dep).unwrap_or(u32::MAX);
            if l >= 6 && l >= own && own < 8 {
                wrong.push(format!("{name} (layer {own}) has a dev-dependency on {dep} (layer {l})"));
            }
        }
    }
    assert!(wrong.is_empty(), "the crate graph must point down:\n{}", wrong.join("\n"));
}

/// Every `.rs` file of the workspace outside `target/`, with its text.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && !name.to_string_lossy().starts_with('.') {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&workspace(), &mut out);
    out
}

#[test]
fn shared_pieces_are_defined_once() {
    // The pattern → where the one definition lives. Test helpers count too: a test must use the real one.
    let once: [(&str, &str); 7] = [
        ("fn sigmoid(", "harness/core/src/maths.rs"),
        ("const SH_C0", "harness/core/src/maths.rs"),
        ("quat_to_rotmat(q:", "harness/core/src/maths.rs"),
        ("2.0 * std::f64::consts::PI * u2).cos()", "harness/core/src/maths.rs"),
        ("fn area_downscale(", "harness/core/src/resample.rs"),
        ("pub struct TrainView", "harness/core/src/view.rs"),
        ("pub fn run<T: TrainTask>", "impls/train/src/lib.rs"),
    ];
    let root = workspace();
    let mut found: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (path, text) in sources() {
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        if rel.ends_with("tests/layering.rs") {
            continue;
        }
        for (pat, _) in once {
            let hits = text.matches(pat).count();
            // `quat_to_rotmat(q:` matches both the unit and the normalising variant, which live side by side.
            for _ in 0..hits {
                found.entry(pat).or_default().push(rel.clone());
            }
        }
    }
    let mut wrong = Vec::new();
    for (pat, home) in once {
        let places = found.remove(pat).unwrap_or_default();
        if places.is_empty() || places.iter().any(|p| p != home) {
            wrong.push(format!("`{pat}` must be defined only in {home}; found in {places:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn one_npy_reader_and_one_writer() {
    let root = workspace();
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    for (path, text) in sources() {
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        if rel.ends_with("tests/layering.rs") {
            continue;
        }
        // The format's magic outside the codec means a second codec (tests may check a written header's bytes).
        if rel.contains("/src/") && !rel.ends_with("harness/core/src/npy.rs") && text.contains("\\x93NUMPY") {
            readers.push(format!("{rel}: holds the .npy magic"));
        }
        for line in text.lines() {
            let l = line.trim_start();
            if !(l.starts_with("fn ") || l.starts_with("pub fn ") || l.starts_with("pub(crate) fn ")) {
                continue;
            }
            if l.contains("npy") && l.contains("read") {
                readers.push(format!("{rel}: {l}"));
            }
            if l.contains("npy") && l.contains("write") {
                writers.push(format!("{rel}: {l}"));
            }
        }
    }
    // The codec's own file may hold convenience wrappers; nothing else may read or write `.npy`.
    let home = "harness/core/src/npy.rs";
    readers.retain(|r| !r.starts_with(home));
    writers.retain(|w| !w.starts_with(home));
    assert!(readers.is_empty(), ".npy read outside {home}:\n{}", readers.join("\n"));
    assert!(writers.is_empty(), ".npy written outside {home}:\n{}", writers.join("\n"));
}
