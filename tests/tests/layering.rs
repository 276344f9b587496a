//! The crate graph points one way, folder by folder, and the shared pieces of maths and I/O are defined once.
//!
//! Folders, bottom to top (a crate's `[dependencies]` may not reach a folder above its own; dev-dependencies may, so
//! a method's tests can load data and score with the harness's metrics):
//!
//! | rank | folder | what it holds |
//! |---|---|---|
//! | 0 | `impls/` | the seam (`core`), file I/O (`io`), kernels, losses, the training skeleton, the methods |
//! | 1 | `datasets/`, `reports/` | the scene generator; the run-record schema and the HTML report |
//! | 2 | `harness/` | what runs and scores methods: loaders, metrics, bench, app |
//! | 3 | `tests/`, `fuzz/`, `xtask/` | cross-crate tests, fuzzing, developer tasks |
//!
//! Within that order, each crate has a layer (the table in [`layer`]) and depends only on lower layers. The
//! run-record schema is no dependency of any crate in `impls/`: a change to it rebuilds no kernel.
//!
//! Each rule is a function over plain `Crate` values, so the test that the rule fails on a planted violation uses
//! the same function as the check of the real workspace.

use splatbench_tests::{members, package_name, workspace};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A workspace member as the rules see it.
#[derive(Clone, Debug)]
struct Crate {
    name: String,
    /// Its top-level folder (`impls`, `harness`, …).
    folder: String,
    deps: Vec<String>,
    dev_deps: Vec<String>,
}

fn layer(name: &str) -> Option<u32> {
    Some(match name {
        "splatbench-core" => 0,
        "splatbench-io" | "splatbench-device" => 1,
        "splatbench-render" | "splatbench-losses" => 2,
        "splatbench-train" => 3,
        "splatbench-gstrain" => 4,
        "splatbench-head" | "splatbench-roigs" | "splatbench-nerf" | "splatbench-splart" | "splatbench-splatter" => 5,
        "splatbench-datasets" | "splatbench-record" => 6,
        "splatbench-reports" | "splatbench-data" => 7,
        "splatbench-metrics" => 8,
        "splatbench-bench" => 9,
        "splatbench" => 10,
        "splatbench-tests" | "splatbench-fuzz" | "xtask" => 11,
        _ => return None,
    })
}

fn folder_rank(folder: &str) -> Option<u32> {
    Some(match folder {
        "impls" => 0,
        "datasets" | "reports" => 1,
        "harness" => 2,
        "tests" | "fuzz" | "xtask" => 3,
        _ => return None,
    })
}

/// The workspace members a manifest table (`dependencies`, `dev-dependencies`) names.
fn workspace_deps(manifest: &toml::Table, table: &str) -> Vec<String> {
    manifest
        .get(table)
        .and_then(|t| t.as_table())
        .map(|t| t.keys().filter(|k| k.starts_with("splatbench") || *k == "xtask").cloned().collect())
        .unwrap_or_default()
}

fn crates() -> Vec<Crate> {
    let root = workspace();
    members()
        .into_iter()
        .map(|(dir, manifest)| Crate {
            name: package_name(&manifest),
            folder: dir.strip_prefix(&root).unwrap().components().next().unwrap().as_os_str().to_string_lossy().into(),
            deps: workspace_deps(&manifest, "dependencies"),
            dev_deps: workspace_deps(&manifest, "dev-dependencies"),
        })
        .collect()
}

/// Rule 1: every crate has a layer and a folder, and its dependencies lie in lower layers and in its own or lower
/// folders. Dev-dependencies may reach up to the harness's libraries but never the bench or the app below the top.
fn layering_violations(all: &[Crate]) -> Vec<String> {
    let folder_of: BTreeMap<&str, &str> = all.iter().map(|c| (c.name.as_str(), c.folder.as_str())).collect();
    let mut wrong = Vec::new();
    for c in all {
        let (Some(own), Some(rank)) = (layer(&c.name), folder_rank(&c.folder)) else {
            wrong.push(format!(
                "{} in {}/: not in the layer or folder table of tests/tests/layering.rs",
                c.name, c.folder
            ));
            continue;
        };
        for dep in &c.deps {
            match layer(dep) {
                Some(l) if l < own => {}
                Some(l) => wrong.push(format!("{} (layer {own}) depends on {dep} (layer {l})", c.name)),
                None => wrong.push(format!("{} depends on {dep}, which is not in the layer table", c.name)),
            }
            let dep_rank = folder_of.get(dep.as_str()).and_then(|f| folder_rank(f));
            if dep_rank.is_some_and(|r| r > rank) {
                wrong.push(format!(
                    "{} in {}/ depends on {dep} in {}/, a folder above it",
                    c.name,
                    c.folder,
                    folder_of[dep.as_str()]
                ));
            }
        }
        for dep in &c.dev_deps {
            let l = layer(dep).unwrap_or(u32::MAX);
            if l >= layer("splatbench-bench").unwrap() && l >= own && own < layer("splatbench-tests").unwrap() {
                wrong.push(format!("{} (layer {own}) has a dev-dependency on {dep} (layer {l})", c.name));
            }
        }
    }
    wrong
}

