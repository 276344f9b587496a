//! Analytic backward vs central finite differences of the dense f64 reference, for every parameter kind, on
//! small scenes kept away from the non-differentiable points (α clamp, 1/255 skip, T stop, colour clamp) —
//! the tests assert those margins so a scene that drifts onto a kink fails loudly instead of passing by luck.
//! Loss: L = Σ w·colour + Σ u·alpha + Σ v·depth with fixed random weights.

mod common;

use rand::Rng;
use splatbench_render::cpu::{ImageGrads, backward, forward};
use splatbench_render::reference::{CameraF64, ParamsF64, render_dense_params, splats};
use splatbench_render::{GaussianCloud, RasterCamera, sh};

const H: f64 = 1e-6;
const TOL: f64 = 1e-3;

struct Loss {
    w: Vec<f64>,
    u: Vec<f64>,
    v: Vec<f64>,
}

impl Loss {
    fn eval(&self, p: &ParamsF64, cam: &CameraF64, bg: [f64; 3]) -> f64 {
        let img = render_dense_params(p, cam, bg);
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
        dot(&img.color, &self.w) + dot(&img.alpha, &self.u) + dot(&img.depth, &self.v)
    }
}

fn central(f: impl Fn(f64) -> f64) -> f64 {
    (f(H) - f(-H)) / (2.0 * H)
}

fn rel_err(analytic: &[f64], fd: &[f64]) -> (f64, f64) {
    let diff = analytic.iter().zip(fd).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
    let norm = fd.iter().map(|b| b * b).sum::<f64>().sqrt();
    (diff / norm.max(1e-9), norm)
}

/// Small scene in the frustum; `n_clamped` extra large Gaussians sit beyond gsplat's J clamp (x/z > lim⁺) yet
/// reach the right edge, so the clamped branch of the projection gradient is exercised.
fn fd_scene(seed: u64, sh_degree: u32, n_clamped: usize) -> (GaussianCloud, RasterCamera) {
    let mut r = common::rng(seed);
    let cam = RasterCamera {
        width: 24,
        height: 20,
        fx: 22.0,
        fy: 21.0,
        cx: 12.5,
        cy: 9.7,
        viewmat: common::look_at([0.3, -0.2, -4.0], [0.0, 0.1, 0.0]),
    };
    let k = GaussianCloud::num_sh_coeffs(sh_degree);
    let mut g = GaussianCloud::empty(sh_degree);
    for i in 0..20 + n_clamped {
        let z: f32 = r.random_range(3.0..5.5);
        let (p, ls) = if i < 20 {
            let p = [r.random_range(-0.45..0.45) * z, r.random_range(-0.4..0.4) * z, z];
            (p, std::array::from_fn(|_| r.random_range(-1.4f32..-0.6)))
        } else {
            ([1.05 * z, r.random_range(-0.2..0.2) * z, z], [0.2, 0.0, 0.1])
        };
        g.means.push(common::from_camera(&cam, p));
        g.log_scales.push(ls);
        g.quats.push(std::array::from_fn(|_| r.random_range(-1.0..1.0)));
        g.opacity_logits.push(r.random_range(-1.5..1.0));
        for kk in 0..k {
            for _ in 0..3 {
                g.sh.push(if kk == 0 { r.random_range(-0.6..0.9) } else { r.random_range(-0.06..0.06) });
            }
        }
    }
    (g, cam)
}

