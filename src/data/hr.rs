//! The comparative-results table (`data/alk_nsclc_hr.csv`, schema in docs/data-schema.md): one row per
//! reported treatment-vs-comparator hazard ratio of a randomized trial, validated into
//! [`HrRow`].

use super::arms::{normalise_drug, Schema};
use super::file_checks::FileChecks;
use super::roles::{self, Mapping};
use super::table::{RowCursor, Table};
use super::DataError;
use crate::settings::Endpoint;

/// Columns every comparative file must have.
pub const REQUIRED_COLUMNS: &[&str] = &[
    "study",
    "treatment",
    "comparator",
    "endpoint",
    "hr",
    "source",
];

/// How the precision of a row is given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Precision {
    /// A confidence interval at its own level.
    Ci {
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
        /// Level, e.g. 0.997.
        level: f64,
    },
    /// Only a two-sided p-value.
    PValue(f64),
}

/// One validated hazard-ratio row.
#[derive(Debug, Clone, PartialEq)]
pub struct HrRow {
    /// Line in its file.
    pub line: u64,
    /// Unique label.
    pub study: String,
    /// Trial name.
    pub trial: Option<String>,
    /// Treatment (numerator), normalised drug name.
    pub treatment: String,
    /// Comparator (denominator), normalised drug name.
    pub comparator: String,
    /// Endpoint.
    pub endpoint: Endpoint,
    /// Hazard ratio.
    pub hr: f64,
    /// CI or p-value; a CI is preferred when both are given.
    pub precision: Precision,
    /// Randomized to treatment.
    pub n_treatment: Option<u64>,
    /// Randomized to comparator.
    pub n_comparator: Option<u64>,
    /// Rows that supersede this one (e.g. a final analysis of the same endpoint).
    pub overlaps: Vec<String>,
    /// Citation.
    pub source: String,
    /// Every column as written, for `--by COLUMN`.
    pub fields: crate::data::cursor::Fields,
    /// Set when the row was not reported but approximated from the two arms' medians.
    pub from_medians: bool,
}

/// A row whose hazard ratio and p-value give no standard error (e.g. p = 1 or HR = 1 with p < 1).
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[error("line {line}: study '{study}': no standard error follows from hr = {hr} and p = {p}")]
pub struct NoStandardError {
    /// Line of the row.
    pub line: u64,
    /// Its study label.
    pub study: String,
    /// The hazard ratio.
    pub hr: f64,
    /// The p-value.
    pub p: f64,
}

impl HrRow {
    /// ln HR and its SE: from the CI at its own level, or from the two-sided p-value
    /// (see [`crate::effect::ratio`]). The error message names the line and the study.
    ///
    /// # Errors
    /// When no SE follows from a p-value (hr = 1 or p = 1).
    pub fn log_hr(&self) -> Result<(f64, f64), NoStandardError> {
        match self.precision {
            Precision::Ci {
                lower,
                upper,
                level,
            } => Ok(crate::effect::ratio::log_ratio_from_ci(
                self.hr, lower, upper, level,
            )),
            Precision::PValue(p) => {
                crate::effect::ratio::log_ratio_from_p(self.hr, p).ok_or_else(|| NoStandardError {
                    line: self.line,
                    study: self.study.clone(),
                    hr: self.hr,
                    p,
                })
            }
        }
    }
}

fn positive(c: &RowCursor<'_>, name: &str, what: &str) -> Result<Option<f64>, DataError> {
    match c.optional_number(name, false)? {
        Some(v) if v > 0.0 => Ok(Some(v)),
        Some(_) => Err(c.error(name, what.to_string())),
        None => Ok(None),
    }
}

/// How a file's rows are read: the shipped schema, or a user's file whose rows all report
/// `endpoint` when it has no endpoint column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rules {
    schema: Schema,
    endpoint: Endpoint,
}

