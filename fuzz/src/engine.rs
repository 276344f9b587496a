//! The fuzz loop: mutate inputs from a pool (the seeds, then every input that made the parser answer in a way not
//! seen before), run the target on each, and keep every input that broke the property as a regression file.
//!
//! There is no coverage instrumentation on stable Rust, so "new behaviour" is read from the answer itself: the
//! error message with its numbers blanked and the file path dropped ("line #: width 'x' is not valid"). That
//! keeps inputs that got further into a parser, the same role coverage plays for libFuzzer.

use crate::guard;
use crate::mutate::mutate;
use crate::rng::Rng;
use crate::targets::{Scratch, Target};
use splatbench_core::{Error, Result};
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How one input went.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Parsed.
    Accepted,
    /// Refused with a one-line input error; the text is the behaviour signature.
    Refused(String),
    /// Broke the property: a panic, an allocation above the cap, or an error that is not the user's fault.
    Failed(String),
}

static PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Keep panics quiet (thousands may be caught) and remember the last message.
pub fn capture_panics() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("panicked at {at}: {msg}"));
    }));
}

/// Run `target` on `input` once, under the allocation guard and a panic catcher.
pub fn execute(target: &Target, scratch: &Scratch, input: &[u8]) -> Outcome {
    guard::arm(input, (target.cap)(input.len()));
    let result = catch_unwind(AssertUnwindSafe(|| (target.run)(scratch, input)));
    if guard::disarm() {
        return Outcome::Failed(format!("allocation above the cap of {} bytes", (target.cap)(input.len())));
    }
    match result {
        Ok(Ok(())) => Outcome::Accepted,
        Ok(Err(e @ Error::Input { .. })) => Outcome::Refused(signature(&e.report())),
        Ok(Err(e)) => Outcome::Failed(format!("not an input error: {}", e.report())),
        Err(_) => {
            let msg = PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
            Outcome::Failed(msg.unwrap_or_else(|| "panicked".into()))
        }
    }
}

/// The message without its leading path and with digits blanked, cut to 64 characters.
fn signature(report: &str) -> String {
    let msg = report.split_once(": ").map_or(report, |(_, m)| m);
    msg.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).take(64).collect()
}

pub struct Stats {
    pub executions: u64,
    pub accepted: u64,
    pub refused: u64,
    /// Distinct answers seen (the pool grows by one input for each).
    pub behaviours: usize,
    /// Inputs that broke the property, saved under the regressions directory, with what went wrong.
    pub failures: Vec<(PathBuf, String)>,
}

/// Fuzz `target` for `budget`, starting from `seeds`; failing inputs are written to `failures_dir`.
pub fn fuzz(target: &Target, seeds: Vec<Vec<u8>>, budget: Duration, seed: u64, failures_dir: &Path) -> Result<Stats> {
    let scratch = Scratch::new()?;
    let mut rng = Rng::new(seed);
    let mut pool = if seeds.is_empty() { vec![Vec::new()] } else { seeds };
    let mut seen = BTreeSet::new();
    let mut stats = Stats { executions: 0, accepted: 0, refused: 0, behaviours: 0, failures: Vec::new() };
    let deadline = Instant::now() + budget;
    let mut queue: Vec<Vec<u8>> = pool.clone();
    while Instant::now() < deadline || !queue.is_empty() {
        let input = match queue.pop() {
            Some(seed_input) => seed_input,
            None => {
                let parent = &pool[rng.below(pool.len())];
                let other = &pool[rng.below(pool.len())];
                mutate(&mut rng, parent, other)
            }
        };
        stats.executions += 1;
        let key = match execute(target, &scratch, &input) {
            Outcome::Accepted => {
                stats.accepted += 1;
                "accepted".to_string()
            }
            Outcome::Refused(sig) => {
                stats.refused += 1;
                sig
            }
            Outcome::Failed(why) => {
                let path = save(failures_dir, &input)?;
                if !stats.failures.iter().any(|(p, _)| *p == path) {
                    stats.failures.push((path, why.clone()));
                }
                format!("failed: {why}")
            }
        };
        if seen.insert(key) && pool.len() < 2000 {
            pool.push(input);
        }
    }
    stats.behaviours = seen.len();
    Ok(stats)
}

/// Write `input` as `<dir>/<fnv-1a hash>.bin` (once: the name is its content's hash).
pub fn save(dir: &Path, input: &[u8]) -> Result<PathBuf> {
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let path = dir.join(format!("{hash:016x}.bin"));
    if !path.exists() {
        splatbench_io::atomic::write_atomic(&path, input)?;
    }
    Ok(path)
}

/// The files of a corpus or regressions directory, sorted (a missing directory holds none).
pub fn inputs(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| std::fs::read(&p).map(|b| (p.clone(), b)).map_err(|e| Error::input(&p, e.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The panic slot and the allocation guard are process-wide: these tests take turns.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn panics(_: &Scratch, input: &[u8]) -> Result<()> {
        assert!(input.first() != Some(&b'!'), "bang");
        Err(Error::input("f", format!("{} bytes", input.len())))
    }

    fn not_input(_: &Scratch, _: &[u8]) -> Result<()> {
        Err(Error::bug("broken invariant"))
    }

    #[test]
    fn the_engine_tells_accepted_refused_and_failed_apart() {
        let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        capture_panics();
        let scratch = Scratch::new().unwrap();
        let t = Target { name: "t", cap: |_| 1 << 20, run: panics };
        assert_eq!(execute(&t, &scratch, b"abc"), Outcome::Refused("# bytes".into()));
        assert!(matches!(execute(&t, &scratch, b"!x"), Outcome::Failed(m) if m.contains("bang")));
        let t = Target { name: "t", cap: |_| 1 << 20, run: not_input };
        assert!(matches!(execute(&t, &scratch, b""), Outcome::Failed(m) if m.contains("not an input error")));
    }

    #[test]
    fn a_fuzz_run_finds_the_panicking_input_and_saves_it() {
        let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        capture_panics();
        let dir = tempfile::tempdir().unwrap();
        let t = Target { name: "t", cap: |_| 1 << 20, run: panics };
        let stats = fuzz(&t, vec![b"!".to_vec(), b"ok".to_vec()], Duration::from_millis(50), 1, dir.path()).unwrap();
        assert!(stats.executions >= 2);
        // The seed and any mutant still starting with '!' panic; each is saved, the seed first.
        assert!(!stats.failures.is_empty());
        assert_eq!(std::fs::read(&stats.failures[0].0).unwrap(), b"!");
        assert!(stats.failures.iter().all(|(p, why)| std::fs::read(p).unwrap()[0] == b'!' && why.contains("bang")));
    }
}
