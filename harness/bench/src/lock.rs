//! One bench per results directory: an advisory `flock` on `<dir>/.lock`, which also holds the holder's pid.
//!
//! The kernel drops a `flock` when its holder dies, so a killed bench never leaves a stale lock: the directory can
//! be benched again at once. The runs a bench starts check that the lock still names their parent before they write
//! a record, and die with their parent (`PR_SET_PDEATHSIG`), so an orphan of a killed bench cannot write into a
//! directory a new bench has taken over.

use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

const LOCK_FILE: &str = ".lock";

/// Held for as long as the value lives (the file is opened close-on-exec, so runs do not inherit it).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Take the directory, or an input error naming it when another live process holds it.
    pub fn acquire(dir: &Path) -> Result<DirLock> {
        let path = dir.join(LOCK_FILE);
        let mut file =
            File::options().read(true).write(true).create(true).truncate(false).open(&path).writing(&path)?;
        // SAFETY: flock(2) on a descriptor this function owns; no memory is shared with the kernel.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(Error::input(&path, format!("cannot lock: {err}")));
            }
            let holder = holder_pid(dir).map_or_else(|| "another process".to_string(), |p| format!("pid {p}"));
            return Err(Error::input(
                dir,
                format!(
                    "another bench ({holder}) is using this results directory; wait for it or choose another --out"
                ),
            ));
        }
        let pid = std::process::id().to_string();
        let write = |f: &mut File| -> std::io::Result<()> {
            f.set_len(0)?;
            f.rewind()?;
            f.write_all(pid.as_bytes())?;
            f.sync_all()
        };
        write(&mut file).at(&path)?;
        Ok(DirLock { _file: file })
    }
}

/// The pid written by the last bench that took `dir`, if any.
pub fn holder_pid(dir: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(lock_path(dir)).ok()?.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

fn lock_path(dir: &Path) -> PathBuf {
    dir.join(LOCK_FILE)
}

/// Whether a run in `dir` may write its record: no bench has ever locked the directory (a run started by hand), or
/// the lock names this process's parent, the bench that started it.
pub fn parent_holds(dir: &Path) -> bool {
    // SAFETY: getppid(2) cannot fail and touches no memory.
    let parent = unsafe { libc::getppid() };
    holder_pid(dir).is_none_or(|p| i64::from(p) == i64::from(parent))
}

/// Make a child about to be `exec`ed die with the calling thread's process (Linux `PR_SET_PDEATHSIG`), and exit at
/// once if that process is already gone (it may have died between `fork` and here).
pub fn die_with_parent(cmd: &mut std::process::Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: the closure runs between fork and exec and calls only async-signal-safe functions (prctl,
        // getppid, _exit), allocating nothing.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused_until_the_first_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let first = DirLock::acquire(tmp.path()).unwrap();
        assert_eq!(holder_pid(tmp.path()), Some(std::process::id()));
        // flock is per open file description, so a second open in the same process conflicts like another process.
        let e = DirLock::acquire(tmp.path()).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains(&format!("pid {}", std::process::id())), "{e}");
        drop(first);
        DirLock::acquire(tmp.path()).unwrap();
    }
}
