//! Spreadsheets (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) read with calamine into the same
//! [`Table`] as a CSV file: the first non-empty row of the sheet is the header, every row below
//! it with a value is a data row, and each [`Row::line`] is the sheet's own row number. Columns
//! run from `A` to the last header cell, so column `i` of the table is the sheet's column `i`
//! (a spacer column with an empty header is kept, and must stay empty).
//!
//! Cells become the strings a CSV export would hold: text trimmed, numbers in their shortest
//! round-trip form (`12`, not `12.0`), booleans as `TRUE`/`FALSE`, dates as ISO 8601
//! (`2021-03-04`, with `T12:30:00` when there is a time of day), empty cells as `""`. A cell
//! holding a spreadsheet error (`#DIV/0!`, `#N/A`) is a [`DataError::ErrorCell`] naming the
//! sheet, row, column and cell.
//!
//! The table's `file` is [`place`] (`trials.xlsx, sheet 'Data'`), so every message about it names
//! the sheet, and [`crate::data::table::RowCursor::error`] locates values by row and cell.

use super::error::DataError;
use super::format::FileKind;
use super::table::{Row, Table};
use calamine::{open_workbook_from_rs, Data, ExcelDateTime, Ods, Range, Reader, Sheets, Xls};
use calamine::{Xlsb, Xlsx};
use std::fmt;
use std::io::Cursor;

/// Excel's serial day number of 10000-01-01: a date serial at or past it is shown as a number.
const LAST_SERIAL: f64 = 2_958_466.0;

/// How a table read from sheet `sheet` of `file` names its place in messages.
pub fn place(file: &str, sheet: &str) -> String {
    format!("{file}, sheet '{sheet}'")
}

/// The sheet in a table's `file` written by [`place`], `None` for a text file's name.
pub fn sheet_of(place: &str) -> Option<&str> {
    let (file, sheet) = place.strip_suffix('\'')?.split_once(", sheet '")?;
    (FileKind::from_path(file) == FileKind::Spreadsheet).then_some(sheet)
}

/// Where a spreadsheet cell is: its 1-based row and 0-based column, shown A1-style (`C7`); a
/// column absent from the sheet shows as `not in the sheet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRef {
    /// The sheet's row number.
    pub row: u64,
    /// The 0-based column (`A` is 0), `None` when the column is not in the sheet.
    pub column: Option<u32>,
}

impl CellRef {
    /// The cell in row `row` (1-based) and column `column` (0-based): `CellRef::at(7, 2)` is
    /// `C7`.
    pub fn at(row: u64, column: usize) -> CellRef {
        CellRef {
            row,
            column: u32::try_from(column).ok(),
        }
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(column) = self.column else {
            return f.write_str("not in the sheet");
        };
        let mut letters = Vec::new();
        let mut n = u64::from(column) + 1;
        while n > 0 {
            letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
            n = (n - 1) / 26;
        }
        let letters: String = letters.iter().rev().collect();
        write!(f, "{letters}{}", self.row)
    }
}

/// Reads sheet `sheet` (the first sheet when `None`) of the workbook `bytes` into a [`Table`]
/// whose header must hold the `required` columns. The format is taken from the extension of
/// `file`, then from the bytes when that fails.
///
/// # Errors
/// A workbook that cannot be opened, an unknown sheet, an empty sheet, a header without data
/// rows, a missing or duplicate column, a spreadsheet error value in a cell, or a value in a
/// column without a header.
pub fn read_sheet(
    file: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    required: &[&str],
) -> Result<Table, DataError> {
    let mut workbook = open(file, bytes)?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => {
            names
                .iter()
                .find(|n| *n == wanted)
                .ok_or_else(|| DataError::UnknownSheet {
                    file: file.into(),
                    sheet: wanted.into(),
                    available: quoted_list(&names),
                })?
        }
        None => names.first().ok_or_else(|| DataError::Spreadsheet {
            file: file.into(),
            reason: "the workbook has no sheets".into(),
        })?,
    };
    let range = workbook
        .worksheet_range(name)
        .map_err(|e| DataError::Spreadsheet {
            file: file.into(),
            reason: format!("sheet '{name}' cannot be read: {e}"),
        })?;
    table_of(&place(file, name), &range, required)
}

