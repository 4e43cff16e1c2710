//! Plots of a network meta-analysis: the network graph and the forest plot of every treatment
//! against the reference.
//!
//! As for the other plots, a conversion step reads the analysis into plot-ready data without
//! recomputing any statistic ([`graph_data`], [`forest_data`]), layout builds a
//! [`Scene`], and [`super::render`] paints it as PNG or SVG.
//!
//! The graph puts the treatments on a circle (netmeta's `netgraph` default), in the order
//! that gives the fewest crossing edges (an exhaustive search for up to nine treatments, the
//! reference at the top); a node's area is proportional to the patients randomized to the
//! treatment (or, when a study does not give its arm sizes, to its number of studies), an
//! edge's width to the number of trials comparing the two treatments, which is also written
//! on the edge.

use super::axis::fmt_tick;
use super::font::{text_width, Weight};
use super::forest::{self, ForestData, ForestGroup, ForestRow, Summary};
use super::scene::{Align, Grey, Scene, Stroke};
use super::{Format, Page, PlotError};
use crate::network::report::ComponentAnalysis;
use crate::network::settings::EffectScale;

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

/// Number of pairs of edges that cross when the nodes sit on a circle in `order`.
fn crossings(order: &[usize], edges: &[GraphEdge]) -> usize {
    let mut pos = vec![0; order.len()];
    for (p, &node) in order.iter().enumerate() {
        pos[node] = p;
    }
    let span = |e: &GraphEdge| {
        let (x, y) = (pos[e.a], pos[e.b]);
        (x.min(y), x.max(y))
    };
    let mut n = 0;
    for (i, e) in edges.iter().enumerate() {
        let (a1, b1) = span(e);
        for f in &edges[i + 1..] {
            let (a2, b2) = span(f);
            // Chords cross when exactly one endpoint of one lies strictly inside the other.
            if (a1 < a2 && a2 < b1 && b1 < b2) || (a2 < a1 && a1 < b2 && b2 < b1) {
                n += 1;
            }
        }
    }
    n
}

/// The circular order with the fewest crossings, node 0 first: exhaustive for up to nine
/// nodes (ties: the first in lexicographic order), the given order otherwise.
pub fn circle_order(n: usize, edges: &[GraphEdge]) -> Vec<usize> {
    let identity: Vec<usize> = (0..n).collect();
    if n <= 3 || n > 9 {
        return identity;
    }
    let mut best = identity.clone();
    let mut best_c = crossings(&best, edges);
    let mut rest: Vec<usize> = (1..n).collect();
    // Heap's algorithm would not give lexicographic order; walk permutations in order.
    loop {
        let mut order = vec![0];
        order.extend(&rest);
        let c = crossings(&order, edges);
        if c < best_c {
            best_c = c;
            best = order;
            if c == 0 {
                break;
            }
        }
        if !next_permutation(&mut rest) {
            break;
        }
    }
    best
}

