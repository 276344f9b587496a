//! Inline SVG charts written element by element through maud (so every label is escaped): lines or points per
//! series, tick labels as `<text>` in the DOM, a `<title>` on each point naming its run and value, and an HTML
//! legend whose buttons show and hide a series (the page's script toggles `[data-series]` groups).
//!
//! An axis is linear unless its data spans more than a decade, then logarithmic; either way it has at least three
//! labelled ticks at 1-2-5 steps, printed with just enough digits that no two ticks read the same.

use maud::{Markup, html};

const W: f64 = 640.0;
const H: f64 = 300.0;
/// Plot area inside the canvas: room on the left for y ticks and label, below for x ticks and label.
const LEFT: f64 = 70.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 46.0;
/// Points per line that get a marker and a tooltip; a long loss curve keeps every point in its line.
const MARKED: usize = 60;

const COLORS: [&str; 10] =
    ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];

pub fn color(i: usize) -> &'static str {
    COLORS[i % COLORS.len()]
}

/// One point and its tooltip (which run, what value).
pub struct Pt {
    pub x: f64,
    pub y: f64,
    pub title: String,
}

pub struct Series {
    pub name: String,
    pub points: Vec<Pt>,
}

/// A chart: series drawn as lines (`lines`) or as points.
pub struct Chart<'a> {
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub lines: bool,
    pub series: Vec<Series>,
}

/// One axis: its (possibly widened) range, whether it is logarithmic, its ticks and their labels.
#[derive(Debug)]
pub struct Axis {
    lo: f64,
    hi: f64,
    pub log: bool,
    pub ticks: Vec<(f64, String)>,
}

impl Axis {
    /// The axis for `values` (non-finite ones, and non-positive ones on a log axis, are left out by the caller);
    /// `None` when there is nothing to plot.
    ///
    /// With the data range widened by `pad` of its span on each side (of its decades on a log axis), so that no
    /// point sits on the frame.
    pub fn fit_padded(values: &[f64], pad: f64) -> Option<Axis> {
        let (lo, hi) = values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        if !lo.is_finite() {
            return None;
        }
        if lo > 0.0 && hi / lo > 10.0 {
            let f = (hi / lo).powf(pad);
            Some(Axis::log(lo / f, hi * f))
        } else {
            Some(Axis::linear(lo - pad * (hi - lo), hi + pad * (hi - lo)))
        }
    }

    fn linear(lo: f64, hi: f64) -> Axis {
        // A flat series still needs a span to draw on: 5 % of its value, or 1 around zero.
        let (lo, hi) = if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
            (lo - pad, hi + pad)
        } else {
            (lo, hi)
        };
        // The smallest 1-2-5 step of at least a quarter of the span is at most 2.5 × that quarter, so the span
        // covers 1.6 steps and the ticks around it at least 3.
        let raw = (hi - lo) / 4.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step =
            [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * mag);
        let (first, last) = ((lo / step).floor() as i64, (hi / step).ceil() as i64);
        let decimals = (-(step.log10().floor()) as i32).max(0) as usize;
        let ticks: Vec<(f64, String)> = (first..=last)
            .map(|k| {
                let v = k as f64 * step;
                // -0.00 reads as a different tick from 0.00.
                let label = format!("{:.*}", decimals, if v.abs() < step / 2.0 { 0.0 } else { v });
                (v, label)
            })
            .collect();
        Axis { lo: first as f64 * step, hi: last as f64 * step, log: false, ticks }
    }

    fn log(lo: f64, hi: f64) -> Axis {
        let candidates = |mantissas: &[f64]| -> Vec<f64> {
            let (k0, k1) = (lo.log10().floor() as i32 - 1, hi.log10().ceil() as i32 + 1);
            (k0..=k1).flat_map(|k| mantissas.iter().map(move |m| m * 10f64.powi(k))).collect()
        };
        let within = |c: Vec<f64>| -> Vec<f64> {
            let a = c.iter().copied().filter(|v| *v <= lo * (1.0 + 1e-9)).fold(f64::NAN, f64::max);
            let b = c.iter().copied().filter(|v| *v >= hi * (1.0 - 1e-9)).fold(f64::NAN, f64::min);
            c.into_iter().filter(|v| *v >= a && *v <= b).collect()
        };
        // 1-2-5 ticks over a decade or two; over more, the powers of ten alone (more than a decade of data
        // always spans at least three of them once widened to the enclosing powers).
        let mut ticks = within(candidates(&[1.0, 2.0, 5.0]));
        if ticks.len() > 10 {
            ticks = within(candidates(&[1.0]));
        }
        let label = |v: f64| {
            if (1e-3..1e5).contains(&v) {
                format!("{:.*}", (-(v.log10().floor()) as i32).max(0) as usize, v)
            } else {
                format!("{v:.0e}")
            }
        };
        Axis {
            lo: ticks[0],
            hi: *ticks.last().expect("ticks"),
            log: true,
            ticks: ticks.into_iter().map(|v| (v, label(v))).collect(),
        }
    }

    /// Position of `v` along the axis, 0 at `lo` to 1 at `hi`.
    fn frac(&self, v: f64) -> f64 {
        if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }
}

