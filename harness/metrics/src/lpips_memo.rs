//! A memo of LPIPS distances, keyed by the backbone and the two images' exact content, kept per process and, for a
//! bench, in a file its runs share.
//!
//! A bench scores every run's references (the mean-colour image, the untrained model) on the same views, and those
//! pairs repeat across the variants and seeds of a suite: the standard splatter entry scores 20 277 pairs, 9 763 of
//! them distinct. LPIPS is a pure function of the pixels, so a hit returns what the network returned for the
//! same pair. The key is 128 bits: two SipHashes, told apart by a prefix, over the shapes and the f32 bits of both
//! images, so a false hit needs a 128-bit collision. Bounded: when it holds [`MAX_ENTRIES`] it is emptied.
//!
//! Each run of a bench is its own process, so the memo that crosses runs is a file ([`persist`]): one per backbone
//! and *scorer*, `<dir>/<net>-<scorer:016x>.memo`, where the scorer fingerprint covers everything besides the
//! pixels that could change a distance (the model file's bytes, the ONNX Runtime build, the running executable), so
//! an entry is only ever read back by the same code on the same model. A line is `<k0> <k1> <f64 bits>` in
//! fixed-width hex plus a newline, appended after each network run; a line that is not exactly that (a write cut
//! short by a kill) is skipped when the file is loaded. A file over [`MAX_FILE_BYTES`] is started afresh.

use super::Net;
use splatbench_core::Image;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Entries kept before the memo is emptied (≈ 40 bytes each).
pub const MAX_ENTRIES: usize = 1 << 20;

/// One line of a memo file: three 16-digit hex fields, two spaces, a newline.
const LINE_BYTES: usize = 3 * 16 + 3;

/// The largest memo file that is loaded: [`MAX_ENTRIES`] lines.
pub const MAX_FILE_BYTES: u64 = (MAX_ENTRIES * LINE_BYTES) as u64;

type Key = (Net, u64, u64);

#[derive(Default)]
struct Memo {
    map: HashMap<Key, f64>,
    /// Per backbone (`Net as usize`), the file new entries are appended to.
    files: [Option<(PathBuf, std::fs::File)>; 3],
}

static MEMO: Mutex<Option<Memo>> = Mutex::new(None);

/// Lookups answered from the memo, and distances the network computed into it, in this process.
static HITS: AtomicU64 = AtomicU64::new(0);
static STORED: AtomicU64 = AtomicU64::new(0);

/// (memo hits, network distances stored) of this process so far.
pub fn counts() -> (u64, u64) {
    (HITS.load(Ordering::Relaxed), STORED.load(Ordering::Relaxed))
}

fn with_memo<T>(f: impl FnOnce(&mut Memo) -> T) -> T {
    let mut memo = MEMO.lock().unwrap_or_else(|e| e.into_inner());
    f(memo.get_or_insert_with(Memo::default))
}

/// The memo's key for the pair (`a`, `b`) under `net`; the order of the pair matters.
pub fn key(net: Net, a: &Image, b: &Image) -> Key {
    let half = |prefix: u8| {
        let mut h = DefaultHasher::new();
        prefix.hash(&mut h);
        for img in [a, b] {
            (img.width, img.height, img.channels).hash(&mut h);
            for v in &img.data {
                v.to_bits().hash(&mut h);
            }
        }
        h.finish()
    };
    (net, half(0), half(1))
}

pub fn get(key: &Key) -> Option<f64> {
    let hit = with_memo(|m| m.map.get(key).copied());
    if hit.is_some() {
        HITS.fetch_add(1, Ordering::Relaxed);
    }
    hit
}

/// Remember `distance` for `key`, and append it to the backbone's memo file when there is one.
pub fn insert(key: Key, distance: f64) {
    STORED.fetch_add(1, Ordering::Relaxed);
    with_memo(|m| {
        if m.map.len() >= MAX_ENTRIES {
            m.map.clear();
        }
        m.map.insert(key, distance);
        let slot = &mut m.files[key.0 as usize];
        if let Some((path, file)) = slot.as_mut()
            && let Err(e) = file.write_all(line(key.1, key.2, distance).as_bytes())
        {
            eprintln!("warning: LPIPS memo: cannot append to {}: {e}; not kept on disk from here on", path.display());
            *slot = None;
        }
    })
}

/// One memo file line.
fn line(k0: u64, k1: u64, distance: f64) -> String {
    format!("{k0:016x} {k1:016x} {:016x}\n", distance.to_bits())
}

/// The entries of a memo file's text; lines that are not exactly [`line`]'s form are skipped.
fn parse(text: &[u8]) -> Vec<(u64, u64, f64)> {
    let field = |b: &[u8]| {
        (b.len() == 16 && b.iter().all(u8::is_ascii_hexdigit))
            .then(|| u64::from_str_radix(std::str::from_utf8(b).ok()?, 16).ok())
            .flatten()
    };
    text.split_inclusive(|&c| c == b'\n')
        .filter(|l| l.len() == LINE_BYTES && l[16] == b' ' && l[33] == b' ' && l[50] == b'\n')
        .filter_map(|l| Some((field(&l[..16])?, field(&l[17..33])?, f64::from_bits(field(&l[34..50])?))))
        .collect()
}

