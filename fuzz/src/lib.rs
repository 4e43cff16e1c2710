//! The code paths the fuzz targets drive, kept apart from libFuzzer so that the regression
//! tests of the main crate (`tests/fuzz_regressions.rs`, which includes this file) replay a
//! crashing input through exactly the code the fuzzer ran.
//!
//! Every function here must return normally for every input: an `Err` from the library is a
//! correct answer, a panic (including an arithmetic overflow, which fuzz builds check) is a bug.
//! Only the library's documented preconditions are respected (e.g. x ≤ n for
//! [`TwoByTwo::new`], a non-empty sorted slice for [`quantile_type7`]); everything else —
//! NaN, ±∞, subnormals, 1e308, levels outside (0, 1) — is fed in as it comes.

use alkstats::analysis::compare::{compare_arms, CompareMethod, CompareSettings};
use alkstats::analysis::group::Grouping;
use alkstats::analysis::hazard::{hr_rows_from_medians, pool_hazard_ratios, HazardSettings};
use alkstats::analysis::median_pfs::{pool_medians, MedianMethod, MedianSettings};
use alkstats::analysis::proportion::{pool_proportions, ProportionSettings};
use alkstats::analysis::report::{PoolReport, StudyRow};
use alkstats::data::{load_arms, load_hr, Arm};
use alkstats::dist;
use alkstats::effect::binomial_ci::proportion_ci;
use alkstats::effect::median::{
    log_hr_from_medians, log_median_from_ci, median_of_medians, quantile_type7,
};
use alkstats::effect::proportion::{back_transform, harmonic_mean, proportion_effect};
use alkstats::effect::ratio::{log_ratio_from_ci, log_ratio_from_p};
use alkstats::effect::two_arm::{peto_effect, two_arm_effect, TwoArmMeasure, TwoByTwo};
use alkstats::fit::fit;
use alkstats::fit::heterogeneity::{i2_interval_higgins_thompson, tau2_interval_q_profile};
use alkstats::fit::mantel_haenszel::{mantel_haenszel, mantel_haenszel_weights, peto};
use alkstats::fit::subgroup::subgroup_difference;
use alkstats::fit::tau2::{self, IterControl};
use alkstats::output;
use alkstats::settings::{
    Endpoint, FitSettings, GlmmModel, Level, PredictionMethod, ProportionMeasure, RandomCi,
    StudyCi, TauMethod,
};

/// Largest number of studies handed to the estimators: enough for every code path, small
/// enough that one input never takes long (the iterative estimators are O(k) per step).
pub const MAX_STUDIES: usize = 64;

/// Confidence levels used by the file targets: the default, a low and a very high one.
const LEVELS: [f64; 3] = [0.95, 0.8, 0.999];

/// The i-th combination of fit settings, cycling through every value of each setting.
fn fit_settings(i: usize, level: f64) -> FitSettings {
    FitSettings {
        method_tau: TauMethod::ALL[i % TauMethod::ALL.len()],
        random_ci: RandomCi::ALL[i % RandomCi::ALL.len()],
        prediction: PredictionMethod::ALL[i % PredictionMethod::ALL.len()],
        level: Level::new(level).expect("LEVELS are inside (0, 1)"),
    }
}

/// Groupings tried on a file: none, the default column, and the file's own last column (an
/// arbitrary column, possibly one with empty values).
fn groupings(headers: &[String], default: &str) -> Vec<Grouping> {
    let mut g = vec![Grouping::None, Grouping::Column(default.into())];
    if let Some(last) = headers.last() {
        g.push(Grouping::Column(last.clone()));
    }
    g
}

/// Renders a report every way the CLI can, as the renderers must cope with whatever the
/// analyses produce.
fn render<S: StudyRow + serde::Serialize>(report: &PoolReport<S>) {
    let _ = output::table::render(report, true);
    let _ = output::csv_out::render(report, true, &Default::default());
    let _ = output::jsonl::render(report, &Default::default());
    let _ = output::json::render(report);
}

/// Arbitrary bytes as an arms file, then every pooling of arms: proportions (each --sm, each
/// τ² estimator, each CI and prediction method, with and without a continuity correction),
/// two-arm comparisons (each measure × each common-effect method), medians (each method), and
/// hazard ratios approximated from medians.
pub fn load_and_pool(bytes: &[u8]) {
    let Ok((arms, headers)) = load_arms("fuzz.csv", bytes) else {
        return;
    };
    pool_arms(&arms, &headers);
}

