//! Helpers of the tests that drive the `splatbench` binary.

use splatbench_record::RunRecord;
use std::path::Path;
use std::process::Command;

pub fn splatbench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_splatbench"))
}

/// The run records of a bench directory, sorted by id.
pub fn records(dir: &Path) -> Vec<RunRecord> {
    let mut out: Vec<RunRecord> = std::fs::read_dir(dir.join("runs"))
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}
