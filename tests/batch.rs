//! The batch engine (`alkstats pool --format csv`, streamed group by group) against the
//! in-memory path: the same bytes for the same file, the same errors for bad files, and the
//! refusals streaming needs (groups whose rows are not together, bad rows part-way through an
//! output file). Each command runs the real binary in a fresh temporary directory.

mod support;

use alkstats::analysis::group::Grouping;
use alkstats::analysis::proportion::{pool_proportions, ProportionSettings};
use alkstats::batch::{pool_stream, StreamOptions};
use alkstats::data::load_arms;
use alkstats::fit::{fit_summary, FitWorkspace};
use alkstats::settings::{FitSettings, PredictionMethod, ProportionMeasure, RandomCi, TauMethod};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use support::workdir::Workdir;

/// Counts the allocations of the current thread (tests run on several threads at once).
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const HEADER: &str = "meta_id,study,drug,n,responders,overlaps,source\n";

/// Groups of every size the fit treats differently (k = 1, 2, 3, larger), 0 and n responders
/// (continuity correction), identical studies (τ² = 0, Q = 0), an empty group value
/// ("(missing)"), a row without responders and an overlapping row (both left out), and drug
/// aliases; the rows of each group together.
fn multi_group_file() -> String {
    let mut s = String::from(HEADER);
    let mut row = |meta: &str, study: &str, drug: &str, n: u32, r: &str, overlaps: &str| {
        s.push_str(&format!(
            "{meta},{study},{drug},{n},{r},{overlaps},synthetic\n"
        ));
    };
    row("single", "a1", "crizotinib", 50, "20", "");
    row("pair", "b1", "ceritinib", 80, "41", "");
    row("pair", "b2", "LDK378", 60, "35", "");
    row("triple", "c1", "alectinib", 40, "0", "");
    row("triple", "c2", "alectinib", 45, "45", "");
    row("triple", "c3", "alectinib", 30, "12", "");
    row("same", "d1", "brigatinib", 100, "50", "");
    row("same", "d2", "brigatinib", 100, "50", "");
    row("same", "d3", "brigatinib", 100, "50", "");
    row("", "e1", "crizotinib", 70, "30", "");
    row("", "e2", "crizotinib", 75, "33", "");
    for g in 0..30u32 {
        for j in 0..(4 + g % 9) {
            let n = 20 + (g * 37 + j * 53) % 250;
            let r = (n * (10 + (g * 13 + j * 29) % 80)) / 100;
            let (resp, overlaps) = match (g, j) {
                (5, 2) => (String::new(), ""),
                (7, 1) => (r.to_string(), "g07-s00"),
                _ => (r.to_string(), ""),
            };
            row(
                &format!("g{g:02}"),
                &format!("g{g:02}-s{j:02}"),
                "crizotinib",
                n,
                &resp,
                overlaps,
            );
        }
    }
    s
}

#[test]
fn fits_with_a_workspace_do_not_allocate() {
    // Twenty meta-analyses of 10 studies, as the batch engine fits them.
    let sets: Vec<(Vec<f64>, Vec<f64>)> = (0..20)
        .map(|i| {
            let yi = (0..10)
                .map(|j| ((i * 7 + j * 3) % 11) as f64 * 0.1 - 0.4)
                .collect();
            let vi = (0..10)
                .map(|j| 0.02 + ((i + j * 5) % 7) as f64 * 0.01)
                .collect();
            (yi, vi)
        })
        .collect();
    for method in TauMethod::ALL.iter().copied() {
        for random_ci in RandomCi::ALL.iter().copied() {
            let settings = FitSettings {
                method_tau: method,
                random_ci,
                prediction: PredictionMethod::Hts,
                level: Default::default(),
            };
            let mut ws = FitWorkspace::new(settings.level);
            // The first fit fills the workspace's quantile cache for this k.
            fit_summary(&sets[0].0, &sets[0].1, &settings, &mut ws).unwrap();
            let before = ALLOCATIONS.with(Cell::get);
            for (yi, vi) in &sets {
                std::hint::black_box(fit_summary(yi, vi, &settings, &mut ws).unwrap());
            }
            let allocations = ALLOCATIONS.with(Cell::get) - before;
            assert_eq!(allocations, 0, "{method} {random_ci}");
        }
    }
    // The counter counts: the public fit allocates its weight vectors.
    let before = ALLOCATIONS.with(Cell::get);
    std::hint::black_box(
        alkstats::fit::fit(&sets[0].0, &sets[0].1, &FitSettings::default()).unwrap(),
    );
    assert!(ALLOCATIONS.with(Cell::get) - before >= 2);
}

