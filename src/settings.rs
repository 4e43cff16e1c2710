//! Typed analysis settings. Strings such as `REML` or `PLOGIT` become these enums at the edge
//! (the command line or a plan file); the statistical core never matches on strings.

use serde::Serialize;
use std::str::FromStr;
use thiserror::Error;

/// A value that is not one of the spellings of a choice (a `--flag` value or a plan-file key).
///
/// Displays as `invalid {what} '{value}': expected one of A, B, C`, naming the flag and the
/// accepted spellings so that the message says both where the problem is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {what} '{value}': expected one of {}", .expected.join(", "))]
pub struct ChoiceError {
    what: &'static str,
    value: String,
    expected: Vec<&'static str>,
}

impl ChoiceError {
    /// A rejected `value` of `what` (e.g. `"measure (--measure)"`), with the accepted spellings.
    pub fn new(what: &'static str, value: &str, expected: Vec<&'static str>) -> Self {
        ChoiceError {
            what,
            value: value.to_string(),
            expected,
        }
    }

    /// What was being chosen, with its flag, e.g. `"tau² estimator (--method-tau)"`.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The rejected value, as given.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The accepted spellings.
    pub fn expected(&self) -> &[&'static str] {
        &self.expected
    }
}

/// Parses one of a fixed set of spellings (case-insensitive), for use by the CLI and plan files.
/// The error lists the `listed` spellings; `choices` may hold more (hidden aliases).
pub(crate) fn parse_choice<T: Copy>(
    value: &str,
    choices: &[(&'static str, T)],
    listed: &[&'static str],
    what: &'static str,
) -> Result<T, ChoiceError> {
    let lower = value.trim().to_ascii_lowercase();
    choices
        .iter()
        .find(|(name, _)| name.to_ascii_lowercase() == lower)
        .map(|(_, v)| *v)
        .ok_or_else(|| ChoiceError::new(what, value, listed.to_vec()))
}

/// Declares an enum of fixed choices with its canonical spellings, listed aliases (`|`) and
/// hidden aliases (`~`, accepted but not offered in messages): `FromStr`
/// (case-insensitive), `Display`, `Serialize` and `ALL`. Every choice enum of the crate goes
/// through it, so each is parsed and printed the same way.
macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $canon:literal $(| $alias:literal)* $(~ $hidden:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every variant, in the order shown by `--help`.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical spelling used in JSON output and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $canon),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::settings::ChoiceError;
            fn from_str(s: &str) -> Result<Self, $crate::settings::ChoiceError> {
                $crate::settings::parse_choice(
                    s,
                    &[$(($canon, $name::$variant) $(, ($alias, $name::$variant))* $(, ($hidden, $name::$variant))*),+],
                    &[$($canon $(, $alias)*),+],
                    $what,
                )
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

choice_enum!(
    /// Transformation of a single proportion (`meta::metaprop`'s `sm`; metafor's `measure`).
    ProportionMeasure, "transformation (--sm)", {
        /// Logit: log(p / (1 − p)); metafor `PLO`.
        Plogit => "PLOGIT" | "PLO",
        /// Freeman–Tukey double arcsine (Freeman & Tukey 1950).
        Pft => "PFT",
        /// Arcsine square root.
        Pas => "PAS",
        /// Untransformed proportion; metafor `PR`.
        Praw => "PRAW" | "PR",
        /// Log proportion.
        Pln => "PLN",
    }
);

choice_enum!(
    /// Estimator of the between-study variance τ².
    TauMethod, "tau² estimator (--method-tau)", {
        /// Restricted maximum likelihood (Viechtbauer 2005).
        Reml => "REML",
        /// DerSimonian & Laird (1986) method of moments.
        Dl => "DL",
        /// Maximum likelihood (Hardy & Thompson 1996).
        Ml => "ML",
        /// Paule & Mandel (1982).
        Pm => "PM",
        /// Hedges (1983) / Hedges & Olkin (1985) variance component.
        He => "HE",
        /// Sidik & Jonkman (2005).
        Sj => "SJ",
        /// Empirical Bayes (Morris 1983; Berkey et al. 1995).
        Eb => "EB",
        /// Hunter & Schmidt (2004).
        Hs => "HS",
    }
);

choice_enum!(
    /// Confidence interval for the random-effects mean.
    RandomCi, "random-effects CI method (--random-ci)", {
        /// Wald-type interval with normal quantiles.
        Classic => "classic",
        /// Hartung & Knapp (2001) / Sidik & Jonkman (2002): t with k − 1 df, scaled variance.
        Hk => "hk" | "knha",
        /// Hartung–Knapp never narrower than the classic interval (Knapp & Hartung 2003; Röver et al. 2015).
        HkAdhoc => "hk-adhoc" | "adhoc",
    }
);

choice_enum!(
    /// Prediction interval for the effect in a new study.
    PredictionMethod, "prediction interval (--prediction)", {
        /// t quantile with k − 1 df (current `meta` default).
        T => "t",
        /// t quantile with k − 2 df (Higgins, Thompson & Spiegelhalter 2009).
        Hts => "hts",
        /// Normal quantile (metafor with `test = "z"`).
        Z => "z",
        /// No prediction interval.
        None => "none",
    }
);

choice_enum!(
    /// Confidence interval for a single study's proportion.
    StudyCi, "per-study CI method (--ci-study)", {
        /// Exact binomial interval (Clopper & Pearson 1934).
        ClopperPearson => "clopper-pearson" | "cp" | "exact",
        /// Score interval without continuity correction (Wilson 1927).
        Wilson => "wilson" | "ws",
        /// Agresti & Coull (1998).
        AgrestiCoull => "agresti-coull" | "ac",
        /// Jeffreys interval (Brown, Cai & DasGupta 2001).
        Jeffreys => "jeffreys" | "jp",
        /// Normal approximation.
        Wald => "wald" | "nacc",
    }
);

choice_enum!(
    /// The outcome pooled by `alkstats pool`.
    Outcome, "outcome (--outcome)", {
        /// Objective response rate: single-arm proportions.
        Orr => "orr" | "prop",
        /// Two-arm binary data in wide format (events and totals per arm).
        Binary => "binary",
        /// Two-arm continuous data (mean, SD and n per arm).
        Continuous => "continuous",
        /// Generic inverse variance: an estimate with its SE or confidence limits.
        Generic => "generic",
        /// Hazard ratios of randomized comparisons.
        Hr => "hr",
        /// Median progression-free survival of single arms.
        Pfs => "pfs",
    }
);

#[allow(unused_imports)] // used by other modules as they adopt it
pub(crate) use choice_enum;

choice_enum!(
    /// Common-effect method of two-arm comparisons. As in R `meta::metabin`, it chooses the
    /// common-effect estimate; random effects are always inverse-variance.
    CompareMethod, "method (--method)", {
        /// Inverse variance of the study effects.
        Iv => "IV" ~ "inverse",
        /// Mantel–Haenszel on the raw counts (metafor `rma.mh` default).
        Mh => "MH",
        /// Mantel–Haenszel after adding the continuity correction to tables with a zero cell and
        /// leaving out double-zero tables (`meta::metabin(MH.exact = FALSE)`).
        MhCc => "MH-cc" ~ "mhcc",
        /// Peto's odds ratio (Yusuf et al. 1985).
        Peto => "Peto",
    }
);

choice_enum!(
    /// The odds-ratio GLMM of two-arm tables (`--glmm-model`), as metafor's `rma.glmm` names
    /// them (Jackson et al. 2018, Stat Med 37:1059).
    GlmmModel, "GLMM model (--glmm-model)", {
        /// Conditional on each study's total events, exact non-central hypergeometric
        /// likelihood (Stijnen et al. 2010; Jackson et al. 2018 model 7).
        CmEl => "CM.EL",
        /// Conditional, binomial approximation of the hypergeometric (Stijnen et al. 2010).
        CmAl => "CM.AL",
        /// Unconditional, fixed study intercepts (Jackson et al. 2018 model 2).
        UmFs => "UM.FS",
        /// Unconditional, random study intercepts and random treatment effects, uncorrelated
        /// (Turner et al. 2000; metafor `model = "UM.RS"`), by the exact marginal likelihood.
        UmRs => "UM.RS",
    }
);

choice_enum!(
    /// Method of pooling medians.
    MedianMethod, "median method (--method)", {
        /// Inverse variance on ln(median), SE from the 95% CI.
        LogIv => "log-iv" ~ "iv",
        /// Median of medians (McGrath et al. 2019).
        MedianOfMedians => "mm" ~ "median-of-medians",
        /// Median of medians weighted by sample size.
        WeightedMedianOfMedians => "wm" ~ "weighted-median-of-medians",
    }
);

choice_enum!(
    /// The scale of a generic inverse-variance analysis (`--sm` with `--outcome generic`), as
    /// `meta::metagen`'s `sm`: for a ratio the estimates `TE` are on the log scale and results
    /// are back-transformed by `exp`.
    GenericMeasure, "summary measure (--sm)", {
        /// Hazard ratio.
        Hr => "HR",
        /// Odds ratio.
        Or => "OR",
        /// Risk ratio.
        Rr => "RR",
        /// Incidence rate ratio.
        Irr => "IRR",
        /// Ratio of means.
        Rom => "ROM",
        /// Mean difference.
        Md => "MD",
        /// Standardised mean difference.
        Smd => "SMD",
        /// Risk difference.
        Rd => "RD",
        /// Any other effect on its own scale.
        Gen => "GEN",
    }
);

impl GenericMeasure {
    /// Whether `TE` is a log ratio.
    pub fn is_log(self) -> bool {
        matches!(
            self,
            GenericMeasure::Hr
                | GenericMeasure::Or
                | GenericMeasure::Rr
                | GenericMeasure::Irr
                | GenericMeasure::Rom
        )
    }

    /// The analysis scale in words.
    pub fn scale(self) -> &'static str {
        match self {
            GenericMeasure::Hr => "log hazard ratio",
            GenericMeasure::Or => "log odds ratio",
            GenericMeasure::Rr => "log risk ratio",
            GenericMeasure::Irr => "log incidence rate ratio",
            GenericMeasure::Rom => "log ratio of means",
            GenericMeasure::Md => "mean difference",
            GenericMeasure::Smd => "standardised mean difference",
            GenericMeasure::Rd => "risk difference",
            GenericMeasure::Gen => "effect as given",
        }
    }

    /// What is pooled, for titles.
    pub fn what(self) -> &'static str {
        match self {
            GenericMeasure::Hr => "Hazard ratio",
            GenericMeasure::Or => "Odds ratio",
            GenericMeasure::Rr => "Risk ratio",
            GenericMeasure::Irr => "Incidence rate ratio",
            GenericMeasure::Rom => "Ratio of means",
            GenericMeasure::Md => "Mean difference",
            GenericMeasure::Smd => "Standardised mean difference",
            GenericMeasure::Rd => "Risk difference",
            GenericMeasure::Gen => "Effect",
        }
    }

    /// Label of the x axis.
    pub fn axis_label(self) -> &'static str {
        match self {
            GenericMeasure::Hr => "Hazard ratio (log scale)",
            GenericMeasure::Or => "Odds ratio (log scale)",
            GenericMeasure::Rr => "Risk ratio (log scale)",
            GenericMeasure::Irr => "Incidence rate ratio (log scale)",
            GenericMeasure::Rom => "Ratio of means (log scale)",
            other => other.what(),
        }
    }
}

choice_enum!(
    /// Time-to-event endpoint of a hazard ratio.
    Endpoint, "endpoint (--endpoint)", {
        /// Progression-free survival.
        Pfs => "pfs",
        /// Overall survival.
        Os => "os",
    }
);

choice_enum!(
    /// Output format.
    OutputFormat, "output format (--format)", {
        /// Aligned text table for people.
        Table => "table",
        /// JSON per the public contract in docs/json-contract.md.
        Json => "json",
        /// CSV, one row per analysis (plus study rows with `--studies`).
        Csv => "csv",
        /// JSON Lines: one object per analysis with the CSV's columns (`alkstats pool` only).
        Jsonl => "jsonl",
    }
);

/// A confidence level strictly between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Level(f64);

/// A confidence level that is not a number strictly between 0 and 1.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LevelError {
    /// Not a number at all.
    #[error("invalid confidence level '{0}': expected a number such as 0.95")]
    NotANumber(String),
    /// A number outside (0, 1), or not finite.
    #[error("invalid confidence level {0}: expected a number strictly between 0 and 1, e.g. 0.95")]
    OutOfRange(f64),
}

