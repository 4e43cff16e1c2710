//! The order of the treatments around the graph's circle: the one with the fewest crossing
//! edges (netmeta's `netgraph` draws on a circle too), found exhaustively for up to nine
//! treatments with the reference kept at the top.

use super::graph::GraphEdge;

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
}
