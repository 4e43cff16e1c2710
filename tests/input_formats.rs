//! Input formats other than plain comma-separated UTF-8: semicolon- and tab-separated text (the
//! delimiter sniffed from the header), a byte-order mark on a stream, and spreadsheets (`.xlsx`
//! made here with rust_xlsxwriter, `.ods` zipped here by hand), through
//! `alkstats::data::read_table`. Malformed workbooks must give typed, located errors, never a
//! panic, which a seeded random-mutation run over a small workbook checks.
//!
//! Expected values are the cells as written by the test itself (numbers in the shortest form
//! that reads back, as the module paragraph of `src/data/sheet.rs` specifies), and expected
//! messages are the `#[error]` formats of `src/data/error.rs` filled in by hand.

use alkstats::data::table::{RowReader, Table};
use alkstats::data::{read_table, DataError, FileKind};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use std::io::{Cursor, Read, Write};

#[path = "input_formats/mutate.rs"]
mod mutate;
use mutate::{entries, mutate, rezip, Rng};

const REQUIRED: &[&str] = &["study", "drug", "n", "source"];

fn text(name: &str, bytes: &[u8]) -> Result<Table, DataError> {
    read_table(name, bytes, FileKind::from_path(name), None, REQUIRED)
}

fn message<T: std::fmt::Debug>(result: Result<T, DataError>) -> String {
    result.expect_err("an error").to_string()
}

#[test]
fn semicolon_and_tab_files_read_like_comma_files() {
    let comma = text(
        "a.csv",
        b"study,drug,n,source\nA,x,10,s\nB,y,12.0,\"s;t\"\n",
    )
    .unwrap();
    let semi = text("a.csv", b"study;drug;n;source\nA;x;10;s\nB;y;12.0;s;t\n");
    // The semicolon file's last row has five fields: the sniffed delimiter is named.
    assert_eq!(
        message(semi),
        "a.csv: line 3: found 5 fields, expected 4 as in the header (a missing or extra semicolon?)"
    );
    let semi = text(
        "a.csv",
        b"study;drug;n;source\nA;x;10;s\nB;y;12.0;\"s;t\"\n",
    )
    .unwrap();
    let tab = text(
        "a.txt",
        b"study\tdrug\tn\tsource\nA\tx\t10\ts\nB\ty\t12.0\ts;t\n",
    )
    .unwrap();
    // A .tsv name means tab even when the header would split more ways on commas.
    let tsv = read_table(
        "a.tsv",
        b"study\tn\tsource,x,y,z\n1\t2\t3\n",
        FileKind::Text,
        None,
        &[],
    );
    let tsv = tsv.unwrap();
    assert_eq!(tsv.headers[2], "source,x,y,z");
    for t in [&semi, &tab] {
        assert_eq!(t.headers, comma.headers);
        assert_eq!(t.rows, comma.rows);
    }
    // Ties go to the comma: one comma and one semicolon split the header into two either way.
    let tie = text("a.csv", b"study,drug;n\n1,2;3\n");
    assert!(message(tie).contains("required column"));
}

#[test]
fn comma_messages_are_unchanged() {
    assert_eq!(
        message(text("a.csv", b"study,drug,n,source\nA,x,10\n")),
        "a.csv: line 2: found 3 fields, expected 4 as in the header (a missing or extra comma?)"
    );
    let tab = text("a.tsv", b"study\tdrug\tn\tsource\nA\tx\t10\n");
    assert!(message(tab).ends_with("(a missing or extra tab?)"));
}

