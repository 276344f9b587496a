//! 3D Gaussian Splatting PLY files, as the INRIA reference implementation writes them.
//!
//! One `vertex` element, one row per Gaussian, every property `float` (f32), in this order:
//!
//! ```text
//! x y z  nx ny nz  f_dc_0 f_dc_1 f_dc_2  f_rest_0 .. f_rest_{3(K-1)-1}  opacity  scale_0 scale_1 scale_2  rot_0 .. rot_3
//! ```
//!
//! - `opacity` is the logit (pre-sigmoid), `scale_*` the log of the standard deviations, `rot_*` the quaternion
//!   (w, x, y, z), unnormalised. The normals are always zero.
//! - `f_dc_c` is SH coefficient 0 of channel c. `f_rest` is **channel-major**: INRIA stores `features_rest` as
//!   `[N, K-1, 3]` and transposes it to `[N, 3, K-1]` before flattening, so `f_rest_{c·(K-1) + (k-1)}` is
//!   coefficient k of channel c: all red coefficients 1..K-1, then green, then blue.
//! - The SH degree follows from the number of `f_rest_*` properties: 0, 9, 24, 45 → degree 0, 1, 2, 3.
//!
//! Writing produces exactly that layout (binary little endian). Reading is lenient where it costs nothing: any
//! property order, extra properties and elements (ignored), `float`/`double` or integer types, and the `ascii` and
//! `binary_big_endian` encodings. Every defect of the file — bad header, missing property, fewer rows than the header
//! declares, a non-finite value — is an [`Error::input`] naming the file.
//!
//! Nothing is allocated from a header's word alone: the vertex count is checked against
//! [`limits::MAX_GAUSSIANS`] and against the bytes that follow the header (a binary row is `stride` bytes, an
//! ascii value at least two: a digit and a separator) before any buffer is sized from it.

use crate::GaussianCloud;
use splatbench_core::error::IoContext;
use splatbench_core::limits;
use splatbench_core::{Error, Result};
use std::path::Path;

/// Read a 3DGS PLY file.
pub fn read_ply(path: impl AsRef<Path>) -> Result<GaussianCloud> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).at(path)?;
    parse(&bytes).map_err(|msg| Error::input(path, msg))
}

/// Write `cloud` as a binary little-endian 3DGS PLY, atomically (a temporary file in the same folder, then rename).
pub fn write_ply(path: impl AsRef<Path>, cloud: &GaussianCloud) -> Result<()> {
    let path = path.as_ref();
    let bytes = encode(cloud).map_err(|msg| Error::bug(format!("writing {}: {msg}", path.display())))?;
    splatbench_io::atomic::write_atomic(path, &bytes)
}

/// The vertex property names in INRIA's order for `K` SH coefficients per channel.
pub fn property_names(k: usize) -> Vec<String> {
    let mut names: Vec<String> =
        ["x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"].map(String::from).into();
    names.extend((0..3 * (k - 1)).map(|i| format!("f_rest_{i}")));
    names.push("opacity".into());
    names.extend((0..3).map(|i| format!("scale_{i}")));
    names.extend((0..4).map(|i| format!("rot_{i}")));
    names
}

