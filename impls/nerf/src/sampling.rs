//! Where along a ray NeRF evaluates its network: the two-stage sampling of Mildenhall et al. 2020, §5.2.
//!
//! - **Coarse (stratified)**: [near, far] is cut into N_c equal bins [eₖ, eₖ₊₁); one uniform draw in each,
//!   tₖ = eₖ + uₖ · (eₖ₊₁ − eₖ). At render time uₖ = ½ (bin midpoints), so images are deterministic.
//! - **Fine (inverse transform)**: the coarse weights wₖ (plus 1e-5 each, as the paper's code does, so no bin has
//!   zero mass) define a piecewise-constant PDF over the same bins, pₖ = ŵₖ / Σŵ, uniform within a bin. With the
//!   CDF c₀ = 0, cₖ₊₁ = cₖ + pₖ, a uniform u falls in the bin k with cₖ ≤ u < cₖ₊₁ and maps to
//!   t = eₖ + (u − cₖ)/pₖ · (eₖ₊₁ − eₖ). Training draws u ~ U[0, 1); rendering uses the stratified midpoints
//!   (j + ½)/N_f.
//! - The fine network evaluates the sorted union of the N_c coarse and N_f fine samples.
//!
//! Sampling runs on the host on the detached coarse weights: no gradient flows through sample positions (as in
//! the paper), and a ray's few hundred numbers are cheap beside the network.

use rand::Rng;

/// The paper's floor on each bin's mass before normalising.
pub const WEIGHT_FLOOR: f64 = 1e-5;

/// N + 1 equally spaced bin edges over [near, far].
pub fn bin_edges(n: usize, near: f64, far: f64) -> Vec<f64> {
    (0..=n).map(|k| near + (far - near) * k as f64 / n as f64).collect()
}

/// Stratified samples, `[rays, n]` row-major: one uniform draw per bin, or bin midpoints when `rng` is `None`.
pub fn stratified<R: Rng + ?Sized>(rays: usize, n: usize, near: f64, far: f64, mut rng: Option<&mut R>) -> Vec<f32> {
    let width = (far - near) / n as f64;
    let mut out = Vec::with_capacity(rays * n);
    for _ in 0..rays {
        for k in 0..n {
            let u = match rng.as_deref_mut() {
                Some(r) => r.random::<f64>(),
                None => 0.5,
            };
            out.push((near + (k as f64 + u) * width) as f32);
        }
    }
    out
}

/// Inverse-transform samples of the piecewise-constant PDF with bin `edges` (n + 1) and unnormalised bin masses
/// `weights` (n, each ≥ 0 after the floor), one per uniform in `us`, appended to `out` in the order of `us`.
pub fn sample_pdf(edges: &[f64], weights: &[f64], us: &[f64], out: &mut Vec<f64>) {
    let n = weights.len();
    debug_assert_eq!(edges.len(), n + 1);
    let total: f64 = weights.iter().sum();
    let mut cdf = Vec::with_capacity(n + 1);
    cdf.push(0.0);
    for w in weights {
        cdf.push(cdf.last().copied().unwrap_or(0.0) + w / total);
    }
    for &u in us {
        // Last k with cdf[k] ≤ u, kept below n so u ≈ 1 stays in the last bin.
        let k = cdf.partition_point(|&c| c <= u).saturating_sub(1).min(n - 1);
        let p = cdf[k + 1] - cdf[k];
        let f = if p > 0.0 { ((u - cdf[k]) / p).clamp(0.0, 1.0) } else { 0.5 };
        out.push(edges[k] + f * (edges[k + 1] - edges[k]));
    }
}

/// Fine samples for every ray, `[rays, n_fine]`, from the coarse weights `[rays, n_coarse]` of stratified bins
/// over [near, far]; random uniforms when `rng` is given, else the midpoints (j + ½)/n_fine.
pub fn fine_samples<R: Rng + ?Sized>(
    coarse_weights: &[f32],
    n_coarse: usize,
    n_fine: usize,
    near: f64,
    far: f64,
    mut rng: Option<&mut R>,
) -> Vec<f32> {
    let edges = bin_edges(n_coarse, near, far);
    let rays = coarse_weights.len() / n_coarse;
    let mut out = Vec::with_capacity(rays * n_fine);
    let (mut w, mut us, mut ts) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rays {
        w.clear();
        w.extend(coarse_weights[r * n_coarse..(r + 1) * n_coarse].iter().map(|&v| v.max(0.0) as f64 + WEIGHT_FLOOR));
        us.clear();
        match rng.as_deref_mut() {
            Some(g) => us.extend((0..n_fine).map(|_| g.random::<f64>())),
            None => us.extend((0..n_fine).map(|j| (j as f64 + 0.5) / n_fine as f64)),
        }
        ts.clear();
        sample_pdf(&edges, &w, &us, &mut ts);
        out.extend(ts.iter().map(|&t| t as f32));
    }
    out
}

