//! The seam every method plugs into, and the context the harness hands it.
//!
//! Methods come in two kinds: per-scene optimisation (head, roigs, nerf, splart) fit their scene in `train`;
//! feed-forward ones (splatter) learn weights over many training scenes in `train` and build one object from its
//! input views in `reconstruct`. The backend is a runtime value: the method builds its burn device from
//! [`Backend`], so one implementation serves every backend.

use crate::{Camera, Error, Image, Result, Scene, View};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Trainer backend. Which ones are usable depends on the cargo features the binary was built with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// burn-ndarray on the CPU; always compiled in.
    Ndarray,
    /// burn-flex, burn's pure-Rust CPU backend (cargo feature `flex`).
    Flex,
    /// burn-wgpu (cargo feature `wgpu`).
    Wgpu,
    /// burn's LibTorch backend (cargo feature `tch`); CUDA device `cuda` when set, else CPU.
    Tch,
}

impl Backend {
    pub const ALL: [Backend; 4] = [Backend::Ndarray, Backend::Flex, Backend::Wgpu, Backend::Tch];
    pub fn name(self) -> &'static str {
        match self {
            Backend::Ndarray => "ndarray",
            Backend::Flex => "flex",
            Backend::Wgpu => "wgpu",
            Backend::Tch => "tch",
        }
    }
    pub fn parse(s: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == s)
    }
}

/// Progress sink: the bench draws bars; tests use a silent one.
pub trait Progress: Send {
    fn set_total(&mut self, _steps: u64) {}
    fn step(&mut self, _step: u64, _loss: f64) {}
}

pub struct Silent;
impl Progress for Silent {}

/// Named phases whose wall time the bench reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Data,
    Forward,
    Backward,
    Optimizer,
    Densify,
}

/// What a run needs beyond its data: backend, seed, budget, and the places it reports to.
pub struct RunContext {
    pub backend: Backend,
    /// Device index for accelerators (e.g. CUDA ordinal); `None` means the backend's default/CPU.
    pub device_index: Option<usize>,
    pub seed: u64,
    /// Overrides the method's step count when set (the suites use it to size runs).
    pub steps: Option<usize>,
    pub progress: Box<dyn Progress>,
    pub phase_time: BTreeMap<Phase, Duration>,
    /// (step, loss) every few steps.
    pub loss_curve: Vec<(usize, f64)>,
    /// Seconds since the context was made, at each `loss_curve` point (the report's loss-against-wall-time plot).
    pub loss_wall_s: Vec<f64>,
    started: Instant,
    /// Named parts of the loss, (step, value) every few steps.
    pub loss_terms: BTreeMap<String, Vec<(usize, f64)>>,
    /// Where the method may write intermediate files (checkpoints, frames); `None` in tests.
    pub work_dir: Option<PathBuf>,
    /// Checkpoint even where the method's config sets no cadence (every tenth of the run; the bench asks for this,
    /// so a killed bench resumes its runs); off for library use and tests.
    pub checkpoints: bool,
    /// Where a method may keep what several runs of one bench share (e.g. splatter's target images), keyed by what
    /// it depends on; `None` when there is no bench (tests, library use).
    pub cache_dir: Option<PathBuf>,
}

impl RunContext {
    pub fn new(backend: Backend, seed: u64) -> Self {
        RunContext {
            backend,
            device_index: None,
            seed,
            steps: None,
            progress: Box::new(Silent),
            phase_time: BTreeMap::new(),
            loss_curve: Vec::new(),
            loss_wall_s: Vec::new(),
            started: Instant::now(),
            loss_terms: BTreeMap::new(),
            work_dir: None,
            checkpoints: false,
            cache_dir: None,
        }
    }

    /// Time `f` under `phase`.
    pub fn time<T>(&mut self, phase: Phase, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        *self.phase_time.entry(phase).or_default() += t.elapsed();
        out
    }

    /// Record a named part of the loss at `step`.
    pub fn record_term(&mut self, name: &str, step: usize, value: f64) {
        self.loss_terms.entry(name.to_string()).or_default().push((step, value));
    }

    /// Record the loss of `step`; a non-finite loss ends the run as diverged. The curve keeps every 10th step and
    /// the `last` one, so a plot ends where training ended.
    pub fn record_loss(&mut self, step: usize, loss: f64, last: bool) -> Result<()> {
        if !loss.is_finite() {
            return Err(Error::Diverged { step, reason: format!("loss is {loss}") });
        }
        self.progress.step(step as u64, loss);
        if step % 10 == 0 || last {
            self.loss_curve.push((step, loss));
            self.loss_wall_s.push(self.started.elapsed().as_secs_f64());
        }
        Ok(())
    }
}

/// What training reports besides the loss curve.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TrainReport {
    pub steps: usize,
    pub final_loss: f64,
    /// Method-specific numbers worth a column (Gaussian count, camera error, ...).
    pub stats: BTreeMap<String, f64>,
}

/// A file a reconstruction wrote that other tools can open.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Artifact {
    /// "ply", "png", "gif", "json", "svg".
    pub kind: String,
    pub path: PathBuf,
    pub caption: String,
}

/// A reconstruction method, as the harness sees it; one implementation per method for every backend.
pub trait Reconstructor {
    fn id(&self) -> &str;
    /// Learn from training scenes. Per-scene methods get one scene and fit its "train" split.
    fn train(&mut self, scenes: &[Scene], ctx: &mut RunContext) -> Result<TrainReport>;
    /// The reconstruction of one object/scene from its input views (the conditioning view for feed-forward
    /// methods; ignored by per-scene methods, which return what they fitted).
    fn reconstruct(&self, inputs: &[View], ctx: &mut RunContext) -> Result<Box<dyn Reconstruction>>;
    /// The method's state before training, as `reconstruct` would return it: the harness scores it on the same
    /// views as the trained one (the report's "initial" reference, stronger than a mean colour at telling an
    /// untrained model from a trained one). Per-scene methods return the snapshot they took before their first
    /// step; feed-forward methods the untrained network's reconstruction from `inputs`. `None` when the method
    /// has no such state (or `train` has not run).
    fn initial(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Option<Box<dyn Reconstruction>>> {
        Ok(None)
    }
}

pub trait Reconstruction {
    /// RGB image seen by `camera`, composited on the scene background.
    fn render(&self, camera: &Camera) -> Result<Image>;
    /// Files other tools open (PLY, GIF, figures), written into `dir`.
    fn artifacts(&self, dir: &Path) -> Result<Vec<Artifact>>;
    /// Numbers about the reconstruction itself (e.g. final Gaussian count).
    fn stats(&self) -> BTreeMap<String, f64> {
        BTreeMap::new()
    }
}
