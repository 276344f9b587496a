use splatbench_types::{Error, Result};

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<()> {
    Err(Error::NotImplemented("splatbench inspect".into()))
}
