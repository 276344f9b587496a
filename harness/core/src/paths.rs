//! Where the read-only shared data lives: `SPLATBENCH_SHARED`, else `../shared` beside the workspace.

use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// The splatbench workspace the current directory is in, else the one this binary was built from; used to find
/// `.venv` and `../shared`. The current directory wins because one target directory (CI keeps it under `~/.cache`)
/// serves several checkouts, so the compile-time path can name a checkout that is gone.
pub fn workspace_root() -> PathBuf {
    let built_from =
        Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("harness/core sits in the workspace");
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.ancestors().find(|d| is_workspace_root(d)).map(Path::to_path_buf))
        .unwrap_or_else(|| built_from.to_path_buf())
}

fn is_workspace_root(dir: &Path) -> bool {
    dir.join("harness").join("core").join("Cargo.toml").is_file()
        && std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"))
}

/// The shared data directory, whether or not it exists.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("SPLATBENCH_SHARED") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("..").join("shared"),
    }
}

/// A path inside the shared data directory; a one-line error naming it when it is missing.
pub fn shared_path(rel: &str) -> Result<PathBuf> {
    let p = shared_dir().join(rel);
    if p.exists() {
        Ok(p)
    } else {
        Err(Error::input(&p, "missing (set SPLATBENCH_SHARED to the shared data directory)"))
    }
}
