//! Renders a network report for people (a league table that fits a 120-column terminal, the
//! ranking, the Q decomposition, the node-splits) and as CSV (one row per ordered pair). Reads
//! the report only; recomputes nothing.

use super::hr::NetworkReport;
use super::report::ComponentAnalysis;
use crate::format::{csv_number, fixed as fmt_opt, p_value as fmt_p};
use std::fmt::Write as _;

/// Terminal width the tables are laid out for.
pub const WIDTH: usize = 120;
/// Longest treatment label shown; longer names are shortened (and kept distinct).
const NAME_MAX: usize = 12;
/// Space between league-table columns.
const GAP: usize = 2;

/// Shortens names longer than 12 characters, keeping them distinct, as netmeta's
/// `nchar.trts` does.
pub fn abbreviations(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        let chars: Vec<char> = n.chars().collect();
        if chars.len() <= NAME_MAX {
            out.push(n.clone());
            continue;
        }
        let mut cut = NAME_MAX - 1;
        let mut candidate: String = chars[..cut].iter().collect::<String>() + ".";
        while out.contains(&candidate) && cut + 1 < chars.len() {
            cut += 1;
            candidate = chars[..cut].iter().collect::<String>() + ".";
        }
        out.push(candidate);
    }
    out
}

fn num(v: f64) -> String {
    fmt_opt(Some(v), 2)
}

fn pad_center(s: &str, w: usize) -> String {
    let len = s.chars().count();
    if len >= w {
        return s.to_string();
    }
    let left = (w - len) / 2;
    format!("{}{}{}", " ".repeat(left), s, " ".repeat(w - len - left))
}

/// The league table: rows and columns in ranking order (best first). Below the diagonal, the
/// network estimate of the row treatment against the column treatment; above it, the direct
/// estimate of the row against the column ("." without direct evidence); each cell is the
/// estimate over its CI. Columns are split into blocks so that no line exceeds [`WIDTH`].
pub fn league_table(a: &ComponentAnalysis) -> String {
    let order: Vec<String> = a.ranking.iter().map(|r| r.treatment.clone()).collect();
    let labels = abbreviations(&order);
    let n = order.len();
    // cells[i][j] = (estimate line, CI line)
    let mut cells = vec![vec![(String::new(), String::new()); n]; n];
    for i in 0..n {
        for j in 0..n {
            cells[i][j] = if i == j {
                (labels[i].clone(), String::new())
            } else if let Some(e) = a.effect(&order[i], &order[j]) {
                if i > j {
                    (
                        num(e.estimate),
                        format!("[{}; {}]", num(e.lower), num(e.upper)),
                    )
                } else {
                    match &e.direct {
                        Some(d) => (
                            num(d.estimate),
                            format!("[{}; {}]", num(d.lower), num(d.upper)),
                        ),
                        None => (".".into(), String::new()),
                    }
                }
            } else {
                ("n/a".into(), String::new())
            };
        }
    }
    let col_w: Vec<usize> = (0..n)
        .map(|j| {
            (0..n)
                .flat_map(|i| [cells[i][j].0.chars().count(), cells[i][j].1.chars().count()])
                .chain(std::iter::once(labels[j].chars().count()))
                .max()
                .unwrap_or(1)
        })
        .collect();
    let label_w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    // Column blocks that fit.
    let mut blocks: Vec<Vec<usize>> = vec![];
    let mut cur: Vec<usize> = vec![];
    let mut used = label_w;
    for (j, &w) in col_w.iter().enumerate() {
        if !cur.is_empty() && used + GAP + w > WIDTH {
            blocks.push(std::mem::take(&mut cur));
            used = label_w;
        }
        used += GAP + w;
        cur.push(j);
    }
    if !cur.is_empty() {
        blocks.push(cur);
    }
    let mut out = String::new();
    for (bi, block) in blocks.iter().enumerate() {
        if bi > 0 {
            out.push('\n');
        }
        let mut header = " ".repeat(label_w);
        for &j in block {
            header.push_str(&" ".repeat(GAP));
            header.push_str(&pad_center(&labels[j], col_w[j]));
        }
        out.push_str(header.trim_end());
        out.push('\n');
        for i in 0..n {
            for line in 0..2 {
                let mut s = if line == 0 {
                    format!("{:<label_w$}", labels[i])
                } else {
                    " ".repeat(label_w)
                };
                for &j in block {
                    s.push_str(&" ".repeat(GAP));
                    let text = if line == 0 {
                        &cells[i][j].0
                    } else {
                        &cells[i][j].1
                    };
                    s.push_str(&pad_center(text, col_w[j]));
                }
                let s = s.trim_end();
                if line == 1 && s.is_empty() {
                    continue;
                }
                out.push_str(s);
                out.push('\n');
            }
        }
    }
    out
}

