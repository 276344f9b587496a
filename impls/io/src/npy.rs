//! NumPy `.npy` arrays: the one reader and the one writer in splatbench.
//!
//! Format: magic `\x93NUMPY`, version bytes major (1, 2 or 3) and minor, header length (u16 LE for v1, u32 LE for
//! v2/v3), then a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (H, W), }` padded with
//! spaces and a final '\n' so the data starts at a multiple of 64 bytes, then the raw values in C (row-major) order.
//! Supported: little-endian `<f4`, `<f8` and bytes `|u1`, C order. Anything else (big-endian, other dtypes,
//! Fortran order) is an input error, since guessing a byte or axis order would silently corrupt the values. The
//! data must be exactly the shape's size: the size is checked against the bytes present before any array is built.

use crate::atomic::write_atomic;
use splatbench_core::error::{Error, IoContext, Result};
use std::path::Path;

/// The values of an array, in C order.
#[derive(Clone, Debug, PartialEq)]
pub enum NpyData {
    F32(Vec<f32>),
    F64(Vec<f64>),
    U8(Vec<u8>),
}

/// A decoded `.npy` array.
#[derive(Clone, Debug, PartialEq)]
pub struct Npy {
    pub shape: Vec<usize>,
    pub data: NpyData,
}

impl Npy {
    /// The values as f32: f64 is narrowed, u8 taken as its integer value.
    pub fn into_f32(self) -> Vec<f32> {
        match self.data {
            NpyData::F32(v) => v,
            NpyData::F64(v) => v.into_iter().map(|x| x as f32).collect(),
            NpyData::U8(v) => v.into_iter().map(f32::from).collect(),
        }
    }
}

/// An element type the writer knows.
pub trait NpyElement: Copy {
    /// NumPy's type string (`descr`).
    const DESCR: &'static str;
    fn put_le(self, out: &mut Vec<u8>);
}

impl NpyElement for f32 {
    const DESCR: &'static str = "<f4";
    fn put_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl NpyElement for f64 {
    const DESCR: &'static str = "<f8";
    fn put_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl NpyElement for u8 {
    const DESCR: &'static str = "|u1";
    fn put_le(self, out: &mut Vec<u8>) {
        out.push(self);
    }
}

/// Read a `.npy` file; any problem with it is an input error naming `path`.
pub fn read_npy(path: &Path) -> Result<Npy> {
    let bytes = std::fs::read(path).at(path)?;
    decode(&bytes).map_err(|msg| Error::input(path, msg))
}

/// Read a float (or byte) `.npy` file as f32: its shape and values in C order.
pub fn read_npy_f32(path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let npy = read_npy(path)?;
    Ok((npy.shape.clone(), npy.into_f32()))
}

/// Write `data` (C order, `shape`) as `.npy` version 1.0, atomically.
pub fn write_npy<T: NpyElement>(path: &Path, shape: &[usize], data: &[T]) -> Result<()> {
    let bytes = encode(shape, data).map_err(|msg| Error::bug(format!("{}: {msg}", path.display())))?;
    write_atomic(path, &bytes)
}

/// The bytes of a `.npy` version 1.0 file, as NumPy writes them; an error when `data` does not fill `shape`.
pub fn encode<T: NpyElement>(shape: &[usize], data: &[T]) -> std::result::Result<Vec<u8>, String> {
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if count != Some(data.len()) {
        return Err(format!("shape {shape:?} does not hold {} values", data.len()));
    }
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_text = match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '{}', 'fortran_order': False, 'shape': {shape_text}, }}", T::DESCR);
    // Magic (6) + version (2) + length (2) + header + '\n', padded with spaces to a multiple of 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let header_len = u16::try_from(header.len()).map_err(|_| "header longer than 65535 bytes".to_string())?;
    let mut out = Vec::with_capacity(10 + header.len() + size_of_val(data));
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for &v in data {
        v.put_le(&mut out);
    }
    Ok(out)
}

/// Parse `.npy` bytes; the error is a one-line message without the path.
pub fn decode(bytes: &[u8]) -> std::result::Result<Npy, String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("not a .npy file (bad magic)".into());
    }
    let (header_len, header_start): (usize, usize) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let data_start = header_start.checked_add(header_len).ok_or("truncated .npy header")?;
    let header = bytes.get(header_start..data_start).ok_or("truncated .npy header")?;
    let header = std::str::from_utf8(header).map_err(|_| ".npy header is not text")?;
    let descr = dict_value(header, "descr").ok_or("no 'descr' in .npy header")?;
    let descr = descr.trim().trim_matches(|c| c == '\'' || c == '"');
    let fortran = dict_value(header, "fortran_order").ok_or("no 'fortran_order' in .npy header")?;
    match fortran.trim() {
        "False" => {}
        "True" => return Err("Fortran-order arrays are not supported (save with C order)".into()),
        other => return Err(format!("bad 'fortran_order' {other:?} in .npy header")),
    }
    let shape = parse_shape(header).ok_or("cannot parse 'shape' in .npy header")?;
    let item: usize = match descr {
        "<f4" => 4,
        "<f8" => 8,
        "|u1" | "<u1" | ">u1" | "=u1" => 1,
        other => return Err(format!("dtype '{other}' is not supported (need '<f4', '<f8' or '|u1')")),
    };
    let need = shape.iter().try_fold(item, |a, &d| a.checked_mul(d)).ok_or("shape overflows")?;
    let data = &bytes[data_start..];
    if data.len() < need {
        return Err(format!("truncated: shape {shape:?} needs {need} data bytes, file has {}", data.len()));
    }
    if data.len() > need {
        return Err(format!("shape {shape:?} needs {need} data bytes, file has {} (extra data)", data.len()));
    }
    let data = match item {
        4 => NpyData::F32(data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()),
        8 => NpyData::F64(
            data.chunks_exact(8)
                .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
        ),
        _ => NpyData::U8(data.to_vec()),
    };
    Ok(Npy { shape, data })
}

