//! Forest plot rendering time for 20 and 200 seeded synthetic studies (`--by none`): the
//! conversion from the report, layout, and rendering to PNG and to SVG. The analysis itself is
//! set up outside the timed loop. Run with `cargo bench --bench forest`.

#[path = "../tests/synthetic/mod.rs"]
mod synthetic;

use alkstats::analysis::group::Grouping;
use alkstats::analysis::proportion::{pool_proportions, ProportionSettings};
use alkstats::data::load_arms;
use alkstats::plot::forest::{forest_data, render, ForestOptions};
use alkstats::plot::{Format, Page};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::hint::black_box;

fn bench_forest(c: &mut Criterion) {
    let mut group = c.benchmark_group("forest");
    group.sample_size(10);
    for k in [20usize, 200] {
        let csv = synthetic::arms_csv(k, 2024);
        let (arms, headers) =
            load_arms("synthetic.csv", csv.as_bytes()).expect("valid synthetic data");
        let settings = ProportionSettings {
            grouping: Grouping::None,
            ..Default::default()
        };
        let report = pool_proportions(&arms, &headers, "synthetic.csv", &settings).expect("pooled");
        let page = Page::default();
        for (name, format) in [("png", Format::Png), ("svg", Format::Svg)] {
            group.bench_with_input(BenchmarkId::new(name, k), &report, |b, report| {
                b.iter(|| {
                    let data =
                        forest_data(report, None, &ForestOptions::default()).expect("forest data");
                    black_box(render(&data, &page, format).expect("rendered"))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_forest);
criterion_main!(benches);