fn component_text(a: &ComponentAnalysis, report: &NetworkReport, out: &mut String) {
    let pct = report.settings.level * 100.0;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = writeln!(
        out,
        "{}, {} ({}), {}; reference {}",
        plural(a.treatments.len(), "treatment", "treatments"),
        plural(a.k, "study", "studies"),
        plural(a.n_contrasts, "contrast", "contrasts"),
        plural(
            a.edges.len(),
            "directly compared pair",
            "directly compared pairs"
        ),
        a.reference
    );
    let _ = writeln!(
        out,
        "\nLeague table: HR [{pct}% CI], {} model. Below the diagonal: network estimate, row vs column;\n\
         above: direct estimate, row vs column (. = no direct comparison). Ordered by P-score.\n",
        a.model
    );
    out.push_str(&league_table(a));
    let better = if report.settings.small_values == "good" {
        "a smaller HR is better"
    } else {
        "a larger HR is better"
    };
    let _ = writeln!(out, "\nRanking by P-score ({better}):");
    let name_w = a
        .ranking
        .iter()
        .map(|r| r.treatment.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    let vs_ref = |t: &str| {
        a.effect(t, &a.reference).map_or(String::new(), |e| {
            format!(
                "HR vs {} {:.2} [{:.2}; {:.2}]",
                a.reference, e.estimate, e.lower, e.upper
            )
        })
    };
    for r in &a.ranking {
        let _ = writeln!(
            out,
            "  {:>2}  {:<name_w$}  {:.4}  {}",
            r.rank,
            r.treatment,
            r.p_score,
            vs_ref(&r.treatment)
        );
    }
    let h = &a.heterogeneity;
    let _ = writeln!(
        out,
        "\nHeterogeneity and inconsistency (common-effect Q; design-by-treatment decomposition, Krahn et al. 2013):"
    );
    let _ = writeln!(out, "  {:<16} {:>9} {:>4} {:>9}", "", "Q", "df", "p");
    for x in h.parts() {
        let _ = writeln!(
            out,
            "  {:<16} {:>9.2} {:>4} {:>9}",
            x.part,
            x.q,
            x.df,
            fmt_p(x.p)
        );
    }
    let _ = writeln!(
        out,
        "  tau² = {:.4} ({}), tau = {:.4}, I² = {}",
        h.tau2,
        report.settings.method_tau,
        h.tau,
        h.i2.map_or("n/a".to_string(), |v| format!("{v:.1}%"))
    );
    if a.node_split.is_empty() {
        let _ = writeln!(
            out,
            "\nNode-splitting: no comparison has both direct and indirect evidence."
        );
    } else {
        let _ = writeln!(
            out,
            "\nNode-splitting (back-calculation): direct vs indirect HR [{pct}% CI]; ratio = direct / indirect"
        );
        let mut rows = vec![vec![
            "comparison".to_string(),
            "k".into(),
            "direct %".into(),
            "direct".into(),
            "indirect".into(),
            "network".into(),
            "ratio".into(),
            "p".into(),
        ]];
        let ci = |e: &super::report::Estimate| {
            format!("{:.2} [{:.2}; {:.2}]", e.estimate, e.lower, e.upper)
        };
        for s in &a.node_split {
            rows.push(vec![
                format!("{} vs {}", s.treatment, s.comparator),
                s.k_direct.to_string(),
                format!("{:.0}", s.direct_proportion * 100.0),
                ci(&s.direct),
                ci(&s.indirect),
                ci(&s.network),
                format!("{:.2}", s.difference.estimate),
                fmt_p(Some(s.difference.p)),
            ]);
        }
        out.push_str(&align(&rows));
    }
}

fn align(rows: &[Vec<String>]) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut w = vec![0; ncol];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(" ");
        for (i, c) in r.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            line.push(' ');
            if i == 0 {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad + 1));
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Renders the report for a terminal.
pub fn table(report: &NetworkReport) -> String {
    let s = &report.settings;
    let mut out = format!(
        "Network meta-analysis of hazard ratios ({}): {} effects, tau² {}, {}% CIs\nData: {}{}\n",
        report.endpoint.to_uppercase(),
        s.model,
        s.method_tau,
        s.level * 100.0,
        s.data,
        s.setting
            .as_deref()
            .map(|v| format!("; setting {v}"))
            .unwrap_or_default()
    );
    if !report.connected {
        let _ = writeln!(
            out,
            "\nThe network is disconnected: {} sub-networks, analysed separately.",
            report.other_components.len() + 1
        );
    }
    if !report.connected {
        let _ = writeln!(out, "\n== Sub-network 1 (with the reference) ==");
    }
    out.push('\n');
    component_text(&report.analysis, report, &mut out);
    for (i, c) in report.other_components.iter().enumerate() {
        let _ = writeln!(out, "\n== Sub-network {} ==\n", i + 2);
        component_text(c, report, &mut out);
    }
    if !report.warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for w in &report.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    out
}

/// Renders every ordered pair of every component as CSV.
///
/// # Errors
/// A CSV writer failure (none in practice: it writes to memory).
pub fn csv(report: &NetworkReport) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "component",
        "reference",
        "treatment",
        "comparator",
        "yi",
        "se",
        "estimate",
        "lower",
        "upper",
        "z",
        "p",
        "k_direct",
        "direct_estimate",
        "direct_lower",
        "direct_upper",
        "p_score_treatment",
    ])?;
    let components = std::iter::once(&report.analysis).chain(&report.other_components);
    for (ci, a) in components.enumerate() {
        for e in &a.effects {
            let p_score = a
                .ranking
                .iter()
                .find(|r| r.treatment == e.treatment)
                .map(|r| r.p_score);
            let d = e.direct.as_ref();
            w.write_record([
                (ci + 1).to_string(),
                a.reference.clone(),
                e.treatment.clone(),
                e.comparator.clone(),
                csv_number(Some(e.yi)),
                csv_number(Some(e.se)),
                csv_number(Some(e.estimate)),
                csv_number(Some(e.lower)),
                csv_number(Some(e.upper)),
                csv_number(Some(e.z)),
                csv_number(Some(e.p)),
                e.k_direct.to_string(),
                csv_number(d.map(|d| d.estimate)),
                csv_number(d.map(|d| d.lower)),
                csv_number(d.map(|d| d.upper)),
                fmt_opt(p_score, 6),
            ])?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
