//! Streaming every outcome (issue 18): wide binary (IV, MH, Peto, GLMM), continuous, generic,
//! hazard ratios and proportion GLMMs, streamed piece by piece, give the bytes of the in-memory
//! path, whatever the chunk size and the number of threads; the checks across the file (labels
//! used once, names spelled as first typed, `overlaps` naming rows of the file) hold across
//! pieces and give the in-memory path's messages. Expected output is the in-memory path's own
//! (`alkstats pool --no-stream`, or the library's loaders and `csv_out::render`), so these tests
//! pin the two paths together rather than numbers (those are pinned against metafor elsewhere).

mod support;

use alkstats::analysis::compare::{pool_binary, CompareSettings};
use alkstats::analysis::group::Grouping;
use alkstats::analysis::hazard::{pool_hazard_ratios, HazardSettings};
use alkstats::analysis::report::{PoolReport, StudyRow};
use alkstats::analysis::AnalysisError;
use alkstats::batch::{stream_pieces, Outcome, StreamOptions};
use alkstats::data::file_checks::FileChecks;
use alkstats::data::hr::{load_user_hr, load_user_hr_checked, HrRow};
use alkstats::data::table::Table;
use alkstats::data::user_rows::{load_binary, load_binary_checked, BinaryRow};
use alkstats::data::DataError;
use alkstats::settings::{CompareMethod, Endpoint, FitSettings, GlmmModel};
use support::workdir::Workdir;

/// `groups` meta-analyses of 1 to 6 studies, rows together; `row(g, j)` writes study j of group
/// g (labels `g{g}-s{j}`, unique in the file).
fn file(header: &str, groups: u32, row: impl Fn(u32, u32) -> String) -> String {
    let mut s = format!("{header}\n");
    for g in 0..groups {
        for j in 0..(1 + (g * 7) % 6) {
            s.push_str(&row(g, j));
            s.push('\n');
        }
    }
    s
}

/// Wide binary tables with zero cells, double zeros and all-event arms among ordinary ones.
fn binary_file(groups: u32) -> String {
    file("meta_id,study,event.e,n.e,event.c,n.c", groups, |g, j| {
        let (ne, nc) = (20 + (g * 31 + j * 17) % 180, 25 + (g * 13 + j * 29) % 170);
        let (ee, ec) = match (g % 11, j) {
            (3, 0) => (0, 0),
            (5, 1) => (0, nc / 3),
            (7, 1) => (ne, nc / 2),
            _ => (
                (ne * (5 + (g + j * 3) % 50)) / 100,
                (nc * (8 + (g * 5 + j) % 45)) / 100,
            ),
        };
        format!("m{g:03},g{g}-s{j},{ee},{ne},{ec},{nc}")
    })
}

/// Hazard ratios between treatments spelled differently from group to group (`Crizotinib`
/// first, `crizotinib` later: the file's first spelling is shown everywhere), an alias
/// (`LDK378`), and `overlaps` entries naming a study of a later group.
fn hr_file(groups: u32) -> String {
    file(
        "meta_id,study,treatment,comparator,hr,hr_lower,hr_upper,overlaps",
        groups,
        |g, j| {
            let treatment = match g % 4 {
                0 if g == 0 => "Crizotinib",
                0 => "crizotinib",
                1 => "LDK378",
                _ => "alectinib",
            };
            let hr = 0.3 + f64::from((g * 17 + j * 11) % 60) / 100.0;
            let overlaps = if g == 2 && j == 0 {
                format!("g{}-s0", groups - 1)
            } else {
                String::new()
            };
            format!(
                "m{g:03},g{g}-s{j},{treatment},chemotherapy,{hr:.2},{:.3},{:.3},{overlaps}",
                hr * 0.7,
                hr * 1.35
            )
        },
    )
}

fn fit() -> FitSettings {
    FitSettings::default()
}

/// Streams `data` through `outcome` with `chunk_rows` on `threads` threads.
fn streamed<T, S, L, P>(
    data: &str,
    outcome: &mut Outcome<L, P>,
    chunk_rows: usize,
    threads: usize,
) -> Result<String, String>
where
    T: Send + Sync,
    S: StudyRow + Send,
    L: FnMut(Table, &mut FileChecks) -> Result<Vec<T>, DataError> + Send,
    P: Fn(&[T], &[String], &str) -> Result<PoolReport<S>, AnalysisError> + Sync + Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut out = Vec::new();
    let options = StreamOptions {
        chunk_rows,
        ..StreamOptions::default()
    };
    pool.install(|| {
        stream_pieces(
            "f.csv",
            data.as_bytes(),
            &mut out,
            "meta_id",
            outcome,
            &options,
            &mut |_| {},
        )
    })
    .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

