//! Branch-free `exp` for the tile loops, so they vectorise (libm's `expf` is an opaque call).
//!
//! Cephes-style: x = n·ln2 + r with n = round(x/ln2) (by the 1.5·2²³ trick, exact under SSE2 too) and
//! |r| ≤ ln2/2, e^r by a degree-7 polynomial, 2ⁿ by building the exponent bits with float adds and a shift. Relative error ≈ 2 ulp on
//! [−87, 0.3]; inputs below −87 return e^−87 (far below the 1/255 α threshold).

const LOG2E: f32 = std::f32::consts::LOG2_E;
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
const ROUND: f32 = 12_582_912.0;

#[inline(always)]
pub fn exp_nonpos(x: f32) -> f32 {
    let x = if x < -87.0 { -87.0 } else { x };
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5.000_000_1e-1;
    let y = p * r * r + r + 1.0;
    // 2ⁿ without an int conversion (whose saturation checks block vectorisation): adding 2²³ + 127 puts the
    // biased exponent n + 127 ∈ [1, 128] in the low mantissa bits; shifting by 23 moves it into the exponent.
    y * f32::from_bits((n + (8_388_608.0 + 127.0)).to_bits() << 23)
}

#[cfg(test)]
mod tests {
    use super::exp_nonpos;

    #[test]
    fn matches_std_exp() {
        let mut worst = 0.0f64;
        for i in 0..=200_000 {
            let x = -87.0 + 87.3 * i as f32 / 200_000.0;
            let got = exp_nonpos(x) as f64;
            let want = (x as f64).exp();
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst < 5e-7, "worst relative error {worst}");
    }
}
