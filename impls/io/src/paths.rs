//! Where the read-only shared data lives: `SPLATBENCH_SHARED`, else `../shared` beside the workspace.

use splatbench_core::{Error, Result};
use std::path::{Path, PathBuf};

/// The splatbench checkout this run belongs to, used to find `.venv`, the bundled LPIPS models, the built-in
/// baselines and `../shared`: the first ancestor of the current directory that is a splatbench workspace, else
/// the first ancestor of the running executable (a binary under a checkout's `target/`), else the current
/// directory itself. Never the checkout the binary was compiled in: a copied binary must not read another
/// checkout's data silently; outside a checkout it uses `SPLATBENCH_SHARED`, `SPLATBENCH_DATA` and
/// `ORT_DYLIB_PATH` (see `splatbench --help`), and what it cannot find is an error naming the path it tried.
pub fn workspace_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let exe = std::env::current_exe().ok().and_then(|e| std::fs::canonicalize(e).ok());
    let found = [Some(cwd.as_path()), exe.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|start| start.ancestors().find(|d| is_workspace_root(d)).map(Path::to_path_buf));
    found.unwrap_or(cwd)
}

fn is_workspace_root(dir: &Path) -> bool {
    dir.join("impls").join("core").join("Cargo.toml").is_file()
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