#[test]
fn streamed_csv_is_byte_for_byte_the_in_memory_csv() {
    let wd = Workdir::new();
    wd.create("batch.csv", multi_group_file());
    let base = [
        "pool",
        "--data",
        "batch.csv",
        "--by",
        "meta_id",
        "--format",
        "csv",
    ];
    let variants: &[&[&str]] = &[
        &[],
        &["--method-tau", "DL", "--random-ci", "hk"],
        &["--method-tau", "PM", "--sm", "PFT", "--prediction", "hts"],
        &[
            "--method-tau",
            "ML",
            "--random-ci",
            "hk-adhoc",
            "--level",
            "0.9",
        ],
        &["--method-tau", "EB", "--sm", "PAS", "--keep-overlapping"],
        &["--method-tau", "SJ", "--sm", "PRAW", "--prediction", "z"],
    ];
    for extra in variants {
        let args = |mode: &'static str| {
            let mut a: Vec<&str> = base.to_vec();
            a.extend_from_slice(extra);
            a.push(mode);
            a
        };
        let in_memory = wd.stdout(&args("--no-stream"));
        let streamed = wd.stdout(&args("--stream"));
        assert_eq!(streamed, in_memory, "{extra:?}");
        // Without a flag the file (groups together) is streamed: still the same bytes.
        let mut auto: Vec<&str> = base.to_vec();
        auto.extend_from_slice(extra);
        assert_eq!(wd.stdout(&auto), in_memory, "{extra:?}");
    }
    // The rows left out are not pooled, and the groups are the file's, in order.
    let text = wd.stdout(&base);
    let groups: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        &groups[..5],
        ["single", "pair", "triple", "same", "(missing)"]
    );
    assert_eq!(groups.len(), 5 + 30);
}

#[test]
fn library_stream_matches_pool_proportions_whatever_the_chunks_and_threads() {
    let data = multi_group_file();
    let settings = ProportionSettings {
        sm: ProportionMeasure::Plogit,
        fit: FitSettings {
            method_tau: TauMethod::Reml,
            random_ci: RandomCi::Hk,
            prediction: PredictionMethod::T,
            level: Default::default(),
        },
        grouping: Grouping::Column("meta_id".into()),
        ..ProportionSettings::default()
    };
    let (arms, headers) = load_arms("batch.csv", data.as_bytes()).unwrap();
    let report = pool_proportions(&arms, &headers, "batch.csv", &settings).unwrap();
    let expected = alkstats::output::csv_out::render(&report, false, &Default::default()).unwrap();
    // Chunks of one row, of a few rows (groups cut across chunks), and of the whole file, on
    // one thread and on three.
    for (chunk_rows, threads) in [(1, 3), (7, 1), (7, 3), (1 << 14, 3)] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        let summary = pool
            .install(|| {
                pool_stream(
                    "batch.csv",
                    data.as_bytes(),
                    &mut out,
                    &settings,
                    &StreamOptions {
                        chunk_rows,
                        ..StreamOptions::default()
                    },
                    &mut |_| {},
                )
            })
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            expected,
            "chunk_rows {chunk_rows}"
        );
        assert_eq!(summary.analyses as usize, report.analyses.len());
        assert_eq!(summary.exclusions.overlapping, 1);
        assert_eq!(summary.exclusions.missing_responders, 1);
    }
}

