//! Gaussian helpers: k-NN scales against brute force, 3DGS initial values, input errors, the renderer tensors'
//! shapes and the host round trip.

use burn::tensor::Device;
use splatbench_core::{Camera, Error, PointCloud};
use splatbench_gstrain::gaussians::{
    GaussianLrs, LOG_SCALES, OPACITY_LOGITS, QUATS, SH, SH_C0, from_cloud, init_from_points, random_cloud,
    scene_extent, tensors, to_cloud,
};
use splatbench_gstrain::knn::mean_sq_dist_knn3;

#[allow(deprecated)] // ndarray is the CPU backend the workspace builds
fn device() -> Device {
    Device::ndarray().autodiff()
}

fn brute_force(points: &[[f64; 3]]) -> Vec<f64> {
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut d: Vec<f64> = points
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, q)| (0..3).map(|k| (p[k] - q[k]).powi(2)).sum())
                .collect();
            d.sort_by(f64::total_cmp);
            let k = d.len().min(3);
            if k == 0 { 0.0 } else { d[..k].iter().sum::<f64>() / k as f64 }
        })
        .collect()
}

#[test]
fn knn_matches_brute_force() {
    // Clustered and uniform points, with exact duplicates.
    let mut points = random_cloud(700, [0.0; 3], 1.0, 3).positions;
    points.extend(random_cloud(300, [5.0, 0.0, 0.0], 0.01, 4).positions);
    points.push(points[10]);
    points.push(points[10]);
    let fast = mean_sq_dist_knn3(&points);
    let slow = brute_force(&points);
    for (i, (a, b)) in fast.iter().zip(&slow).enumerate() {
        assert!((a - b).abs() <= 1e-12 * b.max(1.0), "point {i}: {a} vs {b}");
    }
    assert_eq!(mean_sq_dist_knn3(&[[1.0, 2.0, 3.0]]), vec![0.0]);
    assert_eq!(mean_sq_dist_knn3(&[[0.0; 3], [3.0, 4.0, 0.0]]), vec![25.0, 25.0]);
}

#[test]
fn init_follows_3dgs() {
    let d = device();
    let cloud = PointCloud {
        positions: vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]],
        colors: vec![[0.5, 1.0, 0.0]; 4],
    };
    let p = init_from_points(&cloud, 1, &GaussianLrs::three_dgs(2.0), &d).unwrap();
    assert_eq!(p.len(), 4);
    // Point 0's neighbours at squared distances 1, 4, 4 → scale sqrt(3).
    let (ls, _) = p.to_host(LOG_SCALES);
    assert!(ls[..3].iter().all(|&l| (l as f64 - 0.5 * 3f64.ln()).abs() < 1e-6), "{ls:?}");
    assert_eq!(&p.to_host(QUATS).0[..4], &[1.0, 0.0, 0.0, 0.0]);
    let (op, _) = p.to_host(OPACITY_LOGITS);
    assert!((splatbench_core::maths::sigmoid(op[0] as f64) - 0.1).abs() < 1e-6);
    let (sh, c) = p.to_host(SH);
    assert_eq!(c, 12);
    assert!((sh[0] as f64).abs() < 1e-7 && (sh[1] as f64 - 0.5 / SH_C0).abs() < 1e-5);
    assert!((sh[2] as f64 + 0.5 / SH_C0).abs() < 1e-5 && sh[3..12].iter().all(|&v| v == 0.0));
    assert!((p.lr("means") - 1.6e-4 * 2.0).abs() < 1e-12);

    let g = tensors(&p, 1);
    assert_eq!(g.means.dims(), [4, 3]);
    assert_eq!(g.opacity_logits.dims(), [4]);
    assert_eq!(g.sh.dims(), [4, 4, 3]);
    assert!(g.means.is_require_grad());
    let cloud_out = to_cloud(&p, 1);
    assert_eq!(cloud_out.sh_degree, 1);
    assert_eq!(cloud_out.means[2], [0.0, 2.0, 0.0]);
    assert_eq!(cloud_out.sh[..12], sh[..12]);
    let back = from_cloud(&cloud_out, &GaussianLrs::three_dgs(2.0), &d).unwrap();
    assert_eq!(to_cloud(&back, 1), cloud_out);
}

#[test]
fn bad_point_clouds_are_input_errors() {
    let d = device();
    let lrs = GaussianLrs::three_dgs(1.0);
    let empty = PointCloud { positions: vec![], colors: vec![] };
    let mismatched = PointCloud { positions: vec![[0.0; 3]; 2], colors: vec![[0.0; 3]] };
    let nan = PointCloud { positions: vec![[f64::NAN, 0.0, 0.0]], colors: vec![[0.0; 3]] };
    for cloud in [empty, mismatched, nan] {
        assert!(matches!(init_from_points(&cloud, 0, &lrs, &d), Err(Error::Input { .. })));
    }
    let ok = PointCloud { positions: vec![[0.0; 3]], colors: vec![[0.0; 3]] };
    assert!(matches!(init_from_points(&ok, 4, &lrs, &d), Err(Error::Input { .. })));
}

#[test]
fn scene_extent_is_camera_spread() {
    let at = |x: f64| {
        Camera::from_c2w_opencv(
            [[1.0, 0.0, 0.0, x], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
            splatbench_core::Intrinsics::centred(8, 8, 8.0),
        )
    };
    let e = scene_extent(&[at(-1.0), at(1.0), at(3.0)]);
    assert!((e - 1.1 * 2.0).abs() < 1e-9, "{e}");
    assert_eq!(scene_extent(&[at(1.0)]), 1.0);
}
