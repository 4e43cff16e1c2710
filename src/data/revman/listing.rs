//! A listing of a review's comparisons and outcomes for people, shown when a user passes a
//! `.rm5` file without choosing an outcome. Each outcome line reads like RevMan's own analysis
//! headings ("Risk Ratio (M-H, Random, 95% CI)"), shortened:
//! `1.1 Tuberculosis cases (dichotomous, RR, M-H, random)`.

use super::model::{Outcome, Review};

/// One line describing `outcome`: id, name, and in parentheses its data type, effect measure,
/// pooling method and model.
pub fn describe_outcome(outcome: &Outcome) -> String {
    let model = if outcome.random_effects {
        "random"
    } else {
        "fixed"
    };
    format!(
        "{} {} ({}, {}, {}, {})",
        outcome.id,
        outcome.name,
        outcome.kind.label(),
        outcome.effect_measure,
        method_label(&outcome.method),
        model
    )
}

/// The whole listing: the title, then each comparison on its own line followed by its
/// outcomes (indented by two spaces, with the number of studies), ending with a newline.
pub fn listing(review: &Review) -> String {
    let mut out = format!("{}\n", review.title);
    if review.comparisons.is_empty() {
        out.push_str("  (no analyses in this review)\n");
    }
    for c in &review.comparisons {
        out.push_str(&format!("{} {}\n", c.number, c.name));
        for o in &c.outcomes {
            let k = o.rows().count();
            let studies = if k == 1 { "study" } else { "studies" };
            let groups = if o.has_subgroups {
                format!(", {} subgroups", o.subgroups.len())
            } else {
                String::new()
            };
            out.push_str(&format!(
                "  {}: {k} {studies}{groups}\n",
                describe_outcome(o)
            ));
        }
    }
    out
}

/// RevMan's display names of its pooling methods.
fn method_label(method: &str) -> &str {
    match method {
        "MH" => "M-H",
        "PETO" => "Peto",
        other => other,
    }
}
