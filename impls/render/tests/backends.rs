//! One parity suite, instantiated for every backend compiled into this build (burn's backend-test style: the
//! `suite!` macro writes the same tests into a module per backend). Each runs the burn op on its backend and
//! compares it with the CPU kernel on the op-test scenes (the 40×28 scene of `op.rs` and the messy scenes of
//! `parity.rs`): forward colour, alpha and depth (depth normalised by its maximum) ≥ 60 dB PSNR, every radius
//! within one pixel of the CPU's, and each parameter group's gradient within ‖Δ‖/‖ref‖ ≤ 10⁻³, plus that only
//! tracked inputs get gradients and that Adam through the op lowers a loss.
//!
//! The host-path backends (ndarray, tch) give the CPU kernel's bits (checked bit for bit in `op.rs`); the Cube
//! backend (wgpu) computes in f32 on the device where the CPU projection uses f64, so this suite is the one it
//! must pass. A build with `--features wgpu` and no usable adapter fails here (the device panics on first use):
//! it never skips.

mod common;

use burn::optim::{AdamConfig, Optimizer};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_render::op::{CameraTensors, GaussianTensors, RenderOutput, render};
use splatbench_render::{GaussianCloud, RasterCamera, cpu};

/// Forward PSNR floor against the CPU kernel.
const MIN_PSNR: f64 = 60.0;
/// Largest ‖Δ‖/‖ref‖ of a parameter group's gradient.
const MAX_REL: f64 = 1e-3;

macro_rules! suite {
    ($name:ident, $backend:expr) => {
        mod $name {
            fn device() -> burn::tensor::Device {
                splatbench_device::device_for($backend, None).expect("the backend is compiled in")
            }

            #[test]
            fn forward_matches_the_cpu_kernel() {
                super::forward_matches_the_cpu_kernel(&device());
            }

            #[test]
            fn gradients_match_the_cpu_kernel() {
                super::gradients_match_the_cpu_kernel(&device());
            }

            #[test]
            fn only_tracked_inputs_get_gradients() {
                super::only_tracked_inputs_get_gradients(&device());
            }

            #[test]
            fn adam_through_the_op_lowers_the_loss() {
                super::adam_through_the_op_lowers_the_loss(&device());
            }

            #[test]
            fn empty_and_fully_culled_clouds() {
                super::empty_and_fully_culled_clouds(&device());
            }
        }
    };
}

suite!(ndarray, splatbench_core::Backend::Ndarray);
#[cfg(feature = "flex")]
suite!(flex, splatbench_core::Backend::Flex);
#[cfg(feature = "wgpu")]
suite!(wgpu, splatbench_core::Backend::Wgpu);
#[cfg(feature = "tch")]
suite!(tch, splatbench_core::Backend::Tch);

/// The backends given a suite above, with the same `cfg`s.
const SUITES: &[splatbench_core::Backend] = &[
    splatbench_core::Backend::Ndarray,
    #[cfg(feature = "flex")]
    splatbench_core::Backend::Flex,
    #[cfg(feature = "wgpu")]
    splatbench_core::Backend::Wgpu,
    #[cfg(feature = "tch")]
    splatbench_core::Backend::Tch,
];

/// A backend added to the build (a `device_for` arm) without a `suite!` line here would pass untested.
#[test]
fn every_compiled_backend_has_a_suite() {
    for (backend, _) in splatbench_device::compiled_devices() {
        assert!(SUITES.contains(&backend), "backend {} is compiled in but has no suite! line", backend.name());
    }
}

