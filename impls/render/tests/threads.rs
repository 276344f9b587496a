//! Same bits for any rayon thread count: the CPU forward and backward, and the burn op on the host path (forward
//! image and every gradient), rendered in a 1-thread and in 2- and 3-thread pools. Tiles run in parallel and the
//! per-Gaussian and camera reductions run in a fixed order, so the thread count must not show in the result.

mod common;

use burn::tensor::{Device, Tensor, TensorData};
use splatbench_core::{Backend, Camera};
use splatbench_device::device_for;
use splatbench_render::cpu::{Grads, ImageGrads, RenderImage, backward, forward};
use splatbench_render::op::{CameraTensors, GaussianTensors, render};
use splatbench_render::{GaussianCloud, RasterCamera};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("rayon pool").install(f)
}

/// A messy scene over 7×5 tiles (partial edge tiles) and random upstream gradients.
fn scene() -> (GaussianCloud, RasterCamera, [Vec<f32>; 3]) {
    let mut r = common::rng(11);
    let cam = common::random_camera(&mut r, 100, 75);
    let (g, _) = common::messy_scene(&mut r, &cam, 1500, 3);
    let npix = 100 * 75;
    let mut up = |n: usize| (0..n).map(|_| rand::Rng::random_range(&mut r, -1.0f32..1.0)).collect::<Vec<_>>();
    (g, cam, [up(npix * 3), up(npix), up(npix)])
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn image_bits(i: &RenderImage) -> [Vec<u32>; 3] {
    [bits(&i.color), bits(&i.alpha), bits(&i.depth)]
}

fn grad_bits(g: &Grads) -> Vec<(&'static str, Vec<u32>)> {
    vec![
        ("means", bits(g.means.as_flattened())),
        ("log_scales", bits(g.log_scales.as_flattened())),
        ("quats", bits(g.quats.as_flattened())),
        ("opacity_logits", bits(&g.opacity_logits)),
        ("sh", bits(&g.sh)),
        ("means2d", bits(g.means2d.as_flattened())),
        ("viewmat", bits(g.viewmat.as_flattened())),
        ("intrinsics", bits(&g.intrinsics)),
        ("background", bits(&g.background)),
    ]
}

#[test]
fn cpu_forward_and_backward_are_bit_identical_for_1_2_and_3_threads() {
    let (g, cam, [dc, da, dd]) = scene();
    let bg = [0.3, 0.1, 0.6];
    let run = || {
        let (img, state) = forward(&g, &cam, bg);
        let grads = backward(&g, &cam, bg, &state, ImageGrads { color: &dc, alpha: &da, depth: &dd });
        (img, state.radii, grads)
    };
    let (img1, radii1, grads1) = in_pool(1, run);
    assert!(radii1.iter().filter(|&&r| r > 0).count() > 1000, "most Gaussians are visible");
    assert!(grads1.means.iter().flatten().any(|&v| v != 0.0), "the gradients are not vacuous");
    for threads in [2, 3] {
        let (img, radii, grads) = in_pool(threads, run);
        assert_eq!(image_bits(&img), image_bits(&img1), "forward image with {threads} threads");
        assert_eq!(radii, radii1, "radii with {threads} threads");
        for ((name, got), (_, want)) in grad_bits(&grads).into_iter().zip(grad_bits(&grads1)) {
            assert_eq!(got, want, "{name} gradient with {threads} threads");
        }
    }
}

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().expect("f32 tensor")
}

#[test]
fn op_host_path_is_bit_identical_for_1_and_2_threads() {
    let (g, rc, [dc, da, dd]) = scene();
    let cam = Camera {
        width: rc.width,
        height: rc.height,
        fx: rc.fx as f64,
        fy: rc.fy as f64,
        cx: rc.cx as f64,
        cy: rc.cy as f64,
        world_to_camera: rc.viewmat.map(|row| row.map(|v| v as f64)),
        distortion: None,
    };
    let dev: Device = device_for(Backend::Ndarray, None).expect("ndarray device");
    let run = || {
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
        let out = render(&t, &c, [0.3, 0.1, 0.6], None);
        let [h, w] = out.alpha.dims();
        let loss = (out.color.clone() * Tensor::<3>::from_data(TensorData::new(dc.clone(), [h, w, 3]), &dev)).sum()
            + (out.alpha.clone() * Tensor::<2>::from_data(TensorData::new(da.clone(), [h, w]), &dev)).sum()
            + (out.depth.clone() * Tensor::<2>::from_data(TensorData::new(dd.clone(), [h, w]), &dev)).sum();
        let grads = loss.backward();
        let got = |x: Option<Vec<f32>>| bits(&x.expect("gradient present"));
        vec![
            bits(&to_vec(out.color)),
            bits(&to_vec(out.alpha)),
            bits(&to_vec(out.depth)),
            got(t.means.grad(&grads).map(to_vec)),
            got(t.log_scales.grad(&grads).map(to_vec)),
            got(t.quats.grad(&grads).map(to_vec)),
            got(t.opacity_logits.grad(&grads).map(to_vec)),
            got(t.sh.grad(&grads).map(to_vec)),
            got(c.viewmat.grad(&grads).map(to_vec)),
            got(c.intrinsics.grad(&grads).map(to_vec)),
        ]
    };
    let one = in_pool(1, run);
    let two = in_pool(2, run);
    let names = ["color", "alpha", "depth", "means", "log_scales", "quats", "opacity", "sh", "viewmat", "intrinsics"];
    for ((a, b), name) in one.iter().zip(&two).zip(names) {
        assert_eq!(a, b, "{name} differs between 1 and 2 threads");
    }
}
