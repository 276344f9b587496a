//! The method registry: name → constructor from a JSON config. One entry per method; every method runs on every
//! backend through `RunContext::backend`.

use splatbench_core::{Error, Reconstructor, Result};

/// Methods the harness knows, with a one-line description; `create` builds the implemented ones.
pub const METHODS: [(&str, &str); 5] = [
    ("head", "sparse-view head reconstruction with learnable cameras (3D Gaussians)"),
    ("roigs", "3DGS with ROI gating from masks ∩ depth and a dynamic Laplacian-pyramid loss"),
    ("splatter", "Splatter Image: one Gaussian per pixel from one view"),
    ("nerf", "NeRF with coarse stratified and fine importance sampling"),
    ("splart", "2D differentiable painting with textured brush strokes"),
];

fn config<T: serde::de::DeserializeOwned>(method: &str, value: &serde_json::Value) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| Error::input(format!("{method} config"), e.to_string()))
}

pub fn create(method: &str, cfg: &serde_json::Value) -> Result<Box<dyn Reconstructor>> {
    match method {
        "head" => Ok(Box::new(splatbench_head::HeadReconstructor::new(config(method, cfg)?))),
        "roigs" => Ok(Box::new(splatbench_roigs::RoiGs::new(config(method, cfg)?))),
        "nerf" => Ok(Box::new(splatbench_nerf::Nerf::new(config(method, cfg)?))),
        "splart" => Ok(Box::new(splatbench_splart::Splart::new(config(method, cfg)?))),
        m if METHODS.iter().any(|(n, _)| *n == m) => {
            Err(Error::NotImplemented(format!("method '{m}' is not implemented yet")))
        }
        other => {
            let known: Vec<_> = METHODS.iter().map(|m| m.0).collect();
            Err(Error::input(other, format!("unknown method (known: {})", known.join(", "))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nerf_variants_come_from_the_config_and_bad_keys_are_input_errors() {
        let m = create("nerf", &serde_json::json!({ "sampling": "coarse_only", "steps": 5 })).unwrap();
        assert_eq!(m.id(), "nerf-coarse_only");
        assert_eq!(create("nerf", &serde_json::json!({})).unwrap().id(), "nerf-hierarchical");
        let err = create("nerf", &serde_json::json!({ "n_samples": 5 })).err().unwrap();
        assert!(err.to_string().contains("nerf config"), "{err}");
    }
}
