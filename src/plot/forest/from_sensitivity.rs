//! Reading a sensitivity report into a [`ForestData`]: the leave-one-out forest (one row per
//! study left out, as metafor's `forest(leave1out(res))` and R meta's `forest(metainf(m))`)
//! and the cumulative forest (one row per study added, as `forest(cumul(res))` and
//! `forest(metacum(m))`). Each row is the refit's estimate and interval on the displayed scale,
//! with its τ² and I²; each group closes with the full model's diamond and heterogeneity. Nothing
//! is recomputed here.

use super::data::{Diamond, DiamondKind, ForestData, ForestGroup, ForestRow, Summary};
use super::labels::labels_of;
use super::text::{level_text, p_text, tau2_text};
use crate::analysis::sensitivity::{RefitAnalysis, SensitivityReport};
use crate::methods::refit::{PooledRow, RefitRow};
use crate::methods::PooledModel;
use crate::plot::PlotError;

/// One group of a sensitivity forest: its label, the full model and the refits.
struct Panel<'a> {
    group: Option<&'a str>,
    full: Option<&'a PooledRow>,
    rows: &'a [RefitRow],
}

fn percent(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.0}%"))
}

/// The full model's diamond and heterogeneity line.
fn summary(full: Option<&PooledRow>, model: PooledModel) -> Summary {
    let Some(f) = full else {
        return Summary::default();
    };
    let (label, kind) = match model {
        PooledModel::Random => ("All studies (random effects)", DiamondKind::Random),
        PooledModel::Common => ("All studies (common effect)", DiamondKind::Common),
    };
    let diamonds = match (f.estimate, f.lower, f.upper) {
        (Some(estimate), Some(lower), Some(upper)) => vec![Diamond {
            label: label.into(),
            left_cells: Vec::new(),
            estimate,
            lower,
            upper,
            kind,
        }],
        _ => Vec::new(),
    };
    let heterogeneity = f.q.map(|_| {
        format!(
            "Heterogeneity: I² = {}, {}, {}",
            percent(f.i2),
            f.tau2.map_or("τ² = n/a".into(), tau2_text),
            p_text(f.q_p)
        )
    });
    Summary {
        diamonds,
        prediction: None,
        heterogeneity,
        tests: Vec::new(),
    }
}

/// What differs between the two forests: the cumulative one (its report has an order) counts
/// events in its rows and says in which order studies were added.
struct Kind {
    what: &'static str,
    label_header: &'static str,
    counts: bool,
    footnote: String,
}

impl Kind {
    fn of<A>(report: &SensitivityReport<A>) -> Self {
        let model = match report.settings.model {
            PooledModel::Random => "random-effects",
            PooledModel::Common => "common-effect",
        };
        let (what, label_header, footnote) = match &report.settings.order {
            None => (
                "Leave-one-out",
                "Omitting",
                format!("Each row: the {model} model refitted without that study."),
            ),
            Some(order) => (
                "Cumulative meta-analysis",
                "Adding",
                format!(
                    "Each row: the {model} model of that study and every study above it; \
                     order: {order}."
                ),
            ),
        };
        Kind {
            what,
            label_header,
            counts: report.settings.order.is_some(),
            footnote,
        }
    }
}

/// The forest of a sensitivity report: per group, one row per study left out (leave-one-out)
/// or added (cumulative).
///
/// # Errors
/// [`PlotError::Empty`] when no group has a refit.
pub fn refits_forest<A: RefitAnalysis>(
    report: &SensitivityReport<A>,
    title: Option<String>,
) -> Result<ForestData, PlotError> {
    let kind = Kind::of(report);
    let panels = report
        .analyses
        .iter()
        .map(|a| Panel {
            group: a.group(),
            full: a.full(),
            rows: a.refits(),
        })
        .collect::<Vec<_>>();
    let labels = labels_of(report.measure, report.labels());
    let model = report.settings.model;
    let mut footnotes = vec![kind.footnote];
    // A group of one study has nothing to leave out (and one row of a cumulative analysis
    // says nothing the pooled plot does not): it is named under the plot instead.
    let (panels, empty): (Vec<Panel<'_>>, Vec<Panel<'_>>) =
        panels.into_iter().partition(|p| p.rows.len() > 1);
    // Footnotes are one line each: the names go on as many lines as they need.
    let mut line = String::new();
    for p in &empty {
        let name = p.group.unwrap_or("all studies");
        if line.is_empty() {
            line = format!("Not shown (one study): {name}");
        } else if line.chars().count() + name.chars().count() > 90 {
            footnotes.push(format!("{line};"));
            line = format!("  {name}");
        } else {
            line = format!("{line}; {name}");
        }
    }
    if !line.is_empty() {
        footnotes.push(format!("{line}."));
    }
    let grouped = panels.len() > 1;
    let mut left_headers = vec!["τ²".to_string(), "I²".to_string()];
    if kind.counts {
        left_headers.insert(0, "k".into());
    }
    let groups: Vec<ForestGroup> = panels
        .iter()
        .map(|p| ForestGroup {
            label: grouped.then(|| p.group.unwrap_or("all studies").to_string()),
            rows: p
                .rows
                .iter()
                .map(|r| {
                    let mut left_cells = vec![
                        r.fit.tau2.map_or("n/a".into(), |t| format!("{t:.4}")),
                        percent(r.fit.i2),
                    ];
                    if kind.counts {
                        left_cells.insert(0, r.fit.k.to_string());
                    }
                    ForestRow {
                        label: r.study.clone(),
                        left_cells,
                        estimate: r.fit.estimate.unwrap_or(f64::NAN),
                        lower: r.fit.lower,
                        upper: r.fit.upper,
                        // Every refit counts the same: equal squares.
                        weight_pct: 1.0,
                    }
                })
                .collect(),
            summary: summary(p.full, model),
        })
        .collect();
    if panels.is_empty() {
        return Err(PlotError::Empty {
            subject: "the sensitivity analysis",
            missing: "group of two or more studies to plot",
        });
    }
    let pooled_line = match panels.as_slice() {
        [one] => one.full.and_then(|f| f.estimate),
        _ => None,
    };
    let what = format!("{}: {}", kind.what, labels.what);
    let title = title.unwrap_or_else(|| match panels.as_slice() {
        [Panel { group: Some(g), .. }] => format!("{what}, {g}"),
        _ => what,
    });
    Ok(ForestData {
        title,
        x_label: labels.x_label,
        log_axis: labels.log_axis,
        null_value: labels.null_value,
        favours: labels.favours,
        label_header: kind.label_header.into(),
        left_headers,
        estimate_header: format!(
            "{} [{} CI]",
            labels.estimate_header,
            level_text(report.settings.pool.level)
        ),
        digits: 2,
        groups,
        overall: None,
        pooled_line,
        footnotes,
        xlim: None,
    })
}
