//! The one way splatbench writes a file: atomically (and creates an output directory: [`create_dir_all`]).
//!
//! The bytes go to a temporary file with a unique name in the target's directory (so two writers never share it
//! and the final rename stays on one file system), are synced to disk, and the file is renamed over the target;
//! readers see the old file or the new one, never half of one. Missing parent directories are created. On any
//! failure the temporary file is removed and the error is [`Error::Output`] naming the *target* path.
//!
//! A rename replaces a file whatever its permissions, so the mode is checked here: a target marked read-only
//! (`chmod a-w`) is refused ("Permission denied"), as an in-place write would be — for every user, root
//! included. A new file gets the mode `open(2)` would give it (0666 less the umask); a replaced one keeps its mode.

use splatbench_core::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Write `bytes` to `path` atomically (see the module docs).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Write to `path` atomically through `fill`, for encoders that stream into a writer.
pub fn write_atomic_with(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    write(path, fill).map_err(|e| Error::output(path, e))
}

fn write(path: &Path, fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    use std::io::{Error as IoError, ErrorKind};
    if path.file_name().is_none() {
        return Err(IoError::new(ErrorKind::InvalidInput, "not a file name"));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let existing = match std::fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(IoError::new(ErrorKind::IsADirectory, "is a directory"));
        }
        if m.permissions().readonly() {
            return Err(IoError::new(ErrorKind::PermissionDenied, "Permission denied (the file is read-only)"));
        }
    }
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".splatbench-").suffix(".tmp").tempfile_in(dir)?;
    // Dropping `tmp` on an early return deletes it.
    {
        let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    set_mode(tmp.as_file(), existing.as_ref())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Create the directory `path` and its parents; an [`Error::Output`] naming `path` when that fails, with "exists
/// and is not a directory" (not the OS's "File exists") when a file is in the way.
pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| {
        let file_in_the_way = e.kind() == std::io::ErrorKind::AlreadyExists && !path.is_dir();
        let e = if file_in_the_way {
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "exists and is not a directory")
        } else {
            e
        };
        Error::output(path, e)
    })
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, existing: Option<&std::fs::Metadata>) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // tempfile creates 0600; give the file the mode a plain create (or the replaced file) would have.
    let mode = match existing {
        Some(m) => m.permissions().mode() & 0o7777,
        None => 0o666 & !umask(),
    };
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &std::fs::File, _: Option<&std::fs::Metadata>) -> std::io::Result<()> {
    Ok(())
}

/// The process umask, read from `/proc/self/status` (the `umask` call would have to set it to read it, which is
/// racy with other threads); 022 where that is not available.
#[cfg(unix)]
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("Umask:").and_then(|v| u32::from_str_radix(v.trim(), 8).ok()))
        })
        .unwrap_or(0o022)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".splatbench-"))
            .collect()
    }

    #[test]
    fn writes_replaces_and_creates_parents() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a/b/out.txt");
        write_atomic(&p, b"one").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(leftovers(p.parent().unwrap()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_umask_mode_and_replaced_ones_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.txt");
        write_atomic(&p, b"x").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o666 & !umask());
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"y").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
    }

    #[test]
    fn failures_are_output_errors_naming_the_target_and_leave_nothing_behind() {
        let d = tempfile::tempdir().unwrap();
        // A directory in the way.
        let e = write_atomic(d.path(), b"x").unwrap_err();
        assert!(matches!(e, Error::Output { .. }), "{e:?}");
        assert_eq!(e.exit_code(), 1);
        let e = write_atomic(&d.path().join("sub"), b"x");
        assert!(e.is_ok());
        let e = write_atomic(&d.path().join("sub/x"), b"x").unwrap_err();
        assert!(e.report().starts_with(&format!("cannot write {}: ", d.path().join("sub/x").display())), "{e}");
        // A read-only file is not replaced, even by root.
        let ro = d.path().join("ro.txt");
        std::fs::write(&ro, b"keep").unwrap();
        let mut perm = std::fs::metadata(&ro).unwrap().permissions();
        perm.set_readonly(true);
        std::fs::set_permissions(&ro, perm).unwrap();
        let e = write_atomic(&ro, b"new").unwrap_err();
        assert!(e.report().contains("Permission denied"), "{e}");
        assert_eq!(std::fs::read(&ro).unwrap(), b"keep");
        // The writer's own failure: the temporary file is removed.
        let p = d.path().join("w.txt");
        let e = write_atomic_with(&p, |_| Err(std::io::Error::other("No space left on device"))).unwrap_err();
        assert_eq!(e.report(), format!("cannot write {}: No space left on device", p.display()));
        assert!(!p.exists());
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn create_dir_all_names_the_directory_and_a_file_in_the_way() {
        let d = tempfile::tempdir().unwrap();
        create_dir_all(&d.path().join("a/b")).unwrap();
        assert!(d.path().join("a/b").is_dir());
        std::fs::write(d.path().join("f"), b"x").unwrap();
        let e = create_dir_all(&d.path().join("f")).unwrap_err();
        assert_eq!(e.report(), format!("cannot write {}: exists and is not a directory", d.path().join("f").display()));
    }
}
