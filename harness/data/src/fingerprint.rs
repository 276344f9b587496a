//! A dataset's fingerprint: the bench reuses a finished run only when the data it was scored on is unchanged.
//!
//! Reading every byte of a dataset on each resume would cost as much as loading it, so a directory is identified by
//! its files' relative names, sizes and modification times (what `make` and `rsync` trust); a generated dataset is
//! identified by the generator version, since the generator's output is byte-identical per version.

use crate::reference::resolve;
use sha2::{Digest, Sha256};
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// The fingerprint of a dataset reference (`gen:NAME`, `shared:REL` or a path).
pub fn fingerprint(reference: &str) -> Result<String> {
    if reference.starts_with("gen:") {
        return Ok(format!("generator v{}", splatbench_datasets::GENERATOR_VERSION));
    }
    let root = resolve(reference)?;
    let mut files = Vec::new();
    walk(&root, &root, &mut files)?;
    files.sort();
    let mut h = Sha256::new();
    for line in &files {
        h.update(line.as_bytes());
        h.update(b"\n");
    }
    let digest: String = h.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect();
    Ok(format!("files sha256:{digest} ({} files)", files.len()))
}

/// One line per regular file under `dir`: relative path, size, mtime in ns.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).at(dir)? {
        let path = entry.at(dir)?.path();
        // `metadata` follows symlinks: a linked dataset is fingerprinted by what it points to.
        let meta = std::fs::metadata(&path).at(&path)?;
        if meta.is_dir() {
            walk(root, &path, out)?;
        } else {
            let rel = path.strip_prefix(root).map_err(|e| Error::internal("fingerprinting a dataset", e))?;
            let mtime =
                meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
            out.push(format!("{}\t{}\t{mtime}", rel.display(), meta.len()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn a_changed_added_or_renamed_file_changes_the_fingerprint() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ds");
        std::fs::create_dir_all(dir.join("images")).unwrap();
        std::fs::write(dir.join("images/a.png"), b"abc").unwrap();
        let reference = dir.to_str().unwrap();
        let first = fingerprint(reference).unwrap();
        assert_eq!(fingerprint(reference).unwrap(), first, "not deterministic");
        std::fs::write(dir.join("images/a.png"), b"abcd").unwrap();
        let resized = fingerprint(reference).unwrap();
        assert_ne!(resized, first);
        std::fs::rename(dir.join("images/a.png"), dir.join("images/b.png")).unwrap();
        assert_ne!(fingerprint(reference).unwrap(), resized);
        assert!(fingerprint("gen:head_toy").unwrap().starts_with("generator v"));
        assert!(fingerprint(tmp.path().join("missing").to_str().unwrap()).is_err());
    }
}