/// A reader that hands out one byte at a time, as a pipe may.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&b, rest)), Some(slot)) => {
                *slot = b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn the_streaming_reader_sniffs_and_drops_a_bom() {
    let data = b"\xEF\xBB\xBFstudy;drug;n;source\nA;x;10;s\nB;y;12;s\n";
    let mut reader = RowReader::new("s.csv", Trickle(data), REQUIRED).unwrap();
    assert_eq!(reader.headers(), ["study", "drug", "n", "source"]);
    assert_eq!(reader.delimiter().to_string(), "semicolon");
    let mut record = csv::ByteRecord::new();
    let mut lines = Vec::new();
    while reader.read_record(&mut record).unwrap() {
        let row = alkstats::data::table::decode_row("s.csv", reader.headers(), &record).unwrap();
        lines.push((row.line, row.fields[0].clone()));
    }
    assert_eq!(lines, [(2, "A".to_string()), (3, "B".to_string())]);
    let ragged = b"\xEF\xBB\xBFstudy\tdrug\tn\tsource\nA\tx\n";
    let mut reader = RowReader::new("s.txt", &ragged[..], REQUIRED).unwrap();
    let e = reader.read_record(&mut record).unwrap_err().to_string();
    assert_eq!(
        e,
        "s.txt: line 2: found 2 fields, expected 4 as in the header (a missing or extra tab?)"
    );
    let bom_only = RowReader::new("e.csv", &b"\xEF\xBB\xBF"[..], REQUIRED).err();
    assert!(matches!(bom_only, Some(DataError::Empty { .. })));
}

/// A workbook of two sheets: `Notes`, then `Data` with a header in row 1 and data from row 2.
fn workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write(0, 0, "see Data").unwrap();
    let data = book.add_worksheet();
    data.set_name("Data").unwrap();
    for (c, h) in ["study", "drug", "n", "source", "flag", "when"]
        .iter()
        .enumerate()
    {
        data.write(0, c as u16, *h).unwrap();
    }
    data.write(1, 0, "  A 2014 ").unwrap();
    data.write(1, 1, "crizotinib").unwrap();
    data.write(1, 2, 172.0).unwrap();
    data.write(1, 3, 0.1).unwrap();
    data.write(1, 4, true).unwrap();
    let day = ExcelDateTime::from_ymd(2021, 3, 6).unwrap();
    data.write_datetime_with_format(1, 5, &day, &date).unwrap();
    data.write(2, 0, "B").unwrap();
    data.write(2, 1, "alectinib").unwrap();
    data.write(2, 2, 1.5e-7).unwrap();
    data.write(2, 3, "s").unwrap();
    data.write(2, 4, false).unwrap();
    // Formatted but empty cells below the data stretch the sheet's range: skipped.
    data.write_blank(9, 0, &date).unwrap();
    data.write_blank(9, 5, &date).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_sheet_reads_as_a_table_with_its_own_row_numbers() {
    let bytes = workbook();
    let t = read_table(
        "trials.xlsx",
        &bytes,
        FileKind::Spreadsheet,
        Some("Data"),
        REQUIRED,
    )
    .unwrap();
    assert_eq!(t.file, "trials.xlsx, sheet 'Data'");
    assert_eq!(t.sheet(), Some("Data"));
    assert_eq!(t.headers, ["study", "drug", "n", "source", "flag", "when"]);
    let fields: Vec<_> = t
        .rows
        .iter()
        .map(|r| (r.line, r.fields.join("|")))
        .collect();
    assert_eq!(
        fields,
        [
            (2, "A 2014|crizotinib|172|0.1|TRUE|2021-03-06".to_string()),
            (3, "B|alectinib|0.00000015|s|FALSE|".to_string()),
        ]
    );
    // A value the analysis rejects is located by sheet, row, column name and cell.
    let c = t.cursor(&t.rows[1]);
    assert_eq!(
        c.optional_count("n").unwrap_err().to_string(),
        "trials.xlsx, sheet 'Data': row 3, column 'n' (C3): found '0.00000015'; \
         expected a whole number of patients (0, 1, 2, …)"
    );
    // No sheet named: the first sheet, which lacks the required columns.
    assert_eq!(
        message(read_table(
            "t.xlsx",
            &bytes,
            FileKind::Spreadsheet,
            None,
            REQUIRED
        )),
        "t.xlsx, sheet 'Notes': row 1 (header): required column 'study' is missing; \
         found columns: see Data"
    );
    assert_eq!(
        message(read_table(
            "t.xlsx",
            &bytes,
            FileKind::Spreadsheet,
            Some("data"),
            REQUIRED
        )),
        "t.xlsx: there is no sheet 'data'; expected one of the sheets: 'Notes', 'Data'"
    );
}

