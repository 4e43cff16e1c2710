//! The `bias` kind of a plan: small-study effects (`alkstats bias`) of a pooled analysis —
//! its funnel plot with trim-and-fill, the tests for funnel-plot asymmetry and trim-and-fill.
//!
//! ```toml
//! [[analysis]]
//! id = "orr_crizotinib_bias"
//! kind = "bias"
//! outcome = "orr"              # the pooled analysis: orr, orr-compare, hr or pfs, with its keys
//! by = "drug"
//! group = "crizotinib"         # one subgroup of `by`; default: every group
//! tests = ["egger", "begg"]    # default: every asymmetry test that applies, and trimfill
//! k_min = 10                   # fewest studies for the asymmetry tests (meta's k.min)
//! estimator = "L0"             # trim-and-fill: L0 or R0
//! side = "left"                # trim-and-fill side; default: chosen as metafor does
//! selection_alternative = "greater"
//! funnel = true                # the trim-and-fill funnel plot (default true)
//! ```

use super::kind::AnalysisKind;
use super::parse::{opt, Ctx};
use super::raw::RawAnalysis;
use super::spec::AnalysisSpec;
use crate::methods::bias::{BiasSettings, BiasTest, SelectionAlternative, TrimFillEstimator};
use crate::report::ReportError;
use toml::Spanned;

/// Keys that only the `bias` kind takes.
pub(super) const KEYS: [&str; 7] = [
    "outcome",
    "group",
    "tests",
    "k_min",
    "estimator",
    "side",
    "selection_alternative",
];

/// The pooled analyses a `bias` analysis can test.
const OUTCOMES: [AnalysisKind; 4] = [
    AnalysisKind::Orr,
    AnalysisKind::OrrCompare,
    AnalysisKind::Hr,
    AnalysisKind::Pfs,
];

/// Small-study effects of a pooled analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct BiasSpec {
    /// The pooled analysis whose fitted models the methods work on.
    pub pooled: Box<AnalysisSpec>,
    /// The subgroup of its `by` to test; `None` for every group.
    pub group: Option<String>,
    /// The methods and their settings.
    pub methods: BiasSettings,
}

/// The kind of pooled analysis a `bias` analysis names in `outcome` (required).
pub(super) fn outcome(ctx: &Ctx<'_>, r: &RawAnalysis) -> Result<AnalysisKind, ReportError> {
    let names = || {
        OUTCOMES
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let v = r.outcome.as_ref().ok_or_else(|| {
        ctx.error(
            &r.kind.span(),
            format!("kind 'bias' needs outcome = one of {}", names()),
        )
    })?;
    let kind: AnalysisKind = ctx.parse("outcome", v)?;
    if !OUTCOMES.contains(&kind) {
        return Err(ctx.error(
            &v.span(),
            format!(
                "outcome: '{kind}' has no small-study methods; expected one of {}",
                names()
            ),
        ));
    }
    Ok(kind)
}

/// The keys a `bias` analysis of `outcome` takes: the pooled analysis' own (but its forest
/// plot) and those of the methods.
pub(super) fn keys(outcome: AnalysisKind) -> Vec<&'static str> {
    outcome
        .keys()
        .iter()
        .copied()
        .filter(|k| !k.starts_with("forest") && *k != "overall")
        .chain(KEYS)
        .collect()
}

/// The `bias` analysis of the validated pooled analysis `pooled`.
pub(super) fn spec(
    ctx: &Ctx<'_>,
    r: &RawAnalysis,
    pooled: AnalysisSpec,
) -> Result<AnalysisSpec, ReportError> {
    let mut methods = BiasSettings::default();
    if let Some(v) = &r.tests {
        let mut tests = Vec::new();
        for name in v.get_ref() {
            let t = name
                .parse::<BiasTest>()
                .map_err(|e| ctx.error(&v.span(), format!("tests: {e}")))?;
            if !tests.contains(&t) {
                tests.push(t);
            }
        }
        methods.tests = tests;
    }
    if let Some(v) = &r.k_min {
        methods.k_min = usize::try_from(*v.get_ref())
            .ok()
            .filter(|&k| k >= 1)
            .ok_or_else(|| {
                ctx.error(
                    &v.span(),
                    format!(
                        "k_min: {} is not allowed; expected a whole number ≥ 1 such as 10",
                        v.get_ref()
                    ),
                )
            })?;
    }
    methods.estimator = opt(ctx, "estimator", &r.estimator, TrimFillEstimator::L0)?;
    methods.side = r.side.as_ref().map(|v| ctx.parse("side", v)).transpose()?;
    methods.alternative = opt(
        ctx,
        "selection_alternative",
        &r.selection_alternative,
        SelectionAlternative::Greater,
    )?;
    let group = r.group.as_ref().map(Spanned::get_ref).cloned();
    if group.is_some() && pooled.grouping().is_some_and(|g| g.label() == "none") {
        let span = r.group.as_ref().map_or(r.kind.span(), Spanned::span);
        return Err(ctx.error(
            &span,
            "group: picks a subgroup of `by`; it does not apply with by = \"none\"",
        ));
    }
    Ok(AnalysisSpec::Bias(BiasSpec {
        pooled: Box::new(pooled),
        group,
        methods,
    }))
}

