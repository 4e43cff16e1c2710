//! The table of a forest plot as a flat list of lines, top to bottom: subgroup headers, study
//! rows, diamonds, prediction intervals, heterogeneity notes and the half-height spacers
//! between groups. Measuring, placing and drawing all walk this one list, so they cannot
//! disagree about what is on the page.

use crate::plot::forest::data::{Diamond, ForestData, ForestRow, Summary};
use crate::plot::PlotError;

/// One table line, top to bottom.
pub(super) enum Line<'a> {
    /// A subgroup's name.
    GroupHeader(&'a str),
    /// A study: label, cells, square and whisker.
    Study(&'a ForestRow),
    /// A pooled estimate; `true` for the overall result, which gets a bold label.
    Diamond(&'a Diamond, bool),
    /// A prediction interval (lower, upper).
    Prediction((f64, f64)),
    /// A heterogeneity statement in small type.
    Note(&'a str),
    /// Half a row of space between groups.
    Spacer,
}

/// Flattens the groups and the overall summary into table lines.
///
/// # Errors
/// [`PlotError::Empty`] when no line is a study.
pub(super) fn table_lines(data: &ForestData) -> Result<Vec<Line<'_>>, PlotError> {
    let mut lines: Vec<Line<'_>> = Vec::new();
    for g in &data.groups {
        if let Some(l) = &g.label {
            lines.push(Line::GroupHeader(l));
        }
        lines.extend(g.rows.iter().map(Line::Study));
        // Without a header, the group is the whole analysis: its pooled rows are the overall ones.
        push_summary(&mut lines, &g.summary, g.label.is_none());
        lines.push(Line::Spacer);
    }
    if let Some(o) = &data.overall {
        push_summary(&mut lines, o, true);
        lines.push(Line::Spacer);
    }
    if matches!(lines.last(), Some(Line::Spacer)) {
        lines.pop();
    }
    if !lines.iter().any(|l| matches!(l, Line::Study(_))) {
        return Err(PlotError::Empty {
            subject: "the forest plot",
            missing: "study rows",
        });
    }
    Ok(lines)
}

/// Appends a summary's diamonds, prediction interval, heterogeneity note and tests of the
/// pooled effects, in that order (as R meta prints them).
fn push_summary<'a>(lines: &mut Vec<Line<'a>>, s: &'a Summary, overall: bool) {
    for d in &s.diamonds {
        lines.push(Line::Diamond(d, overall));
    }
    if let Some(p) = s.prediction {
        lines.push(Line::Prediction(p));
    }
    if let Some(h) = &s.heterogeneity {
        lines.push(Line::Note(h));
    }
    lines.extend(s.tests.iter().map(|t| Line::Note(t)));
}
