//! Suites are TOML files a user can read and edit (`harness/suites/*.toml`); the built-in ones are embedded.
//!
//! ```toml
//! description = "..."
//! seeds = 1                      # seeds 0..seeds
//! backends = ["ndarray"]         # default backends when --backend is not given
//! [[entry]]
//! method = "head"
//! dataset = "gen:head_toy"       # gen:NAME (generated), shared:REL (under the shared dir), or a path
//! config = { steps = 300 }       # method config for every variant
//! [entry.variants]               # name = config delta; "baseline" is the reference of the ablation view
//! baseline = {}
//! noisy_cameras = { camera_noise_deg = 8.0 }
//! ```

use serde::Deserialize;
use splatbench_core::{Backend, Error, Result, RunSpec};
use std::collections::BTreeMap;
use std::path::Path;

pub const BUILTIN: [(&str, &str); 3] = [
    ("smoke", include_str!("../../suites/smoke.toml")),
    ("standard", include_str!("../../suites/standard.toml")),
    ("full", include_str!("../../suites/full.toml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suite {
    #[serde(default)]
    pub description: String,
    #[serde(default = "one")]
    pub seeds: u64,
    #[serde(default = "default_backends")]
    pub backends: Vec<Backend>,
    pub entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub method: String,
    pub dataset: String,
    #[serde(default)]
    pub config: toml::Table,
    #[serde(default)]
    pub variants: BTreeMap<String, toml::Table>,
}

fn one() -> u64 {
    1
}

fn default_backends() -> Vec<Backend> {
    vec![Backend::Ndarray]
}

/// A built-in suite by name, or a TOML file by path.
pub fn load(name_or_path: &str) -> Result<(String, Suite)> {
    let (name, text) = match BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
        Some((n, t)) => (n.to_string(), t.to_string()),
        None => {
            let p = Path::new(name_or_path);
            if !p.exists() {
                let names: Vec<_> = BUILTIN.iter().map(|b| b.0).collect();
                return Err(Error::input(p, format!("no such suite file (built-in suites: {})", names.join(", "))));
            }
            let text = std::fs::read_to_string(p).map_err(|e| Error::input(p, e.to_string()))?;
            (p.file_stem().and_then(|s| s.to_str()).unwrap_or("suite").to_string(), text)
        }
    };
    let suite: Suite =
        toml::from_str(&text).map_err(|e| Error::input(name_or_path, format!("bad suite: {}", e.message())))?;
    Ok((name, suite))
}

impl Suite {
    /// Every run of the suite, sorted by id; `backends` overrides the suite's own list.
    pub fn expand(&self, suite_name: &str, backends: Option<&[Backend]>, seeds: Option<u64>) -> Vec<RunSpec> {
        let backends = backends.unwrap_or(&self.backends);
        let mut out = Vec::new();
        for e in &self.entry {
            let variants = if e.variants.is_empty() {
                BTreeMap::from([("baseline".to_string(), toml::Table::new())])
            } else {
                e.variants.clone()
            };
            for (variant, delta) in &variants {
                let mut config = e.config.clone();
                config.extend(delta.clone());
                let config = serde_json::to_value(&config).expect("TOML tables are JSON-representable");
                for &backend in backends {
                    for seed in 0..seeds.unwrap_or(self.seeds) {
                        out.push(RunSpec {
                            suite: suite_name.to_string(),
                            method: e.method.clone(),
                            variant: variant.clone(),
                            dataset: e.dataset.clone(),
                            backend,
                            device: None,
                            seed,
                            config: config.clone(),
                        });
                    }
                }
            }
        }
        out.sort_by_key(|s| s.id());
        out
    }
}

/// `i/n` (1-based): the runs whose index in the sorted matrix is ≡ i−1 (mod n). Deterministic for a job array.
pub fn shard(specs: Vec<RunSpec>, shard: Option<(usize, usize)>) -> Vec<RunSpec> {
    match shard {
        None => specs,
        Some((i, n)) => specs.into_iter().enumerate().filter(|(k, _)| k % n == i - 1).map(|(_, s)| s).collect(),
    }
}

pub fn parse_shard(s: &str) -> std::result::Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or("expected i/n, e.g. 2/8")?;
    let (i, n): (usize, usize) = (i.parse().map_err(|_| "bad i")?, n.parse().map_err(|_| "bad n")?);
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: need 1 ≤ i ≤ n"));
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_suites_parse_and_shards_partition() {
        for (name, _) in BUILTIN {
            let (_, suite) = load(name).unwrap();
            assert!(!suite.entry.is_empty(), "{name} has no entries");
        }
        let (_, suite) = load("smoke").unwrap();
        let all = suite.expand("smoke", Some(&[Backend::Ndarray, Backend::Tch]), Some(2));
        let mut joined: Vec<String> = (1..=3).flat_map(|i| shard(all.clone(), Some((i, 3)))).map(|s| s.id()).collect();
        joined.sort();
        let mut ids: Vec<String> = all.iter().map(|s| s.id()).collect();
        ids.sort();
        assert_eq!(joined, ids);
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "run ids must be unique");
        assert!(parse_shard("0/3").is_err() && parse_shard("4/3").is_err() && parse_shard("2/3") == Ok((2, 3)));
    }
}