/// Opens the workbook with the reader its extension names, falling back to trying every format.
fn open<'a>(file: &str, bytes: &'a [u8]) -> Result<Sheets<Cursor<&'a [u8]>>, DataError> {
    let rs = Cursor::new(bytes);
    let ext = std::path::Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let first = match ext.as_deref() {
        Some("xlsx" | "xlsm") => open_workbook_from_rs::<Xlsx<_>, _>(rs.clone())
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string()),
        Some("xlsb") => open_workbook_from_rs::<Xlsb<_>, _>(rs.clone())
            .map(Sheets::Xlsb)
            .map_err(|e| e.to_string()),
        Some("xls") => open_workbook_from_rs::<Xls<_>, _>(rs.clone())
            .map(Sheets::Xls)
            .map_err(|e| e.to_string()),
        Some("ods") => open_workbook_from_rs::<Ods<_>, _>(rs.clone())
            .map(Sheets::Ods)
            .map_err(|e| e.to_string()),
        _ => Err("the format is not recognised".to_string()),
    };
    first.or_else(|reason| {
        calamine::open_workbook_auto_from_rs(rs).map_err(|_| DataError::Spreadsheet {
            file: file.into(),
            reason,
        })
    })
}

/// `'a', 'b'` for messages.
fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    if quoted.is_empty() {
        "(none)".into()
    } else {
        quoted.join(", ")
    }
}

/// The table of one sheet's cells; `place` names the file and sheet.
fn table_of(place: &str, range: &Range<Data>, required: &[&str]) -> Result<Table, DataError> {
    let empty = || DataError::EmptySheet {
        file: place.into(),
        expected: super::error::header_expectation(required),
    };
    let (Some((first_row, _)), Some((last_row, last_col))) = (range.start(), range.end()) else {
        return Err(empty());
    };
    let cell = |r: u32, c: u32| range.get_value((r, c)).unwrap_or(&Data::Empty);
    let header_row = (first_row..=last_row)
        .find(|&r| (0..=last_col).any(|c| !is_blank(cell(r, c))))
        .ok_or_else(empty)?;
    let row_no = |r: u32| u64::from(r) + 1;
    let mut headers = Vec::new();
    for c in 0..=last_col {
        headers.push(text(place, row_no(header_row), c, "", cell(header_row, c))?);
    }
    let width = headers
        .iter()
        .rposition(|h| !h.is_empty())
        .map_or(0, |i| i + 1);
    headers.truncate(width);
    check_header(place, row_no(header_row), &headers, required)?;
    let mut rows = Vec::new();
    for r in (header_row..=last_row).skip(1) {
        let mut fields = Vec::with_capacity(width);
        for c in 0..=last_col {
            let column = headers.get(c as usize).map_or("", String::as_str);
            let value = text(place, row_no(r), c, column, cell(r, c))?;
            if column.is_empty() && !value.is_empty() {
                return Err(DataError::BadCell {
                    file: place.into(),
                    column: String::new(),
                    cell: CellRef::at(row_no(r), c as usize),
                    found: value,
                    expected: "an empty cell, as the column has no name in the header row".into(),
                });
            }
            if (c as usize) < width {
                fields.push(value);
            }
        }
        if fields.iter().any(|f| !f.is_empty()) {
            rows.push(Row {
                line: row_no(r),
                fields,
            });
        }
    }
    if rows.is_empty() {
        return Err(DataError::SheetNoRows {
            file: place.into(),
            row: row_no(header_row),
        });
    }
    Ok(Table::new(place.into(), headers, rows))
}

