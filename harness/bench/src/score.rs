//! The scoring protocol, the same for every method: which views are scored, against what, and how they are
//! averaged.
//!
//! - Ground truth is the test image composited over the background its *scene* declares; every render is clamped
//!   to [0, 1] before any metric sees it.
//! - Feed-forward datasets name a conditioning view (see [`super::conditioning`]): `reconstruct` sees only that
//!   view, and it is scored apart from the novel views (`RunRecord::conditioning`), never taken for the references
//!   or the initial state. Per-scene methods see their scene's train split.
//! - Aggregates are per-object means, then the mean over objects (the SRN protocol); one scene is the plain mean.
//! - References scored on the same views: the mean colour of the inputs, and the method's initial state.

use super::store::Store;
use splatbench_core::{Error, Image, Reconstructor, Result, RunContext, Scene, View};
use splatbench_io::imageio::write_png;
use splatbench_metrics::reference::{MEAN_COLOUR_DESCRIPTION, filled, mean_colour};
use splatbench_metrics::{self as metrics, Lpips};
use splatbench_record::{ImageTriple, MEAN_COLOUR, Reference, RunRecord, ViewMetrics, embedded_view};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// What scoring needs besides the method and the scenes.
pub struct Scoring<'a> {
    /// Where images go (`images/<run id>/`).
    pub store: &'a Store,
    /// Where the reconstruction writes its artifacts.
    pub work: &'a Path,
    /// The conditioning view's name, for feed-forward datasets.
    pub conditioning: Option<&'a str>,
    pub lpips: &'a [Lpips],
}

/// Render time of the scored views (for `Timing::render_fps`).
pub struct Rendered {
    pub seconds: f64,
    pub count: usize,
}

impl Rendered {
    pub fn render_fps(&self) -> f64 {
        if self.seconds > 0.0 { self.count as f64 / self.seconds } else { 0.0 }
    }
}

/// A render as the metrics see it: RGB clamped to [0, 1], whatever range the method produced.
fn clamped(img: &Image) -> Image {
    Image { data: img.data.iter().map(|v| v.clamp(0.0, 1.0)).collect(), ..img.clone() }
}

