//! Initial point cloud: a visual hull of the training masks, or a sphere when there are no masks.
//!
//! The object is assumed to lie in a sphere of radius `R = object_radius_factor · d · tan(fov/2)` about the origin
//! (`tan(fov/2) = 1 / (2 · focal_norm)`: the half-width of the view frustum at the object's distance). Candidates are
//! drawn uniformly in that sphere; with `visual_hull_init` and masks, a candidate survives only if it projects
//! inside every masked training view with mask ≥ 0.5 (space carving). When fewer than half the wanted points
//! survive the carving (masks absent or inconsistent with the initial cameras), the plain sphere sample is used.
//!
//! Colour: the mean of the target pixels the point projects to (views where it lands inside the image), so the
//! first render already has the object's colours. Scale (isotropic): half the mean spacing of `n` points filling
//! the carved volume, `0.5 · (V_sphere · acceptance / n)^(1/3)`. Opacity starts at 0.3.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use splatbench_core::Camera;

use splatbench_core::TrainView;

pub const INIT_OPACITY: f32 = 0.3;

pub struct InitCloud {
    pub means: Vec<[f32; 3]>,
    /// RGB in (0, 1).
    pub colors: Vec<[f32; 3]>,
    pub scale: f32,
    /// True when the masks carved the sample.
    pub carved: bool,
}

fn sample_in_sphere(rng: &mut ChaCha8Rng, r: f64) -> [f64; 3] {
    loop {
        let p: [f64; 3] = std::array::from_fn(|_| rng.random_range(-1.0..1.0));
        if p.iter().map(|v| v * v).sum::<f64>() <= 1.0 {
            return p.map(|v| v * r);
        }
    }
}

/// Pixel (column, row) `p` projects to in `cam`, if inside the image and in front of the camera.
fn pixel_of(cam: &Camera, p: [f64; 3]) -> Option<(u32, u32)> {
    let (uv, z) = cam.project(p);
    if z <= 0.0 || uv[0] < 0.0 || uv[1] < 0.0 {
        return None;
    }
    let (x, y) = (uv[0] as u32, uv[1] as u32);
    (x < cam.width && y < cam.height).then_some((x, y))
}

/// `views[i].camera` must carry the (possibly perturbed) initial poses.
pub fn initial_cloud(views: &[TrainView], n: usize, radius: f64, use_masks: bool, rng: &mut ChaCha8Rng) -> InitCloud {
    let inside_masks = |p: [f64; 3]| {
        views.iter().all(|v| match &v.mask {
            None => true,
            Some(m) => pixel_of(&v.camera, p).is_some_and(|(x, y)| m.data[(y * m.width + x) as usize] >= 0.5),
        })
    };
    let have_masks = use_masks && views.iter().any(|v| v.mask.is_some());
    let mut points = Vec::with_capacity(n);
    let mut tries = 0usize;
    if have_masks {
        while points.len() < n && tries < 400 * n {
            tries += 1;
            let p = sample_in_sphere(rng, radius);
            if inside_masks(p) {
                points.push(p);
            }
        }
    }
    let carved = have_masks && points.len() * 2 >= n;
    let acceptance = if carved { points.len() as f64 / tries as f64 } else { 1.0 };
    if !carved {
        points = (0..n).map(|_| sample_in_sphere(rng, radius)).collect();
    }
    // Top up a partial carve by re-sampling survivors' neighbourhoods is not worth it: duplicate with jitter.
    let spacing = (4.0 / 3.0 * std::f64::consts::PI * radius.powi(3) * acceptance / n as f64).cbrt();
    while points.len() < n {
        let src = points[rng.random_range(0..points.len())];
        points.push(std::array::from_fn(|k| src[k] + rng.random_range(-0.5..0.5) * spacing));
    }
    let colors = points
        .iter()
        .map(|&p| {
            let mut acc = [0.0f32; 3];
            let mut k = 0;
            for v in views {
                if let Some((x, y)) = pixel_of(&v.camera, p) {
                    for c in 0..3 {
                        acc[c] += v.image.get(x, y, c as u32);
                    }
                    k += 1;
                }
            }
            if k == 0 { [0.5; 3] } else { acc.map(|a| (a / k as f32).clamp(0.02, 0.98)) }
        })
        .collect();
    InitCloud {
        means: points.iter().map(|p| p.map(|v| v as f32)).collect(),
        colors,
        scale: (0.5 * spacing) as f32,
        carved,
    }
}