#[test]
fn groups_not_together_are_refused_when_streaming_is_forced_and_loaded_otherwise() {
    let wd = Workdir::new();
    wd.create(
        "split.csv",
        format!(
            "{HEADER}A,a1,crizotinib,50,20,,s\nA,a2,crizotinib,60,25,,s\nB,b1,crizotinib,40,10,,s\n\
             A,a3,crizotinib,70,30,,s\n"
        ),
    );
    let args = [
        "pool",
        "--data",
        "split.csv",
        "--by",
        "meta_id",
        "--format",
        "csv",
    ];
    let stderr = wd.fails_stderr(&[&args[..], &["--stream"]].concat());
    assert!(stderr.contains("split.csv: line 5"), "{stderr}");
    assert!(stderr.contains("meta_id"), "{stderr}");
    assert!(stderr.contains("group 'A' started on line 2"), "{stderr}");
    assert!(stderr.contains("--no-stream"), "{stderr}");
    // Automatic streaming sees the split groups first and loads the file: one row per group.
    let auto = wd.stdout(&args);
    assert_eq!(auto, wd.stdout(&[&args[..], &["--no-stream"]].concat()));
    assert_eq!(auto.lines().count(), 1 + 2);
    // By drug, aliases are one group: LDK378 next to ceritinib is together; AP26113 and
    // brigatinib with crizotinib between them are not, though no spelling repeats.
    let by_drug = [
        "pool",
        "--data",
        "drugs.csv",
        "--by",
        "drug",
        "--format",
        "csv",
    ];
    wd.create(
        "drugs.csv",
        format!(
            "{HEADER}A,a1,ceritinib,50,20,,s\nA,a2,LDK378,60,25,,s\nB,b1,crizotinib,40,10,,s\n"
        ),
    );
    let in_memory = wd.stdout(&[&by_drug[..], &["--no-stream"]].concat());
    assert_eq!(
        wd.stdout(&[&by_drug[..], &["--stream"]].concat()),
        in_memory
    );
    assert_eq!(in_memory.lines().count(), 1 + 2);
    wd.create(
        "drugs.csv",
        format!(
            "{HEADER}A,a1,AP26113,50,20,,s\nB,b1,crizotinib,40,10,,s\nA,a2,brigatinib,60,25,,s\n"
        ),
    );
    let in_memory = wd.stdout(&[&by_drug[..], &["--no-stream"]].concat());
    assert_eq!(wd.stdout(&by_drug), in_memory);
    let stderr = wd.fails_stderr(&[&by_drug[..], &["--stream"]].concat());
    assert!(stderr.contains("drugs.csv: line 4"), "{stderr}");
    // The shipped data is not sorted by drug either, and still works as a file.
    wd.create("arms.csv", alkstats::data::EMBEDDED_ARMS);
    let shipped = ["pool", "--data", "arms.csv", "--format", "csv"];
    assert_eq!(
        wd.stdout(&shipped),
        wd.stdout(&[&shipped[..], &["--no-stream"]].concat())
    );
}

#[test]
fn a_bad_row_part_way_leaves_no_output_file_and_names_its_line() {
    let wd = Workdir::new();
    let mut text = multi_group_file();
    let good_rows = text.lines().count();
    text.push_str("g99,g99-s00,crizotinib,40,41,,synthetic\n");
    text.push_str("g99,g99-s01,crizotinib,40,4,,synthetic\n");
    wd.create("bad.csv", &text);
    wd.create("out.csv", "previous contents\n");
    let stderr = wd.fails_stderr(&[
        "pool", "--data", "bad.csv", "--by", "meta_id", "--format", "csv", "--stream", "--output",
        "out.csv",
    ]);
    let line = good_rows + 1;
    assert!(
        stderr.contains(&format!(
            "bad.csv: line {line}, column 5 (responders): found '41'"
        )),
        "{stderr}"
    );
    // The same message as the in-memory path.
    let in_memory = wd.fails_stderr(&[
        "pool",
        "--data",
        "bad.csv",
        "--by",
        "meta_id",
        "--format",
        "csv",
        "--no-stream",
    ]);
    assert_eq!(stderr, in_memory);
    // The old output is untouched and no temporary file is left behind.
    assert_eq!(
        std::fs::read_to_string(wd.path("out.csv")).unwrap(),
        "previous contents\n"
    );
    assert_eq!(wd.entries(), ["bad.csv", "out.csv"]);
}