fn parse_row(c: &RowCursor<'_>, rules: Rules) -> Result<HrRow, DataError> {
    let study = c.required_str("study")?;
    let treatment = normalise_drug(&c.required_str("treatment")?);
    let comparator = normalise_drug(&c.required_str("comparator")?);
    if treatment.to_lowercase() == comparator.to_lowercase() {
        return Err(c.error(
            "comparator",
            format!("a drug other than the treatment '{treatment}'"),
        ));
    }
    let endpoint: Endpoint = match (rules.schema, c.optional_str("endpoint")) {
        (Schema::User, None)
            if c.headers()
                .iter()
                .all(|h| !h.eq_ignore_ascii_case("endpoint")) =>
        {
            rules.endpoint
        }
        _ => c
            .required_str("endpoint")?
            .parse()
            .map_err(|_| c.error("endpoint", "pfs or os"))?,
    };
    let hr = positive(c, "hr", "a hazard ratio greater than 0")?
        .ok_or_else(|| c.error("hr", "a hazard ratio greater than 0"))?;
    let lower = positive(c, "hr_lower", "a lower CI bound greater than 0")?;
    let upper = positive(c, "hr_upper", "an upper CI bound greater than 0")?;
    let level = match c.optional_number("ci_level", false)? {
        None => 0.95,
        Some(l) if l > 0.0 && l < 1.0 => l,
        Some(l) if l > 1.0 && l < 100.0 => {
            return Err(c.error(
                "ci_level",
                format!(
                    "a fraction strictly between 0 and 1 (write {} for {l}%)",
                    l / 100.0
                ),
            ))
        }
        Some(_) => {
            return Err(c.error("ci_level", "a fraction strictly between 0 and 1, e.g. 0.95"))
        }
    };
    let p = match c.optional_number("p_value", false)? {
        Some(p) if p > 0.0 && p <= 1.0 => Some(p),
        Some(_) => return Err(c.error("p_value", "a two-sided p-value in (0, 1]")),
        None => None,
    };
    let precision = match (lower, upper, p) {
        (Some(lo), Some(hi), _) => {
            if lo >= hi {
                return Err(c.error("hr_lower", format!("a value below hr_upper = {hi}")));
            }
            if hr < lo || hr > hi {
                return Err(c.error("hr", format!("a value inside its own CI [{lo}, {hi}]")));
            }
            Precision::Ci {
                lower: lo,
                upper: hi,
                level,
            }
        }
        (Some(_), None, _) => {
            return Err(c.error("hr_upper", "an upper CI bound to go with hr_lower"))
        }
        (None, Some(_), _) => {
            return Err(c.error("hr_lower", "a lower CI bound to go with hr_upper"))
        }
        (None, None, Some(p)) => {
            if hr == 1.0 || p == 1.0 {
                return Err(c.error(
                    "p_value",
                    "a CI: with hr = 1 or p = 1 no standard error follows from the p-value",
                ));
            }
            Precision::PValue(p)
        }
        (None, None, None) => {
            return Err(c.error(
                "hr_lower",
                "hr_lower and hr_upper (or a p_value): the row needs its precision",
            ))
        }
    };
    let mut fields = c.all_fields();
    let own = std::sync::Arc::make_mut(&mut fields);
    own.insert("treatment".into(), treatment.clone());
    own.insert("comparator".into(), comparator.clone());
    Ok(HrRow {
        line: c.line(),
        study,
        trial: c.optional_str("trial"),
        treatment,
        comparator,
        endpoint,
        hr,
        precision,
        n_treatment: c.optional_count("n_treatment")?,
        n_comparator: c.optional_count("n_comparator")?,
        overlaps: c
            .raw("overlaps")
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        source: match rules.schema {
            Schema::Shipped => c.required_str("source")?,
            Schema::User => c.optional_str("source").unwrap_or_default(),
        },
        fields,
        from_medians: false,
    })
}

/// Parses and validates a shipped comparative-results file ([`Schema::Shipped`]).
///
/// # Errors
/// Any [`DataError`]: hr ≤ 0, lower ≥ upper, an estimate outside its own CI, a CI level outside
/// (0, 1), a p-value outside (0, 1], a row with neither CI nor p-value, a duplicated label.
pub fn load_hr(file: &str, bytes: &[u8]) -> Result<(Vec<HrRow>, Vec<String>), DataError> {
    let table = Table::parse(file, bytes, REQUIRED_COLUMNS)?;
    let rules = Rules {
        schema: Schema::Shipped,
        endpoint: Endpoint::Pfs,
    };
    let mut checks = FileChecks::default();
    let rows = collect_rows(&table, rules, &mut checks)?;
    checks.finish()?;
    Ok((rows, table.headers))
}

