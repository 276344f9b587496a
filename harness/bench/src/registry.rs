//! The method registry: the list of every method's one registration value (`splatbench_<m>::METHOD`, a
//! [`Method`]). Adding a method is its crate plus one line in [`Registry::builtin`]; a binary that links more
//! methods (a plug-in build, the stub-method test) extends the list with [`Registry::with`] and hands it to the app's
//! entry point, which [`install`]s it before any subcommand runs — the `bench-run` children included.

use splatbench_core::{Error, Method, Reconstructor, Result};
use std::sync::OnceLock;

/// The methods a binary knows.
pub struct Registry {
    methods: Vec<&'static dyn Method>,
}

impl Registry {
    pub fn builtin() -> Self {
        Registry {
            methods: vec![
                &splatbench_head::METHOD,
                &splatbench_roigs::METHOD,
                &splatbench_splatter::METHOD,
                &splatbench_nerf::METHOD,
                &splatbench_splart::METHOD,
            ],
        }
    }

    /// This registry and `method`; a method of the same name is replaced.
    pub fn with(mut self, method: &'static dyn Method) -> Self {
        self.methods.retain(|m| m.name() != method.name());
        self.methods.push(method);
        self
    }

    pub fn methods(&self) -> &[&'static dyn Method] {
        &self.methods
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.methods.iter().map(|m| m.name()).collect()
    }

    /// The method called `name`; an unknown name is an input error listing the known ones.
    pub fn get(&self, name: &str) -> Result<&'static dyn Method> {
        self.methods
            .iter()
            .copied()
            .find(|m| m.name() == name)
            .ok_or_else(|| Error::input(name, format!("unknown method {name} (known: {})", self.names().join(", "))))
    }
}

static INSTALLED: OnceLock<Registry> = OnceLock::new();

/// Make `registry` the one this process uses. Only the first call counts (the app's entry point makes it).
pub fn install(registry: Registry) {
    let _ = INSTALLED.set(registry);
}

/// The installed registry, else the built-in one.
pub fn current() -> &'static Registry {
    INSTALLED.get_or_init(Registry::builtin)
}

/// Version of a method's numbers: a resumed bench redoes that method's finished runs when it moves.
pub fn version(method: &str) -> u32 {
    current().get(method).map(|m| m.version()).unwrap_or(0)
}

/// `value` read as the method's config type and written back: every default filled in, an unknown key or an
/// out-of-range value an error (the message names it). An unknown method is refused, so a suite naming none stops
/// before any run starts.
pub fn resolve_config(method: &str, value: &serde_json::Value) -> Result<serde_json::Value> {
    current().get(method)?.resolve_config(value)
}

pub fn create(method: &str, cfg: &serde_json::Value) -> Result<Box<dyn Reconstructor>> {
    current().get(method)?.create(cfg)
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
