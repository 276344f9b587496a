//! A process-wide memo of LPIPS distances, keyed by the backbone and the two images' exact content.
//!
//! A bench scores every run's references (the mean-colour image, the untrained model) on the same views, and those
//! pairs repeat across the variants and seeds of a suite: with VGG on 128² SRN views the repeats were two thirds of
//! the scoring time. LPIPS is a pure function of the pixels, so a hit returns what the network returned for the
//! same pair. The key is 128 bits: two SipHashes, told apart by a prefix, over the shapes and the f32 bits of both
//! images, so a false hit needs a 128-bit collision. Bounded: when it holds [`MAX_ENTRIES`] it is emptied.

use super::Net;
use splatbench_core::Image;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

/// Entries kept before the memo is emptied (≈ 40 bytes each).
pub const MAX_ENTRIES: usize = 1 << 20;

type Key = (Net, u64, u64);

static MEMO: Mutex<Option<HashMap<Key, f64>>> = Mutex::new(None);

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
    MEMO.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|m| m.get(key).copied())
}

pub fn insert(key: Key, distance: f64) {
    let mut memo = MEMO.lock().unwrap_or_else(|e| e.into_inner());
    let m = memo.get_or_insert_with(HashMap::new);
    if m.len() >= MAX_ENTRIES {
        m.clear();
    }
    m.insert(key, distance);
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
}