/// The 40×28 scene of `op.rs`: Gaussians of degree 2 over several tiles with partial edge tiles.
fn op_scene(n: usize, seed: u64) -> (GaussianCloud, RasterCamera) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = GaussianCloud::num_sh_coeffs(2);
    let g = GaussianCloud {
        means: (0..n)
            .map(|_| [rng.random_range(-1.2..1.2), rng.random_range(-0.8..0.8), rng.random_range(-1.0..1.0)])
            .collect(),
        log_scales: (0..n).map(|_| std::array::from_fn(|_| rng.random_range(-2.5..-1.2))).collect(),
        quats: (0..n)
            .map(|_| [1.0, rng.random_range(-0.5..0.5), rng.random_range(-0.5..0.5), rng.random_range(-0.5..0.5)])
            .collect(),
        opacity_logits: (0..n).map(|_| rng.random_range(-1.0..3.0)).collect(),
        sh_degree: 2,
        sh: (0..n * k * 3)
            .map(|i| if i % (k * 3) < 3 { rng.random_range(-1.0..1.0) } else { rng.random_range(-0.2..0.2) })
            .collect(),
    };
    let (s, c) = (0.1f32.sin(), 0.1f32.cos());
    let cam = RasterCamera {
        width: 40,
        height: 28,
        fx: 36.0,
        fy: 35.0,
        cx: 20.5,
        cy: 13.5,
        viewmat: [[c, 0.0, s, 0.1], [0.0, 1.0, 0.0, -0.05], [-s, 0.0, c, 4.0], [0.0, 0.0, 0.0, 1.0]],
    };
    (g, cam)
}

/// The messy scene of `parity.rs` (thin, huge, behind-camera, border-straddling and near-plane Gaussians).
fn messy(seed: u64, width: u32, height: u32, n: usize, sh_degree: u32) -> (GaussianCloud, RasterCamera) {
    let mut r = common::rng(seed);
    let cam = common::random_camera(&mut r, width, height);
    let (g, _) = common::messy_scene(&mut r, &cam, n, sh_degree);
    (g, cam)
}

/// Every scene of the suite, named.
fn scenes() -> Vec<(String, GaussianCloud, RasterCamera)> {
    let mut out = vec![];
    for (n, seed) in [(60, 1), (50, 3)] {
        let (g, c) = op_scene(n, seed);
        out.push((format!("op scene {n}/{seed}"), g, c));
    }
    for deg in 0..=3 {
        let (g, c) = messy(deg as u64 * 10, 37, 23, 120, deg);
        out.push((format!("messy 37×23 SH {deg}"), g, c));
    }
    let (g, c) = messy(101, 128, 96, 400, 3);
    out.push(("messy 128×96 SH 3".into(), g, c));
    // Opaque crowd: most pixels reach the transmittance stop.
    let (mut g, c) = messy(7, 48, 40, 600, 0);
    g.opacity_logits.iter_mut().for_each(|l| *l = l.abs() + 2.0);
    out.push(("opaque crowd 48×40".into(), g, c));
    out
}

fn camera_tensors(cam: &RasterCamera, dev: &Device) -> CameraTensors {
    CameraTensors {
        viewmat: Tensor::from_data(TensorData::new(cam.viewmat.as_flattened().to_vec(), [4, 4]), dev),
        intrinsics: Tensor::from_data(TensorData::new(vec![cam.fx, cam.fy, cam.cx, cam.cy], [4]), dev),
        width: cam.width,
        height: cam.height,
    }
}

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().unwrap()
}

fn psnr(got: &[f32], want: &[f32], peak: f64) -> f64 {
    assert_eq!(got.len(), want.len());
    let mse = got.iter().zip(want).map(|(&a, &b)| (a as f64 - b as f64).powi(2)).sum::<f64>() / got.len() as f64;
    10.0 * (peak * peak / mse.max(1e-30)).log10()
}

fn rel(got: &[f32], want: &[f32]) -> f64 {
    assert_eq!(got.len(), want.len());
    let diff = got.iter().zip(want).map(|(&a, &b)| (a as f64 - b as f64).powi(2)).sum::<f64>().sqrt();
    let norm = want.iter().map(|&b| (b as f64).powi(2)).sum::<f64>().sqrt();
    diff / norm.max(1e-20)
}

