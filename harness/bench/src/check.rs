//! `--check`: compare a bench's aggregates with a stored baseline, per-metric tolerances, readable table.

use splatbench_core::{Error, Result, RunRecord, RunStatus};
use std::collections::BTreeMap;
use std::path::Path;

/// Allowed change in the bad direction before a metric counts as regressed.
pub const TOLERANCES: [(&str, f64, bool); 5] = [
    ("psnr", 0.1, true),
    ("ssim", 0.002, true),
    ("lpips", 0.005, false),
    ("psnr_masked", 0.1, true),
    ("ssim_masked", 0.002, true),
];

/// Baseline file: run id → metric → value.
pub type Baseline = BTreeMap<String, BTreeMap<String, f64>>;

pub fn baseline_of(records: &[RunRecord]) -> Baseline {
    records.iter().filter(|r| r.status == RunStatus::Ok).map(|r| (r.id.clone(), r.aggregate.clone())).collect()
}

pub fn read_baseline(path: &Path) -> Result<Baseline> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::input(path, format!("not a baseline file: {e}")))
}

/// Rows (run, metric, baseline, now, delta, verdict); `Err` text when anything regressed or went missing.
pub fn compare(baseline: &Baseline, records: &[RunRecord]) -> (String, bool) {
    let now: BTreeMap<&str, &RunRecord> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut rows =
        vec![["run".to_string(), "metric".into(), "baseline".into(), "now".into(), "delta".into(), "".into()]];
    let mut ok = true;
    for (id, metrics) in baseline {
        let Some(rec) = now.get(id.as_str()).filter(|r| r.status == RunStatus::Ok) else {
            ok = false;
            rows.push([id.clone(), "-".into(), "-".into(), "-".into(), "-".into(), "MISSING or failed".into()]);
            continue;
        };
        for (m, tol, higher_better) in TOLERANCES {
            let (Some(b), Some(n)) = (metrics.get(m), rec.aggregate.get(m)) else { continue };
            let delta = n - b;
            let worse = if higher_better { -delta } else { delta };
            let verdict = if worse > tol {
                ok = false;
                "REGRESSED"
            } else {
                "ok"
            };
            rows.push([
                id.clone(),
                m.into(),
                format!("{b:.4}"),
                format!("{n:.4}"),
                format!("{delta:+.4}"),
                verdict.into(),
            ]);
        }
    }
    (table(&rows), ok)
}

fn table(rows: &[[String; 6]]) -> String {
    let widths: Vec<usize> = (0..6).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    rows.iter()
        .map(|r| {
            r.iter().zip(&widths).map(|(s, w)| format!("{s:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
