//! Which reader a data file needs, told by its name ([`FileKind`]), and the one entry point that
//! reads any tabular data file into a [`Table`] ([`read_table`]): delimited text through
//! [`Table::parse`], spreadsheets through [`super::sheet::read_sheet`].

use super::error::DataError;
use super::sheet::read_sheet;
use super::table::Table;
use std::path::Path;

/// The kind of a data file, which decides how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Delimited text: CSV, semicolon-separated CSV or TSV (the delimiter is sniffed).
    Text,
    /// A workbook: `.xlsx`, `.xlsm`, `.xlsb`, `.xls` or `.ods`.
    Spreadsheet,
    /// A RevMan 5 review (`.rm5`), read by its own module rather than as a table.
    RevMan,
}

impl FileKind {
    /// The kind named by the extension of `path` (any case): `xlsx`, `xlsm`, `xlsb`, `xls` and
    /// `ods` are spreadsheets, `rm5` is RevMan, and anything else (`csv`, `tsv`, `txt`, no
    /// extension, standard input's `-` or `<stdin>`) is text.
    pub fn from_path(path: impl AsRef<Path>) -> FileKind {
        let ext = path
            .as_ref()
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("xlsx" | "xlsm" | "xlsb" | "xls" | "ods") => FileKind::Spreadsheet,
            Some("rm5") => FileKind::RevMan,
            _ => FileKind::Text,
        }
    }
}

/// Reads the data file `bytes` (named `name` in messages) of kind `kind` into a [`Table`] whose
/// header must hold the `required` columns; `sheet` picks a spreadsheet's sheet (the first one
/// when `None`) and must be `None` for text.
///
/// # Errors
/// Everything [`Table::parse`] and [`read_sheet`] report, [`DataError::SheetOfText`] for a
/// sheet given with a text file, and [`DataError::NotATable`] for a RevMan file.
pub fn read_table(
    name: &str,
    bytes: &[u8],
    kind: FileKind,
    sheet: Option<&str>,
    required: &[&str],
) -> Result<Table, DataError> {
    match (kind, sheet) {
        (FileKind::Text, None) => Table::parse(name, bytes, required),
        (FileKind::Text, Some(sheet)) => Err(DataError::SheetOfText {
            file: name.into(),
            sheet: sheet.into(),
        }),
        (FileKind::Spreadsheet, _) => read_sheet(name, bytes, sheet, required),
        (FileKind::RevMan, _) => Err(DataError::NotATable {
            file: name.into(),
            kind: "RevMan (.rm5)".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected kinds: the extension table in the brief of this module.
    #[test]
    fn the_extension_names_the_kind() {
        for (path, kind) in [
            ("a.csv", FileKind::Text),
            ("dir.v2/a.TSV", FileKind::Text),
            ("a.txt", FileKind::Text),
            ("<stdin>", FileKind::Text),
            ("noext", FileKind::Text),
            ("a.XLSX", FileKind::Spreadsheet),
            ("a.xlsm", FileKind::Spreadsheet),
            ("a.xls", FileKind::Spreadsheet),
            ("a.ods", FileKind::Spreadsheet),
            ("review.rm5", FileKind::RevMan),
        ] {
            assert_eq!(FileKind::from_path(path), kind, "{path}");
        }
    }
}
