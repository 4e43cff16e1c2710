//! Contrast rows and the studies they form.
//!
//! Each input row is one two-arm contrast: yᵢ = effect of `treatment` against `comparator`
//! (for hazard ratios, ln HR) with variance vᵢ. Rows with the same `study` key (the trial)
//! form one study; a study with k > 2 arms must give every one of its k(k − 1)/2 pairwise
//! contrasts, because with contrast-level data only all of them together determine the
//! covariance of the study's contrasts.
//!
//! A study enters the model through its k − 1 *basic contrasts*, each arm against the study's
//! baseline arm b (the arm that comes first in the network's treatment order), with
//!
//! ```text
//! Var(y_jb) = V_jb,   Cov(y_jb, y_lb) = (V_jb + V_lb − V_jl) / 2
//! ```
//!
//! where V_jl is the variance of the pairwise contrast j vs l. The covariance is the variance
//! of the shared arm b when V_jl = σ_j² + σ_l²; the polarisation identity above gives the
//! same covariance matrix for any choice of baseline, and is what Rücker's (2012) reduced
//! weights imply (netmeta's `multiarm()`: L⁺ = −½·C·V·C with C the centring matrix).
//!
//! Reported pairwise contrasts of a multi-arm trial are rarely exactly consistent (each HR
//! comes from its own model and is rounded): y_AB + y_BC ≠ y_AC. They are reconciled once, by
//! weighted least squares over the pairs with Rücker's reduced weights (Rücker 2012, eq. 9;
//! netmeta does the same inside every fit, with τ² added to the variances), and the size of
//! the discrepancy is reported.

use super::NetworkError;
use nalgebra::DMatrix;
use std::collections::HashMap;

/// One two-arm contrast.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrast {
    /// Label of the row (shown in tables).
    pub label: String,
    /// Study key: rows with the same key come from one trial.
    pub study: String,
    /// Treatment (the effect is treatment against comparator).
    pub treatment: String,
    /// Comparator.
    pub comparator: String,
    /// Effect, e.g. ln HR.
    pub yi: f64,
    /// Its sampling variance.
    pub vi: f64,
    /// Patients randomized to the treatment arm.
    pub n_treatment: Option<u64>,
    /// Patients randomized to the comparator arm.
    pub n_comparator: Option<u64>,
}

/// A study's rows, before the network fixes a treatment order.
#[derive(Debug, Clone, PartialEq)]
pub struct RawStudy {
    /// Study key.
    pub study: String,
    /// Indices of its rows in the input.
    pub rows: Vec<usize>,
    /// Its arms (treatment names), in order of first appearance.
    pub arms: Vec<String>,
}

/// Groups contrast rows into studies (in order of first appearance) and checks them.
///
/// # Errors
/// [`NetworkError::BadContrast`] for a non-finite effect or a variance that is not positive,
/// [`NetworkError::SameTreatment`] for a treatment equal to its comparator; [`NetworkError::MultiArm`] when a study repeats a
/// comparison or, with more than two arms, lacks one.
pub fn group_studies(contrasts: &[Contrast]) -> Result<Vec<RawStudy>, NetworkError> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut studies: Vec<RawStudy> = Vec::new();
    for (i, c) in contrasts.iter().enumerate() {
        if !c.yi.is_finite() || !(c.vi > 0.0) || !c.vi.is_finite() {
            return Err(NetworkError::BadContrast {
                row: c.label.clone(),
                yi: c.yi,
                vi: c.vi,
            });
        }
        if c.treatment == c.comparator {
            return Err(NetworkError::SameTreatment {
                row: c.label.clone(),
                treatment: c.treatment.clone(),
            });
        }
        let at = *index.entry(c.study.as_str()).or_insert_with(|| {
            studies.push(RawStudy {
                study: c.study.clone(),
                rows: Vec::new(),
                arms: Vec::new(),
            });
            studies.len() - 1
        });
        let s = &mut studies[at];
        s.rows.push(i);
        for t in [&c.treatment, &c.comparator] {
            if !s.arms.contains(t) {
                s.arms.push(t.clone());
            }
        }
    }
    for s in &studies {
        check_pairs(s, contrasts)?;
    }
    Ok(studies)
}