fn pool_arms(arms: &[Arm], headers: &[String]) {
    let groupings = groupings(headers, "drug");
    for (i, &tau) in TauMethod::ALL.iter().enumerate() {
        let s = ProportionSettings {
            sm: ProportionMeasure::ALL[i % ProportionMeasure::ALL.len()],
            fit: FitSettings {
                method_tau: tau,
                ..fit_settings(i, LEVELS[i % LEVELS.len()])
            },
            ci_study: StudyCi::ALL[i % StudyCi::ALL.len()],
            incr: if i % 4 == 3 { 0.0 } else { 0.5 },
            grouping: groupings[i % groupings.len()].clone(),
            keep_overlapping: i % 2 == 1,
            // The GLMM on every third run (an error, never a panic, on other scales).
            glmm: i % 3 == 2,
        };
        if let Ok(r) = pool_proportions(arms, headers, "fuzz.csv", &s) {
            render(&r);
        }
    }
    let measures = [TwoArmMeasure::Rr, TwoArmMeasure::Or, TwoArmMeasure::Rd];
    let methods = [
        CompareMethod::Iv,
        CompareMethod::Mh,
        CompareMethod::MhCc,
        CompareMethod::Peto,
    ];
    let mut i = 0;
    for &measure in &measures {
        for &method in &methods {
            let s = CompareSettings {
                measure,
                method,
                fit: fit_settings(i, LEVELS[i % LEVELS.len()]),
                incr: if i % 5 == 4 { 0.0 } else { 0.5 },
                grouping: if i % 2 == 0 {
                    Grouping::None
                } else {
                    Grouping::Column("comparison".into())
                },
                keep_overlapping: i % 3 == 0,
                comparator: (i % 4 == 1).then(|| "chemotherapy".to_string()),
                glmm: (i % 2 == 1).then(|| GlmmModel::ALL[i % GlmmModel::ALL.len()]),
            };
            if let Ok(r) = compare_arms(arms, headers, "fuzz.csv", &s) {
                render(&r);
            }
            i += 1;
        }
    }
    let medians = [
        MedianMethod::LogIv,
        MedianMethod::MedianOfMedians,
        MedianMethod::WeightedMedianOfMedians,
    ];
    for (i, &method) in medians.iter().enumerate() {
        let s = MedianSettings {
            method,
            fit: fit_settings(i + 1, LEVELS[i % LEVELS.len()]),
            grouping: groupings[i % groupings.len()].clone(),
            keep_overlapping: i % 2 == 0,
        };
        if let Ok(r) = pool_medians(arms, headers, "fuzz.csv", &s) {
            render(&r);
        }
    }
    if let Ok((rows, _notes)) = hr_rows_from_medians(arms, &[], "fuzz.csv") {
        if !rows.is_empty() {
            pool_hr_rows(&rows, headers);
        }
    }
}

/// Arbitrary bytes as a comparative (hazard-ratio) file, then pooling of both endpoints under
/// every τ² estimator and grouping.
pub fn load_hr_and_pool(bytes: &[u8]) {
    let Ok((rows, headers)) = load_hr("fuzz.csv", bytes) else {
        return;
    };
    pool_hr_rows(&rows, &headers);
}

fn pool_hr_rows(rows: &[alkstats::data::HrRow], headers: &[String]) {
    let groupings = groupings(headers, "comparison");
    for (i, &tau) in TauMethod::ALL.iter().enumerate() {
        let s = HazardSettings {
            fit: FitSettings {
                method_tau: tau,
                ..fit_settings(i, LEVELS[i % LEVELS.len()])
            },
            endpoint: if i % 2 == 0 {
                Endpoint::Pfs
            } else {
                Endpoint::Os
            },
            grouping: groupings[i % groupings.len()].clone(),
            keep_overlapping: i % 3 == 0,
        };
        if let Ok(r) = pool_hazard_ratios(rows, headers, "fuzz.csv", &s) {
            render(&r);
        }
    }
}

/// A 2×2 table as counts; [`Numbers::tables`] keeps x ≤ n, the precondition of
/// [`TwoByTwo::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Treatment responders.
    pub a: u64,
    /// Treatment arm size.
    pub n1: u64,
    /// Comparator responders.
    pub c: u64,
    /// Comparator arm size.
    pub n2: u64,
}

/// Numbers for [`estimators`]: the fuzz target builds them from arbitrary bytes, a regression
/// test writes them out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Numbers {
    /// Effect sizes and sampling variances (at most [`MAX_STUDIES`] are used).
    pub studies: Vec<(f64, f64)>,
    /// Confidence level for the fits (used only when inside (0, 1), as [`Level`] demands).
    pub level: f64,
    /// Events and sample sizes for the proportion transformations and study CIs.
    pub counts: Vec<(u64, u64)>,
    /// Continuity correction.
    pub incr: f64,
    /// Values on a transformed scale to back-transform, and other free numbers.
    pub values: Vec<f64>,
    /// 2×2 tables.
    pub tables: Vec<Counts>,
    /// Sample-size weights for the weighted median of medians.
    pub weights: Vec<u64>,
}

impl Numbers {
    fn value(&self, i: usize) -> f64 {
        if self.values.is_empty() {
            0.5
        } else {
            self.values[i % self.values.len()]
        }
    }

