//! Runtime dependencies that cargo cannot fetch: onnxruntime for LPIPS (always), torch for `--backend tch`, a
//! Vulkan driver for `--backend wgpu`, Chromium for the report test. Everything pip installs goes under
//! `<workspace>/.venv` (the Vulkan driver and Chromium come from apt); nothing is installed twice.

use crate::{TaskError, fail, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const ONNXRUNTIME_VERSION: &str = "1.31.1";

#[derive(clap::Args, Default)]
pub struct Args {
    /// Optional backends to prepare: tch (installs torch into the venv), wgpu (installs Mesa's software Vulkan driver
    /// with apt when no Vulkan driver is present).
    #[arg(long, value_delimiter = ',')]
    pub backend: Vec<String>,
    /// Also install Chromium (apt) for the headless report test.
    #[arg(long)]
    pub chromium: bool,
}

/// Environment the project's binaries and tests need, as found or installed by setup.
pub struct RuntimeEnv {
    pub ort_dylib: PathBuf,
    pub libtorch: Option<crate::libtorch::Libtorch>,
}

impl RuntimeEnv {
    pub fn vars(&self) -> Vec<(String, String)> {
        let mut v = vec![("ORT_DYLIB_PATH".into(), self.ort_dylib.display().to_string())];
        v.extend(self.libtorch.iter().flat_map(|l| l.vars()));
        v
    }
}

pub fn run(args: &Args) -> Result<RuntimeEnv, TaskError> {
    let venv = workspace_root().join(".venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        println!("setup: creating a Python venv at {}", venv.display());
        run_cmd(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv")?;
    }
    let ort_dylib = match find_ort(&venv) {
        Some(p) if pip_version(&python, "onnxruntime").as_deref() == Some(ONNXRUNTIME_VERSION) => p,
        _ => {
            println!("setup: pip install onnxruntime=={ONNXRUNTIME_VERSION} into {}", venv.display());
            run_cmd(
                Command::new(&python)
                    .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                    .arg(format!("onnxruntime=={ONNXRUNTIME_VERSION}")),
                "pip install onnxruntime",
            )?;
            find_ort(&venv).ok_or_else(|| fail("onnxruntime installed but libonnxruntime.so not found in the venv"))?
        }
    };
    println!("setup: onnxruntime {ONNXRUNTIME_VERSION} at {}", ort_dylib.display());
    let mut libtorch = None;
    for b in &args.backend {
        match b.as_str() {
            "tch" => libtorch = Some(crate::libtorch::ensure(&venv, &python)?),
            // Pure Rust: nothing to install.
            "ndarray" | "flex" => {}
            "wgpu" => crate::vulkan::ensure()?,
            other => {
                return Err(TaskError {
                    msg: format!("unknown backend '{other}' (ndarray, flex, wgpu, tch)"),
                    code: 2,
                });
            }
        }
    }
    if args.chromium && crate::slurm::which("chromium").is_none() {
        println!("setup: apt-get install -y chromium");
        run_cmd(Command::new("apt-get").args(["update", "-qq"]), "apt-get update")?;
        run_cmd(Command::new("apt-get").args(["install", "-y", "-qq", "chromium"]), "apt-get install chromium")?;
    }
    Ok(RuntimeEnv { ort_dylib, libtorch })
}

pub(crate) fn run_cmd(cmd: &mut Command, what: &str) -> Result<(), TaskError> {
    let st = cmd.status().map_err(|e| fail(format!("cannot start {what}: {e}")))?;
    if st.success() { Ok(()) } else { Err(fail(format!("{what} failed ({st})"))) }
}

pub(crate) fn pip_version(python: &Path, package: &str) -> Option<String> {
    let out = Command::new(python).args(["-m", "pip", "show", "--disable-pip-version-check", package]).output().ok()?;
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| l.strip_prefix("Version: ").map(str::to_string))
}

fn find_ort(venv: &Path) -> Option<PathBuf> {
    let capi = site_packages(venv)?.join("onnxruntime/capi");
    let mut found: Vec<PathBuf> = std::fs::read_dir(capi)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libonnxruntime.so")))
        .collect();
    found.sort();
    found.pop()
}

/// The venv's `lib/python3.*/site-packages` (the newest Python when there are several).
pub(crate) fn site_packages(venv: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(venv.join("lib"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found.pop()
}