fn unordered<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

fn check_pairs(s: &RawStudy, contrasts: &[Contrast]) -> Result<(), NetworkError> {
    let mut seen: HashMap<(&str, &str), &str> = HashMap::new();
    for &r in &s.rows {
        let c = &contrasts[r];
        if let Some(first) = seen.insert(unordered(&c.treatment, &c.comparator), &c.label) {
            return Err(NetworkError::MultiArm {
                study: s.study.clone(),
                arms: s.arms.join(", "),
                problem: format!(
                    "{} vs {} is given twice (rows '{first}' and '{}'); if one supersedes the \
                     other, name it in the 'overlaps' column of the superseded row",
                    c.treatment, c.comparator, c.label
                ),
            });
        }
    }
    let k = s.arms.len();
    if seen.len() != k * (k - 1) / 2 {
        let mut missing = Vec::new();
        for i in 0..k {
            for j in i + 1..k {
                if !seen.contains_key(&unordered(&s.arms[i], &s.arms[j])) {
                    missing.push(format!("{} vs {}", s.arms[i], s.arms[j]));
                }
            }
        }
        return Err(NetworkError::MultiArm {
            study: s.study.clone(),
            arms: s.arms.join(", "),
            problem: format!("missing: {}", missing.join("; ")),
        });
    }
    Ok(())
}

/// A study as it enters the model of one network.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// Study key.
    pub study: String,
    /// Labels of its rows.
    pub labels: Vec<String>,
    /// Treatment indices of its arms, ascending; `arms[0]` is the baseline.
    pub arms: Vec<usize>,
    /// Basic contrasts: `y[j − 1]` is arm `arms[j]` against the baseline.
    pub y: Vec<f64>,
    /// Within-study covariance of `y`, (k − 1) × (k − 1).
    pub cov: DMatrix<f64>,
    /// Patients per arm, aligned with `arms`.
    pub n: Vec<Option<u64>>,
    /// Design: the sorted treatment names joined by ':'.
    pub design: String,
    /// Weighted squared discrepancy removed when reconciling the contrasts of a multi-arm
    /// study (0 for a two-arm study and for exactly consistent contrasts).
    pub reconciliation: f64,
}

impl Study {
    /// Number of arms.
    pub fn k(&self) -> usize {
        self.arms.len()
    }

    /// Effect of arm position `i` against arm position `j` (positions in `arms`).
    pub fn effect(&self, i: usize, j: usize) -> f64 {
        let at = |p: usize| if p == 0 { 0.0 } else { self.y[p - 1] };
        at(i) - at(j)
    }

    /// Within-study variance of the contrast between arm positions `i` and `j`, plus `tau2`
    /// (the between-study variance of every contrast).
    pub fn pair_variance(&self, i: usize, j: usize, tau2: f64) -> f64 {
        let c = |a: usize, b: usize| {
            if a == 0 || b == 0 {
                0.0
            } else {
                self.cov[(a - 1, b - 1)]
            }
        };
        c(i, i) + c(j, j) - 2.0 * c(i, j) + tau2
    }
}

/// Rücker's (2012) reduced weights of one study from the k × k matrix of its pairwise
/// contrast variances (zero diagonal).
///
/// # Formula
/// L⁺ = −½·C·V·C with C = I − J/k; L = (L⁺ + J/k)⁻¹ − J/k; the weight of pair (i, j) is
/// −L_ij. For two arms this is 1/V₁₂. Returns `None` when L⁺ + J/k is singular.
pub fn reduced_weights(pair_var: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let k = pair_var.nrows();
    let j = DMatrix::from_element(k, k, 1.0 / k as f64);
    let c = DMatrix::identity(k, k) - &j;
    let l_plus = (&c * pair_var * &c) * -0.5;
    let inv = (l_plus + &j).try_inverse()?;
    Some(-(inv - j))
}