    fn tables(&self) -> Vec<TwoByTwo> {
        self.tables
            .iter()
            .map(|t| {
                let (n1, n2) = (t.n1, t.n2);
                TwoByTwo::new(
                    t.a % n1.saturating_add(1),
                    n1,
                    t.c % n2.saturating_add(1),
                    n2,
                )
            })
            .collect()
    }
}

/// Arbitrary numbers into every estimator and transformation: `fit` under every τ² estimator ×
/// random-effects CI × prediction method, each τ² estimator on its own, the heterogeneity
/// intervals, the subgroup test, every proportion transformation and back-transformation, the
/// per-study binomial CIs, the ratio and median conversions, the median of medians, the
/// two-arm effects, Mantel–Haenszel and Peto, and the distribution quantiles.
pub fn estimators(x: &Numbers) {
    let studies = &x.studies[..x.studies.len().min(MAX_STUDIES)];
    let yi: Vec<f64> = studies.iter().map(|s| s.0).collect();
    let vi: Vec<f64> = studies.iter().map(|s| s.1).collect();
    // `FitSettings` holds a `Level`, which cannot be built outside (0, 1); every function that
    // takes a bare level gets `x.level` as it comes.
    let level = Level::new(x.level).unwrap_or_default();
    for &method_tau in TauMethod::ALL {
        for &random_ci in RandomCi::ALL {
            for &prediction in PredictionMethod::ALL {
                let s = FitSettings {
                    method_tau,
                    random_ci,
                    prediction,
                    level,
                };
                let _ = fit(&yi, &vi, &s);
            }
        }
    }
    // The estimators' documented precondition (checked by `fit`): k ≥ 2, finite yᵢ, vᵢ > 0.
    let valid = yi.len() >= 2
        && yi.iter().all(|y| y.is_finite())
        && vi.iter().all(|&v| v > 0.0 && v.is_finite());
    if valid {
        for &m in TauMethod::ALL {
            let _ = tau2::estimate(m, &yi, &vi, IterControl::default());
        }
    }
    let _ = tau2_interval_q_profile(&yi, &vi, x.level);
    let _ = i2_interval_higgins_thompson(x.value(0), yi.len(), x.level);
    let groups: Vec<(f64, f64)> = studies.iter().map(|&(y, v)| (y, v.abs().sqrt())).collect();
    let _ = subgroup_difference(&groups);

    for (i, &(events, n)) in x.counts.iter().enumerate() {
        for &m in ProportionMeasure::ALL {
            let _ = proportion_effect(events, n, m, x.incr);
            let _ = back_transform(x.value(i), m, n as f64);
            let _ = back_transform(x.value(i), m, x.value(i + 1));
        }
        // proportion_ci returns None for x > n; give it both.
        for &method in StudyCi::ALL {
            let _ = proportion_ci(events, n, x.level, method);
            let _ = proportion_ci(events % n.saturating_add(1), n, x.level, method);
        }
    }
    let ns: Vec<u64> = x.counts.iter().map(|c| c.1).collect();
    let _ = harmonic_mean(&ns);

    let (a, b, c, d) = (x.value(0), x.value(1), x.value(2), x.value(3));
    let _ = log_ratio_from_ci(a, b, c, x.level);
    let _ = log_ratio_from_p(a, b);
    let _ = log_median_from_ci(a, b, c, x.level);
    let _ = log_hr_from_medians((a, b, c), (d, a, b), x.level);
    let _ = median_of_medians(&x.values, None, x.level);
    let weights: Vec<u64> = (0..x.values.len())
        .map(|i| x.weights.get(i).copied().unwrap_or(1))
        .collect();
    let _ = median_of_medians(&x.values, Some(&weights), x.level);
    let mut sorted = x.values.clone();
    sorted.sort_by(f64::total_cmp);
    // `quantile_type7`'s documented precondition: a sorted sample. Any p, empty included
    // (`estimators_13_quantile_beyond_the_sample` was fixed).
    let _ = quantile_type7(&sorted, x.level);

    let tables = x.tables();
    for t in &tables {
        for m in [TwoArmMeasure::Rr, TwoArmMeasure::Or, TwoArmMeasure::Rd] {
            let _ = two_arm_effect(t, m, x.incr);
        }
        let _ = peto_effect(t, x.incr);
    }
    for m in [TwoArmMeasure::Rr, TwoArmMeasure::Or, TwoArmMeasure::Rd] {
        let _ = mantel_haenszel(&tables, m, x.level);
        let _ = mantel_haenszel_weights(&tables, m);
    }
    let _ = peto(&tables, x.level);

    let _ = dist::qnorm(a);
    let _ = dist::z_crit(x.level);
    let _ = dist::p_two_sided_normal(a);
    let _ = dist::qt(a, b);
    let _ = dist::t_crit(x.level, b);
    let _ = dist::p_two_sided_t(a, b);
    let _ = dist::p_chisq_upper(a, b);
    let _ = dist::qchisq(a, b);
    let _ = dist::qbeta(a, b, c);
}
