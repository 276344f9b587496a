//! Pictures of a fitted NeRF: where it samples (SVG), what it sees (expected depth and opacity PNGs) and a
//! turntable GIF.
//!
//! All pictures use the first training camera rescaled to `figure_size` on its longer side (the reconstruction
//! sees no held-out camera). The sampling picture follows three rays of that view, chosen from its opacity map:
//! the most transparent pixel (background), the pixel whose 3×3 neighbourhood is most opaque (interior), and the
//! pixel with opacity nearest ½ (an edge). For each it draws, along t ∈ [near, far]: the piecewise-constant PDF
//! the fine samples are drawn from (bars over the coarse bins), the coarse samples with their weights (stems), the
//! fine samples (a rug below the axis) and the fine network's weights over the union (stems below the rug).
//! Rendering is the deterministic one (bin midpoints, midpoint fine draws), as for scoring.

use crate::config::Sampling;
use crate::method::NerfReconstruction;
use crate::rays::{Rays, direction};
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, RgbaImage};
use splatbench_core::{Artifact, Camera, Error, Image, Result};
use splatbench_io::imageio::write_png;
use splatbench_train::tensors::to_vec;
use std::fmt::Write;
use std::path::Path;

/// `camera` rescaled so its longer side is `size` pixels.
fn resized(camera: &Camera, size: u32) -> Camera {
    let s = size as f64 / camera.width.max(camera.height) as f64;
    let w = ((camera.width as f64 * s).round() as u32).max(1);
    let h = ((camera.height as f64 * s).round() as u32).max(1);
    camera.scaled_to(w, h)
}

/// Every picture into `dir`, named after `id`.
pub fn write_all(recon: &NerfReconstruction, id: &str, dir: &Path) -> Result<Vec<Artifact>> {
    splatbench_io::atomic::create_dir_all(dir)?;
    let Some(first) = recon.cameras.first() else { return Ok(Vec::new()) };
    let cam = resized(first, recon.cfg.figure_size.max(8));
    let maps = recon.render_maps(&cam)?;
    let (w, h) = (cam.width, cam.height);
    let mut out = Vec::new();

    let (near, far) = (recon.bounds.near, recon.bounds.far);
    let depth = Image {
        width: w,
        height: h,
        channels: 1,
        data: maps
            .depth
            .iter()
            .zip(&maps.opacity)
            .map(|(&z, &a)| if a < 0.05 || !z.is_finite() { 0.0 } else { ((far - z as f64) / (far - near)) as f32 })
            .collect(),
    };
    let path = dir.join(format!("{id}_depth.png"));
    write_png(&path, &depth)?;
    out.push(Artifact {
        kind: "png".into(),
        path,
        caption: format!(
            "expected depth Σwt/Σw (z), white at near {near:.2}, black at far {far:.2} and where Σw < 0.05"
        ),
    });
    let opacity = Image { width: w, height: h, channels: 1, data: maps.opacity.clone() };
    let path = dir.join(format!("{id}_opacity.png"));
    write_png(&path, &opacity)?;
    out.push(Artifact { kind: "png".into(), path, caption: "accumulated opacity Σw (white = opaque)".into() });

    let path = dir.join(format!("{id}_sampling.svg"));
    let probes = choose_probes(&maps.opacity, w, h);
    let svg = sampling_svg(recon, &cam, &probes)?;
    splatbench_io::atomic::write_atomic(&path, svg.as_bytes())?;
    out.push(Artifact {
        kind: "svg".into(),
        path,
        caption: "where NeRF samples: PDF over the coarse bins, coarse samples and weights, fine samples, fine weights"
            .into(),
    });

    if recon.cfg.gif_frames > 0 {
        let path = dir.join(format!("{id}_turntable.gif"));
        turntable(recon, first, &path)?;
        out.push(Artifact { kind: "gif".into(), path, caption: "turntable about the scene's up axis".into() });
    }
    Ok(out)
}

/// (label, column, row) of the background, interior and edge pixels (see the module docs).
pub fn choose_probes(opacity: &[f32], w: u32, h: u32) -> Vec<(&'static str, u32, u32)> {
    let at = |j: i64, i: i64| opacity[(i.clamp(0, h as i64 - 1) * w as i64 + j.clamp(0, w as i64 - 1)) as usize];
    let pixels = || (0..h).flat_map(move |i| (0..w).map(move |j| (j, i)));
    let by = |f: &dyn Fn(u32, u32) -> f32| {
        pixels().min_by(|a, b| f(a.0, a.1).total_cmp(&f(b.0, b.1))).expect("an image has a pixel")
    };
    let background = by(&|j, i| at(j as i64, i as i64));
    let interior = by(&|j, i| {
        let mut m = f32::INFINITY;
        for di in -1..=1 {
            for dj in -1..=1 {
                m = m.min(at(j as i64 + dj, i as i64 + di));
            }
        }
        -m
    });
    let edge = by(&|j, i| (at(j as i64, i as i64) - 0.5).abs());
    vec![("edge", edge.0, edge.1), ("interior", interior.0, interior.1), ("background", background.0, background.1)]
}

