//! Types shared by every splatbench crate.
//!
//! Conventions (one for the whole project; loaders convert into it):
//! - Cameras are **world-to-camera** rigid transforms in **OpenCV axes** (x right, y down, z forward).
//! - Pixel (column j, row i) has its centre at (j + 0.5, i + 0.5); a camera-space point (x, y, z) projects to
//!   (fx·x/z + cx, fy·y/z + cy). SRN's integer-centre intrinsics are shifted by +0.5 on load.
//! - Images are f32 in [0, 1], row-major H×W×C with C = 3 (RGB) or 4 (RGBA, straight alpha).
//! - Depth maps are z-depth (distance along the optical axis), not ray length.

pub mod camera;
pub mod clock;
pub mod error;
pub mod image;
pub mod limits;
pub mod malloc;
pub mod maths;
pub mod method;
pub mod reduce;
pub mod registration;
pub mod resample;
pub mod scene;
pub mod view;

pub use camera::{Camera, Distortion, Intrinsics};
pub use error::{Error, Result};
pub use image::{DepthMap, Image, Mask};
pub use method::{Artifact, Backend, Phase, Progress, Reconstruction, Reconstructor, RunContext, TrainReport};
pub use registration::{CommandHost, DatasetSummary, Method, MethodCommand, MethodConfig, MethodDef};
pub use scene::{PointCloud, Scene, View};
pub use view::TrainView;
