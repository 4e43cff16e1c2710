//! Inputs that made a fuzz target (`fuzz/`, see `fuzz/README.md`) panic or hang, each replayed
//! here so that the fix stays fixed. A test passes when the code returns — `Ok` or `Err` alike —
//! within [`LIMIT`]; it fails on a panic (including an arithmetic overflow, which only debug
//! builds such as `cargo test` and fuzz builds check) or on a hang.
//!
//! The CSV inputs run through the fuzz targets' own code ([`paths`], included from
//! `fuzz/src/lib.rs`). The `estimators` inputs are bytes decoded by the `arbitrary` crate, which
//! the main crate does not depend on: their tests call the function that failed with the values
//! `cargo fuzz fmt estimators tests/fuzz_regressions/estimators-N.bin` prints.
//!
//! Line numbers are those of the code that failed, before the fixes of commit d6976bb.

#[path = "../fuzz/src/lib.rs"]
mod paths;

use alkstats::analysis::group::Grouping;
use alkstats::analysis::median_pfs::{pool_medians, MedianMethod, MedianSettings};
use alkstats::data::load_arms;
use alkstats::dist;
use alkstats::effect::binomial_ci::proportion_ci;
use alkstats::effect::median::{median_of_medians, quantile_type7};
use alkstats::effect::ratio::log_ratio_from_p;
use alkstats::fit::heterogeneity::{i2_interval_higgins_thompson, tau2_interval_q_profile};
use alkstats::settings::{FitSettings, StudyCi};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// How long a replay may take. Every input here is tiny; a correct answer takes microseconds.
const LIMIT: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and returns its value, failing the test if it panics or has not
/// returned after [`LIMIT`] (a hung thread is left behind; the test binary ends it on exit).
fn returns<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(LIMIT) {
        Ok(value) => value,
        Err(RecvTimeoutError::Timeout) => panic!("{what}: still running after {LIMIT:?}"),
        Err(RecvTimeoutError::Disconnected) => panic!("{what}: panicked (message above)"),
    }
}

// ---- The seed corpora: every fuzzed code path runs clean on the shipped files. ----

#[test]
fn seed_corpus_runs_through_every_path() {
    let files: [&[u8]; 3] = [
        include_bytes!("../data/alk_nsclc_arms.csv"),
        include_bytes!("../data/alk_nsclc_hr.csv"),
        include_bytes!("inputs/arms_small.csv"),
    ];
    for bytes in files {
        returns("load_and_pool", move || paths::load_and_pool(bytes));
        returns("load_hr", move || paths::load_hr_and_pool(bytes));
    }
    let typical = paths::Numbers {
        studies: vec![(0.41, 0.03), (0.12, 0.05), (0.66, 0.02), (0.30, 0.04)],
        level: 0.95,
        counts: vec![(0, 10), (5, 10), (87, 143), (10, 10)],
        incr: 0.5,
        values: vec![-1.2, 0.3, 0.5, 2.0],
        tables: vec![
            paths::Counts {
                a: 12,
                n1: 40,
                c: 5,
                n2: 38,
            },
            paths::Counts {
                a: 0,
                n1: 20,
                c: 3,
                n2: 21,
            },
        ],
        weights: vec![40, 38, 20, 21],
    };
    returns("estimators", move || paths::estimators(&typical));
}

// ---- load_and_pool ----

/// `tests/fuzz_regressions/load_and_pool-1.csv`, written by hand from `estimators-11.bin` (the
/// CSV fuzzer did not reach it in 10 minutes): two arms with n = u64::MAX and a median PFS.
/// `pool_medians` sums n into `u64`: "attempt to add with overflow" at
/// `src/analysis/median_pfs.rs:119` (`n_total`); in a release build the sum wraps and the
/// report gives a total n smaller than either arm's.
#[test]
fn load_and_pool_1_arm_sizes_summing_past_u64() {
    let bytes: &[u8] = include_bytes!("fuzz_regressions/load_and_pool-1.csv");
    returns("load_and_pool", move || paths::load_and_pool(bytes));
    let (arms, headers) = load_arms("load_and_pool-1.csv", bytes).expect("the file is valid");
    let s = MedianSettings {
        method: MedianMethod::MedianOfMedians,
        fit: FitSettings::default(),
        grouping: Grouping::None,
        keep_overlapping: false,
    };
    let report = returns("pool_medians", move || {
        pool_medians(&arms, &headers, "load_and_pool-1.csv", &s)
    });
    if let Ok(r) = report {
        for a in &r.analyses {
            assert!(a.n >= Some(u64::MAX), "total n wrapped around: {:?}", a.n);
        }
    }
}

