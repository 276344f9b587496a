//! Backend features are forwarded by one rule, so no crate's backend path can be dropped silently.
//!
//! The backend features are the names of `splatbench_core::Backend::ALL` less `ndarray` (always compiled). Only
//! `splatbench-device` switches burn's backend on (`burn/<b>`); every other crate below the top folders defines
//! feature `<b>` exactly when one of its workspace dependencies does, and forwards it to each of them. So a method
//! that gains a custom op needs no edit to the bench's or the app's feature lists: they already forward to every
//! method, and the method already forwards to the crates it builds on. Optional non-workspace dependencies a
//! backend needs (`dep:cubecl`) may sit beside the forwards.

use splatbench_tests::{members, package_name, workspace};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
struct Manifest {
    folder: String,
    deps: Vec<String>,
    features: BTreeMap<String, Vec<String>>,
}

const TOP: [&str; 3] = ["tests", "fuzz", "xtask"];
const SWITCH: &str = "splatbench-device";

fn backend_features() -> Vec<String> {
    splatbench_core::Backend::ALL.iter().map(|b| b.name().to_string()).filter(|b| b != "ndarray").collect()
}

fn manifests() -> BTreeMap<String, Manifest> {
    let root = workspace();
    members()
        .into_iter()
        .map(|(dir, m)| {
            let deps = m
                .get("dependencies")
                .and_then(|t| t.as_table())
                .map(|t| t.keys().filter(|k| k.starts_with("splatbench")).cloned().collect())
                .unwrap_or_default();
            let features = m
                .get("features")
                .and_then(|t| t.as_table())
                .map(|t| {
                    t.iter()
                        .map(|(k, v)| {
                            let list = v.as_array().map(|a| a.iter().filter_map(|x| x.as_str()).map(str::to_string));
                            (k.clone(), list.map(Iterator::collect).unwrap_or_default())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let folder = dir.strip_prefix(&root).unwrap().components().next().unwrap().as_os_str();
            (package_name(&m), Manifest { folder: folder.to_string_lossy().into(), deps, features })
        })
        .collect()
}

fn forwarding_violations(all: &BTreeMap<String, Manifest>, backends: &[String]) -> Vec<String> {
    let mut wrong = Vec::new();
    for (name, m) in all {
        if TOP.contains(&m.folder.as_str()) {
            continue;
        }
        for b in backends {
            let want: BTreeSet<String> = m
                .deps
                .iter()
                .filter(|d| all.get(*d).is_some_and(|dm| dm.features.contains_key(b)))
                .map(|d| format!("{d}/{b}"))
                .collect();
            let have = m.features.get(b);
            let should_define = name == SWITCH || !want.is_empty();
            match have {
                None if should_define => wrong.push(format!("{name}: no feature `{b}` (forward it to {want:?})")),
                None => {}
                Some(_) if !should_define => {
                    wrong.push(format!("{name}: feature `{b}` although none of its dependencies has it"))
                }
                Some(list) => {
                    let ws: BTreeSet<String> = list.iter().filter(|e| e.starts_with("splatbench")).cloned().collect();
                    for missing in want.difference(&ws) {
                        wrong.push(format!("{name}: feature `{b}` does not forward to {missing}"));
                    }
                    for extra in ws.difference(&want) {
                        wrong.push(format!("{name}: feature `{b}` forwards to {extra}, not a dependency with `{b}`"));
                    }
                    for e in list.iter().filter(|e| e.starts_with("burn/")) {
                        if name != SWITCH {
                            wrong.push(format!("{name}: `{e}` (only {SWITCH} switches burn's backends on)"));
                        }
                    }
                    if name == SWITCH && !list.contains(&format!("burn/{b}")) {
                        wrong.push(format!("{SWITCH}: feature `{b}` must switch on burn/{b}"));
                    }
                }
            }
        }
    }
    wrong
}

#[test]
fn backend_features_forward_to_every_dependency_that_has_them() {
    let wrong = forwarding_violations(&manifests(), &backend_features());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_planted_missing_forward_fails() {
    let b = vec!["tch".to_string()];
    let m = |folder: &str, deps: &[&str], feats: &[(&str, &[&str])]| Manifest {
        folder: folder.into(),
        deps: deps.iter().map(|s| s.to_string()).collect(),
        features: feats.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect(),
    };
    let mut all = BTreeMap::from([
        (SWITCH.to_string(), m("impls", &[], &[("tch", &["burn/tch"])])),
        ("splatbench-render".into(), m("impls", &[SWITCH], &[("tch", &["splatbench-device/tch"])])),
        ("splatbench-new".into(), m("impls", &["splatbench-render"], &[("tch", &["splatbench-render/tch"])])),
        ("splatbench-bench".into(), m("harness", &["splatbench-new"], &[("tch", &["splatbench-new/tch"])])),
    ]);
    assert!(forwarding_violations(&all, &b).is_empty(), "{:?}", forwarding_violations(&all, &b));
    // A method that gains a backend path but is not forwarded from the bench.
    all.get_mut("splatbench-bench").unwrap().features.clear();
    assert!(forwarding_violations(&all, &b).iter().any(|w| w.contains("splatbench-bench: no feature `tch`")));
    all.get_mut("splatbench-bench").unwrap().features.insert("tch".into(), vec![]);
    assert!(forwarding_violations(&all, &b).iter().any(|w| w.contains("does not forward to splatbench-new/tch")));
    // burn switched on outside the device crate.
    all.get_mut("splatbench-bench")
        .unwrap()
        .features
        .insert("tch".into(), vec!["splatbench-new/tch".into(), "burn/tch".into()]);
    assert!(forwarding_violations(&all, &b).iter().any(|w| w.contains("only splatbench-device switches")));
}