/// Named columns are unique, and the `required` ones present.
fn check_header(
    place: &str,
    row: u64,
    headers: &[String],
    required: &[&str],
) -> Result<(), DataError> {
    for (i, name) in headers.iter().enumerate() {
        if !name.is_empty() && headers[..i].contains(name) {
            return Err(DataError::SheetDuplicateColumn {
                file: place.into(),
                row,
                cell: CellRef::at(row, i),
                field: name.clone(),
            });
        }
    }
    for col in required {
        if !headers.iter().any(|h| h == col) {
            let found: Vec<&str> = headers
                .iter()
                .map(String::as_str)
                .filter(|h| !h.is_empty())
                .collect();
            return Err(DataError::SheetMissingColumn {
                file: place.into(),
                row,
                column: (*col).into(),
                found: found.join(", "),
            });
        }
    }
    Ok(())
}

/// Whether a cell reads as an empty string.
fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The string of one cell (see the module paragraph), or the error of an error cell at sheet
/// row `row`, 0-based column `col` (named `column`).
fn text(place: &str, row: u64, col: u32, column: &str, data: &Data) -> Result<String, DataError> {
    Ok(match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(d) => date(d),
        Data::Error(e) => {
            return Err(DataError::ErrorCell {
                file: place.into(),
                column: column.into(),
                cell: CellRef::at(row, col as usize),
                found: e.to_string(),
            })
        }
    })
}

/// The shortest string that reads back as `f` (`12` for 12.0, `0.1` for 0.1, `0` for -0.0).
fn number(f: f64) -> String {
    if f == 0.0 {
        "0".into()
    } else {
        f.to_string()
    }
}

/// An Excel date-time as ISO 8601; a duration, or a serial outside years 1900–9999, as a number.
fn date(d: &ExcelDateTime) -> String {
    let serial = d.as_f64();
    if d.is_duration() || !(0.0..LAST_SERIAL).contains(&serial) {
        return number(serial);
    }
    let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
    match (h, mi, s, ms) {
        (0, 0, 0, 0) => format!("{y:04}-{mo:02}-{day:02}"),
        (_, _, _, 0) => format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}"),
        _ => format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}.{ms:03}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    // Expected values: A1 references as Excel names its columns; Excel serials from Excel's own
    // date arithmetic (serial 1 is 1900-01-01, 44261 is 2021-03-06, 0.5 of a day is noon).
    #[test]
    fn cells_are_named_and_converted_as_a_spreadsheet_shows_them() {
        assert_eq!(CellRef::at(7, 2).to_string(), "C7");
        assert_eq!(CellRef::at(1, 25).to_string(), "Z1");
        assert_eq!(CellRef::at(1, 26).to_string(), "AA1");
        assert_eq!(CellRef::at(3, 701).to_string(), "ZZ3");
        assert_eq!(CellRef::at(3, 702).to_string(), "AAA3");
        let absent = CellRef {
            row: 3,
            column: None,
        };
        assert_eq!(absent.to_string(), "not in the sheet");
        assert_eq!(number(12.0), "12");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        let dt = |v| ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
        assert_eq!(date(&dt(44261.0)), "2021-03-06");
        assert_eq!(date(&dt(44261.5)), "2021-03-06T12:00:00");
        assert_eq!(date(&dt(1.0)), "1900-01-01");
        assert_eq!(date(&dt(-3.0)), "-3");
        assert_eq!(date(&dt(1e300)), number(1e300));
    }

    #[test]
    fn only_places_made_for_spreadsheets_name_a_sheet() {
        assert_eq!(sheet_of(&place("trials.xlsx", "Data")), Some("Data"));
        assert_eq!(sheet_of(&place("t.ods", "it's")), Some("it's"));
        assert_eq!(sheet_of("arms.csv"), None);
        assert_eq!(sheet_of(&place("arms.csv", "Data")), None);
    }
}