#[test]
fn file_wide_checks_and_malformed_csv_give_the_in_memory_errors() {
    let wd = Workdir::new();
    let cases = [
        // A study label used twice, in different groups.
        format!("{HEADER}A,x,crizotinib,50,20,,s\nB,x,crizotinib,60,25,,s\n"),
        // An overlaps entry that names no row of the file.
        format!("{HEADER}A,x,crizotinib,50,20,nowhere,s\nB,y,crizotinib,60,25,,s\n"),
        // A repeated label after a bad count, and before one (labels are recorded on one
        // thread while rows are taken in on another: the first problem is still reported).
        format!(
            "{HEADER}A,x,crizotinib,50,20,,s\nB,y,crizotinib,6O,25,,s\nC,x,crizotinib,1,1,,s\n"
        ),
        format!(
            "{HEADER}A,x,crizotinib,50,20,,s\nB,x,crizotinib,60,25,,s\nC,z,crizotinib,-1,1,,s\n"
        ),
        // A repeated label on a row that starts its group again.
        format!(
            "{HEADER}A,x,crizotinib,50,20,,s\nB,y,crizotinib,60,25,,s\nA,x,crizotinib,1,1,,s\n"
        ),
        // A quote opened and never closed.
        format!(
            "{HEADER}A,x,crizotinib,50,20,,s\nB,\"y,crizotinib,60,25,,s\nC,z,crizotinib,1,1,,s\n"
        ),
        // A row with a missing field.
        format!("{HEADER}A,x,crizotinib,50,20,,s\nB,y,crizotinib,60,25,s\n"),
        // No row with responders.
        format!("{HEADER}A,x,crizotinib,50,,,s\n"),
        // Header only.
        HEADER.to_string(),
    ];
    for (i, text) in cases.iter().enumerate() {
        let name = format!("case{i}.csv");
        wd.create(&name, text);
        let args = [
            "pool", "--data", &name, "--by", "meta_id", "--format", "csv",
        ];
        let streamed = wd.fails_stderr(&[&args[..], &["--stream"]].concat());
        let in_memory = wd.fails_stderr(&[&args[..], &["--no-stream"]].concat());
        assert_eq!(streamed, in_memory, "case {i}");
    }
    // Overlaps naming a label further down the same chunk, and one above.
    wd.create(
        "overlaps.csv",
        format!(
            "{HEADER}A,x,crizotinib,50,20,y,s\nA,y,crizotinib,60,25,,s\nB,z,crizotinib,9,3,x,s\n"
        ),
    );
    let args = [
        "pool",
        "--data",
        "overlaps.csv",
        "--by",
        "meta_id",
        "--format",
        "csv",
    ];
    let streamed = wd.stdout(&[&args[..], &["--stream"]].concat());
    assert_eq!(streamed, wd.stdout(&[&args[..], &["--no-stream"]].concat()));
    assert_eq!(streamed.lines().count(), 1 + 1, "{streamed}");
    // An unknown --by column, and --stream where it cannot apply.
    wd.create("ok.csv", format!("{HEADER}A,x,crizotinib,50,20,,s\n"));
    let stderr = wd.fails_stderr(&[
        "pool", "--data", "ok.csv", "--by", "region", "--format", "csv", "--stream",
    ]);
    assert!(stderr.contains("--by region: no such column"), "{stderr}");
    let stderr = wd.fails_stderr(&["pool", "--data", "ok.csv", "--format", "json", "--stream"]);
    assert!(stderr.contains("--stream"), "{stderr}");
    let stderr = wd.fails_stderr(&[
        "pool", "--data", "ok.csv", "--format", "csv", "--by", "none", "--stream",
    ]);
    assert!(stderr.contains("--by none"), "{stderr}");
}

