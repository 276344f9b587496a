//! `--check`: compare a bench's aggregates with a stored baseline, per-metric tolerances, readable table.

use serde::{Deserialize, Serialize};
use splatbench_core::{Error, Result};
use splatbench_record::{RunRecord, RunStatus};
use std::collections::BTreeMap;
use std::path::Path;

/// Allowed change in the bad direction before a metric counts as regressed, and whether higher is better; every
/// `lpips_<net>` uses the `lpips` row.
pub const TOLERANCES: [(&str, f64, bool); 5] = [
    ("psnr", 0.1, true),
    ("ssim", 0.002, true),
    ("lpips", 0.005, false),
    ("psnr_masked", 0.1, true),
    ("ssim_masked", 0.002, true),
];

/// Format version of the baseline file.
pub const BASELINE_SCHEMA: u32 = 2;

/// Run id → metric → value.
pub type Baseline = BTreeMap<String, BTreeMap<String, f64>>;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    schema: u32,
    runs: Baseline,
}

fn tolerance(metric: &str) -> Option<(f64, bool)> {
    let family = if metric.starts_with("lpips_") { "lpips" } else { metric };
    TOLERANCES.iter().find(|t| t.0 == family).map(|t| (t.1, t.2))
}

pub fn baseline_of(records: &[RunRecord]) -> Baseline {
    records.iter().filter(|r| r.status == RunStatus::Ok).map(|r| (r.id.clone(), r.aggregate.clone())).collect()
}

/// The baseline file's bytes for `records`.
pub fn baseline_json(records: &[RunRecord]) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(&BaselineFile { schema: BASELINE_SCHEMA, runs: baseline_of(records) })
        .map_err(|e| Error::internal("encoding the baseline", e))
}

pub fn read_baseline(path: &Path) -> Result<Baseline> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, e.to_string()))?;
    let file: BaselineFile = serde_json::from_slice(&bytes).map_err(|e| {
        Error::input(
            path,
            format!("not a baseline file of schema {BASELINE_SCHEMA} ({e}); rewrite it with --save-baseline"),
        )
    })?;
    if file.schema != BASELINE_SCHEMA {
        return Err(Error::input(
            path,
            format!(
                "baseline schema {} (this splatbench reads {BASELINE_SCHEMA}); rewrite it with --save-baseline",
                file.schema
            ),
        ));
    }
    Ok(file.runs)
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
        for (m, b) in metrics {
            let Some((tol, higher_better)) = tolerance(m) else { continue };
            let Some(n) = rec.aggregate.get(m) else {
                ok = false;
                rows.push([id.clone(), m.clone(), format!("{b:.4}"), "-".into(), "-".into(), "MISSING".into()]);
                continue;
            };
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
                m.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baselines_carry_their_schema_and_an_old_one_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("b.json");
        std::fs::write(&p, baseline_json(&[]).unwrap()).unwrap();
        assert!(read_baseline(&p).unwrap().is_empty());
        std::fs::write(&p, r#"{"head__baseline__gen_head_toy__ndarray__s0": {"psnr": 20.0}}"#).unwrap();
        let e = read_baseline(&p).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("--save-baseline"), "{e}");
        assert_eq!(tolerance("lpips_vgg"), Some((0.005, false)));
    }
}
