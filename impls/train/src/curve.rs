//! The loss curve across a resume. A resumed run's `RunContext` starts empty, but its record must hold the whole
//! curve (a resumed run's record equals an uninterrupted one's). So at every checkpoint the skeleton writes what
//! the context recorded so far to [`FILE`] in the work directory (before the method's own checkpoint files), and a
//! run that starts at step `s > 0` takes back the points of steps below `s` — the file may be newer than the
//! checkpoint the method chose, never older.

use serde::{Deserialize, Serialize};
use splatbench_core::error::InternalContext;
use splatbench_core::{Result, RunContext};
use splatbench_io::atomic::write_atomic;
use std::collections::BTreeMap;
use std::path::Path;

/// The curve file in the work directory.
pub const FILE: &str = "training_curve.json";

/// Losses as their f64 bits: JSON text would round some of them (serde_json parses floats to within an ulp).
#[derive(Serialize, Deserialize)]
struct Curve {
    loss_curve: Vec<(usize, u64)>,
    loss_wall_s: Vec<f64>,
    loss_terms: BTreeMap<String, Vec<(usize, u64)>>,
}

fn bits(points: &[(usize, f64)]) -> Vec<(usize, u64)> {
    points.iter().map(|&(s, v)| (s, v.to_bits())).collect()
}

fn values(points: &[(usize, u64)]) -> Vec<(usize, f64)> {
    points.iter().map(|&(s, b)| (s, f64::from_bits(b))).collect()
}

/// Write what `ctx` recorded into `dir`.
pub fn save(dir: &Path, ctx: &RunContext) -> Result<()> {
    let curve = Curve {
        loss_curve: bits(&ctx.loss_curve),
        loss_wall_s: ctx.loss_wall_s.clone(),
        loss_terms: ctx.loss_terms.iter().map(|(k, v)| (k.clone(), bits(v))).collect(),
    };
    let text = serde_json::to_string(&curve).internal("encoding the training curve")?;
    write_atomic(&dir.join(FILE), text.as_bytes())
}

/// Put the points of steps below `start` from `dir`'s curve file in front of what `ctx` holds. A missing or
/// unreadable file leaves `ctx` as it is (the curve then starts at the resume, and the log says so).
pub fn restore(dir: &Path, start: usize, ctx: &mut RunContext) {
    let path = dir.join(FILE);
    let Some(curve) = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<Curve>(&b).ok()) else {
        eprintln!("warning: {}: no readable loss curve; the curve starts at step {start}", path.display());
        return;
    };
    let keep = curve.loss_curve.iter().take_while(|(s, _)| *s < start).count().min(curve.loss_wall_s.len());
    let mut points = values(&curve.loss_curve[..keep]);
    let mut wall = curve.loss_wall_s[..keep].to_vec();
    points.append(&mut ctx.loss_curve);
    wall.append(&mut ctx.loss_wall_s);
    (ctx.loss_curve, ctx.loss_wall_s) = (points, wall);
    for (name, terms) in curve.loss_terms {
        let mut terms = values(&terms);
        terms.retain(|(s, _)| *s < start);
        let later = ctx.loss_terms.remove(&name).unwrap_or_default();
        terms.extend(later);
        ctx.loss_terms.insert(name, terms);
    }
}