/// Chunks of one row, of a few rows (groups cut across chunks and pieces of 64 groups), and of
/// the whole file; one thread and three.
const RUNS: [(usize, usize); 4] = [(1, 3), (7, 1), (50, 3), (1 << 14, 3)];

#[test]
fn binary_streams_as_in_memory_for_every_method_and_the_glmm() {
    let data = binary_file(150);
    let table = || Table::parse("f.csv", data.as_bytes(), &[]).unwrap();
    let by = Grouping::Column("meta_id".into());
    for (method, glmm) in [
        (CompareMethod::Iv, None),
        (CompareMethod::Mh, None),
        (CompareMethod::Peto, None),
        (CompareMethod::Iv, Some(GlmmModel::CmEl)),
    ] {
        let measure = if glmm.is_some() || method == CompareMethod::Peto {
            "OR".parse().unwrap()
        } else {
            "RR".parse().unwrap()
        };
        let s = CompareSettings {
            measure,
            method,
            fit: fit(),
            incr: 0.5,
            grouping: by.clone(),
            keep_overlapping: false,
            comparator: None,
            glmm,
        };
        let rows = load_binary(table(), &[]).unwrap();
        let report = pool_binary(&rows, &table().headers, "f.csv", &s).unwrap();
        let expected =
            alkstats::output::csv_out::render(&report, false, &Default::default()).unwrap();
        // Groups of one double-zero study have nothing to pool: left out, in both paths.
        assert!(report.analyses.len() >= 140, "{}", report.analyses.len());
        for (chunk_rows, threads) in RUNS {
            let mut outcome = Outcome {
                load: |t: Table, c: &mut FileChecks| load_binary_checked(t, &[], c),
                pool: |rows: &[BinaryRow], h: &[String], name: &str| pool_binary(rows, h, name, &s),
            };
            let got = streamed(&data, &mut outcome, chunk_rows, threads).unwrap();
            assert_eq!(got, expected, "{method:?} {glmm:?}, chunks of {chunk_rows}");
        }
    }
}

#[test]
fn hazard_ratios_keep_first_spellings_and_forward_overlaps_across_pieces() {
    let data = hr_file(140);
    let table = || Table::parse("f.csv", data.as_bytes(), &[]).unwrap();
    let s = HazardSettings {
        fit: fit(),
        endpoint: Endpoint::Pfs,
        grouping: Grouping::Column("meta_id".into()),
        keep_overlapping: false,
    };
    let user = load_user_hr(table(), &[], Endpoint::Pfs).unwrap();
    let report = pool_hazard_ratios(&user.rows, &user.headers, "f.csv", &s).unwrap();
    let expected = alkstats::output::csv_out::render(&report, false, &Default::default()).unwrap();
    // Group 4 writes `crizotinib`; the file's first spelling is `Crizotinib`.
    assert!(expected.contains(",m004,") && !expected.contains(",crizotinib,"));
    for (chunk_rows, threads) in RUNS {
        let mut outcome = Outcome {
            load: |t: Table, c: &mut FileChecks| {
                load_user_hr_checked(t, &[], Endpoint::Pfs, c).map(|u| u.rows)
            },
            pool: |rows: &[HrRow], h: &[String], name: &str| pool_hazard_ratios(rows, h, name, &s),
        };
        let got = streamed(&data, &mut outcome, chunk_rows, threads).unwrap();
        assert_eq!(got, expected, "chunks of {chunk_rows}");
    }
    // An overlap naming no study of the file: the in-memory message, found at the end.
    let bad = data.replacen(",g139-s0\n", ",nowhere\n", 1);
    let memory = Table::parse("f.csv", bad.as_bytes(), &[])
        .and_then(|t| load_user_hr(t, &[], Endpoint::Pfs))
        .unwrap_err()
        .to_string();
    assert!(memory.contains("'nowhere' is not one"), "{memory}");
    let mut outcome = Outcome {
        load: |t: Table, c: &mut FileChecks| {
            load_user_hr_checked(t, &[], Endpoint::Pfs, c).map(|u| u.rows)
        },
        pool: |rows: &[HrRow], h: &[String], name: &str| pool_hazard_ratios(rows, h, name, &s),
    };
    assert_eq!(streamed(&bad, &mut outcome, 7, 2).unwrap_err(), memory);
}

