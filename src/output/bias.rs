//! Table and CSV renderers of `alkstats bias` ([`BiasReport`]); JSON is the report serialised
//! by [`super::json`]. The table gives one block per analysis, one line per method; the CSV is
//! long ("tidy"): one row per reported number, `group,k,method,quantity,index,value`, so that
//! every method fits one header. Renderers only format.

use super::table::align;
use crate::analysis::bias::{BiasAnalysis, BiasReport};
use crate::format::{csv_number, fixed, p_value};
use crate::methods::bias::{Adjusted, BiasResult, RegressionTest};

fn ci(est: Option<f64>, lo: Option<f64>, hi: Option<f64>) -> String {
    format!("{} [{}; {}]", fixed(est, 4), fixed(lo, 4), fixed(hi, 4))
}

fn adjusted_cell(a: &Adjusted) -> String {
    ci(a.estimate, a.lower, a.upper)
}

fn regression_row(name: &str, r: &RegressionTest) -> Vec<String> {
    let mut stat = format!("t = {} (df {})", fixed(Some(r.stat), 3), r.df);
    if let Some(t) = r.tau2 {
        stat.push_str(&format!(", tau² {}", fixed(Some(t), 4)));
    }
    vec![
        name.to_string(),
        stat,
        p_value(r.p),
        format!("{} ({})", fixed(Some(r.bias), 4), fixed(Some(r.se), 4)),
        adjusted_cell(&r.limit),
    ]
}

/// One row per method that gave a result: method (`*` on meta's default test), statistic,
/// p-value, asymmetry (SE), adjusted estimate with its interval. Shared with the report.
pub(crate) fn method_rows(b: &BiasResult) -> Vec<Vec<String>> {
    let mark = |name: &str, test: &str| {
        if b.default_test == test {
            format!("{name} *")
        } else {
            name.to_string()
        }
    };
    let mut rows = Vec::new();
    if let Some(r) = &b.egger {
        rows.push(regression_row(&mark("Egger", "egger"), r));
    }
    if let Some(r) = &b.begg {
        rows.push(vec![
            "Begg".into(),
            format!("Kendall's tau = {}", fixed(Some(r.tau), 3)),
            format!(
                "{}{}",
                p_value(Some(r.p)),
                if r.exact { " (exact)" } else { "" }
            ),
            String::new(),
            String::new(),
        ]);
    }
    if let Some(r) = &b.peters {
        rows.push(regression_row("Peters", r));
    }
    if let Some(r) = &b.harbord {
        rows.push(regression_row(&mark("Harbord", "harbord"), r));
    }
    if let Some(r) = &b.thompson_sharp {
        rows.push(regression_row("Thompson–Sharp", r));
    }
    if let Some(t) = &b.trimfill {
        rows.push(vec![
            format!("Trim-and-fill ({})", t.estimator),
            format!(
                "k0 = {} (SE {}) filled on the {}",
                t.k0,
                fixed(Some(t.se_k0), 2),
                t.side
            ),
            t.p_k0.map(|p| p_value(Some(p))).unwrap_or_default(),
            format!("tau² {}", fixed(Some(t.tau2), 4)),
            adjusted_cell(&t.adjusted),
        ]);
    }
    if let Some(s) = &b.selection {
        rows.push(vec![
            format!("Selection model (p ≤ {})", s.steps[0]),
            format!(
                "LRT = {} (df {}), delta = {} ({})",
                fixed(Some(s.lrt), 3),
                s.lrt_df,
                fixed(Some(s.delta), 3),
                fixed(s.se_delta, 3)
            ),
            p_value(s.lrt_p),
            format!("tau² {}", fixed(Some(s.tau2), 4)),
            adjusted_cell(&s.adjusted),
        ]);
    }
    if let Some(pp) = &b.pet_peese {
        for (name, a) in [("PET", &pp.pet), ("PEESE", &pp.peese)] {
            let chosen = pp.chosen == name.to_ascii_lowercase();
            rows.push(vec![
                format!("{name}{}", if chosen { " (chosen)" } else { "" }),
                String::new(),
                p_value(a.p),
                String::new(),
                adjusted_cell(a),
            ]);
        }
    }
    rows
}

fn analysis_block(a: &BiasAnalysis, level_pct: &str) -> String {
    let mut out = format!(
        "{} (k = {}): random-effects {}\n",
        a.group.as_deref().unwrap_or("All studies"),
        a.k,
        ci(a.random.estimate, a.random.lower, a.random.upper)
    );
    let Some(b) = &a.bias else {
        out.push_str("  no small-study methods (no variance model)\n");
        return out;
    };
    let rows = method_rows(b);
    if rows.is_empty() {
        out.push_str("  no method gave a result (see the warnings)\n");
        return out;
    }
    let mut table = vec![vec![
        "  method".to_string(),
        "statistic".into(),
        "p".into(),
        "asymmetry (SE)".into(),
        format!("adjusted estimate ({level_pct}% CI)"),
    ]];
    table.extend(rows.into_iter().map(|mut r| {
        r[0] = format!("  {}", r[0]);
        r
    }));
    out.push_str(&align(&table));
    out
}

