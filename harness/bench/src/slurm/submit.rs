//! Writing a [`Plan`] into its results directory and handing it to `sbatch`: the array, then the merge job that
//! waits for it. Every submission is appended to `D/slurm/jobs.json`.

use super::plan::Plan;
use super::script;
use serde::{Deserialize, Serialize};
use splatbench_core::error::{InternalContext, IoContext};
use splatbench_core::{Error, Result};
use splatbench_io::atomic::{create_dir_all, write_atomic, write_atomic_with};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One `sbatch` of the array (all shards, or the ones `--resubmit-failed` chose) and its merge job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub array_job: String,
    pub merge_job: String,
    pub shards: Vec<usize>,
    /// Seconds since the Unix epoch.
    pub submitted: u64,
}

pub fn jobs_path(dir: &Path) -> PathBuf {
    dir.join("slurm").join("jobs.json")
}

/// Every submission into `dir`, oldest first (none when the file is absent).
pub fn read_jobs(dir: &Path) -> Result<Vec<Submission>> {
    let p = jobs_path(dir);
    if !p.exists() {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(&p).at(&p)?;
    serde_json::from_slice(&bytes).map_err(|e| Error::input(&p, format!("bad Slurm job list: {e}")))
}

/// A Slurm client command (`sbatch`, `squeue`, `sacct`, `scancel`) on `PATH`.
pub fn find_command(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// `sbatch` on `PATH`, or the input error a submission without it gets (before anything is written).
pub fn require_sbatch() -> Result<PathBuf> {
    find_command("sbatch").ok_or_else(|| {
        Error::input("sbatch", "not found on PATH: run on a Slurm login node, or add --dry-run to see the scripts")
    })
}

/// Write the plan, both scripts and the binary the tasks run into the results directory. The running binary is
/// copied (through a temporary file and a rename, so a task already running keeps its own copy).
pub fn write(plan: &Plan) -> Result<()> {
    create_dir_all(&plan.logs())?;
    let exe = std::env::current_exe().internal("finding the running splatbench binary")?;
    let bin = plan.bin();
    // Streamed: a release binary with debug info is hundreds of MB.
    let mut source = std::fs::File::open(&exe).at(&exe)?;
    write_atomic_with(&bin, |w| std::io::copy(&mut source, w).map(drop))?;
    set_executable(&bin)?;
    write_atomic(&plan.array_script(), script::array(plan).as_bytes())?;
    write_atomic(&plan.merge_script(), script::merge(plan).as_bytes())?;
    let json = serde_json::to_vec_pretty(plan).internal("encoding the Slurm plan")?;
    write_atomic(&Plan::path(&plan.dir), &json)
}

fn set_executable(p: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).map_err(|e| Error::output(p, e))
}

/// Submit the array (`shards`: all of them when `None`) and its merge job; record both in `jobs.json`.
pub fn submit(plan: &Plan, shards: Option<&[usize]>) -> Result<Submission> {
    let mut array = Command::new(require_sbatch()?);
    array.arg("--parsable");
    let chosen: Vec<usize> = match shards {
        Some(list) => {
            let text: Vec<String> = list.iter().map(usize::to_string).collect();
            array.arg(format!("--array={}", text.join(",")));
            list.to_vec()
        }
        None => (1..=plan.shards()).collect(),
    };
    let array_job = sbatch(array.arg(plan.array_script()))?;
    let mut merge = Command::new(require_sbatch()?);
    merge.arg("--parsable").arg(format!("--dependency=afterany:{array_job}")).arg(plan.merge_script());
    let merge_job = sbatch(&mut merge)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let sub = Submission { array_job, merge_job, shards: chosen, submitted: now };
    let mut jobs = read_jobs(&plan.dir)?;
    jobs.push(sub.clone());
    let json = serde_json::to_vec_pretty(&jobs).internal("encoding the Slurm job list")?;
    write_atomic(&jobs_path(&plan.dir), &json)?;
    Ok(sub)
}

/// Run one `sbatch --parsable …`: the job id it prints (`<id>` or `<id>;<cluster>`), or its error as a failure.
fn sbatch(cmd: &mut Command) -> Result<String> {
    let out = cmd.output().map_err(|e| Error::Failed(format!("cannot start sbatch: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let id = stdout.trim().split(';').next().unwrap_or("").to_string();
    if !out.status.success() || id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or(stdout.trim());
        return Err(Error::Failed(format!("sbatch refused the job ({}): {why}", out.status)));
    }
    Ok(id)
}
