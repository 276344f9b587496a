//! The blur op against its reference, the two depthwise `conv2d` of `blur::conv` run through burn (and, under
//! autodiff, burn's own `conv2d` backward): forward values, the self-adjoint identity ⟨Ax, y⟩ = ⟨x, Ay⟩ in f64, and
//! the op's gradient against the reference's on the same upstream gradient.

// burn 0.22 deprecates burn-ndarray; it is the CPU backend the workspace builds.
#![allow(deprecated)]

use burn::backend::Dispatch;
use burn::tensor::{Device, Tensor, TensorData};
use splatbench_losses::blur::{conv::blur_conv, gaussian_blur, host::blur_planes, taps_f32};

fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn tensor(v: &[f32], shape: [usize; 4], device: &Device) -> Tensor<4> {
    Tensor::from_data(TensorData::new(v.to_vec(), shape), device)
}

fn host(t: Tensor<4>) -> Vec<f32> {
    t.into_data().to_vec::<f32>().unwrap()
}

fn reference(x: Tensor<4>) -> Tensor<4> {
    Tensor::from_dispatch(blur_conv::<Dispatch>(x.into_dispatch()))
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

/// Shapes around the window (11 taps): smaller than it, equal, larger, non-square, several planes.
const SHAPES: [[usize; 4]; 5] = [[1, 1, 1, 1], [1, 2, 3, 4], [1, 3, 11, 11], [2, 5, 17, 29], [1, 15, 40, 23]];

#[test]
fn forward_equals_the_conv2d_reference() {
    let device = Device::ndarray();
    for (i, shape) in SHAPES.into_iter().enumerate() {
        let v = values(shape.iter().product(), i as u64);
        let got = host(gaussian_blur(tensor(&v, shape, &device)));
        let want = host(reference(tensor(&v, shape, &device)));
        assert!(max_diff(&got, &want) < 1e-6, "{shape:?}: {}", max_diff(&got, &want));
        // The plain host function is what the op runs on NdArray.
        assert_eq!(got, blur_planes(&v, shape[2], shape[3], &taps_f32()));
    }
}

#[test]
fn the_filter_is_self_adjoint() {
    for (i, [n, k, h, w]) in SHAPES.into_iter().enumerate() {
        let len = n * k * h * w;
        let (x, y) = (values(len, 100 + i as u64), values(len, 200 + i as u64));
        let (ax, ay) = (blur_planes(&x, h, w, &taps_f32()), blur_planes(&y, h, w, &taps_f32()));
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(p, q)| f64::from(*p) * f64::from(*q)).sum::<f64>();
        let (lhs, rhs) = (dot(&ax, &y), dot(&x, &ay));
        assert!((lhs - rhs).abs() <= 1e-5 * lhs.abs().max(1.0), "[{n}, {k}, {h}, {w}]: {lhs} vs {rhs}");
    }
}

#[test]
fn gradient_equals_the_conv2d_backward() {
    let device = Device::ndarray().autodiff();
    for (i, shape) in SHAPES.into_iter().enumerate() {
        let len = shape.iter().product();
        let (v, upstream) = (values(len, 300 + i as u64), values(len, 400 + i as u64));
        let grad = |f: fn(Tensor<4>) -> Tensor<4>| {
            let x = tensor(&v, shape, &device).require_grad();
            let loss = (f(x.clone()) * tensor(&upstream, shape, &device)).sum();
            host(x.grad(&loss.backward()).expect("x is tracked"))
        };
        let (got, want) = (grad(gaussian_blur), grad(reference));
        assert!(max_diff(&got, &want) < 1e-6, "{shape:?}: {}", max_diff(&got, &want));
    }
}
