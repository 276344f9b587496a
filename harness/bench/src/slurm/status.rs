//! Where a Slurm bench stands: each shard queued, running, finished or failed, from `squeue` (what is still in the
//! queue), `sacct` (how ended tasks ended, when the cluster keeps accounting) and the shard directories' records
//! (which runs finished), which alone decide once a task has left the queue.

use super::plan::Plan;
use super::submit::{Submission, find_command, read_jobs};
use crate::store::Store;
use splatbench_core::Result;
use splatbench_record::RunStatus;
use std::collections::BTreeMap;
use std::process::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Queued,
    Running,
    /// Every run of the shard has an ok record.
    Finished,
    /// The task left the queue with a run failed or missing.
    Failed,
    /// No submission covered the shard.
    Unsubmitted,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Queued => "queued",
            State::Running => "running",
            State::Finished => "finished",
            State::Failed => "failed",
            State::Unsubmitted => "not submitted",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Shard {
    pub index: usize,
    pub state: State,
    pub ok: usize,
    pub failed: usize,
    pub missing: usize,
    /// The array task of the latest submission that covered the shard (`<array>_<i>`).
    pub job: Option<String>,
    /// Slurm's word for that task: `sacct`'s state when accounting answers, else `squeue`'s.
    pub slurm: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Status {
    pub shards: Vec<Shard>,
    /// The latest merge job and Slurm's word for it.
    pub merge: Option<(String, Option<String>)>,
    /// Records in the merged results directory.
    pub merged: usize,
    /// What could not be asked (no squeue, no accounting), one line each.
    pub notes: Vec<String>,
}

impl Status {
    /// Shards to submit again: failed, or never submitted.
    pub fn to_resubmit(&self) -> Vec<usize> {
        self.shards.iter().filter(|s| matches!(s.state, State::Failed | State::Unsubmitted)).map(|s| s.index).collect()
    }
}

/// `JOBID STATE` pairs from a command's lines (`squeue -o '%i %T'`, `sacct -P -o JobID,State`), state's first word.
fn states(text: &str, sep: char) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| {
            let (id, state) = l.trim().split_once(sep)?;
            let state = state.split_whitespace().next()?;
            Some((id.trim().to_string(), state.to_string()))
        })
        .collect()
}

/// What `squeue` says of the jobs still queued or running (the caller's own), or why it could not say.
fn squeue() -> std::result::Result<BTreeMap<String, String>, String> {
    let cmd = find_command("squeue").ok_or("squeue not found on PATH")?;
    let out = Command::new(cmd).args(["-h", "-r", "--me", "-o", "%i %T"]).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(first_line(&out.stderr));
    }
    Ok(states(&String::from_utf8_lossy(&out.stdout), ' '))
}

/// What `sacct` says of `jobs` and their array tasks, or why it could not say (no accounting storage).
fn sacct(jobs: &[String]) -> std::result::Result<BTreeMap<String, String>, String> {
    let cmd = find_command("sacct").ok_or("sacct not found on PATH")?;
    let out = Command::new(cmd)
        .args(["-n", "-P", "-X", "-o", "JobID,State", "-j", &jobs.join(",")])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(first_line(&out.stderr));
    }
    Ok(states(&String::from_utf8_lossy(&out.stdout), '|'))
}

fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim().to_string()
}

/// The latest submission that covered shard `i`.
fn latest(jobs: &[Submission], i: usize) -> Option<&Submission> {
    jobs.iter().rev().find(|s| s.shards.contains(&i))
}

