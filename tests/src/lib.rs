//! Cross-crate tests live in `tests/`; this library holds what several of them read: the workspace and its members'
//! manifests.

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A TOML file, panicking with its path when it cannot be read or parsed.
pub fn toml_file(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Each workspace member's directory and manifest.
pub fn members() -> Vec<(PathBuf, toml::Table)> {
    let root = toml_file(&workspace().join("Cargo.toml"));
    let members = root["workspace"]["members"].as_array().expect("workspace.members");
    members
        .iter()
        .map(|m| {
            let dir = workspace().join(m.as_str().unwrap());
            let manifest = toml_file(&dir.join("Cargo.toml"));
            (dir, manifest)
        })
        .collect()
}

pub fn package_name(manifest: &toml::Table) -> String {
    manifest["package"]["name"].as_str().unwrap().to_string()
}
