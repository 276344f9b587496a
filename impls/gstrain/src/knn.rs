//! Mean squared distance to the 3 nearest neighbours of every point (3DGS's `distCUDA2`), with a k-d tree so that
//! 10⁵-point clouds initialise in well under a second.
//!
//! The tree is implicit: `order[lo..hi]` is one node; its median `order[mid]` (along the axis of largest spread,
//! stored in `axis[mid]`) splits it into `[lo, mid)` and `(mid, hi)`. Coincident points count as neighbours at
//! distance 0 (the caller clamps), a point is never its own neighbour.
//!
//! The queries run in parallel (rayon); each point's result depends only on the tree, so the output is the same for
//! any thread count.

use rayon::prelude::*;

const LEAF: usize = 8;
const K: usize = 3;

/// For each point, the mean of the squared distances to its (up to) 3 nearest other points; 0 for a lone point.
pub fn mean_sq_dist_knn3(points: &[[f64; 3]]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    let mut axis = vec![0u8; points.len()];
    build(points, &mut order, &mut axis, 0);
    let tree = Tree { points, order: &order, axis: &axis };
    (0..points.len())
        .into_par_iter()
        .map(|i| {
            let mut best = Best::new();
            tree.query(i, 0, points.len(), &mut best);
            best.mean()
        })
        .collect()
}

fn build(points: &[[f64; 3]], order: &mut [usize], axis: &mut [u8], offset: usize) {
    let len = order.len();
    if len <= LEAF {
        return;
    }
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for &i in order.iter() {
        for d in 0..3 {
            lo[d] = lo[d].min(points[i][d]);
            hi[d] = hi[d].max(points[i][d]);
        }
    }
    let a = (0..3).max_by(|&x, &y| (hi[x] - lo[x]).total_cmp(&(hi[y] - lo[y]))).unwrap_or(0);
    let mid = len / 2;
    order.select_nth_unstable_by(mid, |&p, &q| points[p][a].total_cmp(&points[q][a]));
    axis[offset + mid] = a as u8;
    let (left, rest) = order.split_at_mut(mid);
    build(points, left, axis, offset);
    build(points, &mut rest[1..], axis, offset + mid + 1);
}

struct Tree<'a> {
    points: &'a [[f64; 3]],
    order: &'a [usize],
    axis: &'a [u8],
}

impl Tree<'_> {
    fn query(&self, q: usize, lo: usize, hi: usize, best: &mut Best) {
        if hi - lo <= LEAF {
            for &j in &self.order[lo..hi] {
                self.consider(q, j, best);
            }
            return;
        }
        let mid = (lo + hi) / 2;
        let j = self.order[mid];
        self.consider(q, j, best);
        let a = self.axis[mid] as usize;
        let d = self.points[q][a] - self.points[j][a];
        let (near, far) = if d < 0.0 { ((lo, mid), (mid + 1, hi)) } else { ((mid + 1, hi), (lo, mid)) };
        self.query(q, near.0, near.1, best);
        if d * d < best.worst() {
            self.query(q, far.0, far.1, best);
        }
    }

    fn consider(&self, q: usize, j: usize, best: &mut Best) {
        if q == j {
            return;
        }
        let (p, r) = (self.points[q], self.points[j]);
        let d2 = (p[0] - r[0]).powi(2) + (p[1] - r[1]).powi(2) + (p[2] - r[2]).powi(2);
        best.push(d2);
    }
}

/// The K smallest squared distances seen so far, ascending.
struct Best {
    d2: [f64; K],
    len: usize,
}

impl Best {
    fn new() -> Self {
        Best { d2: [f64::INFINITY; K], len: 0 }
    }

    fn worst(&self) -> f64 {
        if self.len < K { f64::INFINITY } else { self.d2[K - 1] }
    }

    fn push(&mut self, d2: f64) {
        if d2 >= self.worst() {
            return;
        }
        let mut i = self.len.min(K - 1);
        self.d2[i] = d2;
        while i > 0 && self.d2[i - 1] > self.d2[i] {
            self.d2.swap(i - 1, i);
            i -= 1;
        }
        self.len = (self.len + 1).min(K);
    }

    fn mean(&self) -> f64 {
        if self.len == 0 { 0.0 } else { self.d2[..self.len].iter().sum::<f64>() / self.len as f64 }
    }
}
