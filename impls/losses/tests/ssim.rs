//! SSIM against a direct f64 evaluation of the 3DGS definition (11×11 Gaussian window, zero padding), its value on
//! equal images, and its autodiff gradient against central differences of that f64 reference.

use burn::tensor::{Device, Tensor, TensorData};
use splatbench_losses::ssim::{C1, C2, dssim_loss, gaussian_taps, ssim};

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

#[test]
fn gradient_matches_finite_differences() {
    let d = device();
    let (h, w) = (6, 7);
    let x = random_image(h, w, 4);
    let y = random_image(h, w, 5);
    let pred = tensor(&x, h, w, &d).require_grad();
    let grads = ssim(pred.clone(), tensor(&y, h, w, &d)).backward();
    let grad: Vec<f64> =
        pred.grad(&grads).expect("pred has a gradient").into_data().convert::<f64>().try_into_vec().unwrap();
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
    assert!(max_grad > 1e-4, "gradient is not trivially zero");
    assert!(max_err < 1e-3 * max_grad.max(1e-3), "max |autodiff − fd| = {max_err} (max |grad| {max_grad})");
}
