//! Validation of a plan document: TOML syntax and unknown keys (located by toml), the shared
//! `[settings]`, the data paths and figure resolution, unique ids; and the helpers that turn a
//! spanned value into a typed one or into an error naming its file, line and column.

use super::analysis::analysis;
use super::raw::{RawPlan, RawShared};
use super::{AnalysisPlan, DataFiles, Plan};
use crate::report::ReportError;
use crate::settings::{FitSettings, Level, PredictionMethod, RandomCi, TauMethod};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use toml::Spanned;

/// Locates a byte span of `text` as a 1-based (line, column).
fn line_col(text: &str, span: &Range<usize>) -> (usize, usize) {
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The plan being read: its name for messages, and its text to turn spans into lines.
pub(super) struct Ctx<'a> {
    pub(super) name: &'a str,
    pub(super) text: &'a str,
}

impl Ctx<'_> {
    pub(super) fn error(&self, span: &Range<usize>, message: impl Into<String>) -> ReportError {
        let (line, column) = line_col(self.text, span);
        ReportError::Plan {
            file: self.name.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Parses a value spelled as on the command line; the error keeps the key and the place.
    pub(super) fn parse<T>(&self, key: &str, v: &Spanned<String>) -> Result<T, ReportError>
    where
        T: FromStr,
        T::Err: fmt::Display,
    {
        v.get_ref()
            .parse()
            .map_err(|e: T::Err| self.error(&v.span(), format!("{key}: {e}")))
    }
}

pub(super) fn level(ctx: &Ctx<'_>, v: &Spanned<f64>) -> Result<Level, ReportError> {
    Level::new(*v.get_ref()).map_err(|e| ctx.error(&v.span(), format!("level: {e}")))
}

/// Shared settings after `[settings]`, before per-analysis overrides.
pub(super) struct Shared {
    pub(super) fit: FitSettings,
    pub(super) keep_overlapping: bool,
    /// Where `[settings]` set method_tau, to locate an estimator a network cannot use.
    pub(super) method_tau_span: Option<Range<usize>>,
}

fn shared(ctx: &Ctx<'_>, raw: &RawShared) -> Result<Shared, ReportError> {
    let mut fit = FitSettings::default();
    if let Some(v) = &raw.method_tau {
        fit.method_tau = ctx.parse::<TauMethod>("method_tau", v)?;
    }
    if let Some(v) = &raw.random_ci {
        fit.random_ci = ctx.parse::<RandomCi>("random_ci", v)?;
    }
    if let Some(v) = &raw.prediction {
        fit.prediction = ctx.parse::<PredictionMethod>("prediction", v)?;
    }
    if let Some(v) = &raw.level {
        fit.level = level(ctx, v)?;
    }
    Ok(Shared {
        fit,
        keep_overlapping: raw.keep_overlapping.unwrap_or(false),
        method_tau_span: raw.method_tau.as_ref().map(Spanned::span),
    })
}

pub(super) fn incr(ctx: &Ctx<'_>, v: Option<&Spanned<f64>>) -> Result<f64, ReportError> {
    match v {
        None => Ok(0.5),
        Some(v) if v.get_ref().is_finite() && *v.get_ref() >= 0.0 => Ok(*v.get_ref()),
        Some(v) => Err(ctx.error(
            &v.span(),
            format!(
                "incr: {} is not allowed; expected a non-negative number such as 0.5",
                v.get_ref()
            ),
        )),
    }
}

/// The value of an optional key, or `default` where the key is absent.
pub(super) fn opt<T>(
    ctx: &Ctx<'_>,
    key: &str,
    v: &Option<Spanned<String>>,
    default: T,
) -> Result<T, ReportError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    v.as_ref().map_or(Ok(default), |v| ctx.parse(key, v))
}

pub(super) fn flag(v: &Option<Spanned<bool>>, default: bool) -> bool {
    v.as_ref().map_or(default, |b| *b.get_ref())
}

