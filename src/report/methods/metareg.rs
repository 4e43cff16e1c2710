//! The paragraph of a meta-regression section: which studies were regressed on what, the
//! model, the tests and how R² is defined, with the citation of each method.

use super::model::tau_text;
use super::refs::{Cites, Ref};
use crate::methods::PooledModel;
use crate::report::plan::MetaregSpec;
use crate::settings::RandomCi;

/// The paragraph of a meta-regression section.
pub(super) fn metareg_text(s: &MetaregSpec, c: &mut Cites) -> String {
    let st = &s.settings;
    let scope = match &s.group {
        Some(g) => format!("the {g} group of the analysis '{}'", s.of),
        None => format!("the analysis '{}'", s.of),
    };
    let fit = s.pooled.fit().copied().unwrap_or_default();
    let model = match st.model {
        PooledModel::Random => format!(
            "a mixed-effects meta-regression (weighted least squares with weights 1/(vᵢ + τ²), \
             the residual τ² estimated by {}, as metafor's rma with mods)",
            tau_text(fit.method_tau, c)
        ),
        PooledModel::Common => {
            "a fixed-effects meta-regression (weighted least squares with weights 1/vᵢ)".into()
        }
    };
    let tests = match fit.random_ci {
        RandomCi::Classic => "a Wald z test, all moderators together by a χ² test (QM)".to_string(),
        _ => format!(
            "a Knapp–Hartung t test {}, all moderators together by an F test",
            c.paren(&[Ref::KnappHartung2003])
        ),
    };
    let references = if st.references.is_empty() {
        String::new()
    } else {
        let refs: Vec<String> = st
            .references
            .iter()
            .map(|(col, level)| format!("{level} for {col}"))
            .collect();
        format!(" (reference levels: {})", refs.join(", "))
    };
    format!(
        "The studies of {scope} were regressed on {} {} by {model}; a column of numbers enters as \
         a continuous moderator, any other as treatment contrasts against its first level in \
         sorted order{references}. Each coefficient was tested by {tests}; residual heterogeneity was \
         tested by QE, and R² is metafor's proportional reduction of τ² from the model without \
         moderators {}.",
        st.moderators.join(", "),
        c.paren(&[Ref::ThompsonHiggins2002]),
        c.paren(&[Ref::Raudenbush2009])
    )
}