/// Assert the scene is away from every kink by more than the finite-difference step can move it.
fn assert_smooth(g: &GaussianCloud, cam: &RasterCamera) {
    let (p, c) = (ParamsF64::from(g), CameraF64::from(cam));
    let list = splats(&p, &c);
    let mut min_t: f64 = 1.0;
    for i in 0..cam.height {
        for j in 0..cam.width {
            let (px, py) = (j as f64 + 0.5, i as f64 + 0.5);
            let mut t = 1.0;
            for s in &list {
                let a = s.raw_alpha(px, py);
                assert!(a < 0.98, "α clamp reached");
                assert!((a - 1.0 / 255.0).abs() > 1e-6, "pixel ({j}, {i}) sits on the 1/255 threshold");
                if a >= 1.0 / 255.0 {
                    t *= 1.0 - a;
                }
            }
            min_t = min_t.min(t);
        }
    }
    assert!(min_t > 1e-3, "transmittance {min_t} close to the 1e-4 stop");
    let k = GaussianCloud::num_sh_coeffs(g.sh_degree);
    let centre = common::camera_center(cam);
    for n in 0..g.len() {
        let dir: [f64; 3] = std::array::from_fn(|i| (g.means[n][i] - centre[i]) as f64);
        let col = sh::color_unclamped(&g.sh[n * k * 3..(n + 1) * k * 3], dir);
        assert!(col.iter().all(|&v| v > 0.02), "Gaussian {n} colour {col:?} near the clamp at 0");
    }
}

