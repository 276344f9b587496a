//! [`Splart`]: the painting method as the harness sees it ([`Reconstructor`]), and its [`Painting`].
//!
//! An image-file scene has one view in both splits with an identity pinhole camera; a painting renders for any
//! camera by scaling its strokes to the camera's width (the ×4 re-render is the same with four times the pixels).

use crate::config::SplartConfig;
use crate::kernel;
use crate::outputs::{write_gif, write_strokes_json};
use crate::train::{Trained, train_scene};
use splatbench_core::{
    Artifact, Camera, Error, Image, Reconstruction, Reconstructor, Result, RunContext, Scene, TrainReport, View,
};
use splatbench_io::imageio::write_png;
use std::collections::BTreeMap;
use std::path::Path;

pub struct Splart {
    pub config: SplartConfig,
    trained: Option<Trained>,
}

impl Splart {
    pub fn new(config: SplartConfig) -> Self {
        Splart { config, trained: None }
    }

    pub fn trained(&self) -> Option<&Trained> {
        self.trained.as_ref()
    }
}

impl Reconstructor for Splart {
    fn id(&self) -> &str {
        "splart"
    }

    fn train(&mut self, scenes: &[Scene], ctx: &mut RunContext) -> Result<TrainReport> {
        let [scene] = scenes else {
            return Err(Error::input(
                "scenes",
                format!("splart paints one image at a time, got {} scenes", scenes.len()),
            ));
        };
        let trained = train_scene(scene, &self.config, ctx)?;
        let report = trained.report.clone();
        self.trained = Some(trained);
        Ok(report)
    }

    fn reconstruct(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Box<dyn Reconstruction>> {
        let t = self.trained.as_ref().ok_or_else(|| Error::bug("splart: reconstruct called before train"))?;
        Ok(Box::new(Painting { trained: t.clone(), brush_name: format!("{:?}", self.config.brush) }))
    }

    /// The blank canvas in the target's mean colour, before the first stroke.
    fn initial(&self, _inputs: &[View], _ctx: &mut RunContext) -> Result<Option<Box<dyn Reconstruction>>> {
        Ok(self.trained.as_ref().map(|t| {
            let blank = Trained { strokes: Vec::new(), frames: Vec::new(), loss_curve: Vec::new(), ..t.clone() };
            Box::new(Painting { trained: blank, brush_name: format!("{:?}", self.config.brush) })
                as Box<dyn Reconstruction>
        }))
    }
}

/// The fitted strokes.
pub struct Painting {
    pub trained: Trained,
    brush_name: String,
}

impl Painting {
    /// The painting at `width × height`, strokes scaled by width / training width.
    pub fn render_size(&self, width: u32, height: u32) -> Result<Image> {
        let t = &self.trained;
        let factor = width as f64 / t.width as f64;
        if ((t.height as f64 * factor) - height as f64).abs() > 1.0 {
            return Err(Error::input(
                "render camera",
                format!(
                    "splart renders its {}×{} painting at the same aspect only, not {width}×{height}",
                    t.width, t.height
                ),
            ));
        }
        let strokes: Vec<_> = t.strokes.iter().map(|s| s.scaled(factor)).collect();
        let data = kernel::forward(&strokes, &t.brush, width, height, t.background);
        Ok(Image { width, height, channels: 3, data })
    }
}

impl Reconstruction for Painting {
    fn render(&self, camera: &Camera) -> Result<Image> {
        self.render_size(camera.width, camera.height)
    }

    fn artifacts(&self, dir: &Path) -> Result<Vec<Artifact>> {
        let t = &self.trained;
        let mut out = Vec::new();
        let png = dir.join("splart.png");
        write_png(&png, &self.render_size(t.width, t.height)?)?;
        out.push(Artifact { kind: "png".into(), path: png, caption: format!("{} strokes", t.strokes.len()) });
        let x4 = dir.join("splart_x4.png");
        write_png(&x4, &self.render_size(4 * t.width, 4 * t.height)?)?;
        out.push(Artifact { kind: "png".into(), path: x4, caption: "re-rendered at ×4".into() });
        let gif = dir.join("splart.gif");
        write_gif(&gif, &t.frames, 120)?;
        out.push(Artifact {
            kind: "gif".into(),
            path: gif,
            caption: format!("{} frames: the canvas at each round's start, then the result", t.frames.len()),
        });
        let json = dir.join("splart_strokes.json");
        write_strokes_json(&json, &t.strokes, t.width, t.height, t.background, &self.brush_name, &t.loss_curve)?;
        out.push(Artifact { kind: "json".into(), path: json, caption: "strokes and loss curve".into() });
        Ok(out)
    }

    fn stats(&self) -> BTreeMap<String, f64> {
        self.trained.report.stats.clone()
    }
}
