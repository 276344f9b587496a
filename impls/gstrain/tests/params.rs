//! PointParams + Adam: exact first updates against a hand evaluation of PyTorch's Adam, convergence on a quadratic,
//! and row edits (append with overrides, keep, replace) carrying values and optimiser state.

use burn::tensor::{Device, Tensor, TensorData};
use splatbench_gstrain::{Adam, PointParams};

#[allow(deprecated)] // ndarray is the CPU backend the workspace builds
fn device() -> Device {
    Device::ndarray().autodiff()
}

fn t2(v: Vec<f32>, n: usize, c: usize, d: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v, [n, c]), d)
}

/// loss = Σ w ⊙ (x − target)², so dL/dx = 2 w (x − target).
fn quadratic_step(p: &mut PointParams, name: &str, target: &Tensor<2>, w: f32) {
    let x = p.get(name);
    let loss = ((x - target.clone()).powi_scalar(2) * w).sum();
    let grads = loss.backward();
    p.adam_step(&grads);
}

/// PyTorch Adam on one scalar for `grads.len()` steps.
fn adam_reference(mut x: f64, grads_of: impl Fn(f64) -> f64, steps: usize, lr: f64, a: Adam) -> f64 {
    let (mut m, mut v) = (0.0, 0.0);
    for t in 1..=steps {
        let g = grads_of(x);
        m = a.beta1 * m + (1.0 - a.beta1) * g;
        v = a.beta2 * v + (1.0 - a.beta2) * g * g;
        let mh = m / (1.0 - a.beta1.powi(t as i32));
        let vh = v / (1.0 - a.beta2.powi(t as i32));
        x -= lr * mh / (vh.sqrt() + a.eps);
    }
    x
}

#[test]
fn adam_matches_pytorch_formula_and_converges() {
    let d = device();
    let mut p = PointParams::new(&d);
    let x0 = vec![0.5f32, -1.0, 2.0, 0.0, 3.0, -0.25];
    let target_v = vec![1.0f32, 1.0, -1.0, 0.5, 0.0, 0.0];
    p.add("x", t2(x0.clone(), 3, 2, &d), 0.05);
    let target = t2(target_v.clone(), 3, 2, &d).inner();
    for step in 1..=200 {
        quadratic_step(&mut p, "x", &target, 1.0);
        if step == 1 || step == 5 || step == 200 {
            let (got, _) = p.to_host("x");
            for i in 0..6 {
                let tv = target_v[i] as f64;
                let want = adam_reference(x0[i] as f64, |x| 2.0 * (x - tv), step, 0.05, Adam::default());
                assert!(
                    (got[i] as f64 - want).abs() < 1e-4 * (1.0 + want.abs()),
                    "step {step} [{i}]: {} vs {want}",
                    got[i]
                );
            }
        }
    }
    let (got, _) = p.to_host("x");
    for (g, t) in got.iter().zip(&target_v) {
        assert!((g - t).abs() < 0.05, "did not converge: {got:?}");
    }
    assert_eq!(p.adam_steps("x"), 200);
}

#[test]
fn parameters_without_gradient_are_skipped() {
    let d = device();
    let mut p = PointParams::new(&d);
    p.add("a", t2(vec![1.0, 2.0], 2, 1, &d), 0.1);
    p.add("b", t2(vec![3.0, 4.0], 2, 1, &d), 0.1);
    let target = t2(vec![0.0, 0.0], 2, 1, &d).inner();
    quadratic_step(&mut p, "a", &target, 1.0);
    assert_eq!(p.to_host("b").0, vec![3.0, 4.0]);
    assert_eq!(p.adam_steps("b"), 0);
    assert_eq!(p.adam_steps("a"), 1);
    // First Adam step moves by lr·sign(g).
    let a = p.to_host("a").0;
    assert!((a[0] - 0.9).abs() < 1e-6 && (a[1] - 1.9).abs() < 1e-6, "{a:?}");
}

#[test]
fn column_lr_scale_multiplies_the_step() {
    let d = device();
    let mut p = PointParams::new(&d);
    p.add("x", t2(vec![1.0, 1.0, 1.0], 1, 3, &d), 0.1);
    p.set_column_lr_scale("x", Some(&[1.0, 0.5, 0.0]));
    let target = t2(vec![0.0, 0.0, 0.0], 1, 3, &d).inner();
    quadratic_step(&mut p, "x", &target, 1.0);
    let x = p.to_host("x").0;
    let want = [0.9, 0.95, 1.0];
    for (a, b) in x.iter().zip(want) {
        assert!((a - b).abs() < 1e-6, "{x:?}");
    }
}

