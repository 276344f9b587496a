//! Checkpoints of NeRF training in `RunContext::work_dir`, and resuming from the newest one.
//!
//! A checkpoint after `n` steps is `nerf_step{n:06}.bin` (every f32 of the state, little endian: per network, each
//! parameter, then each Adam moment pair that exists), `…_state.json` (the step, the ray sampler's stream position,
//! each network's shapes and Adam step counts, and a fingerprint of what the run depends on) and `….sha256`, the
//! skeleton's manifest sealing both, written last ([`splatbench_train::checkpoint`]).
//!
//! Everything a step depends on is restored — weights, both Adam moments and step counts, the sampling stream; the
//! learning rate is a function of the step — so a resumed run ends bit-equal to an uninterrupted one (the bench's
//! `resume` test). A checkpoint that fails its manifest, does not parse, does not fit the networks or comes from
//! another run (fingerprint: the configuration other than `checkpoint_every` and `resume`, the seed, the scene and
//! its training view count) is ignored with a warning naming it; the next older one is tried.

use crate::mlp::{AdamMoments, MlpState};
use crate::train::NerfStep;
use serde::{Deserialize, Serialize};
use splatbench_core::Result;
use splatbench_core::error::InternalContext;
use splatbench_io::atomic::write_atomic;
use splatbench_train::checkpoint::with_suffix;
use std::path::{Path, PathBuf};

#[derive(Serialize, Deserialize)]
struct State {
    step: usize,
    /// ChaCha8 word position of the ray sampler (u128, as text).
    rng_word_pos: String,
    fingerprint: String,
    nets: Vec<NetIndex>,
}

/// Where one network's values sit in the `.bin` file, in order.
#[derive(Serialize, Deserialize)]
struct NetIndex {
    shapes: Vec<Vec<usize>>,
    /// Adam step count per parameter; `None`: no state yet (no moments stored).
    adam_time: Vec<Option<usize>>,
}

fn stem(dir: &Path, step: usize) -> PathBuf {
    dir.join(format!("nerf_step{step:06}"))
}

/// Write the checkpoint of `task` after `step` steps into `dir`.
pub fn save(dir: &Path, step: usize, task: &NerfStep, fingerprint: &str) -> Result<()> {
    let stem = stem(dir, step);
    let (bin, state, manifest) =
        (with_suffix(&stem, ".bin"), with_suffix(&stem, "_state.json"), with_suffix(&stem, ".sha256"));
    let _ = std::fs::remove_file(&manifest);
    let mut values: Vec<u8> = Vec::new();
    let mut push = |v: &[f32]| values.extend(v.iter().flat_map(|x| x.to_le_bytes()));
    let mut nets = Vec::new();
    for net in task.states() {
        for (_, v) in &net.params {
            push(v);
        }
        for a in net.adam.iter().flatten() {
            push(&a.moment_1);
            push(&a.moment_2);
        }
        nets.push(NetIndex {
            shapes: net.params.iter().map(|(s, _)| s.clone()).collect(),
            adam_time: net.adam.iter().map(|a| a.as_ref().map(|a| a.time)).collect(),
        });
    }
    write_atomic(&bin, &values)?;
    let s = State { step, rng_word_pos: task.rng_word_pos().to_string(), fingerprint: fingerprint.to_string(), nets };
    write_atomic(&state, serde_json::to_string_pretty(&s).internal("encoding a nerf checkpoint")?.as_bytes())?;
    splatbench_train::checkpoint::seal(&manifest, &[&bin, &state])?;
    splatbench_train::checkpoint::prune(dir, "nerf");
    Ok(())
}

/// Restore `task` from the newest checkpoint in `dir` this run (`task.fingerprint`) can resume from; the step it
/// reached (0: none).
pub fn resume_latest(dir: &Path, task: &mut NerfStep) -> usize {
    let fingerprint = task.fingerprint.clone();
    for step in splatbench_train::checkpoint::steps(dir, "nerf") {
        let stem = stem(dir, step);
        match read(&stem, &fingerprint).and_then(|(s, nets)| {
            let pos = splatbench_train::checkpoint::stream_position(&s.rng_word_pos)?;
            task.restore(&nets, pos)?;
            Ok(s.step)
        }) {
            Ok(step) => return step,
            Err(why) => eprintln!("warning: {}: checkpoint ignored: {why}", with_suffix(&stem, ".sha256").display()),
        }
    }
    0
}

fn read(stem: &Path, fingerprint: &str) -> std::result::Result<(State, Vec<MlpState>), String> {
    splatbench_train::checkpoint::verify(&with_suffix(stem, ".sha256"))?;
    let text = std::fs::read(with_suffix(stem, "_state.json")).map_err(|e| e.to_string())?;
    let s: State = serde_json::from_slice(&text).map_err(|e| format!("not a nerf checkpoint: {e}"))?;
    if s.fingerprint != fingerprint {
        return Err("from another run (its configuration, seed or scene differ)".into());
    }
    let bytes = std::fs::read(with_suffix(stem, ".bin")).map_err(|e| e.to_string())?;
    let mut floats = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let mut take = |n: usize| -> std::result::Result<Vec<f32>, String> {
        let v: Vec<f32> = floats.by_ref().take(n).collect();
        if v.len() == n { Ok(v) } else { Err("the values file is shorter than its index".into()) }
    };
    let mut nets = Vec::new();
    for net in &s.nets {
        let sizes: Vec<usize> = net.shapes.iter().map(|s| s.iter().product()).collect();
        let params = net
            .shapes
            .iter()
            .zip(&sizes)
            .map(|(s, &n)| Ok((s.clone(), take(n)?)))
            .collect::<std::result::Result<Vec<_>, String>>()?;
        let mut adam = Vec::new();
        for (time, &n) in net.adam_time.iter().zip(&sizes) {
            adam.push(match time {
                None => None,
                Some(t) => Some(AdamMoments { time: *t, moment_1: take(n)?, moment_2: take(n)? }),
            });
        }
        nets.push(MlpState { params, adam });
    }
    if floats.next().is_some() {
        return Err("the values file is longer than its index".into());
    }
    Ok((s, nets))
}
