//! SSIM against a direct f64 evaluation of the 3DGS definition (11×11 Gaussian window, zero padding), its value on
//! equal images, and its autodiff gradient against central differences of that f64 reference.

use burn::tensor::{Device, Tensor, TensorData};
use splatbench_losses::fused_ssim::fused_ssim;
use splatbench_losses::ssim::{C1, C2, dssim_loss, gaussian_taps, ssim, ssim_composed};

#[allow(deprecated)] // ndarray is the CPU backend the workspace builds
fn device() -> Device {
    Device::ndarray().autodiff()
}

/// Deterministic values in [0, 1) (a 64-bit LCG; enough for test images).
fn random_image(h: usize, w: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..h * w * 3)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

fn tensor(v: &[f64], h: usize, w: usize, device: &Device) -> Tensor<3> {
    let v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    Tensor::from_data(TensorData::new(v, [h, w, 3]), device)
}

fn scalar(t: Tensor<1>) -> f64 {
    t.into_data().convert::<f64>().try_into_vec::<f64>().unwrap()[0]
}

/// Direct f64 SSIM: the full 2-D window at every pixel, zero outside the image, mean over pixels and channels.
fn ssim_f64(x: &[f64], y: &[f64], h: usize, w: usize) -> f64 {
    let g = gaussian_taps();
    let at = |img: &[f64], i: isize, j: isize, c: usize| {
        if i < 0 || j < 0 || i >= h as isize || j >= w as isize {
            0.0
        } else {
            img[(i as usize * w + j as usize) * 3 + c]
        }
    };
    let mut total = 0.0;
    for c in 0..3 {
        for i in 0..h as isize {
            for j in 0..w as isize {
                let (mut mx, mut my, mut xx, mut yy, mut xy) = (0.0, 0.0, 0.0, 0.0, 0.0);
                for a in 0..11 {
                    for b in 0..11 {
                        let wgt = g[a] * g[b];
                        let (p, q) = (
                            at(x, i + a as isize - 5, j + b as isize - 5, c),
                            at(y, i + a as isize - 5, j + b as isize - 5, c),
                        );
                        mx += wgt * p;
                        my += wgt * q;
                        xx += wgt * p * p;
                        yy += wgt * q * q;
                        xy += wgt * p * q;
                    }
                }
                let (sx, sy, sxy) = (xx - mx * mx, yy - my * my, xy - mx * my);
                total += (2.0 * mx * my + C1) * (2.0 * sxy + C2) / ((mx * mx + my * my + C1) * (sx + sy + C2));
            }
        }
    }
    total / (h * w * 3) as f64
}

