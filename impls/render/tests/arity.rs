//! No function in `impls/render/src` takes more than [`MAX_PARAMS`] parameters (the receiver not counted): longer
//! argument lists are grouped into structs (host: structs of slices; CubeCL: launch structs of tensors and one of
//! scalar uniforms, `src/cube/types.rs`).
//!
//! The check reads the source text: comments, string and char literals are blanked, then for every `fn name` it
//! skips the generics (balanced `<…>`, where the `>` of `->` does not close) and counts the top-level commas of the
//! parameter list (commas inside `()`, `[]`, `{}` and `<>` belong to a type). Function-pointer types `fn(…)` have no
//! name and are not definitions.

use std::path::{Path, PathBuf};

const MAX_PARAMS: usize = 6;

/// Every function of `src` with more than `max` parameters, as (name, count).
fn violations(src: &str, max: usize) -> Vec<(String, usize)> {
    let code = blank_comments_and_literals(src);
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = find_word(b, i, b"fn") {
        i = at + 2;
        let mut j = skip_ws(b, i);
        let start = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'#') {
            j += 1;
        }
        if j == start {
            continue; // `fn(` of a function-pointer type
        }
        let name = code[start..j].trim_start_matches("r#").to_string();
        j = skip_ws(b, j);
        if j < b.len() && b[j] == b'<' {
            j = skip_balanced_angles(b, j);
            j = skip_ws(b, j);
        }
        if j >= b.len() || b[j] != b'(' {
            continue;
        }
        let n = count_params(&code, j);
        if n > max {
            out.push((name, n));
        }
    }
    out
}

/// Parameters of the list opening at `open` (a `(`), receiver excluded.
fn count_params(code: &str, open: usize) -> usize {
    let b = code.as_bytes();
    let (mut depth, mut angle) = (0i32, 0i32);
    let mut parts = Vec::new();
    let mut from = open + 1;
    let mut j = open;
    while j < b.len() {
        match b[j] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    parts.push(&code[from..j]);
                    break;
                }
            }
            b'-' if b.get(j + 1) == Some(&b'>') => j += 1,
            b'<' => angle += 1,
            b'>' => angle -= 1,
            b',' if depth == 1 && angle == 0 => {
                parts.push(&code[from..j]);
                from = j + 1;
            }
            _ => {}
        }
        j += 1;
    }
    parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty() && !is_receiver(p)).count()
}

/// `self`, `mut self`, `&self`, `&mut self`, `&'a self`, `&'a mut self`, `self: Type`.
fn is_receiver(param: &str) -> bool {
    let p = param.split(':').next().unwrap_or("").trim();
    let p = p.trim_start_matches('&').trim_start();
    let p = match p.strip_prefix('\'') {
        Some(rest) => rest.split_once(char::is_whitespace).map_or("", |(_, r)| r).trim_start(),
        None => p,
    };
    let p = p.strip_prefix("mut").map_or(p, |r| r.trim_start());
    p == "self"
}

/// Index just past the `<…>` opening at `open`.
fn skip_balanced_angles(b: &[u8], open: usize) -> usize {
    let mut depth = 0;
    let mut j = open;
    while j < b.len() {
        match b[j] {
            b'-' if b.get(j + 1) == Some(&b'>') => j += 1,
            b'<' => depth += 1,
            b'>' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    j
}

fn skip_ws(b: &[u8], mut j: usize) -> usize {
    while j < b.len() && b[j].is_ascii_whitespace() {
        j += 1;
    }
    j
}

/// The next occurrence of `word` at or after `from` that is a whole identifier.
fn find_word(b: &[u8], from: usize, word: &[u8]) -> Option<usize> {
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    (from..b.len().saturating_sub(word.len() - 1)).find(|&k| {
        &b[k..k + word.len()] == word
            && (k == 0 || !ident(b[k - 1]))
            && b.get(k + word.len()).is_none_or(|&c| !ident(c))
    })
}

/// `src` with comments, string literals (plain, byte, raw) and char literals replaced by spaces (lengths kept),
/// so that neither a `fn` nor a bracket inside them is seen. Lifetimes (`'a`) are kept.
fn blank_comments_and_literals(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').map_or(b.len(), |e| i + e);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            // Block comments nest in Rust.
            let (mut depth, mut j) = (0, i);
            while j < b.len() {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if let Some(hashes) = raw_string_start(rest) {
            let open = i + rest.iter().position(|&c| c == b'"').unwrap() + 1;
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            let end = (open..b.len()).find(|&k| b[k..].starts_with(&close)).map_or(b.len(), |k| k + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if b[i] == b'\'' {
            // A char literal closes within a few bytes ('x', '\n', '\u{..}', multi-byte UTF-8); a lifetime does not.
            let close = if b.get(i + 1) == Some(&b'\\') {
                (i + 2..b.len().min(i + 12)).find(|&k| b[k] == b'\'')
            } else {
                (i + 2..b.len().min(i + 6))
                    .find(|&k| b[k] == b'\'')
                    .filter(|&k| src.is_char_boundary(i + 1) && src[i + 1..k].chars().count() == 1)
            };
            match close {
                Some(k) => {
                    blank(&mut out, i, k + 1);
                    i = k + 1;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).expect("blanking keeps UTF-8: only whole literals and comments become spaces")
}

/// Hashes of a raw (byte) string literal starting here (`r"`, `r#"`, `br##"`, …), if one does.
fn raw_string_start(rest: &[u8]) -> Option<usize> {
    let r = rest.strip_prefix(b"br").or_else(|| rest.strip_prefix(b"r"))?;
    let hashes = r.iter().take_while(|&&c| c == b'#').count();
    (r.get(hashes) == Some(&b'"')).then_some(hashes)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_function_in_src_takes_more_than_six_parameters() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 20, "found only {} files under {}", files.len(), src.display());
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read source");
        for (name, n) in violations(&text, MAX_PARAMS) {
            found.push(format!("{}: fn {name} takes {n} parameters", f.strip_prefix(&src).unwrap().display()));
        }
    }
    assert!(found.is_empty(), "more than {MAX_PARAMS} parameters (group them into a struct):\n{}", found.join("\n"));
}

#[test]
fn the_check_finds_a_planted_violation_and_only_it() {
    let src = r##"
        // fn in_a_comment(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8) {}
        /* fn in_a_block(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8) {} /* nested */ */
        const S: &str = "fn in_a_string(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8) {}";
        const R: &str = r#"fn in_a_raw_string(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8) {}"#;
        const C: char = '(';
        fn planted<'a, T: Fn(u8, u8) -> u8>(a: &'a u8, b: T, c: HashMap<u8, u8>, d: [u8; 3], e: (u8, u8), f: u8, g: u8) {}
        fn six<const N: usize>(a: u8, b: Vec<(u8, u8)>, c: u8, d: u8, e: u8, f: impl Fn(u8, u8) -> u8,) {}
        fn method(&'a mut self, a: u8, b: u8, c: u8, d: u8, e: u8, f: u8) {}
        struct P { callback: fn(u8, u8, u8, u8, u8, u8, u8) }
        fn receiver_by_type(self: Box<Self>, a: u8, b: u8, c: u8, d: u8, e: u8, f: u8) {}
        fn r#type(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8, g: u8, h: u8) {}
    "##;
    assert_eq!(violations(src, 6), vec![("planted".to_string(), 7), ("type".to_string(), 8)]);
}
