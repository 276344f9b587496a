//! 3DGS PLY: bit-exact round trips, files written by hand from the format description, and every rejected defect.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::Error;
use splatbench_render::GaussianCloud;
use splatbench_render::ply::{property_names, read_ply, write_ply};
use std::path::Path;

fn random_cloud(n: usize, sh_degree: u32, seed: u64) -> GaussianCloud {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = GaussianCloud::num_sh_coeffs(sh_degree);
    let mut v = |s: f32| rng.random_range(-s..s);
    let mut c = GaussianCloud {
        means: (0..n).map(|_| [v(5.0), v(5.0), v(5.0)]).collect(),
        log_scales: (0..n).map(|_| [v(4.0), v(4.0), v(4.0)]).collect(),
        quats: (0..n).map(|_| [v(1.0) + 2.0, v(1.0), v(1.0), v(1.0)]).collect(),
        opacity_logits: (0..n).map(|_| v(8.0)).collect(),
        sh_degree,
        sh: (0..n * k * 3).map(|_| v(2.0)).collect(),
    };
    // Values whose bits a lossy path would change.
    c.means[0][0] = -0.0;
    c.sh[0] = f32::MIN_POSITIVE / 8.0; // subnormal
    c.opacity_logits[0] = f32::MAX;
    c
}

fn assert_bits_eq(a: &GaussianCloud, b: &GaussianCloud) {
    let bits = |c: &GaussianCloud| -> Vec<u32> {
        c.means
            .iter()
            .flatten()
            .chain(c.log_scales.iter().flatten())
            .chain(c.quats.iter().flatten())
            .chain(&c.opacity_logits)
            .chain(&c.sh)
            .map(|v| v.to_bits())
            .collect()
    };
    assert_eq!(a.sh_degree, b.sh_degree);
    assert_eq!((a.len(), a.sh.len()), (b.len(), b.sh.len()));
    assert_eq!(bits(a), bits(b));
}

#[test]
fn round_trip_is_bit_exact_for_every_degree() {
    let dir = tempfile::tempdir().unwrap();
    for degree in 0..=3 {
        let cloud = random_cloud(37, degree, degree as u64);
        let path = dir.path().join(format!("d{degree}.ply"));
        write_ply(&path, &cloud).unwrap();
        assert_bits_eq(&read_ply(&path).unwrap(), &cloud);
    }
    // Atomic write: only the final files are left.
    let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["d0.ply", "d1.ply", "d2.ply", "d3.ply"]);
}

#[test]
fn empty_cloud_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.ply");
    write_ply(&path, &GaussianCloud::empty(2)).unwrap();
    assert_bits_eq(&read_ply(&path).unwrap(), &GaussianCloud::empty(2));
}

#[test]
fn written_header_is_inria_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.ply");
    let cloud = random_cloud(2, 1, 7);
    write_ply(&path, &cloud).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut want = String::from("ply\nformat binary_little_endian 1.0\nelement vertex 2\n");
    let props = ["x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"]
        .into_iter()
        .map(String::from)
        .chain((0..9).map(|i| format!("f_rest_{i}")))
        .chain(["opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"].map(String::from))
        .collect::<Vec<_>>();
    assert_eq!(property_names(4), props);
    for p in &props {
        want += &format!("property float {p}\n");
    }
    want += "end_header\n";
    assert!(bytes.starts_with(want.as_bytes()), "{}", String::from_utf8_lossy(&bytes[..want.len()]));
    // Body: 2 rows of 26 little-endian f32; row 0 = mean, zero normal, DC, then f_rest channel-major.
    let body: Vec<f32> =
        bytes[want.len()..].chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
    assert_eq!(body.len(), 2 * 26);
    let k = 4;
    assert_eq!(body[..3], cloud.means[0]);
    assert_eq!(body[3..6], [0.0; 3]);
    assert_eq!(body[6..9], cloud.sh[..3]);
    for c in 0..3 {
        for j in 1..k {
            assert_eq!(body[9 + c * (k - 1) + (j - 1)].to_bits(), cloud.sh[j * 3 + c].to_bits());
        }
    }
    assert_eq!(body[18], cloud.opacity_logits[0]);
    assert_eq!(body[19..22], cloud.log_scales[0]);
    assert_eq!(body[22..26], cloud.quats[0]);
}

