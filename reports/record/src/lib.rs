//! One benchmark run as it is stored (`runs/<id>.json`) and reported; the CSV view and the HTML report read only this.

use serde::{Deserialize, Serialize};
use splatbench_core::{Backend, Phase};
use std::collections::BTreeMap;

/// What to run: one cell of the method × variant × dataset × backend × seed matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    pub suite: String,
    pub method: String,
    pub variant: String,
    /// Dataset reference as written in the suite (`gen:head_toy`, `shared:datasets/head_james`, or a path).
    pub dataset: String,
    pub backend: Backend,
    /// GPU index for wgpu/tch (`--device cuda:N`); `None` is the backend's default device (CPU for tch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<usize>,
    pub seed: u64,
    /// The entry's control variant when the suite names one (`control = "…"`); `baseline` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// LPIPS backbones to score with (`alex`, `vgg`, `squeeze`); each gives a metric `lpips_<net>`.
    #[serde(default)]
    pub lpips: Vec<String>,
    /// Method configuration after the variant's deltas were applied, resolved through the method's config type
    /// (every default filled in), so a changed default or a fixed key shows as a changed config.
    pub config: serde_json::Value,
}

impl RunSpec {
    /// Stable identifier, also the record's file name: no two cells share it.
    pub fn id(&self) -> String {
        let ds = self.dataset.replace(['/', ':', '\\'], "_");
        let dev = self.device.map(|i| format!("-gpu{i}")).unwrap_or_default();
        format!("{}__{}__{}__{}{dev}__s{}", self.method, self.variant, ds, self.backend.name(), self.seed)
    }
}

/// Metrics of one test view; `None` where undefined, with the reason in `notes`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewMetrics {
    pub view: String,
    pub psnr: Option<f64>,
    pub ssim: Option<f64>,
    /// LPIPS per backbone (`alex`, `vgg`, `squeeze`); a backbone is absent where undefined (reason in `notes`).
    #[serde(default)]
    pub lpips: BTreeMap<String, f64>,
    /// Metrics inside the view's mask (ROI), when the view has one.
    pub psnr_masked: Option<f64>,
    pub ssim_masked: Option<f64>,
    pub notes: String,
}

/// Key of the mean-colour [`Reference`] in [`RunRecord::references`] (the report looks it up by this name).
pub const MEAN_COLOUR: &str = "mean_colour";

/// A trivial prediction (no method behind it) scored with the same metrics on the same test views as the method:
/// the bar a run's numbers must clear to mean anything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// What the prediction is, in words.
    pub description: String,
    /// One per test view, in the order of [`RunRecord::views`].
    pub views: Vec<ViewMetrics>,
    /// Mean over test views, keyed like [`RunRecord::aggregate`].
    pub aggregate: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub train_s: f64,
    pub steps: usize,
    pub steps_per_s: f64,
    pub phases_s: BTreeMap<Phase, f64>,
    /// Test-view renders per second of the final reconstruction.
    pub render_fps: f64,
    /// Peak resident memory of the run's process, MiB.
    pub peak_rss_mib: f64,
    /// Scoring the test views (renders, metrics, images), seconds; 0 in records older than the field.
    #[serde(default)]
    pub score_s: f64,
    /// The run's process, from its start to its record written, seconds; 0 in records older than the field.
    #[serde(default)]
    pub wall_s: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Ok,
    Failed,
    Skipped,
}

/// An image the report can show: prediction, ground truth and error heat map of one view, as PNG files beside the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageTriple {
    pub view: String,
    pub pred: String,
    pub gt: String,
    pub error: String,
}

/// Format version of [`RunRecord`]; a record of another version is redone on resume, never reused.
/// 3: `aggregate` is the mean over objects of per-object means; `objects`, `conditioning` and
/// `conditioning_aggregate` added (the feed-forward protocol); `loss_wall_s` and `renders` added.
pub const RECORD_SCHEMA: u32 = 3;

/// Test views per run whose images the report embeds; the rest are linked files.
pub const EMBEDDED_VIEWS: usize = 24;

/// Whether the `k`-th of `n` test views is one of the [`EMBEDDED_VIEWS`] evenly spaced ones.
pub fn embedded_view(k: usize, n: usize) -> bool {
    let bucket = |i: usize| i * EMBEDDED_VIEWS / n.max(1);
    k < n && (k == 0 || bucket(k) != bucket(k - 1))
}

