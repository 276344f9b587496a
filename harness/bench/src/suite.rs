//! Suites are TOML files a user can read and edit (`harness/suites/*.toml`); the built-in ones are embedded.
//!
//! ```toml
//! description = "..."
//! seeds = 1                      # seeds 0..seeds
//! backends = ["ndarray"]         # default backends when --backend is not given
//! timeout_s = 1800               # a run still going after this long is killed and recorded as failed
//! lpips = ["vgg"]                # LPIPS backbones (alex, vgg, squeeze), metrics lpips_<net>
//! [slurm]                        # sbatch options of `bench --slurm` (slurm::options::KEYS); --slurm-opt wins
//! partition = "cpu"
//! cpus-per-task = 4
//! [[entry]]
//! method = "head"
//! dataset = "gen:head_toy"       # gen:NAME (generated), shared:REL (under the shared dir), or a path
//! config = { steps = 300 }       # method config for every variant
//! [entry.variants]               # name = config delta; "baseline" is the reference of the ablation view
//! baseline = {}
//! noisy_cameras = { camera_noise_deg = 8.0 }
//! ```
//!
//! A variant's delta merges *deeply* into the entry's config (`densify = { every = 50 }` keeps the entry's
//! `densify.max_points`), and every resulting config is read through the method's config type at expansion, so a
//! misspelled key stops the bench before any run starts, naming the suite file and the key.

use super::registry;
use serde::Deserialize;
use splatbench_core::{Backend, Error, Result};
use splatbench_metrics::Net;
use splatbench_record::RunSpec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Per-run wall-clock limit when neither the suite (`timeout_s`) nor `--timeout` sets one.
pub const DEFAULT_TIMEOUT_S: u64 = 1800;

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
    /// A run still going after this many seconds is killed and recorded as failed.
    #[serde(default = "default_timeout")]
    pub timeout_s: u64,
    /// LPIPS backbones every run is scored with (`alex`, `vgg`, `squeeze`); VGG by default, as 3DGS papers report.
    #[serde(default = "default_lpips")]
    pub lpips: Vec<String>,
    pub entry: Vec<Entry>,
    /// The `[slurm]` table as written; read into [`Suite::slurm`] when the suite is loaded.
    #[serde(default, rename = "slurm")]
    slurm_table: toml::Table,
    /// sbatch options of `bench --slurm`.
    #[serde(skip)]
    pub slurm: crate::slurm::options::SlurmOptions,
    /// The file the suite was read from (for built-in suites, where it lives in the repository); errors name it.
    #[serde(skip)]
    pub source: PathBuf,
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
    /// The variant the others are compared with (the report's ablation section); default `baseline`. An entry with
    /// two or more variants and neither is refused before any run.
    #[serde(default)]
    pub control: Option<String>,
    /// Seeds of this entry's runs, overriding the suite's `seeds` (an ablation that needs a spread); `--seeds` on
    /// the command line overrides both.
    #[serde(default)]
    pub seeds: Option<u64>,
}

fn one() -> u64 {
    1
}

fn default_lpips() -> Vec<String> {
    vec!["vgg".into()]
}

fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_S
}

fn default_backends() -> Vec<Backend> {
    vec![Backend::Ndarray]
}

/// Most seeds a suite (or `--seeds`) may ask for: each is a full run of every entry.
pub const MAX_SEEDS: u64 = 1000;

/// A built-in suite by name, or a TOML file by path.
pub fn load(name_or_path: &str) -> Result<(String, Suite)> {
    let (name, text, source) = match BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
        Some((n, t)) => (n.to_string(), t.to_string(), PathBuf::from(format!("harness/suites/{n}.toml"))),
        None => {
            let p = Path::new(name_or_path);
            if !p.exists() {
                let names: Vec<_> = BUILTIN.iter().map(|b| b.0).collect();
                return Err(Error::input(p, format!("no such suite file (built-in suites: {})", names.join(", "))));
            }
            let text = std::fs::read_to_string(p).map_err(|e| Error::input(p, e.to_string()))?;
            (p.file_stem().and_then(|s| s.to_str()).unwrap_or("suite").to_string(), text, p.to_path_buf())
        }
    };
    let mut suite: Suite =
        toml::from_str(&text).map_err(|e| Error::input(&source, format!("bad suite: {}", e.message())))?;
    suite.source = source;
    for net in &suite.lpips {
        if !Net::ALL.iter().any(|n| n.name() == net) {
            return Err(Error::input(&suite.source, format!("lpips: unknown backbone '{net}' (alex, vgg, squeeze)")));
        }
    }
    if suite.timeout_s == 0 {
        return Err(Error::input(&suite.source, "timeout_s must be at least 1"));
    }
    suite.slurm = crate::slurm::options::SlurmOptions::from_table(&suite.slurm_table, &suite.source)?;
    Ok((name, suite))
}

