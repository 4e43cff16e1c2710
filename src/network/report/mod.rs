//! The network analysis and its result structures. Field names are a public contract (docs/json-contract.md,
//! `alkstats network`): `reference`, `tau2`, `heterogeneity {q, df, p, q_within_designs,
//! df_within_designs, q_inconsistency, df_inconsistency}`, `effects [{treatment, comparator,
//! yi, se, estimate, lower, upper}]` and `ranking [{treatment, p_score}]`; other fields may be
//! added, these never renamed.
//!
//! The files: `results` holds the result structures; `component` fits one connected network
//! and reads everything from it; this file splits the network into its components and picks
//! the one holding the reference.

mod component;
mod results;

pub use results::{
    ComponentAnalysis, Difference, Edge, Effect, Estimate, Heterogeneity, NodeSplit, Rank,
    StudyRow, Treatment,
};

use super::contrasts::{group_studies, Contrast, RawStudy};
use super::graph::{components, default_reference};
use super::settings::NetworkSettings;
use super::NetworkError;
use component::analyse_component;

/// A whole network analysis: the component with the reference, any other components, and
/// warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAnalysis {
    /// The component holding the reference (the whole network when it is connected).
    pub main: ComponentAnalysis,
    /// The other components of a disconnected network, each analysed on its own.
    pub others: Vec<ComponentAnalysis>,
    /// What the reader must know.
    pub warnings: Vec<String>,
}

/// Runs a network meta-analysis of contrast rows.
///
/// Studies are formed from rows with the same `study` key (see [`super::contrasts`]); the
/// treatment graph is split into connected components, and each is fitted on its own with its
/// own τ² (a disconnected network has no estimate between components). The requested
/// reference picks the main component; other components take their default reference.
///
/// # Errors
/// Invalid settings, no rows, an unknown reference, bad rows or multi-arm studies, or a
/// numerical failure ([`NetworkError`]).
pub fn analyse(
    contrasts: &[Contrast],
    settings: &NetworkSettings,
) -> Result<NetworkAnalysis, NetworkError> {
    settings.validate()?;
    if contrasts.is_empty() {
        return Err(NetworkError::NoContrasts);
    }
    let raw = group_studies(contrasts)?;
    let comps = components(&raw);
    let main = match &settings.reference {
        Some(r) => comps.iter().position(|c| c.contains(r)).ok_or_else(|| {
            NetworkError::UnknownReference {
                reference: r.clone(),
                available: comps.concat().join(", "),
            }
        })?,
        None => 0,
    };
    let mut warnings = Vec::new();
    if comps.len() > 1 {
        let list: Vec<String> = comps
            .iter()
            .map(|c| format!("{{{}}}", c.join(", ")))
            .collect();
        warnings.push(format!(
            "the network is disconnected: {} separate sub-networks {}; no treatment of one can be \
             compared with a treatment of another, so each is analysed on its own (its own \
             reference and τ²)",
            comps.len(),
            list.join(" and ")
        ));
    }
    let mut analyses = Vec::with_capacity(comps.len());
    for (ci, names) in comps.iter().enumerate() {
        let members: Vec<&RawStudy> = raw.iter().filter(|s| names.contains(&s.arms[0])).collect();
        let prefix = if comps.len() > 1 {
            format!("sub-network {{{}}}: ", names.join(", "))
        } else {
            String::new()
        };
        let reference = match &settings.reference {
            Some(r) if ci == main => r.clone(),
            _ => default_reference(names, &raw),
        };
        let (a, w) = analyse_component(names, &reference, &members, contrasts, settings)?;
        warnings.extend(w.into_iter().map(|w| format!("{prefix}{w}")));
        analyses.push(a);
    }
    let main_analysis = analyses.remove(main);
    Ok(NetworkAnalysis {
        main: main_analysis,
        others: analyses,
        warnings,
    })
}
