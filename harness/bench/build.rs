//! Versions baked into the binary for the run records (`src/versions.rs`): the compiler that built it, the burn,
//! ort and tch crates resolved in the workspace's `Cargo.lock`, and with `--features tch` the libtorch it links
//! (`$LIBTORCH/include/torch/version.h`). What cannot be found is recorded as "unknown", never guessed.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let lock_path = manifest.join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock_path.display());
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let rustc = std::process::Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    env("SPLATBENCH_RUSTC", rustc);
    let lock = std::fs::read_to_string(&lock_path).unwrap_or_default();
    for (krate, var) in [("burn", "SPLATBENCH_BURN"), ("ort", "SPLATBENCH_ORT_CRATE"), ("tch", "SPLATBENCH_TCH_CRATE")]
    {
        env(var, locked_version(&lock, krate));
    }
    let torch = std::env::var_os("CARGO_FEATURE_TCH").and(std::env::var_os("LIBTORCH")).and_then(|dir| {
        let header = Path::new(&dir).join("include/torch/version.h");
        println!("cargo:rerun-if-changed={}", header.display());
        torch_version(&std::fs::read_to_string(header).ok()?)
    });
    env("SPLATBENCH_LIBTORCH", torch);
}

fn env(var: &str, value: Option<String>) {
    println!("cargo:rustc-env={var}={}", value.as_deref().unwrap_or("unknown"));
}

/// The version of `name` in a Cargo.lock (the first entry, should several be locked).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    lock.split("[[package]]").find_map(|entry| {
        let field = |key: &str| -> Option<String> {
            entry
                .lines()
                .find_map(|l| Some(l.strip_prefix(key)?.trim().strip_prefix('=')?.trim().trim_matches('"').to_string()))
        };
        (field("name ").as_deref() == Some(name)).then(|| field("version ")).flatten()
    })
}

/// `#define TORCH_VERSION "2.11.0+cpu"` → 2.11.0+cpu.
fn torch_version(header: &str) -> Option<String> {
    header
        .lines()
        .find_map(|l| Some(l.trim().strip_prefix("#define TORCH_VERSION ")?.trim().trim_matches('"').to_string()))
}
