//! Byte-exact writers: PNG with fixed encoder settings, NumPy `.npy` v1.0 (`splatbench_io::npy`), and a sink that records the
//! sha256 of every file it writes (for the manifest).

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use sha2::{Digest, Sha256};
use splatbench_core::error::InternalContext;
use splatbench_core::{Error, Result};
use splatbench_io::atomic::write_atomic;
use splatbench_io::npy;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Writes files under `root` and remembers `relative path → sha256 hex`, sorted.
pub struct Sink {
    pub root: PathBuf,
    pub files: BTreeMap<String, String>,
}

impl Sink {
    pub fn new(root: &Path) -> Self {
        Sink { root: root.to_path_buf(), files: BTreeMap::new() }
    }

    /// `rel` uses '/' separators.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.root.join(rel), bytes)?;
        self.files.insert(rel.to_string(), sha256_hex(bytes));
        Ok(())
    }

    pub fn json<T: serde::Serialize>(&mut self, rel: &str, value: &T) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(value).internal(format!("encoding {rel} as JSON"))?;
        bytes.push(b'\n');
        self.write(rel, &bytes)
    }

    /// A float32 array as `.npy` (the one encoder in `splatbench_io::npy`), shape (height, width).
    pub fn npy_f32(&mut self, rel: &str, height: u32, width: u32, data: &[f32]) -> Result<()> {
        let bytes =
            npy::encode(&[height as usize, width as usize], data).map_err(|m| Error::bug(format!("{rel}: {m}")))?;
        self.write(rel, &bytes)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// [0, 1] → 0..=255, rounding to nearest.
pub fn to_u8(v: f64) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// PNG with 1 (gray), 3 (RGB) or 4 (RGBA) 8-bit channels.
pub fn png(width: u32, height: u32, channels: u8, data: &[u8]) -> Result<Vec<u8>> {
    let color = match channels {
        1 => image::ExtendedColorType::L8,
        3 => image::ExtendedColorType::Rgb8,
        4 => image::ExtendedColorType::Rgba8,
        _ => return Err(Error::bug(format!("png: {channels} channels"))),
    };
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Level(6), FilterType::Adaptive)
        .write_image(data, width, height, color)
        .internal("encoding a PNG")?;
    Ok(out)
}
