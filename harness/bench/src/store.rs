//! The bench directory: `runs/<id>.json` (one record per run, written atomically), `results.csv` (a view of all
//! records), `report.html`, and per-run `images/<id>/`, `artifacts/<id>/`, `logs/<id>.log`.

use splatbench_core::atomic::{create_dir_all, write_atomic};
use splatbench_core::error::InternalContext;
use splatbench_core::{Result, RunRecord, RunStatus};
use std::path::{Path, PathBuf};

pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store> {
        // The directory itself first, so a file in its place is reported under the name the user gave.
        create_dir_all(dir)?;
        for sub in ["runs", "images", "artifacts", "logs"] {
            create_dir_all(&dir.join(sub))?;
        }
        Ok(Store { dir: dir.to_path_buf() })
    }

    pub fn record_path(&self, id: &str) -> PathBuf {
        self.dir.join("runs").join(format!("{id}.json"))
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
        let bytes = std::fs::read(self.record_path(id)).ok()?;
        serde_json::from_slice(&bytes).ok()
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
            match std::fs::read(&p).ok().and_then(|b| serde_json::from_slice::<RunRecord>(&b).ok()) {
                Some(r) => out.push(r),
                None => eprintln!("warning: {}: not a run record, ignored", p.display()),
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// Rebuild `results.csv` and `report.html` from every record.
    pub fn refresh_views(&self, title: &str) -> Result<()> {
        let records = self.all();
        write_atomic(&self.dir.join("results.csv"), csv_view(&records)?.as_bytes())?;
        let html = splatbench_reports::render_report(title, &records, &self.dir);
        write_atomic(&self.dir.join("report.html"), html.as_bytes())
    }
}

pub const CSV_METRICS: [&str; 5] = ["psnr", "ssim", "lpips", "psnr_masked", "ssim_masked"];

pub fn csv_view(records: &[RunRecord]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> =
        ["id", "method", "variant", "dataset", "backend", "seed", "status", "reason"].map(String::from).to_vec();
    head.extend(CSV_METRICS.iter().map(|m| m.to_string()));
    head.extend(["train_s", "steps", "steps_per_s", "render_fps", "peak_rss_mib", "stats"].map(String::from));
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
        row.extend(CSV_METRICS.iter().map(|m| r.aggregate.get(*m).map(|v| format!("{v:.6}")).unwrap_or_default()));
        let t = &r.timing;
        row.extend([
            format!("{:.3}", t.train_s),
            t.steps.to_string(),
            format!("{:.3}", t.steps_per_s),
            format!("{:.3}", t.render_fps),
            format!("{:.1}", t.peak_rss_mib),
            serde_json::to_string(&r.stats).unwrap_or_default(),
        ]);
        w.write_record(&row).internal("writing the CSV view")?;
    }
    let bytes = w.into_inner().internal("writing the CSV view")?;
    String::from_utf8(bytes).internal("writing the CSV view")
}