/// The chart as `<div class="chart"><svg>…</svg><div class="legend">…</div></div>`; nothing when no point
/// can be drawn.
pub fn chart(c: &Chart) -> Markup {
    let xs: Vec<f64> = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.x)).filter(|v| v.is_finite()).collect();
    let ys: Vec<f64> = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.y)).filter(|v| v.is_finite()).collect();
    // Points get a margin from the frame; a line may start and end on it.
    let pad = if c.lines { 0.0 } else { 0.05 };
    let (Some(xa), Some(ya)) = (Axis::fit_padded(&xs, pad), Axis::fit_padded(&ys, pad)) else {
        return html! {};
    };
    // A log axis cannot place a value ≤ 0; such a point is left out of the drawing.
    let drawable = |p: &Pt| p.x.is_finite() && p.y.is_finite() && (!xa.log || p.x > 0.0) && (!ya.log || p.y > 0.0);
    let px = |x: f64| LEFT + xa.frac(x) * (W - LEFT - RIGHT);
    let py = |y: f64| H - BOTTOM - ya.frac(y) * (H - TOP - BOTTOM);
    let scale = |a: &Axis| if a.log { " (log scale)" } else { "" };
    html! {
        div.chart {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (W) " " (H) } width=(W) height=(H)
                role="img" aria-label={ (c.y_label) " against " (c.x_label) } font-family="sans-serif" font-size="12" {
                rect x=(LEFT) y=(TOP) width=(W - LEFT - RIGHT) height=(H - TOP - BOTTOM) fill="none" stroke="#999" {}
                @for (v, label) in &ya.ticks {
                    line x1=(LEFT) x2=(W - RIGHT) y1=(r(py(*v))) y2=(r(py(*v))) stroke="#000" stroke-opacity="0.1" {}
                    text.ytick x=(LEFT - 6.0) y=(r(py(*v) + 4.0)) text-anchor="end" { (label) }
                }
                @for (v, label) in &xa.ticks {
                    line x1=(r(px(*v))) x2=(r(px(*v))) y1=(TOP) y2=(H - BOTTOM) stroke="#000" stroke-opacity="0.1" {}
                    text.xtick x=(r(px(*v))) y=(H - BOTTOM + 16.0) text-anchor="middle" { (label) }
                }
                text x=(LEFT + (W - LEFT - RIGHT) / 2.0) y=(H - 8.0) text-anchor="middle" { (c.x_label) (scale(&xa)) }
                text x="14" y=(TOP + (H - TOP - BOTTOM) / 2.0) text-anchor="middle"
                    transform={ "rotate(-90 14 " (TOP + (H - TOP - BOTTOM) / 2.0) ")" } { (c.y_label) (scale(&ya)) }
                @for (i, s) in c.series.iter().enumerate() {
                    @let pts: Vec<&Pt> = s.points.iter().filter(|p| drawable(p)).collect();
                    @let every = pts.len().div_ceil(MARKED).max(1);
                    g data-series=(i) fill=(color(i)) stroke=(color(i)) {
                        @if c.lines {
                            polyline fill="none" stroke-width="2"
                                points=(pts.iter().map(|p| format!("{},{}", r(px(p.x)), r(py(p.y)))).collect::<Vec<_>>().join(" ")) {
                                title { (s.name) }
                            }
                        }
                        @for (k, p) in pts.iter().enumerate() {
                            @if !c.lines || k % every == 0 || k + 1 == pts.len() {
                                circle cx=(r(px(p.x))) cy=(r(py(p.y))) r=(if c.lines { 2.5 } else { 4.5 }) fill-opacity="0.8" {
                                    title { (p.title) }
                                }
                            }
                        }
                    }
                }
            }
            div.legend {
                @for (i, s) in c.series.iter().enumerate() {
                    button type="button" data-series=(i) title="show or hide" { i style={ "background:" (color(i)) } {} (s.name) }
                }
            }
        }
    }
}

