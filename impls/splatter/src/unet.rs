//! The U-Net that maps one RGB image to a splatter image (one raw Gaussian per pixel).
//!
//! ```text
//! x₀ = block(conv₃ₓ₃(2·rgb − 1))                       width w₀ = width,            H × W
//! xₖ = block(act(GN(conv₃ₓ₃,stride 2(xₖ₋₁))))          width wₖ = width·2ᵏ,         H/2ᵏ × W/2ᵏ,  k = 1..depth
//! u_depth = x_depth
//! uₖ = block(act(GN(conv₃ₓ₃([up₂(uₖ₊₁), xₖ]))))        width wₖ,  k = depth−1..0     (skip connections)
//! raw = conv₁ₓ₁(u₀)                                    raw_channels(cfg) per pixel (15, or 24 with SH degree 1)
//! block(x) = x + act(GN(conv₃ₓ₃(x)))                   (residual), act = SiLU, up₂ = nearest ×2
//! ```
//!
//! Weights are drawn on the host from a seeded ChaCha8 (U(±1/√fan_in), PyTorch's default for convolutions), so a
//! seed gives the same network on every backend. The last layer follows the Splatter Image reference: small
//! weights on offset, opacity, scale and rotation, and biases that start every pixel as a faint, small Gaussian at
//! mid depth (see [`crate::splat::output_bias`]); the SH degree-1 band, when on, starts with small weights and
//! zero bias (no view dependence at first).

use crate::splat::{output_bias, output_weight_gain, raw_channels};
use burn::module::{Module, Param};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{GroupNorm, GroupNormConfig};
use burn::tensor::activation::silu;
use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::SplatterConfig;

/// conv → group norm → SiLU.
#[derive(Module, Debug)]
pub struct ConvNormAct {
    conv: Conv2d,
    norm: GroupNorm,
}

impl ConvNormAct {
    fn new(cin: usize, cout: usize, stride: usize, groups: usize, rng: &mut ChaCha8Rng, device: &Device) -> Self {
        ConvNormAct {
            conv: conv(cin, cout, 3, stride, 1.0, rng, device),
            norm: GroupNormConfig::new(groups, cout).init(device),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        silu(self.norm.forward(self.conv.forward(x)))
    }
}

/// One U-Net level: the convolution that enters it (down-sampling or merging a skip) and a residual block.
#[derive(Module, Debug)]
pub struct Level {
    enter: ConvNormAct,
    block: ConvNormAct,
}

impl Level {
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let h = self.enter.forward(x);
        h.clone() + self.block.forward(h)
    }
}

#[derive(Module, Debug)]
pub struct UNet {
    stem: Conv2d,
    stem_block: ConvNormAct,
    down: Vec<Level>,
    up: Vec<Level>,
    head: Conv2d,
}

/// Weight gain of the SH degree-1 outputs, as small as the reference's offset, opacity, scale and rotation.
const SH1_GAIN: f32 = 0.05;

/// A convolution with PyTorch's default initialisation scaled by `gain`, drawn from `rng`.
fn conv(cin: usize, cout: usize, k: usize, stride: usize, gain: f32, rng: &mut ChaCha8Rng, device: &Device) -> Conv2d {
    let mut c = Conv2dConfig::new([cin, cout], [k, k])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(k / 2, k / 2, k / 2, k / 2))
        .init(device);
    let bound = 1.0 / ((cin * k * k) as f32).sqrt();
    let mut draw = |n: usize| (0..n).map(|_| gain * rng.random_range(-bound..bound)).collect::<Vec<f32>>();
    c.weight =
        Param::from_tensor(Tensor::from_data(TensorData::new(draw(cout * cin * k * k), [cout, cin, k, k]), device));
    c.bias = Some(Param::from_tensor(Tensor::from_data(TensorData::new(draw(cout), [cout]), device)));
    c
}

/// Nearest-neighbour ×2 up-sampling by broadcasting (its backward is burn's sum over the broadcast axes).
fn up2(x: Tensor<4>) -> Tensor<4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h, 1, w, 1]).expand([b, c, h, 2, w, 2]).reshape([b, c, 2 * h, 2 * w])
}

