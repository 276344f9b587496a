//! How a method makes itself known to the harness: each method crate exports one `pub static METHOD:
//! MethodDef<Config>` and the bench's registry is a list of them.
//!
//! Everything the harness needs of a method goes through [`Method`]: its name and version (a resumed bench redoes a
//! method's finished runs when the version moves), its config read through the method's own type (defaults filled
//! in, unknown keys refused, values range-checked by [`MethodConfig::validate`] — all before any run starts), the
//! constructor, a check of a dataset before any run, and an optional extra subcommand (`splatbench <name> …`).

use crate::{Error, Reconstructor, Result};
use serde::{Serialize, de::DeserializeOwned};

/// A method's configuration type. `validate` names the offending key by its path (e.g. `densify.every`).
pub trait MethodConfig: Serialize + DeserializeOwned {
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// What the harness knows of a dataset before it loads any image: enough to refuse a run that cannot work.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetSummary {
    /// The dataset reference as written in the suite.
    pub reference: String,
    /// Loader format (`srn`, `colmap`, `blender`, `nerfstudio`, `images`, …).
    pub format: String,
    /// Objects (scenes) in the dataset: 1 for per-scene datasets, several for SRN-style collections.
    pub scenes: usize,
    pub train_views: usize,
    pub test_views: usize,
}

/// The services an extra subcommand may use from the harness (which the method crates do not depend on).
pub trait CommandHost {
    /// The scenes of a dataset reference (`gen:NAME`, `shared:REL`, a path), loaded with the harness's loaders.
    fn load_scenes(&self, dataset: &str) -> Result<Vec<crate::Scene>>;
}

/// An extra `splatbench <method> …` subcommand. `args` are the words after the method's name; usage errors are
/// [`Error::Input`] (exit 2).
pub struct MethodCommand {
    pub about: &'static str,
    pub run: fn(args: &[String], host: &dyn CommandHost) -> Result<()>,
}

/// One method, as the harness sees it.
pub trait Method: Sync {
    fn name(&self) -> &'static str;
    fn description(&self) -> &'static str;
    /// Bump when a change is meant to move the method's numbers (see `CHANGELOG.md`).
    fn version(&self) -> u32;
    /// `value` read as the method's config and written back: every default filled in, an unknown key or an
    /// out-of-range value an input error naming the key.
    fn resolve_config(&self, value: &serde_json::Value) -> Result<serde_json::Value>;
    fn create(&self, config: &serde_json::Value) -> Result<Box<dyn Reconstructor>>;
    /// Refuse a dataset the method cannot train or be scored on, before any run.
    fn check_dataset(&self, dataset: &DatasetSummary) -> Result<()>;
    fn command(&self) -> Option<&MethodCommand>;
}

/// The one implementation of [`Method`]: a method crate fills in this struct as a `static`.
pub struct MethodDef<C> {
    pub name: &'static str,
    pub description: &'static str,
    pub version: u32,
    pub build: fn(C) -> Box<dyn Reconstructor>,
    pub check_dataset: fn(&DatasetSummary) -> Result<()>,
    pub command: Option<MethodCommand>,
}

/// For [`MethodDef::check_dataset`] of a method that trains on any dataset with a train and a test view.
pub fn needs_train_and_test_views(d: &DatasetSummary) -> Result<()> {
    if d.train_views == 0 {
        return Err(Error::input(&d.reference, "the split leaves no training view"));
    }
    if d.test_views == 0 {
        return Err(Error::input(&d.reference, "the split leaves no test view"));
    }
    Ok(())
}

impl<C: MethodConfig> MethodDef<C> {
    fn config(&self, value: &serde_json::Value) -> Result<C> {
        let c: C = serde_json::from_value(value.clone())
            .map_err(|e| Error::input(format!("{} config", self.name), e.to_string()))?;
        c.validate().map_err(|e| match e {
            Error::Input { msg, .. } => Error::input(format!("{} config", self.name), msg),
            other => other,
        })?;
        Ok(c)
    }
}

impl<C: MethodConfig> Method for MethodDef<C> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn description(&self) -> &'static str {
        self.description
    }
    fn version(&self) -> u32 {
        self.version
    }
    fn resolve_config(&self, value: &serde_json::Value) -> Result<serde_json::Value> {
        serde_json::to_value(self.config(value)?).map_err(|e| Error::internal("encoding a resolved config", e))
    }
    fn create(&self, config: &serde_json::Value) -> Result<Box<dyn Reconstructor>> {
        Ok((self.build)(self.config(config)?))
    }
    fn check_dataset(&self, dataset: &DatasetSummary) -> Result<()> {
        (self.check_dataset)(dataset)
    }
    fn command(&self) -> Option<&MethodCommand> {
        self.command.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Cfg {
        #[serde(default = "three")]
        steps: usize,
    }
    fn three() -> usize {
        3
    }
    impl MethodConfig for Cfg {
        fn validate(&self) -> Result<()> {
            if self.steps == 0 { Err(Error::input("steps", "must be at least 1")) } else { Ok(()) }
        }
    }
    struct Nothing;
    impl Reconstructor for Nothing {
        fn id(&self) -> &str {
            "nothing"
        }
        fn train(&mut self, _: &[crate::Scene], _: &mut crate::RunContext) -> Result<crate::TrainReport> {
            Err(Error::NotImplemented("test".into()))
        }
        fn reconstruct(&self, _: &[crate::View], _: &mut crate::RunContext) -> Result<Box<dyn crate::Reconstruction>> {
            Err(Error::NotImplemented("test".into()))
        }
    }
    static DEF: MethodDef<Cfg> = MethodDef {
        name: "t",
        description: "test",
        version: 1,
        build: |_| Box::new(Nothing),
        check_dataset: needs_train_and_test_views,
        command: None,
    };

    #[test]
    fn configs_fill_defaults_refuse_unknown_keys_and_validate() {
        assert_eq!(DEF.resolve_config(&serde_json::json!({})).unwrap(), serde_json::json!({"steps": 3}));
        let e = DEF.resolve_config(&serde_json::json!({"stpes": 1})).unwrap_err().to_string();
        assert!(e.contains("t config") && e.contains("stpes"), "{e}");
        let e = DEF.resolve_config(&serde_json::json!({"steps": 0})).unwrap_err().to_string();
        assert!(e.contains("t config") && e.contains("at least 1"), "{e}");
        assert!(DEF.create(&serde_json::json!({"steps": 0})).is_err());
    }

    #[test]
    fn a_split_without_train_or_test_views_is_refused() {
        let d = |train, test| DatasetSummary {
            reference: "gen:x".into(),
            format: "srn".into(),
            scenes: 1,
            train_views: train,
            test_views: test,
        };
        assert!(DEF.check_dataset(&d(3, 1)).is_ok());
        assert!(DEF.check_dataset(&d(0, 1)).unwrap_err().to_string().contains("no training view"));
        assert!(DEF.check_dataset(&d(3, 0)).unwrap_err().to_string().contains("no test view"));
    }
}
