//! Table and CSV renderers of the sensitivity reports (`alkstats influence`, `alkstats
//! cumulative`); their JSON is the report serialised as it is ([`super::json::render`]).
//!
//! The table shows, per group, the full model, then one line per refit (study left out, or
//! added), then the influence diagnostics with the rule that marks a study influential. The CSV
//! has one row per refit, the full model first (`row` = `full`), with the influence diagnostics
//! and Baujat coordinates of the study on the same row.

use super::table::{align, ci};
use crate::analysis::sensitivity::{
    CumulativeReport, InfluenceAnalysis, InfluenceReport, SensitivityReport,
};
use crate::format::{csv_number as num, fixed, level_percent, p_value};
use crate::methods::influence::InfluenceRow;
use crate::methods::refit::{PooledRow, RefitRow};

fn title<A>(report: &SensitivityReport<A>, what: &str) -> String {
    let s = &report.settings;
    let p = &s.pool;
    let mut out = format!(
        "{what}: {} ({}, {}), {} model, tau² {}, random-effects CI {}, {}% CIs\nData: {}\n",
        report.labels().what,
        p.sm,
        p.scale,
        s.model,
        p.method_tau,
        p.random_ci,
        level_percent(p.level),
        p.data
    );
    if let Some(m) = &p.method {
        out.push_str(&format!("Method: {m}\n"));
    }
    if let Some(o) = &s.order {
        out.push_str(&format!("Order: {o}\n"));
    }
    out
}

fn group_line(group: &Option<String>, k: usize) -> String {
    format!(
        "\n{} (k = {k})\n",
        group.as_deref().unwrap_or("All studies")
    )
}

fn percent(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.1}%"))
}

/// The cells of a pooled row after its label.
fn pooled_cells(r: &PooledRow) -> Vec<String> {
    vec![
        r.k.to_string(),
        ci(r.estimate, r.lower, r.upper),
        p_value(r.p),
        fixed(r.q, 2),
        p_value(r.q_p),
        fixed(r.tau2, 4),
        percent(r.i2),
        percent(r.i2_tau),
    ]
}

fn refit_table(first: &str, full: Option<&PooledRow>, rows: &[RefitRow], pct: &str) -> String {
    if full.is_none() && rows.is_empty() {
        return "(no fitted model: see the warnings)\n".into();
    }
    let mut cells = vec![[first, "k", &format!("estimate [{pct}% CI]"), "p"]
        .into_iter()
        .map(String::from)
        .chain(["Q", "p(Q)", "tau²", "I²", "I²(tau²)"].map(String::from))
        .collect::<Vec<_>>()];
    if let Some(f) = full {
        cells.push(
            std::iter::once("(all studies)".to_string())
                .chain(pooled_cells(f))
                .collect(),
        );
    }
    for r in rows {
        cells.push(
            std::iter::once(r.study.clone())
                .chain(pooled_cells(&r.fit))
                .collect(),
        );
    }
    align(&cells)
}

fn influence_table(rows: &[InfluenceRow]) -> String {
    let header = [
        "study", "rstudent", "dffits", "cook.d", "cov.r", "tau2.del", "QE.del", "hat", "weight",
        "dfbetas", "inf",
    ];
    let mut cells = vec![header.map(String::from).to_vec()];
    for r in rows {
        cells.push(vec![
            r.study.clone(),
            fixed(r.rstudent, 4),
            fixed(r.dffits, 4),
            fixed(r.cook_d, 4),
            fixed(r.cov_r, 4),
            fixed(r.tau2_del, 4),
            fixed(r.q_del, 4),
            fixed(Some(r.hat), 4),
            fixed(Some(r.weight), 2),
            fixed(r.dfbetas, 4),
            match r.influential {
                Some(true) => "*".into(),
                Some(false) => String::new(),
                None => "n/a".into(),
            },
        ]);
    }
    align(&cells)
}

fn warnings(list: &[String]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut out = "\nWarnings:\n".to_string();
    for w in list {
        out.push_str(&format!("  - {w}\n"));
    }
    out
}

/// A report for a terminal: its title, each analysis as `body` writes it, its warnings.
fn text<A>(
    report: &SensitivityReport<A>,
    what: &str,
    body: impl Fn(&A, &str, &mut String),
) -> String {
    let pct = level_percent(report.settings.pool.level);
    let mut out = title(report, what);
    for a in &report.analyses {
        body(a, &pct, &mut out);
    }
    out.push_str(&warnings(&report.warnings));
    out
}