#[test]
fn error_cells_spacer_columns_and_offsets_are_located() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("Data").unwrap();
    // The header starts at B2: column A is a spacer, row 1 empty.
    for (c, h) in ["study", "drug", "n", "source"].iter().enumerate() {
        s.write(1, c as u16 + 1, *h).unwrap();
    }
    for r in 2..6u32 {
        s.write(r, 1, format!("S{r}")).unwrap();
        s.write(r, 2, "x").unwrap();
        s.write(r, 3, 10).unwrap();
    }
    s.write_formula(6, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    let bytes = book.save_to_buffer().unwrap();
    assert_eq!(
        message(read_table(
            "trials.xlsx",
            &bytes,
            FileKind::Spreadsheet,
            None,
            REQUIRED
        )),
        "trials.xlsx, sheet 'Data': row 7, column 'n' (D7): found '#DIV/0!', a spreadsheet \
         error; expected a value (fix the formula or clear the cell)"
    );
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in ["study", "drug", "n", "source"].iter().enumerate() {
        s.write(1, c as u16 + 1, *h).unwrap();
    }
    s.write(2, 1, "A").unwrap();
    s.write(2, 3, "ten").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let t = read_table("t.xlsx", &bytes, FileKind::Spreadsheet, None, REQUIRED).unwrap();
    assert_eq!(t.headers, ["", "study", "drug", "n", "source"]);
    assert_eq!(t.rows[0].line, 3);
    let c = t.cursor(&t.rows[0]);
    assert_eq!(
        c.optional_number("n", true).unwrap_err().to_string(),
        "t.xlsx, sheet 'Sheet1': row 3, column 'n' (D3): found 'ten'; expected a positive number"
    );
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in ["study", "drug", "n", "source"].iter().enumerate() {
        s.write(0, c as u16, *h).unwrap();
    }
    s.write(1, 0, "A").unwrap();
    s.write(1, 5, "stray").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    assert_eq!(
        message(read_table(
            "t.xlsx",
            &bytes,
            FileKind::Spreadsheet,
            None,
            REQUIRED
        )),
        "t.xlsx, sheet 'Sheet1': row 2, column '' (F2): found 'stray'; expected an empty cell, \
         as the column has no name in the header row"
    );
}

#[test]
fn empty_header_only_and_duplicate_sheets_are_errors() {
    let mut book = Workbook::new();
    book.add_worksheet();
    let empty = book.save_to_buffer().unwrap();
    assert_eq!(
        message(read_table(
            "e.xlsx",
            &empty,
            FileKind::Spreadsheet,
            None,
            REQUIRED
        )),
        "e.xlsx, sheet 'Sheet1': the sheet is empty; expected a header row with the columns \
         study, drug, n, source"
    );
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in ["study", "drug", "n", "source", "n"].iter().enumerate() {
        s.write(0, c as u16, *h).unwrap();
    }
    let dup = book.save_to_buffer().unwrap();
    assert_eq!(
        message(read_table(
            "d.xlsx",
            &dup,
            FileKind::Spreadsheet,
            None,
            REQUIRED
        )),
        "d.xlsx, sheet 'Sheet1': row 1 (header), cell E1: the column name 'n' appears twice; \
         expected unique column names"
    );
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in ["study", "drug", "n", "source"].iter().enumerate() {
        s.write(0, c as u16, *h).unwrap();
    }
    let header_only = book.save_to_buffer().unwrap();
    assert_eq!(
        message(read_table(
            "h.xlsx",
            &header_only,
            FileKind::Spreadsheet,
            None,
            REQUIRED
        )),
        "h.xlsx, sheet 'Sheet1': row 1 (header) has no data rows below it; expected at least \
         one row"
    );
}

#[test]
fn broken_workbooks_and_other_kinds_give_typed_errors() {
    let bytes = workbook();
    for (name, bytes) in [
        ("cut.xlsx", &bytes[..bytes.len() / 2]),
        ("csv.xlsx", &b"study,drug,n,source\nA,x,1,s\n"[..]),
        ("empty.xls", &b""[..]),
        (
            "junk.xls",
            &b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 not really"[..],
        ),
        ("junk.ods", &b"PK\x03\x04 not really"[..]),
    ] {
        let e = read_table(name, bytes, FileKind::from_path(name), None, REQUIRED);
        assert!(
            matches!(e, Err(DataError::Spreadsheet { ref file, .. }) if file == name),
            "{name}: {e:?}"
        );
    }
    // A workbook with a wrong extension is still read, by its content.
    assert!(read_table(
        "x.ods",
        &bytes,
        FileKind::Spreadsheet,
        Some("Data"),
        REQUIRED
    )
    .is_ok());
    assert_eq!(
        message(read_table(
            "r.rm5",
            b"<COCHRANE_REVIEW/>",
            FileKind::RevMan,
            None,
            REQUIRED
        )),
        "r.rm5: RevMan (.rm5) files are not read as a table here; expected a CSV, TSV or \
         spreadsheet file"
    );
    assert!(matches!(
        read_table("a.csv", b"x", FileKind::Text, Some("Data"), REQUIRED),
        Err(DataError::SheetOfText { .. })
    ));
}

