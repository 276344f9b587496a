//! The process's start, for "wall time from start to finish" figures (a run record's `timing.wall_s`).
//!
//! [`mark_process_start`] is the first thing the program does; a process that never called it measures from the
//! first call to [`since_process_start`] instead.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();

/// Remember now as the process's start (later calls change nothing).
pub fn mark_process_start() {
    START.get_or_init(Instant::now);
}

/// Seconds since [`mark_process_start`].
pub fn since_process_start() -> f64 {
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}
