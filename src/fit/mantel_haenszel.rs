//! Common-effect pooling of 2×2 tables without per-study variances: Mantel–Haenszel (risk
//! ratio, odds ratio, risk difference) and Peto's odds ratio, as metafor `rma.mh` and
//! `rma.peto`.

use crate::dist;
use crate::effect::two_arm::{TwoArmMeasure, TwoByTwo};

/// A common-effect estimate on the analysis scale (log for ratios).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TableFit {
    /// Estimate.
    pub yi: f64,
    /// Standard error.
    pub se: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Wald z.
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
}

fn wald(yi: f64, se: f64, level: f64) -> Option<TableFit> {
    if !(yi.is_finite() && se.is_finite() && se > 0.0) {
        return None;
    }
    let z = dist::z_crit(level);
    Some(TableFit {
        yi,
        se,
        lower: yi - z * se,
        upper: yi + z * se,
        z: yi / se,
        p: dist::p_two_sided_normal(yi / se),
    })
}

/// Mantel–Haenszel estimate over `tables` (raw counts; a correction, if wanted, is applied by
/// the caller). Returns `None` when the estimate is undefined (e.g. every table lacks events).
///
/// # Formula
/// With Nᵢ the table total:
/// - OR (Mantel & Haenszel 1959): ψ = Σ aᵢdᵢ/Nᵢ / Σ bᵢcᵢ/Nᵢ; Var ln ψ by Robins, Breslow &
///   Greenland (1986): Σ PᵢRᵢ/(2R²) + Σ (PᵢSᵢ + QᵢRᵢ)/(2RS) + Σ QᵢSᵢ/(2S²), Rᵢ = aᵢdᵢ/Nᵢ,
///   Sᵢ = bᵢcᵢ/Nᵢ, Pᵢ = (aᵢ+dᵢ)/Nᵢ, Qᵢ = (bᵢ+cᵢ)/Nᵢ, R = ΣRᵢ, S = ΣSᵢ.
/// - RR (Nurminen 1981; variance Greenland & Robins 1985): ψ = Σ aᵢn₂ᵢ/Nᵢ / Σ cᵢn₁ᵢ/Nᵢ;
///   Var ln ψ = Σ (n₁ᵢn₂ᵢ(aᵢ+cᵢ) − aᵢcᵢNᵢ)/Nᵢ² / (Σ aᵢn₂ᵢ/Nᵢ · Σ cᵢn₁ᵢ/Nᵢ).
/// - RD (Greenland & Robins 1985; variance Sato, Greenland & Robins 1989):
///   δ = Σ (aᵢn₂ᵢ − cᵢn₁ᵢ)/Nᵢ / Σ n₁ᵢn₂ᵢ/Nᵢ;
///   Var δ = (δ·ΣPᵢ + ΣQᵢ)/(Σ n₁ᵢn₂ᵢ/Nᵢ)², Pᵢ = (n₁ᵢ²cᵢ − n₂ᵢ²aᵢ + n₁ᵢn₂ᵢ(n₂ᵢ−n₁ᵢ)/2)/Nᵢ²,
///   Qᵢ = (aᵢ(n₂ᵢ−cᵢ) + cᵢ(n₁ᵢ−aᵢ))/(2Nᵢ).
pub fn mantel_haenszel(
    tables: &[TwoByTwo],
    measure: TwoArmMeasure,
    level: f64,
) -> Option<TableFit> {
    match measure {
        TwoArmMeasure::Or => {
            let (mut r, mut s) = (0.0, 0.0);
            let (mut pr, mut ps_qr, mut qs) = (0.0, 0.0, 0.0);
            for t in tables {
                let n = t.n();
                let (ri, si) = (t.a * t.d / n, t.b * t.c / n);
                let (pi, qi) = ((t.a + t.d) / n, (t.b + t.c) / n);
                r += ri;
                s += si;
                pr += pi * ri;
                ps_qr += pi * si + qi * ri;
                qs += qi * si;
            }
            let var = pr / (2.0 * r * r) + ps_qr / (2.0 * r * s) + qs / (2.0 * s * s);
            wald((r / s).ln(), var.sqrt(), level)
        }
        TwoArmMeasure::Rr => {
            let (mut r, mut s, mut p) = (0.0, 0.0, 0.0);
            for t in tables {
                let (n, n1, n2) = (t.n(), t.n1(), t.n2());
                r += t.a * n2 / n;
                s += t.c * n1 / n;
                p += (n1 * n2 * (t.a + t.c) - t.a * t.c * n) / (n * n);
            }
            wald((r / s).ln(), (p / (r * s)).sqrt(), level)
        }
        TwoArmMeasure::Rd => {
            let (mut num, mut w, mut sp, mut sq) = (0.0, 0.0, 0.0, 0.0);
            for t in tables {
                let (n, n1, n2) = (t.n(), t.n1(), t.n2());
                num += (t.a * n2 - t.c * n1) / n;
                w += n1 * n2 / n;
                sp += (n1 * n1 * t.c - n2 * n2 * t.a + n1 * n2 * (n2 - n1) / 2.0) / (n * n);
                sq += (t.a * (n2 - t.c) + t.c * (n1 - t.a)) / (2.0 * n);
            }
            let rd = num / w;
            wald(rd, ((rd * sp + sq) / (w * w)).sqrt(), level)
        }
    }
}

