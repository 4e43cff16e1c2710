//! Refitting a model to subsets of its studies: the engine of leave-one-out, cumulative
//! meta-analysis and the deleted fits of influence diagnostics.
//!
//! A refit gives the numbers [`Rma::refit_subset`] gives (and so `alkstats pool` on those
//! studies), by one of two paths:
//! - common effect by inverse variance, leaving one study out with the DerSimonian–Laird or
//!   Hedges estimator: the sums over every study downdated ([`super::downdate`]), one pass a
//!   refit;
//! - common effect by inverse variance otherwise: the subset's yᵢ, vᵢ are copied into per-thread
//!   buffers and fitted by [`fit_summary`] without building a model and without the Q-profile
//!   interval of τ², which no method reports per refit and whose root searches would cost more
//!   than the rest of the fit. A refit is then a few O(k) passes for the closed-form τ²
//!   estimators (DL, HE, HS, SJ) and a few more for the iterative ones, so that leave-one-out
//!   over 10⁴ studies is O(k²) arithmetic without allocation;
//! - Mantel–Haenszel and Peto: [`Rma::refit_subset`], whose common effect comes from the
//!   subset's 2×2 tables, as metafor's `leave1out.rma.mh` and `leave1out.rma.peto` refit with
//!   `rma.mh` and `rma.peto`.
//!
//! Refits run on rayon's threads, each into its own slot of the result, so the order of the
//! rows and every number are the same on any number of threads.

use super::downdate::Downdate;
use super::{PooledModel, Progress};
use crate::fit::heterogeneity::Heterogeneity;
use crate::fit::tau2::IterControl;
use crate::fit::{fit_summary, FitSummary, FitWorkspace, Pooled};
use crate::model::{Measure, Rma};
use crate::settings::{CompareMethod, Level};
use rayon::prelude::*;
use serde::Serialize;

/// Which studies a refit is over, as indices into the model's data.
#[derive(Debug, Clone, Copy)]
pub enum Subset<'s> {
    /// Every study of the model but this one (leave-one-out).
    Without(usize),
    /// These studies, in this order (cumulative meta-analysis).
    Only(&'s [usize]),
}

/// Per-thread buffers of the inverse-variance path.
pub struct Scratch {
    ws: FitWorkspace,
    yi: Vec<f64>,
    vi: Vec<f64>,
}

impl Scratch {
    fn new(level: Level) -> Self {
        Scratch {
            ws: FitWorkspace::without_tau2_interval(level),
            yi: Vec::new(),
            vi: Vec::new(),
        }
    }
}

/// One refit, as the methods report it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refit {
    /// Studies in the refit.
    pub k: usize,
    /// The estimate of the chosen model.
    pub pooled: Pooled,
    /// Heterogeneity as the model reports it (Q about the chosen common-effect estimate);
    /// `None` for one study.
    pub heterogeneity: Option<Heterogeneity>,
    /// τ² of the random-effects part (0 for one study).
    pub tau2: f64,
    /// The n that Freeman–Tukey values of this refit are back-transformed with.
    pub n_back: f64,
    /// Whether the τ² estimator converged.
    pub converged: bool,
}

/// The refits of one model: which path, and the studies a method leaves out or adds.
pub struct Refits<'a> {
    model: &'a Rma,
    choice: PooledModel,
    /// The sums that leave-one-out fits of DL and HE downdate.
    downdate: Option<Downdate>,
}

impl<'a> Refits<'a> {
    /// Refits of `model`, reporting the estimate of `choice`.
    pub fn new(model: &'a Rma, choice: PooledModel) -> Self {
        Refits {
            model,
            choice,
            downdate: Downdate::new(model),
        }
    }

