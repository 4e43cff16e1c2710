//! The bad-input catalogue: every way a user can get the data or the flags wrong, run through
//! the real binary in a fresh temporary directory. Each case must exit with code 2, print
//! nothing on stdout, and print one message on stderr that starts with `error:`, names the place
//! (file, line, column, field), the value found and what was expected, and is not a panic. Each
//! case is run a second time with `--output`, which must leave no file behind.
//!
//! Cases that caught a bug in `src/` carry it in `bug` as a regression record; all of them run
//! in the main test.

mod support;

use support::workdir::Workdir;

/// One bad input.
struct Case {
    /// Short identifier, shown on failure.
    name: &'static str,
    /// Contents of `arms.csv`, passed as `--data arms.csv`; `None` runs on the embedded data.
    data: Option<&'static [u8]>,
    /// Flags after `alkstats pool`.
    args: &'static [&'static str],
    /// Substrings stderr must contain.
    expect: &'static [&'static str],
    /// A bug in `src/` this case caught (fixed since), kept as a regression record.
    #[allow(dead_code)]
    bug: Option<&'static str>,
}

const fn data(name: &'static str, csv: &'static [u8], expect: &'static [&'static str]) -> Case {
    Case {
        name,
        data: Some(csv),
        args: &[],
        expect,
        bug: None,
    }
}

const fn flags(
    name: &'static str,
    args: &'static [&'static str],
    expect: &'static [&'static str],
) -> Case {
    Case {
        name,
        data: None,
        args,
        expect,
        bug: None,
    }
}

const fn with_bug(case: Case, bug: &'static str) -> Case {
    Case {
        bug: Some(bug),
        ..case
    }
}