fn forward_matches_the_cpu_kernel(dev: &Device) {
    let bg = [0.2, 0.5, 0.9];
    for (name, g, cam) in scenes() {
        let (want, state) = cpu::forward(&g, &cam, bg);
        let out = render(&GaussianTensors::from_cloud(&g, dev), &camera_tensors(&cam, dev), bg, None);
        let (h, w) = (cam.height as usize, cam.width as usize);
        assert_eq!(out.color.dims(), [h, w, 3], "{name}");
        let c = psnr(&to_vec(out.color), &want.color, 1.0);
        let a = psnr(&to_vec(out.alpha), &want.alpha, 1.0);
        let peak = want.depth.iter().fold(1e-9f32, |m, &d| m.max(d)) as f64;
        let d = psnr(&to_vec(out.depth), &want.depth, peak);
        assert!(
            c >= MIN_PSNR && a >= MIN_PSNR && d >= MIN_PSNR,
            "{name}: PSNR colour {c:.1}, alpha {a:.1}, depth {d:.1} dB"
        );
        assert_eq!(out.radii.len(), state.radii.len(), "{name}");
        let off: Vec<_> =
            out.radii.iter().zip(&state.radii).enumerate().filter(|(_, (a, b))| a.abs_diff(**b) > 1).collect();
        assert!(off.is_empty(), "{name}: radii more than 1 px from the CPU's: {off:?}");
        assert!(state.radii.iter().any(|&r| r > 0), "{name}: something is visible");
    }
}

/// Random upstream weights for colour, alpha and depth: L = Σ colour·W + Σ alpha·U + Σ depth·V.
struct Upstream {
    w: Vec<f32>,
    u: Vec<f32>,
    v: Vec<f32>,
}

