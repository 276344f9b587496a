//! One error type whose variant says whose fault a failure is, and so the process exit code:
//!
//! | variant | whose fault | exit |
//! |---|---|---|
//! | [`Error::Input`] | the user's: a file or argument is missing, unreadable or invalid | 2 |
//! | [`Error::Busy`] | nobody's: a results directory is held by another bench; refused before starting | 2 |
//! | [`Error::Output`] | the environment's: an output cannot be written (read-only, disk full, a directory) | 1 |
//! | [`Error::Failed`] | the run's: it finished but did not do all that was asked (a run failed, a regression) | 1 |
//! | [`Error::Diverged`] | the method's: a non-finite loss | 1 |
//! | [`Error::NotImplemented`] | ours: the design has it, the code not yet | 1 |
//! | [`Error::Internal`] | ours: a bug or a library failure, with its cause | 1 |
//!
//! Messages are one line. A variant that wraps a cause exposes it through [`std::error::Error::source`] and does not
//! repeat it in its own `Display`; [`Error::report`] (what the CLI prints) joins the whole chain as "a: b: c".
//! Reading and writing are told apart at the call site: [`IoContext::at`] makes an I/O error an input error,
//! [`IoContext::writing`] an output error.

use std::path::{Path, PathBuf};

/// Any error that can be kept as a cause and sent between threads.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or argument the user gave is missing, unreadable, truncated or inconsistent.
    #[error("{}: {msg}", path.display())]
    Input { path: PathBuf, msg: String },
    /// An output file or directory could not be created or written; `source` says why.
    #[error("cannot write {}", path.display())]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A directory is in use by another process (e.g. a results directory held by another bench).
    #[error("{}: {msg}", path.display())]
    Busy { path: PathBuf, msg: String },
    /// The work ran but did not all succeed: a run failed, a check found a regression. Results are still written.
    #[error("{0}")]
    Failed(String),
    /// A feature that exists in the design but not (yet) for this backend or input.
    #[error("not implemented: {0}")]
    NotImplemented(String),
    /// Training produced a non-finite loss; the bench records the run as failed and goes on.
    #[error("diverged at step {step}: {reason}")]
    Diverged { step: usize, reason: String },
    /// Something that should not happen: a broken invariant, or a library failing where input cannot be the cause.
    #[error("{msg}")]
    Internal {
        msg: String,
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    pub fn input(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Input { path: path.as_ref().to_path_buf(), msg: msg.into() }
    }

    pub fn output(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Output { path: path.as_ref().to_path_buf(), source }
    }

    pub fn busy(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Busy { path: path.as_ref().to_path_buf(), msg: msg.into() }
    }

    /// An internal error caused by `source`; `msg` says what was being done.
    pub fn internal(msg: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Internal { msg: msg.into(), source: Some(source.into()) }
    }

    /// A broken invariant with no underlying error.
    pub fn bug(msg: impl Into<String>) -> Self {
        Error::Internal { msg: msg.into(), source: None }
    }

    /// Process exit code: 2 when refused before starting (bad input, busy), 1 for every failure after that.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } | Error::Busy { .. } => 2,
            Error::Output { .. }
            | Error::Failed(_)
            | Error::NotImplemented(_)
            | Error::Diverged { .. }
            | Error::Internal { .. } => 1,
        }
    }

    /// The message and every cause, on one line: "a: b: c".
    pub fn report(&self) -> String {
        chain(self)
    }
}

/// `e` and its causes joined by ": ", with line breaks inside any message flattened, so a failure is one line.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        // Some libraries repeat their cause in their own message; print it once.
        if !parts.last().is_some_and(|p| p.ends_with(&text)) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ").split_whitespace().collect::<Vec<_>>().join(" ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attach a path to an I/O error, saying whether the path was being read (the user's input) or written (an output).
pub trait IoContext<T> {
    /// Reading `path` failed: an input error (exit 2).
    fn at(self, path: impl AsRef<Path>) -> Result<T>;
    /// Creating or writing `path` failed: an output error (exit 1) that keeps the I/O error as its cause.
    fn writing(self, path: impl AsRef<Path>) -> Result<T>;
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

    fn writing(self, path: impl AsRef<Path>) -> Result<T> {
        self.map_err(|e| Error::output(path, e))
    }
}

/// Keep any library error as the cause of an internal error.
pub trait InternalContext<T> {
    /// On error: [`Error::Internal`] with `msg` (what was being done) and the error as its source.
    fn internal(self, msg: impl Into<String>) -> Result<T>;
}

impl<T, E: Into<BoxError>> InternalContext<T> for std::result::Result<T, E> {
    fn internal(self, msg: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::internal(msg, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn exit_codes_follow_whose_fault() {
        let io = || std::io::Error::other("disk full");
        assert_eq!(Error::input("a", "bad").exit_code(), 2);
        assert_eq!(Error::busy("d", "held by pid 1").exit_code(), 2);
        assert_eq!(Error::output("o", io()).exit_code(), 1);
        assert_eq!(Error::Failed("2 runs failed".into()).exit_code(), 1);
        assert_eq!(Error::NotImplemented("x".into()).exit_code(), 1);
        assert_eq!(Error::Diverged { step: 3, reason: "nan".into() }.exit_code(), 1);
        assert_eq!(Error::internal("encoding", io()).exit_code(), 1);
        assert_eq!(Error::bug("no record").exit_code(), 1);
    }

    #[test]
    fn report_is_the_cause_chain_on_one_line() {
        let e = Error::internal("saving the record", Outer(std::io::Error::other("disk\nfull")));
        assert_eq!(e.report(), "saving the record: outer: disk full");
        let e = Err::<(), _>(std::io::Error::other("Read-only file system")).writing("/x/out.png").unwrap_err();
        assert_eq!(e.report(), "cannot write /x/out.png: Read-only file system");
        assert!(matches!(e, Error::Output { .. }));
        // The cause stays reachable for callers that inspect it.
        assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "Read-only file system");
    }

    #[test]
    fn reading_errors_are_input_errors() {
        let e = Err::<(), _>(std::io::Error::from(std::io::ErrorKind::NotFound)).at("in.ply").unwrap_err();
        assert_eq!((e.exit_code(), e.report()), (2, "in.ply: no such file or directory".to_string()));
    }
}