/// `tests/fuzz_regressions/load_and_pool-2.csv`, written by hand from `estimators-12.bin`:
/// three arms whose n add up to within 2⁹ of 2⁶⁴, pooled by the weighted median of medians. The rank (total − 1)·p rounds up to 2⁶⁴ as
/// an f64, `as u64` saturates, and `lo + 1` overflows at `src/effect/median.rs:79`.
#[test]
fn load_and_pool_2_arm_sizes_summing_close_to_u64() {
    let bytes: &[u8] = include_bytes!("fuzz_regressions/load_and_pool-2.csv");
    returns("load_and_pool", move || paths::load_and_pool(bytes));
}

/// `tests/fuzz_regressions/load_and_pool-3.csv`, as the fuzzer wrote it (`cargo fuzz tmin` does
/// not shrink hangs): a mutated shipped file whose second arm has n = 1899999999999999943 and
/// 87 responders. The default per-study CI (Clopper–Pearson) calls `dist::qbeta` with
/// b ≈ 1.9e18, and statrs' `inv_beta_reg` never returns (from `src/effect/binomial_ci.rs:34`).
/// Clopper–Pearson is the default per-study CI of `alkstats pool`. Any n beyond about 10⁷ did it (one row with
/// n = 100000000 and 5 responders is enough).
#[test]
fn load_and_pool_3_exact_ci_of_a_huge_arm_hangs() {
    let bytes: &[u8] = include_bytes!("fuzz_regressions/load_and_pool-3.csv");
    returns("load_and_pool", move || paths::load_and_pool(bytes));
}

// ---- estimators ----

/// `estimators-1.bin` (empty input: no studies). `tau2_interval_q_profile` computes
/// `yi.len() - 1`: "attempt to subtract with overflow" at `src/fit/heterogeneity.rs:93`.
#[test]
fn estimators_1_q_profile_interval_of_no_studies() {
    returns("tau2_interval_q_profile", || {
        tau2_interval_q_profile(&[], &[], 0.95)
    });
}

/// `estimators-2.bin`: level = f64::MIN. `i2_interval_higgins_thompson` passes it to
/// `dist::z_crit` → `qnorm(−∞)`, and statrs panics "x must be in [0, 1]"
/// (`statrs-0.18.0/src/distribution/normal.rs:174`, from `src/dist.rs:83`).
#[test]
fn estimators_2_level_outside_unit_interval() {
    returns("i2_interval_higgins_thompson", || {
        i2_interval_higgins_thompson(0.5, 0, f64::MIN)
    });
}

/// `estimators-3.bin`: ratio = p = +∞. `log_ratio_from_p` computes `qnorm(1 − p/2)` = qnorm(−∞):
/// the same statrs panic, from `src/effect/ratio.rs:39`.
#[test]
fn estimators_3_p_value_outside_its_range() {
    returns("log_ratio_from_p", || {
        log_ratio_from_p(f64::INFINITY, f64::INFINITY)
    });
}

/// `estimators-4.bin`: `dist::qt(1.89776e-319, 1.89776e-319)`. Both arguments pass its checks
/// (0 < p < 1, df > 0); statrs' `StudentsT::inverse_cdf` → `inv_beta_reg` panics "called
/// `Result::unwrap()` on an `Err` value: XOutOfRange" (`statrs-0.18.0/src/function/beta.rs:125`,
/// from `src/dist.rs:120`). Any p below about 1e-160 does it, whatever df (e.g. qt(1e-200, 1));
/// `qbeta` likewise, and `qchisq` for tiny df.
#[test]
fn estimators_4_tiny_probability_in_t_quantile() {
    returns("qt", || dist::qt(1.89776e-319, 1.89776e-319));
    returns("qt", || dist::qt(1e-200, 1.0));
    returns("qbeta", || dist::qbeta(1e-200, 2.0, 3.0));
}

/// `estimators-5.bin`: `dist::t_crit(0.95, 3.1525573e-317)` (a subnormal df) never returns:
/// statrs' `inv_beta_reg` loops (`statrs-0.18.0/src/function/beta.rs:387`, from
/// `src/dist.rs:120`).
#[test]
fn estimators_5_subnormal_df_in_t_quantile() {
    returns("t_crit", || dist::t_crit(0.95, 3.1525573e-317));
}

