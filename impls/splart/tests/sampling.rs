//! Importance sampling of positions and structure-tensor rotations.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_splart::sampling::{ErrorMap, StructureTensor};

#[test]
fn an_error_ten_times_higher_in_one_quadrant_draws_most_samples_there() {
    let (w, h) = (64u32, 48u32);
    let error: Vec<f64> = (0..w * h).map(|i| if (i % w) >= w / 2 && (i / w) < h / 2 { 1.0 } else { 0.1 }).collect();
    let map = ErrorMap::from_errors(&error, w, h, 2.0, 4);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let samples = map.sample(2000, || rng.random::<f64>());
    let inside = samples.iter().filter(|p| p[0] >= 32.0 && p[1] < 24.0).count();
    assert!(samples.iter().all(|p| p[0] >= 0.0 && p[0] <= 64.0 && p[1] >= 0.0 && p[1] <= 48.0));
    eprintln!("{inside} of 2000 in the high-error quadrant");
    assert!(inside as f64 >= 0.7 * 2000.0, "{inside}");
}

#[test]
fn vertical_stripes_give_vertical_strokes() {
    let (w, h) = (64u32, 64u32);
    let target: Vec<f32> = (0..w * h)
        .flat_map(|i| {
            let v = if (i % w) / 4 % 2 == 0 { 0.9 } else { 0.1 };
            [v, v * 0.5, 0.2]
        })
        .collect();
    let st = StructureTensor::new(&target, w, h, 2.0);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let n = 2000;
    let close = (0..n)
        .filter(|_| {
            let p = [rng.random_range(0.0..64.0f32), rng.random_range(0.0..64.0f32)];
            let theta = st.rotation(p, 3f64.to_radians(), || rng.random::<f64>());
            // Angle to the vertical, modulo π (a stroke and its reverse are the same stroke).
            let d = (theta - std::f64::consts::FRAC_PI_2).rem_euclid(std::f64::consts::PI);
            d.min(std::f64::consts::PI - d).to_degrees() <= 10.0
        })
        .count();
    eprintln!("{close} of {n} within 10° of vertical");
    assert!(close as f64 >= 0.9 * n as f64, "{close}");
}
