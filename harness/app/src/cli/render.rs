//! `splatbench render`: draw a 3DGS PLY from one camera with the CPU rasterizer.
//!
//! The camera file is a [`Camera`] as JSON — `width`, `height`, `fx`, `fy`, `cx`, `cy` (pixels) and
//! `world_to_camera` (row-major 4×4, OpenCV axes: x right, y down, z forward). Output by extension:
//! - `.png`: 8-bit RGB over the background, clamped to [0, 1] (no gamma: the splats' colours are stored as shown);
//! - `.npy`: float32 H×W×4 (R, G, B over the background, then alpha), little endian, numpy format 1.0, the
//!   rasterizer's values unchanged (not clamped, no gamma).

use splatbench_core::{Error, Image, Result};
use splatbench_data::read_camera;
use splatbench_io::imageio;
use splatbench_io::npy::write_npy;
use splatbench_render::{RasterCamera, cpu, ply};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// 3DGS PLY file (INRIA layout).
    #[arg(long)]
    pub ply: PathBuf,
    /// Camera JSON: {"width","height","fx","fy","cx","cy","world_to_camera": 4×4 row-major, OpenCV axes}.
    #[arg(long)]
    pub camera: PathBuf,
    /// Output image: `.png` (8-bit RGB) or `.npy` (float32 H×W×4, RGB + alpha).
    #[arg(long)]
    pub out: PathBuf,
    /// Background colour as `r,g,b` in [0, 1].
    #[arg(long, default_value = "0,0,0")]
    pub background: String,
}

#[derive(Clone, Copy)]
enum Format {
    Png,
    Npy,
}

pub fn run(args: Args) -> Result<()> {
    // Check the cheap things first, so a typo fails before a long render.
    let ext = args.out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("png") => Format::Png,
        Some("npy") => Format::Npy,
        _ => return Err(Error::input(&args.out, "unknown output extension: use .png or .npy")),
    };
    let background = super::parse_background(&args.background)?;
    let camera = read_camera(&args.camera)?;
    let cloud = ply::read_ply(&args.ply)?;

    let (image, _) = cpu::forward(&cloud, &RasterCamera::from(&camera), background);
    match format {
        Format::Png => imageio::write_png(
            &args.out,
            &Image { width: image.width, height: image.height, channels: 3, data: image.color },
        ),
        Format::Npy => {
            let rgba: Vec<f32> = image
                .color
                .chunks_exact(3)
                .zip(&image.alpha)
                .flat_map(|(rgb, &a)| [rgb[0], rgb[1], rgb[2], a])
                .collect();
            write_npy(&args.out, &[image.height as usize, image.width as usize, 4], &rgba)
        }
    }
}
