//! End-to-end tests of the `alkstats` binary's options and conventions: continuity
//! corrections, every documented option value, interval methods, writing the output file,
//! help and version, closed pipes, completions and the man page, and flags that do not apply.
//! Every test runs the real executable in a fresh temporary directory, as `tests/cli.rs` does.
//!
//! Expected numbers are structural (an interval never narrower than another) or closed-form
//! re-derivations of metafor `escalc` formulas, written out where used.

mod support;

use serde_json::Value;
use std::path::Path;
use support::contract::{analysis, check_report_contract, num, study};
use support::workdir::{Workdir, BIN};
use support::ARITHMETIC;

/// A small user file (invented counts): crizotinib k = 3, alectinib k = 2 with an all-responder
/// study, chemotherapy k = 2 with a no-responder study, AP26113 (= brigatinib) k = 1, and two
/// columns that are not in the schema (`region`, `notes`).
const SMALL: &str = include_str!("inputs/arms_small.csv");

#[test]
fn zero_and_all_responders_use_the_correction_only_where_the_transformation_needs_it() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    // metafor escalc("PLO", add = 1/2, to = "only0"): x → x + ½, n → n + 1.
    let plogit = wd.stdout_json(&[
        "pool", "--data", "arms.csv", "--sm", "PLOGIT", "--format", "json",
    ]);
    check_report_contract(&plogit, "PLOGIT");
    let zero = study(analysis(&plogit, "chemotherapy"), "Zeta 2017"); // 0 of 20
    let all = study(analysis(&plogit, "alectinib"), "Delta 2015"); // 30 of 30
    let close = |v: &Value, expected: f64, what: &str| {
        let got = num(v, what);
        assert!(
            (got - expected).abs() <= ARITHMETIC * expected.abs().max(1.0),
            "{what}: {got} vs {expected}"
        );
    };
    close(&zero["yi"], (0.5f64 / 20.5).ln(), "PLOGIT yi, 0/20");
    close(&zero["vi"], 1.0 / 0.5 + 1.0 / 20.5, "PLOGIT vi, 0/20");
    close(&all["yi"], (30.5f64 / 0.5).ln(), "PLOGIT yi, 30/30");
    close(&all["vi"], 1.0 / 30.5 + 1.0 / 0.5, "PLOGIT vi, 30/30");
    assert_eq!(
        zero["estimate"], 0.0,
        "the observed proportion is reported uncorrected"
    );
    assert_eq!(all["estimate"], 1.0);

    // Freeman–Tukey is defined at 0 and n: no correction (meta::metaprop).
    let pft = wd.stdout_json(&[
        "pool", "--data", "arms.csv", "--sm", "PFT", "--format", "json",
    ]);
    check_report_contract(&pft, "PFT");
    let ft = |x: f64, n: f64| {
        0.5 * ((x / (n + 1.0)).sqrt().asin() + ((x + 1.0) / (n + 1.0)).sqrt().asin())
    };
    let zero = study(analysis(&pft, "chemotherapy"), "Zeta 2017");
    let all = study(analysis(&pft, "alectinib"), "Delta 2015");
    close(&zero["yi"], ft(0.0, 20.0), "PFT yi, 0/20");
    close(&zero["vi"], 1.0 / 82.0, "PFT vi, 0/20");
    close(&all["yi"], ft(30.0, 30.0), "PFT yi, 30/30");
    close(&all["vi"], 1.0 / 122.0, "PFT vi, 30/30");
}

