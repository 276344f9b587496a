//! The burn op against the host rasterizer it wraps, on every host-path backend compiled in (ndarray, and tch with
//! its feature): same forward bits, same gradients for every input, only the tracked inputs get gradients, and an
//! optimiser can use it. The Cube backend (wgpu) runs its own kernels in f32 and is held to tolerances by the
//! parity suite in `backends.rs`, which also runs on these backends.

use burn::optim::{AdamConfig, Optimizer};
use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use splatbench_core::{Backend, Camera};
use splatbench_device::device_for as default_device;
use splatbench_render::op::{CameraTensors, GaussianTensors, render};
use splatbench_render::{GaussianCloud, RasterCamera, cpu};

/// Gaussians of degree 2 spread over a 40×28 view (several 16×16 tiles, partial edge tiles).
fn cloud(n: usize, seed: u64) -> GaussianCloud {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = GaussianCloud::num_sh_coeffs(2);
    GaussianCloud {
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
    }
}

fn camera() -> Camera {
    // Slightly rotated about y, 4 units back.
    let (s, c) = (0.1f64.sin(), 0.1f64.cos());
    Camera {
        width: 40,
        height: 28,
        fx: 36.0,
        fy: 35.0,
        cx: 20.5,
        cy: 13.5,
        world_to_camera: [[c, 0.0, s, 0.1], [0.0, 1.0, 0.0, -0.05], [-s, 0.0, c, 4.0], [0.0, 0.0, 0.0, 1.0]],
        distortion: None,
    }
}

/// Every host-path backend compiled into this build (ndarray always; tch with its feature): the whole file runs
/// on each, as burn runs one test suite on every backend.
fn devices() -> Vec<Device> {
    let all = [Backend::Ndarray, Backend::Tch];
    let devs: Vec<Device> = all.into_iter().filter_map(|b| default_device(b, None).ok()).collect();
    assert_eq!(devs.len(), 1 + usize::from(cfg!(feature = "tch")));
    devs
}

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().unwrap()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn forward_equals_cpu_forward_bit_for_bit() {
    let (g, cam) = (cloud(60, 1), camera());
    let bg = [0.1, 0.2, 0.3];
    let (want, state) = cpu::forward(&g, &RasterCamera::from(&cam), bg);
    assert!(state.radii.iter().filter(|&&r| r > 0).count() > 30, "the scene is mostly visible");
    #[allow(deprecated)]
    #[allow(deprecated)]
    let untracked = [Device::ndarray()];
    for dev in devices().into_iter().chain(untracked) {
        let out = render(&GaussianTensors::from_cloud(&g, &dev), &CameraTensors::from_camera(&cam, &dev), bg, None);
        assert_eq!(out.color.dims(), [28, 40, 3]);
        assert_eq!(out.alpha.dims(), [28, 40]);
        assert_eq!(out.depth.dims(), [28, 40]);
        assert_eq!(bits(&to_vec(out.color)), bits(&want.color));
        assert_eq!(bits(&to_vec(out.alpha)), bits(&want.alpha));
        assert_eq!(bits(&to_vec(out.depth)), bits(&want.depth));
        assert_eq!(out.radii, state.radii);
    }
}

#[test]
fn tensors_round_trip_through_the_host_cloud() {
    let g = cloud(9, 2);
    for dev in devices() {
        let t = GaussianTensors::from_cloud(&g, &dev);
        assert_eq!(t.len(), 9);
        assert_eq!(t.sh.dims(), [9, 9, 3]);
        assert_eq!(t.to_cloud(), g);
    }
}

/// Random upstream gradients, the loss Σ color·W + Σ alpha·U + Σ depth·V, and the host backward for the same.
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

    fn loss(&self, out: &splatbench_render::op::RenderOutput, dev: &Device) -> Tensor<1> {
        let [h, w] = out.alpha.dims();
        let wt = Tensor::<3>::from_data(TensorData::new(self.w.clone(), [h, w, 3]), dev);
        let ut = Tensor::<2>::from_data(TensorData::new(self.u.clone(), [h, w]), dev);
        let vt = Tensor::<2>::from_data(TensorData::new(self.v.clone(), [h, w]), dev);
        (out.color.clone() * wt).sum() + (out.alpha.clone() * ut).sum() + (out.depth.clone() * vt).sum()
    }
}

