//! The U-Net that maps one RGB image to a splatter image (one raw Gaussian per pixel).
//!
//! ```text
//! x₀ = block(conv₃ₓ₃(2·rgb − 1))                       width w₀ = width,            H × W
//! xₖ = block(act(GN(conv₃ₓ₃,stride 2(xₖ₋₁))))          width wₖ = width·2ᵏ,         H/2ᵏ × W/2ᵏ,  k = 1..depth
//! u_depth = x_depth
//! uₖ = block(act(GN(conv₃ₓ₃([up₂(uₖ₊₁), xₖ]))))        width wₖ,  k = depth−1..0     (skip connections)
//! raw = conv₁ₓ₁(u₀)                                    RAW_CHANNELS per pixel
//! block(x) = x + act(GN(conv₃ₓ₃(x)))                   (residual), act = SiLU, up₂ = nearest ×2
//! ```
//!
//! Weights are drawn on the host from a seeded ChaCha8 (U(±1/√fan_in), PyTorch's default for convolutions), so a
//! seed gives the same network on every backend. The last layer follows the Splatter Image reference: small
//! weights on offset, opacity, scale and rotation, and biases that start every pixel as a faint, small Gaussian at
//! mid depth (see [`crate::splat::output_bias`]).

use crate::splat::{RAW_CHANNELS, output_bias, output_weight_gain};
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
        let mut head = conv(w(0), RAW_CHANNELS, 1, 1, 1.0, &mut rng, device);
        // Reference initialisation: per output channel a weight gain and a bias (splat::output_bias).
        let gains = output_weight_gain();
        let weights = splatbench_train::tensors::to_vec(head.weight.val());
        let per_out = w(0);
        let scaled: Vec<f32> = weights.iter().enumerate().map(|(i, v)| v * gains[i / per_out]).collect();
        head.weight =
            Param::from_tensor(Tensor::from_data(TensorData::new(scaled, [RAW_CHANNELS, w(0), 1, 1]), device));
        let bias = output_bias(cfg).to_vec();
        head.bias = Some(Param::from_tensor(Tensor::from_data(TensorData::new(bias, [RAW_CHANNELS]), device)));
        UNet { stem, stem_block, down, up, head }
    }

    /// `rgb` `[B, 3, H, W]` in [0, 1] → raw per-pixel parameters `[B, RAW_CHANNELS, H, W]`.
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
