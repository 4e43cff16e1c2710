//! Reading 10⁶ rows of an arms CSV (10⁵ meta-analyses × 10 studies, 48 MB):
//!
//! - `load_arms`: the in-memory path (every row parsed into an `Arm` with its map of columns,
//!   held together), what `alkstats pool` does for tables and JSON.
//! - `group_reader`: the batch engine's streaming reader (the same checks, rows parsed in
//!   parallel chunks, cut into groups and released), without fitting.
//! - `csv_records`: the raw CSV records alone (the csv crate), the floor for both.
//!
//! Throughput is in rows per second. Data are seeded (`scripts/gen_batch_data.rs`).
//! Run: `cargo bench --bench csv`.

#[path = "../scripts/gen_batch_data.rs"]
mod gen;

use alkstats::batch::reader::GroupReader;
use alkstats::batch::StreamOptions;
use alkstats::data::arms::REQUIRED_COLUMNS;
use alkstats::data::load_arms;
use alkstats::data::table::RowReader;
use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use std::time::Duration;

fn parse(c: &mut Criterion) {
    let rows = 1_000_000;
    let data = gen::csv_bytes(rows / 10, 10, gen::DEFAULT_SEED);
    let mut group = c.benchmark_group("csv_1e6_rows");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(15));
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function("csv_records", |b| {
        b.iter(|| {
            let mut reader =
                RowReader::new("bench.csv", data.as_slice(), REQUIRED_COLUMNS).unwrap();
            let mut record = csv::ByteRecord::new();
            let mut n = 0u64;
            while reader.read_record(&mut record).unwrap() {
                n += 1;
            }
            black_box(n)
        })
    });
    group.bench_function("group_reader", |b| {
        b.iter(|| {
            let options = StreamOptions::default();
            let mut reader =
                GroupReader::new("bench.csv", data.as_slice(), "meta_id", false, &options).unwrap();
            let mut groups = 0;
            while let Some(chunk) = reader.next_groups().unwrap() {
                groups += chunk.len();
            }
            black_box(groups)
        })
    });
    group.bench_function("load_arms", |b| {
        b.iter(|| black_box(load_arms("bench.csv", &data).unwrap().0.len()))
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