impl UNet {
    pub fn new(cfg: &SplatterConfig, seed: u64, device: &Device) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let g = cfg.groups;
        let w = |k| cfg.level_width(k);
        let stem = conv(3, w(0), 3, 1, 1.0, &mut rng, device);
        let stem_block = ConvNormAct::new(w(0), w(0), 1, g, &mut rng, device);
        let down = (1..=cfg.depth)
            .map(|k| Level {
                enter: ConvNormAct::new(w(k - 1), w(k), 2, g, &mut rng, device),
                block: ConvNormAct::new(w(k), w(k), 1, g, &mut rng, device),
            })
            .collect();
        let up = (0..cfg.depth)
            .rev()
            .map(|k| Level {
                enter: ConvNormAct::new(w(k + 1) + w(k), w(k), 1, g, &mut rng, device),
                block: ConvNormAct::new(w(k), w(k), 1, g, &mut rng, device),
            })
            .collect();
        let out = raw_channels(cfg);
        let mut head = conv(w(0), out, 1, 1, 1.0, &mut rng, device);
        // Reference initialisation: per output channel a weight gain and a bias (splat::output_bias).
        let mut gains = output_weight_gain().to_vec();
        gains.resize(out, SH1_GAIN);
        let weights = splatbench_train::tensors::to_vec(head.weight.val());
        let per_out = w(0);
        let scaled: Vec<f32> = weights.iter().enumerate().map(|(i, v)| v * gains[i / per_out]).collect();
        head.weight = Param::from_tensor(Tensor::from_data(TensorData::new(scaled, [out, w(0), 1, 1]), device));
        let mut bias = output_bias(cfg).to_vec();
        bias.resize(out, 0.0);
        head.bias = Some(Param::from_tensor(Tensor::from_data(TensorData::new(bias, [out]), device)));
        UNet { stem, stem_block, down, up, head }
    }

    /// `rgb` `[B, 3, H, W]` in [0, 1] → raw per-pixel parameters `[B, raw_channels(cfg), H, W]`.
    pub fn forward(&self, rgb: Tensor<4>) -> Tensor<4> {
        let x = self.stem.forward(rgb.mul_scalar(2.0).sub_scalar(1.0));
        let x = x.clone() + self.stem_block.forward(x);
        let mut skips = vec![x];
        for level in &self.down {
            let next = level.forward(skips.last().expect("at least the stem").clone());
            skips.push(next);
        }
        let mut u = skips.pop().expect("the bottleneck");
        for level in &self.up {
            let skip = skips.pop().expect("one skip per up level");
            u = level.forward(Tensor::cat(vec![up2(u), skip], 1));
        }
        self.head.forward(u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::splat::RAW_CHANNELS;
    use splatbench_core::Backend;

    #[test]
    fn the_degree_one_band_starts_small_beside_the_colour_and_degree_zero_keeps_its_draws() {
        let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
        let cfg = SplatterConfig { width: 4, groups: 2, depth: 1, ..SplatterConfig::default() };
        let one = SplatterConfig { sh_degree: 1, ..cfg.clone() };
        let rgb: Vec<f32> = (0..3 * 16 * 16).map(|i| ((i * 37 % 101) as f32) / 100.0).collect();
        let x = Tensor::<4>::from_data(TensorData::new(rgb, [1, 3, 16, 16]), &device);
        let raw = |c: &SplatterConfig| splatbench_train::tensors::to_vec(UNet::new(c, 4, &device).forward(x.clone()));
        let (r0, r1) = (raw(&cfg), raw(&one));
        assert_eq!((r0.len(), r1.len()), (RAW_CHANNELS * 256, (RAW_CHANNELS + 9) * 256));
        // Same weights before the head: the degree-0 channels of both heads see the same features.
        let spread = |v: &[f32]| {
            let m = v.iter().sum::<f32>() / v.len() as f32;
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f32>() / v.len() as f32).sqrt()
        };
        let channel = |r: &[f32], c: usize| r[c * 256..(c + 1) * 256].to_vec();
        let colour: f32 = (12..15).map(|c| spread(&channel(&r1, c))).sum::<f32>() / 3.0;
        let band: f32 = (15..24).map(|c| spread(&channel(&r1, c))).sum::<f32>() / 9.0;
        let mean_abs: f32 = (15..24).flat_map(|c| channel(&r1, c)).map(f32::abs).sum::<f32>() / (9.0 * 256.0);
        assert!(band < 0.2 * colour, "band spread {band} vs colour spread {colour}");
        assert!(mean_abs < 0.2 * colour, "band values {mean_abs} vs colour spread {colour}");
        assert_eq!(channel(&r0, 0), channel(&r1, 0), "the degree-0 network must not change with the option off");
    }
}