/// Per ray, the sorted union of `a` (`[rays, na]`) and `b` (`[rays, nb]`): `[rays, na + nb]`.
pub fn sorted_union(a: &[f32], na: usize, b: &[f32], nb: usize) -> Vec<f32> {
    let rays = if na > 0 { a.len() / na } else { b.len() / nb.max(1) };
    let mut out = Vec::with_capacity(rays * (na + nb));
    for r in 0..rays {
        let start = out.len();
        out.extend_from_slice(&a[r * na..(r + 1) * na]);
        out.extend_from_slice(&b[r * nb..(r + 1) * nb]);
        out[start..].sort_by(f32::total_cmp);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Kolmogorov–Smirnov distance of `xs` from U[0, 1).
    fn ks_uniform(mut xs: Vec<f64>) -> f64 {
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        xs.iter()
            .enumerate()
            .map(|(i, &x)| (x - i as f64 / n).abs().max(((i + 1) as f64 / n - x).abs()))
            .fold(0.0, f64::max)
    }

    #[test]
    fn stratified_samples_are_uniform_within_their_bins() {
        let (rays, n, near, far) = (1000, 32, 2.0, 6.05);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let t = stratified(rays, n, near, far, Some(&mut rng));
        let width = (far - near) / n as f64;
        let mut offsets = Vec::new();
        for r in 0..rays {
            for k in 0..n {
                let f = (t[r * n + k] as f64 - near) / width - k as f64;
                // Every sample lies in its own bin (f32 rounding of t allows a hair outside).
                assert!((-1e-5..1.0 + 1e-5).contains(&f), "ray {r} bin {k}: offset {f}");
                offsets.push(f.clamp(0.0, 1.0));
            }
        }
        // KS critical value at α = 0.001 is 1.95/√n; 32 000 offsets.
        let d = ks_uniform(offsets.clone());
        let crit = 1.95 / (offsets.len() as f64).sqrt();
        assert!(d < crit, "KS distance {d} ≥ {crit}");
        // The test can fail: offsets squeezed into half the bin are far from uniform.
        assert!(ks_uniform(offsets.iter().map(|f| 0.5 * f).collect()) > crit);
        // Without a generator the samples are the bin midpoints.
        let mid = stratified::<ChaCha8Rng>(1, n, near, far, None);
        assert!((mid[0] as f64 - (near + 0.5 * width)).abs() < 1e-6);
    }

    #[test]
    fn inverse_transform_fills_each_bin_in_proportion_to_its_mass() {
        let weights = [0.05, 0.1, 0.0, 0.3, 0.2, 0.02, 0.23, 0.1];
        let edges = bin_edges(8, 1.0, 3.0);
        let n = 20_000;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let us: Vec<f64> = (0..n).map(|_| rng.random()).collect();
        let mut t = Vec::new();
        sample_pdf(&edges, &weights, &us, &mut t);
        let mut counts = [0usize; 8];
        for &x in &t {
            let k = (((x - 1.0) / 0.25) as usize).min(7);
            counts[k] += 1;
        }
        for k in 0..8 {
            let p = weights[k];
            let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
            assert!((counts[k] as f64 - mean).abs() <= 3.0 * sd, "bin {k}: {} vs {mean} ± {sd}", counts[k]);
        }
        assert_eq!(counts[2], 0, "a zero-mass bin gets no samples");
        // Within a bin the samples are uniform: the upper half of bin 3 holds half of bin 3's samples.
        let upper = t.iter().filter(|&&x| (1.875..2.0).contains(&x)).count() as f64;
        assert!((upper / counts[3] as f64 - 0.5).abs() < 0.03);
    }

    #[test]
    fn sorted_union_merges_each_ray() {
        let u = sorted_union(&[1.0, 3.0, 0.0, 4.0], 2, &[2.0, 0.5, 5.0, 1.0], 2);
        assert_eq!(u, [0.5, 1.0, 2.0, 3.0, 0.0, 1.0, 4.0, 5.0]);
    }
}