/// An `.ods` file zipped by hand: the `mimetype` entry first and stored, a manifest, and
/// `content.xml` holding one table `Arms` with `rows` (cells as raw ODF XML).
fn ods(rows: &[&str]) -> Vec<u8> {
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut add = |name: &str, body: &str| {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    add("mimetype", "application/vnd.oasis.opendocument.spreadsheet");
    add(
        "META-INF/manifest.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"#,
    );
    let rows: String = rows
        .iter()
        .map(|r| format!("<table:table-row>{r}</table:table-row>"))
        .collect();
    add(
        "content.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Arms">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        ),
    );
    zip.finish().unwrap().into_inner()
}

fn s(v: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#
    )
}

#[test]
fn an_ods_sheet_reads_as_a_table() {
    let header: String = ["study", "drug", "n", "source"].map(s).concat();
    let row = [
        s(" A "),
        r#"<table:table-cell office:value-type="date" office:date-value="2021-03-06"/>"#.into(),
        r#"<table:table-cell office:value-type="float" office:value="12"/>"#.into(),
        r#"<table:table-cell office:value-type="boolean" office:boolean-value="true"/>"#.into(),
    ]
    .concat();
    let bytes = ods(&[&header, &row, "<table:table-cell/>"]);
    let t = read_table("a.ods", &bytes, FileKind::Spreadsheet, None, REQUIRED).unwrap();
    assert_eq!(t.file, "a.ods, sheet 'Arms'");
    assert_eq!(t.rows.len(), 1);
    assert_eq!(
        (t.rows[0].line, t.rows[0].fields.join("|")),
        (2, "A|2021-03-06|12|TRUE".into())
    );
    let only_header = ods(&[&header]);
    let e = read_table("a.ods", &only_header, FileKind::Spreadsheet, None, REQUIRED);
    assert!(
        matches!(e, Err(DataError::SheetNoRows { row: 1, .. })),
        "{e:?}"
    );
    let cut = &bytes[..bytes.len() - 40];
    let e = read_table("a.ods", cut, FileKind::Spreadsheet, None, REQUIRED);
    assert!(matches!(e, Err(DataError::Spreadsheet { .. })), "{e:?}");
}

#[test]
fn randomly_mutated_workbooks_never_panic() {
    let original = workbook();
    let parts = entries(&original);
    let mut rng = Rng(0x5EED_A1C5_7A75);
    let (mut ok, mut errors) = (0, 0);
    for i in 0..10_000 {
        let bytes = if i % 3 == 0 {
            // Mutate the zip itself: mostly caught by the zip layer.
            let mut b = original.clone();
            mutate(&mut rng, &mut b);
            b
        } else {
            // Mutate one XML part, then zip it again so the XML reader sees the damage.
            let mut p = parts.clone();
            let k = rng.below(p.len());
            mutate(&mut rng, &mut p[k].1);
            rezip(&p)
        };
        let sheet = ["Data", "Notes", "Nope"][rng.below(3)];
        let result = std::panic::catch_unwind(|| {
            read_table(
                "m.xlsx",
                &bytes,
                FileKind::Spreadsheet,
                Some(sheet),
                REQUIRED,
            )
            .map(|t| t.rows.len())
        });
        match result {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                errors += 1;
                assert!(e.to_string().starts_with("m.xlsx"), "mutation {i}: {e}");
            }
            Err(_) => panic!("mutation {i} (seeded, reproducible) panicked"),
        }
    }
    // Both outcomes occur, so the run reaches past the zip layer.
    assert!(ok > 0 && errors > 0, "ok {ok}, errors {errors}");
}
