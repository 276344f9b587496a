//! What a run really ran with, for its record's `environment`: the checkout's git commit, the compiler, burn, and
//! the onnxruntime and libtorch libraries in use. Compile-time facts come from `build.rs`; "unknown" where a
//! version cannot be found, never a version written by hand.

use splatbench_io::paths::workspace_root;
use std::collections::BTreeMap;
use std::process::Command;

/// The versions, keyed as in the record: `git`, `rustc`, `burn`, `ort` (the crate), `onnxruntime`, `torch`.
pub fn versions(onnxruntime: Option<String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::from([
        ("git".to_string(), git_commit().unwrap_or_else(|| "unknown".into())),
        ("rustc".into(), env!("SPLATBENCH_RUSTC").into()),
        ("burn".into(), env!("SPLATBENCH_BURN").into()),
        ("ort".into(), env!("SPLATBENCH_ORT_CRATE").into()),
        // Only when LPIPS loaded it: the library is found at run time and may be absent.
        ("onnxruntime".into(), onnxruntime.unwrap_or_else(|| "not loaded".into())),
    ]);
    if cfg!(feature = "tch") {
        out.insert("torch".into(), env!("SPLATBENCH_LIBTORCH").into());
        out.insert("tch".into(), env!("SPLATBENCH_TCH_CRATE").into());
    }
    out
}

/// `git rev-parse HEAD` of the workspace in use, with `-dirty` when tracked files differ from it; `None` outside a
/// checkout or without git.
fn git_commit() -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git").arg("-C").arg(workspace_root()).args(args).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "HEAD"]).filter(|h| !h.is_empty())?;
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty { format!("{head}-dirty") } else { head })
}

#[cfg(test)]
mod tests {
    use super::versions;

    #[test]
    fn versions_are_found_not_written_by_hand() {
        let v = versions(Some("1.2.3".into()));
        assert!(v["rustc"].starts_with("rustc 1."), "{v:?}");
        // The burn this crate was built against, as Cargo.lock resolved it.
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock")).unwrap();
        assert!(lock.contains(&format!("name = \"burn\"\nversion = \"{}\"", v["burn"])), "{v:?}");
        assert!(lock.contains(&format!("name = \"ort\"\nversion = \"{}\"", v["ort"])), "{v:?}");
        assert_eq!(v["onnxruntime"], "1.2.3");
        assert!(v["git"] == "unknown" || v["git"].len() >= 40, "{v:?}");
    }
}