    /// The model.
    pub fn model(&self) -> &'a Rma {
        self.model
    }

    /// Whether the model is refitted from its counts: a common effect from 2×2 tables
    /// (Mantel–Haenszel, Peto) or a GLMM, refitted through [`Rma::refit_subset`].
    pub fn table_based(&self) -> bool {
        self.model.settings().common != CompareMethod::Iv || self.model.settings().glmm.is_some()
    }

    /// The studies a method leaves out or adds one at a time (indices into the data): those in
    /// the fit, or with a table-based common effect every study, for a double-zero table counts
    /// in Mantel–Haenszel and Peto estimates without having an effect size of its own.
    pub fn units(&self) -> Vec<usize> {
        if self.table_based() {
            (0..self.model.data().len()).collect()
        } else {
            self.model.fitted().to_vec()
        }
    }

    /// Copies the subset's effects into the buffers; returns the harmonic mean of their n
    /// (NaN when a study has none), summed in the order [`Rma::fit`] sums it.
    fn gather(&self, subset: Subset<'_>, s: &mut Scratch) -> f64 {
        s.yi.clear();
        s.vi.clear();
        let studies = &self.model.data().studies;
        let (mut inv_n, mut all_n) = (0.0, true);
        let mut push = |i: usize| {
            if let Some((y, v)) = studies[i].effect {
                s.yi.push(y);
                s.vi.push(v);
                match studies[i].n {
                    Some(n) => inv_n += 1.0 / n as f64,
                    None => all_n = false,
                }
            }
        };
        match subset {
            Subset::Without(left_out) => self
                .model
                .fitted()
                .iter()
                .filter(|&&i| i != left_out)
                .for_each(|&i| push(i)),
            Subset::Only(indices) => indices.iter().for_each(|&i| push(i)),
        }
        if all_n {
            s.yi.len() as f64 / inv_n
        } else {
            f64::NAN
        }
    }

    /// The inverse-variance fit of a subset (the common and random estimates, τ², Q) with the
    /// n of its back-transformation; `None` when the subset has no study with an effect.
    pub fn inverse_variance(
        &self,
        subset: Subset<'_>,
        s: &mut Scratch,
    ) -> Option<(FitSummary, f64)> {
        if let (Subset::Without(i), Some(d)) = (subset, &self.downdate) {
            let j = self.model.fitted().binary_search(&i).ok()?;
            return Some(d.without(j, &mut s.ws));
        }
        let n_back = self.gather(subset, s);
        // The model validated every effect and variance; only an empty subset fails.
        let summary = fit_summary(&s.yi, &s.vi, &self.model.settings().fit, &mut s.ws).ok()?;
        Some((summary, n_back))
    }

    /// Refits the model to `subset`.
    ///
    /// # Errors
    /// Why the subset cannot be fitted, in words: no study with an effect, or a table-based
    /// estimate that the subset's tables do not define.
    pub fn refit(&self, subset: Subset<'_>, s: &mut Scratch) -> Result<Refit, String> {
        if self.table_based() {
            return self.refit_tables(subset);
        }
        let (f, n_back) = self
            .inverse_variance(subset, s)
            .ok_or_else(|| "no study with an effect size is left".to_string())?;
        Ok(Refit {
            k: f.k,
            pooled: match self.choice {
                PooledModel::Random => f.random,
                PooledModel::Common => f.common,
            },
            heterogeneity: f.heterogeneity,
            tau2: f.tau2,
            n_back,
            converged: !f.notes.tau2_not_converged,
        })
    }

    fn refit_tables(&self, subset: Subset<'_>) -> Result<Refit, String> {
        let indices: Vec<usize> = match subset {
            Subset::Without(left_out) => (0..self.model.data().len())
                .filter(|&i| i != left_out)
                .collect(),
            Subset::Only(indices) => indices.to_vec(),
        };
        let r = self
            .model
            .refit_subset(&indices)
            .map_err(|e| e.to_string())?;
        Ok(Refit {
            k: r.k(),
            pooled: *match self.choice {
                PooledModel::Random => r.random(),
                PooledModel::Common => r.common(),
            },
            heterogeneity: r.heterogeneity().copied(),
            tau2: r.tau2(),
            n_back: r.n_back(),
            // An estimator that used every iteration it was allowed stopped without converging.
            converged: r.inverse_variance_fit().tau2_iterations < IterControl::default().max_iter,
        })
    }

    /// Runs `one(i, scratch)` for i in 0..n on rayon's threads, in order, ticking `progress`.
    pub fn run<T: Send>(
        &self,
        n: usize,
        progress: &dyn Progress,
        one: impl Fn(usize, &mut Scratch) -> T + Sync,
    ) -> Vec<T> {
        let level = self.model.settings().fit.level;
        // Refits to subsets start ML/REML at the model's own τ², near their maximum.
        let start = Some(self.model.tau2());
        (0..n)
            .into_par_iter()
            .map_init(
                || {
                    let mut s = Scratch::new(level);
                    s.ws.warm_start(start);
                    s
                },
                |s, i| {
                    let out = one(i, s);
                    progress.tick();
                    out
                },
            )
            .collect()
    }
}

