//! libtorch for `--backend tch` (burn's LibTorch backend, burn-tch 0.22 → tch 0.22 → torch-sys).
//!
//! An existing `LIBTORCH` is used as it is (e.g. a CUDA build on a GPU machine). Otherwise torch is installed into
//! the workspace venv the lean way — the wheel without its ~3 GB of CUDA dependencies, plus the two small CUDA
//! runtime wheels that `libtorch_cpu.so` itself links (`libcudart`, `libcupti`) — and `<target>/libtorch` is laid out
//! as a libtorch directory whose `lib/` links every torch library *except* the CUDA ones. torch-sys links
//! `libtorch_cuda` whenever it is in that directory, and the binary would then need all of CUDA at run time; without
//! it the build is CPU-only and runs anywhere. torch-sys 0.22 expects torch 2.7; the C++ API it uses is unchanged in
//! 2.11, hence `LIBTORCH_BYPASS_VERSION_CHECK=1`.

use crate::{TaskError, fail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub const TORCH_VERSION: &str = "2.11.0";
const CUDA_PARTS: [&str; 4] = ["cuda", "nvrtc", "cudnn", "nvshmem"];

/// The libtorch directory to build and run against, and the environment that says so.
pub struct Libtorch {
    pub dir: PathBuf,
}

impl Libtorch {
    pub fn vars(&self) -> Vec<(String, String)> {
        let lib = self.dir.join("lib");
        let ld = match std::env::var_os("LD_LIBRARY_PATH") {
            Some(old) if !old.is_empty() => format!("{}:{}", lib.display(), old.to_string_lossy()),
            _ => lib.display().to_string(),
        };
        vec![
            ("LIBTORCH".into(), self.dir.display().to_string()),
            ("LIBTORCH_BYPASS_VERSION_CHECK".into(), "1".into()),
            ("LD_LIBRARY_PATH".into(), ld),
        ]
    }
}

pub fn ensure(venv: &Path, python: &Path) -> Result<Libtorch, TaskError> {
    if let Some(dir) = std::env::var_os("LIBTORCH").map(PathBuf::from) {
        if !dir.join("lib").join("libtorch_cpu.so").exists() {
            return Err(TaskError {
                msg: format!(
                    "LIBTORCH={}: lib/libtorch_cpu.so is missing (unset LIBTORCH to install torch)",
                    dir.display()
                ),
                code: 2,
            });
        }
        println!("setup: using LIBTORCH={} as set", dir.display());
        return Ok(Libtorch { dir });
    }
    let site = crate::setup::site_packages(venv)
        .ok_or_else(|| fail(format!("no site-packages under {}", venv.join("lib").display())))?;
    if crate::setup::pip_version(python, "torch").as_deref() != Some(TORCH_VERSION) {
        println!(
            "setup: pip install --no-deps torch=={TORCH_VERSION} nvidia-cuda-runtime nvidia-cuda-cupti into {} \
             (CPU libtorch, ≈ 1.3 GB on disk, ≈ 0.5 GB download)",
            venv.display()
        );
        let t = Instant::now();
        crate::setup::run_cmd(
            Command::new(python)
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"])
                .arg(format!("torch=={TORCH_VERSION}"))
                .args(["nvidia-cuda-runtime", "nvidia-cuda-cupti"]),
            "pip install torch",
        )?;
        println!("setup: torch installed in {:.0} s", t.elapsed().as_secs_f64());
    }
    let torch = site.join("torch");
    // In the target dir, not the venv: `LIBTORCH` is part of torch-sys's fingerprint, and CI's target dir outlives
    // its checkouts, so a path that does not move keeps the tch build warm between them.
    let dir = crate::target_dir().join("libtorch");
    lay_out_cpu_only(&torch, &dir).map_err(|e| fail(format!("cannot lay out {}: {e}", dir.display())))?;
    println!("setup: libtorch {TORCH_VERSION} (CPU-only link set) at {}", dir.display());
    Ok(Libtorch { dir })
}

/// `dir/include` → torch's headers; `dir/lib/*` → torch's libraries without the CUDA ones, plus the CUDA runtime
/// wheels' libraries. Rebuilt every time, so a reinstalled torch is picked up.
fn lay_out_cpu_only(torch: &Path, dir: &Path) -> std::io::Result<()> {
    let lib = dir.join("lib");
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(&lib)?;
    std::os::unix::fs::symlink(torch.join("include"), dir.join("include"))?;
    for entry in std::fs::read_dir(torch.join("lib"))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !CUDA_PARTS.iter().any(|c| name.contains(c)) {
            std::os::unix::fs::symlink(&path, lib.join(&name))?;
        }
    }
    // libtorch_cpu finds libcudart/libcupti through an `$ORIGIN/../../nvidia/cu13/lib` run path, which a symlinked
    // lib/ breaks: link the runtime wheels' libraries beside it.
    let nvidia = torch.parent().map(|p| p.join("nvidia")).unwrap_or_default();
    for part in std::fs::read_dir(&nvidia).into_iter().flatten().flatten() {
        for entry in std::fs::read_dir(part.path().join("lib")).into_iter().flatten().flatten() {
            let target = lib.join(entry.file_name());
            if !target.exists() {
                std::os::unix::fs::symlink(entry.path(), target)?;
            }
        }
    }
    if !lib.join("libtorch_cpu.so").exists() {
        return Err(std::io::Error::other(format!("{} has no libtorch_cpu.so", torch.join("lib").display())));
    }
    Ok(())
}
