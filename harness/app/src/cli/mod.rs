//! One module per `splatbench` subcommand: clap arguments and a `run` that returns the project error type.

pub mod bench;
pub mod datasets;
pub mod inspect;
pub mod metrics;
pub mod render;

/// The harness's services for methods' extra subcommands: datasets through the loaders.
pub struct Loaders;

impl splatbench_core::CommandHost for Loaders {
    fn load_scenes(&self, dataset: &str) -> splatbench_core::Result<Vec<splatbench_core::Scene>> {
        splatbench_data::reference::load(dataset)
    }
}
