//! Inline SVG charts, drawn with plotters' SVG backend into a string: loss against step or wall time (log-scale
//! y), one point per run on a log-x scatter, stacked horizontal bars. Each chart comes back as markup, wrapped in a
//! `<div>` whose class names the kind (`chart`, `scatter`, `phases`), since plotters' `<svg>` has no class.
//!
//! plotters is built without its `ttf` feature: the SVG backend writes `<text>` elements and the browser picks
//! the font, while plotters places labels from its own estimate of text width. That needs no font files (nothing
//! to find or fetch offline, no font-kit or fontconfig in the build); a label may sit a few pixels off.
//!
//! Legends are drawn under the plot rather than with plotters' series-label box, which would sit over the
//! lines. plotters cannot attach `<title>` tooltips to elements, so what a point or a bar segment is goes into
//! the legend, the axes, or (for the scatter) a table the caller writes beside the chart.

use maud::{Markup, PreEscaped, html};
use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;

const W: u32 = 640;
const H: u32 = 260;
/// Height of one legend entry, and the left edge of the legends, in pixels.
const ROW: u32 = 18;
const LEFT: i32 = 40;
const FONT: &str = "sans-serif";
/// plotters sizes fonts in points and writes `font-size` as pixels at 1/1.24 of that: 15 comes out near 12 px.
const TEXT: u32 = 15;

const COLORS: [RGBColor; 8] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
];

fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

/// One named polyline of (x, y) points.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// One point of a scatter: its colour group and (x, y).
pub struct Point {
    pub group: String,
    pub x: f64,
    pub y: f64,
}

/// `draw` on a `W`×`height` canvas, as `<div class=class><svg>…</svg></div>`. A chart plotters refuses to draw
/// says so in its place rather than leaving a broken `<svg>` in the page.
fn render(height: u32, class: &str, draw: impl FnOnce(&Area) -> Drawn) -> Markup {
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, (W, height)).into_drawing_area();
        draw(&root).and_then(|()| Ok(root.present()?))
    };
    match drawn {
        Ok(()) => html! { div class=(class) { (PreEscaped(svg)) } },
        Err(e) => html! { p { em { "chart not drawn: " (e.to_string()) } } },
    }
}

/// Labels at the legends' size; a faint grid, since a log axis draws a light line per sub-decade step.
fn style<'m, 'a, 'b, 's, X: Ranged, Y: Ranged>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, SVGBackend<'s>>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, SVGBackend<'s>> {
    mesh.label_style((FONT, TEXT))
        .axis_desc_style((FONT, TEXT))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.03))
}

/// A colour key per name: one per row, or side by side in columns of `column` pixels when `column` is set.
fn legend(area: &Area, names: &[&str], column: Option<i32>) -> Drawn {
    for (i, name) in names.iter().enumerate() {
        let (x, y) = match column {
            Some(w) => (4 + w * i as i32, 4),
            None => (LEFT, 4 + (ROW as i32) * i as i32),
        };
        area.draw(&Rectangle::new([(x, y), (x + 10, y + 10)], color(i).filled()))?;
        area.draw_text(name, &(FONT, TEXT).into_font().color(&color(i)), (x + 14, y))?;
    }
    Ok(())
}

/// Loss (log scale) against `x_label` (step or seconds), one line per series, legend below.
pub fn loss_chart(series: &[Series], x_label: &str) -> Markup {
    let valid = |p: &&(f64, f64)| p.0.is_finite() && p.1 > 0.0 && p.1.is_finite();
    let (mut x1, mut y0, mut y1) = (f64::MIN_POSITIVE, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in series.iter().flat_map(|s| s.points.iter().filter(valid)) {
        (x1, y0, y1) = (x1.max(x), y0.min(y), y1.max(y));
    }
    if !y0.is_finite() {
        return html! {};
    }
    // A flat curve still needs a decade of axis to draw on.
    let (y0, y1) = if y1 / y0 < 1.0 + 1e-6 { (y0 / 3.0, y1 * 3.0) } else { (y0, y1) };
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    render(H + ROW * series.len() as u32, "chart", |root| {
        let (plot, below) = root.split_vertically(H);
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..x1, (y0..y1).log_scale())?;
        style(&mut chart.configure_mesh())
            .x_desc(x_label)
            .y_desc("loss")
            .y_labels(6)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .draw()?;
        for (i, s) in series.iter().enumerate() {
            chart.draw_series(LineSeries::new(s.points.iter().filter(valid).copied(), color(i).stroke_width(2)))?;
        }
        legend(&below, &names, None)
    })
}

