//! One error type. `Input` errors are the user's (bad file, bad flag): the CLI prints them on one line and exits 2.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or argument the user gave is missing, truncated or inconsistent.
    #[error("{path}: {msg}")]
    Input { path: PathBuf, msg: String },
    /// A feature that exists in the design but not (yet) for this backend or input.
    #[error("not implemented: {0}")]
    NotImplemented(String),
    /// Training produced a non-finite loss; the bench records the run as failed and goes on.
    #[error("diverged at step {step}: {reason}")]
    Diverged { step: usize, reason: String },
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn input(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Input { path: path.as_ref().to_path_buf(), msg: msg.into() }
    }
    /// Process exit code for this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attach a path to an I/O error, turning it into an input error.
pub trait IoContext<T> {
    fn at(self, path: impl AsRef<Path>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl AsRef<Path>) -> Result<T> {
        self.map_err(|e| {
            let msg = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
                std::io::ErrorKind::UnexpectedEof => "file is truncated".to_string(),
                _ => e.to_string(),
            };
            Error::input(path, msg)
        })
    }
}

/// Write `bytes` to `path` atomically: a temporary file beside it, synced, then renamed, so readers never see half a
/// file and an interrupted write leaves the old file (or none) in place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut tmp_name = path.file_name().ok_or_else(|| Error::input(path, "not a file path"))?.to_os_string();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).at(path);
    }
    std::fs::rename(&tmp, path).at(path)
}
