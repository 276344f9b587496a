//! The standard suite's splart entries without the bench: the five shared photos at the suite's config, printing
//! PSNR / SSIM against the photo and the mean-colour image, strokes/s and time (the README's measurements).
//! Needs `../shared`; ignored by default because it trains for minutes: `cargo test -p splatbench-splart --test
//! shared_photos -- --ignored --nocapture`.

use splatbench_core::{Backend, Reconstructor, RunContext};
use splatbench_metrics::{psnr, reference::mean_colour_image, ssim};
use splatbench_splart::{Splart, SplartConfig};
use std::time::Instant;

#[test]
#[ignore = "trains on the five shared photos for minutes; needs ../shared"]
fn standard_suite_photos() {
    for name in ["astronaut.png", "camera.png", "chelsea.png", "coffee.png", "rocket.jpg"] {
        let scenes = splatbench_data::reference::load(&format!("shared:datasets/images/{name}"))
            .unwrap_or_else(|e| panic!("shared photo {name}: {e}"));
        let scene = &scenes[0];
        let mut method = Splart::new(SplartConfig { rounds: 40, ..SplartConfig::default() });
        let mut ctx = RunContext::new(Backend::Ndarray, 0);
        let t = Instant::now();
        let report = method.train(&scenes, &mut ctx).unwrap();
        let train_s = t.elapsed().as_secs_f64();
        let test = &scene.split("test")[0];
        let img = method.reconstruct(&[], &mut ctx).unwrap().render(&test.camera).unwrap();
        let mean = mean_colour_image(scene.split("train"), test.camera.width, test.camera.height);
        eprintln!(
            "| {name} | {}×{} | {:.2} / {:.3} | {:.2} / {:.3} | {} | {:.0} | {train_s:.1} |",
            test.camera.width,
            test.camera.height,
            psnr(&img, &test.image).unwrap(),
            ssim(&img, &test.image),
            psnr(&mean, &test.image).unwrap(),
            ssim(&mean, &test.image),
            report.stats["strokes"],
            report.stats["strokes_per_s"],
        );
    }
}