#[test]
fn append_rows_copies_or_overrides_and_starts_moments_at_zero() {
    let d = device();
    let a = Adam::default();
    let mut p = PointParams::new(&d);
    p.add("x", t2(vec![1.0, 2.0, 3.0], 3, 1, &d), 0.1);
    p.add("y", t2(vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0], 3, 2, &d), 0.0);
    let target = t2(vec![0.0; 3], 3, 1, &d).inner();
    quadratic_step(&mut p, "x", &target, 1.0); // x = [0.9, 1.9, 2.9], moments non-zero
    p.append_rows(&[2, 0], &[("y", t2(vec![-1.0, -2.0, -3.0, -4.0], 2, 2, &d))]);
    assert_eq!(p.len(), 5);
    let x = p.to_host("x").0;
    for (g, w) in x.iter().zip([0.9, 1.9, 2.9, 2.9, 0.9]) {
        assert!((g - w).abs() < 1e-6, "{x:?}");
    }
    assert_eq!(p.to_host("y").0, vec![10.0, 20.0, 30.0, 40.0, 50.0, 60.0, -1.0, -2.0, -3.0, -4.0]);
    // Second step: old rows continue their moments, new rows start from zero with the tensor's t = 2.
    let target5 = t2(vec![0.0; 5], 5, 1, &d).inner();
    quadratic_step(&mut p, "x", &target5, 1.0);
    let x2 = p.to_host("x").0;
    let continued = adam_reference(1.0, |x| 2.0 * x, 2, 0.1, a);
    assert!((x2[0] as f64 - continued).abs() < 1e-5, "{} vs {continued}", x2[0]);
    // Fresh moments at t = 2: m = 0.1 g, v = 0.001 g², so the step is lr·(0.1/(1−0.9²))/sqrt(0.001/(1−0.999²)).
    let fresh_step = 0.1 * (0.1 / (1.0 - 0.81)) / (0.001f64 / (1.0 - 0.999f64.powi(2))).sqrt();
    assert!((x2[3] as f64 - (2.9 - fresh_step)).abs() < 1e-5, "{} vs {}", x2[3], 2.9 - fresh_step);
    assert!((x2[4] as f64 - (0.9 - fresh_step)).abs() < 1e-5);
}

#[test]
fn keep_rows_and_replace() {
    let d = device();
    let mut p = PointParams::new(&d);
    p.add("x", t2(vec![1.0, 2.0, 3.0, 4.0], 4, 1, &d), 0.1);
    p.add("y", t2((0..8).map(|v| v as f32).collect(), 4, 2, &d), 0.1);
    p.keep_rows(&[true, false, false, true]);
    assert_eq!(p.len(), 2);
    assert_eq!(p.to_host("x").0, vec![1.0, 4.0]);
    assert_eq!(p.to_host("y").0, vec![0.0, 1.0, 6.0, 7.0]);
    let target = t2(vec![0.0; 2], 2, 1, &d).inner();
    for _ in 0..3 {
        quadratic_step(&mut p, "x", &target, 1.0);
    }
    // Reset: the next step is again a first-moment step of lr·(0.1/(1−0.9⁴))/sqrt(0.001/(1−0.999⁴)).
    p.replace("x", t2(vec![5.0, 5.0], 2, 1, &d), true);
    assert_eq!(p.adam_steps("x"), 3);
    quadratic_step(&mut p, "x", &target, 1.0);
    let step = 0.1 * (0.1 / (1.0 - 0.9f64.powi(4))) / (0.001 / (1.0 - 0.999f64.powi(4))).sqrt();
    let x = p.to_host("x").0;
    assert!((x[0] as f64 - (5.0 - step)).abs() < 1e-5, "{x:?} vs {}", 5.0 - step);
    // Keeping nothing leaves an empty set of the same parameters.
    p.keep_rows(&[false, false]);
    assert_eq!(p.len(), 0);
    assert_eq!(p.columns("y"), 2);
}

#[test]
fn leaves_are_fresh_after_each_edit() {
    let d = device();
    let mut p = PointParams::new(&d);
    p.add("x", t2(vec![1.0, 2.0], 2, 1, &d), 0.1);
    p.append_rows(&[1], &[]);
    p.keep_rows(&[true, false, true]);
    p.replace("x", t2(vec![0.5, 0.5], 2, 1, &d), false);
    let x = p.get("x");
    assert!(x.is_require_grad());
    let grads = x.clone().sum().backward();
    assert!(x.grad(&grads).is_some());
}
