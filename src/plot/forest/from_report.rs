//! Reading a pairwise analysis report (any outcome) into a [`ForestData`].
//!
//! Nothing is recomputed here: estimates, intervals, weights and heterogeneity come from the
//! report as they are; this step only chooses what is shown (models, row order, weights that
//! size the squares) and formats it.

use super::data::{Diamond, DiamondKind, ForestData, ForestGroup, ForestRow, Summary};
use super::labels::outcome_labels;
use super::options::{ForestOptions, Models, SortOrder};
use super::text::{level_text, p_text, tau2_text, weight_cell};
use crate::analysis::arm_cells::ArmCells;
use crate::analysis::report::{Analysis, PoolReport, StudyRow};
use crate::plot::axis::fmt_tick;
use crate::plot::PlotError;
use std::collections::HashMap;

/// The totals cells of an analysis: per arm for two-arm data (`per_arm`), else `events/n`
/// when the outcome has them (`show_totals`).
fn totals_cells<S: StudyRow>(a: &Analysis<S>, per_arm: bool, show_totals: bool) -> Vec<String> {
    if per_arm {
        return ArmCells::totals(a.studies.iter().filter_map(StudyRow::arm_cells))
            .unwrap_or_default();
    }
    match (a.events, a.n) {
        (Some(e), Some(n)) if show_totals => vec![format!("{e}/{n}")],
        _ => vec![String::new()],
    }
}

/// "Test for overall effect (random effects): z = −9.37, p < 0.0001" (t with its df for a
/// Hartung–Knapp interval), as R meta prints it under the diamonds.
fn effect_test(name: &str, stat: f64, df: Option<f64>, p: Option<f64>) -> String {
    let stat = fmt_signed(stat);
    match df {
        Some(df) => format!(
            "Test for overall effect ({name}): t({}) = {stat}, {}",
            fmt_tick(df),
            p_text(p)
        ),
        None => format!(
            "Test for overall effect ({name}): z = {stat}, {}",
            p_text(p)
        ),
    }
}

/// Two decimals with a true minus sign, as the plots print negative numbers.
fn fmt_signed(v: f64) -> String {
    let s = format!("{v:.2}");
    match s.strip_prefix('-') {
        Some(rest) => format!("−{rest}"),
        None => s,
    }
}

/// The pooled rows of one analysis: a diamond per shown model (the first carrying the totals
/// cells), the prediction interval (a random-effects quantity, so only with that model), the
/// heterogeneity line and, where the measure has a value of no effect (`tests`), the test of
/// each shown pooled effect.
fn summary_of<S>(a: &Analysis<S>, models: Models, totals: Vec<String>, tests: bool) -> Summary {
    let mut diamonds = Vec::new();
    let mut push = |label: &str, est: Option<f64>, lo: Option<f64>, hi: Option<f64>, kind| {
        if let (Some(e), Some(l), Some(u)) = (est, lo, hi) {
            let cells = if diamonds.is_empty() {
                totals.clone()
            } else {
                Vec::new()
            };
            diamonds.push(Diamond {
                label: label.to_string(),
                left_cells: cells,
                estimate: e,
                lower: l,
                upper: u,
                kind,
            });
        }
    };
    // A GLMM says so in its model rows, with its model (metafor's name).
    let (common_label, random_label) = match &a.glmm {
        Some(g) => (
            format!("Common effect model (GLMM {})", g.model),
            format!("Random effects model (GLMM {})", g.model),
        ),
        None => ("Common effect model".into(), "Random effects model".into()),
    };
    if models.common() {
        push(
            &common_label,
            a.common.estimate,
            a.common.lower,
            a.common.upper,
            DiamondKind::Common,
        );
    }
    if models.random() {
        push(
            &random_label,
            a.random.estimate,
            a.random.lower,
            a.random.upper,
            DiamondKind::Random,
        );
    }
    let prediction = if models.random() {
        a.prediction.as_ref().and_then(|p| p.lower.zip(p.upper))
    } else {
        None
    };
    let heterogeneity = a.heterogeneity.as_ref().map(|h| {
        format!(
            "Heterogeneity: I² = {:.0}%, {}, {}",
            h.i2,
            tau2_text(h.tau2),
            p_text(h.p)
        )
    });
    let mut effect_tests = Vec::new();
    if tests && models.common() && a.common.estimate.is_some() {
        effect_tests.push(effect_test(
            "common effect",
            a.common.stat,
            None,
            a.common.p,
        ));
    }
    if tests && models.random() && a.random.estimate.is_some() {
        let r = &a.random;
        effect_tests.push(effect_test("random effects", r.stat, r.df, r.p));
    }
    Summary {
        diamonds,
        prediction,
        heterogeneity,
        tests: effect_tests,
    }
}

