//! The trial-arms table (`data/alk_nsclc_arms.csv`, schema in docs/data-schema.md): one row per treatment
//! arm or reported cohort, validated into [`Arm`].

pub use super::arm_row::{parse_arm_values, ArmColumns, ArmView};
use super::cursor::Col;
use super::cursor::Fields;
pub use super::file_checks::unknown_overlap;
use super::file_checks::{duplicate_label, FileChecks};
use super::roles::{self, Mapping};
use super::table::{RowCursor, Table};
use super::DataError;

/// Columns every shipped arms file must have.
pub const REQUIRED_COLUMNS: &[&str] = &["study", "drug", "n", "source"];

/// The rules an arms file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// The shipped data (docs/data-schema.md): `study`, `drug`, `n` and `source` in every row,
    /// so that every shipped number is traceable to its citation.
    Shipped,
    /// A user's own file: the label, events and totals found by role (`studlab`, `event`,
    /// `n`, see [`super::roles`]); `drug` and `source` optional (empty when absent).
    User,
}

/// What a user's arms file must provide besides the label and the totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserNeeds<'a> {
    /// The `event` role (responders): needed to pool response rates.
    pub events: bool,
    /// Columns of the arms schema needed by name (e.g. `drug` and `trial` to compare the arms
    /// of a trial), matched case-insensitively.
    pub columns: &'a [&'a str],
    /// Columns that must also have a value in every row (`drug` when grouping by it).
    pub filled: &'a [&'a str],
}

/// One validated arm.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Line of the row in its file.
    pub line: u64,
    /// Unique label.
    pub study: String,
    /// Drug, normalised to its lower-case generic name (AP26113 → brigatinib, …).
    pub drug: String,
    /// Patients evaluated for response.
    pub n: u64,
    /// Complete + partial responses, when reported.
    pub responders: Option<u64>,
    /// Complete responses, when reported.
    pub complete_responses: Option<u64>,
    /// Trial name shared by the arms of one randomized trial.
    pub trial: Option<String>,
    /// The arm's role in its trial (`role` column), when the file says it.
    pub role: Option<ArmRole>,
    /// Publication year.
    pub year: Option<i32>,
    /// Median PFS in months.
    pub median_pfs: Option<f64>,
    /// Lower 95% bound of the median PFS.
    pub median_pfs_lower: Option<f64>,
    /// Upper 95% bound of the median PFS.
    pub median_pfs_upper: Option<f64>,
    /// Labels of rows that contain this row's patients (later cut, or the full cohort).
    pub overlaps: Vec<String>,
    /// Citation.
    pub source: String,
    /// Every column as written (drug normalised), for `--by COLUMN`.
    pub fields: crate::data::cursor::Fields,
}

/// The role of an arm in its randomized trial, as a file's `role` column gives it: which arm is
/// the comparator decides the direction of every two-arm comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmRole {
    /// The experimental arm (`treatment`, or `experimental` as R meta calls it).
    Treatment,
    /// The control arm (`comparator`, or `control`).
    Comparator,
}

impl ArmRole {
    /// The role a `role` cell names, ignoring case; `None` for any other text.
    pub fn parse(cell: &str) -> Option<Self> {
        match cell.trim().to_ascii_lowercase().as_str() {
            "treatment" | "experimental" => Some(ArmRole::Treatment),
            "comparator" | "control" => Some(ArmRole::Comparator),
            _ => None,
        }
    }

    /// The role's name as the file writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ArmRole::Treatment => "treatment",
            ArmRole::Comparator => "comparator",
        }
    }
}

/// Maps development codes and brand names to generic names (lower-case, as the shipped data
/// writes them); any other name is kept as typed (trimmed).
pub fn normalise_drug(name: &str) -> String {
    normalised_drug(name).to_string()
}

/// [`normalise_drug`] without allocating: the generic name, or `name` trimmed.
pub(super) fn normalised_drug(name: &str) -> &str {
    let name = name.trim();
    // ASCII lower-casing leaves whitespace alone: the first word of the lower-cased name is the
    // first word of the name, compared ignoring ASCII case.
    // (ASCII names, nearly all, are split without the Unicode tables.)
    let code = if name.is_ascii() {
        name.split_ascii_whitespace().next()
    } else {
        name.split_whitespace().next()
    };
    let code = code.unwrap_or("");
    const CODES: &[(&str, &str)] = &[
        ("ap26113", "brigatinib"),
        ("ldk378", "ceritinib"),
        ("ch5424802", "alectinib"),
        ("ro5424802", "alectinib"),
        ("af802", "alectinib"),
        ("x-396", "ensartinib"),
        ("x396", "ensartinib"),
        ("pf-02341066", "crizotinib"),
        ("pf02341066", "crizotinib"),
        ("xalkori", "crizotinib"),
        ("pf-06463922", "lorlatinib"),
        ("pf06463922", "lorlatinib"),
        ("chemo", "chemotherapy"),
    ];
    CODES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map_or(name, |&(_, generic)| generic)
}

/// Parses and validates one row of an arms file (everything but the checks across rows, which
/// [`load_arms`] and the batch engine's streaming reader make: unique labels, known `overlaps`).
///
/// # Errors
/// A [`DataError`] naming the line, column and value: a count that is not a whole number,
/// n ≤ 0, responders > n, an empty study, drug or source, …
pub fn parse_arm(c: &RowCursor<'_>, schema: Schema) -> Result<Arm, DataError> {
    let mut arm = parse_arm_values(c, schema, &ArmColumns::of(c.table()))?;
    arm.fields = Fields::new(
        c.headers()
            .iter()
            .map(|h| (h.clone(), grouping_value(c, &arm.drug, h).to_string()))
            .collect(),
    );
    Ok(arm)
}

