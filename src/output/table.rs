//! The human-readable table: one line per analysis (studies indented above it with
//! `--studies`), then heterogeneity notes and the test for subgroup differences.

use crate::analysis::report::{Analysis, PoolReport, StudyRow};
use crate::format::{fixed as fmt_opt, p_sentence, p_value as fmt_p};
use crate::model::Measure;

pub(crate) fn ci(est: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> String {
    format!(
        "{} [{}; {}]",
        fmt_opt(est, 4),
        fmt_opt(lo, 4),
        fmt_opt(hi, 4)
    )
}

/// Lays out rows of cells with columns padded to their widest cell; the first column is
/// left-aligned, the others right-aligned.
pub(crate) fn align(rows: &[Vec<String>]) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; ncol];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            if i == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The cells of an analysis' row; `tests` adds the p-value of each pooled effect after its
/// interval (only for measures with a value of no effect: a proportion has none to test).
fn analysis_cells<S>(a: &Analysis<S>, tests: bool) -> Vec<String> {
    let h = a.heterogeneity.as_ref();
    let pct = |v: Option<f64>| v.map_or("n/a".into(), |v| format!("{v:.1}%"));
    let mut cells = vec![
        a.group.clone().unwrap_or_else(|| "all studies".into()),
        a.k.to_string(),
        match (a.events, a.n) {
            (Some(e), Some(n)) => format!("{e}/{n}"),
            (None, Some(n)) => n.to_string(),
            _ => String::new(),
        },
        ci(a.common.estimate, a.common.lower, a.common.upper),
    ];
    if tests {
        cells.push(fmt_p(a.common.p));
    }
    cells.push(ci(a.random.estimate, a.random.lower, a.random.upper));
    if tests {
        cells.push(fmt_p(a.random.p));
    }
    cells.extend([
        match &a.prediction {
            Some(p) => format!("[{}; {}]", fmt_opt(p.lower, 4), fmt_opt(p.upper, 4)),
            None => "n/a".into(),
        },
        pct(h.map(|h| h.i2)),
        pct(h.map(|h| h.i2_tau)),
        fmt_opt(h.map(|h| h.tau2), 4),
        fmt_p(h.and_then(|h| h.p)),
    ]);
    cells
}

/// What the p-values of the pooled effects test, and which I² is which, under the table.
fn legend(measure: Measure, tests: bool) -> String {
    let mut out = String::from("\n");
    if let (true, Some(null)) = (tests, measure.null_value()) {
        out.push_str(&format!(
            "p: two-sided test of no effect ({} = {null}) of the model to its left.\n",
            measure.labels().estimate_header.replace('\n', " ")
        ));
    }
    out.push_str(
        "I² (Q): max(0, (Q − df)/Q), as R meta and RevMan 5 print it; I² (τ²): τ²/(τ² + s²), \
         as metafor and RevMan (2024+) print it.\n",
    );
    out
}

fn outcome_title<S>(report: &PoolReport<S>) -> String {
    let s = &report.settings;
    match report.measure {
        Measure::Proportion(_) => "response proportions (ORR)".into(),
        Measure::HazardRatio => format!(
            "hazard ratios ({})",
            s.endpoint.as_deref().unwrap_or("pfs").to_uppercase()
        ),
        Measure::LogMedian | Measure::Median => "median progression-free survival (months)".into(),
        Measure::TwoArm(_) => format!(
            "two-arm response comparisons ({}; common effect by {})",
            s.sm,
            s.method.as_deref().unwrap_or("IV")
        ),
        Measure::Binary(_) => format!(
            "two-arm comparisons ({}; common effect by {})",
            s.sm,
            s.method.as_deref().unwrap_or("IV")
        ),
        Measure::Continuous(_) | Measure::Generic(_) => format!("{} ({})", s.scale, s.sm),
    }
}

