//! Critical values cached per confidence level and degrees of freedom, so that a batch of fits
//! computes each quantile once.

use super::heterogeneity;
use crate::dist;
use crate::settings::Level;

/// Critical values of one confidence level, cached by degrees of freedom.
///
/// A normal, t or χ² quantile costs about a microsecond (a statrs inverse CDF polished by Newton
/// steps, see [`crate::dist`]), several times the cost of a whole REML fit at k = 10. They depend
/// only on the level and the degrees of freedom, so a batch of fits computes each once. Values
/// are computed by the same functions as a fresh fit would use, so a workspace changes the
/// speed, never the numbers. One workspace serves one thread; the batch engine keeps one per
/// thread.
#[derive(Debug, Clone)]
pub struct FitWorkspace {
    level: f64,
    pub(super) z: f64,
    by_df: Vec<DfQuantiles>,
    /// Whether fits compute the Q-profile interval for τ² (the costliest part of a fit).
    pub(super) tau2_interval: bool,
    /// Where ML and REML start ([`super::tau2::IterControl::start`]).
    pub(super) tau2_start: Option<f64>,
}

/// Quantiles for one df, each computed on first use (`None` = not yet computed).
#[derive(Debug, Clone, Copy, Default)]
struct DfQuantiles {
    t: Option<Option<f64>>,
    q_profile: Option<Option<(f64, f64)>>,
}

/// Degrees of freedom below which quantiles are cached. Beyond it a fit costs O(k) ≫ 1 µs, so
/// caching would save nothing and only hold memory.
const CACHED_DF: usize = 1024;

impl FitWorkspace {
    /// An empty workspace for intervals at `level`.
    pub fn new(level: Level) -> Self {
        FitWorkspace {
            level: level.get(),
            z: dist::z_crit(level.get()),
            by_df: Vec::new(),
            tau2_interval: true,
            tau2_start: None,
        }
    }

    /// A workspace whose fits leave out the Q-profile interval for τ² (reported as null): the
    /// refits of leave-one-out and cumulative meta-analysis report τ² but not its interval, and
    /// the interval's root searches would cost more than the rest of each refit.
    pub fn without_tau2_interval(level: Level) -> Self {
        FitWorkspace {
            tau2_interval: false,
            ..FitWorkspace::new(level)
        }
    }

    /// Starts the ML and REML iterations of the next fits at `tau2` (`None`: at the
    /// DerSimonian–Laird estimate). For refits of a model to subsets of its studies, whose τ²
    /// is close to the model's: the estimate is the same, reached in fewer steps.
    pub fn warm_start(&mut self, tau2: Option<f64>) {
        self.tau2_start = tau2;
    }

    /// Makes the workspace serve `level`, dropping the cache of another level.
    pub(super) fn use_level(&mut self, level: f64) {
        if self.level != level {
            self.level = level;
            self.z = dist::z_crit(level);
            self.by_df.clear();
        }
    }

    fn slot(&mut self, df: usize) -> Option<&mut DfQuantiles> {
        if df >= CACHED_DF {
            return None;
        }
        if self.by_df.len() <= df {
            self.by_df.resize(df + 1, DfQuantiles::default());
        }
        Some(&mut self.by_df[df])
    }

    /// Two-sided t critical value with `df` degrees of freedom.
    pub(super) fn t_crit(&mut self, df: usize) -> Option<f64> {
        let level = self.level;
        let compute = || dist::t_crit(level, df as f64);
        match self.slot(df) {
            Some(q) => *q.t.get_or_insert_with(compute),
            None => compute(),
        }
    }

    /// Targets of the Q-profile equations for `df`.
    pub(super) fn q_profile_targets(&mut self, df: usize) -> Option<(f64, f64)> {
        let level = self.level;
        let compute = || heterogeneity::q_profile_targets(level, df);
        match self.slot(df) {
            Some(q) => *q.q_profile.get_or_insert_with(compute),
            None => compute(),
        }
    }
}