/// `alkstats influence` for a terminal.
pub fn influence_table_text(report: &InfluenceReport) -> String {
    text(
        report,
        "Leave-one-out and influence diagnostics",
        |a, pct, out| {
            out.push_str(&group_line(&a.group, a.k));
            out.push_str(&refit_table(
                "omitting",
                a.full.as_ref(),
                &a.leave_one_out,
                pct,
            ));
            if let Some(rows) = &a.influence {
                out.push_str("\nInfluence diagnostics (metafor influence.rma.uni):\n");
                out.push_str(&influence_table(rows));
                out.push_str(&format!("* {}\n", a.influence_rule));
            }
        },
    )
}

/// `alkstats cumulative` for a terminal.
pub fn cumulative_table_text(report: &CumulativeReport) -> String {
    text(report, "Cumulative meta-analysis", |a, pct, out| {
        out.push_str(&group_line(&a.group, a.k));
        out.push_str(&refit_table("adding", None, &a.cumulative, pct));
    })
}

const POOLED_HEADER: [&str; 17] = [
    "k", "yi", "se", "lower_yi", "upper_yi", "stat", "df", "p", "estimate", "lower", "upper", "q",
    "q_df", "q_p", "tau2", "i2", "i2_tau",
];

fn pooled_csv(r: &PooledRow) -> Vec<String> {
    let mut cells = vec![r.k.to_string()];
    cells.extend(
        [
            r.yi, r.se, r.lower_yi, r.upper_yi, r.stat, r.df, r.p, r.estimate, r.lower, r.upper,
            r.q, r.q_df, r.q_p, r.tau2, r.i2, r.i2_tau,
        ]
        .map(num),
    );
    cells
}

const INFLUENCE_HEADER: [&str; 12] = [
    "rstudent",
    "dffits",
    "cook_d",
    "cov_r",
    "tau2_del",
    "q_del",
    "hat",
    "weight",
    "dfbetas",
    "influential",
    "baujat_x",
    "baujat_y",
];

fn influence_csv(a: &InfluenceAnalysis, index: usize) -> Vec<String> {
    let inf = a.influence.iter().flatten().find(|r| r.index == index);
    let mut cells: Vec<String> = match inf {
        Some(r) => [
            r.rstudent,
            r.dffits,
            r.cook_d,
            r.cov_r,
            r.tau2_del,
            r.q_del,
            Some(r.hat),
            Some(r.weight),
            r.dfbetas,
        ]
        .map(num)
        .to_vec(),
        None => vec![String::new(); 9],
    };
    cells.push(
        inf.and_then(|r| r.influential)
            .map(|b| b.to_string())
            .unwrap_or_default(),
    );
    let point = a.baujat.iter().find(|p| p.index == index);
    cells.push(num(point.map(|p| p.x)));
    cells.push(num(point.map(|p| p.y)));
    cells
}

fn write_csv(header: Vec<String>, rows: Vec<Vec<String>>) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header)?;
    for r in rows {
        w.write_record(&r)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn header(extra: &[&str]) -> Vec<String> {
    ["row", "group", "study", "line"]
        .iter()
        .chain(POOLED_HEADER.iter())
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn refit_csv(kind: &str, group: &Option<String>, r: &RefitRow) -> Vec<String> {
    let mut cells = vec![
        kind.to_string(),
        group.clone().unwrap_or_default(),
        r.study.clone(),
        r.line.to_string(),
    ];
    cells.extend(pooled_csv(&r.fit));
    cells
}

/// `alkstats influence` as CSV.
///
/// # Errors
/// Only if the CSV writer fails (not expected in memory).
pub fn influence_csv_text(report: &InfluenceReport) -> Result<String, csv::Error> {
    let mut rows = Vec::new();
    for a in &report.analyses {
        if let Some(f) = &a.full {
            let mut cells = vec![
                "full".to_string(),
                a.group.clone().unwrap_or_default(),
                String::new(),
                String::new(),
            ];
            cells.extend(pooled_csv(f));
            cells.extend(vec![String::new(); INFLUENCE_HEADER.len()]);
            rows.push(cells);
        }
        for r in &a.leave_one_out {
            let mut cells = refit_csv("omitted", &a.group, r);
            cells.extend(influence_csv(a, r.index));
            rows.push(cells);
        }
    }
    write_csv(header(&INFLUENCE_HEADER), rows)
}

/// `alkstats cumulative` as CSV.
///
/// # Errors
/// Only if the CSV writer fails (not expected in memory).
pub fn cumulative_csv_text(report: &CumulativeReport) -> Result<String, csv::Error> {
    let rows = report
        .analyses
        .iter()
        .flat_map(|a| a.cumulative.iter().map(|r| refit_csv("added", &a.group, r)))
        .collect();
    write_csv(header(&[]), rows)
}
