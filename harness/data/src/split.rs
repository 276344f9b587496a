//! Test views of datasets that do not name any: one rule for every format, the 3DGS / Mip-NeRF 360 convention of
//! holding out every 8th view by sorted name. COLMAP scenes without `test.txt` and Blender scenes without
//! `transforms_test.json` (e.g. NeRF-synthetic shipped with its training frames only) use it.

use std::collections::BTreeSet;
use std::path::Path;

/// Every `HOLDOUT_EVERY`-th view by sorted name, starting with the first, is held out.
pub const HOLDOUT_EVERY: usize = 8;

/// [`held_out`] in words.
pub const HOLDOUT_RULE: &str = "every 8th view by sorted name (index % 8 == 0) held out as test, the 3DGS convention";

/// Indices into `names` of the held-out views: positions 0, 8, 16, ... of the names in sorted (byte) order.
pub fn held_out<S: AsRef<str>>(names: &[S]) -> BTreeSet<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].as_ref().cmp(names[b].as_ref()));
    order.into_iter().step_by(HOLDOUT_EVERY).collect()
}

/// How the test views of the dataset at `path` are chosen, in words (`splatbench inspect` prints it).
pub fn split_rule(path: &Path) -> String {
    use crate::Format;
    match crate::detect(path) {
        Some(Format::Colmap) => match crate::colmap::test_list(path) {
            Some(list) => format!("{} lists the test views", list.display()),
            None => format!("no test.txt: {HOLDOUT_RULE}"),
        },
        Some(Format::Blender) => {
            if path.join("transforms_test.json").is_file() {
                "transforms_test.json holds the test views".into()
            } else {
                format!("no transforms_test.json: {HOLDOUT_RULE} from the training frames")
            }
        }
        Some(Format::Nerfstudio) => {
            let json = std::fs::read(path.join("transforms.json")).ok();
            let meta: Option<serde_json::Value> = json.and_then(|b| serde_json::from_slice(&b).ok());
            let lists: Vec<&str> = ["train_filenames", "val_filenames", "test_filenames"]
                .into_iter()
                .filter(|k| meta.as_ref().and_then(|m| m.get(*k)).is_some())
                .collect();
            if lists.is_empty() {
                "transforms.json names no split (no *_filenames): every view trains, none is a test view".into()
            } else {
                format!("{} in transforms.json name the splits (frames in no list are left out)", lists.join(", "))
            }
        }
        Some(Format::SrnRoot | Format::SrnObject) => "SRN: objects under cars_test are the test split".into(),
        None => "unknown format".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_eighth_by_sorted_name_whatever_the_input_order() {
        let names: Vec<String> = (0..17).map(|i| format!("img_{i:02}")).collect();
        assert_eq!(held_out(&names), BTreeSet::from([0, 8, 16]));
        let mut shuffled = names.clone();
        shuffled.reverse();
        // Reversed, img_00 is at index 16 and img_16 at index 0.
        assert_eq!(held_out(&shuffled), BTreeSet::from([16, 8, 0]));
        // Sorted by name, not numerically: r_10 comes before r_2.
        assert_eq!(held_out(&["r_2", "r_10", "r_1"]), BTreeSet::from([2]));
        assert!(held_out::<&str>(&[]).is_empty());
    }
}
