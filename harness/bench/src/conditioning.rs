//! Which test view a dataset names as the conditioning view of the feed-forward (SRN) protocol.
//!
//! - a dataset root with `conditioning.json` (`{"conditioning_view": N, ...}`, the generator's `srn_toy`) names view
//!   `N` as a six-digit stem (`000006`);
//! - any other SRN root (`cars_test/` present, e.g. `shared:datasets/srn_cars_mini`) uses SRN's view `000064`;
//! - other datasets have none, and every test view is a novel view.
//!
//! The run scores the named view apart from the others and passes only it to `reconstruct`; a test object without a
//! view of that name is scored as before (all its test views novel, its train split as the inputs).

use splatbench_core::error::IoContext;
use splatbench_core::{Error, Result};
use splatbench_data::reference as data;
use std::path::Path;

/// SRN's conditioning view (the Splatter Image / pixelNeRF protocol for SRN-Cars).
pub const SRN_VIEW: &str = "000064";

/// The conditioning view's name for the dataset `reference` (module docs).
pub fn view_name(reference: &str) -> Result<Option<String>> {
    let root = data::resolve(reference)?;
    if !root.is_dir() {
        return Ok(None);
    }
    in_root(&root)
}

/// [`view_name`] for a dataset directory.
pub fn in_root(root: &Path) -> Result<Option<String>> {
    let file = root.join("conditioning.json");
    if file.is_file() {
        let text = std::fs::read_to_string(&file).at(&file)?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::input(&file, e.to_string()))?;
        let Some(n) = v.get("conditioning_view").and_then(serde_json::Value::as_u64) else {
            return Err(Error::input(&file, "needs \"conditioning_view\": a view number"));
        };
        return Ok(Some(format!("{n:06}")));
    }
    Ok(root.join("cars_test").is_dir().then(|| SRN_VIEW.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditioning_json_then_srn_layout_then_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(in_root(dir.path()).unwrap(), None);
        std::fs::create_dir(dir.path().join("cars_test")).unwrap();
        assert_eq!(in_root(dir.path()).unwrap().as_deref(), Some("000064"));
        std::fs::write(dir.path().join("conditioning.json"), r#"{"conditioning_view": 6, "test_views": 24}"#).unwrap();
        assert_eq!(in_root(dir.path()).unwrap().as_deref(), Some("000006"));
        std::fs::write(dir.path().join("conditioning.json"), r#"{"view": 6}"#).unwrap();
        let e = in_root(dir.path()).unwrap_err();
        assert!(e.to_string().contains("conditioning.json") && e.exit_code() == 2, "{e}");
    }
}
