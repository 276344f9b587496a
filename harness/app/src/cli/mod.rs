//! One module per `splatbench` subcommand: clap arguments and a `run` that returns the project error type.

pub mod bench;
pub mod datasets;
pub mod inspect;
pub mod metrics;
pub mod render;
pub mod slurm;

/// The harness's services for methods' extra subcommands: datasets through the loaders.
pub struct Loaders;

impl splatbench_core::CommandHost for Loaders {
    fn load_scenes(&self, dataset: &str) -> splatbench_core::Result<Vec<splatbench_core::Scene>> {
        splatbench_data::reference::load(dataset)
    }
}

/// A `--background r,g,b` flag: three finite numbers in [0, 1].
pub(crate) fn parse_background(s: &str) -> splatbench_core::Result<[f32; 3]> {
    let bad = || splatbench_core::Error::input("--background", format!("`{s}` is not three numbers r,g,b"));
    let v: Vec<f32> =
        s.split(',').map(|t| t.trim().parse::<f32>()).collect::<std::result::Result<_, _>>().map_err(|_| bad())?;
    match v.as_slice() {
        &[r, g, b] if v.iter().all(|x| x.is_finite()) => {
            if v.iter().any(|x| !(0.0..=1.0).contains(x)) {
                return Err(splatbench_core::Error::input(
                    "--background",
                    format!("`{s}` is outside [0, 1]: colours are r,g,b in [0, 1]"),
                ));
            }
            Ok([r, g, b])
        }
        _ => Err(bad()),
    }
}
