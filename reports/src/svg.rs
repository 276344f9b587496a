//! Inline SVG line chart for loss curves (log-scale y), no script.

const W: f64 = 640.0;
const H: f64 = 260.0;
const PAD: f64 = 40.0;
const COLORS: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

pub fn loss_chart(series: &[(String, &[(usize, f64)])]) -> String {
    let pts = series.iter().flat_map(|(_, s)| s.iter()).filter(|p| p.1 > 0.0 && p.1.is_finite());
    let (mut x1, mut y0, mut y1) = (1.0f64, f64::INFINITY, f64::NEG_INFINITY);
    for &(x, y) in pts {
        x1 = x1.max(x as f64);
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
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{}\" class=\"chart\">",
        H + 18.0 * series.len() as f64
    );
    out += &format!(
        "<rect x=\"{PAD}\" y=\"{PAD}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
        W - 2.0 * PAD,
        H - 2.0 * PAD
    );
    out += &format!("<text x=\"{PAD}\" y=\"{}\" font-size=\"11\">loss {}</text>", PAD - 6.0, short(10f64.powf(y1)));
    out += &format!(
        "<text x=\"{PAD}\" y=\"{}\" font-size=\"11\">{}; step 0 … {x1}</text>",
        H - PAD + 14.0,
        short(10f64.powf(y0))
    );
    for (i, (name, s)) in series.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let d: Vec<String> = s
            .iter()
            .filter(|p| p.1 > 0.0 && p.1.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x as f64), sy(y)))
            .collect();
        out += &format!("<polyline fill=\"none\" stroke=\"{c}\" stroke-width=\"1.5\" points=\"{}\"/>", d.join(" "));
        out += &format!(
            "<text x=\"{PAD}\" y=\"{}\" font-size=\"11\" fill=\"{c}\">{}</text>",
            H + 12.0 + 18.0 * i as f64,
            crate::html::esc(name)
        );
    }
    out + "</svg>"
}

fn short(v: f64) -> String {
    if (0.01..1000.0).contains(&v.abs()) { format!("{v:.3}") } else { format!("{v:.2e}") }
}