/// Rule 2: the run-record schema is not among the (transitive) dependencies of any crate in `impls/`.
fn record_violations(all: &[Crate]) -> Vec<String> {
    let by_name: BTreeMap<&str, &Crate> = all.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut wrong = Vec::new();
    for c in all.iter().filter(|c| c.folder == "impls") {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = c.deps.iter().map(String::as_str).collect();
        while let Some(d) = stack.pop() {
            if seen.insert(d) {
                stack.extend(
                    by_name.get(d).map(|k| k.deps.iter().map(String::as_str).collect::<Vec<_>>()).unwrap_or_default(),
                );
            }
        }
        if seen.contains("splatbench-record") {
            wrong.push(format!("{} depends on splatbench-record (through {seen:?})", c.name));
        }
    }
    wrong
}

#[test]
fn dependencies_point_down_folder_by_folder() {
    let all = crates();
    let mut wrong = layering_violations(&all);
    wrong.extend(record_violations(&all));
    assert!(wrong.is_empty(), "the crate graph must point down:\n{}", wrong.join("\n"));
}

#[test]
fn the_layering_rules_fail_on_planted_violations() {
    let c = |name: &str, folder: &str, deps: &[&str], dev: &[&str]| Crate {
        name: name.into(),
        folder: folder.into(),
        deps: deps.iter().map(|s| s.to_string()).collect(),
        dev_deps: dev.iter().map(|s| s.to_string()).collect(),
    };
    let base = vec![
        c("splatbench-core", "impls", &[], &[]),
        c("splatbench-record", "reports", &["splatbench-core"], &[]),
        c("splatbench-data", "harness", &["splatbench-core"], &[]),
        c("splatbench-metrics", "harness", &["splatbench-data"], &[]),
        c("splatbench-bench", "harness", &["splatbench-record"], &[]),
    ];
    assert!(layering_violations(&base).is_empty() && record_violations(&base).is_empty());
    // A method reaching up into the harness (the folder rule and the layer rule both see it).
    let mut up = base.clone();
    up.push(c("splatbench-nerf", "impls", &["splatbench-core", "splatbench-data"], &[]));
    let v = layering_violations(&up);
    assert!(v.iter().any(|w| w.contains("a folder above it")), "{v:?}");
    // The same edge as a dev-dependency is allowed (tests load data)…
    let mut dev = base.clone();
    dev.push(c("splatbench-nerf", "impls", &["splatbench-core"], &["splatbench-data", "splatbench-metrics"]));
    assert!(layering_violations(&dev).is_empty(), "{:?}", layering_violations(&dev));
    // …but not onto the bench.
    dev.push(c("splatbench-head", "impls", &["splatbench-core"], &["splatbench-bench"]));
    assert!(layering_violations(&dev).iter().any(|w| w.contains("dev-dependency on splatbench-bench")));
    // A crate in impls/ in a layer that would be fine but in the wrong folder.
    let mut folder = base.clone();
    folder.push(c("splatbench-render", "harness", &["splatbench-core"], &[]));
    folder.push(c("splatbench-losses", "impls", &["splatbench-render"], &[]));
    assert!(
        layering_violations(&folder)
            .iter()
            .any(|w| w.contains("splatbench-losses in impls/ depends on splatbench-render in harness/"))
    );
    // The record schema reached through another crate.
    let mut rec = base.clone();
    rec.push(c("splatbench-device", "impls", &["splatbench-record"], &[]));
    rec.push(c("splatbench-render", "impls", &["splatbench-device"], &[]));
    let v = record_violations(&rec);
    assert!(v.iter().any(|w| w.starts_with("splatbench-render depends on splatbench-record")), "{v:?}");
    // An unknown crate.
    let mut unknown = base;
    unknown.push(c("splatbench-new", "impls", &[], &[]));
    assert!(layering_violations(&unknown).iter().any(|w| w.contains("not in the layer or folder table")));
}

