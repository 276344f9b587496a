//! The bench directory: `runs/<id>.json` (one record per run, written atomically), `results.csv` (a view of all
//! records), `report.html`, and per-run `images/<id>/`, `artifacts/<id>/`, `logs/<id>.log`; `.lock` names the
//! bench writing into it (see [`super::lock`]); a merge adds `merged_from.json` (each run's shard).

use super::lock::DirLock;
use splatbench_core::error::{InternalContext, IoContext};
use splatbench_core::{Error, Result};
use splatbench_io::atomic::{create_dir_all, write_atomic};
use splatbench_record::{RECORD_SCHEMA, RunRecord, RunStatus};
use std::path::{Path, PathBuf};

/// Which shard each run of a merged directory came from (see [`Store::origins`]).
const MERGED_FROM: &str = "merged_from.json";

pub struct Store {
    pub dir: PathBuf,
    /// Held by the one process allowed to write the directory's views (a bench, `report --out`).
    _lock: Option<DirLock>,
    /// The run ids the views describe (the current suite's, see [`Store::limit_to`]); `None`: every record.
    scope: Option<std::collections::BTreeSet<String>>,
}

impl Store {
    /// The directory a run writes its record into: created if needed, not locked (its bench holds the lock).
    pub fn open(dir: &Path) -> Result<Store> {
        // The directory itself first, so a file in its place is reported under the name the user gave.
        create_dir_all(dir)?;
        for sub in ["runs", "images", "artifacts", "logs"] {
            create_dir_all(&dir.join(sub))?;
        }
        Ok(Store { dir: dir.to_path_buf(), _lock: None, scope: None })
    }

    /// A bench's own directory: created if needed and locked against a second bench until the store is dropped.
    pub fn open_locked(dir: &Path) -> Result<Store> {
        create_dir_all(dir)?;
        let lock = DirLock::acquire(dir)?;
        Ok(Store { _lock: Some(lock), ..Store::open(dir)? })
    }

    /// An existing results directory, only read (`report --merge` inputs): an input error naming it when it is not
    /// one. Nothing is created in it.
    pub fn existing(dir: &Path) -> Result<Store> {
        if !dir.join("runs").is_dir() {
            let why = if dir.is_dir() { "not a bench results directory (no runs/)" } else { "no such directory" };
            return Err(Error::input(dir, why));
        }
        Ok(Store { dir: dir.to_path_buf(), _lock: None, scope: None })
    }

    pub fn record_path(&self, id: &str) -> PathBuf {
        self.dir.join("runs").join(format!("{id}.json"))
    }

