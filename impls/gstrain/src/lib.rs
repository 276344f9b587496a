//! Gaussian-splatting training core: per-point parameters with hand-written Adam (rows can be added and removed
//! with their optimiser state), learning-rate schedules, densification strategies with hooks, and 3D-Gaussian
//! helpers (initialisation, conversion to the renderer's tensors).

pub mod adam;
pub mod gaussians;
pub mod knn;
pub mod params;
pub mod refine_state;
pub mod schedule;
pub mod strategy;

pub use adam::Adam;
pub use params::{ParamState, PointParams};
pub use refine_state::{RefineSchedule, RefineState};
pub use schedule::{cosine_lr, exp_decay_lr};
pub use strategy::{DefaultStrategy, NoHook, NoRefine, RefineHook, RefineStats, StepInfo, Strategy, StrategyState};
