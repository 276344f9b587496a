//! The runs themselves: failed and skipped runs and metrics that could not be computed (shown first when there
//! are any), and every run with its seed, status and links to its artifacts and log.

use crate::html::{run_links, text};
use crate::page::Page;
use maud::Markup;
use splatbench_record::{RunRecord, RunStatus};
use std::path::Path;

fn status(r: &RunRecord) -> Markup {
    text(format!("{:?}", r.status).to_lowercase())
}

/// Runs that failed or were skipped, and ok runs missing a metric they were asked for, with why.
pub fn failures(page: &mut Page, records: &[RunRecord], dir: &Path) {
    let bad: Vec<_> = records.iter().filter(|r| r.status != RunStatus::Ok || !r.failed_metrics.is_empty()).collect();
    if bad.is_empty() {
        return;
    }
    page.section("Failed and skipped runs, metrics not computed", true);
    let body: Vec<Vec<Markup>> = bad
        .iter()
        .map(|r| {
            let mut why = vec![r.reason.clone()];
            why.extend(r.failed_metrics.iter().map(|(m, e)| format!("{m} not computed: {e}")));
            why.retain(|w| !w.is_empty());
            vec![text(&r.id), status(r), text(why.join("; ")), run_links(&r.id, dir)]
        })
        .collect();
    page.table(&["run", "status", "reason", "files"], &body, "failures");
}

/// Every run; with `origin` (a merge), the shard each came from.
pub fn list(page: &mut Page, records: &[RunRecord], dir: &Path, origin: &std::collections::BTreeMap<String, String>) {
    if records.is_empty() {
        return;
    }
    page.section("Runs, artifacts and logs", false);
    let body: Vec<Vec<Markup>> = records
        .iter()
        .map(|r| {
            let s = &r.spec;
            let mut row = vec![
                text(&r.id),
                text(&s.method),
                text(&s.variant),
                text(&s.dataset),
                text(s.backend.name()),
                text(s.seed),
                status(r),
                text(r.timing.steps),
                run_links(&r.id, dir),
            ];
            if !origin.is_empty() {
                row.push(text(origin.get(&r.id).map(String::as_str).unwrap_or("–")));
            }
            row
        })
        .collect();
    let mut head = vec!["run", "method", "variant", "dataset", "backend", "seed", "status", "steps", "files"];
    if !origin.is_empty() {
        head.push("shard");
    }
    page.table(&head, &body, "runs");
}
