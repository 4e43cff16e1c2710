//! Small-study methods on one fitted model: every method (`--test all`: the five asymmetry
//! tests, trim-and-fill, the selection model and PET-PEESE) at k = 10, 100 and 1000 studies,
//! and trim-and-fill and Begg's test alone at k = 1000 (the two that grow fastest: repeated
//! refits, and the exact Kendall distribution in O(k³)). REML throughout. Data are seeded
//! (`scripts/gen_batch_data.rs`). Run: `cargo bench --bench bias`.

#[path = "../scripts/gen_batch_data.rs"]
mod gen;

use alkstats::methods::bias::TrimFillEstimator;
use alkstats::methods::bias::{begg, small_study_effects, trim_and_fill, BiasSettings, BiasTest};
use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
use alkstats::settings::{FitSettings, GenericMeasure};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;

fn model(k: usize) -> Rma {
    let (yi, vi) = gen::effects(k, gen::DEFAULT_SEED);
    let studies = yi
        .iter()
        .zip(&vi)
        .enumerate()
        .map(|(i, (&y, &v))| Study::new(format!("S{i}"), i as u64, y, v))
        .collect();
    let data = EffectSizes::new(Measure::Generic(GenericMeasure::Or), studies);
    Rma::fit(
        data,
        ModelSettings::inverse_variance(FitSettings::default()),
    )
    .unwrap()
}

fn all_methods(c: &mut Criterion) {
    let settings = BiasSettings {
        tests: BiasTest::ALL.to_vec(),
        k_min: 3,
        ..BiasSettings::default()
    };
    let mut group = c.benchmark_group("bias_all");
    group.measurement_time(Duration::from_secs(5));
    group.sample_size(20);
    for k in [10, 100, 1000] {
        let m = model(k);
        group.bench_function(BenchmarkId::from_parameter(k), |b| {
            b.iter(|| black_box(small_study_effects(&m, &settings)))
        });
    }
    group.finish();
    let m = model(1000);
    let mut group = c.benchmark_group("k1000");
    group.sample_size(20);
    group.bench_function("trimfill_L0", |b| {
        b.iter(|| black_box(trim_and_fill(&m, TrimFillEstimator::L0, None)))
    });
    group.bench_function("begg_exact", |b| b.iter(|| black_box(begg(&m))));
    group.finish();
}

criterion_group!(benches, all_methods);
criterion_main!(benches);