#[test]
fn every_documented_option_value_is_accepted() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    // (flag, value given, canonical spelling echoed in settings)
    let cases: &[(&str, &str, &str)] = &[
        ("--sm", "PLOGIT", "PLOGIT"),
        ("--sm", "PFT", "PFT"),
        ("--sm", "PAS", "PAS"),
        ("--sm", "PRAW", "PRAW"),
        ("--sm", "PLN", "PLN"),
        ("--sm", "PLO", "PLOGIT"),
        ("--sm", "PR", "PRAW"),
        ("--method-tau", "REML", "REML"),
        ("--method-tau", "DL", "DL"),
        ("--method-tau", "ML", "ML"),
        ("--method-tau", "PM", "PM"),
        ("--method-tau", "HE", "HE"),
        ("--method-tau", "SJ", "SJ"),
        ("--method-tau", "EB", "EB"),
        ("--method-tau", "HS", "HS"),
        ("--random-ci", "classic", "classic"),
        ("--random-ci", "hk", "hk"),
        ("--random-ci", "hk-adhoc", "hk-adhoc"),
        ("--prediction", "t", "t"),
        ("--prediction", "hts", "hts"),
        ("--prediction", "z", "z"),
        ("--prediction", "none", "none"),
        ("--ci-study", "clopper-pearson", "clopper-pearson"),
        ("--ci-study", "wilson", "wilson"),
        ("--ci-study", "agresti-coull", "agresti-coull"),
        ("--ci-study", "jeffreys", "jeffreys"),
        ("--ci-study", "wald", "wald"),
    ];
    for &(flag, value, canonical) in cases {
        for data in ["arms.csv", ""] {
            let mut args = vec!["pool", "--format", "json", flag, value];
            if !data.is_empty() {
                args.extend(["--data", data]);
            }
            let report = wd.stdout_json(&args);
            let what = format!("{flag} {value} --data '{data}'");
            check_report_contract(&report, &what);
            let key = flag.trim_start_matches("--").replace('-', "_");
            assert_eq!(report["settings"][&key], canonical, "{what}");
            if value == "none" {
                for a in report["analyses"].as_array().unwrap() {
                    assert!(
                        a["prediction"].is_null(),
                        "{what}: prediction should be null"
                    );
                }
            }
        }
    }
}

#[test]
fn hk_adhoc_is_never_narrower_than_classic() {
    let wd = Workdir::new();
    let classic = wd.stdout_json(&["pool", "--format", "json", "--random-ci", "classic"]);
    let adhoc = wd.stdout_json(&["pool", "--format", "json", "--random-ci", "hk-adhoc"]);
    for (c, h) in classic["analyses"]
        .as_array()
        .unwrap()
        .iter()
        .zip(adhoc["analyses"].as_array().unwrap())
    {
        let width = |a: &Value| {
            num(&a["random"]["upper_yi"], "upper_yi") - num(&a["random"]["lower_yi"], "lower_yi")
        };
        assert!(
            width(h) >= width(c) - ARITHMETIC,
            "group {}: hk-adhoc {} < classic {}",
            c["group"],
            width(h),
            width(c)
        );
    }
}

#[test]
fn output_writes_the_whole_file_and_nothing_on_stdout() {
    let wd = Workdir::new();
    wd.create("arms.csv", SMALL);
    let expected = wd.stdout(&["pool", "--data", "arms.csv", "--format", "json"]);
    for flag in ["--output", "-o"] {
        let written = wd.stdout(&[
            "pool",
            "--data",
            "arms.csv",
            "--format",
            "json",
            flag,
            "report.json",
        ]);
        assert!(
            written.is_empty(),
            "{flag}: stdout should be empty, got {written}"
        );
        assert_eq!(
            std::fs::read_to_string(wd.path("report.json")).unwrap(),
            expected
        );
        // The atomic write leaves no temporary file behind.
        assert_eq!(wd.entries(), ["arms.csv", "report.json"]);
    }
    // Overwriting an existing output replaces it entirely.
    wd.create(
        "report.json",
        "stale contents that are longer than nothing at all",
    );
    wd.stdout(&[
        "pool",
        "--data",
        "arms.csv",
        "--format",
        "csv",
        "--output",
        "report.json",
    ]);
    let csv_text = std::fs::read_to_string(wd.path("report.json")).unwrap();
    assert!(csv_text.starts_with("row,group,"), "{csv_text}");
}

#[test]
fn output_onto_the_input_file_is_refused_and_the_input_kept() {
    let wd = Workdir::new();
    let input = wd.create("arms.csv", SMALL);
    let sub = wd.path("sub");
    std::fs::create_dir(&sub).unwrap();
    let absolute = input.to_string_lossy().into_owned();
    for out_path in [
        "arms.csv",
        "./arms.csv",
        "sub/../arms.csv",
        absolute.as_str(),
    ] {
        let out = wd
            .command(&["pool", "--data", "arms.csv", "--output", out_path])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--output {out_path}: {stderr}");
        assert!(
            stderr.starts_with("error:") && stderr.contains("input file"),
            "--output {out_path}: {stderr}"
        );
        assert!(out.stdout.is_empty());
        assert_eq!(
            std::fs::read(&input).unwrap(),
            SMALL.as_bytes(),
            "--output {out_path}: input changed"
        );
    }
    assert_eq!(wd.entries(), ["arms.csv", "sub"]);
}