/// What a run's numbers depend on besides its [`RunSpec`]: a finished record is reused on resume only when all of
/// it matches the current bench.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Fingerprint of the dataset: the generator version for `gen:`, else a hash over its files' names, sizes and
    /// modification times.
    pub dataset: String,
    /// Version of the splatbench harness that ran it.
    pub splatbench: String,
    /// The method's own version, bumped when its numbers are meant to change.
    pub method_version: u32,
}

impl Provenance {
    /// Why a record made under `self` cannot stand for a run under `now`, or `None` when it can.
    pub fn mismatch(&self, now: &Provenance) -> Option<&'static str> {
        if self.dataset != now.dataset {
            Some("dataset changed")
        } else if self.splatbench != now.splatbench {
            Some("splatbench version changed")
        } else if self.method_version != now.method_version {
            Some("method version changed")
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`RECORD_SCHEMA`] of the writer; 0 for records older than the field.
    #[serde(default)]
    pub schema: u32,
    pub id: String,
    pub spec: RunSpec,
    #[serde(default)]
    pub provenance: Provenance,
    pub status: RunStatus,
    /// Why the run failed or was skipped.
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub views: Vec<ViewMetrics>,
    /// Mean over test views of each metric ("psnr", "ssim", "lpips_alex", "psnr_masked", ...): per object, then
    /// over objects (the SRN protocol; one object is the plain mean over views). For feed-forward protocols these
    /// are the novel views only; the views passed to `reconstruct` are in [`RunRecord::conditioning`].
    #[serde(default)]
    pub aggregate: BTreeMap<String, f64>,
    /// Test objects scored (scenes with a test split).
    #[serde(default)]
    pub objects: usize,
    /// Scores of the conditioning views (the inputs of a feed-forward `reconstruct`), apart from the novel views;
    /// empty when the dataset names no conditioning view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditioning: Vec<ViewMetrics>,
    /// Mean of [`RunRecord::conditioning`] per object, then over objects.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conditioning_aggregate: BTreeMap<String, f64>,
    /// Metrics the bench was asked for but could not compute in this run (metric → why), e.g. LPIPS without its
    /// model; the bench exits 1 when any record has one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failed_metrics: BTreeMap<String, String>,
    /// The same metrics of the initial state (before training), where the method has one.
    #[serde(default)]
    pub initial: BTreeMap<String, f64>,
    /// Trivial references by name (`"mean_colour"`), scored beside the method on every test view.
    #[serde(default)]
    pub references: BTreeMap<String, Reference>,
    #[serde(default)]
    pub timing: Timing,
    #[serde(default)]
    pub loss_curve: Vec<(usize, f64)>,
    /// Seconds since the run started at each `loss_curve` point.
    #[serde(default)]
    pub loss_wall_s: Vec<f64>,
    /// Method-reported numbers (Gaussian count, camera error, ...).
    #[serde(default)]
    pub stats: BTreeMap<String, f64>,
    /// Render, ground truth and error map of up to [`EMBEDDED_VIEWS`] test views, evenly spaced over the test
    /// views in scoring order (the same views in every run of a dataset, so variants compare view by view).
    #[serde(default)]
    pub images: Vec<ImageTriple>,
    /// The renders of the other test views (relative paths), linked from the report rather than embedded.
    #[serde(default)]
    pub renders: Vec<String>,
    /// Other files (PLY, GIF, figures) relative to the bench directory, with captions.
    #[serde(default)]
    pub artifacts: Vec<(String, String)>,
    /// Metric conventions used: SSIM convention, LPIPS backbone and input range.
    #[serde(default)]
    pub conventions: BTreeMap<String, String>,
    /// Machine and versions.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::{EMBEDDED_VIEWS, embedded_view};

    #[test]
    fn embedded_views_are_all_of_few_and_evenly_spaced_of_many() {
        for n in [0, 1, 5, 24, 25, 48, 250, 753] {
            let picked: Vec<usize> = (0..n).filter(|&k| embedded_view(k, n)).collect();
            assert_eq!(picked.len(), n.min(EMBEDDED_VIEWS), "n = {n}");
            if n > EMBEDDED_VIEWS {
                let gaps: Vec<usize> = picked.windows(2).map(|w| w[1] - w[0]).collect();
                let (lo, hi) = (gaps.iter().min().unwrap(), gaps.iter().max().unwrap());
                assert!(hi - lo <= 1, "n = {n}: gaps {gaps:?}");
            }
        }
    }
}
