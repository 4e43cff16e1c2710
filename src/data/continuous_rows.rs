//! Users' two-arm continuous files, read by role (`studlab`, `n.e`, `mean.e`, `sd.e`, `n.c`,
//! `mean.c`, `sd.c`). An arm that reports a median with its range and/or interquartile range
//! instead of a mean and SD (`median.e`, `q1.e`, `q3.e`, `min.e`, `max.e`, and `.c`) gets an
//! estimated mean (Luo et al. 2018) and SD (Shi et al. 2020 for the five-number summary, Wan et
//! al. 2014 otherwise, or Wan throughout), as R `meta::metacont` does with `method.mean =
//! "Luo"`, `method.sd = "Shi"`; each conversion is stated with the estimators used.

use super::file_checks::FileChecks;
use super::roles::{self, Mapping, Role};
use super::table::Table;
use super::user_rows::{check_unique, RoleCursor, RoleTable};
use super::DataError;
use crate::effect::median_to_mean::{estimate_mean_sd, MedianSummary, SdChoice};

/// One arm's summary of a continuous outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArmMeans {
    /// Patients.
    pub n: f64,
    /// Mean (as reported, or estimated from the median).
    pub mean: f64,
    /// Standard deviation (as reported, or estimated).
    pub sd: f64,
}

/// One study of a two-arm continuous file.
#[derive(Debug, Clone, PartialEq)]
pub struct ContinuousRow {
    /// Line in the file.
    pub line: u64,
    /// Study label as typed.
    pub study: String,
    /// The experimental arm.
    pub experimental: ArmMeans,
    /// The control arm.
    pub control: ArmMeans,
    /// Every column as written, for `--by`.
    pub fields: crate::data::cursor::Fields,
    /// Arms whose mean and SD were estimated from a median, with the estimators.
    pub converted: Vec<String>,
}

/// The roles of one arm.
struct ArmRoles {
    name: &'static str,
    n: Role,
    mean: Role,
    sd: Role,
    median: Role,
    q1: Role,
    q3: Role,
    min: Role,
    max: Role,
}

const EXPERIMENTAL: ArmRoles = ArmRoles {
    name: "experimental",
    n: roles::N_E,
    mean: roles::MEAN_E,
    sd: roles::SD_E,
    median: roles::MEDIAN_E,
    q1: roles::Q1_E,
    q3: roles::Q3_E,
    min: roles::MIN_E,
    max: roles::MAX_E,
};

const CONTROL: ArmRoles = ArmRoles {
    name: "control",
    n: roles::N_C,
    mean: roles::MEAN_C,
    sd: roles::SD_C,
    median: roles::MEDIAN_C,
    q1: roles::Q1_C,
    q3: roles::Q3_C,
    min: roles::MIN_C,
    max: roles::MAX_C,
};

impl ArmRoles {
    fn optional(&self) -> [Role; 7] {
        [
            self.mean,
            self.sd,
            self.median,
            self.q1,
            self.q3,
            self.min,
            self.max,
        ]
    }

    /// The arm of row `r`: its mean and SD, or their estimates from the median summary.
    fn read(
        &self,
        r: &RoleCursor<'_>,
        study: &str,
        sd_choice: SdChoice,
        converted: &mut Vec<String>,
    ) -> Result<ArmMeans, DataError> {
        let n = r.number(self.n, true)?;
        if n < 2.0 {
            return Err(r.error(self.n, "at least 2 patients (an SD needs two)"));
        }
        let mean = r.optional_number(self.mean, false)?;
        let sd = r.optional_number(self.sd, true)?;
        let median = r.optional_number(self.median, false)?;
        match (mean, sd, median) {
            (Some(mean), Some(sd), _) => Ok(ArmMeans { n, mean, sd }),
            (_, _, Some(median)) => {
                let summary = MedianSummary::from_parts(
                    r.optional_number(self.min, false)?,
                    r.optional_number(self.q1, false)?,
                    median,
                    r.optional_number(self.q3, false)?,
                    r.optional_number(self.max, false)?,
                )
                .and_then(|s| estimate_mean_sd(&s, n, sd_choice))
                .map_err(|e| {
                    r.error(self.median, format!("a median with its range or IQR ({e})"))
                })?;
                converted.push(format!(
                    "{study}: the {} arm's mean and SD are estimated from its median ({}, {})",
                    self.name, summary.mean_method, summary.sd_method
                ));
                Ok(ArmMeans {
                    n,
                    mean: summary.mean,
                    sd: summary.sd,
                })
            }
            (None, _, None) => {
                Err(r.error(self.mean, "a mean (or a median with its range or IQR)"))
            }
            (Some(_), None, None) => {
                Err(r.error(self.sd, "a positive SD (or a median with its range or IQR)"))
            }
        }
    }
}

/// Reads a two-arm continuous file (`studlab, n.e, mean.e, sd.e, n.c, mean.c, sd.c`, or an
/// arm's `median` with `min`/`max` and/or `q1`/`q3` instead of its mean and SD).
///
/// # Errors
/// A missing role (an arm with neither mean and SD nor median columns), a non-numeric value,
/// n < 2 or SD ≤ 0, a median summary that gives no estimate, or a repeated study label, each
/// located.
pub fn load_continuous(
    table: Table,
    maps: &[Mapping],
    sd_choice: SdChoice,
) -> Result<Vec<ContinuousRow>, DataError> {
    load_continuous_checked(table, maps, sd_choice, &mut FileChecks::default())
}

/// [`load_continuous`] of a file's piece, continuing the checks across its rows in `seen`.
///
/// # Errors
/// As [`load_continuous`].
pub fn load_continuous_checked(
    table: Table,
    maps: &[Mapping],
    sd_choice: SdChoice,
    seen: &mut FileChecks,
) -> Result<Vec<ContinuousRow>, DataError> {
    let mut required = vec![roles::STUDLAB, roles::N_E, roles::N_C];
    for arm in [&EXPERIMENTAL, &CONTROL] {
        // An arm needs its mean and SD columns unless it has a median column.
        let median = roles::find(&table.file, &table.headers, arm.median, maps)?;
        if median.is_none() {
            required.extend([arm.mean, arm.sd]);
        }
    }
    let optional: Vec<Role> = [&EXPERIMENTAL, &CONTROL]
        .iter()
        .flat_map(|a| a.optional())
        .collect();
    let t = RoleTable::resolve(table, &required, &optional, maps)?;
    t.rows()
        .map(|r| {
            let study = r.text(roles::STUDLAB)?;
            check_unique(seen, &r, &study)?;
            let mut converted = Vec::new();
            Ok(ContinuousRow {
                line: r.cursor.line(),
                experimental: EXPERIMENTAL.read(&r, &study, sd_choice, &mut converted)?,
                control: CONTROL.read(&r, &study, sd_choice, &mut converted)?,
                fields: r.cursor.all_fields(),
                converted,
                study,
            })
        })
        .collect()
}