/// The SVG of the sampling along the rays through `probes` of `camera`.
pub fn sampling_svg(recon: &NerfReconstruction, camera: &Camera, probes: &[(&str, u32, u32)]) -> Result<String> {
    let (near, far) = (recon.bounds.near, recon.bounds.far);
    let cfg = &recon.cfg;
    let n1 = cfg.first_stage_samples();
    let (pw, ph, left, top) = (760.0, 190.0, 40.0, 40.0);
    let axis_w = pw - 2.0 * left;
    let x = |t: f64| left + (t - near) / (far - near) * axis_w;
    let mut s = String::new();
    let total_h = top + ph * probes.len() as f64 + 30.0;
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{pw}" height="{total_h}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let stage = match cfg.sampling {
        Sampling::Hierarchical => format!("{} coarse + {} fine samples per ray", cfg.n_coarse, cfg.n_fine),
        Sampling::CoarseOnly => format!("coarse only: {n1} stratified samples per ray"),
    };
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="16" font-size="13">Where NeRF samples — {stage}; t from near {near:.2} to far {far:.2}</text>"#
    );
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="32"><tspan fill="#9ecae1">■ PDF of the fine draws</tspan>  <tspan fill="#08519c">● coarse sample, height = weight</tspan>  <tspan fill="#e6550d">| fine sample</tspan>  <tspan fill="#31a354">▼ fine-network weight</tspan></text>"##
    );
    for (p, &(label, j, i)) in probes.iter().enumerate() {
        let d = direction(camera, j as f64 + 0.5, i as f64 + 0.5);
        let mut ray = Rays::default();
        ray.push(camera.center(), d);
        let mut result = None;
        recon.render_rays(&ray, |_, out| result = Some(out));
        let out = result.ok_or_else(|| Error::bug("nerf: a probe ray did not render"))?;
        let wc: Vec<f64> = to_vec(out.coarse.weights.clone()).iter().map(|&v| v as f64).collect();
        let last = out.last();
        let (acc, dist) = (to_vec(last.opacity.clone())[0], to_vec(last.depth.clone())[0]);
        let y0 = top + ph * p as f64 + 20.0;
        let base = y0 + 80.0;
        let depth = if acc > 0.0 { format!("{:.2}", dist / acc) } else { "–".into() };
        let _ = writeln!(
            s,
            r#"<text x="{left}" y="{}">{label} pixel (column {j}, row {i}): opacity Σw = {acc:.3}, expected distance {depth}</text>"#,
            y0 - 4.0
        );
        // The PDF over the coarse bins, normalised to the panel height (mass / bin width ∝ mass: equal bins).
        let floor = crate::sampling::WEIGHT_FLOOR;
        let masses: Vec<f64> = wc.iter().map(|w| w.max(0.0) + floor).collect();
        let total: f64 = masses.iter().sum();
        let pmax = masses.iter().cloned().fold(0.0, f64::max) / total;
        let wmax = wc.iter().cloned().fold(1e-12, f64::max);
        let edges = crate::sampling::bin_edges(n1, near, far);
        for k in 0..n1 {
            let hgt = 70.0 * masses[k] / total / pmax;
            let _ = writeln!(
                s,
                r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{hgt:.2}" fill="#9ecae1" stroke="#6baed6" stroke-width="0.5"/>"##,
                x(edges[k]),
                base - hgt,
                x(edges[k + 1]) - x(edges[k])
            );
        }
        for (k, &t) in out.t_coarse.iter().enumerate() {
            let y = base - 70.0 * wc[k] / wmax;
            let xt = x(t as f64);
            let _ = writeln!(
                s,
                r##"<line x1="{xt:.2}" y1="{base:.2}" x2="{xt:.2}" y2="{y:.2}" stroke="#08519c"/><circle cx="{xt:.2}" cy="{y:.2}" r="2.2" fill="#08519c"/>"##
            );
        }
        let _ = writeln!(
            s,
            r#"<line x1="{left}" y1="{base}" x2="{}" y2="{base}" stroke="black"/><text x="{left}" y="{}">{near:.2}</text><text x="{}" y="{}" text-anchor="end">{far:.2}</text>"#,
            left + axis_w,
            base + 58.0,
            left + axis_w,
            base + 58.0
        );
        for &t in &out.t_fine {
            let xt = x(t as f64);
            let _ = writeln!(
                s,
                r##"<line x1="{xt:.2}" y1="{:.2}" x2="{xt:.2}" y2="{:.2}" stroke="#e6550d" stroke-opacity="0.7"/>"##,
                base + 2.0,
                base + 12.0
            );
        }
        if let Some(fine) = &out.fine {
            let wf: Vec<f64> = to_vec(fine.weights.clone()).iter().map(|&v| v as f64).collect();
            let fmax = wf.iter().cloned().fold(1e-12, f64::max);
            for (k, &t) in out.t_union.iter().enumerate() {
                let xt = x(t as f64);
                let y = base + 14.0 + 30.0 * wf[k] / fmax;
                let _ = writeln!(
                    s,
                    r##"<line x1="{xt:.2}" y1="{:.2}" x2="{xt:.2}" y2="{y:.2}" stroke="#31a354"/>"##,
                    base + 14.0
                );
            }
        }
    }
    s.push_str("</svg>\n");
    Ok(s)
}

