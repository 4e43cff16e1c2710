//! The treatment graph: connected components, the reference of each, and the edges (pairs of
//! treatments compared directly, with the studies that compare them).
//!
//! A disconnected network has no estimate linking its components; each component is analysed
//! on its own (netmeta's `netconnection()` reports the same split).

use super::contrasts::RawStudy;
use std::collections::{BTreeMap, BTreeSet};

/// Splits the treatments into connected components: two treatments are connected when some
/// study has both as arms. Each component is sorted by name; components come largest first
/// (ties: alphabetically by their first treatment).
pub fn components(studies: &[RawStudy]) -> Vec<Vec<String>> {
    let names: BTreeSet<&str> = studies
        .iter()
        .flat_map(|s| s.arms.iter().map(String::as_str))
        .collect();
    let names: Vec<&str> = names.into_iter().collect();
    let idx = |n: &str| names.binary_search(&n).unwrap_or(0);
    let mut parent: Vec<usize> = (0..names.len()).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for s in studies {
        let first = idx(&s.arms[0]);
        for a in &s.arms[1..] {
            let (ra, rb) = (find(&mut parent, first), find(&mut parent, idx(a)));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(n.to_string());
    }
    let mut out: Vec<Vec<String>> = groups.into_values().collect();
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a[0].cmp(&b[0])));
    out
}

/// The default reference of a set of treatments: `chemotherapy` (the usual control of the ALK
/// trials) or `placebo` when present, otherwise the treatment in most studies (ties: the
/// first alphabetically).
pub fn default_reference(treatments: &[String], studies: &[RawStudy]) -> String {
    for preferred in ["chemotherapy", "placebo"] {
        if let Some(t) = treatments
            .iter()
            .find(|t| t.eq_ignore_ascii_case(preferred))
        {
            return t.clone();
        }
    }
    let count = |t: &String| studies.iter().filter(|s| s.arms.contains(t)).count();
    treatments
        .iter()
        .max_by(|a, b| count(a).cmp(&count(b)).then_with(|| b.cmp(a)))
        .cloned()
        .unwrap_or_default()
}

/// A pair of treatments compared directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeStudies {
    /// First treatment (by network order).
    pub a: usize,
    /// Second treatment.
    pub b: usize,
    /// Studies with both arms, by index.
    pub studies: Vec<usize>,
}

/// Every directly compared pair of a network, with `arms[s]` the treatment indices of study
/// `s`. Pairs come in network order (a < b).
pub fn edges(arms: &[Vec<usize>]) -> Vec<EdgeStudies> {
    let mut map: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (s, a) in arms.iter().enumerate() {
        for (i, &x) in a.iter().enumerate() {
            for &y in &a[i + 1..] {
                map.entry((x.min(y), x.max(y))).or_default().push(s);
            }
        }
    }
    map.into_iter()
        .map(|((a, b), studies)| EdgeStudies { a, b, studies })
        .collect()
}

/// Whether `a` and `b` stay connected when the direct edge between them is removed from every
/// study (a multi-arm study still links them through its other arms).
pub fn connected_without_edge(arms: &[Vec<usize>], n: usize, a: usize, b: usize) -> bool {
    let mut adj = vec![Vec::new(); n];
    for s in arms {
        for (i, &x) in s.iter().enumerate() {
            for &y in &s[i + 1..] {
                if (x.min(y), x.max(y)) != (a.min(b), a.max(b)) {
                    adj[x].push(y);
                    adj[y].push(x);
                }
            }
        }
    }
    let mut seen = vec![false; n];
    let mut stack = vec![a];
    seen[a] = true;
    while let Some(x) = stack.pop() {
        if x == b {
            return true;
        }
        for &y in &adj[x] {
            if !seen[y] {
                seen[y] = true;
                stack.push(y);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(study: &str, arms: &[&str]) -> RawStudy {
        RawStudy {
            study: study.into(),
            rows: vec![],
            arms: arms.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn components_split_a_disconnected_network() {
        let s = vec![
            raw("1", &["b", "a"]),
            raw("2", &["c", "a"]),
            raw("3", &["e", "d"]),
        ];
        let c = components(&s);
        assert_eq!(c, vec![vec!["a", "b", "c"], vec!["d", "e"]]);
        assert_eq!(default_reference(&c[0], &s), "a");
    }

    #[test]
    fn a_loop_gives_indirect_evidence_and_a_tree_does_not() {
        let tree = vec![vec![0, 1], vec![0, 2]];
        assert!(!connected_without_edge(&tree, 3, 0, 1));
        let looped = vec![vec![0, 1], vec![0, 2], vec![1, 2]];
        assert!(connected_without_edge(&looped, 3, 0, 1));
        let three_arm = vec![vec![0, 1, 2]];
        assert!(connected_without_edge(&three_arm, 3, 0, 1));
        assert_eq!(edges(&looped).len(), 3);
    }
}