impl BiasSpec {
    /// The `alkstats bias` arguments that print this analysis, every setting spelled out.
    pub fn command_args(&self, data: Option<&str>) -> Vec<String> {
        let mut a = self.pooled.command_args(data);
        a[0] = "bias".into();
        let mut push = |name: &str, value: String| {
            a.push(name.to_string());
            a.push(value);
        };
        if let Some(g) = &self.group {
            push("--group", g.clone());
        }
        let m = &self.methods;
        let tests: Vec<&str> = m.tests.iter().map(|t| t.as_str()).collect();
        push("--test", tests.join(","));
        push("--k-min", m.k_min.to_string());
        push("--estimator", m.estimator.to_string());
        if let Some(side) = m.side {
            push("--side", side.to_string());
        }
        push("--selection-alternative", m.alternative.to_string());
        a
    }
}

#[cfg(test)]
mod tests {
    use crate::report::plan::{AnalysisSpec, Plan};
    use crate::report::ReportError;

    fn parse(keys: &str) -> Result<Plan, ReportError> {
        let text = format!("title = \"T\"\n[[analysis]]\nid = \"b\"\nkind = \"bias\"\n{keys}\n");
        Plan::parse("p.toml", &text)
    }

    fn message(keys: &str) -> String {
        match parse(keys) {
            Err(ReportError::Plan { line, message, .. }) => format!("{line}: {message}"),
            other => panic!("expected a plan error, got {other:?}"),
        }
    }

    #[test]
    fn a_bias_analysis_is_its_pooled_analysis_with_the_methods() {
        let plan = parse(
            "outcome = \"orr\"\nby = \"drug\"\ngroup = \"crizotinib\"\nsm = \"PFT\"\n\
             tests = [\"egger\", \"trimfill\"]\nk_min = 5\nestimator = \"R0\"",
        )
        .unwrap();
        let a = &plan.analyses[0];
        let AnalysisSpec::Bias(b) = &a.spec else {
            panic!("{:?}", a.spec)
        };
        assert!(matches!(b.pooled.as_ref(), AnalysisSpec::Orr(s) if s.sm.as_str() == "PFT"));
        assert_eq!(b.group.as_deref(), Some("crizotinib"));
        assert_eq!(b.methods.k_min, 5);
        assert!(a.figures.funnel && !a.figures.forest);
        let args = a.spec.command_args(None).join(" ");
        assert!(
            args.starts_with("bias --outcome orr --by drug --sm PFT"),
            "{args}"
        );
        assert!(args.contains("--group crizotinib --test egger,trimfill --k-min 5 --estimator R0"));
        assert_eq!(a.title, "Small-study effects by drug");
    }

    #[test]
    fn bad_bias_keys_are_located_and_explained() {
        assert!(message("").contains("kind 'bias' needs outcome"));
        assert!(message("outcome = \"network\"").contains("has no small-study methods"));
        let m = message("outcome = \"orr\"\nforest = true");
        assert!(
            m.starts_with("6: ") && m.contains("key 'forest' does not apply"),
            "{m}"
        );
        let m = message("outcome = \"hr\"\nsm = \"PFT\"");
        assert!(m.contains("key 'sm' does not apply"), "{m}");
        assert!(message("outcome = \"orr\"\ntests = [\"funnel\"]").contains("tests: invalid test"));
        assert!(message("outcome = \"orr\"\nk_min = 0").contains("k_min: 0 is not allowed"));
        assert!(
            message("outcome = \"orr\"\nby = \"none\"\ngroup = \"x\"").contains("by = \"none\"")
        );
    }
}
