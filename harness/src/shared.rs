//! Where the read-only shared data lives: `SPLATBENCH_SHARED`, else `../shared` beside the workspace.

use splatbench_types::{Error, Result};
use std::path::{Path, PathBuf};

/// The workspace root this binary was built from (compile-time), used to find `.venv` and `../shared`.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("harness sits in the workspace").to_path_buf()
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
