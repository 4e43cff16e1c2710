//! The proportions engine reads plain text (no quotes, no lone carriage returns) by lines rather
//! than through the CSV parser (issue 18): the same rows, line numbers and errors as the CSV
//! parser and as the in-memory path, for files with Windows line ends, empty lines, a last line
//! without a line feed, a row of the wrong width, a line of spaces and a field that is not
//! UTF-8. Expected output is the in-memory path's (`--no-stream`) and the CSV
//! parser's (the same file with one field quoted, which makes it not plain).

mod support;

use support::workdir::Workdir;

/// A single-arm file of `groups` meta-analyses, with `line_end` after each line.
fn orr_file(groups: u32, line_end: &str) -> String {
    let mut s = format!("meta_id,study,drug,n,responders,source{line_end}");
    for g in 0..groups {
        for j in 0..(2 + g % 5) {
            let n = 20 + (g * 37 + j * 53) % 250;
            let r = (n * (10 + (g * 13 + j * 29) % 80)) / 100;
            s.push_str(&format!(
                "m{g:03},m{g:03}-s{j},crizotinib,{n},{r},synthetic{line_end}"
            ));
            if g % 17 == 3 && j == 0 {
                // Empty lines, which every reader skips.
                s.push_str(line_end);
                s.push_str(line_end);
            }
        }
    }
    s
}

/// `--format csv` of `file`: streamed (plain text), loaded, and streamed with the CSV parser
/// (`quoted`, the same rows with one label quoted).
fn three_ways(wd: &Workdir, args: &[&str]) -> [(i32, String, String); 3] {
    let run = |file: &str, extra: &str| {
        let mut all = vec!["pool", "--data", file, "--by", "meta_id", "--format", "csv"];
        all.extend_from_slice(args);
        all.push(extra);
        wd.outcome(&all)
    };
    [
        run("plain.csv", "--stream"),
        run("plain.csv", "--no-stream"),
        run("quoted.csv", "--stream"),
    ]
}

/// The same file with the first study label quoted: no longer plain text.
fn quoted(text: &str) -> String {
    text.replacen("m000-s0", "\"m000-s0\"", 1)
}

#[test]
fn plain_lines_give_the_csv_parsers_rows_whatever_the_line_ends() {
    for line_end in ["\n", "\r\n"] {
        let wd = Workdir::new();
        let mut text = orr_file(60, line_end);
        // The last line without its line end.
        text.truncate(text.len() - line_end.len());
        wd.create("plain.csv", &text);
        wd.create("quoted.csv", quoted(&text));
        let [plain, loaded, csv] = three_ways(&wd, &[]);
        assert_eq!(plain.0, 0, "{}", plain.2);
        assert!(plain.1.lines().count() == 61, "{}", plain.1);
        assert_eq!(plain, loaded, "line end {line_end:?}");
        assert_eq!(plain, csv, "line end {line_end:?}");
        // Automatic streaming (the file scanned first) too.
        let auto = wd.outcome(&[
            "pool",
            "--data",
            "plain.csv",
            "--by",
            "meta_id",
            "--format",
            "csv",
        ]);
        assert_eq!(auto, loaded);
    }
}

