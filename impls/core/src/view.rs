//! The training view every method trains on: one definition of how a dataset [`View`] becomes training data.
//!
//! [`TrainView::prepare`] checks the view (pinhole camera, RGB or RGBA, image size equal to the camera's), composites
//! RGBA over the scene background with straight alpha (`rgb·a + bg·(1 − a)`) *before* averaging (the same as
//! averaging premultiplied colour and alpha), and brings image, mask and depth to the training resolution with the
//! one area downscaler ([`crate::resample`]); the camera follows with [`Camera::scaled_to`]. The mask is the view's
//! own mask, else the image's alpha, else none.

use crate::resample::{area_downscale, downscale_depth, downscale_mask, fit_within};
use crate::{Camera, DepthMap, Error, Image, Mask, Result, View};

/// A view at the training resolution, on the host.
#[derive(Clone, Debug)]
pub struct TrainView {
    pub name: String,
    /// The dataset camera scaled to the training resolution.
    pub camera: Camera,
    /// RGB composited on the background, `camera.height × camera.width × 3`.
    pub image: Image,
    pub mask: Option<Mask>,
    pub depth: Option<DepthMap>,
}

impl TrainView {
    /// `view` at most `max_side` pixels on its longer side (`None`: native size). `method` names who refuses a
    /// non-pinhole camera.
    pub fn prepare(view: &View, background: [f32; 3], max_side: Option<u32>, method: &str) -> Result<TrainView> {
        view.camera.require_pinhole(method)?;
        view.camera.validate().map_err(|m| Error::input(&view.name, m))?;
        let img = &view.image;
        if img.channels != 3 && img.channels != 4 {
            return Err(Error::input(&view.name, format!("image has {} channels; expected RGB or RGBA", img.channels)));
        }
        if (img.width, img.height) != (view.camera.width, view.camera.height) {
            return Err(Error::input(
                &view.name,
                format!(
                    "image is {}×{} but its camera is {}×{}",
                    img.width, img.height, view.camera.width, view.camera.height
                ),
            ));
        }
        let (w, h) = fit_within(img.width, img.height, max_side);
        let mask = view.mask.clone().or_else(|| img.alpha()).map(|m| downscale_mask(&m, w, h));
        Ok(TrainView {
            name: view.name.clone(),
            camera: view.camera.scaled_to(w, h),
            image: area_downscale(&img.to_rgb_over(background), w, h),
            mask,
            depth: view.depth.as_ref().map(|d| downscale_depth(d, w, h)),
        })
    }

    pub fn width(&self) -> u32 {
        self.camera.width
    }

    pub fn height(&self) -> u32 {
        self.camera.height
    }
}
