//! The network graph's plot-ready model: treatments as nodes sized by the patients randomized
//! to them (or their trials, when a study gives no arm sizes) and comparisons as edges
//! weighted by their number of trials, read from an analysis without recomputing anything.

use crate::network::hr::NetworkReport;
use crate::network::report::ComponentAnalysis;

/// A node of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    /// Treatment name.
    pub label: String,
    /// What sizes the node (patients, or studies when patients are unknown).
    pub size: f64,
    /// The line under the name ("n = 380, 3 trials").
    pub detail: String,
    /// The reference treatment (drawn darker).
    pub reference: bool,
}

/// An edge of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphEdge {
    /// Index of one node.
    pub a: usize,
    /// Index of the other.
    pub b: usize,
    /// Trials comparing them.
    pub k: usize,
}

/// Everything the network graph shows.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphData {
    /// Title.
    pub title: String,
    /// Nodes, reference first.
    pub nodes: Vec<GraphNode>,
    /// Edges.
    pub edges: Vec<GraphEdge>,
    /// Line under the graph explaining the sizes.
    pub legend: String,
}

/// The graph of a hazard-ratio network report, titled after its endpoint and setting: what
/// `alkstats network --graph` draws and a report's network figure shows.
pub fn report_graph(report: &NetworkReport) -> GraphData {
    let setting = report.settings.setting.as_deref();
    let title = format!(
        "Network of {} hazard ratios{}",
        report.endpoint.to_uppercase(),
        setting.map(|s| format!(", {s}")).unwrap_or_default()
    );
    graph_data(&report.analysis, &title)
}

/// Reads a component of a network analysis into graph data.
pub fn graph_data(a: &ComponentAnalysis, title: &str) -> GraphData {
    let by_patients = a.treatments.iter().all(|t| t.n_patients.is_some());
    let nodes = a
        .treatments
        .iter()
        .map(|t| {
            let trials = if t.k == 1 { "trial" } else { "trials" };
            GraphNode {
                label: t.treatment.clone(),
                size: if by_patients {
                    t.n_patients.unwrap_or(0) as f64
                } else {
                    t.k as f64
                },
                detail: match t.n_patients {
                    Some(n) => format!("n = {n}, {} {trials}", t.k),
                    None => format!("{} {trials}", t.k),
                },
                reference: t.treatment == a.reference,
            }
        })
        .collect();
    let index = |name: &str| {
        a.treatments
            .iter()
            .position(|t| t.treatment == name)
            .unwrap_or(0)
    };
    let edges = a
        .edges
        .iter()
        .map(|e| GraphEdge {
            a: index(&e.treatment),
            b: index(&e.comparator),
            k: e.k,
        })
        .collect();
    GraphData {
        title: title.to_string(),
        nodes,
        edges,
        legend: format!(
            "Node area ∝ {}; edge width ∝ number of trials (written on the edge)",
            if by_patients {
                "patients randomized"
            } else {
                "number of trials"
            }
        ),
    }
}
