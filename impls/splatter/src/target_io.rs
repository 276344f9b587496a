//! Target splatter images on disk.
//!
//! ```text
//! <dir>/manifest.json                       format, version, mode, resolution, channel groups, one entry per target
//! <dir>/<object>/<view>/xyz.npy             [H, W, 3] f32  world means
//! <dir>/<object>/<view>/scale.npy           [H, W, 3] f32  per-axis scale (exp of the log-scale)
//! <dir>/<object>/<view>/quat.npy            [H, W, 4] f32  unit quaternion (w, x, y, z)
//! <dir>/<object>/<view>/colour.npy          [H, W, 3] f32  SH_C0·sh0 + 0.5
//! <dir>/<object>/<view>/opacity.npy         [H, W]    f32  opacity in [0, 1]
//! ```
//!
//! Every array goes through the project's one `.npy` codec (little-endian f32, C order), so a target round-trips
//! bit-exactly. Reading checks each file against the manifest's resolution and the group's width; a missing or
//! mismatched file is an input error naming it.

use crate::config::TargetMode;
use crate::splat::{CHANNEL_GROUPS, CHANNELS};
use serde::{Deserialize, Serialize};
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use splatbench_io::npy;
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "splatbench-splatter-targets";
pub const VERSION: u32 = 1;

/// One target splatter image on the host (row-major pixels).
#[derive(Clone, Debug, PartialEq)]
pub struct TargetImage {
    pub width: u32,
    pub height: u32,
    /// `H·W·CHANNELS`: per pixel xyz, scale, quaternion, colour.
    pub channels: Vec<f32>,
    /// `H·W` opacity in [0, 1].
    pub opacity: Vec<f32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub object: String,
    pub view: String,
    /// Directory of the target's arrays, relative to the manifest.
    pub dir: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub mode: TargetMode,
    pub resolution: u32,
    /// (group name, width) in channel order.
    pub groups: Vec<(String, usize)>,
    pub targets: Vec<ManifestEntry>,
    /// Views per object that no `fit` target saw (empty for `teacher`).
    #[serde(default)]
    pub held_out: Vec<(String, Vec<String>)>,
}

impl Manifest {
    pub fn new(mode: TargetMode, resolution: u32) -> Self {
        Manifest {
            format: FORMAT.into(),
            version: VERSION,
            mode,
            resolution,
            groups: CHANNEL_GROUPS.iter().map(|(n, w)| (n.to_string(), *w)).collect(),
            targets: Vec::new(),
            held_out: Vec::new(),
        }
    }

    pub fn path(dir: &Path) -> PathBuf {
        dir.join("manifest.json")
    }

    pub fn load(dir: &Path) -> Result<Manifest> {
        let path = Manifest::path(dir);
        let text = std::fs::read_to_string(&path).at(&path)?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| Error::input(&path, e.to_string()))?;
        if m.format != FORMAT || m.version != VERSION {
            return Err(Error::input(
                &path,
                format!("not a {FORMAT} v{VERSION} manifest ({} v{})", m.format, m.version),
            ));
        }
        let want: Vec<(String, usize)> = CHANNEL_GROUPS.iter().map(|(n, w)| (n.to_string(), *w)).collect();
        if m.groups != want {
            return Err(Error::input(&path, format!("channel groups {:?}, expected {want:?}", m.groups)));
        }
        Ok(m)
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::internal("encoding a target manifest", e))?;
        write_atomic(&Manifest::path(dir), &bytes)
    }

    /// The entry of (`object`, `view`), if it has a target.
    pub fn entry(&self, object: &str, view: &str) -> Option<&ManifestEntry> {
        self.targets.iter().find(|e| e.object == object && e.view == view)
    }
}

/// Store `t` as the arrays of one target in `dir` (module docs).
pub fn save_target(dir: &Path, t: &TargetImage) -> Result<()> {
    let (h, w) = (t.height as usize, t.width as usize);
    let mut start = 0;
    for (name, width) in CHANNEL_GROUPS {
        let vals: Vec<f32> =
            t.channels.chunks_exact(CHANNELS).flat_map(|px| px[start..start + width].iter().copied()).collect();
        npy::write_npy(&dir.join(format!("{name}.npy")), &[h, w, width], &vals)?;
        start += width;
    }
    npy::write_npy(&dir.join("opacity.npy"), &[h, w], &t.opacity)
}

/// Load the target stored in `dir` at `resolution`² (module docs).
pub fn load_target(dir: &Path, resolution: u32) -> Result<TargetImage> {
    let r = resolution as usize;
    let mut channels = vec![0.0f32; r * r * CHANNELS];
    let mut start = 0;
    for (name, width) in CHANNEL_GROUPS {
        let path = dir.join(format!("{name}.npy"));
        if !path.is_file() {
            return Err(Error::input(&path, "target file is missing"));
        }
        let (shape, vals) = npy::read_npy_f32(&path)?;
        if shape != [r, r, width] {
            return Err(Error::input(&path, format!("shape {shape:?}, expected [{r}, {r}, {width}]")));
        }
        for (p, px) in vals.chunks_exact(width).enumerate() {
            channels[p * CHANNELS + start..p * CHANNELS + start + width].copy_from_slice(px);
        }
        start += width;
    }
    let path = dir.join("opacity.npy");
    if !path.is_file() {
        return Err(Error::input(&path, "target file is missing"));
    }
    let (shape, opacity) = npy::read_npy_f32(&path)?;
    if shape != [r, r] {
        return Err(Error::input(&path, format!("shape {shape:?}, expected [{r}, {r}]")));
    }
    Ok(TargetImage { width: resolution, height: resolution, channels, opacity })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(r: u32) -> TargetImage {
        let n = (r * r) as usize;
        // Values with full mantissas (and a negative zero) so any rounding would show.
        let channels =
            (0..n * CHANNELS).map(|i| ((i as f32) * 0.7311).sin() / 3.0 + if i == 5 { -0.0 } else { 0.0 }).collect();
        let opacity = (0..n).map(|i| (i as f32 * 0.123).cos().abs()).collect();
        TargetImage { width: r, height: r, channels, opacity }
    }

    #[test]
    fn a_target_round_trips_bit_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let t = sample(4);
        save_target(dir.path(), &t).unwrap();
        let back = load_target(dir.path(), 4).unwrap();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.channels), bits(&t.channels));
        assert_eq!(bits(&back.opacity), bits(&t.opacity));
        let mut m = Manifest::new(TargetMode::Fit, 4);
        m.targets.push(ManifestEntry { object: "a".into(), view: "000001".into(), dir: "a/000001".into() });
        m.save(dir.path()).unwrap();
        assert_eq!(Manifest::load(dir.path()).unwrap(), m);
    }

    #[test]
    fn a_missing_or_mismatched_file_is_an_input_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        save_target(dir.path(), &sample(4)).unwrap();
        let e = load_target(dir.path(), 8).unwrap_err();
        assert!(matches!(e, Error::Input { .. }) && e.to_string().contains("xyz.npy"), "{e}");
        std::fs::remove_file(dir.path().join("quat.npy")).unwrap();
        let e = load_target(dir.path(), 4).unwrap_err();
        assert!(matches!(e, Error::Input { .. }) && e.to_string().contains("quat.npy"), "{e}");
        assert_eq!(e.exit_code(), 2);
        let e = Manifest::load(dir.path()).unwrap_err();
        assert!(e.to_string().contains("manifest.json"), "{e}");
    }
}