impl Scoring<'_> {
    fn conditioning_view<'s>(&self, scene: &'s Scene) -> Option<&'s View> {
        self.conditioning.and_then(|c| scene.split("test").iter().find(|v| v.name == c))
    }

    /// Reconstruct each scene that has test views and score them into `rec`: views, conditioning views, images,
    /// artifacts, the method's stats, per-object aggregates, the initial state and the mean-colour reference.
    pub fn evaluate(
        &self,
        method: &dyn Reconstructor,
        scenes: &[Scene],
        rec: &mut RunRecord,
        ctx: &mut RunContext,
    ) -> Result<Rendered> {
        let lpips = self.lpips;
        let mut rendered = Rendered { seconds: 0.0, count: 0 };
        let mut initial_views = Vec::new();
        // Views scored as novel, for spacing the embedded thumbnails evenly over them.
        let n_novel: usize =
            scenes.iter().map(|s| s.split("test").len() - usize::from(self.conditioning_view(s).is_some())).sum();
        let mut view_index = 0usize;
        let mut reference =
            Reference { description: MEAN_COLOUR_DESCRIPTION.into(), views: vec![], aggregate: BTreeMap::new() };
        // Per object, the index ranges its views take in `rec.views` / `rec.conditioning`.
        let (mut novel_groups, mut cond_groups) = (Vec::new(), Vec::new());
        let mut reconstruct_s = 0.0;
        for scene in scenes.iter().filter(|s| !s.split("test").is_empty()) {
            let cond = self.conditioning_view(scene);
            let inputs = match cond {
                Some(v) => std::slice::from_ref(v),
                None if scene.split("train").is_empty() => scene.split("test"),
                None => scene.split("train"),
            };
            let (novel_start, cond_start) = (rec.views.len(), rec.conditioning.len());
            let t = Instant::now();
            let recon = method.reconstruct(inputs, ctx)?;
            reconstruct_s += t.elapsed().as_secs_f64();
            let initial = method.initial(inputs, ctx)?;
            let colour = mean_colour(inputs);
            for view in scene.split("test") {
                let t = Instant::now();
                let pred = clamped(&recon.render(&view.camera)?);
                rendered.seconds += t.elapsed().as_secs_f64();
                rendered.count += 1;
                let gt = view.image.to_rgb_over(scene.background);
                let name = if scenes.len() > 1 { format!("{}/{}", scene.name, view.name) } else { view.name.clone() };
                let scored = score(&name, &pred, &gt, view.mask.as_ref(), lpips)?;
                if cond.is_some_and(|c| c.name == view.name) {
                    rec.conditioning.push(scored);
                    continue;
                }
                rec.views.push(scored);
                let flat = filled(colour, gt.width, gt.height);
                reference.views.push(score(&name, &flat, &gt, view.mask.as_ref(), lpips)?);
                if let Some(init) = &initial {
                    let pred = clamped(&init.render(&view.camera)?);
                    initial_views.push(score(&name, &pred, &gt, view.mask.as_ref(), lpips)?);
                }
                if embedded_view(view_index, n_novel) {
                    rec.images.push(save_images(self.store, &rec.id, &name, &pred, &gt)?);
                } else {
                    rec.renders.push(save_render(self.store, &rec.id, &name, &pred)?);
                }
                view_index += 1;
            }
            for a in recon.artifacts(self.work)? {
                let rel = a.path.strip_prefix(&self.store.dir).unwrap_or(&a.path).display().to_string();
                rec.artifacts.push((rel, a.caption));
            }
            rec.stats.extend(recon.stats());
            novel_groups.push(novel_start..rec.views.len());
            cond_groups.push(cond_start..rec.conditioning.len());
        }
        rec.objects = novel_groups.len();
        if rec.objects > 0 {
            // Feed-forward methods build each object in `reconstruct` (per-scene ones return what `train` fitted).
            rec.stats.insert("reconstruct_s_per_object".into(), reconstruct_s / rec.objects as f64);
        }
        rec.aggregate = aggregate_objects(&rec.views, &novel_groups);
        rec.conditioning_aggregate = aggregate_objects(&rec.conditioning, &cond_groups);
        if !initial_views.is_empty() {
            rec.initial = aggregate_objects(&initial_views, &novel_groups);
        }
        reference.aggregate = aggregate_objects(&reference.views, &novel_groups);
        rec.references.insert(MEAN_COLOUR.into(), reference);
        Ok(rendered)
    }
}

fn score(
    name: &str,
    pred: &Image,
    gt: &Image,
    mask: Option<&splatbench_core::Mask>,
    lpips: &[Lpips],
) -> Result<ViewMetrics> {
    if (pred.width, pred.height) != (gt.width, gt.height) {
        return Err(Error::Failed(format!(
            "{name}: render is {}x{}, ground truth {}x{}",
            pred.width, pred.height, gt.width, gt.height
        )));
    }
    let mut notes = Vec::new();
    let mut vm = ViewMetrics { view: name.to_string(), ..Default::default() };
    vm.psnr = metrics::psnr(pred, gt);
    if vm.psnr.is_none() {
        notes.push("psnr: identical".to_string());
    }
    vm.ssim = Some(metrics::ssim(pred, gt));
    for l in lpips {
        match l.distance(pred, gt)? {
            Ok(d) => {
                vm.lpips.insert(l.net().name().to_string(), d);
            }
            Err(u) => notes.push(format!("lpips_{}: {u}", l.net())),
        }
    }
    if let Some(m) = mask {
        match metrics::psnr_masked(pred, gt, m) {
            Ok(v) => vm.psnr_masked = Some(v),
            Err(u) => notes.push(format!("psnr_masked: {u}")),
        }
        match metrics::ssim_masked(pred, gt, m) {
            Ok(v) => vm.ssim_masked = Some(v),
            Err(u) => notes.push(format!("ssim_masked: {u}")),
        }
    }
    vm.notes = notes.join("; ");
    Ok(vm)
}