/// `estimators-6.bin`: `dist::p_two_sided_t(5e-324, 5e-324)`: df/2 underflows to 0 and statrs'
/// `beta_reg` panics "called `Result::unwrap()` on an `Err` value: ANotGreaterThanZero"
/// (`statrs-0.18.0/src/function/beta.rs:125`, from `src/dist.rs:145`). Found next to it:
/// `p_chisq_upper(5e-324, df)` panics the same way for any df (`q <= 0.0` lets it through).
#[test]
fn estimators_6_subnormal_df_in_t_p_value() {
    returns("p_two_sided_t", || dist::p_two_sided_t(5e-324, 5e-324));
    returns("p_chisq_upper", || dist::p_chisq_upper(5e-324, 1.0));
}

/// `estimators-7.bin`: two studies with NaN effects. `tau2_interval_q_profile` does not check
/// its input (only `fit` does); `EffectRange::of` gives min = ∞, max = −∞ and `f64::clamp`
/// panics "min > max, or either was NaN. min = inf, max = -inf" at
/// `src/fit/tau2/mod.rs:141`.
#[test]
fn estimators_7_q_profile_interval_of_nan_effects() {
    returns("tau2_interval_q_profile", || {
        tau2_interval_q_profile(&[f64::NAN, f64::NAN], &[f64::NAN, 1.2683e-320], 0.0)
    });
}

/// `estimators-8.bin`: `dist::p_chisq_upper(1e300, 1e300)` never returns: statrs'
/// `checked_gamma_lr` series takes time growing with df (`statrs-0.18.0/src/function/gamma.rs:318`,
/// from `src/dist.rs:160`); df = 1e15 already takes 0.3 s.
#[test]
fn estimators_8_huge_df_in_chi_square_p_value() {
    returns("p_chisq_upper", || dist::p_chisq_upper(1e300, 1e300));
}

/// `estimators-9.bin`: `proportion_ci(6, 78490556899880, 2.22e-16, ClopperPearson)` never
/// returns: `dist::qbeta` → statrs' `inv_beta_reg` loops (from `src/effect/binomial_ci.rs:34`).
/// It happens for any n beyond about 10⁷ (see `load_and_pool_3_exact_ci_of_a_huge_arm_hangs`);
/// the Jeffreys interval calls the same function.
#[test]
fn estimators_9_exact_ci_for_a_huge_study() {
    returns("proportion_ci", || {
        proportion_ci(
            6,
            78_490_556_899_880,
            2.220446049250313e-16,
            StudyCi::ClopperPearson,
        )
    });
    returns("proportion_ci", || {
        proportion_ci(5, 100_000_000, 0.95, StudyCi::Jeffreys)
    });
}

/// `estimators-10.bin`: `dist::t_crit(1.52587890625e-5, 1e300)` never returns: statrs'
/// `inv_beta_reg` loops (`statrs-0.18.0/src/function/beta.rs:387`, from `src/dist.rs:120`).
#[test]
fn estimators_10_huge_df_in_t_quantile() {
    returns("t_crit", || dist::t_crit(1.52587890625e-5, 1e300));
}

/// `estimators-11.bin`: weights 65535 and 18446744073709551398. `median_of_medians` sums them
/// into `u64`: "attempt to add with overflow" at `src/effect/median.rs:61`.
#[test]
fn estimators_11_weights_summing_past_u64() {
    returns("median_of_medians", || {
        median_of_medians(
            &[0.95, -2.7794489070687443e228],
            Some(&[65535, 18_446_744_073_709_551_398]),
            0.95,
        )
    });
}

/// `estimators-12.bin`: weights summing to 2⁶⁴ − 219. The rank (total − 1)·p rounds to 2⁶⁴,
/// `as u64` saturates and `lo + 1` overflows: "attempt to add with overflow" at
/// `src/effect/median.rs:79`.
#[test]
fn estimators_12_weights_summing_close_to_u64() {
    returns("median_of_medians", || {
        median_of_medians(
            &[1.7976931348623157e308, 0.0, 0.3281097412109375],
            Some(&[18_446_744_073_709_551_395, 1, 1]),
            0.95,
        )
    });
}

/// `estimators-13.bin` (found after the fixes above): `quantile_type7(&[0.0, 0.0312…], 26.367)`
/// indexes the sample at ⌊(k − 1)·p⌋: "index out of bounds: the len is 2 but the index is 26"
/// at `src/effect/median.rs:44`. Its documentation asks for a sorted, non-empty sample but says
/// nothing of p.
#[test]
fn estimators_13_quantile_beyond_the_sample() {
    returns("quantile_type7", || {
        quantile_type7(&[0.0, 0.0312347412109375], 26.367)
    });
}
