//! The inputs of a run: each data file of the plan read once (or the embedded one), its
//! SHA-256, and its rows as the provenance table lists them.

use crate::data::arms::{load_user_arms, UserNeeds};
use crate::data::hr::load_user_hr;
use crate::data::table::Table;
use crate::data::{
    load_arms, load_hr, read_table, Arm, DataError, FileKind, HrRow, StudyYear, EMBEDDED_ARMS,
    EMBEDDED_HR,
};
use crate::settings::Endpoint;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Name of the embedded arms file, as `alkstats pool` names it.
const EMBEDDED_ARMS_NAME: &str = "data/alk_nsclc_arms.csv (embedded)";
/// Name of the embedded hazard-ratio file, as `alkstats pool` names it.
const EMBEDDED_HR_NAME: &str = "data/alk_nsclc_hr.csv (embedded)";

/// Lower-case hexadecimal SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Which data file an analysis reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Trial arms (`data/alk_nsclc_arms.csv`).
    Arms,
    /// Hazard ratios (`data/alk_nsclc_hr.csv`).
    Hr,
    /// The n-th (from 0) of the users' own files that analyses name with `data = "…"`.
    File(usize),
}

impl Role {
    /// The plan key (`arms`, `hr`; `file1`, `file2`… for the analyses' own files), which is
    /// also the manifest role and the anchor of the file in the provenance table.
    pub fn key(self) -> String {
        match self {
            Role::Arms => "arms".into(),
            Role::Hr => "hr".into(),
            Role::File(n) => format!("file{}", n + 1),
        }
    }
}

/// One row of a data file, for the provenance table.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Line in the file.
    pub line: u64,
    /// Study label.
    pub study: String,
    /// What the row is: the drug of an arm, or "treatment vs comparator (endpoint)".
    pub what: String,
    /// Trial, when given.
    pub trial: Option<String>,
    /// Rows this one shares patients with (or is superseded by).
    pub overlaps: Vec<String>,
    /// Citation.
    pub source: String,
}

/// A data file read by the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// What it holds.
    pub role: Role,
    /// Name as in the plan (or the embedded file's name, as `pool` prints it).
    pub name: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its rows.
    pub rows: Vec<SourceRow>,
}

/// A data file as loaded for the analyses: its name in messages, its rows and headers, its
/// path as written in the plan (`None` for the embedded file) and the SHA-256 of its bytes.
pub(super) struct Loaded<T> {
    pub(super) name: String,
    pub(super) rows: Vec<T>,
    pub(super) headers: Vec<String>,
    pub(super) written: Option<String>,
    sha256: String,
}

/// The row type of one of a plan's data files: which file it is, the embedded file used when
/// the plan names none, the loader `alkstats pool` uses for it, and its rows in the provenance
/// table.
pub(super) trait DataRow: Sized {
    /// The file's role.
    const ROLE: Role;
    /// The embedded file and its name in messages.
    const EMBEDDED: (&'static str, &'static str);
    /// Validates the embedded file (the shipped schema) into rows and headers.
    fn load_shipped(name: &str, bytes: &[u8]) -> Result<(Vec<Self>, Vec<String>), DataError>;
    /// Validates a file the plan names, read by role as `alkstats pool --data` reads a user's
    /// file (CSV, TSV or spreadsheet; `source` optional).
    fn load_user(table: Table) -> Result<(Vec<Self>, Vec<String>), DataError>;
    /// The row as the provenance table lists it.
    fn source_row(&self) -> SourceRow;
}

