//! splatbench harness: dataset loaders, metrics, the method × backend registry, results and timing.

pub mod bench;
pub mod cli;
pub mod imageio;
pub mod loaders;
pub mod metrics;
pub mod shared;

pub use splatbench_types as types;
