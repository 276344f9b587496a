//! Time to generate each procedural scene (the bench's data must be ready within seconds on a fresh machine).

use criterion::{Criterion, criterion_group, criterion_main};
use splatbench_datasets::{SCENES, generate};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut g = c.benchmark_group("generate");
    g.sample_size(10);
    for name in SCENES {
        g.bench_function(name, |b| b.iter(|| generate(dir.path(), Some(name)).expect("generate")));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
