//! The documentation's contract: a short README, no fact of the old README without a home, no dead relative link,
//! and the crate graph in docs/architecture.md equal to what the manifests say. Docs drift silently; these fail
//! loudly, and the graph check prints the block to paste.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// What a newcomer reads first must stay short enough to be read; everything else lives in docs/.
const README_MAX_BYTES: u64 = 12_288;

/// Every `##` heading of the README before it was split (issue #32): each must still be a heading somewhere.
const OLD_HEADINGS: &[&str] = &[
    "The two commands",
    "Layout",
    "The `splatbench` CLI",
    "Exit codes",
    "Conventions",
    "Backends",
    "The head method on head_james",
    "The splart method on the shared photos",
    "The splatter method on srn_toy (Splatter Image, baseline vs target supervision)",
    "The nerf method on blender_toy",
    "What works and what does not yet",
    "Measurements",
];

const GRAPH_BEGIN: &str = "<!-- crate-graph:begin -->";
const GRAPH_END: &str = "<!-- crate-graph:end -->";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lies in the workspace root").to_path_buf()
}

/// README.md, CHANGELOG.md and docs/**/*.md, with their text.
fn doc_files(root: &Path) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut paths = vec![root.join("README.md"), root.join("CHANGELOG.md")];
    walk(&root.join("docs"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, text)
        })
        .collect()
}

/// Lines outside fenced code blocks: a `#` or a `](` inside a fence is code, not markup.
fn prose_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut in_fence = false;
    text.lines().filter(move |line| {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            return false;
        }
        !in_fence
    })
}

/// ATX headings (`#` to `######`), their text trimmed.
fn headings(text: &str) -> Vec<String> {
    prose_lines(text)
        .filter_map(|line| {
            let hashes = line.len() - line.trim_start_matches('#').len();
            let rest = &line[hashes..];
            ((1..=6).contains(&hashes) && rest.starts_with(' '))
                .then(|| rest.trim().trim_end_matches('#').trim().to_string())
        })
        .collect()
}

/// GitHub's anchor for a heading: lowercase, spaces to `-`, every other character but letters, digits, `-` and
/// `_` dropped (backticks included, so "The `splatbench` CLI" → `the-splatbench-cli`).
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every anchor a file offers; a repeated heading gets `-1`, `-2`, … as on GitHub.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for h in headings(text) {
        let base = slug(&h);
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 { base.clone() } else { format!("{base}-{n}") });
        *n += 1;
    }
    out
}

/// The targets of inline links `[..](target)` and images, outside code spans and fences.
fn link_targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose_lines(text) {
        // Code spans are dropped first: `a[i](x)` in code is not a link.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            let target = rest[..end].split_whitespace().next().unwrap_or("");
            out.push(target.to_string());
            rest = &rest[end..];
        }
    }
    out
}

/// `a/b/../c` → `a/c`, without touching the disk, so the checker runs on synthetic trees too.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Dead links of `file` (text `text`): `read` gives a path's text, `Some("")` for a directory, `None` when absent.
fn dead_links(file: &Path, text: &str, read: &dyn Fn(&Path) -> Option<String>) -> Vec<String> {
    let mut dead = Vec::new();
    for target in link_targets(text) {
        if target.starts_with("http://") || target.starts_with("https://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (target.as_str(), None),
        };
        let resolved = if path.is_empty() {
            file.to_path_buf()
        } else {
            normalize(&file.parent().unwrap_or(Path::new("")).join(path))
        };
        let Some(body) = (if path.is_empty() { Some(text.to_string()) } else { read(&resolved) }) else {
            dead.push(format!("{}: ({target}): no file {}", file.display(), resolved.display()));
            continue;
        };
        if let Some(anchor) = anchor
            && !anchors(&body).contains(anchor)
        {
            dead.push(format!(
                "{}: ({target}): no heading with anchor #{anchor} in {}",
                file.display(),
                resolved.display()
            ));
        }
    }
    dead
}

fn read_disk(path: &Path) -> Option<String> {
    // A binary file (an image the README shows) exists but has no headings: empty text.
    if path.is_dir() {
        Some(String::new())
    } else {
        fs::read(path).ok().map(|b| String::from_utf8(b).unwrap_or_default())
    }
}

/// The old headings that are a heading in none of `docs`.
fn homeless<'a>(old: &[&'a str], docs: &[(PathBuf, String)]) -> Vec<&'a str> {
    let all: BTreeSet<String> = docs.iter().flat_map(|(_, text)| headings(text)).collect();
    old.iter().copied().filter(|h| !all.contains(*h)).collect()
}

