//! Workspace hygiene, checked on every test run (no extra tool to install): every member opts into the shared
//! `[workspace.lints]`, and declares no dependency its sources never name.
//!
//! A dependency counts as used when its library name (the key with '-' → '_', or a workspace member's `[lib]
//! name`) appears as a path root — `name::`, `use name`, `extern crate name` — in the files that may use it:
//! `[dependencies]` in `src/` (and `build.rs`), `[build-dependencies]` in `build.rs`, `[dev-dependencies]` in
//! `src/` (`#[cfg(test)]` modules), `tests/`, `benches/` and `examples/`. A dependency needed for another reason
//! (features only) is listed under `[package.metadata.cargo-machete] ignored = [...]`, as cargo-machete reads it.

use splatbench_tests::{members, package_name, toml_file, workspace};
use std::collections::BTreeMap;
use std::path::Path;

/// The name code uses for a member's library.
fn lib_name(manifest: &toml::Table) -> String {
    let lib = manifest.get("lib").and_then(|l| l.get("name")).and_then(|n| n.as_str());
    lib.map_or_else(|| package_name(manifest).replace('-', "_"), str::to_string)
}

/// Every `.rs` file under `dir` (recursively), concatenated.
fn sources(dir: &Path) -> String {
    let mut out = String::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out += &sources(&p);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out += &std::fs::read_to_string(&p).unwrap();
            out.push('\n');
        }
    }
    out
}

fn file(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Whether `name` is used as a path root in `code`: `name::`, `use name`, `extern crate name`, at a word start.
fn names(code: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = &code[at + name.len()..];
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            return false;
        }
        let prefix = code[..at].trim_end();
        after.starts_with("::")
            || (after.starts_with([';', ' ', ':', '{']) || after.is_empty())
                && (prefix.ends_with("use") || prefix.ends_with("extern crate"))
    })
}

/// `[dependencies]`-like tables of a manifest, including `[target.'cfg(..)'.dependencies]`.
fn dependency_tables<'a>(manifest: &'a toml::Table, kind: &str) -> Vec<&'a toml::Table> {
    let mut out: Vec<&toml::Table> = manifest.get(kind).and_then(|t| t.as_table()).into_iter().collect();
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        out.extend(targets.values().filter_map(|t| t.get(kind)).filter_map(|t| t.as_table()));
    }
    out
}

#[test]
fn every_dependency_is_used() {
    let members = members();
    // Workspace members are named in code by their library name.
    let libs: BTreeMap<String, String> = members.iter().map(|(_, m)| (package_name(m), lib_name(m))).collect();
    let mut unused = Vec::new();
    for (dir, manifest) in &members {
        let ignored: Vec<&str> = manifest
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("cargo-machete"))
            .and_then(|m| m.get("ignored"))
            .and_then(|i| i.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let src = sources(&dir.join("src")) + &file(&dir.join("build.rs"));
        let build = file(&dir.join("build.rs"));
        let dev = src.clone()
            + &sources(&dir.join("tests"))
            + &sources(&dir.join("benches"))
            + &sources(&dir.join("examples"));
        for (kind, code) in [("dependencies", &src), ("build-dependencies", &build), ("dev-dependencies", &dev)] {
            for table in dependency_tables(manifest, kind) {
                for (key, spec) in table {
                    // `foo = { package = "bar" }` is named `foo` in code; a member by its `[lib] name`.
                    let package = spec.get("package").and_then(|p| p.as_str()).unwrap_or(key);
                    let name = match libs.get(package) {
                        Some(lib) if package == key => lib.clone(),
                        _ => key.replace('-', "_"),
                    };
                    if !ignored.contains(&key.as_str()) && !names(code, &name) {
                        unused.push(format!("{}: {kind}.{key} (`{name}` never appears)", package_name(manifest)));
                    }
                }
            }
        }
    }
    assert!(
        unused.is_empty(),
        "unused dependencies (remove them, or list them in cargo-machete's `ignored`):\n{}",
        unused.join("\n")
    );
}

#[test]
fn every_member_uses_the_workspace_lints() {
    let root = toml_file(&workspace().join("Cargo.toml"));
    assert!(root["workspace"].get("lints").is_some(), "no [workspace.lints] in the root Cargo.toml");
    let missing: Vec<String> = members()
        .iter()
        .filter(|(_, m)| m.get("lints").and_then(|l| l.get("workspace")).and_then(|w| w.as_bool()) != Some(true))
        .map(|(_, m)| package_name(m))
        .collect();
    assert!(missing.is_empty(), "members without `[lints] workspace = true`: {missing:?}");
}

#[test]
fn the_usage_scan_sees_paths_and_use_lines_only() {
    assert!(names("use serde::Serialize;", "serde"));
    assert!(names("#[derive(thiserror::Error)]", "thiserror"));
    assert!(names("use rayon;\n", "rayon"));
    assert!(names("extern crate libc;", "libc"));
    assert!(names("let x = { csv::Writer::from_writer(v) };", "csv"));
    // Words that merely contain the name, and other crates' paths, are not uses.
    assert!(!names("let image_size = 3; // an image", "image"));
    assert!(!names("use splatbench_core::image::Image;", "image"));
    assert!(!names("my_rand::x()", "rand"));
}
