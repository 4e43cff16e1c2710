//! GLMM fits (issue 16): the binomial-normal model for proportions at k = 10 and the exact
//! conditional odds-ratio model CM.EL at k = 16 (dat.lee2004, from the committed fixture).
//!
//! - `glmm/plo_k10`: each iteration fits the next of 64 seeded meta-analyses of 10 studies
//!   (n from 20 to 200, true logit −1 with τ = 0.6), so the optimiser cannot learn one dataset.
//! - `glmm/cm_el_lee2004_k16`: the data of dat.lee2004 (16 trials).
//! - `glmm/um_rs_bcg_k13`: UM.RS (two random effects per study, exact likelihood) on
//!   dat.bcg (13 trials, from `tests/fixtures/glmm_umrs.json`).
//!
//! metafor 3.8's timings of the same models on this machine are in
//! `tests/fixtures/glmm.json` (`metafor_seconds`, measured by tests/r/glmm_fixtures.R) and
//! `tests/fixtures/glmm_umrs.json` (`metafor_seconds_bcg_median`, tests/r/glmm_umrs_fixtures.R).
//! Run: `cargo bench --bench glmm`.

use alkstats::effect::two_arm::TwoByTwo;
use alkstats::fit::glmm::{fit_odds_ratio, fit_proportions};
use alkstats::settings::GlmmModel;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// A xorshift generator: uniform numbers in [0, 1).
struct Uniform(u64);

impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal deviate (Box–Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-300), self.next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

/// 64 meta-analyses of 10 proportions.
fn proportions() -> Vec<(Vec<u64>, Vec<u64>)> {
    let mut r = Uniform(0x2545_F491_4F6C_DD1D);
    (0..64)
        .map(|_| {
            (0..10)
                .map(|_| {
                    let n = 20 + (r.next() * 180.0) as u64;
                    let p = 1.0 / (1.0 + (1.0 - 0.6 * r.normal()).exp());
                    let x = (0..n).filter(|_| r.next() < p).count() as u64;
                    (x, n)
                })
                .unzip()
        })
        .collect()
}

/// The tables of data set `name` in list `list` of fixture `file`.
fn fixture_tables(file: &str, list: &str, name: &str) -> Vec<TwoByTwo> {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let fx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let set = fx[list]
        .as_array()
        .expect("list")
        .iter()
        .find(|s| s["name"] == name)
        .expect("data set");
    let col = |k: &str| -> Vec<u64> {
        set[k]
            .as_array()
            .expect(k)
            .iter()
            .map(|v| v.as_f64().expect("number") as u64)
            .collect()
    };
    let (a, n1, c, n2) = (col("ai"), col("n1i"), col("ci"), col("n2i"));
    (0..a.len())
        .map(|i| TwoByTwo::new(a[i], n1[i], c[i], n2[i]))
        .collect()
}

fn bench(c: &mut Criterion) {
    let sets = proportions();
    let mut i = 0;
    c.bench_function("glmm/plo_k10", |b| {
        b.iter(|| {
            let (x, n) = &sets[i % sets.len()];
            i += 1;
            black_box(fit_proportions(black_box(x), black_box(n)).ok())
        })
    });
    let tables = fixture_tables("glmm.json", "or", "lee2004");
    c.bench_function("glmm/cm_el_lee2004_k16", |b| {
        b.iter(|| black_box(fit_odds_ratio(black_box(&tables), GlmmModel::CmEl).ok()))
    });
    let bcg = fixture_tables("glmm_umrs.json", "sets", "bcg");
    c.bench_function("glmm/um_rs_bcg_k13", |b| {
        b.iter(|| black_box(fit_odds_ratio(black_box(&bcg), GlmmModel::UmRs).ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
