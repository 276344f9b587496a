//! The fast compositor against the dense f64 reference, and its gradients against finite differences.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_splart::kernel::{backward, forward};
use splatbench_splart::{Brush, Stroke, reference};

fn stroke(x: f32, y: f32, rot: f32, sx: f32, sy: f32, rgb: [f32; 3]) -> Stroke {
    Stroke { position: [x, y], rotation: rot, log_scale: [sx.ln(), sy.ln()], color_logit: rgb }
}

/// Strokes of every kind the kernel must get right: ordinary, straddling the border, sub-pixel, huge.
fn random_strokes(rng: &mut ChaCha8Rng, n: usize, w: f32, h: f32) -> Vec<Stroke> {
    (0..n)
        .map(|i| {
            let (x, y, s) = match i % 4 {
                0 => (rng.random_range(0.0..w), rng.random_range(0.0..h), rng.random_range(2.0..10.0)),
                1 => (if rng.random_bool(0.5) { 0.0 } else { w }, rng.random_range(0.0..h), rng.random_range(3.0..8.0)),
                2 => (rng.random_range(0.0..w), rng.random_range(0.0..h), rng.random_range(0.1..0.6)),
                _ => (rng.random_range(0.0..w), rng.random_range(0.0..h), rng.random_range(40.0..120.0)),
            };
            let aspect = rng.random_range(0.3..1.0);
            let rgb = [0, 1, 2].map(|_| rng.random_range(-3.0..3.0));
            stroke(x, y, rng.random_range(-3.2..3.2), s, s * aspect, rgb)
        })
        .collect()
}

fn psnr(a: &[f32], b: &[f64]) -> f64 {
    let mse: f64 = a.iter().zip(b).map(|(&x, &y)| (x as f64 - y).powi(2)).sum::<f64>() / a.len() as f64;
    -10.0 * mse.log10()
}

#[test]
fn two_overlapping_opaque_strokes_give_the_top_colour_exactly() {
    let brush = Brush::ellipse(64, 0.6);
    let bottom = stroke(20.0, 16.0, 0.3, 10.0, 6.0, [2.0, -1.0, 0.5]);
    let top = stroke(21.0, 15.0, -0.7, 8.0, 5.0, [-1.5, 1.0, 3.0]);
    let img = forward(&[bottom, top], &brush, 40, 32, [0.2, 0.3, 0.4]);
    let dense = reference::render(&[bottom, top], &brush, 40, 32, [0.2, 0.3, 0.4]);
    let want = top.color();
    // Pixels well inside the top stroke's opaque core (|q| ≤ 0.6): (20.5, 14.5) and its neighbours.
    for (x, y) in [(20usize, 14usize), (21, 14), (20, 15), (21, 15)] {
        let p = (y * 40 + x) * 3;
        for c in 0..3 {
            assert_eq!(img[p + c], want[c] as f32, "pixel ({x}, {y}) channel {c}");
            assert_eq!(dense[p + c], want[c], "reference pixel ({x}, {y}) channel {c}");
        }
    }
}

#[test]
fn fast_path_matches_the_dense_reference_above_60_db() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for (brush, w, h) in [(Brush::ellipse(64, 0.6), 61, 47), (Brush::bristle(32), 48, 48), (Brush::dab(64), 33, 70)] {
        let strokes = random_strokes(&mut rng, 120, w as f32, h as f32);
        let fast = forward(&strokes, &brush, w, h, [0.5, 0.4, 0.3]);
        let dense = reference::render(&strokes, &brush, w, h, [0.5, 0.4, 0.3]);
        let db = psnr(&fast, &dense);
        assert!(db >= 60.0, "{w}×{h}: {db:.1} dB");
    }
}

/// Relative error ‖analytic − finite difference‖ / ‖finite difference‖ per parameter kind, on a smooth brush.
#[test]
fn gradients_match_central_finite_differences_of_the_reference() {
    let brush = Brush::ellipse(64, 0.0);
    let (w, h) = (36u32, 30u32);
    let bg = [0.3, 0.5, 0.7];
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let strokes: Vec<Stroke> = (0..10)
        .map(|_| {
            let s = rng.random_range(3.0..9.0);
            let rgb = [0, 1, 2].map(|_| rng.random_range(-2.0..2.0));
            let (x, y) = (rng.random_range(2.0..34.0), rng.random_range(2.0..28.0));
            stroke(x, y, rng.random_range(-3.0..3.0), s, s * rng.random_range(0.4..1.0), rgb)
        })
        .collect();
    let weights: Vec<f64> = (0..w * h * 3).map(|_| rng.random_range(-1.0..1.0)).collect();
    let loss = |rows: &[[f64; 8]]| -> f64 {
        reference::render_rows(rows, &brush, w, h, bg).iter().zip(&weights).map(|(a, b)| a * b).sum()
    };
    let d_image: Vec<f32> = weights.iter().map(|&v| v as f32).collect();
    let analytic = backward(&strokes, &brush, w, h, bg.map(|v| v as f32), &d_image);
    let rows: Vec<[f64; 8]> = strokes.iter().map(Stroke::to_row).collect();
    let kinds: [(&str, &[usize], f64); 4] =
        [("position", &[0, 1], 1e-4), ("rotation", &[2], 1e-5), ("scale", &[3, 4], 1e-5), ("colour", &[5, 6, 7], 1e-4)];
    for (name, cols, step) in kinds {
        let (mut err, mut norm) = (0.0f64, 0.0f64);
        for i in 0..rows.len() {
            for &c in cols {
                let mut plus = rows.clone();
                plus[i][c] += step;
                let mut minus = rows.clone();
                minus[i][c] -= step;
                let fd = (loss(&plus) - loss(&minus)) / (2.0 * step);
                err += (analytic.rows[i][c] - fd).powi(2);
                norm += fd * fd;
            }
        }
        let rel = (err / norm).sqrt();
        assert!(norm > 1e-6, "{name}: gradient vanishes, the test would be void");
        assert!(rel <= 1e-3, "{name}: relative error {rel:.2e}");
        eprintln!("{name}: relative error {rel:.2e}");
    }
}

#[test]
fn an_empty_canvas_is_the_background_and_has_no_gradients() {
    let brush = Brush::dab(16);
    let img = forward(&[], &brush, 5, 3, [0.1, 0.2, 0.3]);
    assert!(img.chunks_exact(3).all(|p| p == [0.1, 0.2, 0.3]));
    let off = stroke(-50.0, -50.0, 0.0, 3.0, 3.0, [0.0; 3]);
    let g = backward(&[off], &brush, 5, 3, [0.1, 0.2, 0.3], &[1.0; 45]);
    assert_eq!(g.rows, vec![[0.0; 8]]);
}

#[test]
fn gradients_have_the_same_bits_on_one_thread_and_on_many() {
    let brush = Brush::ellipse(64, 0.0);
    let (w, h) = (160u32, 120u32);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let strokes = random_strokes(&mut rng, 400, w as f32, h as f32);
    let d_image: Vec<f32> = (0..w * h * 3).map(|_| rng.random_range(-1.0..1.0)).collect();
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| backward(&strokes, &brush, w, h, [0.2, 0.4, 0.6], &d_image))
    };
    let one = on(1);
    for threads in [2, 3, 7] {
        let many = on(threads);
        let same = one.rows.iter().flatten().zip(many.rows.iter().flatten()).all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "{threads} threads changed the gradient bits");
    }
}
