//! Single fits: REML, DL and PM at k = 10, 100, 10⁴ and 10⁶ studies, and DL at 10⁷.
//!
//! - `fit_summary/*`: the allocation-free core ([`fit_summary`] with a reused
//!   [`FitWorkspace`]), as the batch engine runs it: τ², both pooled estimates, Q, I² with its
//!   interval, the Q-profile interval for τ², the prediction interval and every p-value.
//! - `fit/*`: the public [`fit`], which adds the per-study weight vectors and worded warnings
//!   (its workspace is kept per thread).
//! - `tau2/*`: the estimator of τ² alone.
//!
//! At k = 10 each iteration fits the next of 256 different meta-analyses, so that branch
//! prediction cannot learn one dataset; throughput is in fits per second ("elem/s"). Data are
//! seeded (`scripts/gen_batch_data.rs`). Run: `cargo bench --bench fit`.

#[path = "../scripts/gen_batch_data.rs"]
mod gen;

use alkstats::fit::{fit, fit_summary, tau2, FitWorkspace};
use alkstats::settings::{FitSettings, TauMethod};
use criterion::{
    black_box, criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use std::time::Duration;

const METHODS: [TauMethod; 3] = [TauMethod::Reml, TauMethod::Dl, TauMethod::Pm];

fn settings(method_tau: TauMethod) -> FitSettings {
    FitSettings {
        method_tau,
        ..FitSettings::default()
    }
}

/// `count` meta-analyses of `k` studies.
fn datasets(k: usize, count: usize) -> Vec<(Vec<f64>, Vec<f64>)> {
    (0..count)
        .map(|i| gen::effects(k, gen::DEFAULT_SEED + i as u64))
        .collect()
}

fn small_k(c: &mut Criterion) {
    let sets = datasets(10, 256);
    let mut group = c.benchmark_group("k10");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(4));
    for method in METHODS {
        let s = settings(method);
        let mut ws = FitWorkspace::new(s.level);
        let mut i = 0;
        group.bench_function(BenchmarkId::new("fit_summary", method), |b| {
            b.iter(|| {
                let (yi, vi) = &sets[i % sets.len()];
                i += 1;
                black_box(fit_summary(yi, vi, &s, &mut ws).unwrap())
            })
        });
        let mut i = 0;
        group.bench_function(BenchmarkId::new("fit", method), |b| {
            b.iter(|| {
                let (yi, vi) = &sets[i % sets.len()];
                i += 1;
                black_box(fit(yi, vi, &s).unwrap())
            })
        });
        let mut i = 0;
        group.bench_function(BenchmarkId::new("tau2", method), |b| {
            b.iter(|| {
                let (yi, vi) = &sets[i % sets.len()];
                i += 1;
                black_box(tau2::estimate(method, yi, vi, Default::default()))
            })
        });
    }
    group.finish();
}

fn large_k(c: &mut Criterion) {
    for (k, samples, secs) in [(100, 50, 3), (10_000, 20, 3), (1_000_000, 10, 10)] {
        let (yi, vi) = gen::effects(k, gen::DEFAULT_SEED);
        let mut group = c.benchmark_group(format!("k{k}"));
        group.throughput(Throughput::Elements(k as u64));
        group.sample_size(samples);
        group.sampling_mode(SamplingMode::Flat);
        group.measurement_time(Duration::from_secs(secs));
        for method in METHODS {
            let s = settings(method);
            let mut ws = FitWorkspace::new(s.level);
            group.bench_function(BenchmarkId::new("fit_summary", method), |b| {
                b.iter(|| black_box(fit_summary(&yi, &vi, &s, &mut ws).unwrap()))
            });
        }
        group.finish();
    }
}

/// One DerSimonian–Laird fit over 10⁷ studies (target: under a second).
fn ten_million(c: &mut Criterion) {
    let (yi, vi) = gen::effects(10_000_000, gen::DEFAULT_SEED);
    let s = settings(TauMethod::Dl);
    let mut group = c.benchmark_group("k10000000");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(yi.len() as u64));
    let mut ws = FitWorkspace::new(s.level);
    group.bench_function("fit_summary/DL", |b| {
        b.iter(|| black_box(fit_summary(&yi, &vi, &s, &mut ws).unwrap()))
    });
    group.bench_function("fit/DL", |b| {
        b.iter(|| black_box(fit(&yi, &vi, &s).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, small_k, large_k, ten_million);
criterion_main!(benches);