/// A coordinate at 0.1 px.
fn r(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(values: &[f64]) -> (bool, Vec<String>) {
        let a = Axis::fit_padded(values, 0.0).unwrap();
        (a.log, a.ticks.into_iter().map(|t| t.1).collect())
    }

    #[test]
    fn axes_have_three_distinct_ticks_and_go_log_only_past_a_decade() {
        for values in [
            &[20.0, 20.5][..],
            &[20.0][..],
            &[0.0][..],
            &[0.81, 0.8101][..],
            &[-3.0, 2.0][..],
            &[1.0, 9.9][..],
            &[1.0, 10.5][..],
            &[0.003, 0.5][..],
            &[1e-6, 1.0][..],
            &[0.5, 1500.0][..],
            &[12345.0, 12346.0][..],
        ] {
            let (log, l) = labels(values);
            assert!(l.len() >= 3, "{values:?}: {l:?}");
            let mut d = l.clone();
            d.dedup();
            assert_eq!(d.len(), l.len(), "{values:?}: duplicate labels {l:?}");
            let span =
                values.iter().cloned().fold(f64::MIN, f64::max) / values.iter().cloned().fold(f64::MAX, f64::min);
            assert_eq!(log, values[0] > 0.0 && span > 10.0, "{values:?}");
        }
        assert_eq!(labels(&[20.0, 20.5]).1, ["20.0", "20.2", "20.4", "20.6"]);
        assert_eq!(labels(&[0.003, 0.5]).1, ["0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5"]);
    }

    #[test]
    fn charts_carry_ticks_titles_and_a_legend_all_escaped() {
        let s = |name: &str, y: f64| Series {
            name: name.into(),
            points: vec![Pt { x: 1.0, y, title: format!("{name}: {y}") }, Pt { x: 2.0, y: y + 1.0, title: "b".into() }],
        };
        let c =
            Chart { x_label: "seconds", y_label: "PSNR dB", lines: false, series: vec![s("a<b", 20.0), s("c", 21.0)] };
        let m = chart(&c).into_string();
        assert!(m.starts_with("<div class=\"chart\"><svg"), "{m}");
        assert!(m.matches("class=\"ytick\"").count() >= 3, "{m}");
        assert!(m.contains("<title>a&lt;b: 20</title>") && m.contains("data-series=\"1\""), "{m}");
        assert!(m.contains("<button type=\"button\" data-series=\"0\""), "{m}");
        let empty = Chart { x_label: "x", y_label: "y", lines: true, series: vec![] };
        assert_eq!(chart(&empty).into_string(), "");
    }
}
