//! The Gaussian cloud the rasterizer consumes, in the raw (optimiser) parameterisation.
//!
//! Per Gaussian n: mean `means[n]` (world space), scale `exp(log_scales[n])`, rotation from the quaternion
//! `quats[n]` = (w, x, y, z) (normalised inside the kernel, so any non-zero length is valid), opacity
//! `sigmoid(opacity_logits[n])`, and `K = (sh_degree + 1)²` RGB spherical-harmonic coefficients stored
//! coefficient-major: `sh[(n·K + k)·3 + c]`.

/// Gaussians in raw parameters (see the module docs for the layout).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GaussianCloud {
    pub means: Vec<[f32; 3]>,
    /// Natural log of the per-axis standard deviation.
    pub log_scales: Vec<[f32; 3]>,
    /// (w, x, y, z); normalised inside the kernel.
    pub quats: Vec<[f32; 4]>,
    /// opacity = sigmoid(logit).
    pub opacity_logits: Vec<f32>,
    /// 0..=3.
    pub sh_degree: u32,
    /// N × K × 3, K = (sh_degree + 1)².
    pub sh: Vec<f32>,
}

impl GaussianCloud {
    pub fn len(&self) -> usize {
        self.means.len()
    }

    pub fn is_empty(&self) -> bool {
        self.means.is_empty()
    }

    /// K = (degree + 1)², the number of SH coefficients per colour channel.
    pub fn num_sh_coeffs(degree: u32) -> usize {
        ((degree + 1) * (degree + 1)) as usize
    }

    /// An empty cloud of the given SH degree.
    pub fn empty(sh_degree: u32) -> Self {
        GaussianCloud { sh_degree, ..Default::default() }
    }

    /// Check array lengths agree, the SH degree is supported, every number is finite and no quaternion is zero.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.len();
        if self.sh_degree > 3 {
            return Err(format!("SH degree {} is not supported (0..=3)", self.sh_degree));
        }
        let k = Self::num_sh_coeffs(self.sh_degree);
        let lens = [
            ("log_scales", self.log_scales.len(), n),
            ("quats", self.quats.len(), n),
            ("opacity_logits", self.opacity_logits.len(), n),
            ("sh", self.sh.len(), n * k * 3),
        ];
        for (name, got, want) in lens {
            if got != want {
                return Err(format!("{name} has {got} values, expected {want} for {n} Gaussians"));
            }
        }
        let finite = self.means.iter().flatten().all(|v| v.is_finite())
            && self.log_scales.iter().flatten().all(|v| v.is_finite())
            && self.quats.iter().flatten().all(|v| v.is_finite())
            && self.opacity_logits.iter().all(|v| v.is_finite())
            && self.sh.iter().all(|v| v.is_finite());
        if !finite {
            return Err("Gaussian parameters contain NaN or infinite values".into());
        }
        if let Some(i) = self.quats.iter().position(|q| q.iter().all(|&v| v == 0.0)) {
            return Err(format!("Gaussian {i} has a zero quaternion"));
        }
        Ok(())
    }
}