    /// What the bench's runs share and may rebuild (splatter targets, the LPIPS memo).
    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join("cache")
    }

    pub fn write(&self, rec: &RunRecord) -> Result<()> {
        let json = serde_json::to_vec_pretty(rec).internal("encoding a run record")?;
        write_atomic(&self.record_path(&rec.id), &json)
    }

    /// A run is finished when its record exists and is ok or failed; skipped runs are tried again.
    pub fn finished(&self, id: &str) -> bool {
        self.read(id).is_some_and(|r| r.status != RunStatus::Skipped)
    }

    pub fn read(&self, id: &str) -> Option<RunRecord> {
        parse_record(&self.record_path(id)).ok()
    }

    /// All records, sorted by id. Unreadable files are reported, not fatal.
    pub fn all(&self) -> Vec<RunRecord> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(self.dir.join("runs")) else { return out };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().and_then(|x| x.to_str()) != Some("json") {
                continue;
            }
            match parse_record(&p) {
                Ok(r) => out.push(r),
                Err(e) => eprintln!("warning: {}, ignored", e.report()),
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// All records, sorted by id; a file in `runs/` that is not a record is an input error naming it (for
    /// `report --merge`, which must not publish a merge that silently dropped a run).
    pub fn all_checked(&self) -> Result<Vec<RunRecord>> {
        let runs = self.dir.join("runs");
        let Ok(entries) = std::fs::read_dir(&runs) else { return Ok(Vec::new()) };
        let mut out = Vec::new();
        for e in entries {
            let p = e.at(&runs)?.path();
            if p.extension().and_then(|x| x.to_str()) == Some("json") {
                out.push(parse_record(&p)?);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// From now on the views describe only the runs `ids` (a bench's suite): records of other runs stay on disk and
    /// are listed apart in the report ("not in this suite"), never in the CSV, a table or a mean.
    pub fn limit_to(&mut self, ids: impl IntoIterator<Item = String>) {
        self.scope = Some(ids.into_iter().collect());
    }

    /// Where each merged run came from (`merged_from.json`, written by `report --merge`): run id → shard directory.
    pub fn origins(&self) -> std::collections::BTreeMap<String, String> {
        std::fs::read(self.dir.join(MERGED_FROM)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// Record the shard of merged runs; a run merged again from another shard takes the new one.
    pub fn add_origins(&self, more: std::collections::BTreeMap<String, String>) -> Result<()> {
        let mut all = self.origins();
        all.extend(more);
        let json = serde_json::to_vec_pretty(&all).internal("encoding merged_from.json")?;
        write_atomic(&self.dir.join(MERGED_FROM), &json)
    }

    /// Rebuild `results.csv` and `report.html` from the records in scope (every record unless [`Store::limit_to`]).
    pub fn refresh_views(&self, title: &str) -> Result<()> {
        self.refresh_views_with(title, &splatbench_reports::ReportOptions::default())
    }

    /// As [`Store::refresh_views`], with what the report shows beyond the records (the `--check` verdict).
    pub fn refresh_views_with(&self, title: &str, options: &splatbench_reports::ReportOptions) -> Result<()> {
        let (records, elsewhere): (Vec<RunRecord>, Vec<RunRecord>) =
            self.all().into_iter().partition(|r| self.scope.as_ref().is_none_or(|ids| ids.contains(&r.id)));
        write_atomic(&self.dir.join("results.csv"), csv_view(&records)?.as_bytes())?;
        let options = splatbench_reports::ReportOptions {
            not_in_suite: elsewhere.into_iter().map(|r| r.id).collect(),
            origin: self.origins(),
            ..options.clone()
        };
        let html = splatbench_reports::render_report_with(title, &records, &self.dir, &options);
        write_atomic(&self.dir.join("report.html"), html.as_bytes())
    }
}

/// Read one run record; a file that is missing, unreadable or not a record is an input error naming it.
pub fn parse_record(path: &Path) -> Result<RunRecord> {
    let bytes = std::fs::read(path).at(path)?;
    let rec: RunRecord =
        serde_json::from_slice(&bytes).map_err(|e| Error::input(path, format!("not a run record: {e}")))?;
    if rec.schema > RECORD_SCHEMA {
        let msg = format!(
            "record schema {} is newer than this splatbench's ({RECORD_SCHEMA}): update splatbench",
            rec.schema
        );
        return Err(Error::input(path, msg));
    }
    Ok(rec)
}

/// The metric columns of `records`: PSNR, SSIM, one `lpips_<net>` per backbone any record used, the masked ones.
pub fn metric_columns(records: &[RunRecord]) -> Vec<String> {
    let mut lpips: Vec<String> = records
        .iter()
        .flat_map(|r| r.aggregate.keys().chain(r.failed_metrics.keys()))
        .filter(|k| k.starts_with("lpips_"))
        .cloned()
        .collect();
    lpips.sort();
    lpips.dedup();
    let mut out = vec!["psnr".to_string(), "ssim".into()];
    out.extend(lpips);
    out.extend(["psnr_masked".to_string(), "ssim_masked".into()]);
    out
}

pub fn csv_view(records: &[RunRecord]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> =
        ["id", "method", "variant", "dataset", "backend", "seed", "status", "reason"].map(String::from).to_vec();
    let metrics = metric_columns(records);
    head.extend(metrics.iter().cloned());
    head.push("failed_metrics".into());
    head.extend(
        ["train_s", "steps", "steps_per_s", "render_fps", "peak_rss_mib", "score_s", "wall_s", "stats"]
            .map(String::from),
    );
    w.write_record(&head).internal("writing the CSV view")?;
    for r in records {
        let mut row = vec![
            r.id.clone(),
            r.spec.method.clone(),
            r.spec.variant.clone(),
            r.spec.dataset.clone(),
            r.spec.backend.name().to_string(),
            r.spec.seed.to_string(),
            format!("{:?}", r.status).to_lowercase(),
            r.reason.clone(),
        ];
        row.extend(metrics.iter().map(|m| r.aggregate.get(m).map(|v| format!("{v:.6}")).unwrap_or_default()));
        row.push(r.failed_metrics.iter().map(|(m, why)| format!("{m}: {why}")).collect::<Vec<_>>().join("; "));
        let t = &r.timing;
        row.extend([
            format!("{:.3}", t.train_s),
            t.steps.to_string(),
            format!("{:.3}", t.steps_per_s),
            format!("{:.3}", t.render_fps),
            format!("{:.1}", t.peak_rss_mib),
            format!("{:.3}", t.score_s),
            format!("{:.3}", t.wall_s),
            serde_json::to_string(&r.stats).unwrap_or_default(),
        ]);
        w.write_record(&row).internal("writing the CSV view")?;
    }
    let bytes = w.into_inner().internal("writing the CSV view")?;
    String::from_utf8(bytes).internal("writing the CSV view")
}
