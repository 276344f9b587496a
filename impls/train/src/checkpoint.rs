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

fn json_paths(dir: &Path, prefix: &str, step: usize) -> (std::path::PathBuf, std::path::PathBuf) {
    (dir.join(format!("{prefix}_step{step:06}.json")), dir.join(format!("{prefix}_step{step:06}.sha256")))
}

/// A checkpoint that is one JSON document: `<prefix>_step{step:06}.json`, sealed by `….sha256` written last (the
/// old seal is removed first, so a crash mid-save leaves no seal over new content).
pub fn save_json<T: serde::Serialize>(dir: &Path, prefix: &str, step: usize, value: &T) -> Result<()> {
    let (json, manifest) = json_paths(dir, prefix, step);
    let _ = std::fs::remove_file(&manifest);
    let text =
        serde_json::to_string(value).map_err(|e| Error::internal(format!("encoding a {prefix} checkpoint"), e))?;
    write_atomic(&json, text.as_bytes())?;
    seal(&manifest, &[&json])?;
    prune(dir, prefix);
    Ok(())
}

/// How many sealed checkpoints of a run [`prune`] keeps: the newest, and one more in case the newest is damaged.
pub const KEEP: usize = 2;

/// The steps of the `<prefix>_step{n:06}` checkpoints in `dir` that have a manifest, newest first.
pub fn steps(dir: &Path, prefix: &str) -> Vec<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let head = format!("{prefix}_step");
    let mut steps: Vec<usize> = entries
        .filter_map(|e| {
            e.ok()?.file_name().into_string().ok()?.strip_prefix(&head)?.strip_suffix(".sha256")?.parse().ok()
        })
        .collect();
    steps.sort_unstable_by(|a, b| b.cmp(a));
    steps
}

/// Remove every `<prefix>_step{n:06}…` file in `dir` but those of the [`KEEP`] newest sealed checkpoints, so a long
/// run's checkpoints take the room of two. Called after a checkpoint is sealed; a file that cannot be removed stays.
pub fn prune(dir: &Path, prefix: &str) {
    let keep: Vec<usize> = steps(dir, prefix).into_iter().take(KEEP).collect();
    let Some(&oldest_kept) = keep.last() else { return };
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name_step(&name).is_some_and(|(p, s)| p == prefix && s < oldest_kept) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The newest `<prefix>` JSON checkpoint in `dir` that [`verify`] accepts, that parses, and that `accept` takes
/// (it checks the fingerprint and restores the state, or says why not); its step. Each one refused is a warning
/// naming its manifest and why, and the next older one is tried.
pub fn resume_json<T: serde::de::DeserializeOwned>(
    dir: &Path,
    prefix: &str,
    mut accept: impl FnMut(T) -> std::result::Result<(), String>,
) -> Option<usize> {
    for step in steps(dir, prefix) {
        let (json, manifest) = json_paths(dir, prefix, step);
        let read = || -> std::result::Result<T, String> {
            verify(&manifest)?;
            let bytes = std::fs::read(&json).map_err(|e| e.to_string())?;
            serde_json::from_slice(&bytes).map_err(|e| format!("not a {prefix} checkpoint: {e}"))
        };
        match read().and_then(&mut accept) {
            Ok(()) => return Some(step),
            Err(why) => eprintln!("warning: {}: checkpoint ignored: {why}", manifest.display()),
        }
    }
    None
}

/// What a method's checkpoint must match to be resumed from: its configuration as JSON without `checkpoint_every`
/// and `resume` (they say when a checkpoint is written and whether one is read, not what the run is), then `run`,
/// whatever else the run depends on (step count, seed, data).
pub fn fingerprint(config: &impl serde::Serialize, run: &str) -> String {
    let mut c = serde_json::to_value(config).unwrap_or_default();
    if let Some(m) = c.as_object_mut() {
        m.remove("checkpoint_every");
        m.remove("resume");
    }
    format!("{c} {run}")
}

/// A random stream's word position as a checkpoint keeps it: a u128 written as text (JSON numbers are f64).
pub fn stream_position(text: &str) -> std::result::Result<u128, String> {
    text.parse().map_err(|_| format!("bad stream position `{text}`"))
}

/// The method prefix and step of a checkpoint file's name, `<prefix>_step{step:06}…`.
pub fn name_step(name: &str) -> Option<(&str, usize)> {
    let (prefix, rest) = name.split_once("_step")?;
    let digits = rest.get(..6).filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    Some((prefix, digits.parse().ok()?))
}

/// `stem` with `suffix` appended to its file name (`a/x_step000010` + `_adam.bpk`).
pub fn with_suffix(stem: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(suffix);
    std::path::PathBuf::from(s)
}

#[cfg(test)]
mod names {
    use super::*;

    #[test]
    fn checkpoint_names_fingerprints_and_stream_positions() {
        assert_eq!(name_step("roigs_step000025.json"), Some(("roigs", 25)));
        assert_eq!(name_step("splatter_step000004_adam.bpk"), Some(("splatter", 4)));
        assert_eq!(name_step("training_curve.json"), None);
        assert_eq!(name_step("x_step12.json"), None);
        let fp = fingerprint(&serde_json::json!({"steps": 3, "checkpoint_every": 5, "resume": true}), "seed=1");
        assert_eq!(fp, r#"{"steps":3} seed=1"#);
        assert_eq!(stream_position("340282366920938463463374607431768211455"), Ok(u128::MAX));
        assert!(stream_position("-1").is_err());
        assert_eq!(with_suffix(Path::new("d/a_step000001"), ".sha256"), Path::new("d/a_step000001.sha256"));
    }
}
