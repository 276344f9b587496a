//! One self-contained HTML file from run records: inline CSS, script and SVG, no network. Images are embedded as
//! data URIs up to a byte budget and after it loaded lazily as JPEG thumbnails written beside the report
//! ([`images`], [`thumbs`]).
//!
//! The report reads only [`RunRecord`]s and the image files they name (relative to the bench directory), so it
//! can be rebuilt from any results directory, including merged shards. Its order answers "which variant wins, and
//! is it real?" first: the `--check` verdict and scope, failures, ablations with paired tests, results per
//! dataset, backends side by side, charts, then the folded detail.

mod ablation;
mod backends;
mod detail;
mod format;
mod gallery;
mod header;
mod html;
mod images;
mod matrix;
mod page;
mod runs;
mod stats;
mod svg;
mod thumbs;
mod timing;

pub use images::EMBED_BUDGET;

use format::Col;
use images::Images;
use page::Page;
use splatbench_record::{RunRecord, RunStatus};
use std::path::Path;

/// The outcome of the bench's `--check` against a stored baseline, shown at the top of the report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckVerdict {
    pub passed: bool,
    /// The baseline compared with (its path), as the bench names it.
    pub against: String,
    /// The bench's per-metric comparison table, as printed.
    pub table: String,
}

/// What the report shows beyond the records.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    /// `--check`'s verdict, when the bench ran one.
    pub check: Option<CheckVerdict>,
    /// Embed every image, ignoring [`EMBED_BUDGET`] (a page that works without the files beside it).
    pub embed_all_images: bool,
    /// Ids of records in the directory that the current suite does not contain: listed, never tabulated.
    pub not_in_suite: Vec<String>,
    /// The shard each run came from (run id → its results directory), for a merged report: a column of the runs
    /// table.
    pub origin: std::collections::BTreeMap<String, String>,
}

/// The metrics shown in tables: PSNR, SSIM, one `lpips_<net>` column per LPIPS backbone any record has (the column
/// names the network), the masked metrics.
fn metrics(records: &[RunRecord]) -> Vec<Col> {
    let mut nets: Vec<&String> = records
        .iter()
        .flat_map(|r| r.aggregate.keys().chain(r.failed_metrics.keys()))
        .filter(|k| k.starts_with("lpips_"))
        .collect();
    nets.sort();
    nets.dedup();
    let mut out = vec![Col::metric("psnr"), Col::metric("ssim")];
    out.extend(nets.into_iter().map(|n| Col::metric(n)));
    out.extend([Col::metric("psnr_masked"), Col::metric("ssim_masked")]);
    out
}

/// The report with default options (no check verdict, images under the budget).
pub fn render_report(title: &str, records: &[RunRecord], bench_dir: &Path) -> String {
    render_report_with(title, records, bench_dir, &ReportOptions::default())
}

/// The report of `records`, whose image paths are relative to `bench_dir`, where the report is written.
pub fn render_report_with(title: &str, records: &[RunRecord], bench_dir: &Path, opts: &ReportOptions) -> String {
    let mut page = Page::new(title);
    let mut images = Images::new(bench_dir, opts.embed_all_images);
    let metrics = metrics(records);
    header::top(&mut page, records, opts.check.as_ref());
    header::not_in_suite(&mut page, &opts.not_in_suite);
    runs::failures(&mut page, records, bench_dir);
    ablation::section(&mut page, records, &metrics, &mut images);
    matrix::section(&mut page, records, &metrics);
    backends::section(&mut page, records, &metrics);
    timing::charts(&mut page, records);
    timing::phases(&mut page, records);
    detail::novel_and_conditioning(&mut page, records, &metrics);
    detail::against_initial(&mut page, records, &metrics);
    detail::references(&mut page, records);
    detail::method_stats(&mut page, records);
    runs::list(&mut page, records, bench_dir, &opts.origin);
    gallery::thumbnails(&mut page, records, &mut images);
    header::environment(&mut page, records);
    if images.linked() > 0 {
        page.top(maud::html! {
            p { (images.linked()) " images past the " (EMBED_BUDGET / 1_000_000) " MB embedding budget load as \
                thumbnails from beside this report (thumbs/); click one for the full image (images/)." }
        });
    }
    page.finish()
}

pub(crate) fn ok(records: &[RunRecord]) -> impl Iterator<Item = &RunRecord> {
    records.iter().filter(|r| r.status == RunStatus::Ok)
}

/// A variant named `paper` (or `paper_<ablation>`) runs its write-up's own settings; every other run is sized for a
/// CPU, which the report says wherever it shows numbers.
pub(crate) fn settings(variant: &str) -> &'static str {
    if variant == "paper" || variant.starts_with("paper_") { "paper" } else { "CPU-sized" }
}
