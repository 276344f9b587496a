//! A bench on a Slurm cluster: one job array with a task per shard (`bench --shard i/n`), and a merge job that runs
//! `report --merge` once the array has ended, whatever its tasks' outcome (`--dependency=afterany`).
//!
//! Everything lives under the results directory `D`, so a shared file system is all the nodes need:
//! - `D/bin/splatbench`: the binary the tasks run, copied at submission (a rebuild cannot change a queued job);
//! - `D/slurm/array.sh`, `D/slurm/merge.sh`: the sbatch scripts; `D/slurm/plan.json`: the shards and their run ids;
//!   `D/slurm/jobs.json`: every submission (array and merge job ids, the shards it covered);
//! - `D/slurm/logs/shard-<i>-job-<A>.out`, `D/slurm/logs/merge-job-<J>.out`: what each task printed;
//! - `D/shards/<i>-of-<n>/`: shard i's own results directory and bench lock, reused when it is resubmitted;
//! - `D/runs/`, `D/results.csv`, `D/report.html`: the merge, with `merged_from.json` naming each run's shard.

pub mod options;
pub mod plan;
pub mod script;
pub mod status;
pub mod submit;

/// `s` as one word for bash: single-quoted unless it is made only of characters bash leaves alone.
pub fn sh_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:,=@%+".contains(c));
    if plain { s.to_string() } else { format!("'{}'", s.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::sh_quote;

    #[test]
    fn quoting_keeps_plain_words_and_single_quotes_the_rest() {
        assert_eq!(sh_quote("/a/b-c_1.toml"), "/a/b-c_1.toml");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("$HOME"), "'$HOME'");
        assert_eq!(sh_quote(""), "''");
    }
}
