//! NumPy `.npy` arrays of floats (depth maps).
//!
//! Format: magic `\x93NUMPY`, version byte major (1, 2 or 3) and minor, header length (u16 LE for v1, u32 LE for
//! v2/v3), then an ASCII/UTF-8 Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (H, W), }`,
//! then the raw data. Only little-endian `<f4` and `<f8` in C order are accepted (`<f8` is narrowed to f32);
//! anything else is an input error, since guessing a byte order or axis order would silently corrupt depth.

use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use std::path::Path;

/// Read a float `.npy` file: its shape and its values in C (row-major) order.
pub fn read_npy_f32(path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let bytes = std::fs::read(path).at(path)?;
    let err = |msg: String| Error::input(path, msg);
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(err("not a .npy file (bad magic)".into()));
    }
    let (header_len, header_start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        v => return Err(err(format!("unsupported .npy version {v}"))),
    };
    let data_start = header_start + header_len;
    let header = bytes
        .get(header_start..data_start)
        .ok_or_else(|| err("truncated .npy header".into()))
        .and_then(|h| std::str::from_utf8(h).map_err(|_| err(".npy header is not text".into())))?;
    let descr = dict_value(header, "descr").ok_or_else(|| err("no 'descr' in .npy header".into()))?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let fortran = dict_value(header, "fortran_order").ok_or_else(|| err("no 'fortran_order' in .npy header".into()))?;
    if fortran.trim() != "False" {
        return Err(err("Fortran-order arrays are not supported (save with C order)".into()));
    }
    let shape = parse_shape(header).ok_or_else(|| err("cannot parse 'shape' in .npy header".into()))?;
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or_else(|| err("shape overflows".into()))?;
    let item = match descr {
        "<f4" => 4,
        "<f8" => 8,
        other => return Err(err(format!("dtype '{other}' is not supported (need little-endian '<f4' or '<f8')"))),
    };
    let data = &bytes[data_start..];
    let need = count.checked_mul(item).ok_or_else(|| err("shape overflows".into()))?;
    if data.len() < need {
        return Err(err(format!("truncated: shape {shape:?} needs {need} data bytes, file has {}", data.len())));
    }
    let values = if item == 4 {
        data[..need].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
    } else {
        data[..need].chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")) as f32).collect()
    };
    Ok((shape, values))
}

/// The text after `'key':` up to the next top-level comma (shape tuples contain commas, so it is parsed apart).
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header.find(&format!("'{key}'"))?;
    let rest = &header[at + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?;
    Some(rest.split(',').next()?)
}

/// `'shape': (240, 320)` → [240, 320]; `()` → [] (a scalar); `(5,)` → [5].
fn parse_shape(header: &str) -> Option<Vec<usize>> {
    let at = header.find("'shape'")?;
    let rest = &header[at..];
    let open = rest.find('(')?;
    let close = rest.find(')')?;
    rest[open + 1..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(version: u8, descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        npy_order(version, descr, "False", shape, data)
    }

    fn npy_order(version: u8, descr: &str, fortran: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut header = format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}");
        let pre = if version == 1 { 10 } else { 12 };
        while (pre + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY".to_vec();
        out.extend([version, 0]);
        if version == 1 {
            out.extend((header.len() as u16).to_le_bytes());
        } else {
            out.extend((header.len() as u32).to_le_bytes());
        }
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    fn read(bytes: &[u8]) -> Result<(Vec<usize>, Vec<f32>)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.npy");
        std::fs::write(&p, bytes).unwrap();
        read_npy_f32(&p)
    }

    #[test]
    fn reads_f4_and_f8_v1_and_v2() {
        let f4: Vec<u8> = [1.0f32, 2.5, -3.0, 4.0, 5.0, 6.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let f8: Vec<u8> = [1.0f64, 2.5, -3.0, 4.0, 5.0, 6.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        for bytes in [npy(1, "<f4", "(2, 3)", &f4), npy(2, "<f8", "(2, 3)", &f8)] {
            let (shape, v) = read(&bytes).unwrap();
            assert_eq!(shape, vec![2, 3]);
            assert_eq!(v, vec![1.0, 2.5, -3.0, 4.0, 5.0, 6.0]);
        }
        assert_eq!(read(&npy(1, "<f4", "(1,)", &f4[..4])).unwrap().0, vec![1]);
    }

    #[test]
    fn rejects_other_dtypes_orders_and_truncation() {
        let data = [0u8; 24];
        for (descr, what) in [(">f4", "dtype"), ("<i4", "dtype"), ("<f2", "dtype")] {
            let e = read(&npy(1, descr, "(2, 3)", &data)).unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        }
        let fortran = npy_order(1, "<f4", "True", "(2, 3)", &data);
        assert!(read(&fortran).unwrap_err().to_string().contains("Fortran"));
        assert!(read(&npy(1, "<f4", "(2, 3)", &data[..20])).unwrap_err().to_string().contains("truncated"));
        assert!(read(b"PK\x03\x04 not numpy").unwrap_err().to_string().contains("magic"));
    }
}
