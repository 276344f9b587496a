//! The `splatbench` command line as a library: one module per subcommand, over the bench, data and metrics
//! crates.

pub mod cli;