/// Renders the report for a terminal.
pub fn render_table(report: &BiasReport) -> String {
    let s = &report.settings;
    let level_pct = crate::format::level_percent(s.pool.level);
    let tests: Vec<&str> = s.tests.iter().map(|t| t.as_str()).collect();
    let by = if s.pool.by == "none" {
        String::new()
    } else {
        format!(" by {}", s.pool.by)
    };
    let mut out = format!(
        "Small-study effects{by}: {} ({}), tau² {}, {level_pct}% CIs\n\
         Methods: {}; asymmetry tests need k ≥ {} (--k-min)\nData: {}\n",
        s.pool.sm,
        s.pool.scale,
        s.pool.method_tau,
        tests.join(", "),
        s.k_min,
        s.pool.data
    );
    for a in &report.analyses {
        out.push('\n');
        out.push_str(&analysis_block(a, &level_pct));
    }
    out.push_str(
        "\n* the test meta::metabias uses for this measure. Asymmetry: the coefficient of the \
         study-size predictor; adjusted estimate: the regression's limit as the predictor goes \
         to 0, or the method's estimate. Funnel-plot asymmetry has causes other than \
         publication bias (Sterne et al. 2011).\n",
    );
    if !report.warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for w in &report.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    out
}

/// One CSV row per number: (method, quantity, index, value).
fn quantities(b: &BiasResult) -> Vec<(&'static str, &'static str, Option<usize>, Option<f64>)> {
    type Row = (&'static str, &'static str, Option<usize>, Option<f64>);
    fn adjusted(q: &mut Vec<Row>, m: &'static str, a: &Adjusted) {
        for (name, v) in [
            ("yi", Some(a.yi)),
            ("se", Some(a.se)),
            ("lower_yi", Some(a.lower_yi)),
            ("upper_yi", Some(a.upper_yi)),
            ("estimate", a.estimate),
            ("lower", a.lower),
            ("upper", a.upper),
            ("p", a.p),
        ] {
            q.push((m, name, None, v));
        }
    }
    let mut q: Vec<Row> = Vec::new();
    for (m, r) in [
        ("egger", &b.egger),
        ("peters", &b.peters),
        ("harbord", &b.harbord),
        ("thompson_sharp", &b.thompson_sharp),
    ] {
        if let Some(r) = r {
            q.push((m, "bias", None, Some(r.bias)));
            q.push((m, "se", None, Some(r.se)));
            q.push((m, "stat", None, Some(r.stat)));
            q.push((m, "df", None, Some(r.df)));
            q.push((m, "p", None, r.p));
            if r.tau2.is_some() {
                q.push((m, "tau2", None, r.tau2));
            }
            let limit = match m {
                "egger" => "egger_limit",
                "peters" => "peters_limit",
                "harbord" => "harbord_limit",
                _ => "thompson_sharp_limit",
            };
            adjusted(&mut q, limit, &r.limit);
        }
    }
    if let Some(r) = &b.begg {
        q.push(("begg", "tau", None, Some(r.tau)));
        q.push(("begg", "p", None, Some(r.p)));
    }
    if let Some(t) = &b.trimfill {
        let m = "trimfill";
        for (name, v) in [
            ("k0", Some(t.k0 as f64)),
            ("se_k0", Some(t.se_k0)),
            ("p_k0", t.p_k0),
            ("k", Some(t.k as f64)),
        ] {
            q.push((m, name, None, v));
        }
        adjusted(&mut q, m, &t.adjusted);
        q.push((m, "tau2", None, Some(t.tau2)));
        for (i, f) in t.filled.iter().enumerate() {
            q.push((m, "filled_yi", Some(i + 1), Some(f.yi)));
            q.push((m, "filled_vi", Some(i + 1), Some(f.vi)));
        }
    }
    if let Some(s) = &b.selection {
        adjusted(&mut q, "selection", &s.adjusted);
        for (name, v) in [
            ("tau2", Some(s.tau2)),
            ("se_tau2", s.se_tau2),
            ("delta", Some(s.delta)),
            ("se_delta", s.se_delta),
            ("lower_delta", s.lower_delta),
            ("upper_delta", s.upper_delta),
            ("lrt", Some(s.lrt)),
            ("lrt_p", s.lrt_p),
        ] {
            q.push(("selection", name, None, v));
        }
    }
    if let Some(pp) = &b.pet_peese {
        adjusted(&mut q, "pet", &pp.pet);
        adjusted(&mut q, "peese", &pp.peese);
    }
    q
}

/// Renders the report as long CSV: `group,k,method,quantity,index,value`, where `method` names
/// the method (`egger_limit` etc. for a regression's limit estimate), `index` numbers the
/// filled studies of trim-and-fill, and side and chosen estimates are left to the JSON.
///
/// # Errors
/// Only on an internal CSV writer failure.
pub fn render_csv(report: &BiasReport) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["group", "k", "method", "quantity", "index", "value"])?;
    for a in &report.analyses {
        let group = a.group.clone().unwrap_or_default();
        let Some(b) = &a.bias else { continue };
        for (method, quantity, index, value) in quantities(b) {
            w.write_record([
                group.as_str(),
                &a.k.to_string(),
                method,
                quantity,
                &index.map(|i| i.to_string()).unwrap_or_default(),
                &csv_number(value),
            ])?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
