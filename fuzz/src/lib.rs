//! Fuzzing every input parser of splatbench on stable Rust, without coverage instrumentation.
//!
//! - [`targets`]: one target per parser (COLMAP binary and text, SRN, Blender, nerfstudio, `cameras_yaw_pitch`,
//!   3DGS PLY ascii and binary, `.npy`, depth, masks, suite TOML, `render`'s camera JSON, run records, baselines).
//! - [`mutate`]: byte- and text-level mutations of seeds cut from real files (`corpus/<target>/`, built by
//!   `splatbench-fuzz seed` from `../shared` and the generator).
//! - [`engine`]: the loop, and the property: no panic, no allocation above the target's cap ([`guard`]), and
//!   every refusal an [`Error::Input`](splatbench_core::Error::Input). Inputs that ever broke it stay in
//!   `regressions/<target>/` and are replayed by this crate's tests.
//!
//! Run it with `cargo xtask fuzz --minutes N` (all targets) or `splatbench-fuzz run <target> --seconds S`.

pub mod corpus;
pub mod engine;
pub mod guard;
pub mod mutate;
pub mod rng;
pub mod targets;

use std::path::PathBuf;

/// `fuzz/corpus/<target>`: the committed seeds.
pub fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target)
}

/// `fuzz/regressions/<target>`: every input that ever broke the property.
pub fn regressions_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions").join(target)
}
