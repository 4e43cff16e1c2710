//! Forest plots of two-arm data show each arm's data in its own columns, as RevMan draws them:
//! events and total per arm for binary data, mean, SD and total per arm for continuous data,
//! with the totals per arm on the first pooled row. Read from the SVG's text elements.

mod support;

use support::workdir::Workdir;

/// The text of every `<text>` element of an SVG, in document order.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..t.find("</text>")?];
            Some(body.trim().to_string())
        })
        .collect()
}

fn forest(w: &Workdir, args: &[&str]) -> Vec<String> {
    let mut all = vec!["forest"];
    all.extend_from_slice(args);
    all.extend(["--output", "f.svg"]);
    let (code, _, err) = w.outcome(&all);
    assert_eq!(code, 0, "{err}");
    texts(&std::fs::read_to_string(w.path("f.svg")).unwrap())
}

#[test]
fn binary_data_show_events_and_totals_per_arm() {
    let w = Workdir::new();
    w.create(
        "bin.csv",
        "study,event.e,n.e,event.c,n.c\nA,4,123,11,139\nB,6,306,29,303\n",
    );
    let t = forest(&w, &["--outcome", "binary", "--data", "bin.csv"]);
    for h in ["Experimental", "Control", "Events", "Total"] {
        assert!(t.iter().any(|x| x == h), "header {h} missing: {t:?}");
    }
    // Study A's cells in column order, then the totals per arm on the pooled row.
    let a = t.iter().position(|x| x == "A").unwrap();
    assert_eq!(t[a + 1..a + 5], ["4", "123", "11", "139"]);
    let common = t.iter().position(|x| x == "Common effect model").unwrap();
    assert_eq!(t[common + 1..common + 5], ["10", "429", "40", "442"]);
}

#[test]
fn continuous_data_show_mean_sd_and_total_per_arm() {
    let w = Workdir::new();
    w.create(
        "cont.csv",
        "study,mean.e,sd.e,n.e,mean.c,sd.c,n.c\nA,55,47,155,75,64,156\nB,27.5,7,31,29,4,32\n",
    );
    let t = forest(&w, &["--outcome", "continuous", "--data", "cont.csv"]);
    for h in ["Mean", "SD", "Total"] {
        assert_eq!(
            t.iter().filter(|x| *x == h).count(),
            2,
            "{h} per arm: {t:?}"
        );
    }
    let b = t.iter().position(|x| x == "B").unwrap();
    assert_eq!(t[b + 1..b + 7], ["27.5", "7", "31", "29", "4", "32"]);
    let common = t.iter().position(|x| x == "Common effect model").unwrap();
    assert_eq!(
        t[common + 1..common + 3],
        ["186", "188"],
        "patients per arm"
    );
}
