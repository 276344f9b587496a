//! splatbench harness: dataset loaders, metrics, the method × backend registry, results and timing.

pub use splatbench_types as types;