impl Upstream {
    fn new(h: usize, w: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut r = |n: usize| (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect::<Vec<_>>();
        Upstream { w: r(h * w * 3), u: r(h * w), v: r(h * w) }
    }

    fn loss(&self, out: &RenderOutput, dev: &Device) -> Tensor<1> {
        let [h, w] = out.alpha.dims();
        let wt = Tensor::<3>::from_data(TensorData::new(self.w.clone(), [h, w, 3]), dev);
        let ut = Tensor::<2>::from_data(TensorData::new(self.u.clone(), [h, w]), dev);
        let vt = Tensor::<2>::from_data(TensorData::new(self.v.clone(), [h, w]), dev);
        (out.color.clone() * wt).sum() + (out.alpha.clone() * ut).sum() + (out.depth.clone() * vt).sum()
    }
}

fn gradients_match_the_cpu_kernel(dev: &Device) {
    let bg = [0.3, 0.1, 0.6];
    for (seed, (name, g, cam)) in scenes().into_iter().enumerate() {
        let n = g.len();
        let t = GaussianTensors::from_cloud(&g, dev);
        let t = GaussianTensors {
            means: t.means.require_grad(),
            log_scales: t.log_scales.require_grad(),
            quats: t.quats.require_grad(),
            opacity_logits: t.opacity_logits.require_grad(),
            sh: t.sh.require_grad(),
        };
        let c = camera_tensors(&cam, dev);
        let c = CameraTensors { viewmat: c.viewmat.require_grad(), intrinsics: c.intrinsics.require_grad(), ..c };
        let probe = Tensor::<2>::zeros([n, 2], dev).require_grad();
        let up = Upstream::new(cam.height as usize, cam.width as usize, seed as u64 + 40);
        let out = render(&t, &c, bg, Some(&probe));
        let grads = up.loss(&out, dev).backward();

        let (_, state) = cpu::forward(&g, &cam, bg);
        let want = cpu::backward(&g, &cam, bg, &state, cpu::ImageGrads { color: &up.w, alpha: &up.u, depth: &up.v });
        let groups: [(&str, Vec<f32>, &[f32]); 8] = [
            ("means", to_vec(t.means.grad(&grads).unwrap()), want.means.as_flattened()),
            ("log_scales", to_vec(t.log_scales.grad(&grads).unwrap()), want.log_scales.as_flattened()),
            ("quats", to_vec(t.quats.grad(&grads).unwrap()), want.quats.as_flattened()),
            ("opacity", to_vec(t.opacity_logits.grad(&grads).unwrap()), &want.opacity_logits),
            ("sh", to_vec(t.sh.grad(&grads).unwrap()), &want.sh),
            ("viewmat", to_vec(c.viewmat.grad(&grads).unwrap()), want.viewmat.as_flattened()),
            ("intrinsics", to_vec(c.intrinsics.grad(&grads).unwrap()), &want.intrinsics),
            ("means2d", to_vec(probe.grad(&grads).unwrap()), want.means2d.as_flattened()),
        ];
        for (group, got, want) in groups {
            assert!(want.iter().any(|&x| x != 0.0), "{name}: the {group} reference gradient is all zero");
            let r = rel(&got, want);
            assert!(r <= MAX_REL, "{name}: {group} gradient ‖Δ‖/‖ref‖ = {r:.2e}");
        }
    }
}

fn only_tracked_inputs_get_gradients(dev: &Device) {
    let (g, cam) = op_scene(20, 5);
    let t = GaussianTensors::from_cloud(&g, dev);
    let t = GaussianTensors { sh: t.sh.require_grad(), ..t };
    let c = camera_tensors(&cam, dev);
    let c = CameraTensors { intrinsics: c.intrinsics.require_grad(), ..c };
    let up = Upstream::new(28, 40, 6);
    let grads = up.loss(&render(&t, &c, [0.0; 3], None), dev).backward();
    let (_, state) = cpu::forward(&g, &cam, [0.0; 3]);
    let want = cpu::backward(&g, &cam, [0.0; 3], &state, cpu::ImageGrads { color: &up.w, alpha: &up.u, depth: &up.v });
    assert!(rel(&to_vec(t.sh.grad(&grads).unwrap()), &want.sh) <= MAX_REL);
    assert!(rel(&to_vec(c.intrinsics.grad(&grads).unwrap()), &want.intrinsics) <= MAX_REL);
    assert!(t.means.grad(&grads).is_none());
    assert!(t.quats.grad(&grads).is_none());
    assert!(t.opacity_logits.grad(&grads).is_none());
    assert!(c.viewmat.grad(&grads).is_none());
}

fn adam_through_the_op_lowers_the_loss(dev: &Device) {
    let (target_cloud, cam) = op_scene(12, 8);
    let c = camera_tensors(&cam, dev);
    let target = render(&GaussianTensors::from_cloud(&target_cloud, dev), &c, [0.0; 3], None).color.inner();
    // Same geometry, grey colours.
    let mut start = target_cloud.clone();
    start.sh.iter_mut().for_each(|v| *v = 0.0);
    let t = GaussianTensors::from_cloud(&start, dev);
    let (geometry, mut sh) = (GaussianTensors { sh: t.sh.clone(), ..t }, t.sh.require_grad());
    let adam = AdamConfig::new().build();
    let mut state = None;
    let mut losses = Vec::new();
    for _ in 0..30 {
        let g = GaussianTensors { sh: sh.clone(), ..geometry.clone() };
        let diff = render(&g, &c, [0.0; 3], None).color - Tensor::from_inner(target.clone());
        let loss = (diff.clone() * diff).mean();
        losses.push(to_vec(loss.clone())[0]);
        let grads = loss.backward();
        let grad = sh.grad(&grads).unwrap();
        let (next, s) = adam.step(0.05, sh.inner(), grad, state);
        state = s;
        sh = Tensor::from_inner(next).require_grad();
    }
    let (first, last) = (losses[0], *losses.last().unwrap());
    assert!(first > 1e-3, "the start differs from the target (loss {first})");
    assert!(last < 0.2 * first, "Adam reduced the loss from {first} to only {last}");
}

fn empty_and_fully_culled_clouds(dev: &Device) {
    let (g, cam) = op_scene(10, 9);
    let bg = [0.25, 0.5, 0.75];
    let behind = GaussianCloud { means: g.means.iter().map(|m| [m[0], m[1], -20.0]).collect(), ..g.clone() };
    for (name, cloud) in [("empty", GaussianCloud::empty(2)), ("behind the camera", behind)] {
        let t = GaussianTensors::from_cloud(&cloud, dev);
        let t = GaussianTensors { means: t.means.require_grad(), sh: t.sh.require_grad(), ..t };
        let out = render(&t, &camera_tensors(&cam, dev), bg, None);
        assert!(out.radii.iter().all(|&r| r == 0), "{name}");
        let color = to_vec(out.color.clone());
        for (i, v) in color.iter().enumerate() {
            assert_eq!(*v, bg[i % 3], "{name}: pixel value {i} is not the background");
        }
        assert!(to_vec(out.alpha.clone()).iter().all(|&a| a == 0.0), "{name}");
        let grads = out.color.sum().backward();
        let dm = to_vec(t.means.grad(&grads).unwrap());
        assert_eq!(dm.len(), cloud.len() * 3, "{name}");
        assert!(dm.iter().all(|&v| v == 0.0), "{name}: culled Gaussians get zero gradients");
    }
}