/// [`aggregate`] of each object's views (`groups`: index ranges into `views`), then the mean over the objects that
/// define each metric (the SRN protocol); one object is the plain mean over its views.
pub fn aggregate_objects(views: &[ViewMetrics], groups: &[std::ops::Range<usize>]) -> BTreeMap<String, f64> {
    let per: Vec<BTreeMap<String, f64>> =
        groups.iter().filter(|g| !g.is_empty()).map(|g| aggregate(&views[g.clone()])).collect();
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for m in &per {
        for (k, v) in m {
            let e = sums.entry(k.clone()).or_default();
            e.0 += v;
            e.1 += 1.0;
        }
    }
    sums.into_iter().map(|(k, (s, n))| (k, s / n)).collect()
}

/// Mean over views of each metric, LPIPS as `lpips_<net>`; a metric no view defines is absent.
pub fn aggregate(views: &[ViewMetrics]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut put = |name: String, vals: Vec<f64>| {
        let vals: Vec<f64> = vals.into_iter().filter(|x| x.is_finite()).collect();
        if !vals.is_empty() {
            out.insert(name, vals.iter().sum::<f64>() / vals.len() as f64);
        }
    };
    let cols: [(&str, fn(&ViewMetrics) -> Option<f64>); 4] = [
        ("psnr", |v| v.psnr),
        ("ssim", |v| v.ssim),
        ("psnr_masked", |v| v.psnr_masked),
        ("ssim_masked", |v| v.ssim_masked),
    ];
    for (name, get) in cols {
        put(name.to_string(), views.iter().filter_map(get).collect());
    }
    let nets: std::collections::BTreeSet<&String> = views.iter().flat_map(|v| v.lpips.keys()).collect();
    for net in nets {
        put(format!("lpips_{net}"), views.iter().filter_map(|v| v.lpips.get(net).copied()).collect());
    }
    out
}

/// `images/<run id>/<view>_<what>.png`, relative to the bench directory.
fn image_path(id: &str, view: &str, what: &str) -> String {
    format!("images/{id}/{}_{what}.png", view.replace(['/', '\\'], "_"))
}

fn save_render(store: &Store, id: &str, view: &str, pred: &Image) -> Result<String> {
    let rel = image_path(id, view, "pred");
    write_png(&store.dir.join(&rel), pred)?;
    Ok(rel)
}

fn save_images(store: &Store, id: &str, view: &str, pred: &Image, gt: &Image) -> Result<ImageTriple> {
    let err = Image::from_fn(pred.width, pred.height, 3, |x, y, c| {
        let e: f32 = (0..3).map(|k| (pred.get(x, y, k) - gt.get(x, y, k)).abs()).sum::<f32>() / 3.0;
        heat(e * 4.0)[c as usize]
    });
    let rel = |s: &str| image_path(id, view, s);
    for (s, img) in [("pred", pred), ("gt", gt), ("error", &err)] {
        write_png(&store.dir.join(rel(s)), img)?;
    }
    Ok(ImageTriple { view: view.to_string(), pred: rel("pred"), gt: rel("gt"), error: rel("error") })
}

/// Black → red → yellow → white ramp for error maps.
fn heat(t: f32) -> [f32; 3] {
    let t = t.clamp(0.0, 1.0) * 3.0;
    [t.min(1.0), (t - 1.0).clamp(0.0, 1.0), (t - 2.0).clamp(0.0, 1.0)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm(psnr: f64) -> ViewMetrics {
        ViewMetrics { view: String::new(), psnr: Some(psnr), ..Default::default() }
    }

    #[test]
    fn objects_are_averaged_first_then_over_objects() {
        // Object A has 3 views at 10 dB, object B one view at 30 dB: per object 10 and 30, mean 20 (the plain
        // mean over views would be 15).
        let views = vec![vm(10.0), vm(10.0), vm(10.0), vm(30.0)];
        let agg = aggregate_objects(&views, &[0..3, 3..4]);
        assert!((agg["psnr"] - 20.0).abs() < 1e-12, "{agg:?}");
        assert_eq!(aggregate_objects(&views, std::slice::from_ref(&(0..4))), aggregate(&views));
        // An object without views (no conditioning view scored) does not count.
        assert!((aggregate_objects(&views, &[0..3, 3..3, 3..4])["psnr"] - 20.0).abs() < 1e-12);
    }
}
