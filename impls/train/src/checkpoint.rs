//! Checkpoint integrity. A checkpoint is a few files a method writes (each atomically) plus a manifest sealing
//! them: one line per file, `<sha256> <length> <file name>`, written last, so its presence marks a complete
//! checkpoint and its lines catch any file cut short or changed since. A method resumes only from a checkpoint
//! that [`verify`] accepts; anything else is refused with the reason and the run starts from scratch.

use sha2::{Digest, Sha256};
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use std::fmt::Write as _;
use std::path::Path;

fn digest(bytes: &[u8]) -> String {
    digest_hex(&Sha256::digest(bytes))
}

/// Write `manifest` sealing `files` (which must sit in the manifest's directory).
pub fn seal(manifest: &Path, files: &[&Path]) -> Result<()> {
    let mut text = String::new();
    for f in files {
        let bytes = std::fs::read(f).at(f)?;
        let name = f.file_name().ok_or_else(|| Error::bug(format!("{}: no file name", f.display())))?;
        let _ = writeln!(text, "{} {} {}", digest(&bytes), bytes.len(), name.to_string_lossy());
    }
    write_atomic(manifest, text.as_bytes())
}

/// Whether every file `manifest` names is there with the length and SHA-256 it states; the reason when not.
pub fn verify(manifest: &Path) -> std::result::Result<(), String> {
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let text = std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    if text.trim().is_empty() {
        return Err(format!("{}: the manifest is empty", manifest.display()));
    }
    for line in text.lines() {
        let mut parts = line.splitn(3, ' ');
        let (Some(sum), Some(len), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("{}: bad manifest line `{line}`", manifest.display()));
        };
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if len.parse::<usize>().ok() != Some(bytes.len()) {
            return Err(format!("{}: {} bytes, the manifest says {len} (truncated?)", path.display(), bytes.len()));
        }
        if digest(&bytes) != sum {
            return Err(format!("{}: checksum mismatch (the file changed after it was written)", path.display()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_checkpoint_verifies_and_any_damage_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, m) = (dir.path().join("a.ply"), dir.path().join("b.json"), dir.path().join("ck.sha256"));
        std::fs::write(&a, vec![7u8; 1000]).unwrap();
        std::fs::write(&b, "{\"step\": 10}").unwrap();
        seal(&m, &[&a, &b]).unwrap();
        assert_eq!(verify(&m), Ok(()));

        std::fs::write(&a, vec![7u8; 600]).unwrap();
        assert!(verify(&m).unwrap_err().contains("truncated"), "{:?}", verify(&m));
        let mut flipped = vec![7u8; 1000];
        flipped[500] = 8;
        std::fs::write(&a, flipped).unwrap();
        assert!(verify(&m).unwrap_err().contains("checksum mismatch"));
        std::fs::write(&a, vec![7u8; 1000]).unwrap();
        std::fs::remove_file(&b).unwrap();
        assert!(verify(&m).unwrap_err().contains("b.json"));
        std::fs::write(&m, "").unwrap();
        assert!(verify(&m).unwrap_err().contains("empty"));
    }
}

/// The digest file the skeleton writes beside every checkpoint: `<step> <sha256>` of the parameter groups' values.
pub const PARAMETER_DIGEST: &str = "parameters.sha256";

/// Write [`PARAMETER_DIGEST`] in `dir`: the step and the SHA-256 of every group's name and values (f32, little
/// endian, in order). Two runs whose parameters agree to the bit at `step` write the same line, whatever ids their
/// files carry (burn's records hold random parameter ids), so a resumed run can be compared with an uninterrupted one.
pub fn save_parameter_digest(dir: &Path, step: usize, groups: &[(String, burn::tensor::Tensor<2>)]) -> Result<()> {
    let mut h = Sha256::new();
    for (name, t) in groups {
        h.update(name.as_bytes());
        for v in crate::tensors::to_vec(t.clone()) {
            h.update(v.to_le_bytes());
        }
    }
    let line = format!("{step} {}\n", digest_hex(&h.finalize()));
    write_atomic(&dir.join(PARAMETER_DIGEST), line.as_bytes())
}

fn digest_hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
