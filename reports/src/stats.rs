//! Grouping, mean ± std, and the 95 % confidence interval of an ablation delta for the report tables.

use std::collections::BTreeMap;

pub struct Group;

impl Group {
    /// Group items by key, keys sorted, items in input order.
    pub fn by<'a, T: 'a, K: Ord>(items: impl Iterator<Item = &'a T>, key: impl Fn(&T) -> K) -> BTreeMap<K, Vec<&'a T>> {
        let mut out: BTreeMap<K, Vec<&T>> = BTreeMap::new();
        for it in items {
            out.entry(key(it)).or_default().push(it);
        }
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanStd {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for one value.
    pub std: f64,
}

impl MeanStd {
    pub fn of(values: impl Iterator<Item = f64>) -> MeanStd {
        let v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
        let n = v.len();
        if n == 0 {
            return MeanStd { n, mean: f64::NAN, std: f64::NAN };
        }
        let mean = v.iter().sum::<f64>() / n as f64;
        let std = if n > 1 { (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() } else { 0.0 };
        MeanStd { n, mean, std }
    }

    /// Half-width of the two-sided 95 % confidence interval of the mean, t(0.975, n − 1)·s/√n; `None` below 2
    /// values, where there is no spread to estimate.
    pub fn ci95(&self) -> Option<f64> {
        (self.n >= 2).then(|| t_975(self.n - 1) * self.std / (self.n as f64).sqrt())
    }

    /// What a mean paired delta says: better or worse where its 95 % interval excludes zero, else not
    /// significant; untested below two pairs.
    pub fn verdict(&self, higher_better: bool) -> Verdict {
        match self.ci95() {
            None => Verdict::Untested,
            Some(half) if self.mean.abs() <= half => Verdict::NotSignificant,
            Some(_) if (self.mean > 0.0) == higher_better => Verdict::Better,
            Some(_) => Verdict::Worse,
        }
    }
}

/// The outcome of a paired comparison against the control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Better,
    Worse,
    NotSignificant,
    /// Fewer than two pairs: no spread, no test.
    Untested,
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom (`df` ≥ 1): exact to 3 decimals from a table
/// up to 30, then the Cornish–Fisher expansion around the normal quantile (error < 1e-3 there).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    assert!(df >= 1, "t quantile needs at least one degree of freedom");
    if df <= TABLE.len() {
        return TABLE[df - 1];
    }
    let (z, n) = (1.959_963_984_540_054_f64, df as f64);
    z + (z.powi(3) + z) / (4.0 * n) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_and_verdicts() {
        let m = MeanStd::of([1.0, 2.0, 3.0].into_iter());
        assert_eq!((m.n, m.mean, m.std), (3, 2.0, 1.0));
        let verdict = |v: &[f64], higher_better| MeanStd::of(v.iter().copied()).verdict(higher_better);
        assert_eq!(verdict(&[0.5, 0.6, 0.55], true), Verdict::Better);
        assert_eq!(verdict(&[0.5, 0.6, 0.55], false), Verdict::Worse);
        assert_eq!(verdict(&[-1.0, 1.5], true), Verdict::NotSignificant);
        assert_eq!(verdict(&[2.0], true), Verdict::Untested);
        assert_eq!(MeanStd::of(std::iter::empty()).n, 0);
        // |mean| > std but inside the t interval: at 2 seeds that is p ≈ 0.39, not a finding.
        let weak = MeanStd::of([0.2, 1.0].into_iter());
        assert!(weak.mean.abs() > weak.std && weak.verdict(true) == Verdict::NotSignificant);
        // Half-width t·s/√n: values 1, 2, 3 have s = 1, so 4.303/√3.
        let ci = MeanStd::of([1.0, 2.0, 3.0].into_iter()).ci95().unwrap();
        assert!((ci - 4.303 / 3f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn t_quantiles_match_the_table_and_the_normal_limit() {
        for (df, t) in [(1, 12.706), (2, 4.303), (4, 2.776), (10, 2.228), (30, 2.042), (40, 2.021), (120, 1.980)] {
            assert!((t_975(df) - t).abs() < 1e-3, "t(0.975, {df}) = {} ≠ {t}", t_975(df));
        }
        assert!((t_975(100_000) - 1.95996).abs() < 1e-4);
        assert!((1..200).all(|d| t_975(d) > t_975(d + 1)), "not decreasing in df");
    }
}
