//! Plots of a network meta-analysis: the network graph and the forest plot of every treatment
//! against the reference.
//!
//! As for the other plots, a conversion step reads the analysis into plot-ready data without
//! recomputing any statistic ([`graph_data`], [`forest_data`]), layout builds a
//! [`Scene`](crate::plot::scene::Scene), and [`crate::plot::render`] paints it as PNG or SVG.
//!
//! The graph puts the treatments on a circle (netmeta's `netgraph` default), in the order
//! that gives the fewest crossing edges (an exhaustive search for up to nine treatments, the
//! reference at the top); a node's area is proportional to the patients randomized to the
//! treatment (or, when a study does not give its arm sizes, to its number of studies), an
//! edge's width to the number of trials comparing the two treatments, which is also written
//! on the edge. The files follow that split: `graph` (model), `circle` (node order),
//! `graph_layout` (scene) and `forest` (the network's forest plot, drawn by
//! [`crate::plot::forest`]).

mod circle;
mod forest;
mod graph;
mod graph_layout;

pub use circle::circle_order;
pub use forest::{forest_data, render_forest, report_forest};
pub use graph::{graph_data, report_graph, GraphData, GraphEdge, GraphNode};
pub use graph_layout::{graph_layout, render_graph};
