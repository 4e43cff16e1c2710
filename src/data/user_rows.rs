//! Users' own files, read by column role (see [`super::roles`]): two-arm binary data in wide
//! format, and generic estimates with standard errors or confidence limits (two-arm continuous
//! data: [`super::continuous_rows`]). Labels are kept exactly as typed; every bad value is an error naming the file, line,
//! the user's own column name, the value found and what was expected.

use super::file_checks::FileChecks;
use super::roles::{self, Mapping, Role};
use super::table::{RowCursor, Table};
use super::DataError;
use std::collections::HashMap;

/// A table whose columns have been given their roles.
pub struct RoleTable {
    /// The table as read.
    pub table: Table,
    columns: HashMap<&'static str, String>,
}

impl RoleTable {
    /// Gives `required` and (where present) `optional` roles their columns.
    ///
    /// # Errors
    /// [`DataError::Roles`] for a required role without a column or a `--map` naming a column
    /// the file does not have.
    pub fn resolve(
        table: Table,
        required: &[Role],
        optional: &[Role],
        maps: &[Mapping],
    ) -> Result<Self, DataError> {
        let mut columns = HashMap::new();
        for &role in required {
            let i = roles::require(&table.file, &table.headers, role, maps)?;
            columns.insert(role.name, table.headers[i].clone());
        }
        for &role in optional {
            if let Some(i) = roles::find(&table.file, &table.headers, role, maps)? {
                columns.insert(role.name, table.headers[i].clone());
            }
        }
        Ok(RoleTable { table, columns })
    }

    /// The user's column for `role`, if it has one.
    pub fn column(&self, role: Role) -> Option<&str> {
        self.columns.get(role.name).map(String::as_str)
    }

    /// The rows with their cursors.
    pub fn rows(&self) -> impl Iterator<Item = RoleCursor<'_>> {
        self.table.rows.iter().map(move |r| RoleCursor {
            cursor: self.table.cursor(r),
            roles: self,
        })
    }
}

/// One row, read by role.
pub struct RoleCursor<'a> {
    /// The underlying located cursor.
    pub cursor: RowCursor<'a>,
    roles: &'a RoleTable,
}

impl RoleCursor<'_> {
    fn name(&self, role: Role) -> &str {
        self.roles.column(role).unwrap_or(role.name)
    }

    /// A non-empty text value of `role`.
    pub fn text(&self, role: Role) -> Result<String, DataError> {
        self.cursor.required_str(self.name(role))
    }

    /// A required whole number of `role`.
    pub fn count(&self, role: Role) -> Result<u64, DataError> {
        let name = self.name(role);
        self.cursor
            .optional_count(name)?
            .ok_or_else(|| self.cursor.error(name, "a whole number (0, 1, 2, …)"))
    }

    /// A required finite number of `role`, optionally positive.
    pub fn number(&self, role: Role, positive: bool) -> Result<f64, DataError> {
        let name = self.name(role);
        self.cursor.optional_number(name, positive)?.ok_or_else(|| {
            self.cursor.error(
                name,
                if positive {
                    "a positive number"
                } else {
                    "a finite number"
                },
            )
        })
    }

    /// An optional number of `role` (`None` when the role has no column or the cell is empty).
    pub fn optional_number(&self, role: Role, positive: bool) -> Result<Option<f64>, DataError> {
        match self.roles.column(role) {
            Some(name) => self.cursor.optional_number(name, positive),
            None => Ok(None),
        }
    }

    /// An error at the column of `role`.
    pub fn error(&self, role: Role, expected: impl Into<String>) -> DataError {
        self.cursor.error(self.name(role), expected)
    }
}

/// Study labels must be unique within a file, as in every analysis tool that labels rows.
pub(super) fn check_unique(
    checks: &mut FileChecks,
    r: &RoleCursor<'_>,
    study: &str,
) -> Result<(), DataError> {
    checks.label(&r.cursor, r.name(roles::STUDLAB), study)
}

/// One study of a wide two-arm binary file.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryRow {
    /// Line in the file.
    pub line: u64,
    /// Study label as typed.
    pub study: String,
    /// Events and patients in the experimental arm.
    pub experimental: (u64, u64),
    /// Events and patients in the control arm.
    pub control: (u64, u64),
    /// Every column as written, for `--by`.
    pub fields: crate::data::cursor::Fields,
}

