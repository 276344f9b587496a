//! SplitMix64: a tiny, portable, seedable generator. The scenes need reproducible numbers across platforms and
//! crate versions, not statistical perfection, so the generator is written out here instead of borrowed.

pub struct Rng(u64);

impl Rng {
    /// A stream for `seed` and a textual purpose, so scenes and objects draw independent numbers and adding a
    /// scene never changes another scene's output.
    pub fn new(seed: u64, stream: &str) -> Rng {
        // FNV-1a of the stream name: stable across runs (unlike std's SipHash keys).
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in stream.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = Rng(seed ^ h);
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = self.f64().max(1e-300);
        let v = self.f64();
        splatbench_core::maths::box_muller(u, v)
    }
}

/// Integer lattice hash to [0, 1), for value noise (pure function of its inputs).
pub fn hash3(seed: u32, x: i64, y: i64, z: i64) -> f64 {
    let mut h = (seed as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for v in [x, y, z] {
        h ^= (v as u64).wrapping_add(0x9e37_79b9_7f4a_7c15).wrapping_add(h << 6).wrapping_add(h >> 2);
        h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 31;
    }
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}
