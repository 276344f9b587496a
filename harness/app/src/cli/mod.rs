//! One module per `splatbench` subcommand: clap arguments and a `run` that returns the project error type.

pub mod bench;
pub mod datasets;
pub mod inspect;
pub mod metrics;
pub mod render;
pub mod splatter;
