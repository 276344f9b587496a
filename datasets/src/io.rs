//! Byte-exact writers: PNG with fixed encoder settings, NumPy `.npy` v1.0, and a sink that records the
//! sha256 of every file it writes (for the manifest).

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use sha2::{Digest, Sha256};
use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
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
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).at(dir)?;
        }
        std::fs::write(&path, bytes).at(&path)?;
        self.files.insert(rel.to_string(), sha256_hex(bytes));
        Ok(())
    }

    pub fn json<T: serde::Serialize>(&mut self, rel: &str, value: &T) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| Error::Other(format!("{rel}: {e}")))?;
        bytes.push(b'\n');
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
        _ => return Err(Error::Other(format!("png: {channels} channels"))),
    };
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Level(6), FilterType::Adaptive)
        .write_image(data, width, height, color)
        .map_err(|e| Error::Other(format!("png encode: {e}")))?;
    Ok(out)
}

/// `.npy` version 1.0, little-endian float32, C order, shape (height, width); the header is padded with
/// spaces to a multiple of 64 bytes and ends in '\n', as NumPy writes it.
pub fn npy_f32(height: u32, width: u32, data: &[f32]) -> Vec<u8> {
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({height}, {width}), }}");
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat(total.next_multiple_of(64) - total));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + data.len() * 4);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}
