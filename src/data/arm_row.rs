//! One row of an arms file, parsed and checked without copying its text ([`ArmView`]), and as
//! an owned [`Arm`] ([`parse_arm_values`]). The batch engine reads millions of rows through the
//! view and keeps only what a fit needs; the in-memory path owns every arm.

use super::arms::{normalised_drug, Arm, ArmRole, Schema};
use super::cursor::Col;
use super::table::{RowCursor, Table};
use super::DataError;

/// The columns [`parse_arm_values`] reads, looked up once per table rather than once per row.
#[derive(Debug, Clone, Copy)]
pub struct ArmColumns {
    study: Col<'static>,
    drug: Col<'static>,
    n: Col<'static>,
    responders: Col<'static>,
    complete_responses: Col<'static>,
    year: Col<'static>,
    median_pfs: Col<'static>,
    median_pfs_lower: Col<'static>,
    median_pfs_upper: Col<'static>,
    role: Col<'static>,
    source: Col<'static>,
    trial: Col<'static>,
    overlaps: Col<'static>,
}

impl ArmColumns {
    /// The columns of `table` (with its aliases: a user's file read by role).
    pub fn of(table: &Table) -> Self {
        let at = |name| Col::resolved(table, name);
        ArmColumns {
            study: at("study"),
            drug: at("drug"),
            n: at("n"),
            responders: at("responders"),
            complete_responses: at("complete_responses"),
            year: at("year"),
            median_pfs: at("median_pfs"),
            median_pfs_lower: at("median_pfs_lower"),
            median_pfs_upper: at("median_pfs_upper"),
            role: at("role"),
            source: at("source"),
            trial: at("trial"),
            overlaps: at("overlaps"),
        }
    }
}

/// A row of an arms file, checked as [`parse_arm`](super::arms::parse_arm) checks it, its text
/// borrowed from the row.
#[derive(Debug, Clone, Copy)]
pub struct ArmView<'a> {
    /// As [`Arm::line`].
    pub line: u64,
    /// As [`Arm::study`].
    pub study: &'a str,
    /// As [`Arm::drug`] (normalised).
    pub drug: &'a str,
    /// As [`Arm::n`].
    pub n: u64,
    /// As [`Arm::responders`].
    pub responders: Option<u64>,
    /// As [`Arm::complete_responses`].
    pub complete_responses: Option<u64>,
    /// As [`Arm::trial`].
    pub trial: Option<&'a str>,
    /// As [`Arm::role`].
    pub role: Option<ArmRole>,
    /// As [`Arm::year`].
    pub year: Option<i32>,
    /// As [`Arm::median_pfs`].
    pub median_pfs: Option<f64>,
    /// As [`Arm::median_pfs_lower`].
    pub median_pfs_lower: Option<f64>,
    /// As [`Arm::median_pfs_upper`].
    pub median_pfs_upper: Option<f64>,
    /// The `overlaps` cell as written; its labels by [`ArmView::overlaps`].
    pub overlaps_cell: &'a str,
    /// As [`Arm::source`].
    pub source: &'a str,
}

/// A non-empty value of column `col`.
fn required<'a>(c: &RowCursor<'a>, col: Col<'_>) -> Result<&'a str, DataError> {
    match c.raw(col) {
        "" => Err(c.error(col, "a non-empty value")),
        v => Ok(v),
    }
}

impl<'a> ArmView<'a> {
    /// The labels of `overlaps`: separated by `;`, trimmed, empty ones skipped.
    pub fn overlaps(&self) -> impl Iterator<Item = &'a str> {
        self.overlaps_cell
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// Parses and checks the row of `c`.
    ///
    /// # Errors
    /// As [`parse_arm`](super::arms::parse_arm).
    pub fn parse(c: &RowCursor<'a>, schema: Schema, cols: &ArmColumns) -> Result<Self, DataError> {
        let study = required(c, cols.study)?;
        let drug = match schema {
            Schema::Shipped => normalised_drug(required(c, cols.drug)?),
            Schema::User => normalised_drug(c.raw(cols.drug)),
        };
        let n = match c.optional_count(cols.n) {
            Ok(Some(n)) if n > 0 => n,
            _ => return Err(c.error(cols.n, "a whole number of patients greater than 0")),
        };
        let responders = c.optional_count(cols.responders)?;
        if let Some(r) = responders {
            if r > n {
                return Err(c.error(
                    "responders",
                    format!("a whole number between 0 and n = {n}"),
                ));
            }
        }
        let complete_responses = c.optional_count(cols.complete_responses)?;
        if let Some(cr) = complete_responses {
            let limit = responders.unwrap_or(n);
            if cr > limit {
                return Err(c.error(
                    "complete_responses",
                    format!("at most {limit} (complete responses are part of the responders)"),
                ));
            }
        }
        let year = match c.optional_number(cols.year, true) {
            Ok(Some(y)) if y.fract() == 0.0 && (1900.0..=2100.0).contains(&y) => Some(y as i32),
            Ok(None) => None,
            _ => return Err(c.error(cols.year, "a four-digit year such as 2014")),
        };
        let median_pfs = c.optional_number(cols.median_pfs, true)?;
        let median_pfs_lower = c.optional_number(cols.median_pfs_lower, true)?;
        let median_pfs_upper = c.optional_number(cols.median_pfs_upper, true)?;
        if let (Some(m), Some(lo)) = (median_pfs, median_pfs_lower) {
            if lo > m {
                return Err(c.error(
                    "median_pfs_lower",
                    format!("a value not above median_pfs = {m}"),
                ));
            }
        }
        if let (Some(m), Some(hi)) = (median_pfs, median_pfs_upper) {
            if hi < m {
                return Err(c.error(
                    "median_pfs_upper",
                    format!("a value not below median_pfs = {m}"),
                ));
            }
        }
        let role = match c.raw(cols.role) {
            "" => None,
            cell => Some(ArmRole::parse(cell).ok_or_else(|| {
                c.error(
                    "role",
                    "treatment or comparator (experimental or control), or empty",
                )
            })?),
        };
        let source = match schema {
            Schema::Shipped => required(c, cols.source)?,
            Schema::User => c.raw(cols.source),
        };
        let trial = c.raw(cols.trial);
        Ok(ArmView {
            line: c.line(),
            study,
            drug,
            n,
            responders,
            complete_responses,
            trial: (!trial.is_empty()).then_some(trial),
            role,
            year,
            median_pfs,
            median_pfs_lower,
            median_pfs_upper,
            overlaps_cell: c.raw(cols.overlaps),
            source,
        })
    }

    /// The owned arm, without [`Arm::fields`].
    pub fn to_arm(&self) -> Arm {
        Arm {
            line: self.line,
            study: self.study.into(),
            drug: self.drug.into(),
            n: self.n,
            responders: self.responders,
            complete_responses: self.complete_responses,
            trial: self.trial.map(String::from),
            role: self.role,
            year: self.year,
            median_pfs: self.median_pfs,
            median_pfs_lower: self.median_pfs_lower,
            median_pfs_upper: self.median_pfs_upper,
            overlaps: self.overlaps().map(String::from).collect(),
            source: self.source.into(),
            fields: Default::default(),
        }
    }
}

/// [`parse_arm`](super::arms::parse_arm) without [`Arm::fields`] (left empty): the same checks
/// and values.
///
/// # Errors
/// As [`parse_arm`](super::arms::parse_arm).
pub fn parse_arm_values(
    c: &RowCursor<'_>,
    schema: Schema,
    cols: &ArmColumns,
) -> Result<Arm, DataError> {
    ArmView::parse(c, schema, cols).map(|v| v.to_arm())
}
