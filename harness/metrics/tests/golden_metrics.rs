//! Conformance of every metric with `$SPLATBENCH_SHARED/golden/metrics/reference.csv` (values from scikit-image,
//! the 3DGS SSIM in float64, and the official LPIPS): PSNR ±1e-4 dB, SSIM ±1e-4 in both conventions, LPIPS ±1e-4
//! for all three backbones, and undefined exactly where the reference has NaN (inf PSNR ↔ identical).
//! Needs the shared data and onnxruntime; fails naming what is missing (CI always has both).

use splatbench_core::Image;
use splatbench_io::imageio::read_image;
use splatbench_io::paths::shared_path;
use splatbench_metrics::{self as metrics, Lpips, Net, Undefined};

const TOL: f64 = 1e-4;

struct Row {
    name: String,
    a: Image,
    b: Image,
    psnr: f64,
    ssim: f64,
    ssim_skimage: f64,
    lpips: [f64; 3],
}

fn golden_rows() -> Vec<Row> {
    let dir = shared_path("golden/metrics").unwrap_or_else(|e| panic!("golden metric pairs: {e}"));
    let csv_path = dir.join("reference.csv");
    let mut reader = csv::Reader::from_path(&csv_path).unwrap_or_else(|e| panic!("{}: {e}", csv_path.display()));
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (c0, c1) = (col("img0"), col("img1"));
    let num = |rec: &csv::StringRecord, name: &str| -> f64 {
        rec[col(name)].parse().unwrap_or_else(|e| panic!("{name} = {:?}: {e}", &rec[col(name)]))
    };
    let rows: Vec<Row> = reader
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let image = |c: usize| read_image(&dir.join(&rec[c])).unwrap_or_else(|e| panic!("{e}"));
            let row = Row {
                name: rec[c0].to_string(),
                a: image(c0),
                b: image(c1),
                psnr: num(&rec, "psnr"),
                ssim: num(&rec, "ssim"),
                ssim_skimage: num(&rec, "ssim_skimage"),
                lpips: [num(&rec, "lpips_alex"), num(&rec, "lpips_vgg"), num(&rec, "lpips_squeeze")],
            };
            assert_eq!((row.a.width, row.a.height), (num(&rec, "width") as u32, num(&rec, "height") as u32));
            row
        })
        .collect();
    assert!(rows.len() >= 20, "{}: expected the 24 golden pairs, found {}", csv_path.display(), rows.len());
    rows
}

/// `got` matches a reference value: within TOL when finite, undefined exactly when the reference is NaN or ±inf.
fn check(what: &str, row: &str, got: Result<f64, Undefined>, want: f64, errors: &mut Vec<String>) {
    match got {
        Ok(v) if want.is_finite() && (v - want).abs() <= TOL => {}
        Err(_) if !want.is_finite() => {}
        other => errors.push(format!("{row} {what}: got {other:?}, reference {want}")),
    }
}

#[test]
fn psnr_and_both_ssims_match_the_reference() {
    let mut errors = Vec::new();
    let mut worst = [0.0f64; 3];
    for r in golden_rows() {
        let psnr = metrics::psnr(&r.a, &r.b).ok_or(Undefined::Identical);
        if let Ok(v) = psnr {
            worst[0] = worst[0].max((v - r.psnr).abs());
        }
        if r.psnr == f64::INFINITY {
            assert_eq!(psnr, Err(Undefined::Identical), "{}: inf PSNR must read as identical", r.name);
        }
        check("psnr", &r.name, psnr, r.psnr, &mut errors);
        let ssim = metrics::ssim(&r.a, &r.b);
        worst[1] = worst[1].max((ssim - r.ssim).abs());
        check("ssim", &r.name, Ok(ssim), r.ssim, &mut errors);
        let sk = metrics::ssim_skimage(&r.a, &r.b);
        if let Ok(v) = sk {
            worst[2] = worst[2].max((v - r.ssim_skimage).abs());
        }
        check("ssim_skimage", &r.name, sk, r.ssim_skimage, &mut errors);
    }
    println!("largest deviations: psnr {:.2e} dB, ssim {:.2e}, ssim_skimage {:.2e}", worst[0], worst[1], worst[2]);
    assert!(errors.is_empty(), "{} mismatches:\n{}", errors.len(), errors.join("\n"));
}