impl Suite {
    /// The control variant exists, or the entry has one variant or a `baseline`.
    fn check_control(&self, e: &Entry, variants: &BTreeMap<String, toml::Table>) -> Result<()> {
        let names: Vec<&str> = variants.keys().map(String::as_str).collect();
        let at = format!("entry {} on {}", e.method, e.dataset);
        match &e.control {
            Some(c) if !variants.contains_key(c) => Err(Error::input(
                &self.source,
                format!("{at}: control = \"{c}\" is not one of its variants ({})", names.join(", ")),
            )),
            None if names.len() >= 2 && !variants.contains_key("baseline") => Err(Error::input(
                &self.source,
                format!(
                    "{at}: {} variants and none is the control: add control = \"…\" naming one of {}",
                    names.len(),
                    names.join(", ")
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Every run of the suite, sorted by id, each with its config resolved through the method's config type;
    /// `backends` overrides the suite's own list. A config the method rejects is an input error naming the suite.
    pub fn expand(&self, suite_name: &str, backends: Option<&[Backend]>, seeds: Option<u64>) -> Result<Vec<RunSpec>> {
        let backends = backends.unwrap_or(&self.backends);
        if backends.is_empty() {
            return Err(Error::input(&self.source, "backends = []: no backend, so no run (name at least one)"));
        }
        // Found by fuzzing: `seeds = 2^60` asked for that many run specs before anything else was checked.
        let most = seeds.unwrap_or(self.seeds).max(self.entry.iter().filter_map(|e| e.seeds).max().unwrap_or(0));
        if most > MAX_SEEDS {
            return Err(Error::input(&self.source, format!("seeds = {most}: at most {MAX_SEEDS} seeds a run")));
        }
        let mut out = Vec::new();
        // Which entry made each run id: two entries giving the same id would overwrite each other's record.
        let mut made_by: BTreeMap<String, usize> = BTreeMap::new();
        for (k, e) in self.entry.iter().enumerate() {
            let variants = if e.variants.is_empty() {
                BTreeMap::from([("baseline".to_string(), toml::Table::new())])
            } else {
                e.variants.clone()
            };
            self.check_control(e, &variants)?;
            for (variant, delta) in &variants {
                let mut config = e.config.clone();
                merge_deep(&mut config, delta);
                let config =
                    serde_json::to_value(&config).map_err(|err| Error::input(&self.source, err.to_string()))?;
                let config = registry::resolve_config(&e.method, &config).map_err(|err| {
                    let msg = match err {
                        Error::Input { msg, .. } => msg,
                        other => other.to_string(),
                    };
                    Error::input(&self.source, format!("entry {} variant {variant}: {msg}", e.method))
                })?;
                for &backend in backends {
                    for seed in 0..seeds.or(e.seeds).unwrap_or(self.seeds) {
                        let spec = RunSpec {
                            suite: suite_name.to_string(),
                            method: e.method.clone(),
                            variant: variant.clone(),
                            dataset: e.dataset.clone(),
                            backend,
                            device: None,
                            control: e.control.clone(),
                            seed,
                            lpips: self.lpips.clone(),
                            config: config.clone(),
                        };
                        self.claim(&mut made_by, spec.id(), k)?;
                        out.push(spec);
                    }
                }
            }
        }
        out.sort_by_key(|s| s.id());
        Ok(out)
    }

    /// Refuse a run id a second entry would give again (`k` is the entry now being expanded).
    fn claim(&self, made_by: &mut BTreeMap<String, usize>, id: String, k: usize) -> Result<()> {
        match made_by.get(&id) {
            Some(&first) if first == k => Err(Error::input(
                &self.source,
                format!("entry {} gives run {id} twice (a backend listed twice?)", k + 1),
            )),
            Some(&first) => Err(Error::input(
                &self.source,
                format!(
                    "entries {} and {} ({} on {}) give the same run {id}: merge them or change one",
                    first + 1,
                    k + 1,
                    self.entry[k].method,
                    self.entry[k].dataset
                ),
            )),
            _ => {
                made_by.insert(id, k);
                Ok(())
            }
        }
    }
}

/// Apply `delta` to `base`: tables merge key by key at every depth, anything else replaces.
pub fn merge_deep(base: &mut toml::Table, delta: &toml::Table) {
    for (k, v) in delta {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(d)) => merge_deep(b, d),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
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
            suite.expand(name, None, None).unwrap();
        }
        let (_, suite) = load("smoke").unwrap();
        let all = suite.expand("smoke", Some(&[Backend::Ndarray, Backend::Tch]), Some(2)).unwrap();
        let mut joined: Vec<String> = (1..=3).flat_map(|i| shard(all.clone(), Some((i, 3)))).map(|s| s.id()).collect();
        joined.sort();
        let mut ids: Vec<String> = all.iter().map(|s| s.id()).collect();
        ids.sort();
        assert_eq!(joined, ids);
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "run ids must be unique");
        assert!(parse_shard("0/3").is_err() && parse_shard("4/3").is_err() && parse_shard("2/3") == Ok((2, 3)));
    }

    #[test]
    fn every_suite_file_in_the_repository_loads_and_expands() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                let (name, suite) = load(p.to_str().unwrap()).unwrap_or_else(|e| panic!("{e}"));
                suite.expand(&name, None, None).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                n += 1;
            }
        }
        assert!(n >= BUILTIN.len(), "{n} suite files in {}", dir.display());
    }

    #[test]
    fn every_method_has_a_paper_variant_in_a_builtin_suite() {
        let mut with_paper = std::collections::BTreeSet::new();
        for name in ["standard", "full"] {
            let (_, suite) = load(name).unwrap();
            for spec in suite.expand(name, None, Some(1)).unwrap() {
                if spec.variant == "paper" {
                    with_paper.insert(spec.method);
                }
            }
        }
        let methods: std::collections::BTreeSet<String> =
            crate::registry::current().names().into_iter().map(str::to_string).collect();
        assert_eq!(with_paper, methods);
    }

    fn suite_file(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("s.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn variants_merge_deeply_into_the_entry_config() {
        let tmp = tempfile::tempdir().unwrap();
        let p = suite_file(
            tmp.path(),
            "[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\n\
             config = { steps = 9, densify = { max_points = 4000, opacity_reset = false } }\n\
             [entry.variants]\nfewer = { densify = { grad_threshold = 0.001 } }\n",
        );
        let (_, suite) = load(p.to_str().unwrap()).unwrap();
        let specs = suite.expand("s", None, None).unwrap();
        let d = &specs[0].config["densify"];
        assert_eq!((d["max_points"].as_u64(), d["opacity_reset"].as_bool()), (Some(4000), Some(false)), "{d}");
        assert_eq!(d["grad_threshold"].as_f64(), Some(0.001));
        assert_eq!(specs[0].config["steps"], 9);
        // Defaults the suite did not name are recorded too.
        assert!(specs[0].config.get("ssim_weight").is_some());
    }

    #[test]
    fn two_entries_giving_one_run_id_are_refused_naming_both() {
        let tmp = tempfile::tempdir().unwrap();
        let one = "[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\nconfig = { steps = 3 }\n";
        let p = suite_file(tmp.path(), &format!("{one}{one}"));
        let (_, suite) = load(p.to_str().unwrap()).unwrap();
        let e = suite.expand("s", None, None).unwrap_err().to_string();
        assert!(e.contains("entries 1 and 2") && e.contains("roigs__baseline__gen_roi_toy__ndarray__s0"), "{e}");
        let p = suite_file(tmp.path(), &format!("backends = [\"ndarray\", \"ndarray\"]\n{one}"));
        let (_, suite) = load(p.to_str().unwrap()).unwrap();
        assert!(suite.expand("s", None, None).unwrap_err().to_string().contains("twice"));
        let p = suite_file(tmp.path(), &format!("backends = []\n{one}"));
        let (_, suite) = load(p.to_str().unwrap()).unwrap();
        assert!(suite.expand("s", None, None).unwrap_err().to_string().contains("no backend"));
    }

    #[test]
    fn an_ablation_names_its_control_or_has_a_baseline() {
        let tmp = tempfile::tempdir().unwrap();
        let entry = |control: &str, variants: &str| {
            format!("[[entry]]\nmethod = \"roigs\"\ndataset = \"gen:roi_toy\"\n{control}[entry.variants]\n{variants}")
        };
        let expand = |text: String| {
            let p = suite_file(tmp.path(), &text);
            let (_, suite) = load(p.to_str().unwrap()).unwrap();
            suite.expand("s", None, None)
        };
        let e = expand(entry("", "a = {}\nb = { ssim_weight = 0.1 }\n")).unwrap_err().to_string();
        assert!(e.contains("none is the control") && e.contains("a, b"), "{e}");
        let e = expand(entry("control = \"c\"\n", "a = {}\nb = {}\n")).unwrap_err().to_string();
        assert!(e.contains("control = \"c\" is not one of its variants"), "{e}");
        let specs = expand(entry("control = \"b\"\n", "a = {}\nb = {}\n")).unwrap();
        assert!(specs.iter().all(|s| s.control.as_deref() == Some("b")));
        // One variant, or a `baseline`, needs no name; the spec then records none.
        let specs = expand(entry("", "baseline = {}\nb = {}\n")).unwrap();
        assert!(specs.iter().all(|s| s.control.is_none()));
        assert!(expand(entry("", "only = {}\n")).is_ok());
    }

    #[test]
    fn a_misspelled_key_is_an_input_error_naming_the_suite_and_the_key() {
        let tmp = tempfile::tempdir().unwrap();
        let p = suite_file(
            tmp.path(),
            "[[entry]]\nmethod = \"head\"\ndataset = \"gen:head_toy\"\nconfig = { stpes = 9 }\n",
        );
        let (_, suite) = load(p.to_str().unwrap()).unwrap();
        let e = suite.expand("s", None, None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let text = e.to_string();
        assert!(text.contains("s.toml") && text.contains("stpes"), "{text}");
    }
}
