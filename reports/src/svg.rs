//! Inline SVG charts, no script: line charts (log-scale y), a log-x scatter, stacked horizontal bars.

use std::collections::BTreeMap;

const W: f64 = 640.0;
const H: f64 = 260.0;
const PAD: f64 = 40.0;
pub const COLORS: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

/// One named polyline of (x, y) points.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

fn open(height: f64, class: &str) -> String {
    format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" class=\"{class}\">")
}

fn frame() -> String {
    format!(
        "<rect x=\"{PAD}\" y=\"{PAD}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
        W - 2.0 * PAD,
        H - 2.0 * PAD
    )
}

fn text(x: f64, y: f64, fill: &str, s: &str) -> String {
    format!("<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"11\" fill=\"{fill}\">{}</text>", esc(s))
}

/// Loss (log scale) against `x_label` (step or seconds), one line per series, legend below.
pub fn loss_chart(series: &[Series], x_label: &str) -> String {
    let pts = series.iter().flat_map(|s| s.points.iter()).filter(|p| p.1 > 0.0 && p.1.is_finite());
    let (mut x1, mut y0, mut y1) = (f64::MIN_POSITIVE, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in pts {
        x1 = x1.max(x);
        y0 = y0.min(y.log10());
        y1 = y1.max(y.log10());
    }
    if !y0.is_finite() {
        return String::new();
    }
    if y1 - y0 < 1e-6 {
        y1 = y0 + 1.0;
    }
    let sx = |x: f64| PAD + x / x1 * (W - 2.0 * PAD);
    let sy = |y: f64| H - PAD - (y.log10() - y0) / (y1 - y0) * (H - 2.0 * PAD);
    let mut out = open(H + 18.0 * series.len() as f64, "chart") + &frame();
    out += &text(PAD, PAD - 6.0, "#222", &format!("loss {}", short(10f64.powf(y1))));
    out += &text(PAD, H - PAD + 14.0, "#222", &format!("{}; {x_label} 0 … {}", short(10f64.powf(y0)), short(x1)));
    for (i, s) in series.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let d: Vec<String> = s
            .points
            .iter()
            .filter(|p| p.1 > 0.0 && p.1.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect();
        out += &format!("<polyline fill=\"none\" stroke=\"{c}\" stroke-width=\"1.5\" points=\"{}\"/>", d.join(" "));
        out += &text(PAD, H + 12.0 + 18.0 * i as f64, c, &s.name);
    }
    out + "</svg>"
}

/// One point of a scatter: its label (tooltip), its colour group, and (x, y).
pub struct Point {
    pub label: String,
    pub group: String,
    pub x: f64,
    pub y: f64,
}

/// `y_label` against `x_label` on a log-x axis, points coloured by group with a legend.
pub fn scatter(points: &[Point], x_label: &str, y_label: &str) -> String {
    let pts: Vec<&Point> = points.iter().filter(|p| p.x > 0.0 && p.x.is_finite() && p.y.is_finite()).collect();
    if pts.is_empty() {
        return String::new();
    }
    let lx = |x: f64| x.log10();
    let (mut x0, mut x1) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in &pts {
        (x0, x1) = (x0.min(lx(p.x)), x1.max(lx(p.x)));
        (y0, y1) = (y0.min(p.y), y1.max(p.y));
    }
    let (x0, x1) = if x1 - x0 < 1e-9 { (x0 - 0.5, x1 + 0.5) } else { (x0, x1) };
    let (y0, y1) = if y1 - y0 < 1e-9 { (y0 - 1.0, y1 + 1.0) } else { (y0, y1) };
    let sx = |x: f64| PAD + 10.0 + (lx(x) - x0) / (x1 - x0) * (W - 2.0 * PAD - 20.0);
    let sy = |y: f64| H - PAD - 10.0 - (y - y0) / (y1 - y0) * (H - 2.0 * PAD - 20.0);
    let groups: Vec<&str> = {
        let mut g: Vec<&str> = pts.iter().map(|p| p.group.as_str()).collect();
        g.sort();
        g.dedup();
        g
    };
    let mut out = open(H + 18.0 * groups.len() as f64, "scatter") + &frame();
    out += &text(PAD, PAD - 6.0, "#222", &format!("{y_label} {} … {}", short(y0), short(y1)));
    out += &text(
        PAD,
        H - PAD + 14.0,
        "#222",
        &format!("{x_label} (log) {} … {}", short(10f64.powf(x0)), short(10f64.powf(x1))),
    );
    for p in &pts {
        let c = COLORS[groups.iter().position(|g| *g == p.group).unwrap_or(0) % COLORS.len()];
        out += &format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{c}\" fill-opacity=\"0.8\"><title>{}</title></circle>",
            sx(p.x),
            sy(p.y),
            esc(&p.label)
        );
    }
    for (i, g) in groups.iter().enumerate() {
        out += &text(PAD, H + 12.0 + 18.0 * i as f64, COLORS[i % COLORS.len()], g);
    }
    out + "</svg>"
}

/// One stacked bar per row: seconds per named part, the parts in the order of `parts`, legend on top.
pub fn stacked_bars(rows: &[(String, BTreeMap<String, f64>)], parts: &[&str]) -> String {
    let total = |m: &BTreeMap<String, f64>| parts.iter().filter_map(|p| m.get(*p)).sum::<f64>();
    let max = rows.iter().map(|(_, m)| total(m)).fold(0.0f64, f64::max);
    if rows.is_empty() || max <= 0.0 {
        return String::new();
    }
    let (label_w, bar_h, top) = (260.0, 16.0, 24.0);
    let scale = (W - label_w - 60.0) / max;
    let mut out = open(top + rows.len() as f64 * (bar_h + 6.0) + 8.0, "phases");
    for (i, p) in parts.iter().enumerate() {
        let x = 4.0 + 110.0 * i as f64;
        out += &format!("<rect x=\"{x}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\"/>", COLORS[i % COLORS.len()]);
        out += &text(x + 14.0, 13.0, "#222", p);
    }
    for (r, (name, m)) in rows.iter().enumerate() {
        let y = top + r as f64 * (bar_h + 6.0);
        out += &text(4.0, y + 12.0, "#222", name);
        let mut x = label_w;
        for (i, p) in parts.iter().enumerate() {
            let Some(&s) = m.get(*p) else { continue };
            let w = s * scale;
            out += &format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{bar_h}\" fill=\"{}\"><title>{p}: {} s</title></rect>",
                COLORS[i % COLORS.len()],
                short(s)
            );
            x += w;
        }
        out += &text(x + 4.0, y + 12.0, "#222", &format!("{} s", short(total(m))));
    }
    out + "</svg>"
}

fn short(v: f64) -> String {
    if v == 0.0 || (0.01..1000.0).contains(&v.abs()) { format!("{v:.3}") } else { format!("{v:.2e}") }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
