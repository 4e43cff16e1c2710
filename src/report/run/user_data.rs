//! The analyses of a run that read a user's own file (`kind = "binary"`, `"continuous"`,
//! `"generic"`): the file is read as `alkstats pool --data FILE --sheet S --map ROLE=COLUMN`
//! reads it, once per path and sheet, and listed in the provenance table under its own role;
//! the analysis is the library function that `pool --outcome binary|continuous|generic` calls.

use super::figures::{draw, Figure};
use super::inputs::{read, sha256_hex, years, Input, Role, SourceRow};
use super::{AnyReport, Ran};
use crate::analysis::compare::pool_binary;
use crate::analysis::continuous::pool_continuous;
use crate::analysis::generic::pool_generic;
use crate::analysis::group::{Grouped, Grouping};
use crate::analysis::report::{PoolReport, StudyRow};
use crate::analysis::AnalysisError;
use crate::data::continuous_rows::load_continuous;
use crate::data::table::Table;
use crate::data::user_rows::{load_binary, load_generic};
use crate::data::{read_table, FileKind, StudyYear};
use crate::report::plan::{AnalysisPlan, AnalysisSpec, UserFile};
use crate::report::ReportError;
use std::collections::BTreeMap;
use std::path::Path;

/// The users' files a run has read, in the order first read; the n-th is `Role::File(n)`.
#[derive(Default)]
pub(super) struct UserFiles {
    read: Vec<((String, Option<String>), Input)>,
}

impl UserFiles {
    /// The files as the report lists them.
    pub(super) fn inputs(self) -> impl Iterator<Item = Input> {
        self.read.into_iter().map(|(_, input)| input)
    }

    /// Reads `file` (relative to `base`) as a table; its role, and the SHA-256 of its bytes
    /// when it was not read before.
    fn table(
        &self,
        file: &UserFile,
        base: &Path,
    ) -> Result<(Table, Role, Option<String>), ReportError> {
        let (name, bytes) = read(Some(&file.path), base, "", "")?;
        let kind = FileKind::from_path(&name);
        let table = read_table(&name, &bytes, kind, file.sheet.as_deref(), &[])?;
        let key = (file.path.clone(), file.sheet.clone());
        Ok(match self.read.iter().position(|(k, _)| *k == key) {
            Some(i) => (table, Role::File(i), None),
            None => (table, Role::File(self.read.len()), Some(sha256_hex(&bytes))),
        })
    }
}

/// A row of a user's file as the provenance table lists it: its line and study, and its
/// `source` column when it has one.
fn source_row(line: u64, study: &str, fields: &BTreeMap<String, String>) -> SourceRow {
    SourceRow {
        line,
        study: study.to_string(),
        what: String::new(),
        trial: None,
        overlaps: Vec::new(),
        source: fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("source"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
    }
}

/// Pools at the plan's grouping (and without groups where a figure needs the overall result)
/// and draws the figures, as `pool` with `--forest` and `--funnel` does.
fn pooled<S: StudyRow, R: StudyYear, T: Grouped>(
    a: &AnalysisPlan,
    rows: &[R],
    settings: &T,
    dpi: f64,
    pool: impl Fn(&T) -> Result<PoolReport<S>, AnalysisError>,
) -> Result<(PoolReport<S>, Vec<Figure>), ReportError> {
    let err = |source| ReportError::Analysis {
        id: a.id.clone(),
        source,
    };
    let mut report = pool(settings).map_err(err)?;
    if a.overall {
        report.show_overall();
    }
    let overall = match settings.grouping() {
        Grouping::Column(_) if a.figures.forest || a.figures.funnel => {
            Some(pool(&settings.with_grouping(Grouping::None)).map_err(err)?)
        }
        _ => None,
    };
    let figures = draw(
        &a.id,
        &report,
        overall.as_ref(),
        years(rows),
        &a.figures,
        dpi,
    )?;
    Ok((report, figures))
}

fn not_user(a: &AnalysisPlan) -> ReportError {
    ReportError::Internal(format!("analysis '{}' reads no file of its own", a.id))
}

/// Runs analysis `a` of kind binary, continuous or generic on its file (relative to `base`).
pub(super) fn run_user<'a>(
    a: &'a AnalysisPlan,
    base: &Path,
    dpi: f64,
    files: &mut UserFiles,
) -> Result<Ran<'a>, ReportError> {
    let file = a.spec.user_file().ok_or_else(|| not_user(a))?;
    let (table, role, new) = files.table(file, base)?;
    let (name, headers) = (table.file.clone(), table.headers.clone());
    let list = |line, study: &str, fields: &_| source_row(line, study, fields);
    let (report, figures, listed): (_, _, Vec<SourceRow>) = match &a.spec {
        AnalysisSpec::Binary(s) => {
            let rows = load_binary(table, &file.maps)?;
            let pool = |s: &_| pool_binary(&rows, &headers, &name, s);
            let (r, f) = pooled(a, &rows, &s.settings, dpi, pool)?;
            let listed = rows.iter().map(|r| list(r.line, &r.study, &r.fields));
            (AnyReport::TwoArm(r), f, listed.collect())
        }
        AnalysisSpec::Continuous(s) => {
            let rows = load_continuous(table, &file.maps, s.sd_method)?;
            let pool = |s: &_| pool_continuous(&rows, &headers, &name, s);
            let (r, f) = pooled(a, &rows, &s.settings, dpi, pool)?;
            let listed = rows.iter().map(|r| list(r.line, &r.study, &r.fields));
            (AnyReport::Continuous(r), f, listed.collect())
        }
        AnalysisSpec::Generic(s) => {
            let rows = load_generic(table, &file.maps)?;
            let pool = |s: &_| pool_generic(&rows, &headers, &name, s);
            let (r, f) = pooled(a, &rows, &s.settings, dpi, pool)?;
            let listed = rows.iter().map(|r| list(r.line, &r.study, &r.fields));
            (AnyReport::Generic(r), f, listed.collect())
        }
        _ => return Err(not_user(a)),
    };
    if let Some(sha256) = new {
        let key = (file.path.clone(), file.sheet.clone());
        let input = Input {
            role,
            name,
            sha256,
            rows: listed,
        };
        files.read.push((key, input));
    }
    Ok((report, figures, role, Some(file.path.as_str())))
}