/// One property: name, PLY type, value per row.
type Column = (String, &'static str, Vec<f64>);

/// A degree-1 file with shuffled property order, a `double` opacity, extra `uchar`/`float` properties, and f_rest
/// holding 100 + index so the channel-major layout is visible in the result.
fn hand_columns() -> Vec<Column> {
    let col = |name: &str, ty: &'static str, v: [f64; 2]| (name.to_string(), ty, v.to_vec());
    let mut cols = vec![
        col("rot_3", "float", [0.4, -0.4]),
        col("scale_1", "float", [-1.25, -2.25]),
        col("red", "uchar", [200.0, 7.0]),
        col("opacity", "double", [0.75, -1.5]),
        col("z", "float", [3.0, 6.0]),
        col("rot_0", "float", [1.0, 0.5]),
    ];
    for i in (0..9).rev() {
        cols.push(col(&format!("f_rest_{i}"), "float", [100.0 + i as f64, 200.0 + i as f64]));
    }
    cols.extend([
        col("x", "float", [1.0, 4.0]),
        col("f_dc_2", "float", [0.3, 1.3]),
        col("y", "float", [2.0, 5.0]),
        col("rot_1", "float", [0.1, 0.6]),
        col("f_dc_0", "float", [0.1, 1.1]),
        col("scale_0", "float", [-1.0, -2.0]),
        col("confidence", "float", [9.0, 9.0]),
        col("nx", "float", [0.0, 0.0]),
        col("rot_2", "float", [0.2, 0.7]),
        col("f_dc_1", "float", [0.2, 1.2]),
        col("scale_2", "float", [-1.5, -2.5]),
    ]);
    cols
}

fn header(format: &str, cols: &[Column], count: usize) -> String {
    let mut h = format!("ply\nformat {format} 1.0\ncomment written by hand\nelement vertex {count}\n");
    for (name, ty, _) in cols {
        h += &format!("property {ty} {name}\n");
    }
    h + "end_header\n"
}

fn binary_file(cols: &[Column], count: usize, rows: usize) -> Vec<u8> {
    let mut bytes = header("binary_little_endian", cols, count).into_bytes();
    for r in 0..rows {
        for (_, ty, v) in cols {
            match *ty {
                "float" => bytes.extend_from_slice(&(v[r] as f32).to_le_bytes()),
                "double" => bytes.extend_from_slice(&v[r].to_le_bytes()),
                "uchar" => bytes.push(v[r] as u8),
                _ => unreachable!(),
            }
        }
    }
    bytes
}

fn check_hand_cloud(c: &GaussianCloud) {
    assert_eq!((c.len(), c.sh_degree), (2, 1));
    assert_eq!(c.means, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    assert_eq!(c.log_scales, [[-1.0, -1.25, -1.5], [-2.0, -2.25, -2.5]]);
    assert_eq!(c.quats, [[1.0, 0.1, 0.2, 0.4], [0.5, 0.6, 0.7, -0.4]]);
    assert_eq!(c.opacity_logits, [0.75, -1.5]);
    let k = 4;
    for (n, base, dc) in [(0, 100.0, [0.1, 0.2, 0.3]), (1, 200.0, [1.1, 1.2, 1.3])] {
        assert_eq!(c.sh[n * k * 3..n * k * 3 + 3], dc);
        for j in 1..k {
            for ch in 0..3 {
                // f_rest_{ch·(K−1) + (j−1)} is coefficient j of channel ch.
                let want = base + (ch * (k - 1) + (j - 1)) as f32;
                assert_eq!(c.sh[(n * k + j) * 3 + ch], want, "gaussian {n} coeff {j} channel {ch}");
            }
        }
    }
}

#[test]
fn hand_written_binary_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.ply");
    std::fs::write(&path, binary_file(&hand_columns(), 2, 2)).unwrap();
    check_hand_cloud(&read_ply(&path).unwrap());
}

#[test]
fn hand_written_ascii_file_loads() {
    let cols = hand_columns();
    let mut text = header("ascii", &cols, 2);
    for r in 0..2 {
        let row: Vec<String> = cols.iter().map(|(_, _, v)| format!("{}", v[r] as f32)).collect();
        text += &(row.join(" ") + "\n");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand_ascii.ply");
    std::fs::write(&path, text).unwrap();
    check_hand_cloud(&read_ply(&path).unwrap());
}

fn expect_input_error(path: &Path, bytes: &[u8], needle: &str) {
    std::fs::write(path, bytes).unwrap();
    match read_ply(path) {
        Err(Error::Input { path: p, msg }) => {
            assert_eq!(p, path);
            assert!(msg.contains(needle), "{}: `{msg}` should mention `{needle}`", path.display());
            assert!(!msg.contains('\n'), "one-line message: {msg}");
        }
        other => panic!("{}: expected an input error, got {other:?}", path.display()),
    }
}

#[test]
fn defects_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let cols = hand_columns();

    let missing: Vec<Column> = cols.iter().filter(|c| c.0 != "rot_2").cloned().collect();
    expect_input_error(&at("missing.ply"), &binary_file(&missing, 2, 2), "rot_2");

    expect_input_error(&at("short_rows.ply"), &binary_file(&cols, 3, 2), "truncated");
    expect_input_error(&at("long_rows.ply"), &binary_file(&cols, 1, 2), "more rows");
    let full = binary_file(&cols, 2, 2);
    expect_input_error(&at("short_bytes.ply"), &full[..full.len() - 5], "truncated");

    let mut nan = cols.clone();
    nan.iter_mut().find(|c| c.0 == "scale_1").unwrap().2[1] = f64::NAN;
    expect_input_error(&at("nan.ply"), &binary_file(&nan, 2, 2), "scale_1");

    let odd_rest: Vec<Column> = cols.iter().filter(|c| c.0 != "f_rest_8").cloned().collect();
    expect_input_error(&at("rest.ply"), &binary_file(&odd_rest, 2, 2), "f_rest");

    let mut zero_quat = cols.clone();
    for c in zero_quat.iter_mut().filter(|c| c.0.starts_with("rot_")) {
        c.2[0] = 0.0;
    }
    expect_input_error(&at("zero_quat.ply"), &binary_file(&zero_quat, 2, 2), "quaternion");

    let good = binary_file(&cols, 2, 2);
    let no_end = String::from_utf8_lossy(&good).replace("end_header", "end_of_it").into_bytes();
    expect_input_error(&at("no_end.ply"), &no_end, "end_header");
    expect_input_error(&at("not_ply.ply"), &good[1..], "not a PLY file");
    let bad_format = header("binary_middle_endian", &cols, 2);
    expect_input_error(&at("format.ply"), bad_format.as_bytes(), "binary_middle_endian");
    let bad_type = header("binary_little_endian", &cols, 2).replace("property uchar red", "property quad red");
    expect_input_error(&at("type.ply"), bad_type.as_bytes(), "quad");
    let bad_count = header("binary_little_endian", &cols, 2).replace("vertex 2", "vertex two");
    expect_input_error(&at("count.ply"), bad_count.as_bytes(), "vertex two");
    let no_vertex = header("binary_little_endian", &cols, 2).replace("element vertex", "element splat");
    expect_input_error(&at("no_vertex.ply"), no_vertex.as_bytes(), "vertex");

    match read_ply(at("does_not_exist.ply")) {
        Err(Error::Input { msg, .. }) => assert!(msg.contains("no such file"), "{msg}"),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn write_creates_missing_folders_and_an_unwritable_target_is_an_output_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/folder/out.ply");
    write_ply(&path, &random_cloud(3, 0, 1)).unwrap();
    assert_eq!(read_ply(&path).unwrap().len(), 3);
    // A file where a folder should be: the output's fault (exit 1), naming the target.
    let blocked = dir.path().join("no/such/folder/out.ply/inner.ply");
    match write_ply(&blocked, &random_cloud(3, 0, 1)) {
        Err(e @ Error::Output { .. }) => assert!(e.report().contains(&blocked.display().to_string()), "{e:?}"),
        other => panic!("expected an output error, got {other:?}"),
    }
}
