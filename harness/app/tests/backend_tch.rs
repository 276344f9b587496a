//! The libtorch backend against ndarray, through the bench: a fixed short run of every method on `--backend tch`
//! agrees with the same run on ndarray. Built only with `--features tch` (`cargo xtask test` runs it).
//!
//! The rasterizer is the same host kernel on both (its tensors are copied to and from libtorch), so differences come
//! from burn's tensor ops — Adam, losses, SSIM convolutions, activations — in libtorch's float32 against
//! ndarray's, which reorder sums and so round differently; over a short run they stay far below what a method change
//! moves. The shared check and its tolerance: `common/parity.rs`.
#![cfg(feature = "tch")]

mod common;
#[path = "common/parity.rs"]
mod parity;

#[test]
fn short_runs_agree_with_ndarray() {
    parity::short_runs_agree_with_ndarray("tch", &["head", "roigs", "nerf", "splart", "splatter"], parity::LOOSE);
}