/// A camera with intrinsics of `template` at `eye` looking at `target`, image y pointing along −`up`.
fn look_at(template: &Camera, eye: [f64; 3], target: [f64; 3], up: [f64; 3]) -> Camera {
    let norm = |v: [f64; 3]| {
        let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        v.map(|x| x / n)
    };
    let cross =
        |a: [f64; 3], b: [f64; 3]| [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
    let fwd = norm(std::array::from_fn(|k| target[k] - eye[k]));
    let right = norm(cross(fwd, up));
    let down = cross(fwd, right);
    let mut m = [[0.0; 4]; 4];
    for (r, axis) in [right, down, fwd].iter().enumerate() {
        m[r][..3].copy_from_slice(axis);
        m[r][3] = -(axis[0] * eye[0] + axis[1] * eye[1] + axis[2] * eye[2]);
    }
    m[3][3] = 1.0;
    Camera { world_to_camera: m, distortion: None, ..template.clone() }
}

/// Frames orbiting the scene centre about its up axis (the mean of the training cameras' up vectors), starting
/// at `start`'s position, with `start`'s field of view.
fn turntable(recon: &NerfReconstruction, start: &Camera, path: &Path) -> Result<()> {
    let centre = crate::rays::scene_centre(&recon.cameras);
    let mut up = [0.0; 3];
    for c in &recon.cameras {
        // Camera −y (image up) in world coordinates is minus row 1 of the rotation.
        (0..3).for_each(|k| up[k] -= c.world_to_camera[1][k]);
    }
    let n = (up[0] * up[0] + up[1] * up[1] + up[2] * up[2]).sqrt();
    if n < 1e-9 {
        return Err(Error::bug("nerf turntable: the training cameras have no common up direction"));
    }
    let up = up.map(|v| v / n);
    let template = resized(start, recon.cfg.gif_size.max(8));
    let eye0 = start.center();
    let rel: [f64; 3] = std::array::from_fn(|k| eye0[k] - centre[k]);
    let frames = recon.cfg.gif_frames;
    // Every frame is rendered before the file is opened: the GIF is written in one atomic step.
    let mut rendered = Vec::with_capacity(frames);
    for f in 0..frames {
        // Rodrigues rotation of the start offset about `up`.
        let a = f as f64 / frames as f64 * std::f64::consts::TAU;
        let (s, c) = a.sin_cos();
        let kxv = [up[1] * rel[2] - up[2] * rel[1], up[2] * rel[0] - up[0] * rel[2], up[0] * rel[1] - up[1] * rel[0]];
        let kdv = up[0] * rel[0] + up[1] * rel[1] + up[2] * rel[2];
        let eye: [f64; 3] = std::array::from_fn(|k| centre[k] + rel[k] * c + kxv[k] * s + up[k] * kdv * (1.0 - c));
        let cam = look_at(&template, eye, centre, up);
        let img = recon.render_maps(&cam)?.rgb;
        let rgba = RgbaImage::from_fn(img.width, img.height, |x, y| {
            let v = |ch| (img.get(x, y, ch).clamp(0.0, 1.0) * 255.0).round() as u8;
            image::Rgba([v(0), v(1), v(2), 255])
        });
        rendered.push(rgba);
    }
    splatbench_io::atomic::write_atomic_with(path, |w| {
        let mut enc = GifEncoder::new_with_speed(w, 10);
        enc.set_repeat(Repeat::Infinite).map_err(std::io::Error::other)?;
        for rgba in rendered {
            enc.encode_frame(Frame::from_parts(rgba, 0, 0, Delay::from_numer_denom_ms(80, 1)))
                .map_err(std::io::Error::other)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_pick_background_interior_and_edge() {
        // A 6×4 opacity map: a solid block on the right, a soft column between.
        let (w, h) = (6u32, 4u32);
        let op: Vec<f32> = (0..h).flat_map(|_| [0.0, 0.01, 0.4, 1.0, 1.0, 1.0]).collect();
        let p = choose_probes(&op, w, h);
        assert_eq!(p[0], ("edge", 2, 0));
        assert_eq!((p[1].0, p[1].1), ("interior", 4));
        assert_eq!(p[2], ("background", 0, 0));
    }

    #[test]
    fn look_at_centres_the_target() {
        let template = Camera::from_c2w_opencv(
            [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
            splatbench_core::Intrinsics::centred(20, 10, 15.0),
        );
        let cam = look_at(&template, [3.0, 1.0, 2.0], [0.5, 0.0, -0.5], [0.0, 0.0, 1.0]);
        assert!(cam.validate().is_ok());
        let (px, z) = cam.project([0.5, 0.0, -0.5]);
        assert!((px[0] - 10.0).abs() < 1e-9 && (px[1] - 5.0).abs() < 1e-9 && z > 0.0);
        // World up lands above the centre (smaller row).
        assert!(cam.project([0.5, 0.0, 0.5]).0[1] < 5.0);
    }
}