/// A pooled result on both scales with its heterogeneity: a row of a leave-one-out or
/// cumulative table, or the full model it is read against. A value that cannot be computed
/// (a failed refit, heterogeneity of one study) is null.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledRow {
    /// Studies in the fit.
    pub k: usize,
    /// Estimate on the analysis scale.
    pub yi: Option<f64>,
    /// Its standard error (Hartung–Knapp-scaled where chosen).
    pub se: Option<f64>,
    /// Lower confidence bound on the analysis scale.
    pub lower_yi: Option<f64>,
    /// Upper confidence bound on the analysis scale.
    pub upper_yi: Option<f64>,
    /// z or t statistic.
    pub stat: Option<f64>,
    /// Degrees of freedom of t; null for z.
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p: Option<f64>,
    /// Estimate on the displayed scale (back-transformed).
    pub estimate: Option<f64>,
    /// Lower bound on the displayed scale.
    pub lower: Option<f64>,
    /// Upper bound on the displayed scale.
    pub upper: Option<f64>,
    /// Cochran's Q (about the chosen common-effect estimate; Peto's Q for Peto).
    pub q: Option<f64>,
    /// Its degrees of freedom.
    pub q_df: Option<f64>,
    /// p-value of Q.
    pub q_p: Option<f64>,
    /// τ² of the chosen estimator.
    pub tau2: Option<f64>,
    /// Q-based I² in percent, max(0, (Q − df)/Q)·100.
    pub i2: Option<f64>,
    /// τ²-based I² in percent (metafor's `I2`), 100·τ²/(τ² + s²).
    pub i2_tau: Option<f64>,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

impl PooledRow {
    /// The row of `pooled` and `heterogeneity` over `k` studies, back-transformed by `back`.
    pub fn new(
        k: usize,
        pooled: &Pooled,
        heterogeneity: Option<&Heterogeneity>,
        back: impl Fn(f64) -> Option<f64>,
    ) -> Self {
        let h = heterogeneity;
        PooledRow {
            k,
            yi: finite(pooled.yi),
            se: finite(pooled.se),
            lower_yi: finite(pooled.lower),
            upper_yi: finite(pooled.upper),
            stat: finite(pooled.stat),
            df: pooled.df,
            p: pooled.p,
            estimate: back(pooled.yi),
            lower: back(pooled.lower),
            upper: back(pooled.upper),
            q: h.and_then(|h| finite(h.q)),
            q_df: h.map(|h| h.df),
            q_p: h.and_then(|h| h.p),
            tau2: h.and_then(|h| finite(h.tau2)),
            i2: h.and_then(|h| finite(h.i2)),
            i2_tau: h.and_then(|h| finite(h.i2_tau)),
        }
    }

    /// The full model's row for `choice`.
    pub fn of_model(model: &Rma, choice: PooledModel) -> Self {
        let pooled = match choice {
            PooledModel::Random => model.random(),
            PooledModel::Common => model.common(),
        };
        PooledRow::new(model.k(), pooled, model.heterogeneity(), |y| model.back(y))
    }

    /// The row of a refit of a model of `measure`.
    pub fn of_refit(r: &Refit, measure: Measure) -> Self {
        PooledRow::new(r.k, &r.pooled, r.heterogeneity.as_ref(), |y| {
            measure.back(y, r.n_back)
        })
    }

    /// A refit of `k` studies that failed: every value null.
    pub fn failed(k: usize) -> Self {
        PooledRow {
            k,
            yi: None,
            se: None,
            lower_yi: None,
            upper_yi: None,
            stat: None,
            df: None,
            p: None,
            estimate: None,
            lower: None,
            upper: None,
            q: None,
            q_df: None,
            q_p: None,
            tau2: None,
            i2: None,
            i2_tau: None,
        }
    }
}

/// One study and the refit without it (leave-one-out) or up to and including it (cumulative).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefitRow {
    /// The study left out, or added.
    pub study: String,
    /// Its line in the input file.
    pub line: u64,
    /// Its index in the model's data (for plots and merged tables; not in the JSON).
    #[serde(skip)]
    pub index: usize,
    /// The refit.
    #[serde(flatten)]
    pub fit: PooledRow,
}

impl RefitRow {
    /// The row of study `index` of `model` with `result`; a failed refit of `k` studies gives
    /// nulls and a warning in `warnings`, as does a τ² estimator that did not converge.
    pub fn new(
        model: &Rma,
        index: usize,
        k: usize,
        what: &str,
        result: Result<Refit, String>,
        warnings: &mut Vec<String>,
    ) -> Self {
        let study = &model.data().studies[index];
        let fit = match result {
            Ok(r) => {
                if !r.converged {
                    warnings.push(format!(
                        "{what} '{}': the {} estimator of τ² did not converge; its last iterate is \
                         used",
                        study.label,
                        model.settings().fit.method_tau
                    ));
                }
                PooledRow::of_refit(&r, model.measure())
            }
            Err(e) => {
                warnings.push(format!(
                    "{what} '{}' (line {}): the model cannot be refitted ({e}); its row is null",
                    study.label, study.line
                ));
                PooledRow::failed(k)
            }
        };
        RefitRow {
            study: study.label.clone(),
            line: study.line,
            index,
            fit,
        }
    }
}
