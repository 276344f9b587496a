//! Procedural scenes for the embedded default bench: small but non-trivial, deterministic, and written in the
//! same standard formats the real loaders read (SRN, nerfstudio, COLMAP text, Blender), so the bench runs on a
//! fresh machine with nothing downloaded.
//!
//! Images come from an independent analytic ray tracer ([`tracer`]: spheres/ellipsoids, boxes, cylinders,
//! tori, rects; procedural textures; Lambertian lights + ambient; 3×3 fixed jittered supersampling), never
//! from the project's Gaussian rasterizer, so renders are a ground truth that methods are scored against.
//! Cameras are built in the project convention ([`splatbench_core::Camera`]: world-to-camera OpenCV, pixel
//! (j, i) centred at (j + ½, i + ½)) and converted to each format's own convention when written.
//! Each scene also gets `gt/ground_truth.json` (surface points, exact depth paths) for cross-checking loaders.
//!
//! Output is byte-identical for the same seed and [`GENERATOR_VERSION`]: all randomness comes from
//! [`rng::Rng`] streams named per scene and object, maps are `BTreeMap`s, PNG settings are fixed, and parallel
//! work (rayon over image rows) computes every pixel independently.

pub mod gt;
pub mod io;
pub mod math;
pub mod points;
pub mod rng;
pub mod scenes;
pub mod shapes;
pub mod texture;
pub mod tracer;

use serde::{Deserialize, Serialize};
use splatbench_core::error::{InternalContext, IoContext};
use splatbench_core::{Error, Result};
use splatbench_io::atomic::{create_dir_all, write_atomic};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bump whenever any output byte may change; caches with another version are regenerated.
pub const GENERATOR_VERSION: u32 = 2;
pub const DEFAULT_SEED: u64 = 20_261_125;
pub const MANIFEST: &str = "manifest.json";

/// Scene names, in generation order.
pub const SCENES: [&str; 5] =
    [scenes::srn::NAME, scenes::head::NAME, scenes::roi::NAME, scenes::blender::NAME, scenes::paint::NAME];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub generator_version: u32,
    pub seed: u64,
    pub scenes: Vec<String>,
    /// Path relative to the output directory ('/' separators) → sha256 hex.
    pub files: BTreeMap<String, String>,
}

/// Generate every scene (or only `only`) with [`DEFAULT_SEED`] under `out/<scene>/`, and write
/// `out/manifest.json` listing what this call wrote.
pub fn generate(out: &Path, only: Option<&str>) -> Result<Manifest> {
    generate_with_seed(out, only, DEFAULT_SEED)
}

pub fn generate_with_seed(out: &Path, only: Option<&str>, seed: u64) -> Result<Manifest> {
    let names: Vec<&str> = match only {
        None => SCENES.to_vec(),
        Some(n) if SCENES.contains(&n) => vec![n],
        Some(n) => {
            return Err(Error::input("--only", format!("unknown scene {n:?} (known: {})", SCENES.join(", "))));
        }
    };
    create_dir_all(out)?;
    let mut sink = io::Sink::new(out);
    for name in &names {
        let dir = out.join(name);
        if dir.exists() {
            // Stale files from an older run would otherwise sit beside the new ones unlisted.
            std::fs::remove_dir_all(&dir).writing(&dir)?;
        }
        match *name {
            scenes::srn::NAME => scenes::srn::write(&mut sink, seed)?,
            scenes::head::NAME => scenes::head::write(&mut sink, seed)?,
            scenes::roi::NAME => scenes::roi::write(&mut sink, seed)?,
            scenes::blender::NAME => scenes::blender::write(&mut sink, seed)?,
            scenes::paint::NAME => scenes::paint::write(&mut sink, seed)?,
            _ => unreachable!("SCENES lists every scene"),
        }
    }
    let manifest = Manifest {
        generator_version: GENERATOR_VERSION,
        seed,
        scenes: names.iter().map(|s| s.to_string()).collect(),
        files: sink.files,
    };
    let mut bytes = serde_json::to_vec_pretty(&manifest).internal("encoding the manifest")?;
    bytes.push(b'\n');
    write_atomic(&out.join(MANIFEST), &bytes)?;
    Ok(manifest)
}

/// Check `dir` holds a complete, intact default-seed generation of this version: the manifest's version,
/// seed and scene list, and the sha256 of every file it lists.
pub fn verify(dir: &Path) -> Result<Manifest> {
    let mpath = dir.join(MANIFEST);
    let bytes = std::fs::read(&mpath).at(&mpath)?;
    let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| Error::input(&mpath, e.to_string()))?;
    if m.generator_version != GENERATOR_VERSION || m.seed != DEFAULT_SEED {
        return Err(Error::input(&mpath, format!("generator version {} seed {}", m.generator_version, m.seed)));
    }
    if m.scenes != SCENES {
        return Err(Error::input(&mpath, format!("holds scenes {:?}, not all of them", m.scenes)));
    }
    for (rel, sha) in &m.files {
        let p = dir.join(rel);
        let data = std::fs::read(&p).at(&p)?;
        if io::sha256_hex(&data) != *sha {
            return Err(Error::input(&p, "checksum does not match the manifest"));
        }
    }
    Ok(m)
}

/// The default data under `cache_dir`: reused when [`verify`] passes, else generated into a temporary
/// sibling directory and renamed into place (so a reader never sees a half-written cache).
pub fn ensure_generated(cache_dir: &Path) -> Result<PathBuf> {
    if verify(cache_dir).is_ok() {
        return Ok(cache_dir.to_path_buf());
    }
    let parent = cache_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let base = cache_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "data".into());
    create_dir_all(parent)?;
    let unique = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let tmp = parent.join(format!(".{base}.tmp-{}-{unique}", std::process::id()));
    let result = generate(&tmp, None).and_then(|_| {
        if cache_dir.exists() {
            let old = parent.join(format!(".{base}.old-{}-{unique}", std::process::id()));
            std::fs::rename(cache_dir, &old).writing(cache_dir)?;
            std::fs::remove_dir_all(&old).writing(&old)?;
        }
        std::fs::rename(&tmp, cache_dir).writing(cache_dir)
    });
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        // Another process may have put a good cache in place meanwhile.
        return verify(cache_dir).map(|_| cache_dir.to_path_buf()).map_err(|_| e);
    }
    Ok(cache_dir.to_path_buf())
}
