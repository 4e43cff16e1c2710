//! The analyses of a plan that read a user's own file (`kind = "binary"`, `"continuous"`,
//! `"generic"`): the file (`data`, with `sheet` and a `map` of roles to columns, read as
//! `alkstats pool --data FILE --sheet S --map ROLE=COLUMN` reads it) and the settings of the
//! outcome, spelled as `pool`'s flags are.

use super::kind::AnalysisKind;
use super::parse::{incr, opt, Ctx};
use super::raw::RawAnalysis;
use super::spec::AnalysisSpec;
use crate::analysis::compare::{CompareMethod, CompareSettings};
use crate::analysis::continuous::ContinuousSettings;
use crate::analysis::generic::GenericSettings;
use crate::analysis::group::Grouping;
use crate::data::roles::Mapping;
use crate::effect::continuous::ContinuousMeasure;
use crate::effect::median_to_mean::SdChoice;
use crate::effect::two_arm::TwoArmMeasure;
use crate::report::ReportError;
use crate::settings::{FitSettings, GenericMeasure, GlmmModel, Level};

/// A user's file as one analysis reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFile {
    /// Path as written in the plan (relative to the plan's folder).
    pub path: String,
    /// Sheet of a spreadsheet (`None`: the first).
    pub sheet: Option<String>,
    /// Columns named for roles, as `--map ROLE=COLUMN`.
    pub maps: Vec<Mapping>,
}

/// A wide two-arm binary analysis (`pool --outcome binary`).
#[derive(Debug, Clone, PartialEq)]
pub struct BinarySpec {
    /// Its file.
    pub file: UserFile,
    /// Measure, common-effect method, model and groups.
    pub settings: CompareSettings,
}

/// A two-arm continuous analysis (`pool --outcome continuous`).
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousSpec {
    /// Its file.
    pub file: UserFile,
    /// How an arm's SD is estimated from its median and range or quartiles.
    pub sd_method: SdChoice,
    /// Measure, model and groups.
    pub settings: ContinuousSettings,
}

/// A generic inverse-variance analysis (`pool --outcome generic`).
#[derive(Debug, Clone, PartialEq)]
pub struct GenericSpec {
    /// Its file.
    pub file: UserFile,
    /// Scale of the estimates, level of the file's limits, model and groups.
    pub settings: GenericSettings,
}

/// The keys every kind reading a user's file takes.
pub(super) const FILE_KEYS: [&str; 12] = [
    "overall",
    "data",
    "sheet",
    "map",
    "by",
    "method_tau",
    "random_ci",
    "prediction",
    "level",
    "forest",
    "forest_sort",
    "forest_model",
];

fn file(
    ctx: &Ctx<'_>,
    r: &RawAnalysis,
    id: &str,
    kind: AnalysisKind,
) -> Result<UserFile, ReportError> {
    let Some(path) = &r.data else {
        return Err(ctx.error(
            &r.kind.span(),
            format!(
                "analysis '{id}': kind '{kind}' reads a file of your own; expected data = \"FILE\" \
                 (CSV, TSV, .xlsx or .ods, relative to the plan's folder)"
            ),
        ));
    };
    let mut maps = Vec::new();
    if let Some(map) = &r.map {
        for (role, column) in map.get_ref() {
            let m: Mapping = format!("{role}={column}")
                .parse()
                .map_err(|e| ctx.error(&map.span(), format!("map: {e}")))?;
            maps.push(m);
        }
    }
    Ok(UserFile {
        path: path.get_ref().clone(),
        sheet: r.sheet.as_ref().map(|s| s.get_ref().clone()),
        maps,
    })
}

/// The spec of an analysis of kind binary, continuous or generic.
pub(super) fn spec(
    ctx: &Ctx<'_>,
    r: &RawAnalysis,
    id: &str,
    kind: AnalysisKind,
    fit: FitSettings,
) -> Result<AnalysisSpec, ReportError> {
    let file = file(ctx, r, id, kind)?;
    let grouping = Grouping::from_arg(r.by.as_ref().map_or("none", |b| b.get_ref().as_str()));
    Ok(match kind {
        AnalysisKind::Binary => {
            let measure = opt(ctx, "measure", &r.measure, TwoArmMeasure::Rr)?;
            // `method = "GLMM"`: an odds-ratio GLMM (`glmm_model`, default CM.EL).
            let glmm = r
                .method
                .as_ref()
                .filter(|m| m.get_ref().trim().eq_ignore_ascii_case("GLMM"));
            if let (Some(m), false) = (glmm, measure == TwoArmMeasure::Or) {
                return Err(ctx.error(
                    &m.span(),
                    format!("method: GLMM fits odds ratios; expected measure = \"OR\" (found {measure})"),
                ));
            }
            let glmm = match glmm {
                Some(_) => Some(opt(ctx, "glmm_model", &r.glmm_model, GlmmModel::CmEl)?),
                None if r.glmm_model.is_some() => {
                    let span = r.glmm_model.as_ref().map_or(r.kind.span(), |m| m.span());
                    return Err(ctx.error(&span, "glmm_model: applies to method = \"GLMM\""));
                }
                None => None,
            };
            let method = match glmm {
                Some(_) => CompareMethod::Iv,
                None => opt(ctx, "method", &r.method, CompareMethod::Mh)?,
            };
            if method == CompareMethod::Peto && measure != TwoArmMeasure::Or {
                let span = r.method.as_ref().map_or(r.kind.span(), |m| m.span());
                return Err(ctx.error(
                    &span,
                    format!("method: Peto estimates an odds ratio; expected measure = \"OR\" (found {measure})"),
                ));
            }
            AnalysisSpec::Binary(BinarySpec {
                file,
                settings: CompareSettings {
                    measure,
                    method,
                    fit,
                    incr: incr(ctx, r.incr.as_ref())?,
                    grouping,
                    keep_overlapping: false,
                    // The columns say which arm is which (`.e`, `.c`).
                    comparator: None,
                    glmm,
                },
            })
        }
        AnalysisKind::Continuous => AnalysisSpec::Continuous(ContinuousSpec {
            file,
            sd_method: opt(ctx, "sd_method", &r.sd_method, SdChoice::Shi)?,
            settings: ContinuousSettings {
                measure: opt(ctx, "measure", &r.measure, ContinuousMeasure::Md)?,
                fit,
                grouping,
            },
        }),
        _ => {
            let ci_level = match &r.ci_level {
                Some(v) => Level::new(*v.get_ref())
                    .map_err(|e| ctx.error(&v.span(), format!("ci_level: {e}")))?,
                None => Level::default(),
            };
            let sm = opt(ctx, "sm", &r.sm, GenericMeasure::Gen)?;
            AnalysisSpec::Generic(GenericSpec {
                file,
                settings: GenericSettings {
                    sm,
                    ci_level,
                    fit,
                    grouping,
                },
            })
        }
    })
}