#[test]
fn plain_lines_report_bad_rows_as_the_csv_parser_does() {
    let text = orr_file(40, "\n");
    let bad_rows = [
        // A row of the wrong width, after rows with other problems would be found.
        text.replacen("m030-s1,crizotinib,", "m030-s1,crizotinib,extra,", 1),
        // A count that is not a number.
        text.replacen("m012-s0,crizotinib,", "m012-s0,crizotinib,x", 1),
        // A line of spaces: a row of one field.
        text.replacen("\nm025,", "\n   \nm025,", 1),
    ];
    for bad in bad_rows {
        let wd = Workdir::new();
        wd.create("plain.csv", &bad);
        wd.create("quoted.csv", quoted(&bad));
        let [plain, loaded, csv] = three_ways(&wd, &[]);
        assert_eq!(plain.0, 2, "{}", plain.2);
        assert_eq!(plain.2, loaded.2);
        assert_eq!(plain.2, csv.2.replace("quoted.csv", "plain.csv"));
    }
    // A field that is not UTF-8.
    let wd = Workdir::new();
    let mut bytes = text.clone().into_bytes();
    let at = text.find("m020-s1").unwrap();
    bytes[at + 1] = 0xff;
    wd.create("plain.csv", &bytes);
    let mut quoted_bytes = quoted(&text).into_bytes();
    quoted_bytes[at + 3] = 0xff;
    wd.create("quoted.csv", &quoted_bytes);
    let [plain, loaded, csv] = three_ways(&wd, &[]);
    assert_eq!(plain.0, 2);
    assert!(plain.2.contains("line"), "{}", plain.2);
    assert_eq!(plain.2, loaded.2);
    assert_eq!(plain.2, csv.2.replace("quoted.csv", "plain.csv"));
}

#[test]
fn messages_name_the_line_an_editor_shows_after_empty_lines_and_crlf() {
    // The CSV parser's own count skips empty lines and CR LF line feeds (it said line 2 here).
    let wd = Workdir::new();
    wd.create("e.csv", "a,b,c\r\n1,2,3\r\n\r\n\r\n4,x,6\r\n");
    wd.create("q.csv", "a,b,c\n1,2,3\n\"4\n4\",x,6\n");
    let args = |file: &'static str| {
        [
            "pool",
            "--outcome",
            "generic",
            "--data",
            file,
            "--map",
            "studlab=a",
            "--map",
            "TE=b",
            "--map",
            "seTE=c",
        ]
    };
    let stderr = wd.fails_stderr(&args("e.csv"));
    assert!(stderr.contains("e.csv: line 5, column 2 (b)"), "{stderr}");
    // A record over two lines (a quoted line break) is named by its first line.
    let stderr = wd.fails_stderr(&args("q.csv"));
    assert!(stderr.contains("q.csv: line 3, column 2 (b)"), "{stderr}");
}

#[test]
fn cells_that_need_quotes_are_written_as_the_csv_writer_writes_them() {
    // Group labels with a comma, a quote and a line break (a quoted file, so the CSV parser
    // reads it), streamed rows written without the csv crate's writer; and a row of one empty
    // cell (`--fields treatment` of single arms), which the writer writes as `""`.
    let wd = Workdir::new();
    let mut text = String::from("meta_id,study,n,responders\n");
    for (g, label) in ["\"a, b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", "plain"]
        .iter()
        .enumerate()
    {
        for j in 0..3 {
            text.push_str(&format!("{label},s{g}-{j},{},{}\n", 40 + j * 7, 10 + j * 3));
        }
    }
    wd.create("labels.csv", &text);
    let base = [
        "pool",
        "--data",
        "labels.csv",
        "--by",
        "meta_id",
        "--format",
        "csv",
    ];
    for fields in [None, Some("group,k,random_estimate"), Some("treatment")] {
        let mut args = base.to_vec();
        if let Some(f) = fields {
            args.extend(["--fields", f]);
        }
        let streamed = wd.ok(&[&args[..], &["--stream"]].concat());
        assert_eq!(
            streamed,
            wd.ok(&[&args[..], &["--no-stream"]].concat()),
            "{fields:?}"
        );
        assert!(streamed.lines().count() >= 5, "{streamed}");
    }
    let streamed_fields =
        |fields: &str| wd.ok(&[&base[..], &["--stream", "--fields", fields]].concat());
    let one = streamed_fields("treatment");
    assert_eq!(one, "treatment\n\"\"\n\"\"\n\"\"\n\"\"\n");
    let labels = streamed_fields("group");
    assert!(
        labels.contains("\"a, b\"\n") && labels.contains("\"say \"\"hi\"\"\"\n"),
        "{labels}"
    );
}
