//! Grouping and mean ± std for the report tables.

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

    pub fn cell(&self) -> String {
        match self.n {
            0 => "–".into(),
            1 => fmt(self.mean),
            _ => format!("{} ± {}", fmt(self.mean), fmt(self.std)),
        }
    }

    /// Delta cell, classed "better"/"worse" when n ≥ 2 and mean ± std excludes zero.
    pub fn delta_cell(&self, higher_better: bool) -> String {
        if self.n == 0 {
            return "–".into();
        }
        let text =
            if self.n > 1 { format!("{:+.4} ± {:.4}", self.mean, self.std) } else { format!("{:+.4}", self.mean) };
        let significant = self.n > 1 && self.mean.abs() > self.std;
        if !significant {
            return text;
        }
        let better = (self.mean > 0.0) == higher_better;
        format!("<span class=\"{}\">{text}</span>", if better { "better" } else { "worse" })
    }
}

pub fn fmt(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else if x.abs() >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_std_and_highlight() {
        let m = MeanStd::of([1.0, 2.0, 3.0].into_iter());
        assert_eq!((m.n, m.mean, m.std), (3, 2.0, 1.0));
        assert!(MeanStd::of([0.5, 0.6].into_iter()).delta_cell(true).contains("better"));
        assert!(MeanStd::of([0.5, 0.6].into_iter()).delta_cell(false).contains("worse"));
        assert!(!MeanStd::of([-1.0, 1.5].into_iter()).delta_cell(true).contains("span"));
        assert!(!MeanStd::of([2.0].into_iter()).delta_cell(true).contains("span"));
        assert_eq!(MeanStd::of(std::iter::empty()).cell(), "–");
    }
}
