//! The sbatch options a bench may set, from the suite's `[slurm]` table and `--slurm-opt KEY=VALUE` (which wins).
//! Only resource and bookkeeping options are accepted: the job's shape (array, output, dependency) is the bench's.

use serde::{Deserialize, Serialize};
use splatbench_core::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Every key a suite or `--slurm-opt` may set, as sbatch spells the long option.
pub const KEYS: [&str; 12] = [
    "partition",
    "time",
    "cpus-per-task",
    "mem",
    "gres",
    "account",
    "qos",
    "constraint",
    "exclude",
    "nodelist",
    "mail-type",
    "mail-user",
];

/// The keys the merge job takes too: where and under whose name it runs, not what a training task needs.
const MERGE_KEYS: [&str; 9] =
    ["partition", "time", "account", "qos", "constraint", "exclude", "nodelist", "mail-type", "mail-user"];

/// sbatch options, key → value, each key one of [`KEYS`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SlurmOptions(pub BTreeMap<String, String>);

impl SlurmOptions {
    /// A suite's `[slurm]` table: strings and integers (`cpus-per-task = 4`); an unknown key or another kind of
    /// value is an input error naming the suite file.
    pub fn from_table(table: &toml::Table, source: &Path) -> Result<SlurmOptions> {
        let mut out = SlurmOptions::default();
        for (k, v) in table {
            let value = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                other => {
                    return Err(Error::input(
                        source,
                        format!("[slurm] {k} = {other}: give a string or an integer, as sbatch --{k} takes"),
                    ));
                }
            };
            out.set(k, &value).map_err(|why| Error::input(source, format!("[slurm] {why}")))?;
        }
        Ok(out)
    }

    /// One `--slurm-opt KEY=VALUE`, replacing what the suite said for KEY.
    pub fn set_flag(&mut self, flag: &str) -> Result<()> {
        let (k, v) = flag
            .split_once('=')
            .ok_or_else(|| Error::input("--slurm-opt", format!("`{flag}` is not KEY=VALUE (e.g. partition=gpu)")))?;
        self.set(k, v).map_err(|why| Error::input("--slurm-opt", why))
    }

    /// These options with every key `over` sets taken from it (the suite's table under the command line's flags).
    pub fn overridden_by(mut self, over: SlurmOptions) -> SlurmOptions {
        self.0.extend(over.0);
        self
    }

    fn set(&mut self, key: &str, value: &str) -> std::result::Result<(), String> {
        if !KEYS.contains(&key) {
            return Err(format!("unknown key `{key}` (accepted: {})", KEYS.join(", ")));
        }
        // The value goes into an `#SBATCH --key=value` line, which sbatch splits at blanks and ends at a newline.
        if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '\'') {
            return Err(format!("{key}: `{value}` must be one non-empty word without quotes"));
        }
        self.0.insert(key.to_string(), value.to_string());
        Ok(())
    }

    /// `#SBATCH --key=value` lines for the array's tasks.
    pub fn task_lines(&self) -> Vec<String> {
        self.0.iter().map(|(k, v)| format!("#SBATCH --{k}={v}")).collect()
    }

    /// `#SBATCH` lines for the merge job: the options of [`MERGE_KEYS`].
    pub fn merge_lines(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| MERGE_KEYS.contains(&k.as_str()))
            .map(|(k, v)| format!("#SBATCH --{k}={v}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_suite_and_unknown_keys_are_refused() {
        let table: toml::Table = toml::from_str("partition = \"cpu\"\ncpus-per-task = 4\n").unwrap();
        let suite = SlurmOptions::from_table(&table, Path::new("s.toml")).unwrap();
        let mut flags = SlurmOptions::default();
        flags.set_flag("partition=gpu").unwrap();
        flags.set_flag("gres=gpu:1").unwrap();
        let o = suite.overridden_by(flags);
        assert_eq!(o.task_lines(), ["#SBATCH --cpus-per-task=4", "#SBATCH --gres=gpu:1", "#SBATCH --partition=gpu"]);
        assert_eq!(o.merge_lines(), ["#SBATCH --partition=gpu"]);
        for bad in ["nodes=2", "partition", "partition=", "time=1 2", "array=1-3", "qos=a\nb"] {
            let e = o.clone().set_flag(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.to_string().starts_with("--slurm-opt:"), "{e}");
        }
        let bad: toml::Table = toml::from_str("partitoin = \"cpu\"\n").unwrap();
        let e = SlurmOptions::from_table(&bad, Path::new("s.toml")).unwrap_err().to_string();
        assert!(e.contains("s.toml") && e.contains("unknown key `partitoin`"), "{e}");
        let bad: toml::Table = toml::from_str("exclusive = true\n").unwrap();
        assert!(SlurmOptions::from_table(&bad, Path::new("s.toml")).is_err());
    }
}
