//! Splitting rows into the subgroups of `--by`.

use super::AnalysisError;
use std::collections::{BTreeMap, HashMap};

/// How rows are grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouping {
    /// One analysis over everything (`--by none`).
    None,
    /// One analysis per distinct value of a column.
    Column(String),
}

impl Grouping {
    /// Parses a `--by` value.
    pub fn from_arg(arg: &str) -> Self {
        if arg.eq_ignore_ascii_case("none") {
            Grouping::None
        } else {
            Grouping::Column(arg.to_string())
        }
    }

    /// The setting as shown in output (`"none"` or the column).
    pub fn label(&self) -> &str {
        match self {
            Grouping::None => "none",
            Grouping::Column(c) => c,
        }
    }
}

/// What the groups of `--by` are, which decides whether a result across them means anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// Different treatments of single-arm data (`--by drug`): pooling across them mixes
    /// treatments, but comparing them (the test for subgroup differences) is the question.
    Treatments,
    /// Different comparisons of two-arm data (`--by comparison`, or a treatment or comparator
    /// column): each group answers its own question, so neither an overall result nor a test
    /// of their differences means anything.
    Comparisons,
    /// Anything else (a setting, a region, …): subgroups of one question.
    Other,
}

/// Columns whose values name treatments, or (in two-arm data) comparisons.
const TREATMENT_COLUMNS: &[&str] = &["drug", "treatment", "intervention"];
const COMPARISON_COLUMNS: &[&str] = &["comparison", "comparator", "control"];

impl Grouping {
    /// What the groups are, for data of two arms (`two_arm`) or of one.
    pub fn kind(&self, two_arm: bool) -> GroupKind {
        let Grouping::Column(c) = self else {
            return GroupKind::Other;
        };
        let is = |names: &[&str]| names.iter().any(|n| c.eq_ignore_ascii_case(n));
        match (is(TREATMENT_COLUMNS), is(COMPARISON_COLUMNS), two_arm) {
            (true, _, true) | (_, true, _) => GroupKind::Comparisons,
            (true, _, false) => GroupKind::Treatments,
            _ => GroupKind::Other,
        }
    }
}

/// Label of rows whose grouping column is empty.
pub const MISSING_GROUP: &str = "(missing)";

/// Groups in order of first appearance: label (`None` for `--by none`) and members.
pub type Groups<'a, T> = Vec<(Option<String>, Vec<&'a T>)>;

/// Splits `items` into groups in order of first appearance. `fields` gives each item's columns.
///
/// # Errors
/// [`AnalysisError::UnknownGroupColumn`] when the column is not in `headers`.
pub fn split<'a, T>(
    items: &'a [T],
    grouping: &Grouping,
    headers: &[String],
    fields: impl Fn(&T) -> &BTreeMap<String, String>,
) -> Result<Groups<'a, T>, AnalysisError> {
    let column = match grouping {
        Grouping::None => return Ok(vec![(None, items.iter().collect())]),
        Grouping::Column(c) => c,
    };
    // The column as the user typed it in `--by`, matched as headers are: exactly, else
    // ignoring ASCII case (`--by drug` groups a `Drug` column).
    let column = headers
        .iter()
        .find(|h| *h == column)
        .or_else(|| headers.iter().find(|h| h.eq_ignore_ascii_case(column)))
        .ok_or_else(|| AnalysisError::UnknownGroupColumn {
            column: column.clone(),
            available: headers.join(", "),
        })?;
    let mut groups: Groups<'a, T> = Vec::new();
    // Values match ignoring case; a group is labelled as its first member typed it.
    let mut index: HashMap<String, usize> = HashMap::new();
    for item in items {
        let value = fields(item).get(column).map(String::as_str).unwrap_or("");
        let label = if value.is_empty() {
            MISSING_GROUP
        } else {
            value
        };
        match index.get(&label.to_lowercase()) {
            Some(&i) => groups[i].1.push(item),
            None => {
                index.insert(label.to_lowercase(), groups.len());
                groups.push((Some(label.to_string()), vec![item]));
            }
        }
    }
    Ok(groups)
}

/// Settings of a pooled analysis with subgroups: an analysis is rerun without them where a
/// figure needs the overall result.
pub trait Grouped: Clone {
    /// The subgroups.
    fn grouping(&self) -> &Grouping;
    /// The same settings with other subgroups.
    fn with_grouping(&self, grouping: Grouping) -> Self;
}

macro_rules! grouped {
    ($($t:ty),+) => {$(
        impl Grouped for $t {
            fn grouping(&self) -> &Grouping {
                &self.grouping
            }
            fn with_grouping(&self, grouping: Grouping) -> Self {
                Self {
                    grouping,
                    ..self.clone()
                }
            }
        }
    )+};
}

grouped!(
    crate::analysis::compare::CompareSettings,
    crate::analysis::continuous::ContinuousSettings,
    crate::analysis::generic::GenericSettings
);
