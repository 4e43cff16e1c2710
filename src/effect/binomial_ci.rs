//! Confidence intervals for one study's proportion x/n, shown in tables and forest plots.
//! These do not enter the pooling, which uses the transformed effect sizes.

use crate::dist::{qbeta, z_crit};
use crate::settings::StudyCi;

/// Interval for `x` events out of `n > 0` at confidence `level`.
///
/// # Formula
/// - Clopper & Pearson (1934), Biometrika 26:404–413: Beta(α/2; x, n−x+1) and
///   Beta(1−α/2; x+1, n−x), with 0 at x = 0 and 1 at x = n.
/// - Wilson (1927), JASA 22:209–212: (x + z²/2)/(n + z²) ± z√n/(n + z²)·√(p̂(1−p̂) + z²/(4n)).
/// - Agresti & Coull (1998), Am Stat 52:119–126: ñ = n + z², p̃ = (x + z²/2)/ñ,
///   p̃ ± z√(p̃(1−p̃)/ñ), clipped to [0, 1].
/// - Jeffreys (Brown, Cai & DasGupta 2001, Stat Sci 16:101–133): Beta(α/2; x+½, n−x+½) and
///   Beta(1−α/2; x+½, n−x+½), with 0 at x = 0 and 1 at x = n.
/// - Wald: p̂ ± z√(p̂(1−p̂)/n), clipped to [0, 1].
///
/// Returns `None` if `n = 0` or `x > n`.
pub fn proportion_ci(x: u64, n: u64, level: f64, method: StudyCi) -> Option<(f64, f64)> {
    if n == 0 || x > n {
        return None;
    }
    let (xf, nf) = (x as f64, n as f64);
    let p = xf / nf;
    let alpha = 1.0 - level;
    let z = z_crit(level);
    let clip = |lo: f64, hi: f64| (lo.max(0.0), hi.min(1.0));
    let ci = match method {
        StudyCi::ClopperPearson => {
            let lo = if x == 0 {
                0.0
            } else {
                qbeta(alpha / 2.0, xf, nf - xf + 1.0)?
            };
            let hi = if x == n {
                1.0
            } else {
                qbeta(1.0 - alpha / 2.0, xf + 1.0, nf - xf)?
            };
            (lo, hi)
        }
        StudyCi::Jeffreys => {
            let lo = if x == 0 {
                0.0
            } else {
                qbeta(alpha / 2.0, xf + 0.5, nf - xf + 0.5)?
            };
            let hi = if x == n {
                1.0
            } else {
                qbeta(1.0 - alpha / 2.0, xf + 0.5, nf - xf + 0.5)?
            };
            (lo, hi)
        }
        StudyCi::Wilson => {
            let z2 = z * z;
            let centre = (xf + z2 / 2.0) / (nf + z2);
            let half = z * nf.sqrt() / (nf + z2) * (p * (1.0 - p) + z2 / (4.0 * nf)).sqrt();
            clip(centre - half, centre + half)
        }
        StudyCi::AgrestiCoull => {
            let nt = nf + z * z;
            let pt = (xf + z * z / 2.0) / nt;
            let half = z * (pt * (1.0 - pt) / nt).sqrt();
            clip(pt - half, pt + half)
        }
        StudyCi::Wald => {
            let half = z * (p * (1.0 - p) / nf).sqrt();
            clip(p - half, p + half)
        }
    };
    Some(ci)
}
