//! Images: for each ablation entry the same test views side by side (ground truth, control, each variant; all at
//! one size, with each view's PSNR/SSIM/LPIPS under its image), the error maps with their colour bar, and a slider
//! that compares any two of them; then every run's test views as thumbnails.

use crate::ablation::Entry;
use crate::format::Col;
use crate::images::Images;
use crate::ok;
use crate::page::Page;
use crate::stats::Group;
use maud::{Markup, html};
use splatbench_record::{RunRecord, ViewMetrics};
use std::path::Path;

/// Views per entry shown side by side (each costs an image per variant).
const COMPARED_VIEWS: usize = 3;

/// The mean |error| over RGB that the bench's error maps show as white: it writes `heat(4 · e)`, a
/// black → red → yellow → white ramp over [0, 1] (harness/bench/src/score.rs), so the ramp spans e = 0 … 0.25.
const ERROR_FULL_SCALE: f64 = 0.25;

/// The entry's views side by side, on its first backend whose control has images, at the control's first seed.
pub fn compare(page: &mut Page, e: &Entry, images: &mut Images) {
    let with_images = |r: &&RunRecord| r.spec.variant == e.control && !r.images.is_empty();
    let Some(control) = e.runs.iter().copied().filter(with_images).min_by_key(|r| (r.spec.backend.name(), r.spec.seed))
    else {
        return;
    };
    let (backend, seed) = (control.spec.backend, control.spec.seed);
    let variants = Group::by(
        e.runs
            .iter()
            .copied()
            .filter(|r| r.spec.backend == backend && r.spec.seed == seed && r.spec.variant != e.control),
        |r| r.spec.variant.clone(),
    );
    page.h4(&format!("Images: {} seed {seed}, the same views for every variant", backend.name()));
    for view in control.images.iter().take(COMPARED_VIEWS) {
        let gt = Side { name: "ground truth".into(), rel: &view.gt, error: None, metrics: None };
        let mut sides = vec![gt, Side::of(&format!("control: {}", e.control), control, &view.view)];
        for (v, runs) in &variants {
            if runs[0].images.iter().any(|t| t.view == view.view) {
                sides.push(Side::of(v, runs[0], &view.view));
            }
        }
        let markup = comparison(&view.view, &sides, images);
        page.push(markup);
    }
}

/// One image of a comparison: its name, file, error map, and the view's metrics in its run.
struct Side<'a> {
    name: String,
    rel: &'a str,
    error: Option<&'a str>,
    metrics: Option<&'a ViewMetrics>,
}

impl<'a> Side<'a> {
    fn of(name: &str, r: &'a RunRecord, view: &str) -> Side<'a> {
        let t = r.images.iter().find(|t| t.view == view).expect("the caller checked the view");
        let metrics = r.views.iter().find(|m| m.view == view);
        Side { name: name.to_string(), rel: &t.pred, error: Some(&t.error), metrics }
    }
}

/// `PSNR 23.45 dB · SSIM 0.8123 · LPIPS-vgg 0.1234` for one view, at the tables' digits.
fn metrics_line(m: &ViewMetrics) -> String {
    let mut parts = Vec::new();
    if let Some(v) = m.psnr {
        parts.push(format!("PSNR {} dB", Col::metric("psnr").fmt(v)));
    }
    if let Some(v) = m.ssim {
        parts.push(format!("SSIM {}", Col::metric("ssim").fmt(v)));
    }
    for (net, v) in &m.lpips {
        let c = Col::metric(&format!("lpips_{net}"));
        parts.push(format!("{} {}", c.label, c.fmt(*v)));
    }
    parts.join(" · ")
}

fn comparison(view: &str, sides: &[Side], images: &mut Images) -> Markup {
    // The slider starts with the first variant (or the control) on the left and the control on the right.
    let left = if sides.len() > 2 { 2 } else { 0 };
    let errors: Vec<(&str, String)> =
        sides.iter().filter_map(|s| Some((s.error?, format!("{} error map", s.name)))).collect();
    // One group: embedded together or lazily loaded together, so all of them keep one natural size.
    let items: Vec<(&str, &str)> =
        sides.iter().map(|s| (s.rel, s.name.as_str())).chain(errors.iter().map(|(r, a)| (*r, a.as_str()))).collect();
    let mut imgs = images.imgs(&items).into_iter();
    let mut next = || imgs.next().expect("one image per item");
    html! {
        div.compare {
            p { "view " strong { (view) } }
            div.grid {
                @for (i, s) in sides.iter().enumerate() {
                    figure data-key=(i) {
                        (next())
                        figcaption { strong { (s.name) } @if let Some(m) = s.metrics { br; (metrics_line(m)) } }
                    }
                }
            }
            div.grid {
                @for s in sides.iter().filter(|s| s.error.is_some()) {
                    figure {
                        (next())
                        figcaption { (s.name) " |error|" }
                    }
                }
            }
            (colour_bar())
            div.pick {
                "compare "
                select aria-label="left image" { @for (i, s) in sides.iter().enumerate() { option value=(i) selected[i == left] { (s.name) } } }
                " (left) with "
                select aria-label="right image" { @for (i, s) in sides.iter().enumerate() { option value=(i) selected[i == 1] { (s.name) } } }
                " (right)"
                input type="range" min="0" max="100" value="50" aria-label="slider position";
            }
            div.slider { img alt="right image"; div.top { img alt="left image"; } }
        }
    }
}

/// The error maps' scale: the ramp the bench draws them with, labelled in mean |error| over RGB.
fn colour_bar() -> Markup {
    let ticks: Vec<String> = (0..4).map(|k| format!("{:.3}", ERROR_FULL_SCALE * k as f64 / 3.0)).collect();
    html! {
        div.colorbar {
            div.ramp {}
            div.ticks { @for (k, t) in ticks.iter().enumerate() { span { @if k == 3 { "≥ " } (t) } } }
            "error maps: mean |prediction − ground truth| over RGB, images in [0, 1]; one scale for every map"
        }
    }
}

pub fn thumbnails(page: &mut Page, records: &[RunRecord], images: &mut Images) {
    let with: Vec<_> = ok(records).filter(|r| !r.images.is_empty() || !r.artifacts.is_empty()).collect();
    if with.is_empty() {
        return;
    }
    page.section("Test views of every run (click to enlarge)", false);
    for r in with {
        let figures: Vec<_> =
            r.artifacts.iter().filter(|(p, _)| [".png", ".gif", ".svg"].iter().any(|e| p.ends_with(e))).collect();
        let markup = html! {
            h4 { (r.id) }
            div.grid.thumbs {
                @for t in &r.images {
                    figure { (images.thumb(&t.pred, &t.view)) figcaption { (t.view) } }
                }
            }
            @if !r.renders.is_empty() {
                details {
                    summary { (r.renders.len()) " more test views (files)" }
                    p { @for (i, p) in r.renders.iter().enumerate() { @if i > 0 { " " } a href=(p) { (file_stem(p)) } } }
                }
            }
            @if !figures.is_empty() {
                div.grid { @for (rel, cap) in &figures { (images.figure(rel, cap, html! { (cap) })) } }
            }
        };
        page.push(markup);
    }
}

fn file_stem(p: &str) -> &str {
    Path::new(p).file_stem().and_then(|s| s.to_str()).unwrap_or(p)
}
