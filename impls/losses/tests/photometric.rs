//! L1 and pixel-weighted L1 on hand-computed cases, and the weighted loss's gradient.

use burn::tensor::{Device, Tensor, TensorData};
use splatbench_losses::photometric::{l1, l1_weighted};

#[allow(deprecated)] // ndarray is the CPU backend the workspace builds
fn device() -> Device {
    Device::ndarray().autodiff()
}

fn img(v: Vec<f32>, h: usize, w: usize, device: &Device) -> Tensor<3> {
    Tensor::from_data(TensorData::new(v, [h, w, 3]), device)
}

fn scalar(t: Tensor<1>) -> f64 {
    t.into_data().convert::<f64>().try_into_vec::<f64>().unwrap()[0]
}

#[test]
fn l1_is_mean_absolute_difference() {
    let d = device();
    // 1×2 image: differences 0.1, -0.2, 0.3 | 0, 0.5, -0.6 → mean 1.7 / 6.
    let pred = img(vec![0.1, 0.0, 0.3, 0.5, 0.5, 0.0], 1, 2, &d);
    let target = img(vec![0.0, 0.2, 0.0, 0.5, 0.0, 0.6], 1, 2, &d);
    assert!((scalar(l1(pred, target)) - 1.7 / 6.0).abs() < 1e-6);
}

#[test]
fn weighted_l1_scales_each_pixel() {
    let d = device();
    let pred = img(vec![0.1, 0.0, 0.3, 0.5, 0.5, 0.0], 1, 2, &d);
    let target = img(vec![0.0, 0.2, 0.0, 0.5, 0.0, 0.6], 1, 2, &d);
    let ones = Tensor::<2>::ones([1, 2], &d);
    let plain = scalar(l1(pred.clone(), target.clone()));
    assert!((scalar(l1_weighted(pred.clone(), target.clone(), ones)) - plain).abs() < 1e-7);
    // Weight 2 on the first pixel (|e| sum 0.6), 0 on the second (1.1): 1.2 / 6.
    let w = Tensor::<2>::from_data(TensorData::new(vec![2.0f32, 0.0], [1, 2]), &d);
    assert!((scalar(l1_weighted(pred.clone(), target.clone(), w.clone())) - 1.2 / 6.0).abs() < 1e-6);
    // Gradient: w · sign(e) / (H·W·C); zero on the zero-weight pixel.
    let pred = pred.require_grad();
    let grads = l1_weighted(pred.clone(), target, w).backward();
    let g: Vec<f32> = pred.grad(&grads).unwrap().into_data().convert::<f32>().try_into_vec().unwrap();
    let want = [2.0 / 6.0, -2.0 / 6.0, 2.0 / 6.0, 0.0, 0.0, 0.0];
    for (a, b) in g.iter().zip(want) {
        assert!((*a as f64 - b).abs() < 1e-6, "{g:?}");
    }
}
