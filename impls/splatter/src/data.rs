//! Training objects on the device: every view of a training scene at the training resolution, with its image as a
//! `[H, W, 3]` render target and a `[3, H, W]` network input.

use burn::tensor::{Device, Tensor};
use splatbench_core::{Result, Scene, TrainView, View};
use splatbench_train::tensors::image_tensor;

pub struct Object {
    pub name: String,
    pub views: Vec<TrainView>,
    /// `[H, W, 3]` per view, composited on the scene's background.
    pub images: Vec<Tensor<3>>,
    pub background: [f32; 3],
}

/// `view` at `resolution` on its longer side (the one downscaler, through [`TrainView::prepare`]).
pub fn prepare(view: &View, background: [f32; 3], resolution: u32) -> Result<TrainView> {
    TrainView::prepare(view, background, Some(resolution), "splatter")
}

/// `[1, 3, H, W]` network input of a training view.
pub fn input_tensor(v: &TrainView, device: &Device) -> Tensor<4> {
    image_tensor(&v.image, device).permute([2, 0, 1]).unsqueeze_dim::<4>(0)
}

impl Object {
    /// Every view of `scene`'s train split (or of its only split) at `resolution`.
    pub fn from_scene(scene: &Scene, resolution: u32, device: &Device) -> Result<Object> {
        let views = if scene.split("train").is_empty() { scene.split("test") } else { scene.split("train") };
        let mut views: Vec<TrainView> =
            views.iter().map(|v| prepare(v, scene.background, resolution)).collect::<Result<_>>()?;
        views.sort_by(|a, b| a.name.cmp(&b.name));
        let images = views.iter().map(|v| image_tensor(&v.image, device)).collect();
        Ok(Object { name: scene.name.clone(), views, images, background: scene.background })
    }

    pub fn view_index(&self, name: &str) -> Option<usize> {
        self.views.iter().position(|v| v.name == name)
    }
}
