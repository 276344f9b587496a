//! Acceptance: the generator's paint_toy at 128² through the image-scene loader, the method and its artifacts.

use splatbench_core::{Backend, Reconstructor, RunContext};
use splatbench_metrics::{psnr, reference::mean_colour_image};
use splatbench_splart::{Splart, SplartConfig};
use std::time::Instant;

#[test]
fn paint_toy_beats_the_mean_colour_image_and_halves_the_loss() {
    let scenes = splatbench_data::reference::load("gen:paint_toy").expect("paint_toy loads as an image scene");
    let scene = &scenes[0];
    let cfg = SplartConfig { rounds: 20, max_image_side: Some(128), ..SplartConfig::default() };
    let mut method = Splart::new(cfg.clone());
    let mut ctx = RunContext::new(Backend::Ndarray, 0);
    let t = Instant::now();
    let report = method.train(&scenes, &mut ctx).unwrap();
    let seconds = t.elapsed().as_secs_f64();
    let painting = method.reconstruct(&[], &mut ctx).unwrap();
    let test = &scene.split("test")[0];
    let img = painting.render(&test.camera).unwrap();
    let (w, h) = (test.camera.width, test.camera.height);
    let ours = psnr(&img, &test.image).unwrap();
    let mean = psnr(&mean_colour_image(scene.split("train"), w, h), &test.image).unwrap();
    let initial = report.stats["initial_loss"];
    let ratio = report.final_loss / initial;
    eprintln!(
        "paint_toy {w}×{h} (fitted at 128): PSNR {ours:.2} dB vs mean colour {mean:.2} dB; loss {initial:.5} → {:.5} \
         (×{ratio:.3}); {} strokes ({} pruned), {:.0} strokes/s, {seconds:.1} s",
        report.final_loss, report.stats["strokes"], report.stats["strokes_pruned"], report.stats["strokes_per_s"]
    );
    // Measured on the 2-core dev box: +14.3 dB, ×0.006 (the issue asks for ≥ +4 dB and ≤ ×0.5).
    assert!(ours >= mean + 7.0, "PSNR {ours:.2} dB, mean-colour image {mean:.2} dB");
    assert!(ratio <= 0.02, "final loss is {ratio:.3} of the initial");

    let dir = tempfile::tempdir().unwrap();
    let artifacts = painting.artifacts(dir.path()).unwrap();
    let gif = artifacts.iter().find(|a| a.kind == "gif").expect("a GIF artifact");
    use image::AnimationDecoder;
    let file = std::io::BufReader::new(std::fs::File::open(&gif.path).unwrap());
    let frames = image::codecs::gif::GifDecoder::new(file).unwrap().into_frames().collect_frames().unwrap();
    assert_eq!(frames.len(), cfg.rounds + 1);
    let x4 = artifacts.iter().find(|a| a.path.ends_with("splart_x4.png")).unwrap();
    assert_eq!(image::image_dimensions(&x4.path).unwrap(), (512, 512));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("splart_strokes.json")).unwrap()).unwrap();
    assert_eq!(json["strokes"].as_array().unwrap().len() as f64, report.stats["strokes"]);
}
