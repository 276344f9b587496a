//! Keep freed memory in the process instead of handing it back to the kernel after every step.
//!
//! glibc serves an allocation above its mmap threshold (128 KiB at start, raised on the fly up to 32 MiB) with a
//! fresh `mmap` and returns it with `munmap` when freed, and trims the heap top above 128 KiB. A training step
//! allocates and frees the same image-sized buffers (a 250×165 view's SSIM stack is 2.5 MB) every time, so each
//! step paid page faults and page clearing for all of them again: 27 % of a roigs step on ndarray (perf, bust_250),
//! and 0.0337 → 0.0271 s/step when the thresholds are raised. The thresholds here keep allocations up to 32 MiB
//! on the heap and leave up to 1 GiB free at its top; memory a run freed is reused, not returned, until exit.
//!
//! Set `MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_` or `GLIBC_TUNABLES` to choose otherwise: then this leaves
//! glibc as configured. Other C libraries are left alone. The `splatbench` binary calls this first thing, and so
//! do the criterion benches of the training path, so that they measure what a bench run gets.

/// Allocations up to this size come from the heap (glibc's `M_MMAP_THRESHOLD`; 32 MiB is the most it takes on
/// 64-bit targets).
pub const MMAP_THRESHOLD: usize = 32 << 20;
/// Free memory the heap keeps at its top (glibc's `M_TRIM_THRESHOLD`).
pub const TRIM_THRESHOLD: usize = 1 << 30;

/// Whether the environment configures glibc's allocator itself.
fn configured_by_env() -> bool {
    ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"].iter().any(|v| std::env::var_os(v).is_some())
}

/// Apply the thresholds (module docs); true when glibc took them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_memory() -> bool {
    if configured_by_env() {
        return false;
    }
    // SAFETY: mallopt only sets allocator parameters; it is called before any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int) == 1
            && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD as libc::c_int) == 1
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_memory() -> bool {
    let _ = configured_by_env();
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    #[test]
    fn glibc_takes_the_thresholds() {
        if !super::configured_by_env() {
            assert!(super::keep_freed_memory());
        }
    }
}