fn check_gradients(seed: u64, sh_degree: u32, n_clamped: usize) {
    let (g, cam) = fd_scene(seed, sh_degree, n_clamped);
    assert_smooth(&g, &cam);
    let bg = [0.3f32, 0.6, 0.1];
    let (w, h) = (cam.width as usize, cam.height as usize);
    let mut r = common::rng(seed + 1000);
    let loss = Loss {
        w: (0..w * h * 3).map(|_| r.random_range(-1.0..1.0)).collect(),
        u: (0..w * h).map(|_| r.random_range(-1.0..1.0)).collect(),
        v: (0..w * h).map(|_| r.random_range(-0.3..0.3)).collect(),
    };
    let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
    let (_, state) = forward(&g, &cam, bg);
    assert!(state.radii.iter().all(|&r| r > 0), "every Gaussian should be visible");
    let grads = backward(
        &g,
        &cam,
        bg,
        &state,
        ImageGrads { color: &f32s(&loss.w), alpha: &f32s(&loss.u), depth: &f32s(&loss.v) },
    );

    let p0 = ParamsF64::from(&g);
    let c0 = CameraF64::from(&cam);
    let bg0 = bg.map(f64::from);
    let fd_param = |edit: &dyn Fn(&mut ParamsF64, f64)| {
        central(|e| {
            let mut p = p0.clone();
            edit(&mut p, e);
            loss.eval(&p, &c0, bg0)
        })
    };
    let fd_cam = |edit: &dyn Fn(&mut CameraF64, f64)| {
        central(|e| {
            let mut c = c0.clone();
            edit(&mut c, e);
            loss.eval(&p0, &c, bg0)
        })
    };

    let mut report = Vec::new();
    let mut check = |kind: &str, analytic: Vec<f64>, fd: Vec<f64>| {
        let (err, norm) = rel_err(&analytic, &fd);
        report.push(format!("{kind}: rel err {err:.2e} (|fd| = {norm:.3e})"));
        assert!(norm > 1e-6, "{kind}: finite-difference gradient is ~0, the check would be vacuous");
        assert!(err <= TOL, "{kind}: relative error {err:.3e} > {TOL:e}\nanalytic {analytic:?}\nfd {fd:?}");
    };

    let n = g.len();
    let (mut a, mut f) = (vec![], vec![]);
    for i in 0..n {
        for d in 0..3 {
            a.push(grads.means[i][d] as f64);
            f.push(fd_param(&|p, e| p.means[i][d] += e));
        }
    }
    check("means", a, f);
    let (mut a, mut f) = (vec![], vec![]);
    for i in 0..n {
        for d in 0..3 {
            a.push(grads.log_scales[i][d] as f64);
            f.push(fd_param(&|p, e| p.log_scales[i][d] += e));
        }
    }
    check("log_scales", a, f);
    let (mut a, mut f) = (vec![], vec![]);
    for i in 0..n {
        for d in 0..4 {
            a.push(grads.quats[i][d] as f64);
            f.push(fd_param(&|p, e| p.quats[i][d] += e));
        }
    }
    check("quats", a, f);
    let a = grads.opacity_logits.iter().map(|&v| v as f64).collect();
    let f = (0..n).map(|i| fd_param(&|p, e| p.opacity_logits[i] += e)).collect();
    check("opacity_logits", a, f);
    let a = grads.sh.iter().map(|&v| v as f64).collect();
    let f = (0..g.sh.len()).map(|i| fd_param(&|p, e| p.sh[i] += e)).collect();
    check("sh", a, f);

    // Viewmat: small rotations about each camera axis (R' = exp(ε[e_k]×)·R, t fixed), then translations.
    let gv = grads.viewmat.map(|r| r.map(f64::from));
    let (mut a, mut f) = (vec![], vec![]);
    for k in 0..3 {
        let mut kx = [[0.0f64; 3]; 3];
        let (i1, i2) = ((k + 1) % 3, (k + 2) % 3);
        kx[i2][i1] = 1.0;
        kx[i1][i2] = -1.0;
        let kr: [[f64; 3]; 3] =
            std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|l| kx[i][l] * c0.viewmat[l][j]).sum()));
        a.push((0..3).flat_map(|i| (0..3).map(move |j| (i, j))).map(|(i, j)| gv[i][j] * kr[i][j]).sum());
        f.push(fd_cam(&|c, e| {
            let (s, co) = (e.sin(), 1.0 - e.cos());
            let rot: [[f64; 3]; 3] = std::array::from_fn(|i| {
                std::array::from_fn(|j| {
                    let k2: f64 = (0..3).map(|l| kx[i][l] * kx[l][j]).sum();
                    (i == j) as u8 as f64 + s * kx[i][j] + co * k2
                })
            });
            let old = c.viewmat;
            for i in 0..3 {
                for j in 0..3 {
                    c.viewmat[i][j] = (0..3).map(|l| rot[i][l] * old[l][j]).sum();
                }
            }
        }));
    }
    for k in 0..3 {
        a.push(gv[k][3]);
        f.push(fd_cam(&|c, e| c.viewmat[k][3] += e));
    }
    check("viewmat (3 rotations, 3 translations)", a, f);
    check("fx", vec![grads.intrinsics[0] as f64], vec![fd_cam(&|c, e| c.fx += e)]);
    check("fy", vec![grads.intrinsics[1] as f64], vec![fd_cam(&|c, e| c.fy += e)]);
    check("cx", vec![grads.intrinsics[2] as f64], vec![fd_cam(&|c, e| c.cx += e)]);
    check("cy", vec![grads.intrinsics[3] as f64], vec![fd_cam(&|c, e| c.cy += e)]);
    let a = grads.background.iter().map(|&v| v as f64).collect();
    let f = (0..3)
        .map(|c| {
            central(|e| {
                let mut b = bg0;
                b[c] += e;
                loss.eval(&p0, &c0, b)
            })
        })
        .collect();
    check("background", a, f);
    println!("seed {seed}, SH {sh_degree}, {n_clamped} clamped:\n  {}", report.join("\n  "));

    if n_clamped == 0 {
        // Without the J clamp, cx and cy enter only through the projected means: dL/dcx = Σ dL/dμx.
        let sx: f64 = grads.means2d.iter().map(|m| m[0] as f64).sum();
        let sy: f64 = grads.means2d.iter().map(|m| m[1] as f64).sum();
        assert!((sx - grads.intrinsics[2] as f64).abs() <= 1e-4 * sx.abs().max(1.0), "Σ means2d.x {sx}");
        assert!((sy - grads.intrinsics[3] as f64).abs() <= 1e-4 * sy.abs().max(1.0), "Σ means2d.y {sy}");
    }
}

#[test]
fn gradients_sh3_with_fov_clamp() {
    check_gradients(1, 3, 2);
}

#[test]
fn gradients_sh1() {
    check_gradients(2, 1, 0);
}

#[test]
fn gradients_sh0() {
    check_gradients(3, 0, 0);
}
