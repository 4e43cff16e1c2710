//! The batch engine end to end in memory: 10⁵ meta-analyses × 10 studies (10⁶ rows of CSV)
//! parsed, validated, fitted (REML) and written as CSV, on every core of the machine (rayon's
//! default pool; set `RAYON_NUM_THREADS` to change it). Throughput is in meta-analyses per
//! second. Data are seeded (`scripts/gen_batch_data.rs`). Run: `cargo bench --bench batch`.
//!
//! Whole-process figures (reading the file, peak memory) are measured with the binary; see
//! BENCHMARKS.md.

#[path = "../scripts/gen_batch_data.rs"]
mod gen;

use alkstats::analysis::group::Grouping;
use alkstats::analysis::proportion::ProportionSettings;
use alkstats::batch::{pool_stream, StreamOptions};
use alkstats::data::fingerprint::{Fingerprint, FingerprintMap};
use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::time::Duration;

fn batch(c: &mut Criterion) {
    let (metas, k) = (100_000, 10);
    let data = gen::csv_bytes(metas, k, gen::DEFAULT_SEED);
    let settings = ProportionSettings {
        grouping: Grouping::Column("meta_id".into()),
        ..ProportionSettings::default()
    };
    let mut group = c.benchmark_group("batch");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(metas as u64));
    group.bench_function("pool_stream/100000x10/REML", |b| {
        b.iter(|| {
            let summary = pool_stream(
                "bench.csv",
                data.as_slice(),
                &mut std::io::sink(),
                &settings,
                &StreamOptions::default(),
                &mut |_| {},
            )
            .unwrap();
            black_box(summary.analyses)
        })
    });
    group.finish();
}

/// The table of study labels that checks them unique across a file: 10⁶ labels recorded chunk
/// by chunk as the engine records them, in a table sized for them up front.
fn labels(c: &mut Criterion) {
    let labels: Vec<_> = (0..1_000_000u64)
        .map(|i| {
            Some((
                Fingerprint::of(&format!("m{:06}-s{:02}", i / 10, i % 10)),
                i + 2,
            ))
        })
        .collect();
    let mut group = c.benchmark_group("labels");
    group.sample_size(20);
    group.throughput(Throughput::Elements(labels.len() as u64));
    group.bench_function("insert_all/1000000", |b| {
        b.iter(|| {
            let mut map = FingerprintMap::default();
            map.reserve(labels.len());
            for chunk in labels.chunks(16_384) {
                assert!(map.insert_all(chunk).is_none());
            }
            black_box(map.contains(&Fingerprint::of("m000000-s00")))
        })
    });
    group.finish();
}

criterion_group!(benches, batch, labels);
criterion_main!(benches);
