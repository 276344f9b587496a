//! A parallel sum whose bits do not depend on the thread count.
//!
//! Floating-point addition is not associative, and rayon's `sum` splits work by stealing, so the same input can sum
//! to values one ulp apart from run to run. Two identical CPU runs must give identical metrics, so every parallel
//! f64 reduction goes through [`ordered_sum`]: fixed chunks of [`CHUNK`] terms, each summed left to right, then the
//! chunk sums added left to right. The grouping depends only on `n`.

use rayon::prelude::*;

/// Terms per chunk: large enough that a chunk outweighs rayon's per-task cost.
pub const CHUNK: usize = 4096;

/// `Σ_{i<n} term(i)`, grouped as `Σ_chunks (Σ_{i in chunk} term(i))`, in index order, whatever the thread pool.
pub fn ordered_sum(n: usize, term: impl Fn(usize) -> f64 + Sync) -> f64 {
    let chunks: Vec<f64> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|k| (k * CHUNK..((k + 1) * CHUNK).min(n)).map(&term).sum::<f64>())
        .collect();
    chunks.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(i: usize) -> f64 {
        // Magnitudes spread over many binades, so any change of grouping shows in the low bits.
        ((i as f64 * 0.7548776662).fract() - 0.5) * 10f64.powi((i % 13) as i32 - 6)
    }

    #[test]
    fn the_bits_are_the_same_on_one_thread_and_on_many() {
        let n = 50 * CHUNK + 17;
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| ordered_sum(n, term))
        };
        let one = on(1);
        for threads in [2, 3, 8] {
            assert_eq!(on(threads).to_bits(), one.to_bits(), "{threads} threads");
        }
        // The plain reference: the same grouping written as two sequential loops.
        let reference: f64 =
            (0..n.div_ceil(CHUNK)).map(|k| (k * CHUNK..((k + 1) * CHUNK).min(n)).map(term).sum::<f64>()).sum();
        assert_eq!(one.to_bits(), reference.to_bits());
    }

    #[test]
    fn empty_and_short_inputs() {
        assert_eq!(ordered_sum(0, term), 0.0);
        assert_eq!(ordered_sum(3, |i| i as f64), 3.0);
    }
}
