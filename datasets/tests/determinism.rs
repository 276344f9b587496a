//! Same seed → byte-identical output; the cache is reused when intact and rebuilt when not.

use splatbench_core::Error;
use splatbench_datasets::{GENERATOR_VERSION, MANIFEST, SCENES, ensure_generated, generate, verify};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir` (relative path → bytes), sorted.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn one_scene_twice_is_byte_identical() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ma = generate(a.path(), Some("head_toy")).unwrap();
    let mb = generate(b.path(), Some("head_toy")).unwrap();
    assert_eq!(ma, mb);
    assert_eq!(ma.generator_version, GENERATOR_VERSION);
    assert_eq!(ma.scenes, ["head_toy"]);
    let (ta, tb) = (tree(a.path()), tree(b.path()));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(*v == tb[k], "{k} differs between two runs");
    }
    // The manifest lists every file but itself.
    assert_eq!(ma.files.len() + 1, ta.len());
    assert!(ta.contains_key(MANIFEST));
}

#[test]
fn unknown_scene_is_an_input_error() {
    let d = tempfile::tempdir().unwrap();
    match generate(d.path(), Some("no_such_scene")) {
        Err(e @ Error::Input { .. }) => {
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains("no_such_scene"), "{e}");
        }
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn full_generation_is_deterministic_and_cache_is_verified() {
    let root = tempfile::tempdir().unwrap();
    let cache = root.path().join("cache");
    assert_eq!(ensure_generated(&cache).unwrap(), cache);
    let m = verify(&cache).unwrap();
    assert_eq!(m.scenes, SCENES);

    let again = root.path().join("again");
    assert_eq!(generate(&again, None).unwrap(), m);
    assert!(tree(&cache) == tree(&again), "two full generations differ");

    // An intact cache is reused as is (a stray file survives) ...
    std::fs::write(cache.join("marker"), b"x").unwrap();
    ensure_generated(&cache).unwrap();
    assert!(cache.join("marker").exists());
    // ... a corrupted one is rebuilt, and no temporary directory is left behind.
    let victim = cache.join(m.files.keys().next().unwrap());
    std::fs::write(&victim, b"corrupt").unwrap();
    assert!(verify(&cache).is_err());
    ensure_generated(&cache).unwrap();
    assert!(!cache.join("marker").exists());
    verify(&cache).unwrap();
    let names: Vec<String> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}