fn encode(c: &GaussianCloud) -> std::result::Result<Vec<u8>, String> {
    let n = c.means.len();
    c.validate().map_err(|e| format!("cannot write this Gaussian cloud: {e}"))?;
    let k = GaussianCloud::num_sh_coeffs(c.sh_degree);
    let names = property_names(k);
    let mut out = String::from("ply\nformat binary_little_endian 1.0\n");
    out += &format!("element vertex {n}\n");
    for name in &names {
        out += &format!("property float {name}\n");
    }
    out += "end_header\n";
    let mut bytes = out.into_bytes();
    bytes.reserve(n * names.len() * 4);
    let mut row = Vec::with_capacity(names.len());
    for i in 0..n {
        row.clear();
        row.extend_from_slice(&c.means[i]);
        row.extend_from_slice(&[0.0; 3]);
        let sh = &c.sh[i * k * 3..(i + 1) * k * 3];
        row.extend_from_slice(&sh[..3]);
        for ch in 0..3 {
            row.extend((1..k).map(|j| sh[j * 3 + ch]));
        }
        row.push(c.opacity_logits[i]);
        row.extend_from_slice(&c.log_scales[i]);
        row.extend_from_slice(&c.quats[i]);
        for v in &row {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    Ok(bytes)
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Encoding {
    Ascii,
    LittleEndian,
    BigEndian,
}

#[derive(Clone, Copy, Debug)]
enum Scalar {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    F32,
    F64,
}

impl Scalar {
    fn parse(s: &str) -> Option<Scalar> {
        Some(match s {
            "char" | "int8" => Scalar::I8,
            "uchar" | "uint8" => Scalar::U8,
            "short" | "int16" => Scalar::I16,
            "ushort" | "uint16" => Scalar::U16,
            "int" | "int32" => Scalar::I32,
            "uint" | "uint32" => Scalar::U32,
            "float" | "float32" => Scalar::F32,
            "double" | "float64" => Scalar::F64,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::F64 => 8,
        }
    }

    /// Decode one binary value. f32 goes through unchanged, so a float file round-trips bit for bit.
    fn decode(self, b: &[u8], enc: Encoding) -> f32 {
        macro_rules! num {
            ($t:ty, $n:expr) => {{
                let a: [u8; $n] = b[..$n].try_into().unwrap();
                if enc == Encoding::BigEndian { <$t>::from_be_bytes(a) } else { <$t>::from_le_bytes(a) }
            }};
        }
        match self {
            Scalar::I8 => b[0] as i8 as f32,
            Scalar::U8 => b[0] as f32,
            Scalar::I16 => num!(i16, 2) as f32,
            Scalar::U16 => num!(u16, 2) as f32,
            Scalar::I32 => num!(i32, 4) as f32,
            Scalar::U32 => num!(u32, 4) as f32,
            Scalar::F32 => num!(f32, 4),
            Scalar::F64 => num!(f64, 8) as f32,
        }
    }
}

struct Element {
    name: String,
    count: usize,
    /// `None` for list properties, which a Gaussian file has no use for.
    props: Vec<(String, Option<Scalar>)>,
}

struct Header {
    encoding: Encoding,
    elements: Vec<Element>,
    /// Byte offset of the body.
    body: usize,
}

fn parse_header(bytes: &[u8]) -> std::result::Result<Header, String> {
    const END: &[u8] = b"end_header";
    let end = bytes.windows(END.len()).position(|w| w == END).ok_or("not a PLY file: no `end_header` line")?;
    let nl = bytes[end..].iter().position(|&b| b == b'\n').ok_or("PLY header does not end with a newline")?;
    let text = std::str::from_utf8(&bytes[..end]).map_err(|_| "PLY header is not text")?;
    let mut lines = text.lines().map(str::trim);
    if lines.next() != Some("ply") {
        return Err("not a PLY file: first line is not `ply`".into());
    }
    let mut encoding = None;
    let mut elements: Vec<Element> = Vec::new();
    for line in lines {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] | ["comment", ..] | ["obj_info", ..] => {}
            ["format", fmt, _version] => {
                encoding = Some(match *fmt {
                    "ascii" => Encoding::Ascii,
                    "binary_little_endian" => Encoding::LittleEndian,
                    "binary_big_endian" => Encoding::BigEndian,
                    other => return Err(format!("unknown PLY format `{other}`")),
                })
            }
            ["element", name, count] => elements.push(Element {
                name: name.to_string(),
                count: count.parse().map_err(|_| format!("bad element count in PLY header line `{line}`"))?,
                props: Vec::new(),
            }),
            ["property", "list", _, _, name] => elements
                .last_mut()
                .ok_or_else(|| format!("PLY property before any element: `{line}`"))?
                .props
                .push((name.to_string(), None)),
            ["property", ty, name] => {
                let ty = Scalar::parse(ty).ok_or_else(|| format!("unknown PLY property type in `{line}`"))?;
                elements
                    .last_mut()
                    .ok_or_else(|| format!("PLY property before any element: `{line}`"))?
                    .props
                    .push((name.to_string(), Some(ty)));
            }
            _ => return Err(format!("bad PLY header line `{line}`")),
        }
    }
    let encoding = encoding.ok_or("PLY header has no `format` line")?;
    Ok(Header { encoding, elements, body: end + nl + 1 })
}

fn parse(bytes: &[u8]) -> std::result::Result<GaussianCloud, String> {
    let header = parse_header(bytes)?;
    let vi = header.elements.iter().position(|e| e.name == "vertex").ok_or("PLY file has no `vertex` element")?;
    let vertex = &header.elements[vi];
    if vertex.props.iter().any(|(_, t)| t.is_none()) {
        return Err("the `vertex` element has a list property; 3DGS vertices hold scalars only".into());
    }
    let column = |name: &str| vertex.props.iter().position(|(p, _)| p == name);

    let n_rest = vertex.props.iter().filter(|(p, _)| p.starts_with("f_rest_")).count();
    let sh_degree = match n_rest {
        0 => 0,
        9 => 1,
        24 => 2,
        45 => 3,
        n => return Err(format!("{n} `f_rest_*` properties; 3DGS has 0, 9, 24 or 45 (SH degree 0 to 3)")),
    };
    let k = GaussianCloud::num_sh_coeffs(sh_degree);
    let mut wanted: Vec<String> = ["x", "y", "z", "f_dc_0", "f_dc_1", "f_dc_2"].map(String::from).into();
    wanted.extend((0..n_rest).map(|i| format!("f_rest_{i}")));
    wanted.extend(["opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"].map(String::from));
    let cols: Vec<usize> = wanted
        .iter()
        .map(|name| column(name).ok_or_else(|| format!("PLY vertex element has no `{name}` property")))
        .collect::<std::result::Result<_, _>>()?;

    let n = vertex.count;
    limits::check_gaussians(n)?;
    let table = match header.encoding {
        Encoding::Ascii => read_ascii(&bytes[header.body..], &header.elements, vi)?,
        enc => read_binary(&bytes[header.body..], &header.elements, vi, enc)?,
    };
    let width = vertex.props.len();

    let mut cloud = GaussianCloud {
        means: Vec::with_capacity(n),
        log_scales: Vec::with_capacity(n),
        quats: Vec::with_capacity(n),
        opacity_logits: Vec::with_capacity(n),
        sh_degree,
        sh: Vec::with_capacity(n * k * 3),
    };
    let mut v = vec![0.0f32; cols.len()];
    for i in 0..n {
        let row = &table[i * width..(i + 1) * width];
        for (slot, &c) in v.iter_mut().zip(&cols) {
            *slot = row[c];
            if !slot.is_finite() {
                return Err(format!("vertex {i}: property `{}` is {}", vertex.props[c].0, *slot));
            }
        }
        cloud.means.push([v[0], v[1], v[2]]);
        let (dc, rest, tail) = (&v[3..6], &v[6..6 + n_rest], &v[6 + n_rest..]);
        cloud.sh.extend_from_slice(dc);
        for j in 1..k {
            cloud.sh.extend((0..3).map(|ch| rest[ch * (k - 1) + (j - 1)]));
        }
        cloud.opacity_logits.push(tail[0]);
        cloud.log_scales.push([tail[1], tail[2], tail[3]]);
        cloud.quats.push([tail[4], tail[5], tail[6], tail[7]]);
    }
    // Finite values are checked per row above (with the row number); this adds the zero-quaternion check.
    cloud.validate()?;
    Ok(cloud)
}

/// The vertex element's values, row-major, as f32.
fn read_binary(body: &[u8], elements: &[Element], vi: usize, enc: Encoding) -> std::result::Result<Vec<f32>, String> {
    let row_size = |e: &Element| -> std::result::Result<usize, String> {
        e.props
            .iter()
            .map(|(name, t)| {
                t.map(Scalar::size).ok_or_else(|| {
                    format!(
                        "element `{}` before the vertices has list property `{name}`, which is not supported",
                        e.name
                    )
                })
            })
            .sum()
    };
    // Counts come from the header: a lie must become "truncated", not an overflow.
    let mut offset = 0usize;
    for e in &elements[..vi] {
        offset = row_size(e)?.checked_mul(e.count).and_then(|b| b.checked_add(offset)).unwrap_or(usize::MAX);
    }
    let vertex = &elements[vi];
    let stride = row_size(vertex)?;
    let available = body.len().saturating_sub(offset) / stride.max(1);
    if available < vertex.count {
        return Err(format!(
            "file is truncated: the header declares {} vertices, the data holds {available}",
            vertex.count
        ));
    }
    // More data than the header declares is a contradiction too (a count that was cut, a concatenated file): refused
    // rather than read in part. Checkable when the elements after the vertices have fixed-size rows.
    let after: Option<usize> = elements[vi + 1..]
        .iter()
        .map(|e| row_size(e).ok().and_then(|r| r.checked_mul(e.count)))
        .try_fold(0usize, |a, b| b.and_then(|b| a.checked_add(b)));
    if let Some(after) = after {
        let extra = body.len() - offset - stride * vertex.count;
        if extra > after {
            let rows = (extra - after) / stride.max(1);
            return Err(format!(
                "the header declares {} vertices, the data holds {} more bytes ({rows} more rows)",
                vertex.count,
                extra - after
            ));
        }
    }
    let types: Vec<Scalar> = vertex.props.iter().map(|(_, t)| t.expect("checked: no lists")).collect();
    let mut out = Vec::with_capacity(vertex.count * types.len());
    for row in body[offset..offset + stride * vertex.count].chunks_exact(stride) {
        let mut at = 0;
        for t in &types {
            out.push(t.decode(&row[at..], enc));
            at += t.size();
        }
    }
    Ok(out)
}

fn read_ascii(body: &[u8], elements: &[Element], vi: usize) -> std::result::Result<Vec<f32>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "ascii PLY body is not text")?;
    let skip = elements[..vi].iter().fold(0usize, |a, e| a.saturating_add(e.count));
    let vertex = &elements[vi];
    // Every value takes at least two bytes (a digit and a separator; the last may lack its separator), so a
    // count the body cannot hold is refused before the table is sized from it.
    let values = vertex.count.saturating_mul(vertex.props.len());
    if values.saturating_mul(2) > body.len() + 1 {
        return Err(format!(
            "file is truncated: the header declares {} vertices of {} values, the data holds {} bytes",
            vertex.count,
            vertex.props.len(),
            body.len()
        ));
    }
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).skip(skip);
    let mut out = Vec::with_capacity(vertex.count * vertex.props.len());
    for i in 0..vertex.count {
        let line = lines.next().ok_or_else(|| {
            format!("file is truncated: the header declares {} vertices, the data holds {i}", vertex.count)
        })?;
        let before = out.len();
        for word in line.split_whitespace() {
            out.push(word.parse::<f64>().map_err(|_| format!("vertex {i}: `{word}` is not a number"))? as f32);
        }
        if out.len() - before != vertex.props.len() {
            return Err(format!(
                "vertex {i}: {} values, the header declares {}",
                out.len() - before,
                vertex.props.len()
            ));
        }
    }
    let later = elements[vi + 1..].iter().fold(0usize, |a, e| a.saturating_add(e.count));
    let rest = lines.count();
    if rest > later {
        return Err(format!(
            "the header declares {} vertices, the data holds {} more rows",
            vertex.count,
            rest - later
        ));
    }
    Ok(out)
}
