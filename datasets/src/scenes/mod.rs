//! The five scenes and what they share: byte conversion of renders, pose text, lights, ground truth.

pub mod blender;
pub mod head;
pub mod paint;
pub mod roi;
pub mod srn;

use crate::gt::{GtGroup, GtView};
use crate::io::{Sink, png, to_u8};
use crate::math::V3;
use crate::points::SurfacePoint;
use crate::tracer::{Light, Render};
use splatbench_core::Result;

pub const WHITE: [f64; 3] = [1.0, 1.0, 1.0];

/// A key light, a fill light and ambient, fixed in the world (so shading does not change with the view).
pub fn lights(key: V3, fill: V3) -> Vec<Light> {
    vec![Light { dir: key.normalized(), intensity: 0.65 }, Light { dir: fill.normalized(), intensity: 0.3 }]
}

/// RGB over the world background, 8-bit.
pub fn rgb8(r: &Render) -> Vec<u8> {
    r.rgb.iter().flat_map(|c| c.map(to_u8)).collect()
}

/// RGBA with straight alpha = foreground coverage; fully transparent pixels carry white.
pub fn rgba8(r: &Render) -> Vec<u8> {
    r.fg_rgb
        .iter()
        .zip(&r.coverage)
        .flat_map(|(c, &a)| [to_u8(c[0]), to_u8(c[1]), to_u8(c[2]), to_u8(a as f64)])
        .collect()
}

/// A 4×4 matrix as 4 lines of 4 numbers with 9 decimals (SRN `pose/*.txt`); −0 is written as 0.
pub fn matrix_text(m: &[[f64; 4]; 4]) -> String {
    m.iter().map(|row| row.iter().map(|v| format!("{:.9}", v + 0.0)).collect::<Vec<_>>().join(" ") + "\n").collect()
}

/// Ground truth being collected for one scene.
#[derive(Default)]
pub struct GtBuilder {
    pub views: Vec<GtView>,
    pub groups: Vec<GtGroup>,
}

impl GtBuilder {
    /// Write the exact depth of `r` to `depth_rel` (relative to the scene) and record the view.
    #[allow(clippy::too_many_arguments)]
    pub fn view(
        &mut self,
        sink: &mut Sink,
        scene: &str,
        group: &str,
        split: &str,
        name: &str,
        image_rel: &str,
        depth_rel: &str,
        r: &Render,
    ) -> Result<()> {
        sink.npy_f32(&format!("{scene}/{depth_rel}"), r.height, r.width, &r.depth)?;
        self.views.push(GtView {
            group: group.into(),
            split: split.into(),
            name: name.into(),
            image: image_rel.into(),
            depth: depth_rel.into(),
        });
        Ok(())
    }

    pub fn group(&mut self, name: &str, foreground: bool, pts: &[SurfacePoint]) {
        self.groups.push(GtGroup {
            name: name.into(),
            foreground,
            positions: pts.iter().map(|p| p.pos.arr()).collect(),
            colors: pts.iter().map(|p| p.color.map(|c| c as f32)).collect(),
        });
    }

    pub fn finish(self, sink: &mut Sink, scene: &str) -> Result<()> {
        let gt = crate::gt::GroundTruth { views: self.views, groups: self.groups };
        sink.json(&format!("{scene}/{}", crate::gt::GROUND_TRUTH), &gt)
    }
}

pub fn png_rgb(r: &Render) -> Result<Vec<u8>> {
    png(r.width, r.height, 3, &rgb8(r))
}

pub fn png_rgba(r: &Render) -> Result<Vec<u8>> {
    png(r.width, r.height, 4, &rgba8(r))
}

/// HSV (h in turns) to RGB.
pub fn hsv(h: f64, s: f64, v: f64) -> [f64; 3] {
    let h6 = (h.rem_euclid(1.0)) * 6.0;
    let f = h6 - h6.floor();
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f)));
    match h6.floor() as u32 {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}
