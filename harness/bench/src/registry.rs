//! The method registry: name → constructor from a JSON config, the config resolved through the method's own type,
//! and the method's version. One entry per method; every method runs on every backend through
//! `RunContext::backend`.

use serde::{Serialize, de::DeserializeOwned};
use splatbench_core::{Error, Reconstructor, Result};

/// Methods the harness knows, with a one-line description; `create` builds the implemented ones.
pub const METHODS: [(&str, &str); 5] = [
    ("head", "sparse-view head reconstruction with learnable cameras (3D Gaussians)"),
    ("roigs", "3DGS with ROI gating from masks ∩ depth and a dynamic Laplacian-pyramid loss"),
    ("splatter", "Splatter Image: one Gaussian per pixel from one view"),
    ("nerf", "NeRF with coarse stratified and fine importance sampling"),
    ("splart", "2D differentiable painting with textured brush strokes"),
];

/// Version of each method's numbers: bump it when a change to the method is meant to change its results, so a
/// resumed bench redoes that method's finished runs instead of reusing them. (Kept here until the method crates
/// carry their own `VERSION`.)
pub fn version(method: &str) -> u32 {
    match method {
        // 2: trained through the one skeleton and the one exact fractional-box downscaler (roigs' numbers moved).
        "head" => 2,
        "roigs" => 2,
        "nerf" => 1,
        "splart" => 1,
        "splatter" => 1,
        _ => 0,
    }
}

fn config<T: DeserializeOwned>(method: &str, value: &serde_json::Value) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| Error::input(format!("{method} config"), e.to_string()))
}

/// `value` read as the method's config type and written back: every default filled in, an unknown key an error
/// (the message names it). Methods without an implementation keep the config as written.
pub fn resolve_config(method: &str, value: &serde_json::Value) -> Result<serde_json::Value> {
    fn through<T: DeserializeOwned + Serialize>(method: &str, value: &serde_json::Value) -> Result<serde_json::Value> {
        serde_json::to_value(config::<T>(method, value)?).map_err(|e| Error::internal("encoding a resolved config", e))
    }
    match method {
        "head" => through::<splatbench_head::HeadConfig>(method, value),
        "roigs" => through::<splatbench_roigs::RoiGsConfig>(method, value),
        "nerf" => through::<splatbench_nerf::NerfConfig>(method, value),
        "splart" => through::<splatbench_splart::SplartConfig>(method, value),
        "splatter" => through::<splatbench_splatter::SplatterConfig>(method, value),
        m if METHODS.iter().any(|(n, _)| *n == m) => Ok(value.clone()),
        // Refused here, so a suite naming no method stops before any run starts (and before anything is written).
        other => {
            let known: Vec<_> = METHODS.iter().map(|m| m.0).collect();
            Err(Error::input(other, format!("unknown method {other} (known: {})", known.join(", "))))
        }
    }
}

pub fn create(method: &str, cfg: &serde_json::Value) -> Result<Box<dyn Reconstructor>> {
    match method {
        "head" => Ok(Box::new(splatbench_head::HeadReconstructor::new(config(method, cfg)?))),
        "roigs" => Ok(Box::new(splatbench_roigs::RoiGs::new(config(method, cfg)?))),
        "nerf" => Ok(Box::new(splatbench_nerf::Nerf::new(config(method, cfg)?))),
        "splart" => Ok(Box::new(splatbench_splart::Splart::new(config(method, cfg)?))),
        "splatter" => Ok(Box::new(splatbench_splatter::Splatter::new(config(method, cfg)?))),
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
    use serde_json::json;

    #[test]
    fn resolved_configs_fill_defaults_and_reject_unknown_keys() {
        for (m, bad) in [
            ("head", json!({"stpes": 5})),
            ("roigs", json!({"densify": {"max_pionts": 5}})),
            ("splatter", json!({"stpes": 5})),
        ] {
            let full = resolve_config(m, &json!({"steps": 7})).unwrap();
            assert_eq!(full["steps"], 7);
            assert!(full.as_object().unwrap().len() > 3, "{m}: defaults not filled in: {full}");
            assert_eq!(resolve_config(m, &full).unwrap(), full, "{m}: resolving is not idempotent");
            let e = resolve_config(m, &bad).unwrap_err().to_string();
            assert!(e.contains("unknown field") && (e.contains("stpes") || e.contains("max_pionts")), "{m}: {e}");
            assert!(version(m) > 0);
        }
    }
}
