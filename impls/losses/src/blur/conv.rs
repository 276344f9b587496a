//! The filter as two depthwise `conv2d` (an `[r·2+1, 1]` then a `[1, r·2+1]` kernel of the taps per channel, zero
//! padding `r`) on a backend's primitives: what every backend without a dedicated path runs, and the reference of
//! [`super::host`].

use super::taps_f32;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, TensorMetadata};
use burn::tensor::TensorData;
use burn::tensor::ops::ConvOptions;

/// [`super::gaussian_blur`] through `B::conv2d`, on `[N, K, H, W]`.
pub fn blur_conv<B: Backend>(x: FloatTensor<B>) -> FloatTensor<B> {
    let channels = x.shape()[1];
    let device = x.device();
    let taps = taps_f32();
    let window = taps.len();
    let pad = window / 2;
    let weight = |kh: usize, kw: usize| {
        let values: Vec<f32> = (0..channels).flat_map(|_| taps).collect();
        B::float_from_data(TensorData::new(values, [channels, 1, kh, kw]), &device)
    };
    let x = B::conv2d(x, weight(window, 1), None, ConvOptions::new([1, 1], [pad, 0], [1, 1], channels));
    B::conv2d(x, weight(1, window), None, ConvOptions::new([1, 1], [0, pad], [1, 1], channels))
}
