//! Two-arm binary outcomes (responders in a treatment and a comparator arm of one trial): the
//! 2×2 table and the risk ratio, odds ratio and risk difference with their variances.

use std::fmt;
use std::str::FromStr;

/// A 2×2 table: `a` responders of `n1` on treatment, `c` of `n2` on the comparator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoByTwo {
    /// Treatment responders.
    pub a: f64,
    /// Treatment non-responders.
    pub b: f64,
    /// Comparator responders.
    pub c: f64,
    /// Comparator non-responders.
    pub d: f64,
}

impl TwoByTwo {
    /// From responders and arm sizes.
    pub fn new(a: u64, n1: u64, c: u64, n2: u64) -> Self {
        TwoByTwo {
            a: a as f64,
            b: (n1 - a) as f64,
            c: c as f64,
            d: (n2 - c) as f64,
        }
    }
    /// Treatment arm size.
    pub fn n1(&self) -> f64 {
        self.a + self.b
    }
    /// Comparator arm size.
    pub fn n2(&self) -> f64 {
        self.c + self.d
    }
    /// Total.
    pub fn n(&self) -> f64 {
        self.n1() + self.n2()
    }
    /// Whether any cell is zero.
    pub fn has_zero_cell(&self) -> bool {
        self.a == 0.0 || self.b == 0.0 || self.c == 0.0 || self.d == 0.0
    }
    /// No events, or only events, in both arms: no information on a ratio.
    pub fn is_double_zero(&self) -> bool {
        (self.a == 0.0 && self.c == 0.0) || (self.b == 0.0 && self.d == 0.0)
    }
    /// The table with `incr` added to every cell.
    pub fn plus(&self, incr: f64) -> Self {
        TwoByTwo {
            a: self.a + incr,
            b: self.b + incr,
            c: self.c + incr,
            d: self.d + incr,
        }
    }
}

/// Effect measure of a two-arm comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TwoArmMeasure {
    /// Risk ratio (analysed as ln RR).
    Rr,
    /// Odds ratio (analysed as ln OR).
    Or,
    /// Risk difference.
    Rd,
}

impl TwoArmMeasure {
    /// Canonical name.
    pub fn as_str(self) -> &'static str {
        match self {
            TwoArmMeasure::Rr => "RR",
            TwoArmMeasure::Or => "OR",
            TwoArmMeasure::Rd => "RD",
        }
    }
    /// Whether the measure is analysed on the log scale.
    pub fn is_ratio(self) -> bool {
        self != TwoArmMeasure::Rd
    }
}

impl fmt::Display for TwoArmMeasure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TwoArmMeasure {
    type Err = crate::settings::ChoiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "RR" => Ok(TwoArmMeasure::Rr),
            "OR" => Ok(TwoArmMeasure::Or),
            "RD" => Ok(TwoArmMeasure::Rd),
            _ => Err(crate::settings::ChoiceError::new(
                "measure (--measure)",
                s,
                vec!["RR", "OR", "RD"],
            )),
        }
    }
}

/// Study effect and variance (metafor `escalc`, `add = incr, to = "only0", drop00 = TRUE`).
///
/// # Formula
/// ```text
/// RR  y = ln[(a/n1)/(c/n2)]    v = 1/a − 1/n1 + 1/c − 1/n2
/// OR  y = ln[(a d)/(b c)]      v = 1/a + 1/b + 1/c + 1/d
/// RD  y = a/n1 − c/n2          v = (a/n1)(1 − a/n1)/n1 + (c/n2)(1 − c/n2)/n2
/// ```
/// A table with a zero cell gets `incr` added to all four cells (metafor's default
/// `add = 1/2, to = "only0"`, for every measure). Returns `None` for a double-zero table (no
/// events, or only events, in both arms), which carries no information on the comparison and is
/// left out (metafor `drop00 = TRUE`; `meta`'s `allstudies = FALSE`).
pub fn two_arm_effect(t: &TwoByTwo, measure: TwoArmMeasure, incr: f64) -> Option<(f64, f64)> {
    if t.is_double_zero() {
        return None;
    }
    let t = if t.has_zero_cell() && incr > 0.0 {
        t.plus(incr)
    } else {
        *t
    };
    let (n1, n2) = (t.n1(), t.n2());
    let (p1, p2) = (t.a / n1, t.c / n2);
    let e = match measure {
        TwoArmMeasure::Rr => ((p1 / p2).ln(), 1.0 / t.a - 1.0 / n1 + 1.0 / t.c - 1.0 / n2),
        TwoArmMeasure::Or => (
            (t.a * t.d / (t.b * t.c)).ln(),
            1.0 / t.a + 1.0 / t.b + 1.0 / t.c + 1.0 / t.d,
        ),
        TwoArmMeasure::Rd => (p1 - p2, p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2),
    };
    (e.0.is_finite() && e.1.is_finite() && e.1 > 0.0).then_some(e)
}

/// Peto's per-study log odds ratio (metafor `escalc("PETO")`): yᵢ = (Oᵢ − Eᵢ)/Vᵢ, vᵢ = 1/Vᵢ
/// with Oᵢ = aᵢ, Eᵢ = n₁ᵢ(aᵢ+cᵢ)/Nᵢ, Vᵢ = n₁ᵢn₂ᵢ(aᵢ+cᵢ)(bᵢ+dᵢ)/(Nᵢ²(Nᵢ−1)) (Yusuf et al. 1985).
/// Tables with a zero cell get `incr` in every cell; double-zero tables give `None`.
pub fn peto_effect(t: &TwoByTwo, incr: f64) -> Option<(f64, f64)> {
    if t.is_double_zero() {
        return None;
    }
    let t = if t.has_zero_cell() && incr > 0.0 {
        t.plus(incr)
    } else {
        *t
    };
    let (n, n1, n2) = (t.n(), t.n1(), t.n2());
    let v = n1 * n2 * (t.a + t.c) * (t.b + t.d) / (n * n * (n - 1.0));
    let o_e = t.a - n1 * (t.a + t.c) / n;
    (v > 0.0).then(|| (o_e / v, 1.0 / v))
}