/// Every `.rs` file of the workspace outside `target/` and dot-folders, with its path relative to the root.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && !name.to_string_lossy().starts_with('.') {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = workspace();
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths
        .into_iter()
        .map(|p| (p.strip_prefix(&root).unwrap().display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .filter(|(rel, _)| !rel.ends_with("tests/layering.rs"))
        .collect()
}

/// Where each shared piece of maths is defined.
const MATHS: &str = "impls/core/src/maths.rs";
/// Files that keep their own maths on purpose, each with the reason; they may share constants only.
const OWN_MATHS: [(&str, &str); 3] = [
    ("impls/render/src/reference.rs", "the rasterizer's independent float64 check"),
    ("datasets/src/", "the generator is an independent check of the loaders and methods"),
    (
        "impls/render/src/cube/kernels/maths.rs",
        "CubeCL kernels cannot call host code: the one #[cube] copy of quaternion→matrix and sigmoid for every kernel",
    ),
];

/// Source with comments dropped, `_` digit separators and float suffixes removed, whitespace folded: what the
/// shape rules match.
fn normalise(text: &str) -> String {
    let code: String = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(code.len());
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let in_number = i > 0 && chars[i - 1].is_ascii_digit();
        if c == '_' && in_number && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
            i += 1;
            continue;
        }
        if in_number && (c == 'f') && chars.get(i + 1..i + 3).is_some_and(|s| s == ['3', '2'] || s == ['6', '4']) {
            i += 3;
            continue;
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    // Spaces around operators and brackets carry no meaning for the shapes.
    let mut tight = String::with_capacity(out.len());
    let oc: Vec<char> = out.chars().collect();
    for (k, &c) in oc.iter().enumerate() {
        if c == ' ' {
            let prev = oc.get(k.wrapping_sub(1)).copied().unwrap_or(' ');
            let next = oc.get(k + 1).copied().unwrap_or(' ');
            if !(prev.is_alphanumeric() || prev == '_') || !(next.is_alphanumeric() || next == '_') {
                continue;
            }
        }
        tight.push(c);
    }
    tight
}

/// A copy of a shared formula, found by its shape (after [`normalise`]); `X` stands for one operand.
struct Shape {
    what: &'static str,
    /// Fragments that must all occur in this order within one statement.
    parts: &'static [&'static str],
}

const SHAPES: [Shape; 4] = [
    Shape { what: "sigmoid 1/(1+e^-x)", parts: &["1.0/(1.0+(-", ").exp())"] },
    Shape { what: "logit ln(p/(1-p))", parts: &["/(1.0-", ")).ln()"] },
    Shape { what: "Box–Muller sqrt(-2 ln u)", parts: &["(-2.0*", ".ln()).sqrt()"] },
    Shape { what: "quaternion→matrix diagonal 1-2(y²+z²)", parts: &["1.0-2.0*(", "+"] },
];

/// The shapes `text` holds (each statement checked on its own).
fn shapes_in(text: &str) -> Vec<&'static str> {
    let norm = normalise(text);
    let mut found = Vec::new();
    for stmt in norm.split([';', '{', '}']) {
        for s in &SHAPES {
            let mut at = 0;
            let all = s.parts.iter().all(|p| match stmt[at..].find(p) {
                Some(k) => {
                    at += k + p.len();
                    true
                }
                None => false,
            });
            // The quaternion shape also needs the product inside the brackets: `1.0-2.0*(a*a+b*b)`.
            let quat_ok = s.what.starts_with("quaternion") && stmt.contains("1.0-2.0*(") && {
                let k = stmt.find("1.0-2.0*(").unwrap() + 9;
                let inner: String = stmt[k..].chars().take_while(|&c| c != ')').collect();
                inner.matches('*').count() == 2 && inner.contains('+')
            };
            if (all && !s.what.starts_with("quaternion")) || quat_ok {
                found.push(s.what);
            }
        }
    }
    found
}

/// Numeric literals in `text` that equal a shared constant to 6 or more significant digits.
fn constants_in(text: &str, constants: &[(&'static str, f64)]) -> Vec<&'static str> {
    let norm = normalise(text);
    let mut found = Vec::new();
    let bytes: Vec<char> = norm.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_')) {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == '.') {
                i += 1;
            }
            let lit: String = bytes[start..i].iter().collect();
            let digits = lit.trim_start_matches(['0', '.']).chars().filter(char::is_ascii_digit).count();
            if let (Ok(v), true) = (lit.parse::<f64>(), digits >= 6) {
                for (name, c) in constants {
                    if (v - c.abs()).abs() <= 1e-6 * c.abs() {
                        found.push(*name);
                    }
                }
            }
        } else {
            i += 1;
        }
    }
    found
}

fn shared_constants() -> Vec<(&'static str, f64)> {
    use splatbench_core::maths::{SH_C0, SH_C1, SH_C2, SH_C3};
    let mut c = vec![("SH_C0", SH_C0), ("SH_C1", SH_C1)];
    c.extend(SH_C2.iter().map(|&v| ("SH_C2", v)));
    c.extend(SH_C3.iter().map(|&v| ("SH_C3", v)));
    c
}

