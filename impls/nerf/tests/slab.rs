//! The two sampling stages together on a known density: a slab of density along rays, composited by the tensor
//! volume renderer, must pull the fine samples into the slab.

use burn::tensor::{Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::Backend;
use splatbench_nerf::sampling::{fine_samples, stratified};
use splatbench_nerf::volume::composite;
use splatbench_train::tensors::to_vec;

#[test]
fn a_slab_of_density_attracts_at_least_80_percent_of_the_fine_samples() {
    let device = splatbench_device::device_for(Backend::Ndarray, None).unwrap();
    let (rays, n_c, n_f, near, far) = (200, 32, 64, 2.0, 6.0);
    let bin = (far - near) / n_c as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let t = stratified(rays, n_c, near, far, Some(&mut rng));
    // Ray r has a slab [a, a + thickness) of density 8 (not opaque: some light reaches past it).
    let slabs: Vec<(f64, f64)> = (0..rays).map(|_| (rng.random_range(2.5..5.0), rng.random_range(0.2..0.6))).collect();
    let sigma: Vec<f32> = (0..rays * n_c)
        .map(|k| {
            let (a, th) = slabs[k / n_c];
            let x = t[k] as f64;
            if (a..a + th).contains(&x) { 8.0 } else { 0.0 }
        })
        .collect();
    let out = composite(
        Tensor::from_data(TensorData::new(sigma, [rays, n_c]), &device),
        Tensor::from_data(TensorData::new(vec![0.5f32; rays * n_c * 3], [rays, n_c, 3]), &device),
        Tensor::from_data(TensorData::new(t.clone(), [rays, n_c]), &device),
        far,
        [1.0; 3],
    );
    let w = to_vec(out.weights);
    let fine = fine_samples(&w, n_c, n_f, near, far, Some(&mut rng));
    let inside = fine
        .iter()
        .enumerate()
        .filter(|(k, tf)| {
            let (a, th) = slabs[k / n_f];
            (a - bin..a + th + bin).contains(&(**tf as f64))
        })
        .count();
    let frac = inside as f64 / fine.len() as f64;
    eprintln!("fraction of fine samples within the slab ± one bin: {frac:.4}");
    assert!(frac >= 0.8, "only {frac} of the fine samples near the slab");
    // Stratified samples spread evenly: their share near the slab is the slab's share of the ray, far below.
    let near_share = t
        .iter()
        .enumerate()
        .filter(|(k, tc)| {
            let (a, th) = slabs[k / n_c];
            (a - bin..a + th + bin).contains(&(**tc as f64))
        })
        .count() as f64
        / t.len() as f64;
    assert!(near_share < 0.3, "{near_share}");
}
