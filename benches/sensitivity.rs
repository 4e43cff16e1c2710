//! Leave-one-out, influence diagnostics and cumulative meta-analysis over k = 10⁴ studies
//! (issue 13: leave-one-out in < 2 s).
//!
//! Each is 10⁴ refits of about 10⁴ studies, O(k²) arithmetic: the inverse-variance refits copy
//! the subset into per-thread buffers and run the fitting core without the Q-profile interval
//! of τ², so a DL or HE refit is a few O(k) passes and an REML refit a few more (one per
//! Newton step). Refits run on rayon's threads. Data are seeded (`scripts/gen_batch_data.rs`).
//! Run: `cargo bench --bench sensitivity`.

#[path = "../scripts/gen_batch_data.rs"]
mod gen;

use alkstats::methods::cumulative::{cumulative, CumulativeOrder};
use alkstats::methods::influence::influence;
use alkstats::methods::leave_one_out::leave_one_out;
use alkstats::methods::PooledModel;
use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
use alkstats::settings::{FitSettings, GenericMeasure, TauMethod};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;

const K: usize = 10_000;

fn model(k: usize, method_tau: TauMethod) -> Rma {
    let (yi, vi) = gen::effects(k, gen::DEFAULT_SEED);
    let studies = yi
        .iter()
        .zip(&vi)
        .enumerate()
        .map(|(i, (&y, &v))| Study::new(format!("study {i}"), i as u64 + 2, y, v))
        .collect();
    let data = EffectSizes::new(Measure::Generic(GenericMeasure::Gen), studies);
    let fit = FitSettings {
        method_tau,
        ..FitSettings::default()
    };
    Rma::fit(data, ModelSettings::inverse_variance(fit)).expect("seeded data fit")
}

fn sensitivity(c: &mut Criterion) {
    let mut group = c.benchmark_group("k10000");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for method in [TauMethod::Dl, TauMethod::He, TauMethod::Reml] {
        let m = model(K, method);
        group.bench_function(BenchmarkId::new("leave_one_out", method), |b| {
            b.iter(|| black_box(leave_one_out(&m, PooledModel::Random, &())))
        });
    }
    let m = model(K, TauMethod::Dl);
    group.bench_function(BenchmarkId::new("influence", TauMethod::Dl), |b| {
        b.iter(|| black_box(influence(&m, PooledModel::Random, &())))
    });
    let order = CumulativeOrder::default();
    group.bench_function(BenchmarkId::new("cumulative", TauMethod::Dl), |b| {
        b.iter(|| black_box(cumulative(&m, PooledModel::Random, &order, &())))
    });
    group.finish();
}

criterion_group!(benches, sensitivity);
criterion_main!(benches);