/// The "favours" labels: the caller's (`--label-left`, `--label-right`; one alone leaves the
/// other side blank), else the measure's, with the drugs named where every study compares the
/// same two ("Favours alectinib" rather than "Favours treatment").
fn favours<S: StudyRow>(
    report: &PoolReport<S>,
    measure: Option<(String, String)>,
    opts: &ForestOptions,
) -> Option<(String, String)> {
    if opts.label_left.is_some() || opts.label_right.is_some() {
        return Some((
            opts.label_left.clone().unwrap_or_default(),
            opts.label_right.clone().unwrap_or_default(),
        ));
    }
    let (left, right) = measure?;
    let Some((t, c)) = report.single_comparison() else {
        return Some((left, right));
    };
    let name = |s: String| s.replace("treatment", t).replace("comparator", c);
    Some((name(left), name(right)))
}

/// The estimate marked by the dashed line: random effects when shown, as `meta` does.
fn main_estimate<S>(a: &Analysis<S>, models: Models) -> Option<f64> {
    if models.random() {
        a.random.estimate
    } else {
        a.common.estimate
    }
}

/// Builds the forest plot of a report. `overall` is the same analysis without subgroups (the
/// caller runs it); it supplies the overall diamonds when the report has subgroups.
///
/// Weights: squares are sized by common-effect weights when the common model is shown, else by
/// random-effects weights (`meta`'s `weight.study` default), taken from `overall` when given.
///
/// # Errors
/// [`PlotError::Empty`] for a report without studies; [`PlotError::InvalidOption`] for axis
/// limits that are not increasing (or not positive on a log axis).
pub fn forest_data<S: StudyRow>(
    report: &PoolReport<S>,
    overall: Option<&Analysis<S>>,
    opts: &ForestOptions,
) -> Result<ForestData, PlotError> {
    if report.analyses.iter().all(|a| a.studies.is_empty()) {
        return Err(PlotError::Empty {
            subject: "the analysis",
            missing: "studies to plot",
        });
    }
    let labels = outcome_labels(report);
    if let Some((lo, hi)) = opts.xlim {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) || (labels.log_axis && lo <= 0.0) {
            return Err(PlotError::InvalidOption {
                option: "--xlim",
                value: format!("{lo},{hi}"),
                expected: if labels.log_axis {
                    "two increasing numbers, both above 0 on a ratio axis"
                } else {
                    "two increasing numbers"
                },
            });
        }
    }
    let models = opts.models;
    let tests = labels.null_value.is_some();
    let both = models == Models::Both;
    // Two-arm data are shown per arm (RevMan's layout), other data in one column.
    let arm_headers = labels.arms.and_then(|arms| {
        let first = report.analyses.iter().flat_map(|a| &a.studies).next()?;
        Some(first.arm_cells()?.headers(arms))
    });
    let per_arm = arm_headers.is_some();
    let mut left_headers = arm_headers.unwrap_or_else(|| vec![labels.data_header.to_string()]);
    if both {
        left_headers.push("Weight\n(common)".into());
        left_headers.push("Weight\n(random)".into());
    } else {
        left_headers.push("Weight".into());
    }
    let pick = |w: (f64, f64)| if models.common() { w.0 } else { w.1 };
    // With subgroups, squares are sized by each study's weight in the overall analysis (as
    // `meta` does), so that they compare across subgroups; the weight columns stay within
    // subgroup.
    let overall_weight: HashMap<&str, f64> = overall
        .map(|o| {
            o.studies
                .iter()
                .map(|s| (s.label(), pick(s.weights())))
                .collect()
        })
        .unwrap_or_default();
    let square_weight = |s: &S| {
        overall_weight
            .get(s.label())
            .copied()
            .unwrap_or_else(|| pick(s.weights()))
    };
    let grouped = report.analyses.len() > 1 || report.analyses.iter().any(|a| a.group.is_some());

    let mut groups = Vec::with_capacity(report.analyses.len());
    for a in &report.analyses {
        let mut rows: Vec<(usize, ForestRow)> = a
            .studies
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (est, lo, hi) = s.display();
                let w = s.weights();
                let mut cells = match s.arm_cells() {
                    Some(arms) if per_arm => arms.cells(),
                    _ => vec![s.data_cell()],
                };
                if models.common() {
                    cells.push(weight_cell(w.0));
                }
                if models.random() {
                    cells.push(weight_cell(w.1));
                }
                (
                    i,
                    ForestRow {
                        label: s.label().to_string(),
                        left_cells: cells,
                        estimate: est,
                        lower: lo,
                        upper: hi,
                        weight_pct: square_weight(s),
                    },
                )
            })
            .collect();
        match opts.sort {
            SortOrder::Input => {}
            SortOrder::Estimate => {
                rows.sort_by(|a, b| a.1.estimate.total_cmp(&b.1.estimate).then(a.0.cmp(&b.0)))
            }
            SortOrder::Weight => rows.sort_by(|a, b| {
                b.1.weight_pct
                    .total_cmp(&a.1.weight_pct)
                    .then(a.0.cmp(&b.0))
            }),
            SortOrder::Year => rows
                .sort_by_key(|(i, r)| (opts.years.get(&r.label).copied().unwrap_or(i32::MAX), *i)),
        }
        groups.push(ForestGroup {
            label: if grouped {
                Some(a.group.clone().unwrap_or_else(|| "all studies".into()))
            } else {
                None
            },
            rows: rows.into_iter().map(|(_, r)| r).collect(),
            summary: summary_of(a, models, totals_cells(a, per_arm, labels.totals), tests),
        });
    }

    // The result across groups only where it means something (`settings.overall`), and never
    // for one group, whose own pooled rows are that result already.
    let across = report.settings.overall && report.analyses.len() > 1;
    let (overall_summary, pooled_line) = if grouped && across {
        (
            overall.map(|o| summary_of(o, models, totals_cells(o, per_arm, labels.totals), tests)),
            overall.and_then(|o| main_estimate(o, models)),
        )
    } else if grouped && report.analyses.len() > 1 {
        (None, None)
    } else {
        (
            None,
            report
                .analyses
                .first()
                .and_then(|a| main_estimate(a, models)),
        )
    };

    let mut footnotes = Vec::new();
    if let Some(t) = &report.subgroup_test {
        for (shown, name, q) in [
            (models.common(), "common effect", &t.common),
            (models.random(), "random effects", &t.random),
        ] {
            if let (true, Some(q)) = (shown, q) {
                footnotes.push(format!(
                    "Test for subgroup differences ({name}): χ² = {:.2}, df = {}, {}",
                    q.q,
                    fmt_tick(q.df),
                    p_text(q.p)
                ));
            }
        }
    }

    let by = report.settings.by.as_str();
    let what = match &report.settings.endpoint {
        Some(e) if labels.names_endpoint => format!("{}, {}", labels.what, e.to_uppercase()),
        _ => labels.what.to_string(),
    };
    let title = opts.title.clone().unwrap_or_else(|| {
        if grouped && by != "none" {
            format!("{what} by {by}")
        } else {
            what
        }
    });
    // One line per pair, so that a long list is not cut at the page edge.
    for (i, pair) in report.direction_pairs().into_iter().flatten().enumerate() {
        footnotes.push(match i {
            0 => format!("Treatment vs comparator: {pair}"),
            _ => format!("    {pair}"),
        });
    }
    Ok(ForestData {
        title,
        x_label: opts.x_label.clone().unwrap_or(labels.x_label),
        log_axis: labels.log_axis,
        null_value: labels.null_value,
        favours: favours(report, labels.favours, opts),
        label_header: "Study".into(),
        left_headers,
        estimate_header: format!(
            "{} [{} CI]",
            labels.estimate_header,
            level_text(report.settings.level)
        ),
        digits: 2,
        groups,
        overall: overall_summary,
        pooled_line,
        footnotes,
        xlim: opts.xlim,
    })
}