impl DataRow for Arm {
    const ROLE: Role = Role::Arms;
    const EMBEDDED: (&'static str, &'static str) = (EMBEDDED_ARMS, EMBEDDED_ARMS_NAME);
    fn load_shipped(name: &str, bytes: &[u8]) -> Result<(Vec<Self>, Vec<String>), DataError> {
        load_arms(name, bytes)
    }
    fn load_user(table: Table) -> Result<(Vec<Self>, Vec<String>), DataError> {
        load_user_arms(table, &[], UserNeeds::default())
    }
    fn source_row(&self) -> SourceRow {
        SourceRow {
            line: self.line,
            study: self.study.clone(),
            what: self.drug.clone(),
            trial: self.trial.clone(),
            overlaps: self.overlaps.clone(),
            source: self.source.clone(),
        }
    }
}

impl DataRow for HrRow {
    const ROLE: Role = Role::Hr;
    const EMBEDDED: (&'static str, &'static str) = (EMBEDDED_HR, EMBEDDED_HR_NAME);
    fn load_shipped(name: &str, bytes: &[u8]) -> Result<(Vec<Self>, Vec<String>), DataError> {
        load_hr(name, bytes)
    }
    fn load_user(table: Table) -> Result<(Vec<Self>, Vec<String>), DataError> {
        // Without an endpoint column, rows are read as PFS hazard ratios (as `pool` does by
        // default); an analysis of OS then finds none and says so.
        let user = load_user_hr(table, &[], Endpoint::Pfs)?;
        Ok((user.rows, user.headers))
    }
    fn source_row(&self) -> SourceRow {
        SourceRow {
            line: self.line,
            study: self.study.clone(),
            what: format!(
                "{} vs {} ({})",
                self.treatment, self.comparator, self.endpoint
            ),
            trial: self.trial.clone(),
            overlaps: self.overlaps.clone(),
            source: self.source.clone(),
        }
    }
}

impl<T: DataRow> Loaded<T> {
    /// Reads and validates the data file as written in the plan (see [`read`]) when `needed`.
    pub(super) fn read_if(
        needed: bool,
        written: Option<&str>,
        base: &Path,
    ) -> Result<Option<Self>, DataError> {
        if !needed {
            return Ok(None);
        }
        let (embedded, embedded_name) = T::EMBEDDED;
        let (name, bytes) = read(written, base, embedded, embedded_name)?;
        let (rows, headers) = match written {
            None => T::load_shipped(&name, &bytes)?,
            Some(_) => {
                let kind = FileKind::from_path(&name);
                T::load_user(read_table(&name, &bytes, kind, None, &[])?)?
            }
        };
        Ok(Some(Loaded {
            name,
            rows,
            headers,
            written: written.map(str::to_string),
            sha256: sha256_hex(&bytes),
        }))
    }

    /// The file as the report lists it.
    pub(super) fn input(&self) -> Input {
        Input {
            role: T::ROLE,
            name: self.name.clone(),
            sha256: self.sha256.clone(),
            rows: self.rows.iter().map(T::source_row).collect(),
        }
    }
}

/// Reads a data file of the plan (relative to `base`), or the embedded one. The file keeps the
/// name written in the plan, so that messages and outputs do not depend on where the plan is
/// run from.
pub(super) fn read(
    written: Option<&str>,
    base: &Path,
    embedded: &'static str,
    embedded_name: &str,
) -> Result<(String, Vec<u8>), DataError> {
    let Some(written) = written else {
        return Ok((embedded_name.to_string(), embedded.as_bytes().to_vec()));
    };
    let path = base.join(written);
    std::fs::read(&path)
        .map(|bytes| (written.to_string(), bytes))
        .map_err(|e| DataError::Io {
            file: written.to_string(),
            reason: format!(
                "{} (read as {}, relative to the plan's folder)",
                match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_string(),
                    _ => e.to_string(),
                },
                path.display()
            ),
        })
}

/// Publication year of each study that gives one, for sorting forest plots by year.
pub(super) fn years<R: StudyYear>(rows: &[R]) -> HashMap<String, i32> {
    rows.iter()
        .filter_map(|r| {
            let (study, year) = r.study_year();
            year.map(|y| (study.to_string(), y))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_fips_180_example() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
