//! Why a metric has no value for a pair; its `Display` text is what reports put in their `notes`.

use std::fmt;

/// A metric that is not defined for the given input (reported as null/NaN with this reason, never as a number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undefined {
    /// PSNR of two equal images (MSE = 0): scikit-image returns `inf`.
    Identical,
    /// The image is smaller than the metric's window or network accepts.
    TooSmall { width: u32, height: u32, min_side: u32 },
    /// A masked metric whose mask has zero total weight.
    EmptyMask,
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undefined::Identical => f.write_str("identical"),
            Undefined::TooSmall { width, height, min_side } => {
                write!(f, "{width}x{height} is below the {min_side} px minimum side")
            }
            Undefined::EmptyMask => f.write_str("mask is empty"),
        }
    }
}

impl std::error::Error for Undefined {}
