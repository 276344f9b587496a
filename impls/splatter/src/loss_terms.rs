//! The two loss terms per step, kept apart: `splatter_loss_terms.csv` in the run's work directory.
//!
//! ```text
//! step, l_base, l_new, lambda, lambda_l_new
//! L = l_base + lambda_l_new,   lambda_l_new = λ(step)·l_new        (train.rs, target_loss.rs)
//! ```
//!
//! One row per step. `l_new` is the unweighted target term, computed (and written) on every step of a target
//! variant, also before the ramp starts, where λ = 0 and so `lambda_l_new` = 0; the baseline has no target term
//! and writes 0 in the last three columns. The skeleton's own term curves (`RunContext::loss_terms`) are read only
//! every `TERM_EVERY` steps and hold the unweighted term; this file is the per-step record with the weight.
//!
//! The file is rewritten at every checkpoint (so it always covers the steps before the newest checkpoint) and at
//! the end of `train`; a resumed run keeps the rows before its start step from it.

use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use std::fmt::Write as _;
use std::path::Path;

pub const FILE: &str = "splatter_loss_terms.csv";
const HEADER: &str = "step,l_base,l_new,lambda,lambda_l_new";

/// One step's terms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TermRow {
    pub step: usize,
    pub l_base: f64,
    pub l_new: f64,
    pub lambda: f64,
}

impl TermRow {
    pub fn weighted(&self) -> f64 {
        self.lambda * self.l_new
    }
}

pub fn write_csv(path: &Path, rows: &[TermRow]) -> Result<()> {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        // `{}` on f64 is the shortest text that parses back to the same value, so a resume keeps the rows exactly.
        let _ = writeln!(text, "{},{},{},{},{}", r.step, r.l_base, r.l_new, r.lambda, r.weighted());
    }
    write_atomic(path, text.as_bytes())
}

pub fn read_csv(path: &Path) -> Result<Vec<TermRow>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::input(path, e.to_string()))?;
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err(Error::input(path, format!("the first line is not `{HEADER}`")));
    }
    lines
        .enumerate()
        .map(|(k, line)| {
            let bad = || Error::input(path, format!("line {}: `{line}` is not five numbers", k + 2));
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != 5 {
                return Err(bad());
            }
            let num = |s: &str| s.parse::<f64>().map_err(|_| bad());
            Ok(TermRow {
                step: f[0].parse().map_err(|_| bad())?,
                l_base: num(f[1])?,
                l_new: num(f[2])?,
                lambda: num(f[3])?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_exactly_and_a_foreign_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let rows: Vec<TermRow> = (0..5)
            .map(|s| TermRow { step: s, l_base: 0.1 / (s + 3) as f64, l_new: 1.0 / 3.0, lambda: 0.01 * s as f64 / 7.0 })
            .collect();
        write_csv(&path, &rows).unwrap();
        assert_eq!(read_csv(&path).unwrap(), rows);
        std::fs::write(&path, "step,loss\n0,1\n").unwrap();
        assert!(read_csv(&path).is_err());
    }
}