/// The text after `'key':` up to the next top-level comma (shape tuples contain commas, so it is parsed apart).
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header.find(&format!("'{key}'"))?;
    let rest = &header[at + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?;
    rest.split([',', '}']).next()
}

/// `'shape': (240, 320)` → [240, 320]; `()` → [] (a scalar); `(5,)` → [5].
fn parse_shape(header: &str) -> Option<Vec<usize>> {
    let at = header.find("'shape'")?;
    let rest = header[at + "'shape'".len()..].trim_start().strip_prefix(':')?.trim_start();
    let inner = rest.strip_prefix('(')?;
    let close = inner.find(')')?;
    inner[..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file as another writer (NumPy, any version) might lay it out.
    fn npy(version: u8, descr: &str, fortran: &str, shape: &str, data: &[u8]) -> Vec<u8> {
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

    #[test]
    fn round_trips_every_element_type_and_rank() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.npy");
        write_npy(&p, &[2, 3], &[1.0f32, 2.5, -3.0, 4.0, f32::MIN_POSITIVE, 6.0]).unwrap();
        let got = read_npy(&p).unwrap();
        assert_eq!(
            got,
            Npy { shape: vec![2, 3], data: NpyData::F32(vec![1.0, 2.5, -3.0, 4.0, f32::MIN_POSITIVE, 6.0]) }
        );
        write_npy(&p, &[4], &[1.0f64, -1e300, 0.5, 7.0]).unwrap();
        assert_eq!(read_npy(&p).unwrap().data, NpyData::F64(vec![1.0, -1e300, 0.5, 7.0]));
        write_npy(&p, &[1, 2, 2], &[0u8, 7, 128, 255]).unwrap();
        assert_eq!(read_npy(&p).unwrap(), Npy { shape: vec![1, 2, 2], data: NpyData::U8(vec![0, 7, 128, 255]) });
        write_npy::<f32>(&p, &[], &[3.5]).unwrap();
        assert_eq!(read_npy_f32(&p).unwrap(), (vec![], vec![3.5]));
        write_npy::<f32>(&p, &[0, 5], &[]).unwrap();
        assert_eq!(read_npy_f32(&p).unwrap(), (vec![0, 5], vec![]));
    }

    #[test]
    fn writes_what_numpy_writes() {
        // np.save of np.zeros((2, 3), '<f4') under NumPy 1.x and 2.x: the header is padded to 64 bytes.
        let bytes = encode(&[2, 3], &[0.0f32; 6]).unwrap();
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00\x76\x00");
        assert_eq!(&bytes[10..10 + header.len()], header.as_bytes());
        assert_eq!(bytes.len(), 128 + 24);
        assert_eq!(bytes[127], b'\n');
        assert_eq!(bytes, npy(1, "<f4", "False", "(2, 3)", &[0; 24]));
        assert!(encode(&[2, 2], &[0u8; 3]).is_err());
    }

    #[test]
    fn reads_other_versions_and_narrows_to_f32() {
        let f8: Vec<u8> = [1.0f64, 2.5].iter().flat_map(|v| v.to_le_bytes()).collect();
        let n = decode(&npy(2, "<f8", "False", "(2,)", &f8)).unwrap();
        assert_eq!((n.shape.clone(), n.into_f32()), (vec![2], vec![1.0, 2.5]));
        let n = decode(&npy(3, "<u1", "False", "(1, 2)", &[3, 4])).unwrap();
        assert_eq!(n.into_f32(), vec![3.0, 4.0]);
    }

    #[test]
    fn rejects_other_dtypes_orders_sizes_and_garbage() {
        let data = [0u8; 24];
        for descr in [">f4", "<i4", "<f2", "<c8"] {
            let e = decode(&npy(1, descr, "False", "(2, 3)", &data)).unwrap_err();
            assert!(e.contains("dtype"), "{e}");
        }
        assert!(decode(&npy(1, "<f4", "True", "(2, 3)", &data)).unwrap_err().contains("Fortran"));
        assert!(decode(&npy(1, "<f4", "False", "(2, 3)", &data[..20])).unwrap_err().contains("truncated"));
        assert!(decode(&npy(1, "<f4", "False", "(2, 2)", &data)).unwrap_err().contains("extra"));
        assert!(decode(b"PK\x03\x04 not numpy").unwrap_err().contains("magic"));
        assert!(decode(&npy(1, "<f4", "False", "(2, x)", &data)).unwrap_err().contains("shape"));
        // A header length past the end of the file.
        let mut short = npy(1, "<f4", "False", "(2, 3)", &data);
        short[8] = 0xff;
        short[9] = 0xff;
        assert!(decode(&short).unwrap_err().contains("truncated"));
    }

    #[test]
    fn refuses_a_huge_shape_before_allocating() {
        // 2^62 elements would need exabytes: refused from the header alone.
        let e = decode(&npy(1, "<f4", "False", "(4611686018427387904,)", &[0; 8])).unwrap_err();
        assert!(e.contains("overflows"), "{e}");
        let e = decode(&npy(1, "<f8", "False", "(1000000000, 1000)", &[0; 8])).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
    }
}