#[test]
fn help_and_version_exit_zero() {
    let wd = Workdir::new();
    for args in [
        &["--help"][..],
        &["pool", "--help"],
        &["help", "pool"],
        &["--version"],
    ] {
        let text = wd.stdout(args);
        assert!(
            text.contains("alkstats") || text.contains("--outcome"),
            "{args:?}: {text}"
        );
    }
    let pool_help = wd.stdout(&["pool", "--help"]);
    for flag in [
        "--outcome",
        "--data",
        "--by",
        "--sm",
        "--method-tau",
        "--random-ci",
        "--prediction",
        "--ci-study",
    ] {
        assert!(pool_help.contains(flag), "pool --help lacks {flag}");
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let wd = Workdir::new();
    // Enough rows that the output (≈ 200 kB) cannot fit in a pipe buffer, so the binary is
    // still writing when the reader goes away, as with `alkstats … | head -c 10`.
    let mut big = String::from("study,drug,n,responders,source\n");
    for i in 0..1000u64 {
        let n = 20 + i % 150;
        big.push_str(&format!(
            "S{i},drug{},{n},{},generated\n",
            i % 4,
            1 + (i * 7) % (n - 1)
        ));
    }
    let input = wd.create("big.csv", big);
    let mut child = std::process::Command::new(BIN)
        .current_dir(wd.root())
        .args(["pool", "--format", "csv", "--studies", "--data"])
        .arg(Path::new(&input))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn alkstats");
    let mut stdout = child.stdout.take().unwrap();
    let mut head = [0u8; 10];
    stdout.read_exact(&mut head).expect("read the first bytes");
    assert_eq!(&head, b"row,group,");
    drop(stdout);
    let out = child.wait_with_output().expect("wait for alkstats");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "exit {}: {stderr}", out.status);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn completions_and_the_man_page_come_from_the_flags() {
    let w = Workdir::new();
    for (shell, marker) in [
        ("bash", "_alkstats()"),
        ("zsh", "#compdef alkstats"),
        ("fish", "complete -c alkstats"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[alkstats]"),
    ] {
        let script = w.stdout(&["completions", shell]);
        assert!(
            script.contains(marker),
            "{shell}: {}",
            &script[..script.len().min(300)]
        );
        // Fish names long flags without their dashes (`-l rm5-outcome`).
        assert!(
            script.contains("rm5-outcome"),
            "{shell} completes pool's flags"
        );
    }
    let page = w.stdout(&["man"]);
    assert!(page.contains(".TH alkstats 1"), "{}", &page[..200]);
    for needle in [
        ".TH \"alkstats pool\"",
        "sd\\-method",
        ".TH \"alkstats import\"",
    ] {
        assert!(page.contains(needle), "man page lacks {needle}");
    }
    let (code, _, err) = w.outcome(&["completions", "tcsh"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn flags_that_do_not_apply_are_refused_with_a_sentence() {
    let w = Workdir::new();
    for (args, says) in [
        (
            &["pool", "--outcome", "hr", "--sm", "PFT"][..],
            "--sm PFT does not apply to --outcome hr",
        ),
        (
            &["pool", "--outcome", "orr", "--measure", "OR"][..],
            "--measure OR does not apply to --outcome orr",
        ),
        (
            &["pool", "--outcome", "pfs", "--measure", "RR"][..],
            "--measure RR does not apply to --outcome pfs",
        ),
        (
            &["pool", "--outcome", "orr", "--method", "MH"][..],
            "--method MH does not apply to --outcome orr",
        ),
        (
            &["pool", "--outcome", "orr", "--compare", "--sm", "PFT"][..],
            "does not apply to --outcome orr --compare",
        ),
        (
            &[
                "forest",
                "--outcome",
                "orr",
                "--format",
                "json",
                "-o",
                "f.png",
            ][..],
            "--format does not apply to alkstats forest",
        ),
        (
            &["forest", "--outcome", "orr", "--studies", "-o", "f.png"][..],
            "--studies does not apply to alkstats forest",
        ),
        (
            &["funnel", "--outcome", "orr", "--stream", "-o", "f.png"][..],
            "--stream does not apply to alkstats funnel",
        ),
        (
            &[
                "funnel",
                "--outcome",
                "orr",
                "--forest",
                "x.png",
                "-o",
                "f.png",
            ][..],
            "--forest does not apply to alkstats funnel",
        ),
    ] {
        let (code, out, err) = w.outcome(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty() && err.contains(says), "{args:?}: {err}");
    }
    assert!(w.entries().is_empty(), "nothing written");
    // The flags still work where they apply.
    w.stdout(&[
        "pool",
        "--outcome",
        "orr",
        "--compare",
        "--measure",
        "OR",
        "--method",
        "Peto",
    ]);
    w.stdout(&["pool", "--outcome", "pfs", "--method", "mm"]);
}