/// Builds the study of `raw` for a network whose treatment order is given by `index`.
///
/// # Errors
/// [`NetworkError::MultiArm`] when the pairwise variances of a multi-arm study imply a
/// covariance matrix that is not positive definite.
pub fn build_study(
    raw: &RawStudy,
    contrasts: &[Contrast],
    index: &HashMap<String, usize>,
) -> Result<Study, NetworkError> {
    let mut arms: Vec<usize> = raw.arms.iter().map(|a| index[a]).collect();
    arms.sort_unstable();
    let k = arms.len();
    let pos = |t: &str| arms.iter().position(|&a| a == index[t]).unwrap_or(0);
    // Pairwise effects (antisymmetric) and variances (symmetric) by arm position.
    let mut y_pair = DMatrix::<f64>::zeros(k, k);
    let mut v_pair = DMatrix::<f64>::zeros(k, k);
    let mut n: Vec<Option<u64>> = vec![None; k];
    for &r in &raw.rows {
        let c = &contrasts[r];
        let (i, j) = (pos(&c.treatment), pos(&c.comparator));
        y_pair[(i, j)] = c.yi;
        y_pair[(j, i)] = -c.yi;
        v_pair[(i, j)] = c.vi;
        v_pair[(j, i)] = c.vi;
        n[i] = n[i].or(c.n_treatment);
        n[j] = n[j].or(c.n_comparator);
    }
    let mut cov = DMatrix::<f64>::zeros(k - 1, k - 1);
    for a in 1..k {
        for b in 1..k {
            cov[(a - 1, b - 1)] = if a == b {
                v_pair[(a, 0)]
            } else {
                (v_pair[(a, 0)] + v_pair[(b, 0)] - v_pair[(a, b)]) / 2.0
            };
        }
    }
    let mut names: Vec<&str> = raw.arms.iter().map(String::as_str).collect();
    names.sort_unstable();
    let design = names.join(":");
    let labels = raw
        .rows
        .iter()
        .map(|&r| contrasts[r].label.clone())
        .collect();
    if k == 2 {
        return Ok(Study {
            study: raw.study.clone(),
            labels,
            arms,
            y: vec![y_pair[(1, 0)]],
            cov,
            n,
            design,
            reconciliation: 0.0,
        });
    }
    let not_pd = || NetworkError::MultiArm {
        study: raw.study.clone(),
        arms: raw.arms.join(", "),
        problem: "the variances of its contrasts are incompatible: they imply a covariance \
                  matrix that is not positive definite (an arm with negative variance); check \
                  the confidence intervals"
            .into(),
    };
    if cov.clone().cholesky().is_none() {
        return Err(not_pd());
    }
    // Reconcile: arm effects θ̃ = L⁺·g with g_i = Σ_j w_ij·y_ij (weighted least squares over
    // the pairs), basic contrasts θ̃_j − θ̃_0.
    let w = reduced_weights(&v_pair).ok_or_else(not_pd)?;
    let jk = DMatrix::from_element(k, k, 1.0 / k as f64);
    let c = DMatrix::identity(k, k) - &jk;
    let l_plus = (&c * &v_pair * &c) * -0.5;
    let g = nalgebra::DVector::from_fn(k, |i, _| {
        (0..k)
            .filter(|&j| j != i)
            .map(|j| w[(i, j)] * y_pair[(i, j)])
            .sum::<f64>()
    });
    let theta = &l_plus * g;
    let y: Vec<f64> = (1..k).map(|j| theta[j] - theta[0]).collect();
    let mut reconciliation = 0.0;
    for i in 0..k {
        for j in i + 1..k {
            let r = y_pair[(i, j)] - (theta[i] - theta[j]);
            reconciliation += w[(i, j)] * r * r;
        }
    }
    Ok(Study {
        study: raw.study.clone(),
        labels,
        arms,
        y,
        cov,
        n,
        design,
        reconciliation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(study: &str, t: &str, c: &str, yi: f64, vi: f64) -> Contrast {
        Contrast {
            label: format!("{study} {t}-{c}"),
            study: study.into(),
            treatment: t.into(),
            comparator: c.into(),
            yi,
            vi,
            n_treatment: None,
            n_comparator: None,
        }
    }

    fn index(names: &[&str]) -> HashMap<String, usize> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.to_string(), i))
            .collect()
    }

    // Willms (1999) of dat.senn2013: arm variances sd²/n = 0.862²/29 (metformin),
    // 1.782²/31 (acarbose), 1.831²/29 (placebo). The covariance of the two contrasts against
    // placebo must be the placebo arm's variance, whatever baseline the rows imply.
    #[test]
    fn multi_arm_covariance_is_the_shared_arm_variance() {
        let (m, a, p) = (
            0.862f64.powi(2) / 29.0,
            1.782f64.powi(2) / 31.0,
            1.831f64.powi(2) / 29.0,
        );
        let rows = vec![
            row("W", "metformin", "acarbose", -0.2, m + a),
            row("W", "metformin", "placebo", -1.2, m + p),
            row("W", "acarbose", "placebo", -1.0, a + p),
        ];
        let raw = group_studies(&rows).unwrap();
        let s = build_study(
            &raw[0],
            &rows,
            &index(&["placebo", "acarbose", "metformin"]),
        )
        .unwrap();
        assert_eq!(s.arms, vec![0, 1, 2]);
        assert!((s.cov[(0, 1)] - p).abs() < 1e-15);
        assert!((s.cov[(0, 0)] - (a + p)).abs() < 1e-15);
        assert!((s.y[0] - -1.0).abs() < 1e-12 && (s.y[1] - -1.2).abs() < 1e-12);
        assert!(s.reconciliation < 1e-20);
        assert!((s.pair_variance(1, 2, 0.0) - (m + a)).abs() < 1e-15);
        assert!((s.effect(2, 1) - -0.2).abs() < 1e-12);
    }

    // Inconsistent contrasts are made consistent; consistent ones stay as they are.
    #[test]
    fn inconsistent_multi_arm_contrasts_are_reconciled() {
        let rows = vec![
            row("T", "b", "a", -0.30, 0.04),
            row("T", "c", "a", -0.50, 0.05),
            row("T", "c", "b", -0.10, 0.045),
        ];
        let raw = group_studies(&rows).unwrap();
        let s = build_study(&raw[0], &rows, &index(&["a", "b", "c"])).unwrap();
        // the reconciled c-b equals c-a minus b-a by construction
        assert!((s.effect(2, 1) - (s.y[1] - s.y[0])).abs() < 1e-15);
        assert!(s.reconciliation > 0.0);
        // between the reported values
        assert!(s.y[0] < -0.30 && s.y[0] > -0.45, "{:?}", s.y);
    }

    #[test]
    fn incomplete_or_repeated_multi_arm_rows_are_errors() {
        let rows = vec![
            row("T", "b", "a", -0.3, 0.04),
            row("T", "c", "a", -0.5, 0.05),
        ];
        let e = group_studies(&rows).unwrap_err().to_string();
        assert!(e.contains("missing: b vs c"), "{e}");
        let rows = vec![
            row("T", "b", "a", -0.3, 0.04),
            row("T", "a", "b", 0.3, 0.04),
        ];
        let e = group_studies(&rows).unwrap_err().to_string();
        assert!(e.contains("given twice"), "{e}");
        let rows = vec![row("T", "b", "a", -0.3, 0.0)];
        assert!(group_studies(&rows).is_err());
    }

    #[test]
    fn reduced_weights_of_two_arms_are_inverse_variances() {
        let v = DMatrix::from_row_slice(2, 2, &[0.0, 0.25, 0.25, 0.0]);
        let w = reduced_weights(&v).unwrap();
        assert!((w[(0, 1)] - 4.0).abs() < 1e-12);
    }
}