fn arm(r: &RoleCursor<'_>, event: Role, n: Role) -> Result<(u64, u64), DataError> {
    let total = r.count(n)?;
    if total == 0 {
        return Err(r.error(n, "a whole number of patients greater than 0"));
    }
    let events = r.count(event)?;
    if events > total {
        return Err(r.error(
            event,
            format!("a whole number between 0 and {} = {total}", r.name(n)),
        ));
    }
    Ok((events, total))
}

/// Reads a wide two-arm binary file (`studlab, event.e, n.e, event.c, n.c`).
///
/// # Errors
/// A missing role, a count that is not a whole number, events above the total, or a repeated
/// study label, each located.
pub fn load_binary(table: Table, maps: &[Mapping]) -> Result<Vec<BinaryRow>, DataError> {
    load_binary_checked(table, maps, &mut FileChecks::default())
}

/// [`load_binary`] of a file's piece, continuing the checks across its rows in `checks`.
///
/// # Errors
/// As [`load_binary`].
pub fn load_binary_checked(
    table: Table,
    maps: &[Mapping],
    seen: &mut FileChecks,
) -> Result<Vec<BinaryRow>, DataError> {
    use roles::{EVENT_C, EVENT_E, N_C, N_E, STUDLAB};
    let t = RoleTable::resolve(table, &[STUDLAB, EVENT_E, N_E, EVENT_C, N_C], &[], maps)?;
    t.rows()
        .map(|r| {
            let study = r.text(STUDLAB)?;
            check_unique(seen, &r, &study)?;
            Ok(BinaryRow {
                line: r.cursor.line(),
                experimental: arm(&r, EVENT_E, N_E)?,
                control: arm(&r, EVENT_C, N_C)?,
                fields: r.cursor.all_fields(),
                study,
            })
        })
        .collect()
}

/// Where a generic row's precision comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GenericPrecision {
    /// A standard error on the analysis scale.
    Se(f64),
    /// Confidence limits on the scale of the estimate as written.
    Ci {
        /// Lower limit.
        lower: f64,
        /// Upper limit.
        upper: f64,
    },
}

/// One study of a generic inverse-variance file.
#[derive(Debug, Clone, PartialEq)]
pub struct GenericRow {
    /// Line in the file.
    pub line: u64,
    /// Study label as typed.
    pub study: String,
    /// The estimate as written (`TE`).
    pub estimate: f64,
    /// Its precision.
    pub precision: GenericPrecision,
    /// Every column as written, for `--by`.
    pub fields: crate::data::cursor::Fields,
}

/// Reads a generic file: `studlab, TE` and `seTE`, or `TE` with `lower` and `upper`.
///
/// # Errors
/// A missing role (neither `seTE` nor both limits), a non-numeric value, SE ≤ 0, limits that do
/// not surround the estimate, or a repeated study label, each located.
pub fn load_generic(table: Table, maps: &[Mapping]) -> Result<Vec<GenericRow>, DataError> {
    load_generic_checked(table, maps, &mut FileChecks::default())
}

/// [`load_generic`] of a file's piece, continuing the checks across its rows in `checks`.
///
/// # Errors
/// As [`load_generic`].
pub fn load_generic_checked(
    table: Table,
    maps: &[Mapping],
    seen: &mut FileChecks,
) -> Result<Vec<GenericRow>, DataError> {
    use roles::{LOWER, SE_TE, STUDLAB, TE, UPPER};
    let has_se = roles::find(&table.file, &table.headers, SE_TE, maps)?.is_some();
    let needed: &[Role] = if has_se {
        &[STUDLAB, TE, SE_TE]
    } else {
        &[STUDLAB, TE, LOWER, UPPER]
    };
    let t = RoleTable::resolve(table, needed, &[], maps)?;
    t.rows()
        .map(|r| {
            let study = r.text(STUDLAB)?;
            check_unique(seen, &r, &study)?;
            let estimate = r.number(TE, false)?;
            let precision = if has_se {
                GenericPrecision::Se(r.number(SE_TE, true)?)
            } else {
                let (lower, upper) = (r.number(LOWER, false)?, r.number(UPPER, false)?);
                if !(lower < estimate && estimate < upper) {
                    return Err(r.error(
                        UPPER,
                        format!("limits around the estimate {estimate} (lower {lower} < estimate < upper)"),
                    ));
                }
                GenericPrecision::Ci { lower, upper }
            };
            Ok(GenericRow {
                line: r.cursor.line(),
                estimate,
                precision,
                fields: r.cursor.all_fields(),
                study,
            })
        })
        .collect()
}