/// `A -> B` for each `splatbench*` crate B in A's `[dependencies]`, over the workspace members, sorted.
fn manifest_edges(root: &Path) -> Vec<String> {
    let parse = |p: &Path| -> toml::Table {
        let text = fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        text.parse().unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    let workspace = parse(&root.join("Cargo.toml"));
    let members = workspace["workspace"]["members"].as_array().expect("[workspace] members");
    let mut edges = BTreeSet::new();
    for member in members {
        let manifest = parse(&root.join(member.as_str().expect("member path")).join("Cargo.toml"));
        let name = manifest["package"]["name"].as_str().expect("[package] name");
        let Some(deps) = manifest.get("dependencies").and_then(|d| d.as_table()) else { continue };
        for (key, spec) in deps {
            // A renamed dependency names its crate in `package`.
            let dep = spec.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            if dep.starts_with("splatbench") {
                edges.insert(format!("{name} -> {dep}"));
            }
        }
    }
    edges.into_iter().collect()
}

/// What belongs between the graph markers: the edge list, then the same edges drawn by mermaid (crate names
/// without the `splatbench-` prefix, since mermaid reads `-` in a node name as part of an arrow).
fn graph_block(edges: &[String]) -> String {
    let short = |n: &str| n.strip_prefix("splatbench-").unwrap_or(n).to_string();
    let mut out = String::from("```text\n");
    for e in edges {
        out += e;
        out.push('\n');
    }
    out += "```\n\n```mermaid\nflowchart TD\n";
    for e in edges {
        let (a, b) = e.split_once(" -> ").expect("edge");
        out += &format!("    {} --> {}\n", short(a), short(b));
    }
    out += "```\n";
    out
}

#[test]
fn readme_is_the_contract() {
    let size = fs::metadata(root().join("README.md")).expect("README.md").len();
    assert!(size <= README_MAX_BYTES, "README.md is {size} bytes, over {README_MAX_BYTES}: move detail into docs/");
}

#[test]
fn every_doc_is_linked_from_the_readme() {
    let root = root();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let linked: BTreeSet<PathBuf> =
        link_targets(&readme).iter().map(|t| normalize(&root.join(t.split('#').next().unwrap()))).collect();
    let unlinked: Vec<_> = doc_files(&root)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| !p.ends_with("README.md") && !linked.contains(p))
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(unlinked.is_empty(), "README.md links none of: {unlinked:?}");
}

#[test]
fn every_old_heading_has_a_home() {
    let missing = homeless(OLD_HEADINGS, &doc_files(&root()));
    assert!(missing.is_empty(), "old README headings with no heading in README.md, CHANGELOG.md or docs/: {missing:?}");
}

#[test]
fn a_planted_missing_heading_is_found() {
    let docs = vec![(PathBuf::from("docs/x.md"), "# Top\n\n#### Exit codes\n\n```\n## In a fence\n```\n".to_string())];
    assert_eq!(homeless(&["Exit codes", "Layout", "In a fence"], &docs), ["Layout", "In a fence"]);
}

#[test]
fn no_dead_links() {
    let root = root();
    let dead: Vec<String> = doc_files(&root).iter().flat_map(|(p, text)| dead_links(p, text, &read_disk)).collect();
    assert!(dead.is_empty(), "dead links:\n{}", dead.join("\n"));
}

#[test]
fn planted_dead_links_and_anchors_are_found() {
    let files: BTreeMap<PathBuf, String> = [
        ("docs/a.md", "# A\n## Exit codes\n## Exit codes\n### The `splatbench` CLI\n"),
        ("docs/sub", ""),
        ("README.md", ""),
    ]
    .into_iter()
    .map(|(p, t)| (PathBuf::from(p), t.to_string()))
    .collect();
    let read = |p: &Path| files.get(p).cloned();
    let text = "[ok](a.md#exit-codes) [dup](a.md#exit-codes-1) [code](a.md#the-splatbench-cli) [up](../README.md) \
                [dir](sub) [web](https://example.org/x#y) [self](#local) `[code](nowhere.md)`\n\
                [gone](b.md) [bad anchor](a.md#exit-codes-2) [bad self](#nope)\n# Local\n";
    let dead = dead_links(Path::new("docs/b.md"), text, &read);
    assert_eq!(dead.len(), 3, "{dead:#?}");
    assert!(dead[0].contains("(b.md)") && dead[1].contains("#exit-codes-2") && dead[2].contains("#nope"), "{dead:#?}");
}

#[test]
fn slugs_follow_github() {
    assert_eq!(slug("The `splatbench` CLI"), "the-splatbench-cli");
    assert_eq!(
        slug("The splatter method on srn_toy (Splatter Image, baseline vs target supervision)"),
        "the-splatter-method-on-srn_toy-splatter-image-baseline-vs-target-supervision"
    );
    assert_eq!(slug("0.3.0 — 2026-12-01"), "030--2026-12-01");
}

#[test]
fn architecture_graph_matches_manifests() {
    let root = root();
    let expected = graph_block(&manifest_edges(&root));
    let doc = fs::read_to_string(root.join("docs/architecture.md")).expect("docs/architecture.md");
    let actual = match (doc.find(GRAPH_BEGIN), doc.find(GRAPH_END)) {
        (Some(b), Some(e)) if b < e => doc[b + GRAPH_BEGIN.len()..e].trim().to_string(),
        _ => panic!(
            "docs/architecture.md lacks the {GRAPH_BEGIN} … {GRAPH_END} block; put this between them:\n\n{expected}"
        ),
    };
    assert!(
        actual == expected.trim(),
        "docs/architecture.md's crate graph differs from the manifests' [dependencies]; paste this between the \
         markers:\n\n{expected}"
    );
}
