//! How every number in the report is printed: each metric at its own fixed number of digits with the direction
//! that is better (↑ or ↓) in its header, counts as integers, method statistics as integers where they are whole.
//! One place, so that a column never mixes precisions and a count never shows a decimal point.

use crate::stats::MeanStd;

/// A column of numbers: what it is, which way is better, and how many decimals it prints.
#[derive(Clone, Debug, PartialEq)]
pub struct Col {
    /// Key in [`splatbench_record::RunRecord::aggregate`] (or the timing field's name).
    pub key: String,
    pub label: String,
    pub higher_better: bool,
    pub decimals: usize,
}

pub fn arrow(higher_better: bool) -> &'static str {
    if higher_better { "↑" } else { "↓" }
}

impl Col {
    fn new(key: &str, label: &str, higher_better: bool, decimals: usize) -> Col {
        Col { key: key.into(), label: label.into(), higher_better, decimals }
    }

    /// A quality metric by its aggregate key: PSNR in dB at 2 decimals, SSIM and LPIPS at 4.
    pub fn metric(key: &str) -> Col {
        match key {
            "psnr" => Col::new(key, "PSNR dB", true, 2),
            "ssim" => Col::new(key, "SSIM", true, 4),
            "psnr_masked" => Col::new(key, "masked PSNR dB", true, 2),
            "ssim_masked" => Col::new(key, "masked SSIM", true, 4),
            _ => match key.strip_prefix("lpips_") {
                Some(net) => Col::new(key, &format!("LPIPS-{net}"), false, 4),
                // Not one the bench writes today: its raw key, and ↑ as the common case.
                None => Col::new(key, key, true, 4),
            },
        }
    }

    pub fn train_s() -> Col {
        Col::new("train_s", "train s", false, 2)
    }
    pub fn steps_per_s() -> Col {
        Col::new("steps_per_s", "steps/s", true, 1)
    }
    pub fn render_fps() -> Col {
        Col::new("render_fps", "render FPS", true, 1)
    }
    /// Memory in whole MiB: a fraction of a MiB is noise next to the process's peak.
    pub fn peak_mib() -> Col {
        Col::new("peak_rss_mib", "peak MiB", false, 0)
    }

    /// The header: label and arrow.
    pub fn head(&self) -> String {
        format!("{} {}", self.label, arrow(self.higher_better))
    }

    pub fn fmt(&self, v: f64) -> String {
        format!("{v:.*}", self.decimals)
    }

    /// A difference, signed.
    pub fn delta(&self, v: f64) -> String {
        format!("{v:+.*}", self.decimals)
    }

    /// Mean ± sample std over seeds; a single run is its value (no "± 0"), none is a dash.
    pub fn cell(&self, m: &MeanStd) -> String {
        match m.n {
            0 => "–".into(),
            1 => self.fmt(m.mean),
            _ => format!("{} ± {}", self.fmt(m.mean), self.fmt(m.std)),
        }
    }

    /// Whether `a` is better than `b` in this column's direction.
    pub fn better(&self, a: f64, b: f64) -> bool {
        if self.higher_better { a > b } else { a < b }
    }
}

/// A method statistic (Gaussian count, camera error, ...): whole numbers as integers, others at 4 significant
/// digits, since the record does not say which are counts.
pub fn stat(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v == 0.0 || !v.is_finite() {
        v.to_string()
    } else {
        let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.digits$}")
    }
}

/// Seconds as the tables print them (2 decimals).
pub fn seconds(v: f64) -> String {
    format!("{v:.2}")
}

/// The onnxruntime version out of the build string ONNX Runtime reports (`ORT Build Info: git-branch=rel-1.20.0,
/// ...`): the `rel-` branch's version, else the first dotted number, else the text as it is.
pub fn onnxruntime_version(info: &str) -> String {
    if let Some(rest) = info.split("git-branch=rel-").nth(1) {
        let v: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        if !v.is_empty() {
            return v;
        }
    }
    let dotted = info.split(|c: char| !(c.is_ascii_digit() || c == '.')).find(|t| {
        let parts: Vec<&str> = t.split('.').collect();
        parts.len() >= 2 && parts.iter().all(|p| !p.is_empty())
    });
    dotted.map_or_else(|| info.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_print_at_fixed_digits_with_their_direction() {
        let psnr = Col::metric("psnr");
        assert_eq!(
            (psnr.head(), psnr.fmt(20.0), psnr.delta(0.5)),
            ("PSNR dB ↑".into(), "20.00".into(), "+0.50".into())
        );
        assert_eq!(Col::metric("lpips_vgg").head(), "LPIPS-vgg ↓");
        assert_eq!(Col::peak_mib().fmt(120.4), "120");
        assert_eq!(Col::metric("ssim").cell(&MeanStd::of([0.5].into_iter())), "0.5000");
    }

    #[test]
    fn stats_are_integers_when_whole() {
        assert_eq!([stat(1000.0), stat(0.012345), stat(12.5), stat(0.0)], ["1000", "0.01235", "12.50", "0"]);
    }

    #[test]
    fn onnxruntime_version_is_parsed_out_of_the_build_string() {
        let info = "ORT Build Info: git-branch=rel-1.20.1, git-commit-id=abc, build type=Release";
        assert_eq!(onnxruntime_version(info), "1.20.1");
        assert_eq!(onnxruntime_version("1.22.0"), "1.22.0");
        assert_eq!(onnxruntime_version("onnxruntime 1.19.2 (cpu)"), "1.19.2");
        assert_eq!(onnxruntime_version("not loaded"), "not loaded");
    }
}
