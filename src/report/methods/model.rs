//! The paragraph on the pairwise statistical model: pooling, the τ² estimator, the interval of
//! the random-effects estimate and the prediction interval, each with its citation.

use super::pct;
use super::refs::{Cites, Ref};
use crate::settings::{FitSettings, PredictionMethod, RandomCi, TauMethod};

pub(super) fn tau_text(m: TauMethod, c: &mut Cites) -> String {
    let (what, abbr, refs): (&str, &str, &[Ref]) = match m {
        TauMethod::Reml => (
            "restricted maximum likelihood",
            "REML",
            &[Ref::Viechtbauer2005],
        ),
        TauMethod::Dl => (
            "the method of moments of DerSimonian and Laird",
            "DL",
            &[Ref::DerSimonianLaird1986],
        ),
        TauMethod::Ml => ("maximum likelihood", "ML", &[Ref::HardyThompson1996]),
        TauMethod::Pm => ("the Paule–Mandel estimator", "PM", &[Ref::PauleMandel1982]),
        TauMethod::He => ("the Hedges estimator", "HE", &[Ref::Hedges1983]),
        TauMethod::Sj => (
            "the Sidik–Jonkman estimator",
            "SJ",
            &[Ref::SidikJonkman2005],
        ),
        TauMethod::Eb => (
            "the empirical Bayes estimator",
            "EB",
            &[Ref::Morris1983, Ref::Berkey1995],
        ),
        TauMethod::Hs => (
            "the Hunter–Schmidt estimator",
            "HS",
            &[Ref::HunterSchmidt2004],
        ),
    };
    format!("{what} ({abbr}; {})", c.names(refs))
}

/// The model paragraph of the analyses sharing `fit`; `scope` opens it ("In every analysis,").
pub(super) fn model_text(fit: &FitSettings, scope: &str, c: &mut Cites) -> String {
    let level = pct(fit.level.get());
    let mut t = format!(
        "{scope} study effects were pooled on the analysis scale by a common-effect model with \
         inverse-variance weights and by a random-effects model. The between-study variance τ² \
         was estimated by {}, with its {level}% confidence interval from the Q-profile method {}. ",
        tau_text(fit.method_tau, c),
        c.paren(&[Ref::Viechtbauer2007])
    );
    t.push_str(&match fit.random_ci {
        RandomCi::Classic => "Confidence intervals and tests of the random-effects estimate are \
             Wald-type, with normal quantiles. "
            .to_string(),
        RandomCi::Hk => format!(
            "Confidence intervals and tests of the random-effects estimate use the Hartung–Knapp \
             method, a t distribution with k − 1 degrees of freedom and a scaled variance {}. ",
            c.paren(&[Ref::HartungKnapp2001, Ref::SidikJonkman2002])
        ),
        RandomCi::HkAdhoc => format!(
            "Confidence intervals and tests of the random-effects estimate use the Hartung–Knapp \
             method (t with k − 1 degrees of freedom) with the ad hoc modification that the \
             interval is never narrower than the Wald-type one {}. ",
            c.paren(&[Ref::HartungKnapp2001, Ref::KnappHartung2003, Ref::Rover2015])
        ),
    });
    t.push_str(&match fit.prediction {
        PredictionMethod::T => format!(
            "Prediction intervals for the effect in a new study use the random-effects estimate, \
             its Wald-type standard error and τ², with a t distribution with k − 1 degrees of \
             freedom (the current default of R meta; {} proposed k − 2); they are given for \
             k ≥ 3. ",
            c.names(&[Ref::HigginsThompsonSpiegelhalter2009])
        ),
        PredictionMethod::Hts => format!(
            "Prediction intervals for the effect in a new study use the random-effects estimate, \
             its Wald-type standard error and τ², with a t distribution with k − 2 degrees of \
             freedom {}; they are given for k ≥ 3. ",
            c.paren(&[Ref::HigginsThompsonSpiegelhalter2009])
        ),
        PredictionMethod::Z => "Prediction intervals for the effect in a new study use the \
             random-effects estimate, its Wald-type standard error and τ², with normal quantiles \
             (as metafor's predict()); they are given for k ≥ 3. "
            .to_string(),
        PredictionMethod::None => "No prediction intervals were computed. ".to_string(),
    });
    t.push_str(&format!("All intervals are {level}% intervals."));
    t
}