#[test]
fn gradients_equal_cpu_backward_for_every_input() {
    let (g, cam) = (cloud(50, 3), camera());
    let bg = [0.3, 0.1, 0.6];
    for dev in devices() {
        let t = GaussianTensors::from_cloud(&g, &dev);
        let t = GaussianTensors {
            means: t.means.require_grad(),
            log_scales: t.log_scales.require_grad(),
            quats: t.quats.require_grad(),
            opacity_logits: t.opacity_logits.require_grad(),
            sh: t.sh.require_grad(),
        };
        let c = CameraTensors::from_camera(&cam, &dev);
        let c = CameraTensors { viewmat: c.viewmat.require_grad(), intrinsics: c.intrinsics.require_grad(), ..c };
        let probe = Tensor::<2>::zeros([50, 2], &dev).require_grad();

        let up = Upstream::new(28, 40, 4);
        let out = render(&t, &c, bg, Some(&probe));
        let grads = up.loss(&out, &dev).backward();

        let rc = RasterCamera::from(&cam);
        let (_, state) = cpu::forward(&g, &rc, bg);
        let want = cpu::backward(&g, &rc, bg, &state, cpu::ImageGrads { color: &up.w, alpha: &up.u, depth: &up.v });
        let got = |x: Option<Tensor<2>>| bits(&to_vec(x.expect("gradient present")));
        assert_eq!(got(t.means.grad(&grads)), bits(want.means.as_flattened()), "means");
        assert_eq!(got(t.log_scales.grad(&grads)), bits(want.log_scales.as_flattened()), "log_scales");
        assert_eq!(got(t.quats.grad(&grads)), bits(want.quats.as_flattened()), "quats");
        assert_eq!(bits(&to_vec(t.opacity_logits.grad(&grads).unwrap())), bits(&want.opacity_logits), "opacity");
        assert_eq!(bits(&to_vec(t.sh.grad(&grads).unwrap())), bits(&want.sh), "sh");
        assert_eq!(got(c.viewmat.grad(&grads)), bits(want.viewmat.as_flattened()), "viewmat");
        assert_eq!(bits(&to_vec(c.intrinsics.grad(&grads).unwrap())), bits(&want.intrinsics), "intrinsics");
        assert_eq!(got(probe.grad(&grads)), bits(want.means2d.as_flattened()), "means2d probe");
        // The comparison is not vacuous: every input has a non-zero gradient.
        for (name, v) in
            [("means", want.means.as_flattened()), ("sh", &want.sh[..]), ("viewmat", want.viewmat.as_flattened())]
        {
            assert!(v.iter().any(|&x| x != 0.0), "{name} gradient is all zero");
        }
        assert!(want.intrinsics.iter().all(|&x| x != 0.0));
    }
}

#[test]
fn only_tracked_inputs_get_gradients() {
    let (g, cam) = (cloud(20, 5), camera());
    for dev in devices() {
        let t = GaussianTensors::from_cloud(&g, &dev);
        let t = GaussianTensors { sh: t.sh.require_grad(), ..t };
        let c = CameraTensors::from_camera(&cam, &dev);
        let c = CameraTensors { intrinsics: c.intrinsics.require_grad(), ..c };

        let up = Upstream::new(28, 40, 6);
        let out = render(&t, &c, [0.0; 3], None);
        let grads = up.loss(&out, &dev).backward();

        let rc = RasterCamera::from(&cam);
        let (_, state) = cpu::forward(&g, &rc, [0.0; 3]);
        let want =
            cpu::backward(&g, &rc, [0.0; 3], &state, cpu::ImageGrads { color: &up.w, alpha: &up.u, depth: &up.v });
        assert_eq!(bits(&to_vec(t.sh.grad(&grads).unwrap())), bits(&want.sh));
        assert_eq!(bits(&to_vec(c.intrinsics.grad(&grads).unwrap())), bits(&want.intrinsics));
        assert!(t.means.grad(&grads).is_none());
        assert!(t.quats.grad(&grads).is_none());
        assert!(t.opacity_logits.grad(&grads).is_none());
        assert!(c.viewmat.grad(&grads).is_none());
    }
}

#[test]
fn colour_only_loss_matches_zero_alpha_and_depth_upstream() {
    // Only `color` enters the loss: the slices of alpha and depth contribute zero upstream gradient.
    let (g, cam) = (cloud(20, 7), camera());
    for dev in devices() {
        let t = GaussianTensors::from_cloud(&g, &dev);
        let t = GaussianTensors { opacity_logits: t.opacity_logits.require_grad(), ..t };
        let out = render(&t, &CameraTensors::from_camera(&cam, &dev), [1.0; 3], None);
        let grads = out.color.sum().backward();

        let rc = RasterCamera::from(&cam);
        let (_, state) = cpu::forward(&g, &rc, [1.0; 3]);
        let px = 28 * 40;
        let want = cpu::backward(
            &g,
            &rc,
            [1.0; 3],
            &state,
            cpu::ImageGrads { color: &vec![1.0; px * 3], alpha: &vec![0.0; px], depth: &vec![0.0; px] },
        );
        assert_eq!(bits(&to_vec(t.opacity_logits.grad(&grads).unwrap())), bits(&want.opacity_logits));
    }
}

#[test]
fn adam_on_colours_reduces_the_loss() {
    let cam = camera();
    for dev in devices() {
        let target_cloud = cloud(12, 8);
        let target = render(
            &GaussianTensors::from_cloud(&target_cloud, &dev),
            &CameraTensors::from_camera(&cam, &dev),
            [0.0; 3],
            None,
        )
        .color
        .inner();
        // Same geometry, grey colours.
        let mut start = target_cloud.clone();
        start.sh.iter_mut().for_each(|v| *v = 0.0);
        let t = GaussianTensors::from_cloud(&start, &dev);
        let (geometry, mut sh) = (GaussianTensors { sh: t.sh.clone(), ..t }, t.sh.require_grad());
        let c = CameraTensors::from_camera(&cam, &dev);

        let adam = AdamConfig::new().build();
        let mut state = None;
        let mut losses = Vec::new();
        for _ in 0..30 {
            let g = GaussianTensors { sh: sh.clone(), ..geometry.clone() };
            let color = render(&g, &c, [0.0; 3], None).color;
            let diff = color - Tensor::from_inner(target.clone());
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
}

#[test]
fn backends_not_compiled_in_are_reported() {
    for b in [Backend::Flex, Backend::Wgpu, Backend::Tch] {
        let compiled = match b {
            Backend::Flex => cfg!(feature = "flex"),
            Backend::Wgpu => cfg!(feature = "wgpu"),
            _ => cfg!(feature = "tch"),
        };
        if !compiled {
            let err = default_device(b, None).unwrap_err().to_string();
            assert!(err.contains(&format!("--features {}", b.name())), "{err}");
        }
    }
}