/// A user's comparative-results file, read as [`load_hr`] reads the shipped one but with the
/// study label found by role (`studlab`, see [`super::roles`]), `lower`/`upper` accepted for
/// `hr_lower`/`hr_upper`, and `endpoint`, `trial`, `ci_level` and `source` optional: without an
/// endpoint column every row reports `endpoint`; without `ci_level` the limits are 95%
/// limits; without `trial` each row is its own trial. The assumptions made are returned, to be
/// stated in the output.
///
/// # Errors
/// [`DataError::Roles`] for a study label without a column, [`DataError::MissingColumn`] for
/// `treatment`, `comparator` or `hr`, and the row errors of [`load_hr`].
pub fn load_user_hr(
    table: Table,
    maps: &[Mapping],
    endpoint: Endpoint,
) -> Result<UserHr, DataError> {
    let mut checks = FileChecks::default();
    let user = load_user_hr_checked(table, maps, endpoint, &mut checks)?;
    checks.finish()?;
    Ok(user)
}

/// [`load_user_hr`] of a file's piece, continuing the checks across its rows in `checks` (whose
/// `finish`, the check of `overlaps` entries, the caller runs at the end of the file).
///
/// # Errors
/// As [`load_user_hr`].
pub fn load_user_hr_checked(
    mut table: Table,
    maps: &[Mapping],
    endpoint: Endpoint,
    checks: &mut FileChecks,
) -> Result<UserHr, DataError> {
    let study = roles::require(&table.file, &table.headers, roles::STUDLAB, maps)?;
    for (column, role) in [("hr_lower", roles::LOWER), ("hr_upper", roles::UPPER)] {
        let mapped = maps.iter().any(|m| m.role == role);
        if mapped || table.column(column).is_none() {
            if let Some(i) = roles::find(&table.file, &table.headers, role, maps)? {
                table.alias(column, i);
            }
        }
    }
    if let Some(missing) = ["treatment", "comparator", "hr"]
        .into_iter()
        .find(|c| table.column(c).is_none())
    {
        return Err(DataError::MissingColumn {
            file: table.file.clone(),
            column: missing.into(),
            found: table.headers.join(", "),
        });
    }
    table.alias("study", study);
    let mut assumed = Vec::new();
    if table.column("endpoint").is_none() {
        assumed.push(format!(
            "{}: no 'endpoint' column: every row is taken as a {} hazard ratio",
            table.file,
            endpoint.to_string().to_uppercase()
        ));
    }
    if table.column("ci_level").is_none() && table.column("hr_lower").is_some() {
        assumed.push(format!(
            "{}: no 'ci_level' column: the limits are taken as 95% confidence limits",
            table.file
        ));
    }
    if table.column("trial").is_none() {
        assumed.push(format!(
            "{}: no 'trial' column: each row is taken as a trial of its own",
            table.file
        ));
    }
    let rules = Rules {
        schema: Schema::User,
        endpoint,
    };
    let rows = collect_rows(&table, rules, checks)?;
    Ok(UserHr {
        rows,
        headers: table.headers,
        assumed,
    })
}

/// A user's comparative-results file as read by [`load_user_hr`].
#[derive(Debug, Clone, PartialEq)]
pub struct UserHr {
    /// The validated rows.
    pub rows: Vec<HrRow>,
    /// The header as written.
    pub headers: Vec<String>,
    /// What was assumed for missing optional columns, to be stated in the output.
    pub assumed: Vec<String>,
}

/// The rows of `table`, with the checks across rows in `checks`: unique labels, names spelled
/// as first typed, and (at `checks.finish`) known `overlaps`.
fn collect_rows(
    table: &Table,
    rules: Rules,
    checks: &mut FileChecks,
) -> Result<Vec<HrRow>, DataError> {
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let c = table.cursor(row);
        let mut r = parse_row(&c, rules)?;
        for (column, name) in [
            ("treatment", &mut r.treatment),
            ("comparator", &mut r.comparator),
        ] {
            if checks.spellings.unify(name) {
                std::sync::Arc::make_mut(&mut r.fields).insert(column.into(), name.clone());
            }
        }
        checks.label(&c, "study", &r.study)?;
        checks.overlaps(&c, r.overlaps.iter().map(String::as_str));
        rows.push(r);
    }
    Ok(rows)
}