/// Rule 3: shared maths appears only in its home, by name, by constant and by shape.
fn defined_once_violations(files: &[(String, String)]) -> Vec<String> {
    let by_name: [(&str, &str); 7] = [
        ("fn sigmoid", MATHS),
        ("const SH_C0:", MATHS),
        ("fn logit", MATHS),
        ("quat_to_rotmat(q:", MATHS),
        ("fn area_downscale(", "impls/core/src/resample.rs"),
        ("pub struct TrainView", "impls/core/src/view.rs"),
        ("pub fn run<T: TrainTask>", "impls/train/src/lib.rs"),
    ];
    let constants = shared_constants();
    let own_maths = |rel: &str| OWN_MATHS.iter().any(|(p, _)| rel.starts_with(p));
    let mut wrong = Vec::new();
    let mut homes_seen = BTreeSet::new();
    for (rel, text) in files {
        for (pat, home) in by_name {
            if text.contains(pat) {
                if rel == home {
                    homes_seen.insert(pat);
                } else {
                    wrong.push(format!("{rel}: `{pat}` is defined only in {home}"));
                }
            }
        }
        if rel != MATHS {
            for name in constants_in(text, &constants) {
                wrong.push(format!("{rel}: a copy of {name}'s value (use splatbench_core::maths::{name})"));
            }
            if !own_maths(rel) {
                for what in shapes_in(text) {
                    wrong.push(format!("{rel}: a copy of {what} (use splatbench_core::maths)"));
                }
            }
        }
    }
    for (pat, home) in by_name {
        if !homes_seen.contains(pat) && files.iter().any(|(rel, _)| rel == home) {
            wrong.push(format!("`{pat}` is no longer in {home}: update tests/tests/layering.rs"));
        }
    }
    wrong
}

#[test]
fn shared_pieces_are_defined_once() {
    let wrong = defined_once_violations(&sources());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_defined_once_rule_finds_planted_copies() {
    let home = (
        MATHS.to_string(),
        "pub const SH_C0: f64 = 0.28209479177387814;\npub fn sigmoid() {}\npub fn logit() {}\nquat_to_rotmat(q: x)"
            .to_string(),
    );
    let ok = vec![home.clone(), ("impls/x/src/a.rs".into(), "let y = maths::sigmoid(x);".into())];
    assert!(
        defined_once_violations(&ok).iter().all(|w| !w.starts_with("impls/x")),
        "{:?}",
        defined_once_violations(&ok)
    );
    let planted = [
        ("const C0: f64 = 0.28209479177387814;", "SH_C0"),
        ("out[0usize] = 0.282_094_8f32;", "SH_C0"),
        ("let b = -1.092_548_4f32 * y;", "SH_C2"),
        ("let o = 1.0f32 / (1.0f32 + (-opacity_logits[i]).exp());", "sigmoid"),
        ("fn l(p: f32) -> f32 { (p / (1.0 - p)).ln() }", "logit"),
        ("let n = (-2.0 * u.ln()).sqrt() * (TAU * v).cos();", "Box–Muller"),
        ("r[0usize] = 1.0f32 - 2.0f32 * (qy * qy + qz * qz);", "quaternion"),
        ("fn sigmoid(x: f64) -> f64 { x }", "fn sigmoid"),
    ];
    for (code, what) in planted {
        let files = vec![home.clone(), ("impls/x/src/a.rs".to_string(), code.to_string())];
        let v = defined_once_violations(&files);
        assert!(v.iter().any(|w| w.starts_with("impls/x/src/a.rs") && w.contains(what)), "{code}: {v:?}");
        // The files that keep their own maths may hold the shapes, never the constants.
        let own = vec![home.clone(), ("impls/render/src/reference.rs".to_string(), code.to_string())];
        let v = defined_once_violations(&own);
        let is_constant = what.starts_with("SH_");
        assert_eq!(v.iter().any(|w| w.contains("reference.rs")), is_constant || what == "fn sigmoid", "{code}: {v:?}");
    }
    // Not copies: a Gaussian kernel's exp, Adam's bias correction, a short literal.
    for code in ["(-(k * k) / (2.0 * s * s)).exp()", "let mh = m / (1.0 - b1.powi(t));", "let x = 0.28;"] {
        let files = vec![home.clone(), ("impls/x/src/a.rs".to_string(), code.to_string())];
        assert!(defined_once_violations(&files).is_empty(), "{code}: {:?}", defined_once_violations(&files));
    }
}

#[test]
fn one_npy_reader_and_one_writer() {
    let home = "impls/io/src/npy.rs";
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    for (rel, text) in sources() {
        // The format's magic outside the codec means a second codec (tests may check a written header's bytes).
        if rel.contains("/src/") && !rel.ends_with(home) && text.contains("\\x93NUMPY") {
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
    readers.retain(|r| !r.starts_with(home));
    writers.retain(|w| !w.starts_with(home));
    assert!(readers.is_empty(), ".npy read outside {home}:\n{}", readers.join("\n"));
    assert!(writers.is_empty(), ".npy written outside {home}:\n{}", writers.join("\n"));
}
