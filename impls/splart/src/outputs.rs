//! Files a painting leaves: the animation (one frame per round boundary plus the final painting) and the strokes as
//! JSON. PNGs go through `splatbench_io::imageio::write_png`.

use crate::stroke::Stroke;
use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, Frame, RgbaImage};
use serde::Serialize;
use splatbench_core::{Error, Image, Result};
use std::path::Path;

/// Writes `frames` (RGB, all the same size) as a looping GIF, `delay_ms` per frame, atomically; a failure is an
/// output error naming `path`.
pub fn write_gif(path: &Path, frames: &[Image], delay_ms: u32) -> Result<()> {
    splatbench_io::atomic::write_atomic_with(path, |w| {
        let mut enc = GifEncoder::new_with_speed(w, 10);
        enc.set_repeat(Repeat::Infinite).map_err(std::io::Error::other)?;
        for f in frames {
            let rgba: Vec<u8> = f
                .data
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 1.0].map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8))
                .collect();
            let buf = RgbaImage::from_raw(f.width, f.height, rgba).expect("RGBA buffer of the frame's size");
            enc.encode_frame(Frame::from_parts(buf, 0, 0, Delay::from_numer_denom_ms(delay_ms, 1)))
                .map_err(std::io::Error::other)?;
        }
        Ok(())
    })
}

#[derive(Serialize)]
struct StrokeJson {
    position: [f32; 2],
    rotation: f32,
    half_extents: [f64; 2],
    color: [f64; 3],
}

#[derive(Serialize)]
struct PaintingJson<'a> {
    width: u32,
    height: u32,
    background: [f32; 3],
    brush: String,
    /// Creation order, bottom first.
    strokes: Vec<StrokeJson>,
    loss_curve: &'a [(usize, f64)],
}

/// The strokes (in pixels, colours in [0, 1]) and the loss curve as one JSON document.
pub fn write_strokes_json(
    path: &Path,
    strokes: &[Stroke],
    width: u32,
    height: u32,
    background: [f32; 3],
    brush: &str,
    loss_curve: &[(usize, f64)],
) -> Result<()> {
    let doc = PaintingJson {
        width,
        height,
        background,
        brush: brush.to_string(),
        strokes: strokes
            .iter()
            .map(|s| StrokeJson {
                position: s.position,
                rotation: s.rotation,
                half_extents: s.half_extents(),
                color: s.color(),
            })
            .collect(),
        loss_curve,
    };
    let text = serde_json::to_string_pretty(&doc).map_err(|e| Error::internal("encoding output", e))?;
    splatbench_io::atomic::write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(v: f32) -> Image {
        Image { width: 4, height: 3, channels: 3, data: vec![v; 36] }
    }

    #[test]
    fn the_gif_is_written_whole_and_a_blocked_path_is_an_output_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.gif");
        write_gif(&path, &[frame(0.2), frame(0.8)], 50).unwrap();
        let decoded = image::open(&path).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (4, 3));
        // A file where the directory should be: exit code 1 (output), naming the GIF, nothing left behind.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, b"x").unwrap();
        let err = write_gif(&blocker.join("b.gif"), &[frame(0.5)], 50).unwrap_err();
        assert_eq!(err.exit_code(), 1, "{err}");
        assert!(err.to_string().contains("b.gif"), "{err}");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