#[test]
fn standard_input_streams_with_the_flag() {
    let wd = Workdir::new();
    let data = multi_group_file();
    let path = wd.create("batch.csv", &data);
    let expected = wd.stdout(&[
        "pool",
        "--data",
        "batch.csv",
        "--by",
        "meta_id",
        "--format",
        "csv",
        "--no-stream",
    ]);
    let out = wd
        .command(&[
            "pool", "--data", "-", "--by", "meta_id", "--format", "csv", "--stream",
        ])
        .pipe_stdin(&path)
        .unwrap()
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn a_users_file_streams_by_role_like_the_in_memory_path() {
    let wd = Workdir::new();
    // Columns by role and in other cases; no drug, no source; `--by` in another case.
    let mut text = String::from("Meta,Author,Events,Total\n");
    for m in 0..3 {
        for k in 0..4 {
            text.push_str(&format!("m{m},A{m}_{k},{},{}\n", 3 + 2 * k + m, 20 + 7 * k));
        }
    }
    wd.create("mine.csv", text);
    let args = [
        "pool", "--data", "mine.csv", "--by", "meta", "--format", "csv",
    ];
    let in_memory = wd.stdout(&[&args[..], &["--no-stream"]].concat());
    assert_eq!(in_memory.lines().count(), 1 + 3);
    assert_eq!(wd.stdout(&[&args[..], &["--stream"]].concat()), in_memory);
    // A wrong --map fails the same way on both paths.
    let bad = [&args[..], &["--map", "event=Responders"]].concat();
    let streamed = wd.fails_stderr(&[&bad[..], &["--stream"]].concat());
    assert!(streamed.contains("no column 'Responders'"), "{streamed}");
}

#[test]
fn json_lines_and_fields_stream_as_the_in_memory_path_writes_them() {
    let wd = Workdir::new();
    wd.create("batch.csv", multi_group_file());
    let run = |extra: &[&str], stream: &str| {
        let mut args = vec!["pool", "--data", "batch.csv", "--by", "meta_id", stream];
        args.extend_from_slice(extra);
        wd.stdout(&args)
    };
    for extra in [
        &["--format", "jsonl"][..],
        &[
            "--format",
            "jsonl",
            "--fields",
            "group,k,random_estimate,tau2_upper,treatment",
        ],
        &["--format", "csv", "--fields", "tau2,group,q_p"],
    ] {
        let streamed = run(extra, "--stream");
        assert_eq!(streamed, run(extra, "--no-stream"), "{extra:?}");
    }
    // Each line of JSON Lines is one analysis: the CSV's columns as keys, its numbers as
    // numbers (same digits), its empty cells as null.
    let csv = run(&["--format", "csv"], "--stream");
    let jsonl = run(&["--format", "jsonl"], "--stream");
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let mut lines = 0;
    for (line, row) in jsonl.lines().zip(rows) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let object = v.as_object().unwrap();
        let mut sorted = header.clone();
        sorted.sort_unstable();
        assert_eq!(object.keys().collect::<Vec<_>>(), sorted);
        // In the CSV's order (serde_json's map sorts its keys).
        let at = |name: &str| line.find(&format!("\"{name}\":")).unwrap();
        assert!(header.windows(2).all(|w| at(w[0]) < at(w[1])), "{line}");
        for (name, cell) in header.iter().zip(row.split(',')) {
            let expected = match cell {
                "" => serde_json::Value::Null,
                c if c.parse::<f64>().is_ok() => serde_json::from_str(c).unwrap(),
                c => serde_json::Value::String(c.into()),
            };
            assert_eq!(object[*name], expected, "{name} in {line}");
        }
        lines += 1;
    }
    assert_eq!(lines, csv.lines().count() - 1);
    // Only the columns asked for, in that order.
    let some = run(&["--format", "csv", "--fields", "tau2,group"], "--stream");
    assert!(some.starts_with("tau2,group\n"), "{some}");
    let stderr = wd.fails_stderr(&["pool", "--format", "table", "--fields", "k"]);
    assert!(stderr.contains("--fields"), "{stderr}");
    let stderr = wd.fails_stderr(&["pool", "--format", "csv", "--fields", "k,nope"]);
    assert!(stderr.contains("'nope' is not a column"), "{stderr}");
    let stderr = wd.fails_stderr(&["pool", "--format", "jsonl", "--studies"]);
    assert!(stderr.contains("--studies"), "{stderr}");
}
