//! Images, masks and depth maps as plain row-major buffers.

use serde::{Deserialize, Serialize};

/// f32 image in [0, 1], row-major H×W×C, C = 3 (RGB) or 4 (RGBA, straight alpha).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub channels: u32,
    pub data: Vec<f32>,
}

impl Image {
    pub fn new(width: u32, height: u32, channels: u32) -> Self {
        Image { width, height, channels, data: vec![0.0; (width * height * channels) as usize] }
    }

    pub fn from_fn(width: u32, height: u32, channels: u32, f: impl Fn(u32, u32, u32) -> f32) -> Self {
        let mut data = Vec::with_capacity((width * height * channels) as usize);
        for y in 0..height {
            for x in 0..width {
                for c in 0..channels {
                    data.push(f(x, y, c));
                }
            }
        }
        Image { width, height, channels, data }
    }

    pub fn pixels(&self) -> usize {
        (self.width * self.height) as usize
    }

    pub fn get(&self, x: u32, y: u32, c: u32) -> f32 {
        self.data[((y * self.width + x) * self.channels + c) as usize]
    }

    /// RGB composited over `background` when the image has alpha; RGB unchanged otherwise.
    pub fn to_rgb_over(&self, background: [f32; 3]) -> Image {
        if self.channels == 3 {
            return self.clone();
        }
        Image::from_fn(self.width, self.height, 3, |x, y, c| {
            let a = self.get(x, y, 3);
            self.get(x, y, c) * a + background[c as usize] * (1.0 - a)
        })
    }

    /// The alpha channel as a soft mask; `None` for RGB images.
    pub fn alpha(&self) -> Option<Mask> {
        (self.channels == 4).then(|| Mask {
            width: self.width,
            height: self.height,
            data: (0..self.pixels()).map(|i| self.data[i * 4 + 3]).collect(),
        })
    }
}

/// Per-pixel weight in [0, 1] (binary masks hold 0 or 1), row-major H×W.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mask {
    pub width: u32,
    pub height: u32,
    pub data: Vec<f32>,
}

/// z-depth per pixel, row-major H×W; non-finite or ≤ 0 means unknown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DepthMap {
    pub width: u32,
    pub height: u32,
    pub data: Vec<f32>,
}
