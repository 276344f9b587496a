//! splatbench harness: dataset loaders, metrics, the method × backend registry, results and timing.

pub mod cli;

pub use splatbench_types as types;