/// `y_label` against `x_label` on a log-x axis, points coloured by group with a legend below.
pub fn scatter(points: &[Point], x_label: &str, y_label: &str) -> Markup {
    let pts: Vec<&Point> = points.iter().filter(|p| p.x > 0.0 && p.x.is_finite() && p.y.is_finite()).collect();
    if pts.is_empty() {
        return html! {};
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in &pts {
        (x0, x1, y0, y1) = (x0.min(p.x), x1.max(p.x), y0.min(p.y), y1.max(p.y));
    }
    // Margins so that no point sits on the frame: a quarter decade in x, a tenth of the span (or 1 dB) in y.
    let (x0, x1) = (x0 / 10f64.powf(0.25), x1 * 10f64.powf(0.25));
    let dy = if y1 - y0 < 1e-9 { 1.0 } else { (y1 - y0) / 10.0 };
    let mut groups: Vec<&str> = pts.iter().map(|p| p.group.as_str()).collect();
    groups.sort();
    groups.dedup();
    render(H + ROW * groups.len() as u32, "scatter", |root| {
        let (plot, below) = root.split_vertically(H);
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d((x0..x1).log_scale(), y0 - dy..y1 + dy)?;
        style(&mut chart.configure_mesh())
            .x_desc(format!("{x_label} (log)"))
            .y_desc(y_label)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .draw()?;
        chart.draw_series(pts.iter().map(|p| {
            let g = groups.iter().position(|g| *g == p.group).unwrap_or(0);
            Circle::new((p.x, p.y), 4, color(g).mix(0.8).filled())
        }))?;
        legend(&below, &groups, None)
    })
}

/// One stacked bar per row (top to bottom in the order given): seconds per named part, the parts in the order
/// of `parts`, each bar's total at its end, legend on top.
pub fn stacked_bars(rows: &[(String, BTreeMap<String, f64>)], parts: &[&str]) -> Markup {
    let total = |m: &BTreeMap<String, f64>| parts.iter().filter_map(|p| m.get(*p)).sum::<f64>();
    let max = rows.iter().map(|(_, m)| total(m)).fold(0.0f64, f64::max);
    if rows.is_empty() || max <= 0.0 {
        return html! {};
    }
    let n = rows.len();
    // plotters counts segments from the bottom; the first row goes on top.
    let segment = |r: usize| n - 1 - r;
    let plot_h = 60 + 22 * n as u32;
    render(ROW + plot_h, "phases", |root| {
        let (key, plot) = root.split_vertically(ROW);
        legend(&key, parts, Some(110))?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(260)
            .build_cartesian_2d(0.0..max * 1.15, (0..n).into_segmented())?;
        let row_label = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(s) if *s < n => rows[segment(*s)].0.clone(),
            _ => String::new(),
        };
        style(&mut chart.configure_mesh())
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&row_label)
            .x_desc("seconds")
            .x_label_formatter(&|v| tick(*v))
            .draw()?;
        for (i, p) in parts.iter().enumerate() {
            chart.draw_series(rows.iter().enumerate().filter_map(|(r, (_, m))| {
                let s = *m.get(*p)?;
                let start: f64 = parts[..i].iter().filter_map(|q| m.get(*q)).sum();
                let band = (SegmentValue::Exact(segment(r)), SegmentValue::Exact(segment(r) + 1));
                let mut bar = Rectangle::new([(start, band.0), (start + s, band.1)], color(i).filled());
                bar.set_margin(3, 3, 0, 0);
                Some(bar)
            }))?;
        }
        let label = (FONT, TEXT).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
        chart.draw_series(rows.iter().enumerate().map(|(r, (_, m))| {
            let at = (total(m) + max * 0.01, SegmentValue::CenterOf(segment(r)));
            Text::new(format!("{} s", short(total(m))), at, label.clone())
        }))?;
        Ok(())
    })
}

/// An axis tick: three significant digits at most, no trailing zeros.
fn tick(v: f64) -> String {
    if v == 0.0 || (0.01..1e4).contains(&v.abs()) {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.1e}")
    }
}

/// A value printed beside a bar, as the tables print seconds.
fn short(v: f64) -> String {
    if v == 0.0 || (0.01..1000.0).contains(&v.abs()) { format!("{v:.3}") } else { format!("{v:.2e}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_wrapped_svg_with_escaped_labels_and_nothing_without_data() {
        let series = [Series { name: "a<b".into(), points: vec![(0.0, 1.0), (10.0, 0.1)] }];
        let chart = loss_chart(&series, "step").into_string();
        assert!(chart.starts_with("<div class=\"chart\"><svg") && chart.ends_with("</svg>\n</div>"), "{chart}");
        assert!(chart.contains("a&lt;b") && chart.contains("<polyline"), "{chart}");
        let flat = [Series { name: "x".into(), points: vec![(0.0, 0.0), (1.0, f64::NAN)] }];
        assert_eq!(loss_chart(&flat, "step").into_string(), "");

        let rows = [("run".to_string(), BTreeMap::from([("data".to_string(), 0.5), ("forward".to_string(), 1.0)]))];
        let bars = stacked_bars(&rows, &["data", "forward", "backward"]).into_string();
        assert!(bars.starts_with("<div class=\"phases\"><svg") && bars.contains("1.500 s"), "{bars}");
        assert_eq!(stacked_bars(&[], &["data"]).into_string(), "");

        let points = [Point { group: "m on ndarray".into(), x: 2.0, y: 20.0 }];
        let scatter = scatter(&points, "training seconds", "PSNR dB").into_string();
        assert!(scatter.starts_with("<div class=\"scatter\"><svg") && scatter.contains("<circle"), "{scatter}");
        assert!(scatter.contains("training seconds (log)") && scatter.contains("PSNR dB"), "{scatter}");
    }

    #[test]
    fn ticks_drop_trailing_zeros() {
        assert_eq!([tick(0.0), tick(0.5), tick(20.0), tick(1.25), tick(1e-4)], ["0", "0.5", "20", "1.25", "1.0e-4"]);
    }
}