#[test]
fn taps_are_normalised_and_symmetric() {
    let g = gaussian_taps();
    assert!((g.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    for k in 0..5 {
        assert_eq!(g[k], g[10 - k]);
    }
    assert!(g[5] > g[4]);
}

#[test]
fn equal_images_give_one() {
    let d = device();
    let x = random_image(12, 9, 1);
    let v = scalar(ssim(tensor(&x, 12, 9, &d), tensor(&x, 12, 9, &d)));
    assert!((v - 1.0).abs() < 1e-6, "ssim(x, x) = {v}");
    let loss = scalar(dssim_loss(tensor(&x, 12, 9, &d), tensor(&x, 12, 9, &d)));
    assert!(loss.abs() < 1e-6, "dssim(x, x) = {loss}");
}

#[test]
fn matches_direct_f64_definition() {
    let d = device();
    // Non-square, one side shorter than the window, and a correlated pair so SSIM is far from 0 and 1.
    for (h, w) in [(13, 17), (7, 20)] {
        let x = random_image(h, w, 2);
        let noise = random_image(h, w, 3);
        let y: Vec<f64> = x.iter().zip(&noise).map(|(a, n)| 0.7 * a + 0.3 * n).collect();
        let want = ssim_f64(&x, &y, h, w);
        let got = scalar(ssim(tensor(&x, h, w, &d), tensor(&y, h, w, &d)));
        assert!((got - want).abs() < 2e-5, "{h}x{w}: ssim {got} vs f64 {want}");
        let dssim = scalar(dssim_loss(tensor(&x, h, w, &d), tensor(&y, h, w, &d)));
        assert!((dssim - (1.0 - want)).abs() < 2e-5, "dssim {dssim} vs {}", 1.0 - want);
    }
}

/// The gradient of `f` (SSIM of pred and a fixed target) against central differences of the f64 definition.
fn gradient_matches_finite_differences_for(f: fn(Tensor<3>, Tensor<3>) -> Tensor<1>, name: &str) {
    let d = device();
    let (h, w) = (6, 7);
    let x = random_image(h, w, 4);
    let y = random_image(h, w, 5);
    let pred = tensor(&x, h, w, &d).require_grad();
    let grads = f(pred.clone(), tensor(&y, h, w, &d)).backward();
    let grad = values(pred.grad(&grads).expect("pred has a gradient"));
    let eps = 1e-5;
    let mut max_err: f64 = 0.0;
    let max_grad = grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    for idx in (0..h * w * 3).step_by(5) {
        let mut plus = x.clone();
        plus[idx] += eps;
        let mut minus = x.clone();
        minus[idx] -= eps;
        let fd = (ssim_f64(&plus, &y, h, w) - ssim_f64(&minus, &y, h, w)) / (2.0 * eps);
        max_err = max_err.max((fd - grad[idx]).abs());
    }
    assert!(max_grad > 1e-4, "{name}: gradient is not trivially zero");
    assert!(max_err < 1e-3 * max_grad.max(1e-3), "{name}: max |autodiff − fd| = {max_err} (max |grad| {max_grad})");
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    t.into_data().convert::<f64>().try_into_vec().unwrap()
}

#[test]
fn gradient_matches_finite_differences() {
    gradient_matches_finite_differences_for(fused_ssim, "fused");
    gradient_matches_finite_differences_for(ssim_composed, "composed");
}

#[test]
fn the_fused_op_gives_the_composed_value_and_gradients_of_both_images() {
    let d = device();
    // Larger than the window on both sides, odd, non-square; a correlated pair.
    let (h, w) = (37, 29);
    let x = random_image(h, w, 6);
    let noise = random_image(h, w, 7);
    let y: Vec<f64> = x.iter().zip(&noise).map(|(a, n)| 0.6 * a + 0.4 * n).collect();
    let run = |f: fn(Tensor<3>, Tensor<3>) -> Tensor<1>, track_y: bool| {
        let (p, t) = (tensor(&x, h, w, &d).require_grad(), tensor(&y, h, w, &d));
        let t = if track_y { t.require_grad() } else { t };
        // A scaled loss, so the upstream gradient is not 1.
        let loss = f(p.clone(), t.clone()).mul_scalar(-3.0);
        let value = values(loss.clone())[0];
        let grads = loss.backward();
        (value, values(p.grad(&grads).unwrap()), t.grad(&grads).map(values))
    };
    for track_y in [true, false] {
        let (v_f, gx_f, gy_f) = run(fused_ssim, track_y);
        let (v_c, gx_c, gy_c) = run(ssim_composed, track_y);
        assert!((v_f - v_c).abs() < 1e-5, "value: fused {v_f}, composed {v_c}");
        let close = |a: &[f64], b: &[f64], what: &str| {
            let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let err = a.iter().zip(b).fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
            assert!(scale > 1e-6 && err < 1e-4 * scale, "{what}: max diff {err}, max |grad| {scale}");
        };
        close(&gx_f, &gx_c, "d/dpred");
        match (gy_f, gy_c) {
            (Some(f), Some(c)) => close(&f, &c, "d/dtarget"),
            (None, None) => assert!(!track_y),
            (f, c) => panic!("target gradient: fused {:?}, composed {:?}", f.is_some(), c.is_some()),
        }
    }
}

#[test]
fn on_ndarray_ssim_is_the_fused_op() {
    let d = device();
    let (h, w) = (19, 23);
    let (x, y) = (random_image(h, w, 8), random_image(h, w, 9));
    let via_ssim = values(ssim(tensor(&x, h, w, &d), tensor(&y, h, w, &d)))[0];
    let fused = values(fused_ssim(tensor(&x, h, w, &d), tensor(&y, h, w, &d)))[0];
    assert_eq!(via_ssim.to_bits(), fused.to_bits());
}
