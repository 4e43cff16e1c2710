//! Loading: the shipped data files (embedded in the binary) and user files (CSV, TSV or
//! spreadsheets, see [`read_table`]), parsed into validated, typed rows. Every error names the
//! file, line (or sheet and row), column, field, the value found and what was expected.

pub mod arm_row;
pub mod arms;
pub mod continuous_rows;
pub mod cursor;
pub mod delimiter;
pub mod error;
pub mod file_checks;
pub mod fingerprint;
pub mod format;
pub mod hr;
pub mod revman;
pub mod roles;
pub mod sheet;
pub mod spelling;
pub mod table;
pub mod user_rows;
pub mod year;

pub use arms::{load_arms, Arm};
pub use error::DataError;
pub use format::{read_table, FileKind};
pub use hr::{load_hr, HrRow};
pub use year::StudyYear;

use std::io::Read;
use std::path::PathBuf;

/// The trial-arms table shipped with alkstats (`data/alk_nsclc_arms.csv`).
pub const EMBEDDED_ARMS: &str = include_str!("../../data/alk_nsclc_arms.csv");

/// The comparative-results table shipped with alkstats (`data/alk_nsclc_hr.csv`).
pub const EMBEDDED_HR: &str = include_str!("../../data/alk_nsclc_hr.csv");

/// Where a command reads its data from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// The file embedded in the binary.
    Embedded,
    /// A file on disk.
    File(PathBuf),
    /// Standard input (`--data -`).
    Stdin,
}

impl DataSource {
    /// Interprets a `--data` argument: `-` is standard input, anything else a path.
    pub fn from_arg(arg: Option<&str>) -> Self {
        match arg {
            None => DataSource::Embedded,
            Some("-") => DataSource::Stdin,
            Some(p) => DataSource::File(PathBuf::from(p)),
        }
    }

    /// The kind of the data, which decides how it is read: the embedded files and standard input
    /// are text; a file is known by its extension ([`FileKind::from_path`]).
    pub fn kind(&self) -> FileKind {
        match self {
            DataSource::Embedded | DataSource::Stdin => FileKind::Text,
            DataSource::File(path) => FileKind::from_path(path),
        }
    }

    /// Reads the raw bytes, returning them with the name used in messages.
    ///
    /// # Errors
    /// [`DataError::Io`] when the file cannot be read (missing, a directory, no permission).
    pub fn read(
        &self,
        embedded: &'static str,
        embedded_name: &str,
    ) -> Result<(String, Vec<u8>), DataError> {
        match self {
            DataSource::Embedded => Ok((embedded_name.to_string(), embedded.as_bytes().to_vec())),
            DataSource::File(path) => {
                let name = path.display().to_string();
                match std::fs::read(path) {
                    Ok(bytes) => Ok((name, bytes)),
                    Err(e) => Err(DataError::Io {
                        file: name,
                        reason: io_reason(&e),
                    }),
                }
            }
            DataSource::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| DataError::Io {
                        file: "<stdin>".into(),
                        reason: io_reason(&e),
                    })?;
                Ok(("<stdin>".to_string(), bytes))
            }
        }
    }

    /// Opens the data as a stream, returning it with the name used in messages: what
    /// [`DataSource::read`] reads, for the batch engine, which streams files of millions of rows
    /// without holding them.
    ///
    /// # Errors
    /// [`DataError::Io`] when the file cannot be opened (missing, no permission).
    pub fn open(
        &self,
        embedded: &'static str,
        embedded_name: &str,
    ) -> Result<(String, Box<dyn Read + Send>), DataError> {
        match self {
            DataSource::Embedded => Ok((embedded_name.to_string(), Box::new(embedded.as_bytes()))),
            DataSource::File(path) => {
                let name = path.display().to_string();
                match std::fs::File::open(path) {
                    Ok(file) => Ok((name, Box::new(file))),
                    Err(e) => Err(DataError::Io {
                        file: name,
                        reason: io_reason(&e),
                    }),
                }
            }
            DataSource::Stdin => Ok(("<stdin>".to_string(), Box::new(std::io::stdin()))),
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file; check the path given to --data".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