fn next_permutation(v: &mut [usize]) -> bool {
    if v.len() < 2 {
        return false;
    }
    let mut i = v.len() - 1;
    while i > 0 && v[i - 1] >= v[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = v.len() - 1;
    while v[j] <= v[i - 1] {
        j -= 1;
    }
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

const TITLE: f64 = 12.0;
const NAME: f64 = 10.0;
const DETAIL: f64 = 8.0;
const EDGE_LABEL: f64 = 8.0;
const MARGIN: f64 = 14.0;
const NODE_MAX: f64 = 24.0;
const NODE_MIN: f64 = 5.0;
const EDGE_UNIT: f64 = 1.6;
const EDGE_MAX: f64 = 12.0;

/// Lays out the network graph. Default page: 7 × 6.5 inches.
///
/// # Errors
/// [`PlotError::Empty`] for a graph without nodes.
pub fn graph_layout(data: &GraphData, page: &Page) -> Result<Scene, PlotError> {
    let n = data.nodes.len();
    if n == 0 {
        return Err(PlotError::Empty("the network has no treatment".into()));
    }
    let width = page.width.unwrap_or(7.0) * 72.0;
    let height = page.height.unwrap_or(6.5) * 72.0;
    let mut scene = Scene {
        width,
        height,
        shapes: Vec::new(),
    };
    scene.text(
        width / 2.0,
        MARGIN + TITLE / 2.0,
        data.title.clone(),
        TITLE,
        Weight::Bold,
        Align::Center,
    );
    let legend_y = height - MARGIN - DETAIL / 2.0;
    scene.text_grey(
        width / 2.0,
        legend_y,
        data.legend.clone(),
        DETAIL,
        Weight::Normal,
        Align::Center,
        Grey::DARK,
    );
    // Label blocks: the widest name or detail decides the horizontal room, two lines the
    // vertical room.
    let label_w = data
        .nodes
        .iter()
        .map(|nd| {
            text_width(&nd.label, NAME, Weight::Bold).max(text_width(
                &nd.detail,
                DETAIL,
                Weight::Normal,
            ))
        })
        .fold(0.0, f64::max);
    let label_h = NAME + DETAIL + 4.0;
    let top = MARGIN + TITLE + 10.0;
    let bottom = legend_y - DETAIL - 6.0;
    let cx = width / 2.0;
    let cy = (top + bottom) / 2.0;
    let gap = 6.0;
    let r = ((width / 2.0 - MARGIN - label_w - NODE_MAX - gap)
        .min((bottom - top) / 2.0 - label_h - NODE_MAX - gap))
    .max(20.0);

    let max_size = data.nodes.iter().map(|nd| nd.size).fold(0.0, f64::max);
    let radius = |s: f64| {
        if max_size > 0.0 {
            (NODE_MAX * (s / max_size).sqrt()).max(NODE_MIN)
        } else {
            NODE_MIN
        }
    };
    let order = circle_order(n, &data.edges);
    let mut pos = vec![(0.0, 0.0); n];
    let mut angle = vec![0.0; n];
    for (p, &node) in order.iter().enumerate() {
        let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * p as f64 / n as f64;
        angle[node] = a;
        pos[node] = if n == 1 {
            (cx, cy)
        } else {
            (cx + r * a.cos(), cy + r * a.sin())
        };
    }
    // Edges under nodes, thickest first.
    let mut edges: Vec<&GraphEdge> = data.edges.iter().collect();
    edges.sort_by_key(|e| std::cmp::Reverse(e.k));
    for e in &edges {
        let w = (EDGE_UNIT * e.k as f64).min(EDGE_MAX);
        scene.line(pos[e.a], pos[e.b], Stroke::solid(Grey::MID, w));
    }
    // Edge labels at the middle of the edge, or moved along it when that spot is taken
    // (diameters of an even circle all meet in the centre).
    let mut taken: Vec<(f64, f64, f64, f64)> = Vec::new();
    for e in &edges {
        let (a, b) = (pos[e.a], pos[e.b]);
        let text = e.k.to_string();
        let tw = text_width(&text, EDGE_LABEL, Weight::Bold);
        let (hw, hh) = (tw / 2.0 + 3.5, EDGE_LABEL * 0.65);
        let at = |t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        let free = |(x, y): (f64, f64), taken: &[(f64, f64, f64, f64)]| {
            taken
                .iter()
                .all(|&(x0, y0, x1, y1)| x + hw < x0 || x - hw > x1 || y + hh < y0 || y - hh > y1)
        };
        let (mx, my) = [0.5, 0.38, 0.62, 0.3, 0.7]
            .iter()
            .map(|&t| at(t))
            .find(|&p| free(p, &taken))
            .unwrap_or_else(|| at(0.5));
        taken.push((mx - hw, my - hh, mx + hw, my + hh));
        scene.rect(
            (mx - tw / 2.0 - 2.5, my - EDGE_LABEL * 0.55),
            (mx + tw / 2.0 + 2.5, my + EDGE_LABEL * 0.55),
            Some(Grey::WHITE),
            Some(Stroke::solid(Grey::MID, 0.5)),
        );
        scene.text(mx, my, text, EDGE_LABEL, Weight::Bold, Align::Center);
    }
    for (i, nd) in data.nodes.iter().enumerate() {
        let rad = radius(nd.size);
        let fill = if nd.reference {
            Grey::DARK
        } else {
            Grey::LIGHT
        };
        scene.circle(
            pos[i],
            rad,
            Some(fill),
            Some(Stroke::solid(Grey::BLACK, 1.0)),
        );
        // Label outside the circle, aligned away from the centre.
        let (ca, sa) = (angle[i].cos(), angle[i].sin());
        let d = rad + gap;
        let (lx, ly) = if n == 1 {
            (pos[i].0, pos[i].1 + d + NAME / 2.0)
        } else {
            (pos[i].0 + d * ca, pos[i].1 + d * sa)
        };
        let align = if n == 1 || ca.abs() < 0.35 {
            Align::Center
        } else if ca > 0.0 {
            Align::Left
        } else {
            Align::Right
        };
        // Above the node: the block ends at the node; below: it starts there; beside: centred.
        let block_top = if n == 1 || sa > 0.35 {
            ly
        } else if sa < -0.35 {
            ly - label_h
        } else {
            ly - label_h / 2.0
        };
        scene.text(
            lx,
            block_top + NAME / 2.0 + 1.0,
            nd.label.clone(),
            NAME,
            Weight::Bold,
            align,
        );
        scene.text_grey(
            lx,
            block_top + NAME + 3.0 + DETAIL / 2.0,
            nd.detail.clone(),
            DETAIL,
            Weight::Normal,
            align,
            Grey::DARK,
        );
    }
    Ok(scene)
}

/// Lays out and renders the network graph to PNG or SVG bytes.
///
/// # Errors
/// As [`graph_layout`] and [`super::render`].
pub fn render_graph(data: &GraphData, page: &Page, format: Format) -> Result<Vec<u8>, PlotError> {
    page.validate()?;
    let scene = graph_layout(data, page)?;
    super::render(&scene, format, page.dpi)
}

/// Reads a component into a forest plot of every treatment against the reference, best
/// P-score first; squares are sized by the precision (1/SE²) of each estimate.
pub fn forest_data(
    a: &ComponentAnalysis,
    title: &str,
    scale: EffectScale,
    level: f64,
    measure: &str,
) -> ForestData {
    let mut rows = Vec::new();
    for r in &a.ranking {
        if r.treatment == a.reference {
            continue;
        }
        let Some(e) = a.effect(&r.treatment, &a.reference) else {
            continue;
        };
        rows.push(ForestRow {
            label: r.treatment.clone(),
            left_cells: vec![e.k_direct.to_string(), format!("{:.2}", r.p_score)],
            estimate: e.estimate,
            lower: Some(e.lower),
            upper: Some(e.upper),
            weight_pct: 1.0 / (e.se * e.se),
        });
    }
    let total: f64 = rows.iter().map(|r| r.weight_pct).sum();
    if total > 0.0 {
        for r in &mut rows {
            r.weight_pct *= 100.0 / total;
        }
    }
    let log = matches!(scale, EffectScale::LogRatio);
    let h = &a.heterogeneity;
    let het = format!("τ² = {:.4}; Q = {:.2}, df = {}", a.tau2, h.q, h.df);
    // Room on both sides of the null value for the "favours" labels: at least a factor 2
    // (log scale) or the data's own range.
    let null = scale.null_value();
    let (lo, hi) = rows.iter().fold((null, null), |(lo, hi), r| {
        (
            lo.min(r.lower.unwrap_or(r.estimate)),
            hi.max(r.upper.unwrap_or(r.estimate)),
        )
    });
    let xlim = if log {
        Some((lo.min(0.5), hi.max(2.0)))
    } else {
        let span = (hi - lo).max(f64::MIN_POSITIVE);
        Some((lo.min(null - span / 2.0), hi.max(null + span / 2.0)))
    };
    ForestData {
        title: title.to_string(),
        x_label: if log {
            format!("{measure} vs {} (log scale)", a.reference)
        } else {
            format!("{measure} vs {}", a.reference)
        },
        log_axis: log,
        null_value: Some(scale.null_value()),
        favours: Some((
            "Favours treatment".into(),
            format!("Favours {}", a.reference),
        )),
        label_header: "Treatment".into(),
        left_headers: vec!["Direct\ntrials".into(), "P-score".into()],
        estimate_header: format!("{measure} [{}% CI]", fmt_tick(level * 100.0)),
        digits: 2,
        groups: vec![ForestGroup {
            label: None,
            rows,
            summary: Summary {
                diamonds: vec![],
                prediction: None,
                heterogeneity: Some(het),
            },
        }],
        overall: None,
        pooled_line: None,
        footnotes: vec![
            format!(
                "{} effects; network estimates against {}; rows ordered by P-score, best first",
                match a.model {
                    crate::network::NetworkModel::Random => "Random",
                    crate::network::NetworkModel::Common => "Common",
                },
                a.reference
            ),
            format!(
                "Inconsistency between designs: Q = {:.2}, df = {}",
                h.q_inconsistency, h.df_inconsistency
            ),
        ],
        xlim,
    }
}

/// Lays out and renders the forest plot of a network to PNG or SVG bytes.
///
/// # Errors
/// As [`forest::render`].
pub fn render_forest(data: &ForestData, page: &Page, format: Format) -> Result<Vec<u8>, PlotError> {
    forest::render(data, page, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: usize, b: usize) -> GraphEdge {
        GraphEdge { a, b, k: 1 }
    }

    #[test]
    fn circle_order_removes_avoidable_crossings() {
        // A 4-cycle 0-2-1-3-0 drawn in index order crosses twice; reordered, never.
        let e = vec![edge(0, 2), edge(2, 1), edge(1, 3), edge(3, 0)];
        assert!(crossings(&[0, 1, 2, 3], &e) > 0);
        let o = circle_order(4, &e);
        assert_eq!(o[0], 0);
        assert_eq!(crossings(&o, &e), 0);
    }

    #[test]
    fn graph_labels_do_not_collide() {
        let names = [
            "chemotherapy",
            "alectinib",
            "brigatinib",
            "ceritinib",
            "crizotinib",
            "ensartinib",
            "lorlatinib",
        ];
        let data = GraphData {
            title: "Network".into(),
            nodes: names
                .iter()
                .enumerate()
                .map(|(i, n)| GraphNode {
                    label: n.to_string(),
                    size: 100.0 + 50.0 * i as f64,
                    detail: format!("n = {}, 2 trials", 100 + i),
                    reference: i == 0,
                })
                .collect(),
            edges: vec![
                edge(0, 4),
                edge(0, 3),
                edge(0, 1),
                edge(1, 4),
                edge(2, 4),
                edge(4, 5),
                edge(4, 6),
            ],
            legend: "Node area ∝ patients randomized; edge width ∝ number of trials".into(),
        };
        let scene = graph_layout(&data, &Page::default()).unwrap();
        let problems = scene.text_collisions();
        assert!(problems.is_empty(), "{problems:?}");
    }
}