/// The memo file of `net` under the scorer fingerprint `scorer` in `dir`.
pub fn file_path(dir: &Path, net: Net, scorer: u64) -> PathBuf {
    dir.join(format!("{}-{scorer:016x}.memo", net.name()))
}

/// Back `net`'s memo with its file in `dir` (module docs): load what earlier processes stored, append what this one
/// adds. Returns how many entries were loaded; an error names the path (the memo then stays in memory only).
pub fn persist(dir: &Path, net: Net, scorer: u64) -> std::io::Result<usize> {
    let path = file_path(dir, net, scorer);
    let named = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(named)?;
    let fresh = std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_FILE_BYTES);
    let text = if fresh {
        eprintln!("warning: LPIPS memo {} is over {MAX_FILE_BYTES} bytes: started afresh", path.display());
        std::fs::File::create(&path).map_err(named)?;
        vec![]
    } else {
        match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
            Err(e) => return Err(named(e)),
        }
    };
    let entries = parse(&text);
    let mut file = std::fs::File::options().create(true).append(true).open(&path).map_err(named)?;
    // End a line cut short, so the first line appended now is not glued to it (and skipped).
    if text.last().is_some_and(|&c| c != b'\n') {
        file.write_all(b"\n").map_err(named)?;
    }
    with_memo(|m| {
        for &(k0, k1, d) in entries.iter().take(MAX_ENTRIES.saturating_sub(m.map.len())) {
            m.map.insert((net, k0, k1), d);
        }
        m.files[net as usize] = Some((path.clone(), file));
    });
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(w: u32, h: u32, seed: f32) -> Image {
        let data = (0..w * h * 3).map(|i| ((i as f32 * 0.37 + seed).sin() + 1.0) / 2.0).collect();
        Image { width: w, height: h, channels: 3, data }
    }

    #[test]
    fn one_changed_bit_the_order_of_the_pair_the_shape_and_the_net_each_change_the_key() {
        let (a, b) = (image(8, 4, 0.0), image(8, 4, 1.0));
        let base = key(Net::Vgg, &a, &b);
        assert_eq!(base, key(Net::Vgg, &a.clone(), &b.clone()));
        let mut b1 = b.clone();
        b1.data[17] = f32::from_bits(b1.data[17].to_bits() ^ 1);
        assert_ne!(base, key(Net::Vgg, &a, &b1));
        assert_ne!(base, key(Net::Vgg, &b, &a));
        assert_ne!(base, key(Net::Alex, &a, &b));
        let (a2, b2) = (Image { width: 4, height: 8, ..a.clone() }, Image { width: 4, height: 8, ..b.clone() });
        assert_ne!(base, key(Net::Vgg, &a2, &b2));
    }

    #[test]
    fn a_stored_distance_comes_back_for_its_key_only() {
        let (a, b, c) = (image(8, 4, 2.0), image(8, 4, 3.0), image(8, 4, 4.0));
        let k = key(Net::Squeeze, &a, &b);
        insert(k, 0.25);
        assert_eq!(get(&k), Some(0.25));
        assert_eq!(get(&key(Net::Squeeze, &a, &c)), None);
    }

    #[test]
    fn a_memo_file_line_round_trips_and_a_cut_or_foreign_line_is_skipped() {
        let good = [(1u64, u64::MAX, 0.123456789f64), (0xdead_beef, 7, f64::MIN_POSITIVE)];
        let mut text: Vec<u8> = good.iter().flat_map(|&(a, b, d)| line(a, b, d).into_bytes()).collect();
        let cut = line(3, 4, 0.5);
        text.extend_from_slice(b"not a memo line at all, but as long as one...\n");
        text.extend_from_slice(&cut.as_bytes()[..30]);
        text.extend_from_slice(line(5, 6, 0.75).as_bytes());
        text.extend_from_slice(&cut.as_bytes()[..LINE_BYTES - 1]);
        let got = parse(&text);
        assert_eq!(got.len(), 2, "{got:?}");
        for (g, w) in got.iter().zip(&good) {
            assert_eq!((g.0, g.1, g.2.to_bits()), (w.0, w.1, w.2.to_bits()));
        }
    }

    #[test]
    fn a_persisted_memo_loads_what_an_earlier_process_stored_and_appends_what_it_adds() {
        let dir = std::env::temp_dir().join(format!("splatbench-lpips-memo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (scorer, earlier) = (0x5eed, (0xaaaa_u64, 0xbbbb_u64, 0.3125));
        let path = file_path(&dir, Net::Alex, scorer);
        std::fs::write(&path, format!("{}{}", line(earlier.0, earlier.1, earlier.2), "torn 0123")).unwrap();
        assert_eq!(persist(&dir, Net::Alex, scorer).unwrap(), 1);
        assert_eq!(get(&(Net::Alex, earlier.0, earlier.1)), Some(earlier.2));
        assert_eq!(get(&(Net::Vgg, earlier.0, earlier.1)), None, "another backbone's file is another memo");
        let (a, b) = (image(8, 4, 5.0), image(8, 4, 6.0));
        let k = key(Net::Alex, &a, &b);
        insert(k, 0.0625);
        let stored = parse(&std::fs::read(&path).unwrap());
        assert!(stored.contains(&(k.1, k.2, 0.0625)), "{stored:?}");
        // A different scorer fingerprint is a different file: nothing of this one is read back under it.
        assert_ne!(file_path(&dir, Net::Alex, scorer + 1), path);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
