//! What a Slurm submission is made of, written to `D/slurm/plan.json` so `bench-status` and `--resubmit-failed`
//! need nothing but the results directory.

use super::options::SlurmOptions;
use serde::{Deserialize, Serialize};
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The suite's name (the job name).
    pub suite: String,
    /// The results directory `D`, absolute.
    pub dir: PathBuf,
    /// Where the tasks start (the submission's working directory: relative paths of the suite resolve from it).
    pub cwd: PathBuf,
    /// The run ids of each shard, shard 1 first (the split `bench --shard i/n` makes).
    pub runs: Vec<Vec<String>>,
    /// What every task passes to `bench` besides `--shard` and `--out`.
    pub bench_args: Vec<String>,
    /// Variables the tasks need, as the submitting process resolved them.
    pub env: Vec<(String, String)>,
    pub options: SlurmOptions,
}

impl Plan {
    pub fn shards(&self) -> usize {
        self.runs.len()
    }

    pub fn bin(&self) -> PathBuf {
        self.dir.join("bin").join("splatbench")
    }

    pub fn slurm_dir(&self) -> PathBuf {
        self.dir.join("slurm")
    }

    pub fn logs(&self) -> PathBuf {
        self.slurm_dir().join("logs")
    }

    /// Shard `i`'s own results directory (1-based).
    pub fn shard_dir(&self, i: usize) -> PathBuf {
        self.dir.join("shards").join(format!("{i}-of-{}", self.shards()))
    }

    pub fn array_script(&self) -> PathBuf {
        self.slurm_dir().join("array.sh")
    }

    pub fn merge_script(&self) -> PathBuf {
        self.slurm_dir().join("merge.sh")
    }

    pub fn path(dir: &Path) -> PathBuf {
        dir.join("slurm").join("plan.json")
    }

    /// The plan of a results directory that `bench --slurm` wrote; an input error naming the directory otherwise.
    pub fn read(dir: &Path) -> Result<Plan> {
        let p = Plan::path(dir);
        if !p.is_file() {
            let why =
                if dir.is_dir() { "not a Slurm bench directory (no slurm/plan.json)" } else { "no such directory" };
            return Err(Error::input(dir, why));
        }
        let bytes = std::fs::read(&p).at(&p)?;
        serde_json::from_slice(&bytes).map_err(|e| Error::input(&p, format!("bad Slurm plan: {e}")))
    }
}
