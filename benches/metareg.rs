//! Meta-regression (issue 15): k = 10⁴ studies with 5 moderators fitted by REML (< 1 s), and
//! 10⁴ permutations of k = 50 studies (< 2 s).
//!
//! `metareg/k10000_5mods` is the whole method as `alkstats metareg` runs it on a fitted model:
//! the design from the studies' columns (four continuous moderators and one with three
//! levels: p = 7), the REML fit, the tests, Q_E, the intercept-only refit for R² and the
//! Q-profile interval for τ². `permutations/k50` is `permutest` with 10⁴ permutations
//! (REML, a continuous and a three-level moderator), refits on rayon's threads. Effects are
//! seeded (`scripts/gen_batch_data.rs`), moderators a fixed function of the study's index.
//! Run: `cargo bench --bench metareg`.

#[path = "../scripts/gen_batch_data.rs"]
mod gen;

use alkstats::methods::metareg::permutation::permutation_test;
use alkstats::methods::metareg::{metareg, MetaRegSettings};
use alkstats::methods::PooledModel;
use alkstats::model::{EffectSizes, Measure, ModelSettings, Rma, Study};
use alkstats::settings::{FitSettings, GenericMeasure, TauMethod};
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;

/// A value in [0, 1) that looks random in `i` (Knuth's multiplicative hash).
fn unit(i: usize, salt: u64) -> f64 {
    let h = (i as u64 ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// k studies with continuous moderators x1..x4 and a categorical one, g ∈ {a, b, c}, on which
/// the effects depend.
fn model(k: usize) -> Rma {
    let (yi, vi) = gen::effects(k, gen::DEFAULT_SEED);
    let studies = (0..k)
        .map(|i| {
            let x: Vec<f64> = (1..=4).map(|j| unit(i, j)).collect();
            let g = ["a", "b", "c"][i % 3];
            let shift = 0.3 * x[0] - 0.2 * x[1] + if g == "b" { 0.1 } else { 0.0 };
            let mut s = Study::new(format!("study {i}"), i as u64 + 2, yi[i] + shift, vi[i]);
            let fields = std::sync::Arc::make_mut(&mut s.fields);
            for (j, v) in x.iter().enumerate() {
                fields.insert(format!("x{}", j + 1), v.to_string());
            }
            fields.insert("g".into(), g.into());
            s
        })
        .collect();
    let data = EffectSizes::new(Measure::Generic(GenericMeasure::Gen), studies);
    let fit = FitSettings {
        method_tau: TauMethod::Reml,
        ..FitSettings::default()
    };
    Rma::fit(data, ModelSettings::inverse_variance(fit)).expect("seeded data fit")
}

fn settings(mods: &[&str]) -> MetaRegSettings {
    MetaRegSettings {
        moderators: mods.iter().map(|m| m.to_string()).collect(),
        references: Vec::new(),
        model: PooledModel::Random,
        studies: false,
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("metareg");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let big = model(10_000);
    let five = settings(&["x1", "x2", "x3", "x4", "g"]);
    group.bench_function("k10000_5mods", |b| {
        b.iter(|| black_box(metareg(&big, &five).expect("fits")))
    });
    let small = model(50);
    let fit = metareg(&small, &settings(&["x1", "g"])).expect("fits");
    group.bench_function("permutations/k50", |b| {
        b.iter(|| {
            let mut f = fit.clone();
            permutation_test(&mut f, 10_000, 1, &());
            black_box(f.result.qm.p_permutation)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