/// The value of `column` in the row of `c` (whose normalised drug is `drug`) as [`Arm::fields`]
/// holds it, and so as `--by` groups it: the cell as written (trimmed), but the drug normalised.
pub fn grouping_value<'a, 'n>(
    c: &RowCursor<'a>,
    drug: &'a str,
    column: impl Into<Col<'n>>,
) -> &'a str {
    let column = column.into();
    if column.name().eq_ignore_ascii_case("drug") && !drug.is_empty() {
        drug
    } else {
        c.raw(column)
    }
}

/// The error for a study label already used on line `first`.
pub fn duplicate_study(c: &RowCursor<'_>, first: u64) -> DataError {
    duplicate_label(c, "study", first)
}

/// Parses and validates a shipped arms file ([`Schema::Shipped`]).
///
/// # Errors
/// Any [`DataError`]: unreadable CSV, a missing required column, a count that is not a whole
/// number, n ≤ 0, responders > n, a duplicated study label, an empty source.
pub fn load_arms(file: &str, bytes: &[u8]) -> Result<(Vec<Arm>, Vec<String>), DataError> {
    let table = Table::parse(file, bytes, REQUIRED_COLUMNS)?;
    collect_arms(&table, Schema::Shipped)
}

/// Validates a user's arms file ([`Schema::User`]): the study label, events and totals are
/// found by role (`--map` first, then the header, case-insensitively); `needs` says what the
/// analysis cannot do without.
///
/// # Errors
/// [`DataError::Roles`] for a role without a column, [`DataError::MissingColumn`] for a needed
/// column, and the row errors of [`load_arms`].
pub fn load_user_arms(
    table: Table,
    maps: &[Mapping],
    needs: UserNeeds<'_>,
) -> Result<(Vec<Arm>, Vec<String>), DataError> {
    let mut checks = FileChecks::default();
    let arms = load_user_arms_checked(table, maps, needs, &mut checks)?;
    checks.finish()?;
    Ok(arms)
}

/// [`load_user_arms`] of a file's piece, continuing the checks across its rows in `checks`
/// (whose `finish`, the check of `overlaps` entries, the caller runs at the end of the file).
///
/// # Errors
/// As [`load_user_arms`].
pub fn load_user_arms_checked(
    mut table: Table,
    maps: &[Mapping],
    needs: UserNeeds<'_>,
    checks: &mut FileChecks,
) -> Result<(Vec<Arm>, Vec<String>), DataError> {
    give_user_roles(&mut table, maps, needs)?;
    for row in &table.rows {
        let c = table.cursor(row);
        for column in needs.filled {
            c.required_str(*column)?;
        }
    }
    let arms = collect_arms_checked(&table, Schema::User, checks)?;
    Ok((arms, table.headers))
}

/// Finds the columns of a user's arms file by role and makes the rows readable under the
/// shipped schema's names (`study`, `n`, `responders`): what [`load_user_arms`] does before
/// reading rows, and the batch engine before streaming them.
///
/// # Errors
/// As [`load_user_arms`], for the header.
pub fn give_user_roles(
    table: &mut Table,
    maps: &[Mapping],
    needs: UserNeeds<'_>,
) -> Result<(), DataError> {
    let (file, headers) = (&table.file, &table.headers);
    let study = roles::require(file, headers, roles::STUDLAB, maps)?;
    let n = roles::require(file, headers, roles::N, maps)?;
    let events = if needs.events {
        Some(roles::require(file, headers, roles::EVENT, maps)?)
    } else {
        roles::find(file, headers, roles::EVENT, maps)?
    };
    let needed = needs.columns.iter().chain(needs.filled);
    if let Some(missing) = needed.clone().find(|c| table.column(c).is_none()) {
        return Err(DataError::MissingColumn {
            file: table.file.clone(),
            column: (*missing).to_string(),
            found: table.headers.join(", "),
        });
    }
    table.alias("study", study);
    table.alias("n", n);
    if let Some(events) = events {
        table.alias("responders", events);
    }
    Ok(())
}

/// The rows of `table` as arms, with the checks across rows: unique labels, and `overlaps`
/// entries that name a row of the same file (or the exclusion would be a guess).
fn collect_arms(table: &Table, schema: Schema) -> Result<(Vec<Arm>, Vec<String>), DataError> {
    let mut checks = FileChecks::default();
    let arms = collect_arms_checked(table, schema, &mut checks)?;
    checks.finish()?;
    Ok((arms, table.headers.clone()))
}

/// The arms of `table` (a whole file, or the batch engine's piece of one), continuing the
/// checks across the file's rows in `checks` (whose `finish` the caller runs at the end).
///
/// # Errors
/// The first bad row, or a study label used before in the file.
pub fn collect_arms_checked(
    table: &Table,
    schema: Schema,
    checks: &mut FileChecks,
) -> Result<Vec<Arm>, DataError> {
    let mut arms = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let c = table.cursor(row);
        let mut arm = parse_arm(&c, schema)?;
        if checks.spellings.unify(&mut arm.drug) {
            // The drug column of `fields` (what `--by drug` groups) follows.
            if let Some(v) = Fields::make_mut(&mut arm.fields)
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case("drug"))
            {
                *v.1 = arm.drug.clone();
            }
        }
        checks.label(&c, "study", &arm.study)?;
        checks.overlaps(&c, arm.overlaps.iter().map(String::as_str));
        arms.push(arm);
    }
    Ok(arms)
}
