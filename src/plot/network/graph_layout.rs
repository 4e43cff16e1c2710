//! Layout of the network graph: nodes on a circle, edges under them with their trial counts,
//! and each node's name and detail outside the circle, aligned away from the centre.

use super::circle::circle_order;
use super::graph::{GraphData, GraphEdge};
use crate::plot::font::{text_width, Weight};
use crate::plot::scene::{Align, Grey, Scene, Stroke};
use crate::plot::{Format, Page, PlotError};

/// Title size.
const TITLE: f64 = 12.0;
/// Treatment name size.
const NAME: f64 = 10.0;
/// Size of the line under a name, and of the legend.
const DETAIL: f64 = 8.0;
/// Size of the trial count on an edge.
const EDGE_LABEL: f64 = 8.0;
/// Outer margin.
const MARGIN: f64 = 14.0;
/// Radius of the largest node.
const NODE_MAX: f64 = 24.0;
/// Smallest node radius, so small arms stay visible.
const NODE_MIN: f64 = 5.0;
/// Edge width per trial.
const EDGE_UNIT: f64 = 1.6;
/// Widest edge, so a much-studied comparison does not swallow its nodes.
const EDGE_MAX: f64 = 12.0;
/// Gap between a node and its label.
const GAP: f64 = 6.0;
/// Height of a label block: name and detail lines.
const LABEL_H: f64 = NAME + DETAIL + 4.0;

/// Lays out the network graph. Default page: 7 × 6.5 inches.
///
/// # Errors
/// [`PlotError::Empty`] for a graph without nodes.
pub fn graph_layout(data: &GraphData, page: &Page) -> Result<Scene, PlotError> {
    let n = data.nodes.len();
    if n == 0 {
        return Err(PlotError::Empty {
            subject: "the network",
            missing: "treatment",
        });
    }
    let mut scene = Scene::blank(page, (7.0, 6.5));
    let width = scene.width;
    let legend_y = draw_title_and_legend(&mut scene, data);
    let (pos, angle) = place_nodes(data, width, legend_y);
    draw_edges(&mut scene, &data.edges, &pos);
    draw_nodes(&mut scene, data, &pos, &angle);
    Ok(scene)
}

/// Draws the title at the top and the legend at the bottom; returns the legend's y.
fn draw_title_and_legend(scene: &mut Scene, data: &GraphData) -> f64 {
    let (width, height) = (scene.width, scene.height);
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
    legend_y
}

/// Places the nodes on the largest circle that leaves room for the labels between the title
/// and the legend, in the order with the fewest crossings, the first at the top. Returns each
/// node's centre and its angle on the circle.
fn place_nodes(data: &GraphData, width: f64, legend_y: f64) -> (Vec<(f64, f64)>, Vec<f64>) {
    let n = data.nodes.len();
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
    let top = MARGIN + TITLE + 10.0;
    let bottom = legend_y - DETAIL - 6.0;
    let cx = width / 2.0;
    let cy = (top + bottom) / 2.0;
    let r = ((width / 2.0 - MARGIN - label_w - NODE_MAX - GAP)
        .min((bottom - top) / 2.0 - LABEL_H - NODE_MAX - GAP))
    .max(20.0);

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
    (pos, angle)
}

/// Draws the edges, thickest first, and their trial counts.
fn draw_edges(scene: &mut Scene, edges: &[GraphEdge], pos: &[(f64, f64)]) {
    let mut edges: Vec<&GraphEdge> = edges.iter().collect();
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
}

/// Draws the nodes (area ∝ size, the reference darker) over the edges, each with its name and
/// detail outside the circle.
fn draw_nodes(scene: &mut Scene, data: &GraphData, pos: &[(f64, f64)], angle: &[f64]) {
    let n = data.nodes.len();
    let max_size = data.nodes.iter().map(|nd| nd.size).fold(0.0, f64::max);
    let radius = |s: f64| {
        if max_size > 0.0 {
            (NODE_MAX * (s / max_size).sqrt()).max(NODE_MIN)
        } else {
            NODE_MIN
        }
    };
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
        let d = rad + GAP;
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
            ly - LABEL_H
        } else {
            ly - LABEL_H / 2.0
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
}

/// Lays out and renders the network graph to PNG or SVG bytes.
///
/// # Errors
/// As [`graph_layout`] and [`crate::plot::render`].
pub fn render_graph(data: &GraphData, page: &Page, format: Format) -> Result<Vec<u8>, PlotError> {
    page.validate()?;
    let scene = graph_layout(data, page)?;
    crate::plot::render(&scene, format, page.dpi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::network::GraphNode;

    fn edge(a: usize, b: usize) -> GraphEdge {
        GraphEdge { a, b, k: 1 }
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