#[rustfmt::skip]
const CATALOGUE: &[Case] = &[
    // --- counts -----------------------------------------------------------------------------
    data("responders_above_n",
        b"study,drug,n,responders,source\nA,crizotinib,10,12,src\n",
        &["arms.csv: line 2, column 4 (responders)", "found '12'", "n = 10"]),
    data("n_zero",
        b"study,drug,n,responders,source\nA,crizotinib,0,0,src\n",
        &["arms.csv: line 2, column 3 (n)", "found '0'", "greater than 0"]),
    data("n_negative",
        b"study,drug,n,responders,source\nA,crizotinib,-3,1,src\n",
        &["arms.csv: line 2, column 3 (n)", "found '-3'", "whole number"]),
    data("n_not_whole",
        b"study,drug,n,responders,source\nA,crizotinib,12.5,1,src\n",
        &["arms.csv: line 2, column 3 (n)", "found '12.5'", "whole number"]),
    data("responders_nan",
        b"study,drug,n,responders,source\nA,crizotinib,12,NaN,src\n",
        &["arms.csv: line 2, column 4 (responders)", "found 'NaN'", "whole number"]),
    data("responders_text",
        b"study,drug,n,responders,source\nA,crizotinib,12,abc,src\n",
        &["arms.csv: line 2, column 4 (responders)", "found 'abc'", "whole number"]),
    data("responders_negative",
        b"study,drug,n,responders,source\nA,crizotinib,12,3,src\nB,crizotinib,12,-1,src\n",
        &["arms.csv: line 3, column 4 (responders)", "found '-1'", "whole number"]),
    data("complete_responses_above_responders",
        b"study,drug,n,responders,complete_responses,source\nA,crizotinib,10,3,4,src\n",
        &["arms.csv: line 2, column 5 (complete_responses)", "found '4'", "at most 3"]),
    data("no_row_has_responders",
        b"study,drug,n,responders,source\nA,crizotinib,10,,src\nB,alectinib,12,NA,src\n",
        &["arms.csv", "no row has a value in column 'responders'", "ORR needs responders"]),
    // --- other fields -----------------------------------------------------------------------
    data("median_pfs_lower_above_median",
        b"study,drug,n,responders,median_pfs,median_pfs_lower,source\nA,crizotinib,10,3,5.0,6.0,src\n",
        &["arms.csv: line 2, column 6 (median_pfs_lower)", "found '6.0'", "median_pfs = 5"]),
    data("median_pfs_upper_below_median",
        b"study,drug,n,responders,median_pfs,median_pfs_upper,source\nA,crizotinib,10,3,5.0,4.0,src\n",
        &["arms.csv: line 2, column 6 (median_pfs_upper)", "found '4.0'", "median_pfs = 5"]),
    data("median_pfs_negative",
        b"study,drug,n,responders,median_pfs,source\nA,crizotinib,10,3,-5,src\n",
        &["arms.csv: line 2, column 5 (median_pfs)", "found '-5'", "positive number"]),
    data("year_out_of_range",
        b"study,drug,n,responders,year,source\nA,crizotinib,10,3,1066,src\n",
        &["arms.csv: line 2, column 5 (year)", "found '1066'", "four-digit year"]),
    data("duplicate_study",
        b"study,drug,n,responders,source\nA,crizotinib,10,1,src\nA,crizotinib,12,2,src\n",
        &["arms.csv: line 3, column 1 (study)", "found 'A'", "already used on line 2"]),
    // A user's file need not cite sources (only the shipped files must: see
    // tests/byod_single_arm_hr.rs, source_is_required_of_the_shipped_schema_only).
    data("empty_drug",
        b"study,drug,n,responders,source\nA,,10,1,src\n",
        &["arms.csv: line 2, column 2 (drug)", "found ''", "non-empty"]),
    data("overlaps_names_an_unknown_study",
        b"study,drug,n,responders,overlaps,source\nA,crizotinib,10,3,,src\nB,crizotinib,12,5,A; Z,src\n",
        &["arms.csv: line 3, column 5 (overlaps)", "found 'A; Z'", "'Z' is not one"]),
    // --- file structure ---------------------------------------------------------------------
    data("missing_column_n",
        b"study,drug,responders,source\nA,crizotinib,1,src\n",
        &["arms.csv: line 1 (header)", "no column for 'n'", "found columns: study, drug, responders, source", "--map n=COLUMN"]),
    data("missing_column_study",
        b"drug,n,responders,source\ncrizotinib,10,1,src\n",
        &["arms.csv: line 1 (header)", "no column for 'studlab'", "found columns: drug, n, responders, source", "--map studlab=COLUMN"]),
    data("duplicate_column",
        b"study,drug,n,n,responders,source\nA,crizotinib,10,10,1,src\n",
        &["arms.csv: line 1 (header), column 4", "'n' appears twice"]),
    data("empty_file",
        b"",
        &["arms.csv", "empty", "expected a CSV header line with the column names"]),
    data("blank_line_only",
        b"\n",
        &["arms.csv", "empty", "expected a CSV header line with the column names"]),
    data("header_only",
        b"study,drug,n,responders,source\n",
        &["arms.csv", "no data rows"]),
    data("row_with_too_few_fields",
        b"study,drug,n,responders,source\nA,crizotinib,10,1,src\nB,crizotinib,10\n",
        &["arms.csv: line 3", "found 3 fields", "expected 5"]),
    data("row_with_too_many_fields",
        b"study,drug,n,responders,source\nA,crizotinib,10,1,src,extra\n",
        &["arms.csv: line 2", "found 6 fields", "expected 5"]),
    data("non_utf8_study_name",
        b"study,drug,n,responders,source\nA\xff\xfe,crizotinib,10,1,src\n",
        &["arms.csv: line 2, column 1", "UTF-8"]),
    data("non_utf8_header",
        b"study,dr\xffug,n,responders,source\nA,crizotinib,10,1,src\n",
        &["arms.csv: line 1, column 2", "UTF-8"]),
    // --- effect sizes that cannot be computed --------------------------------------------------
    Case {
        name: "zero_responders_without_correction",
        data: Some(b"study,drug,n,responders,source\nA,crizotinib,10,0,src\nB,crizotinib,12,3,src\n"),
        args: &["--incr", "0"],
        expect: &["line 2", "'A'", "found 0 of n = 10", "PLOGIT", "--incr > 0"],
        bug: None,
    },
    // --- flags --------------------------------------------------------------------------------
    flags("unknown_sm", &["--sm", "FOO"], &["--sm", "'FOO'", "PLOGIT, PLO, PFT, PAS, PRAW, PR, PLN"]),
    flags("unknown_method_tau", &["--method-tau", "XX"], &["--method-tau", "'XX'", "REML, DL, ML, PM, HE, SJ, EB, HS"]),
    flags("unknown_random_ci", &["--random-ci", "wide"], &["--random-ci", "'wide'", "classic"]),
    flags("unknown_prediction", &["--prediction", "always"], &["--prediction", "'always'", "hts"]),
    flags("unknown_ci_study", &["--ci-study", "exactish"], &["--ci-study", "'exactish'", "clopper-pearson"]),
    flags("unknown_format", &["--format", "xml"], &["--format", "'xml'", "table, json, csv"]),
    flags("unknown_outcome", &["--outcome", "toxicity"], &["--outcome", "'toxicity'", "orr"]),
    flags("level_above_one", &["--level", "1.5"], &["--level", "1.5", "strictly between 0 and 1"]),
    flags("level_zero", &["--level", "0"], &["--level", "'0'", "strictly between 0 and 1"]),
    flags("level_not_a_number", &["--level", "abc"], &["--level", "'abc'", "0.95"]),
    flags("level_nan", &["--level", "NaN"], &["--level", "'NaN'", "strictly between 0 and 1"]),
    flags("incr_negative", &["--incr=-1"], &["--incr -1", "non-negative"]),
    flags("incr_not_finite", &["--incr", "inf"], &["--incr inf", "non-negative"]),
    flags("missing_data_file", &["--data", "missing.csv"], &["missing.csv", "no such file", "--data"]),
    flags("data_is_a_directory", &["--data", "."], &[".: cannot read the file"]),
    flags("by_unknown_column", &["--by", "region"], &["--by region", "no such column", "'none'", "study, drug, n"]),
    flags("by_without_value", &["--by"], &["--by", "a value is required"]),
    flags("unknown_flag", &["--studys"], &["--studys"]),
    // --- known bugs in src/ (see the module comment) -------------------------------------------
    with_bug(
        data("unterminated_quote",
            b"study,drug,n,responders,source\nA,crizotinib,10,3,\"src\nB,alectinib,12,5,src2\n",
            &["arms.csv: line 2", "quote"]),
        "src/data/table.rs Table::parse: a quote left open at the end of the file is accepted \
         (exit 0); row B silently becomes part of row A's source field"),
    with_bug(
        flags("incr_negative_as_separate_argument", &["--incr", "-1"], &["--incr", "-1", "non-negative"]),
        "src/cli/pool.rs PoolArgs::incr: clap reads '-1' as a flag ('unexpected argument \
         '-1' found'), so the message names neither --incr nor what it expects"),
    with_bug(
        data("n_negative_expects_positive",
            b"study,drug,n,responders,source\nA,crizotinib,-3,1,src\n",
            &["arms.csv: line 2, column 3 (n)", "found '-3'", "greater than 0"]),
        "src/data/arms.rs parse_arm: a negative or fractional n is reported as expecting \
         'a whole number of patients (0, 1, 2, …)' although 0 is refused too"),
    with_bug(
        data("year_not_a_number",
            b"study,drug,n,responders,year,source\nA,crizotinib,10,3,20x4,src\n",
            &["arms.csv: line 2, column 5 (year)", "found '20x4'", "four-digit year"]),
        "src/data/arms.rs parse_arm: an unparsable year says 'expected a positive number' \
         instead of 'a four-digit year such as 2014'"),
    with_bug(
        data("non_utf8_names_field",
            b"study,drug,n,responders,source\nA\xff\xfe,crizotinib,10,1,src\n",
            &["arms.csv: line 2, column 1 (study)"]),
        "src/data/table.rs decode_record: the encoding error names the column number but not \
         the column name (the header is known by then)"),
    with_bug(
        Case {
            name: "zero_responders_without_correction_names_file",
            data: Some(b"study,drug,n,responders,source\nA,crizotinib,10,0,src\nB,crizotinib,12,3,src\n"),
            args: &["--incr", "0"],
            expect: &["arms.csv: line 2", "responders"],
            bug: None,
        },
        "src/analysis/proportion.rs analyse_group: the BadStudy message says 'line 2: study ...' \
         without the file name or the column"),
];

