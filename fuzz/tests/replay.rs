//! Every committed seed and every input that ever broke a parser, replayed through its target under the
//! allocation guard: none may panic, allocate above its cap, or fail with anything but an input error. Also checks
//! that the guard itself trips, so a passing replay means something.

use splatbench_core::{Error, Result};
use splatbench_fuzz::engine::{Outcome, capture_panics, execute, inputs};
use splatbench_fuzz::guard::Guard;
use splatbench_fuzz::targets::{Scratch, TARGETS, Target};
use splatbench_fuzz::{corpus_dir, regressions_dir};

#[global_allocator]
static GUARD: Guard = Guard;

#[test]
fn every_seed_and_regression_input_keeps_the_property() {
    capture_panics();
    let mut failed = Vec::new();
    let mut seeds = 0;
    for t in &TARGETS {
        let scratch = Scratch::new().unwrap();
        let corpus = inputs(&corpus_dir(t.name)).unwrap();
        assert!(!corpus.is_empty(), "{}: no seeds in {}", t.name, corpus_dir(t.name).display());
        seeds += corpus.len();
        let mut all = corpus;
        all.extend(inputs(&regressions_dir(t.name)).unwrap());
        for (path, bytes) in all {
            if let Outcome::Failed(why) = execute(t, &scratch, &bytes) {
                failed.push(format!("{}: {why}", path.display()));
            }
        }
    }
    assert!(seeds >= TARGETS.len());
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn most_seeds_parse_unmutated() {
    // Seeds that a parser refuses as they are only exercise its first check; most must load.
    capture_panics();
    for t in &TARGETS {
        let scratch = Scratch::new().unwrap();
        let corpus = inputs(&corpus_dir(t.name)).unwrap();
        let accepted = corpus.iter().filter(|(_, b)| execute(t, &scratch, b) == Outcome::Accepted).count();
        assert!(accepted * 2 >= corpus.len(), "{}: {accepted} of {} seeds load", t.name, corpus.len());
    }
}

fn reserves_a_terabyte(_: &Scratch, _: &[u8]) -> Result<()> {
    let mut v: Vec<u8> = Vec::new();
    // `try_reserve` survives the guard's refusal, so the test process does not abort.
    v.try_reserve(1 << 40).map_err(|e| Error::input("x", e.to_string()))
}

#[test]
fn the_guard_trips_on_an_allocation_above_the_cap() {
    let scratch = Scratch::new().unwrap();
    let t = Target { name: "t", cap: |_| 1 << 20, run: reserves_a_terabyte };
    assert!(matches!(execute(&t, &scratch, b""), Outcome::Failed(m) if m.contains("allocation above the cap")));
}