fn lpips_matches_the_reference(net: Net) {
    let rows = golden_rows();
    let lpips = Lpips::new(net).unwrap_or_else(|e| panic!("LPIPS {net} needs onnxruntime and the model: {e}"));
    let pairs: Vec<(&Image, &Image)> = rows.iter().map(|r| (&r.a, &r.b)).collect();
    let got = lpips.distance_batch(&pairs).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.len(), rows.len());
    let (mut errors, mut worst, mut defined) = (Vec::new(), 0.0f64, 0);
    for (r, d) in rows.iter().zip(got) {
        if let Ok(v) = d {
            worst = worst.max((v - r.lpips[net as usize]).abs());
            defined += 1;
        }
        check(&format!("lpips_{net}"), &r.name, d, r.lpips[net as usize], &mut errors);
    }
    println!("lpips_{net}: {defined} defined pairs, largest deviation {worst:.2e}");
    assert!(defined > 0, "no golden pair is large enough for LPIPS");
    assert!(errors.is_empty(), "{} mismatches:\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn lpips_alex_matches_the_reference() {
    lpips_matches_the_reference(Net::Alex);
}

#[test]
fn lpips_vgg_matches_the_reference() {
    lpips_matches_the_reference(Net::Vgg);
}

#[test]
fn lpips_squeeze_matches_the_reference() {
    lpips_matches_the_reference(Net::Squeeze);
}

#[test]
fn batched_and_single_lpips_agree() {
    let rows = golden_rows();
    let lpips = Lpips::new(Net::Squeeze).unwrap_or_else(|e| panic!("{e}"));
    // Pairs of one size in one run (N > 1) must give what each gives alone.
    let same: Vec<&Row> = rows.iter().filter(|r| (r.a.width, r.a.height) == (97, 51)).collect();
    assert!(same.len() >= 2, "the golden set has several 97x51 pairs");
    let pairs: Vec<(&Image, &Image)> = same.iter().map(|r| (&r.a, &r.b)).collect();
    let batched = lpips.distance_batch(&pairs).unwrap();
    for (r, d) in same.iter().zip(batched) {
        let single = lpips.distance(&r.a, &r.b).unwrap().unwrap();
        assert!((d.unwrap() - single).abs() < 1e-6, "{}", r.name);
    }
}

#[test]
fn a_memoized_scorer_gives_what_the_network_gives_and_tells_near_identical_pairs_apart() {
    let rows = golden_rows();
    let plain = Lpips::new(Net::Squeeze).unwrap_or_else(|e| panic!("{e}"));
    let memo = plain.clone().memoized();
    let r = rows.iter().find(|r| r.a.width >= 32 && r.a.height >= 32).expect("a golden pair LPIPS defines");
    let mut nudged = r.b.clone();
    nudged.data[0] = if nudged.data[0] > 0.5 { 0.0 } else { 1.0 };
    for _ in 0..2 {
        for b in [&r.b, &nudged] {
            let want = plain.distance(&r.a, b).unwrap().unwrap();
            let got = memo.distance(&r.a, b).unwrap().unwrap();
            assert!((got - want).abs() < 1e-6, "{}: memoized {got}, network {want}", r.name);
        }
    }
    let (d, dn) = (memo.distance(&r.a, &r.b).unwrap().unwrap(), memo.distance(&r.a, &nudged).unwrap().unwrap());
    assert_ne!(d, dn, "{}: a one-pixel change must not hit the memo of the unchanged pair", r.name);
}
