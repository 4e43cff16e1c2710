//! The human-readable table: one line per analysis (studies indented above it with
//! `--studies`), then heterogeneity notes and the test for subgroup differences.

use crate::analysis::report::{Analysis, PoolReport, StudyRow};
use crate::format::{fixed as fmt_opt, p_value as fmt_p};
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

fn analysis_cells<S>(a: &Analysis<S>) -> Vec<String> {
    let h = a.heterogeneity.as_ref();
    vec![
        a.group.clone().unwrap_or_else(|| "all studies".into()),
        a.k.to_string(),
        match (a.events, a.n) {
            (Some(e), Some(n)) => format!("{e}/{n}"),
            (None, Some(n)) => n.to_string(),
            _ => String::new(),
        },
        ci(a.common.estimate, a.common.lower, a.common.upper),
        ci(a.random.estimate, a.random.lower, a.random.upper),
        match &a.prediction {
            Some(p) => format!("[{}; {}]", fmt_opt(p.lower, 4), fmt_opt(p.upper, 4)),
            None => "n/a".into(),
        },
        h.map_or("n/a".into(), |h| format!("{:.1}%", h.i2)),
        fmt_opt(h.map(|h| h.tau2), 4),
        fmt_p(h.and_then(|h| h.p)),
    ]
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
    let mut rows = vec![vec![
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
        format!("random ({pct}% CI)"),
        "prediction".into(),
        "I²".into(),
        "tau²".into(),
        "p(Q)".into(),
    ]];
    for a in &report.analyses {
        if with_studies {
            for st in &a.studies {
                let (est, lo, hi) = st.display();
                let (wc, wr) = st.weights();
                rows.push(vec![
                    format!("  {}", st.label()),
                    String::new(),
                    st.data_cell(),
                    ci(Some(est), lo, hi),
                    format!("w {wc:.1}% / {wr:.1}%"),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        rows.push(analysis_cells(a));
    }
    out.push_str(&align(&rows));
    if let Some(t) = &report.subgroup_test {
        out.push_str("\nTest for subgroup differences:\n");
        for (name, q) in [("common", &t.common), ("random", &t.random)] {
            if let Some(q) = q {
                out.push_str(&format!(
                    "  {name:<7} Q = {:.2}, df = {}, p = {}\n",
                    q.q,
                    q.df,
                    fmt_p(q.p)
                ));
            }
        }
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