fn path_value(
    ctx: &Ctx<'_>,
    key: &str,
    v: &Option<Spanned<String>>,
) -> Result<Option<String>, ReportError> {
    match v {
        Some(p) if p.get_ref().trim().is_empty() => Err(ctx.error(
            &p.span(),
            format!("data.{key}: empty path; expected a CSV file, or leave the key out for the embedded data"),
        )),
        Some(p) => Ok(Some(p.get_ref().clone())),
        None => Ok(None),
    }
}

impl Plan {
    /// Parses and validates a plan. `name` is used in messages and provenance.
    ///
    /// # Errors
    /// [`ReportError::Plan`] naming the file, line and column: TOML syntax, an unknown key
    /// (with the keys expected), a value outside its choices, a key that does not apply to an
    /// analysis' kind, a duplicate id, or a plan without analyses.
    pub fn parse(name: &str, text: &str) -> Result<Plan, ReportError> {
        let ctx = Ctx { name, text };
        let raw: RawPlan = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            ctx.error(&span, e.message().trim().to_string())
        })?;
        let defaults = shared(&ctx, raw.settings.as_ref().unwrap_or(&RawShared::default()))?;
        if raw.analysis.is_empty() {
            return Err(ctx.error(
                &(text.len()..text.len()),
                "the plan has no [[analysis]] table; expected at least one, e.g. [[analysis]] id = \"orr\" kind = \"orr\"",
            ));
        }
        let mut analyses: Vec<AnalysisPlan> = Vec::with_capacity(raw.analysis.len());
        for a in &raw.analysis {
            let plan = analysis(&ctx, a, &defaults, &analyses)?;
            if analyses.iter().any(|p| p.id == plan.id) {
                return Err(ctx.error(
                    &a.get_ref().id.span(),
                    format!(
                        "id: '{}' is used by an earlier analysis; expected unique ids",
                        plan.id
                    ),
                ));
            }
            analyses.push(plan);
        }
        let data = match &raw.data {
            Some(d) => DataFiles {
                arms: path_value(&ctx, "arms", &d.arms)?,
                hr: path_value(&ctx, "hr", &d.hr)?,
            },
            None => DataFiles::default(),
        };
        let dpi = match raw.figures.as_ref().and_then(|f| f.dpi.as_ref()) {
            Some(v) if v.get_ref().is_finite() && (30.0..=1200.0).contains(v.get_ref()) => {
                *v.get_ref()
            }
            Some(v) => {
                return Err(ctx.error(
                    &v.span(),
                    format!(
                        "figures.dpi: {} is out of range; expected a number from 30 to 1200",
                        v.get_ref()
                    ),
                ))
            }
            None => 100.0,
        };
        if raw.title.get_ref().trim().is_empty() {
            return Err(ctx.error(
                &raw.title.span(),
                "title: empty; expected the report's title",
            ));
        }
        Ok(Plan {
            name: name.to_string(),
            text: text.to_string(),
            title: raw.title.into_inner(),
            summary: raw.summary,
            data,
            dpi,
            analyses,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::proportion::ProportionSettings;
    use crate::network::NetworkModel;
    use crate::report::plan::AnalysisSpec;

    const MINIMAL: &str = "title = \"T\"\n[[analysis]]\nid = \"a\"\nkind = \"orr\"\n";

    fn err(text: &str) -> String {
        Plan::parse("p.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn minimal_plan_gets_the_pool_defaults() {
        let p = Plan::parse("p.toml", MINIMAL).unwrap();
        assert_eq!(p.analyses.len(), 1);
        assert_eq!(
            p.analyses[0].spec,
            AnalysisSpec::Orr(ProportionSettings::default())
        );
        assert_eq!(p.analyses[0].title, "Objective response rate by drug");
        assert!(p.analyses[0].figures.forest && !p.analyses[0].figures.funnel);
        assert_eq!(p.dpi, 100.0);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let e = err(&format!("{MINIMAL}colour = \"red\"\n"));
        assert!(e.starts_with("p.toml:5:1: "), "{e}");
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn unknown_top_level_table_is_rejected() {
        let e = err(&format!("{MINIMAL}[output]\nx = 1\n"));
        assert!(e.starts_with("p.toml:5:"), "{e}");
        assert!(e.contains("output"), "{e}");
    }

    #[test]
    fn key_of_another_kind_is_rejected_where_it_is() {
        let text = "title = \"T\"\n[[analysis]]\nid = \"h\"\nkind = \"hr\"\nsm = \"PFT\"\n";
        let e = err(text);
        assert!(e.starts_with("p.toml:5:6: "), "{e}");
        assert!(
            e.contains("'sm' does not apply to kind 'hr'; kind 'hr' takes: id, kind, title, by,"),
            "{e}"
        );
    }

    #[test]
    fn bad_value_lists_the_choices() {
        let e = err(&MINIMAL.replace("kind = \"orr\"", "kind = \"orr\"\nmethod_tau = \"XX\""));
        assert!(e.starts_with("p.toml:5:14: method_tau: invalid"), "{e}");
        assert!(e.contains("REML"), "{e}");
    }

    #[test]
    fn unknown_kind_lists_the_kinds() {
        let e = err(&MINIMAL.replace("\"orr\"\n", "\"nma\"\n"));
        assert!(
            e.contains(
                "invalid analysis kind 'nma': expected one of orr, orr-compare, hr, pfs, network"
            ),
            "{e}"
        );
    }

    #[test]
    fn network_takes_its_own_keys_and_rejects_pooling_ones() {
        let text = "title = \"T\"\n[[analysis]]\nid = \"n\"\nkind = \"network\"\n\
                    reference = \"AP26113\"\nsetting = \"first-line\"\nmodel = \"common\"\n";
        let p = Plan::parse("p.toml", text).unwrap();
        let AnalysisSpec::Network(s) = &p.analyses[0].spec else {
            panic!("not a network: {:?}", p.analyses[0].spec)
        };
        assert_eq!(s.network.reference.as_deref(), Some("brigatinib"));
        assert_eq!(s.network.model, NetworkModel::Common);
        assert!(p.analyses[0].figures.graph && p.analyses[0].figures.forest);
        assert_eq!(
            p.analyses[0].spec.command_args(None).join(" "),
            "network --outcome hr --endpoint pfs --reference brigatinib --model common \
             --method-tau REML --setting first-line --small-values good --level 0.95"
        );
        let e = err(&format!("{text}by = \"drug\"\n"));
        assert!(
            e.starts_with("p.toml:8:6: analysis 'n': key 'by' does not apply to kind 'network'"),
            "{e}"
        );
        let e = err(&text.replace("model = \"common\"", "method_tau = \"PM\""));
        assert!(
            e.starts_with("p.toml:7:14: analysis 'n': --method-tau PM"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_ids_and_bad_ids_are_rejected() {
        let e = err(&format!(
            "{MINIMAL}[[analysis]]\nid = \"a\"\nkind = \"pfs\"\n"
        ));
        assert!(e.starts_with("p.toml:6:6: id: 'a' is used"), "{e}");
        let e = err(&MINIMAL.replace("id = \"a\"", "id = \"../x\""));
        assert!(e.contains("cannot name files"), "{e}");
    }

    #[test]
    fn shared_settings_apply_unless_overridden() {
        let text = "title = \"T\"\n[settings]\nmethod_tau = \"DL\"\nlevel = 0.9\n\
                    [[analysis]]\nid = \"a\"\nkind = \"pfs\"\n\
                    [[analysis]]\nid = \"b\"\nkind = \"hr\"\nmethod_tau = \"PM\"\nendpoint = \"os\"\n";
        let p = Plan::parse("p.toml", text).unwrap();
        assert_eq!(p.analyses[0].spec.fit().unwrap().method_tau, TauMethod::Dl);
        assert_eq!(p.analyses[1].spec.fit().unwrap().method_tau, TauMethod::Pm);
        assert_eq!(p.analyses[1].spec.fit().unwrap().level.get(), 0.9);
        assert_eq!(
            p.analyses[1].spec.command_args(None).join(" "),
            "pool --outcome hr --by comparison --endpoint os --method-tau PM --random-ci classic \
             --prediction t --level 0.9"
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = err("title = \"T\"\n[[analysis]\n");
        assert!(e.starts_with("p.toml:2:"), "{e}");
    }
}