impl Level {
    /// Validates `value ∈ (0, 1)`.
    ///
    /// # Errors
    /// [`LevelError::OutOfRange`] naming the value when it is not strictly between 0 and 1 (or
    /// not finite).
    pub fn new(value: f64) -> Result<Self, LevelError> {
        if value > 0.0 && value < 1.0 {
            Ok(Level(value))
        } else {
            Err(LevelError::OutOfRange(value))
        }
    }

    /// The level as a fraction, e.g. 0.95.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for Level {
    fn default() -> Self {
        Level(0.95)
    }
}

impl FromStr for Level {
    type Err = LevelError;
    fn from_str(s: &str) -> Result<Self, LevelError> {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| LevelError::NotANumber(s.to_string()))?;
        Level::new(v)
    }
}

/// Settings of one random/common-effects fit, independent of the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FitSettings {
    /// τ² estimator.
    pub method_tau: TauMethod,
    /// CI method for the random-effects mean.
    pub random_ci: RandomCi,
    /// Prediction-interval method.
    pub prediction: PredictionMethod,
    /// Confidence level of every interval.
    pub level: Level,
}

impl Default for FitSettings {
    fn default() -> Self {
        FitSettings {
            method_tau: TauMethod::Reml,
            random_ci: RandomCi::Classic,
            prediction: PredictionMethod::T,
            level: Level::default(),
        }
    }
}
