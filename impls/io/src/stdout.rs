//! Lines for the reader on standard output that survive a closed pipe (`splatbench … | head -1`).
//!
//! Rust ignores SIGPIPE, so writing to a pipe whose reader has gone returns `EPIPE`, and `println!` panics on it.
//! Every line the commands print goes through [`line`] (the [`say!`](crate::say) macro) instead. Once stdout is
//! closed no one can read more, so a command stops quietly with exit code 0 — except one that called
//! [`keep_going`] (the bench: its runs and result files matter, its progress lines do not), which goes on without
//! printing.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static KEEP_GOING: AtomicBool = AtomicBool::new(false);
static CLOSED: AtomicBool = AtomicBool::new(false);

/// From now on a closed stdout silences the output instead of ending the process.
pub fn keep_going() {
    KEEP_GOING.store(true, Ordering::SeqCst);
}

/// Whether stdout was found closed (only ever true after [`keep_going`]).
pub fn is_closed() -> bool {
    CLOSED.load(Ordering::SeqCst)
}

/// Write `args` and a newline to stdout; on a closed stdout, see the module docs. Another failure (a full disk under
/// a redirect) loses the line, as a terminal would; writers that must report it use [`write_failed`].
pub fn line(args: std::fmt::Arguments) {
    if is_closed() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}").and_then(|()| out.flush()) {
        drop(out);
        write_failed(e);
    }
}

/// What a failed write to stdout means: a reader that went away (a broken pipe, or no stdout at all) is
/// [`closed`]; any other failure is returned to be reported as an output error.
pub fn write_failed(e: std::io::Error) -> std::io::Error {
    use std::io::ErrorKind;
    let gone = e.kind() == ErrorKind::BrokenPipe || e.raw_os_error() == Some(EBADF);
    if gone {
        closed();
    }
    e
}

/// Stdout's reader has gone: exit 0 now, or remember it when the command [`keep_going`]s.
pub fn closed() {
    if KEEP_GOING.load(Ordering::SeqCst) {
        CLOSED.store(true, Ordering::SeqCst);
    } else {
        std::process::exit(0);
    }
}

/// `EBADF`: stdout closed outright (`>&-`); 9 on Linux and macOS alike.
const EBADF: i32 = 9;

/// `println!` that survives a closed stdout (see [`line`]).
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {
        $crate::stdout::line(format_args!($($t)*))
    };
}
