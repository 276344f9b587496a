//! `splatbench inspect <path> [--json]`: load a dataset and print what it holds — splits, view counts, image
//! sizes, camera models and distortion, sparse points, masks and depth. Loading is the check: a bad file
//! fails here with the same one-line error (exit code 2) a benchmark run would give.

use serde::Serialize;
use splatbench_core::{Result, Scene};
use splatbench_data::{Format, detect, load_scene, load_srn};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Dataset directory: SRN root or object, COLMAP scene or model, Blender or nerfstudio scene.
    pub path: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Report {
    path: PathBuf,
    format: String,
    /// How the test views are chosen.
    split_rule: String,
    scenes: Vec<SceneSummary>,
}

#[derive(Serialize)]
struct SceneSummary {
    name: String,
    background: [f32; 3],
    /// Sparse points, when the dataset has them.
    points: Option<usize>,
    splits: BTreeMap<String, SplitSummary>,
}

#[derive(Serialize, Default)]
struct SplitSummary {
    views: usize,
    /// "W×H" → number of views.
    image_sizes: BTreeMap<String, usize>,
    /// Image channels (3 = RGB, 4 = RGBA) → number of views.
    channels: BTreeMap<u32, usize>,
    /// Camera model with distortion coefficients → number of views.
    cameras: BTreeMap<String, usize>,
    /// Range of fx over the split.
    fx_range: [f64; 2],
    with_mask: usize,
    with_depth: usize,
}

pub fn run(args: Args) -> Result<()> {
    let format = detect(&args.path);
    let scenes = match format {
        Some(Format::SrnRoot) => load_srn(&args.path)?,
        _ => vec![load_scene(&args.path)?],
    };
    let report = Report {
        path: args.path.clone(),
        format: format.map_or_else(|| "unknown".into(), |f| format!("{f:?}")),
        split_rule: splatbench_data::split::split_rule(&args.path),
        scenes: scenes.iter().map(summarize).collect(),
    };
    if args.json {
        splatbench_io::say!("{}", serde_json::to_string_pretty(&report).expect("the report serializes"));
    } else {
        print_text(&report);
    }
    Ok(())
}

fn summarize(scene: &Scene) -> SceneSummary {
    let splits = scene
        .splits
        .iter()
        .map(|(name, views)| {
            let mut s =
                SplitSummary { views: views.len(), fx_range: [f64::INFINITY, f64::NEG_INFINITY], ..Default::default() };
            for v in views {
                *s.image_sizes.entry(format!("{}×{}", v.image.width, v.image.height)).or_default() += 1;
                *s.channels.entry(v.image.channels).or_default() += 1;
                let model = match &v.camera.distortion {
                    None => "pinhole".to_string(),
                    Some(d) => format!("{} {:?}", d.model, d.params),
                };
                *s.cameras.entry(model).or_default() += 1;
                s.fx_range = [s.fx_range[0].min(v.camera.fx), s.fx_range[1].max(v.camera.fx)];
                s.with_mask += v.mask.is_some() as usize;
                s.with_depth += v.depth.is_some() as usize;
            }
            (name.clone(), s)
        })
        .collect();
    SceneSummary {
        name: scene.name.clone(),
        background: scene.background,
        points: scene.points.as_ref().map(|p| p.positions.len()),
        splits,
    }
}

fn print_text(r: &Report) {
    let views: usize = r.scenes.iter().flat_map(|s| s.splits.values()).map(|s| s.views).sum();
    splatbench_io::say!("{}: {} ({} scene(s), {views} views)", r.path.display(), r.format, r.scenes.len());
    let count = |split: &str| r.scenes.iter().filter_map(|s| s.splits.get(split)).map(|s| s.views).sum::<usize>();
    splatbench_io::say!("test split: {} ({} train, {} test views)", r.split_rule, count("train"), count("test"));
    for s in &r.scenes {
        let points = s.points.map_or("none".to_string(), |n| n.to_string());
        splatbench_io::say!("scene {}  background {:?}  points3D {points}", s.name, s.background);
        for (name, sp) in &s.splits {
            let join =
                |m: &BTreeMap<String, usize>| m.iter().map(|(k, n)| format!("{k} ×{n}")).collect::<Vec<_>>().join(", ");
            let channels: Vec<String> = sp.channels.iter().map(|(c, n)| format!("{c}ch ×{n}")).collect();
            splatbench_io::say!(
                "  {name:<6} {:>4} views  sizes [{}]  {}  camera [{}]  fx {:.3}..{:.3}  masks {}/{}  depth {}/{}",
                sp.views,
                join(&sp.image_sizes),
                channels.join(", "),
                join(&sp.cameras),
                sp.fx_range[0],
                sp.fx_range[1],
                sp.with_mask,
                sp.views,
                sp.with_depth,
                sp.views
            );
        }
    }
}