pub fn collect(plan: &Plan) -> Result<Status> {
    let jobs = read_jobs(&plan.dir)?;
    let mut notes = Vec::new();
    let queue = squeue().unwrap_or_else(|why| {
        notes.push(format!("squeue: {why}; states from the shard directories"));
        BTreeMap::new()
    });
    let ids: Vec<String> = jobs.iter().flat_map(|s| [s.array_job.clone(), s.merge_job.clone()]).collect();
    let accounting = if ids.is_empty() {
        BTreeMap::new()
    } else {
        sacct(&ids).unwrap_or_else(|why| {
            notes.push(format!(
                "sacct: {why} (no accounting on this cluster); states from squeue and the shard directories"
            ));
            BTreeMap::new()
        })
    };
    let mut shards = Vec::new();
    for (k, ids) in plan.runs.iter().enumerate() {
        let index = k + 1;
        let records = Store::existing(&plan.shard_dir(index)).map(|s| s.all()).unwrap_or_default();
        let status = |id: &String| records.iter().find(|r| &r.id == id).map(|r| r.status);
        let ok = ids.iter().filter(|id| status(id) == Some(RunStatus::Ok)).count();
        let failed = ids.iter().filter(|id| status(id) == Some(RunStatus::Failed)).count();
        let missing = ids.len() - ok - failed;
        let job = latest(&jobs, index).map(|s| format!("{}_{index}", s.array_job));
        let queued = job.as_ref().and_then(|j| queue.get(j));
        let state = match (queued.map(String::as_str), &job) {
            (Some("PENDING" | "CONFIGURING" | "REQUEUED" | "REQUEUE_HOLD" | "RESV_DEL_HOLD"), _) => State::Queued,
            (Some(_), _) => State::Running,
            (None, None) => State::Unsubmitted,
            (None, Some(_)) if missing == 0 && failed == 0 => State::Finished,
            (None, Some(_)) => State::Failed,
        };
        let slurm = job.as_ref().and_then(|j| accounting.get(j).or(queued)).cloned();
        shards.push(Shard { index, state, ok, failed, missing, job, slurm });
    }
    let merge = jobs.last().map(|s| {
        let word = queue.get(&s.merge_job).or_else(|| accounting.get(&s.merge_job)).cloned();
        (s.merge_job.clone(), word)
    });
    let merged = Store::existing(&plan.dir).map(|s| s.all().len()).unwrap_or(0);
    Ok(Status { shards, merge, merged, notes })
}

/// The status as the terminal shows it: one line per shard, the merge job, the notes.
pub fn render(plan: &Plan, status: &Status) -> String {
    let runs: usize = plan.runs.iter().map(Vec::len).sum();
    let mut out =
        vec![format!("suite {}: {runs} runs in {} shards → {}", plan.suite, plan.shards(), plan.dir.display())];
    out.push(format!(
        "{:<8} {:<13} {:>4} {:>6} {:>7}  {:<14} slurm",
        "shard", "state", "ok", "failed", "missing", "job"
    ));
    for s in &status.shards {
        out.push(format!(
            "{:<8} {:<13} {:>4} {:>6} {:>7}  {:<14} {}",
            format!("{}/{}", s.index, plan.shards()),
            s.state.name(),
            s.ok,
            s.failed,
            s.missing,
            s.job.as_deref().unwrap_or("-"),
            s.slurm.as_deref().unwrap_or("-")
        ));
    }
    let count = |st: State| status.shards.iter().filter(|s| s.state == st).count();
    out.push(format!(
        "shards: {} queued, {} running, {} finished, {} failed, {} not submitted",
        count(State::Queued),
        count(State::Running),
        count(State::Finished),
        count(State::Failed),
        count(State::Unsubmitted)
    ));
    if let Some((job, word)) = &status.merge {
        let word = word.as_deref().unwrap_or("ended");
        out.push(format!(
            "merge: job {job} {word}; {} of {runs} runs merged into {}",
            status.merged,
            plan.dir.display()
        ));
    }
    out.extend(status.notes.iter().cloned());
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeue_and_sacct_lines_parse_to_job_states() {
        let q = states("123_2 RUNNING\n123_3 PENDING\n124 PENDING\n\n", ' ');
        assert_eq!(q["123_2"], "RUNNING");
        assert_eq!(q["124"], "PENDING");
        let a = states("123_1|COMPLETED\n123_2|CANCELLED by 0\n", '|');
        assert_eq!(a["123_2"], "CANCELLED");
        let jobs = vec![
            Submission { array_job: "1".into(), merge_job: "2".into(), shards: vec![1, 2, 3], submitted: 0 },
            Submission { array_job: "5".into(), merge_job: "6".into(), shards: vec![2], submitted: 9 },
        ];
        assert_eq!(latest(&jobs, 2).unwrap().array_job, "5");
        assert_eq!(latest(&jobs, 3).unwrap().array_job, "1");
        assert!(latest(&jobs, 4).is_none());
    }
}