/// Renders the report for a terminal.
pub fn render<S: StudyRow>(report: &PoolReport<S>, with_studies: bool) -> String {
    let s = &report.settings;
    let pct = s.level * 100.0;
    let tau2 = s.tau2_method();
    let mut out = format!(
        "Pooled {} by {}: {} ({}), tau² {}, random-effects CI {}, prediction {}, {pct}% CIs\n\
         Data: {}\n\n",
        outcome_title(report),
        s.by,
        s.sm,
        s.scale,
        tau2,
        s.random_ci,
        s.prediction,
        s.data
    );
    if let Some(note) = report.direction_note() {
        out.insert_str(out.len() - 1, &format!("{note}\n"));
    }
    // A pooled proportion or median has no value of no effect, so no test is printed for it
    // (as R meta's `null.effect = NA`).
    let tests = report.measure.null_value().is_some();
    let mut header = vec![
        if s.by == "none" {
            String::new()
        } else {
            s.by.clone()
        },
        "k".into(),
        if matches!(
            report.measure,
            Measure::Proportion(_) | Measure::TwoArm(_) | Measure::Binary(_)
        ) {
            "events/n".into()
        } else {
            "n".into()
        },
        format!("common ({pct}% CI)"),
    ];
    if tests {
        header.push("p".into());
    }
    header.push(format!("random ({pct}% CI)"));
    if tests {
        header.push("p".into());
    }
    header.extend(["prediction", "I² (Q)", "I² (τ²)", "tau²", "p(Q)"].map(String::from));
    let width = header.len();
    let mut rows = vec![header];
    for a in &report.analyses {
        if with_studies {
            for st in &a.studies {
                let (est, lo, hi) = st.display();
                let (wc, wr) = st.weights();
                let mut row = vec![
                    format!("  {}", st.label()),
                    String::new(),
                    st.data_cell(),
                    ci(Some(est), lo, hi),
                ];
                if tests {
                    row.push(String::new());
                }
                row.push(format!("w {wc:.1}% / {wr:.1}%"));
                row.resize(width, String::new());
                rows.push(row);
            }
        }
        rows.push(analysis_cells(a, tests));
    }
    out.push_str(&align(&rows));
    out.push_str(&legend(report.measure, tests));
    if let Some(t) = &report.subgroup_test {
        out.push_str("\nTest for subgroup differences:\n");
        for (name, q) in [("common", &t.common), ("random", &t.random)] {
            if let Some(q) = q {
                out.push_str(&format!(
                    "  {name:<7} Q = {:.2}, df = {}, {}\n",
                    q.q,
                    q.df,
                    p_sentence(q.p)
                ));
            }
        }
        if let Some(c) = &t.common_tau2 {
            let stat = match c.df2 {
                Some(df2) => format!("F = {:.2}, df = {}, {}", c.q, c.df, df2),
                None => format!("QM = {:.2}, df = {}", c.q, c.df),
            };
            out.push_str(&format!(
                "  common tau² ({:.4}, k = {}): {stat}, p = {}\n",
                c.tau2,
                c.k,
                fmt_p(c.p)
            ));
        }
    }
    if let Some(note) = &report.overall_note {
        out.push_str(&format!("\nNote: {note}.\n"));
    }
    if !report.excluded.is_empty() {
        out.push_str("\nExcluded:\n");
        for e in &report.excluded {
            out.push_str(&format!(
                "  - {} (line {}): {}\n",
                e.study, e.line, e.reason
            ));
        }
    }
    if !report.assumptions.is_empty() {
        out.push_str("\nAssumptions:\n");
        for a in &report.assumptions {
            out.push_str(&format!("  - {a}\n"));
        }
    }
    if let Some(stored) = &report.stored_results {
        out.push_str(&format!("\nRevMan: {}\n", stored.summary()));
        for skipped in &stored.not_compared {
            out.push_str(&format!("  - not compared: {skipped}\n"));
        }
    }
    if !report.warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for w in &report.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    out
}
