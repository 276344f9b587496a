//! The allocation guard: a global allocator that refuses any single request above the current input's cap.
//!
//! A parser that sizes a buffer from a header's word (a count of 2⁶⁰) reaches here before the memory is touched.
//! The guard then writes the input to the crash file opened at start and returns null, so the process aborts with
//! Rust's "memory allocation of N bytes failed" and the input that caused it is on disk. It also raises a flag, so
//! a parser that survives the null (a `try_reserve`) is still reported. Binaries opt in with
//! `#[global_allocator] static GUARD: Guard = Guard;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

pub struct Guard;

static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);
static INPUT: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static INPUT_LEN: AtomicUsize = AtomicUsize::new(0);
static TRIPPED: AtomicBool = AtomicBool::new(false);
static CRASH_FILE: OnceLock<File> = OnceLock::new();

/// Where the input goes if an allocation beyond the cap aborts the process.
pub fn set_crash_file(file: File) {
    let _ = CRASH_FILE.set(file);
}

/// Arm the guard for one input: allocations above `cap` bytes trip it until [`disarm`].
pub fn arm(input: &[u8], cap: usize) {
    INPUT.store(input.as_ptr().cast_mut(), Ordering::SeqCst);
    INPUT_LEN.store(input.len(), Ordering::SeqCst);
    TRIPPED.store(false, Ordering::SeqCst);
    CAP.store(cap, Ordering::SeqCst);
}

/// Stop checking; whether any allocation went past the cap since [`arm`].
pub fn disarm() -> bool {
    CAP.store(usize::MAX, Ordering::SeqCst);
    INPUT.store(std::ptr::null_mut(), Ordering::SeqCst);
    TRIPPED.load(Ordering::SeqCst)
}

fn check(size: usize) -> bool {
    if size <= CAP.load(Ordering::Relaxed) {
        return true;
    }
    TRIPPED.store(true, Ordering::SeqCst);
    // No allocation from here on: `&File` and stderr write straight to their descriptors.
    let ptr = INPUT.load(Ordering::SeqCst);
    if let (Some(mut file), false) = (CRASH_FILE.get(), ptr.is_null()) {
        // SAFETY: `arm` stored a live slice's pointer and length; the engine keeps the slice alive until `disarm`.
        let input = unsafe { std::slice::from_raw_parts(ptr, INPUT_LEN.load(Ordering::SeqCst)) };
        let _ = file.write_all(input);
        let _ = file.flush();
    }
    let _ = std::io::stderr().write_all(b"splatbench-fuzz: an allocation exceeded the input's cap\n");
    false
}

// SAFETY: every call is forwarded to `System` unchanged, or answered with null (a refusal every caller handles).
unsafe impl GlobalAlloc for Guard {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !check(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !check(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !check(new_size) {
            return std::ptr::null_mut();
        }
        // SAFETY: as for `alloc`; `ptr` came from this allocator, which is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}
