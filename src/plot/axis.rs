//! Axes: mapping data to page positions on a linear or log scale, and choosing readable tick
//! marks ("nice" steps of 1, 2, 2.5, 5 × 10ᵏ on a linear axis; 1–2–5 or 1–1.5–2–3–5–7 series on
//! a log axis) that leave room for their labels.

/// A data range mapped onto a horizontal or vertical span of the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Data value at `from`.
    pub lo: f64,
    /// Data value at `to`.
    pub hi: f64,
    /// Logarithmic.
    pub log: bool,
    /// Page coordinate of `lo`.
    pub from: f64,
    /// Page coordinate of `hi`.
    pub to: f64,
}

impl Scale {
    fn t(&self, v: f64) -> f64 {
        if self.log {
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    /// Page coordinate of a data value (unclamped).
    pub fn map(&self, v: f64) -> f64 {
        self.from + self.t(v) * (self.to - self.from)
    }

    /// Whether `v` lies within the range (inclusive, with a small tolerance).
    pub fn contains(&self, v: f64) -> bool {
        let t = self.t(v);
        (-1e-9..=1.0 + 1e-9).contains(&t)
    }
}

/// Formats a tick value with as few decimals as it needs ("0.5", "1", "2.5", "100").
pub fn fmt_tick(v: f64) -> String {
    let s = if v.abs() >= 1e-6 && v.abs() < 1e7 {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else if v == 0.0 {
        "0".to_string()
    } else {
        format!("{v:e}")
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

fn nice_step(raw: f64) -> f64 {
    let mag = 10f64.powf(raw.log10().floor());
    let m = raw / mag;
    let nice = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn linear_candidates(lo: f64, hi: f64, expand: bool) -> Vec<(f64, f64, Vec<f64>)> {
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    let mut out: Vec<(f64, f64, Vec<f64>)> = Vec::new();
    for target in [8.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0] {
        let step = nice_step(span / target);
        let (a, b) = if expand {
            (
                (lo / step + 1e-9).floor() * step,
                (hi / step - 1e-9).ceil() * step,
            )
        } else {
            (lo, hi)
        };
        let first = (a / step - 1e-9).ceil() as i64;
        let last = (b / step + 1e-9).floor() as i64;
        let ticks: Vec<f64> = (first..=last)
            .map(|i| i as f64 * step)
            .map(|v| (v / step).round() * step)
            .collect();
        if out.last().is_none_or(|o| o.2 != ticks) {
            out.push((
                if expand { a } else { lo },
                if expand { b } else { hi },
                ticks,
            ));
        }
    }
    out
}

fn log_series(lo: f64, hi: f64, mantissas: &[f64], every: i32) -> Vec<f64> {
    let (e0, e1) = (lo.log10().floor() as i32 - 1, hi.log10().ceil() as i32 + 1);
    let mut v = Vec::new();
    for e in e0..=e1 {
        if e.rem_euclid(every) != 0 {
            continue;
        }
        for m in mantissas {
            v.push(m * 10f64.powi(e));
        }
    }
    v
}

fn log_candidates(lo: f64, hi: f64, expand: bool) -> Vec<(f64, f64, Vec<f64>)> {
    let series: [(&[f64], i32); 5] = [
        (&[1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0], 1),
        (&[1.0, 1.5, 2.0, 3.0, 5.0, 7.0], 1),
        (&[1.0, 2.0, 5.0], 1),
        (&[1.0], 1),
        (&[1.0], 2),
    ];
    let mut out = Vec::new();
    for (m, every) in series {
        let all = log_series(lo, hi, m, every);
        let (a, b) = if expand {
            let a = all
                .iter()
                .copied()
                .filter(|&t| t <= lo * (1.0 + 1e-9))
                .fold(f64::NAN, f64::max);
            let b = all
                .iter()
                .copied()
                .filter(|&t| t >= hi * (1.0 - 1e-9))
                .fold(f64::NAN, f64::min);
            (
                if a.is_nan() { lo } else { a },
                if b.is_nan() { hi } else { b },
            )
        } else {
            (lo, hi)
        };
        let ticks: Vec<f64> = all
            .into_iter()
            .filter(|&t| t >= a * (1.0 - 1e-9) && t <= b * (1.0 + 1e-9))
            .collect();
        // Too many ticks for a finer series to be worth trying: the coarser ones follow.
        if ticks.len() <= 12 {
            out.push((a, b, ticks));
        }
    }
    out
}

/// Chooses a range and ticks for data spanning `lo..hi`.
///
/// With `expand`, the range grows outward to the nearest ticks (a default axis); without, it is
/// kept as given (a user's `--xlim`). Candidates go from dense to sparse; the first whose
/// labels `fit` (and that has at least two ticks where possible) is taken.
pub fn choose_ticks(
    lo: f64,
    hi: f64,
    log: bool,
    expand: bool,
    fit: impl Fn(&Scale, &[f64]) -> bool,
) -> (Scale, Vec<f64>) {
    let candidates = if log {
        log_candidates(lo, hi, expand)
    } else {
        linear_candidates(lo, hi, expand)
    };
    let mut fallback = None;
    for (a, b, ticks) in candidates {
        let scale = Scale {
            lo: a,
            hi: b,
            log,
            from: 0.0,
            to: 1.0,
        };
        if ticks.len() >= 2 && fit(&scale, &ticks) {
            return (scale, ticks);
        }
        fallback = Some((scale, ticks));
    }
    fallback.unwrap_or((
        Scale {
            lo,
            hi,
            log,
            from: 0.0,
            to: 1.0,
        },
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_on_a_proportion_range_are_tenths_or_fifths() {
        let (s, t) = choose_ticks(0.13, 0.98, false, true, |_, t| t.len() <= 6);
        assert_eq!((s.lo, s.hi), (0.0, 1.0));
        assert_eq!(
            t.iter().map(|&v| fmt_tick(v)).collect::<Vec<_>>(),
            ["0", "0.2", "0.4", "0.6", "0.8", "1"]
        );
    }

    #[test]
    fn log_ticks_on_hazard_ratios_read_as_round_numbers() {
        let (s, t) = choose_ticks(0.22, 1.3, true, true, |_, t| t.len() <= 7);
        let labels: Vec<String> = t.iter().map(|&v| fmt_tick(v)).collect();
        assert_eq!(labels, ["0.2", "0.3", "0.5", "0.7", "1", "1.5"]);
        assert!((s.lo - 0.2).abs() < 1e-12 && (s.hi - 1.5).abs() < 1e-12);
        let (_, t) = choose_ticks(0.01, 50.0, true, true, |_, t| t.len() <= 6);
        assert_eq!(
            t.iter().map(|&v| fmt_tick(v)).collect::<Vec<_>>(),
            ["0.01", "0.1", "1", "10", "100"]
        );
    }

    #[test]
    fn a_range_starting_at_zero_does_not_grow_below_zero() {
        let (s, t) = choose_ticks(0.0, 0.58, false, true, |_, t| t.len() <= 6);
        assert_eq!(s.lo, 0.0);
        assert_eq!(t.first().copied(), Some(0.0));
        assert!((s.hi - 0.6).abs() < 1e-12, "{s:?}");
    }

    #[test]
    fn a_user_range_is_kept_and_ticks_stay_inside_it() {
        let (s, t) = choose_ticks(0.3, 0.9, false, false, |_, _| true);
        assert_eq!((s.lo, s.hi), (0.3, 0.9));
        assert!(t.iter().all(|&v| (0.3 - 1e-12..=0.9 + 1e-12).contains(&v)));
    }

    #[test]
    fn scale_maps_log_values_proportionally() {
        let s = Scale {
            lo: 0.1,
            hi: 10.0,
            log: true,
            from: 0.0,
            to: 200.0,
        };
        assert!((s.map(1.0) - 100.0).abs() < 1e-9);
        assert!(s.contains(5.0) && !s.contains(20.0));
    }
}