/// Runs one case in a fresh directory, with `extra` flags appended, and returns every failed
/// expectation (empty when the case behaves).
fn check(case: &Case, extra: &[&str]) -> Vec<String> {
    let dir = Workdir::new();
    let mut args: Vec<&str> = vec!["pool"];
    if let Some(csv) = case.data {
        dir.create("arms.csv", csv);
        args.extend(["--data", "arms.csv"]);
    }
    args.extend(case.args);
    args.extend(extra);
    let out = dir.output(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut failures = Vec::new();
    let mut fail =
        |what: String| failures.push(format!("{} ({}): {what}", case.name, args.join(" ")));
    if out.status.code() != Some(2) {
        fail(format!("exit code {:?}, expected 2", out.status.code()));
    }
    if !stderr.starts_with("error:") {
        fail(format!("stderr does not start with 'error:': {stderr:?}"));
    }
    if stderr.contains("panicked") {
        fail(format!("panic: {stderr}"));
    }
    if !out.stdout.is_empty() {
        fail(format!(
            "stdout is not empty: {:?}",
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    for needle in case.expect {
        if !stderr.contains(needle) {
            fail(format!("stderr lacks {needle:?}: {stderr:?}"));
        }
    }
    // Nothing but the input may be left in the directory (no output, no temporary file).
    let mut entries = dir.entries();
    entries.retain(|e| e != "arms.csv");
    if !entries.is_empty() {
        fail(format!("files left behind: {entries:?}"));
    }
    if let Some(csv) = case.data {
        if std::fs::read(dir.path("arms.csv")).ok().as_deref() != Some(csv) {
            fail("the input file was changed".into());
        }
    }
    failures
}

fn run_cases(cases: impl Iterator<Item = &'static Case>) {
    let mut failures = Vec::new();
    let mut n = 0;
    for case in cases {
        n += 1;
        failures.extend(check(case, &[]));
        failures.extend(check(case, &["--output", "out.json"]));
    }
    assert!(n > 0, "no case ran");
    assert!(
        failures.is_empty(),
        "{} failure(s) in {n} case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_bad_input_exits_2_with_a_located_message_and_writes_nothing() {
    run_cases(CATALOGUE.iter());
}

#[test]
fn the_catalogue_is_large_and_its_names_unique() {
    let working = CATALOGUE.len();
    assert!(working >= 22, "only {working} cases");
    let mut names: Vec<&str> = CATALOGUE.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "duplicate case names");
}