/// The commands of `outcome` on `file`, streamed (`--stream`, and automatically) and loaded.
fn same_from_cli(wd: &Workdir, file: &str, outcome: &[&str]) {
    for format in ["csv", "jsonl"] {
        let args = [
            &[
                "pool", "--data", file, "--by", "meta_id", "--format", format,
            ][..],
            outcome,
        ]
        .concat();
        let loaded = wd.ok(&[&args[..], &["--no-stream"]].concat());
        assert!(loaded.lines().count() > 100, "{outcome:?}: {loaded}");
        let forced = wd.ok(&[&args[..], &["--stream"]].concat());
        assert_eq!(forced, loaded, "{outcome:?} --format {format} --stream");
        assert_eq!(wd.ok(&args), loaded, "{outcome:?} --format {format}");
    }
}

#[test]
fn every_outcome_streams_from_the_command_line_as_it_loads() {
    let wd = Workdir::new();
    wd.create("binary.csv", binary_file(120));
    wd.create("hr.csv", hr_file(120));
    wd.create(
        "continuous.csv",
        file(
            "meta_id,study,n.e,mean.e,sd.e,n.c,mean.c,sd.c",
            120,
            |g, j| {
                let m = 10.0 + f64::from((g * 7 + j * 3) % 40) / 4.0;
                format!(
                    "m{g:03},g{g}-s{j},{},{m:.2},{:.2},{},{:.2},{:.2}",
                    20 + (g + j) % 60,
                    2.0 + f64::from(j % 5),
                    22 + (g * 3 + j) % 50,
                    m - 1.5 + f64::from(j % 3),
                    2.5 + f64::from(g % 4)
                )
            },
        ),
    );
    wd.create(
        "generic.csv",
        file("meta_id,study,TE,seTE", 120, |g, j| {
            format!(
                "m{g:03},g{g}-s{j},{:.3},{:.3}",
                -0.5 + f64::from((g * 13 + j * 7) % 50) / 50.0,
                0.1 + f64::from((g + j * 5) % 20) / 40.0
            )
        }),
    );
    wd.create(
        "orr.csv",
        file("meta_id,study,n,responders", 120, |g, j| {
            let n = 20 + (g * 11 + j * 23) % 200;
            format!(
                "m{g:03},g{g}-s{j},{n},{}",
                (n * (10 + (g + j * 7) % 70)) / 100
            )
        }),
    );
    same_from_cli(
        &wd,
        "binary.csv",
        &["--outcome", "binary", "--measure", "RR", "--method", "MH"],
    );
    same_from_cli(
        &wd,
        "binary.csv",
        &["--outcome", "binary", "--measure", "OR", "--method", "GLMM"],
    );
    same_from_cli(
        &wd,
        "continuous.csv",
        &["--outcome", "continuous", "--measure", "SMD"],
    );
    same_from_cli(&wd, "generic.csv", &["--outcome", "generic"]);
    same_from_cli(&wd, "hr.csv", &["--outcome", "hr"]);
    same_from_cli(&wd, "orr.csv", &["--outcome", "orr", "--method", "GLMM"]);
}

#[test]
fn streamed_outcomes_refuse_split_groups_and_repeated_labels_as_memory_does() {
    let wd = Workdir::new();
    let data = binary_file(100);
    // A study label of group 3 used again in group 90.
    let repeated = data.replacen("m090,g90-s0,", "m090,g3-s0,", 1);
    wd.create("repeated.csv", &repeated);
    let binary_csv = |file| {
        [
            "pool",
            "--outcome",
            "binary",
            "--data",
            file,
            "--by",
            "meta_id",
            "--format",
            "csv",
        ]
    };
    let args = binary_csv("repeated.csv");
    let streamed = wd.fails_stderr(&[&args[..], &["--stream"]].concat());
    let loaded = wd.fails_stderr(&[&args[..], &["--no-stream"]].concat());
    assert_eq!(streamed, loaded);
    assert!(loaded.contains("already used on line"), "{loaded}");
    // Rows of a group apart: refused with --stream, loaded otherwise.
    let mut lines: Vec<&str> = data.lines().collect();
    let last = lines.pop().unwrap();
    lines.insert(2, last);
    wd.create("split.csv", lines.join("\n") + "\n");
    let args = binary_csv("split.csv");
    let stderr = wd.fails_stderr(&[&args[..], &["--stream"]].concat());
    assert!(
        stderr.contains("group together") || stderr.contains("together"),
        "{stderr}"
    );
    assert_eq!(wd.ok(&args), wd.ok(&[&args[..], &["--no-stream"]].concat()));
    // With --output, a refused run leaves nothing behind.
    let out = wd.path("out.csv");
    let with_output = [&args[..], &["--stream", "--output", out.to_str().unwrap()]].concat();
    wd.fails_stderr(&with_output);
    assert!(!out.exists());
}
