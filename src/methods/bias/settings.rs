//! The typed settings of the small-study methods: which methods to run and how. The command
//! line (`alkstats bias`) and report plans build a [`BiasSettings`]; the methods never see
//! strings.

use crate::settings::choice_enum;

choice_enum!(
    /// A small-study method of `alkstats bias --test`.
    BiasTest, "test (--test)", {
        /// Egger et al. (1997) regression test.
        Egger => "egger",
        /// Begg & Mazumdar (1994) rank correlation test.
        Begg => "begg" | "rank",
        /// Peters et al. (2006) regression on 1/n (binary data and proportions).
        Peters => "peters",
        /// Harbord et al. (2006) score-based test (two-arm binary data).
        Harbord => "harbord" | "score",
        /// Thompson & Sharp (1999): Egger's regression with additive between-study variance.
        ThompsonSharp => "thompson-sharp" | "thompson",
        /// Duval & Tweedie (2000) trim-and-fill.
        TrimFill => "trimfill" | "trim-and-fill",
        /// Vevea & Hedges (1995) step-function selection model.
        Selection => "selection" | "selmodel",
        /// Stanley & Doucouliagos (2014) PET-PEESE.
        PetPeese => "pet-peese",
    }
);

impl BiasTest {
    /// The methods run when `--test` is not given: every asymmetry test that applies, and
    /// trim-and-fill (the selection model and PET-PEESE are asked for by name).
    pub const DEFAULT: &'static [BiasTest] = &[
        BiasTest::Egger,
        BiasTest::Begg,
        BiasTest::Peters,
        BiasTest::Harbord,
        BiasTest::ThompsonSharp,
        BiasTest::TrimFill,
    ];

    /// Whether `--k-min` applies: the tests for funnel-plot asymmetry (as
    /// `meta::metabias`' `k.min`), not the adjustment methods.
    pub fn is_asymmetry_test(self) -> bool {
        !matches!(
            self,
            BiasTest::TrimFill | BiasTest::Selection | BiasTest::PetPeese
        )
    }
}

choice_enum!(
    /// Estimator of the number of missing studies in trim-and-fill (Duval & Tweedie 2000).
    TrimFillEstimator, "trim-and-fill estimator (--estimator)", {
        /// The linear estimator L0 (metafor's and meta's default).
        L0 => "L0",
        /// The run estimator R0.
        R0 => "R0",
    }
);

choice_enum!(
    /// Side of the funnel plot on which trim-and-fill imputes missing studies.
    FunnelSide, "side (--side)", {
        /// Studies are missing on the left (smaller effects).
        Left => "left",
        /// Studies are missing on the right (larger effects).
        Right => "right",
    }
);

choice_enum!(
    /// Direction of the one-sided p-values on which the selection model assumes selection.
    SelectionAlternative, "selection direction (--selection-alternative)", {
        /// Significant positive effects are favoured (metafor's default).
        Greater => "greater",
        /// Significant negative effects are favoured (e.g. hazard ratios below 1).
        Less => "less",
    }
);

/// What `alkstats bias` runs and how.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasSettings {
    /// Methods to run, in the order given; [`BiasTest::DEFAULT`] when the user names none.
    pub tests: Vec<BiasTest>,
    /// Fewest studies for the asymmetry tests (meta's `k.min`, default 10).
    pub k_min: usize,
    /// Trim-and-fill estimator.
    pub estimator: TrimFillEstimator,
    /// Trim-and-fill side; `None` to choose it as metafor does.
    pub side: Option<FunnelSide>,
    /// Direction of selection in the selection model.
    pub alternative: SelectionAlternative,
}

impl Default for BiasSettings {
    fn default() -> Self {
        BiasSettings {
            tests: BiasTest::DEFAULT.to_vec(),
            k_min: 10,
            estimator: TrimFillEstimator::L0,
            side: None,
            alternative: SelectionAlternative::Greater,
        }
    }
}

impl BiasSettings {
    /// Whether `test` is to be run.
    pub fn runs(&self, test: BiasTest) -> bool {
        self.tests.contains(&test)
    }

    /// Whether the user named the methods (so that one that does not apply is worth a warning).
    pub fn explicit(&self) -> bool {
        self.tests.as_slice() != BiasTest::DEFAULT
    }
}