/// Mantel–Haenszel weights in percent (metafor `weights.rma.mh`): bᵢcᵢ/Nᵢ (OR), cᵢn₁ᵢ/Nᵢ (RR),
/// n₁ᵢn₂ᵢ/Nᵢ (RD).
pub fn mantel_haenszel_weights(tables: &[TwoByTwo], measure: TwoArmMeasure) -> Vec<f64> {
    let w: Vec<f64> = tables
        .iter()
        .map(|t| match measure {
            TwoArmMeasure::Or => t.b * t.c / t.n(),
            TwoArmMeasure::Rr => t.c * t.n1() / t.n(),
            TwoArmMeasure::Rd => t.n1() * t.n2() / t.n(),
        })
        .collect();
    let total: f64 = w.iter().sum();
    w.iter().map(|x| 100.0 * x / total).collect()
}

/// Peto's one-step odds ratio: Yusuf, Peto, Lewis, Collins & Sleight (1985), Prog Cardiovasc Dis
/// 27:335–371.
///
/// # Formula
/// Oᵢ = aᵢ, Eᵢ = n₁ᵢ(aᵢ+cᵢ)/Nᵢ, Vᵢ = n₁ᵢn₂ᵢ(aᵢ+cᵢ)(bᵢ+dᵢ)/(Nᵢ²(Nᵢ−1));
/// ln OR = Σ(Oᵢ−Eᵢ)/ΣVᵢ, Var = 1/ΣVᵢ. Also returns Q = Σ(Oᵢ−Eᵢ)²/Vᵢ − (Σ(Oᵢ−Eᵢ))²/ΣVᵢ
/// over the tables with Vᵢ > 0, and their number.
pub fn peto(tables: &[TwoByTwo], level: f64) -> Option<(TableFit, f64, usize)> {
    let (mut oe, mut v, mut q_terms, mut k) = (0.0, 0.0, 0.0, 0);
    for t in tables {
        let (n, n1, n2) = (t.n(), t.n1(), t.n2());
        let vi = n1 * n2 * (t.a + t.c) * (t.b + t.d) / (n * n * (n - 1.0));
        if !(vi > 0.0) {
            continue;
        }
        let oei = t.a - n1 * (t.a + t.c) / n;
        oe += oei;
        v += vi;
        q_terms += oei * oei / vi;
        k += 1;
    }
    let fit = wald(oe / v, (1.0 / v).sqrt(), level)?;
    Some((fit, q_terms - oe * oe / v, k))
}
