//! Mutations of a seed file. Byte-level ones (flips, chunk moves, truncation) find framing bugs in binary
//! formats; the text-aware ones swap a number for a hostile one (NaN, ±inf, 2⁶⁴, −1, 1e308), which is how a
//! corrupt count or pose reaches a JSON, TOML, PLY or COLMAP text parser past its syntax checks.

use crate::rng::Rng;

/// Values that break arithmetic: zero, one, sign and width boundaries, counts that would ask for exabytes.
const INTEGERS: [u64; 12] =
    [0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 1 << 32, 1 << 60, i64::MAX as u64, u64::MAX, 1 << 24];

/// Text tokens that replace a number.
const TOKENS: [&str; 18] = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "-1",
    "0",
    "-0",
    "1e308",
    "1e-320",
    "18446744073709551616",
    "4294967296",
    "9999999999",
    "1152921504606846976",
    "null",
    "true",
    "\"x\"",
    "[]",
    "{}",
];

/// Syntax fragments inserted at random.
const FRAGMENTS: [&str; 12] = ["{", "}", "[", "]", "\"", ",", ":", "\n", " ", "#", "=", "\0"];

/// A mutated copy of `input`: one to four mutations, sometimes spliced with `other`.
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        one(rng, &mut out, other);
    }
    out
}

fn one(rng: &mut Rng, b: &mut Vec<u8>, other: &[u8]) {
    let at = |rng: &mut Rng, b: &Vec<u8>| if b.is_empty() { 0 } else { rng.below(b.len()) };
    match rng.below(10) {
        0 if !b.is_empty() => {
            let i = at(rng, b);
            b[i] ^= 1 << rng.below(8);
        }
        1 if !b.is_empty() => {
            let i = at(rng, b);
            b[i] = rng.next_u64() as u8;
        }
        2 => {
            // An integer or float written over 2, 4 or 8 bytes, little- or big-endian.
            let width = *rng.pick(&[2usize, 4, 8]);
            let value = match rng.below(3) {
                0 => *rng.pick(&INTEGERS),
                1 => f64::NAN.to_bits(),
                _ => u64::from(f32::INFINITY.to_bits()),
            };
            let bytes = if rng.below(2) == 0 { value.to_le_bytes() } else { value.to_be_bytes() };
            if b.len() >= width {
                let i = rng.below(b.len() - width + 1);
                b[i..i + width].copy_from_slice(&bytes[..width]);
            }
        }
        3 if !b.is_empty() => {
            let i = at(rng, b);
            let n = 1 + rng.below((b.len() - i).min(64));
            b.drain(i..i + n);
        }
        4 if !b.is_empty() => {
            let i = at(rng, b);
            let n = 1 + rng.below((b.len() - i).min(64));
            let chunk = b[i..i + n].to_vec();
            let j = at(rng, b);
            b.splice(j..j, chunk);
        }
        5 => {
            let keep = at(rng, b);
            b.truncate(keep);
        }
        6 => replace_number(rng, b),
        7 => {
            let i = at(rng, b);
            let frag = rng.pick(&FRAGMENTS).as_bytes();
            b.splice(i..i, frag.iter().copied());
        }
        8 if !other.is_empty() => {
            // Splice: our head, the other seed's tail.
            let i = at(rng, b);
            let j = rng.below(other.len());
            b.truncate(i);
            b.extend_from_slice(&other[j..]);
        }
        _ => {
            // Repeat a line: a record count that no longer matches, a key given twice.
            if let Some((s, e)) = line_at(b, at(rng, b)) {
                let line = b[s..e].to_vec();
                b.splice(s..s, line);
            }
        }
    }
}

/// Replace a run of digits (with sign, point and exponent) by a hostile token.
fn replace_number(rng: &mut Rng, b: &mut Vec<u8>) {
    let starts: Vec<usize> =
        (0..b.len()).filter(|&i| b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric())).collect();
    if starts.is_empty() {
        return;
    }
    let s = *rng.pick(&starts);
    let s = if s > 0 && b[s - 1] == b'-' { s - 1 } else { s };
    let mut e = s + 1;
    while e < b.len() && (b[e].is_ascii_digit() || matches!(b[e], b'.' | b'e' | b'E' | b'-' | b'+')) {
        e += 1;
    }
    let token = rng.pick(&TOKENS).as_bytes();
    b.splice(s..e, token.iter().copied());
}

/// The line (without its newline) around byte `i`, newline included at the end when there is one.
fn line_at(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if b.is_empty() {
        return None;
    }
    let s = b[..i].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
    let e = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| i + p + 1);
    Some((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_change_the_input_and_are_reproducible_from_the_seed() {
        let seed = b"element vertex 12\nproperty float x\n1.5 2.5\n".to_vec();
        let run = |s| {
            let mut rng = Rng::new(s);
            (0..200).map(|_| mutate(&mut rng, &seed, b"other")).collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert!(a.iter().filter(|m| **m != seed).count() > 150, "most mutations change the input");
        assert!(a.iter().any(|m| m.windows(3).any(|w| w == b"nan" || w == b"inf")), "numbers get replaced");
    }
}
