//! Dataset references in suites: `gen:NAME` (generated into the cache on first use), `shared:REL`, or a path.

use crate as loaders;
use crate::image_scene;
use splatbench_core::{DatasetSummary, Error, Result, Scene};
use splatbench_io::paths as shared;
use std::path::PathBuf;

pub fn generated_cache() -> PathBuf {
    std::env::var_os("SPLATBENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared::workspace_root().join("target/splatbench-data"))
}

pub fn resolve(reference: &str) -> Result<PathBuf> {
    if let Some(name) = reference.strip_prefix("gen:") {
        let root = splatbench_datasets::ensure_generated(&generated_cache())?;
        let p = root.join(name);
        if !p.exists() {
            return Err(Error::input(&p, format!("the generator has no scene '{name}'")));
        }
        Ok(p)
    } else if let Some(rel) = reference.strip_prefix("shared:") {
        shared::shared_path(rel)
    } else {
        let p = PathBuf::from(reference);
        if p.exists() { Ok(p) } else { Err(Error::input(&p, "dataset not found")) }
    }
}

/// Every scene of a dataset: SRN roots give one scene per object; other formats one scene. An image file (or a
/// directory holding no dataset but one image, like `gen:paint_toy`) is a one-view scene ([`crate::image_scene`]).
pub fn load(reference: &str) -> Result<Vec<Scene>> {
    let path = resolve(reference)?;
    if path.is_file() && image_scene::is_image_file(&path) {
        return Ok(vec![image_scene::load_image_scene(&path)?]);
    }
    if path.is_dir()
        && loaders::detect(&path).is_none()
        && let Some(image) = image_scene::single_image_in(&path)
    {
        return Ok(vec![image_scene::load_image_scene(&image)?]);
    }
    if path.join("cars_train").exists() || path.join("cars_test").exists() {
        loaders::load_srn(&path)
    } else {
        Ok(vec![loaders::load_scene(&path)?])
    }
}

/// What a run needs to know of a dataset before it starts (see [`DatasetSummary`]): the dataset is loaded with the
/// same code a run uses, so every problem a run would meet while loading is found here, before the first run.
pub fn summarize(reference: &str) -> Result<DatasetSummary> {
    let path = resolve(reference)?;
    let scenes = load(reference)?;
    let format = match loaders::detect(&path) {
        Some(loaders::Format::Nerfstudio) => "nerfstudio",
        Some(loaders::Format::Blender) => "blender",
        Some(loaders::Format::Colmap) => "colmap",
        Some(loaders::Format::SrnObject | loaders::Format::SrnRoot) => "srn",
        None => "image",
    };
    let views = |split: &str| scenes.iter().map(|s| s.split(split).len()).sum::<usize>();
    Ok(DatasetSummary {
        reference: reference.to_string(),
        format: format.to_string(),
        scenes: scenes.len(),
        train_views: views("train"),
        test_views: views("test"),
    })
}
