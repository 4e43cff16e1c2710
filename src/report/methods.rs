//! The methods section of a report, written from the typed settings of each analysis (never
//! from the results), with the citation of every method used and a reference list built from
//! exactly those citations. The text is meant to be pasted into a paper.

use super::plan::{AnalysisKind, AnalysisSpec, Plan};
use crate::analysis::compare::CompareMethod;
use crate::analysis::group::Grouping;
use crate::analysis::median_pfs::MedianMethod;
use crate::analysis::report::VERSION;
use crate::effect::two_arm::TwoArmMeasure;
use crate::network::{NetworkModel, SmallValues};
use crate::settings::{
    Endpoint, FitSettings, PredictionMethod, ProportionMeasure, RandomCi, StudyCi, TauMethod,
};
use serde::Serialize;
use std::collections::BTreeSet;

/// A cited work: the in-text citation and the full reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ref {
    AgrestiCoull1998,
    AltmanBland2011,
    Dias2010,
    JacksonWhiteRiley2012,
    KonigKrahnBinder2013,
    KrahnBinderKonig2013,
    Rucker2012,
    RuckerSchwarzer2015,
    Balduzzi2019,
    Berkey1995,
    Borenstein2009,
    BrookmeyerCrowley1982,
    BrownCaiDasGupta2001,
    ClopperPearson1934,
    DerSimonianLaird1986,
    FreemanTukey1950,
    GreenlandRobins1985,
    HardyThompson1996,
    HartungKnapp2001,
    Hedges1983,
    HigginsThompson2002,
    HigginsThompsonSpiegelhalter2009,
    HunterSchmidt2004,
    KnappHartung2003,
    MantelHaenszel1959,
    McGrath2019,
    Miller1978,
    Morris1983,
    PauleMandel1982,
    RobinsBreslowGreenland1986,
    Rover2015,
    SatoGreenlandRobins1989,
    SidikJonkman2002,
    SidikJonkman2005,
    Viechtbauer2005,
    Viechtbauer2007,
    Viechtbauer2010,
    Wilson1927,
    Yusuf1985,
}

impl Ref {
    fn short(self) -> &'static str {
        match self {
            Ref::AgrestiCoull1998 => "Agresti & Coull 1998",
            Ref::AltmanBland2011 => "Altman & Bland 2011",
            Ref::Dias2010 => "Dias et al. 2010",
            Ref::JacksonWhiteRiley2012 => "Jackson, White & Riley 2012",
            Ref::KonigKrahnBinder2013 => "König, Krahn & Binder 2013",
            Ref::KrahnBinderKonig2013 => "Krahn, Binder & König 2013",
            Ref::Rucker2012 => "Rücker 2012",
            Ref::RuckerSchwarzer2015 => "Rücker & Schwarzer 2015",
            Ref::Balduzzi2019 => "Balduzzi et al. 2019",
            Ref::Berkey1995 => "Berkey et al. 1995",
            Ref::Borenstein2009 => "Borenstein et al. 2009",
            Ref::BrookmeyerCrowley1982 => "Brookmeyer & Crowley 1982",
            Ref::BrownCaiDasGupta2001 => "Brown, Cai & DasGupta 2001",
            Ref::ClopperPearson1934 => "Clopper & Pearson 1934",
            Ref::DerSimonianLaird1986 => "DerSimonian & Laird 1986",
            Ref::FreemanTukey1950 => "Freeman & Tukey 1950",
            Ref::GreenlandRobins1985 => "Greenland & Robins 1985",
            Ref::HardyThompson1996 => "Hardy & Thompson 1996",
            Ref::HartungKnapp2001 => "Hartung & Knapp 2001",
            Ref::Hedges1983 => "Hedges 1983",
            Ref::HigginsThompson2002 => "Higgins & Thompson 2002",
            Ref::HigginsThompsonSpiegelhalter2009 => "Higgins, Thompson & Spiegelhalter 2009",
            Ref::HunterSchmidt2004 => "Hunter & Schmidt 2004",
            Ref::KnappHartung2003 => "Knapp & Hartung 2003",
            Ref::MantelHaenszel1959 => "Mantel & Haenszel 1959",
            Ref::McGrath2019 => "McGrath et al. 2019",
            Ref::Miller1978 => "Miller 1978",
            Ref::Morris1983 => "Morris 1983",
            Ref::PauleMandel1982 => "Paule & Mandel 1982",
            Ref::RobinsBreslowGreenland1986 => "Robins, Breslow & Greenland 1986",
            Ref::Rover2015 => "Röver, Knapp & Friede 2015",
            Ref::SatoGreenlandRobins1989 => "Sato, Greenland & Robins 1989",
            Ref::SidikJonkman2002 => "Sidik & Jonkman 2002",
            Ref::SidikJonkman2005 => "Sidik & Jonkman 2005",
            Ref::Viechtbauer2005 => "Viechtbauer 2005",
            Ref::Viechtbauer2007 => "Viechtbauer 2007",
            Ref::Viechtbauer2010 => "Viechtbauer 2010",
            Ref::Wilson1927 => "Wilson 1927",
            Ref::Yusuf1985 => "Yusuf et al. 1985",
        }
    }

    fn full(self) -> &'static str {
        match self {
            Ref::AgrestiCoull1998 => "Agresti A, Coull BA. Approximate is better than \"exact\" for interval estimation of binomial proportions. Am Stat. 1998;52:119–126.",
            Ref::AltmanBland2011 => "Altman DG, Bland JM. How to obtain the confidence interval from a P value. BMJ. 2011;343:d2090.",
            Ref::Dias2010 => "Dias S, Welton NJ, Caldwell DM, Ades AE. Checking consistency in mixed treatment comparison meta-analysis. Stat Med. 2010;29:932–944.",
            Ref::JacksonWhiteRiley2012 => "Jackson D, White IR, Riley RD. Quantifying the impact of between-study heterogeneity in multivariate meta-analyses. Stat Med. 2012;31:3805–3820.",
            Ref::KonigKrahnBinder2013 => "König J, Krahn U, Binder H. Visualizing the flow of evidence in network meta-analysis and characterizing mixed treatment comparisons. Stat Med. 2013;32:5414–5429.",
            Ref::KrahnBinderKonig2013 => "Krahn U, Binder H, König J. A graphical tool for locating inconsistency in network meta-analyses. BMC Med Res Methodol. 2013;13:35.",
            Ref::Rucker2012 => "Rücker G. Network meta-analysis, electrical networks and graph theory. Res Synth Methods. 2012;3:312–324.",
            Ref::RuckerSchwarzer2015 => "Rücker G, Schwarzer G. Ranking treatments in frequentist network meta-analysis works without resampling methods. BMC Med Res Methodol. 2015;15:58.",
            Ref::Balduzzi2019 => "Balduzzi S, Rücker G, Schwarzer G. How to perform a meta-analysis with R: a practical tutorial. Evid Based Ment Health. 2019;22:153–160.",
            Ref::Berkey1995 => "Berkey CS, Hoaglin DC, Mosteller F, Colditz GA. A random-effects regression model for meta-analysis. Stat Med. 1995;14:395–411.",
            Ref::Borenstein2009 => "Borenstein M, Hedges LV, Higgins JPT, Rothstein HR. Introduction to Meta-Analysis. Chichester: Wiley; 2009.",
            Ref::BrookmeyerCrowley1982 => "Brookmeyer R, Crowley J. A confidence interval for the median survival time. Biometrics. 1982;38:29–41.",
            Ref::BrownCaiDasGupta2001 => "Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion. Stat Sci. 2001;16:101–133.",
            Ref::ClopperPearson1934 => "Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the binomial. Biometrika. 1934;26:404–413.",
            Ref::DerSimonianLaird1986 => "DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials. 1986;7:177–188.",
            Ref::FreemanTukey1950 => "Freeman MF, Tukey JW. Transformations related to the angular and the square root. Ann Math Stat. 1950;21:607–611.",
            Ref::GreenlandRobins1985 => "Greenland S, Robins JM. Estimation of a common effect parameter from sparse follow-up data. Biometrics. 1985;41:55–68.",
            Ref::HardyThompson1996 => "Hardy RJ, Thompson SG. A likelihood approach to meta-analysis with random effects. Stat Med. 1996;15:619–629.",
            Ref::HartungKnapp2001 => "Hartung J, Knapp G. A refined method for the meta-analysis of controlled clinical trials with binary outcome. Stat Med. 2001;20:3875–3889.",
            Ref::Hedges1983 => "Hedges LV. A random effects model for effect sizes. Psychol Bull. 1983;93:388–395.",
            Ref::HigginsThompson2002 => "Higgins JPT, Thompson SG. Quantifying heterogeneity in a meta-analysis. Stat Med. 2002;21:1539–1558.",
            Ref::HigginsThompsonSpiegelhalter2009 => "Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of random-effects meta-analysis. J R Stat Soc Ser A. 2009;172:137–159.",
            Ref::HunterSchmidt2004 => "Hunter JE, Schmidt FL. Methods of Meta-Analysis: Correcting Error and Bias in Research Findings. 2nd ed. Thousand Oaks: Sage; 2004.",
            Ref::KnappHartung2003 => "Knapp G, Hartung J. Improved tests for a random effects meta-regression with a single covariate. Stat Med. 2003;22:2693–2710.",
            Ref::MantelHaenszel1959 => "Mantel N, Haenszel W. Statistical aspects of the analysis of data from retrospective studies of disease. J Natl Cancer Inst. 1959;22:719–748.",
            Ref::McGrath2019 => "McGrath S, Zhao X, Qin ZZ, Steele R, Benedetti A. One-sample aggregate data meta-analysis of medians. Stat Med. 2019;38:969–984.",
            Ref::Miller1978 => "Miller JJ. The inverse of the Freeman–Tukey double arcsine transformation. Am Stat. 1978;32:138.",
            Ref::Morris1983 => "Morris CN. Parametric empirical Bayes inference: theory and applications. J Am Stat Assoc. 1983;78:47–55.",
            Ref::PauleMandel1982 => "Paule RC, Mandel J. Consensus values and weighting factors. J Res Natl Bur Stand. 1982;87:377–385.",
            Ref::RobinsBreslowGreenland1986 => "Robins J, Breslow N, Greenland S. Estimators of the Mantel–Haenszel variance consistent in both sparse data and large-strata limiting models. Biometrics. 1986;42:311–323.",
            Ref::Rover2015 => "Röver C, Knapp G, Friede T. Hartung–Knapp–Sidik–Jonkman approach and its modification for random-effects meta-analysis with few studies. BMC Med Res Methodol. 2015;15:99.",
            Ref::SatoGreenlandRobins1989 => "Sato T, Greenland S, Robins JM. On the variance estimator for the Mantel–Haenszel risk difference. Biometrics. 1989;45:1323–1324.",
            Ref::SidikJonkman2002 => "Sidik K, Jonkman JN. A simple confidence interval for meta-analysis. Stat Med. 2002;21:3153–3159.",
            Ref::SidikJonkman2005 => "Sidik K, Jonkman JN. Simple heterogeneity variance estimation for meta-analysis. J R Stat Soc Ser C. 2005;54:367–384.",
            Ref::Viechtbauer2005 => "Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the random-effects model. J Educ Behav Stat. 2005;30:261–293.",
            Ref::Viechtbauer2007 => "Viechtbauer W. Confidence intervals for the amount of heterogeneity in meta-analysis. Stat Med. 2007;26:37–52.",
            Ref::Viechtbauer2010 => "Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw. 2010;36(3):1–48.",
            Ref::Wilson1927 => "Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc. 1927;22:209–212.",
            Ref::Yusuf1985 => "Yusuf S, Peto R, Lewis J, Collins R, Sleight P. Beta blockade during and after myocardial infarction: an overview of the randomized trials. Prog Cardiovasc Dis. 1985;27:335–371.",
        }
    }
}

/// Collects the works cited while the text is written.
#[derive(Default)]
struct Cites(BTreeSet<Ref>);

impl Cites {
    /// "A 2001; B 2002", recording both.
    fn names(&mut self, refs: &[Ref]) -> String {
        let names: Vec<&str> = refs
            .iter()
            .map(|&r| {
                self.0.insert(r);
                r.short()
            })
            .collect();
        names.join("; ")
    }

    /// "(A 2001; B 2002)", recording both.
    fn paren(&mut self, refs: &[Ref]) -> String {
        format!("({})", self.names(refs))
    }
}

/// One paragraph of the methods section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paragraph {
    /// Short heading.
    pub heading: String,
    /// The text, plain (no markup).
    pub text: String,
}

/// The methods section and its references.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Methods {
    /// Paragraphs in order.
    pub paragraphs: Vec<Paragraph>,
    /// Full references of every work cited, alphabetical.
    pub references: Vec<String>,
}

fn pct(level: f64) -> String {
    // 0.95 → "95", 0.975 → "97.5": the shortest decimal that prints the level exactly.
    let p = level * 100.0;
    let rounded = (p * 1e6).round() / 1e6;
    format!("{rounded}")
}

fn tau_text(m: TauMethod, c: &mut Cites) -> String {
    let (what, abbr, refs): (&str, &str, &[Ref]) = match m {
        TauMethod::Reml => (
            "restricted maximum likelihood",
            "REML",
            &[Ref::Viechtbauer2005],
        ),
        TauMethod::Dl => (
            "the method of moments of DerSimonian and Laird",
            "DL",
            &[Ref::DerSimonianLaird1986],
        ),
        TauMethod::Ml => ("maximum likelihood", "ML", &[Ref::HardyThompson1996]),
        TauMethod::Pm => ("the Paule–Mandel estimator", "PM", &[Ref::PauleMandel1982]),
        TauMethod::He => ("the Hedges estimator", "HE", &[Ref::Hedges1983]),
        TauMethod::Sj => (
            "the Sidik–Jonkman estimator",
            "SJ",
            &[Ref::SidikJonkman2005],
        ),
        TauMethod::Eb => (
            "the empirical Bayes estimator",
            "EB",
            &[Ref::Morris1983, Ref::Berkey1995],
        ),
        TauMethod::Hs => (
            "the Hunter–Schmidt estimator",
            "HS",
            &[Ref::HunterSchmidt2004],
        ),
    };
    format!("{what} ({abbr}; {})", c.names(refs))
}

fn model_text(fit: &FitSettings, scope: &str, c: &mut Cites) -> String {
    let level = pct(fit.level.get());
    let mut t = format!(
        "{scope} study effects were pooled on the analysis scale by a common-effect model with \
         inverse-variance weights and by a random-effects model. The between-study variance τ² \
         was estimated by {}, with its {level}% confidence interval from the Q-profile method {}. ",
        tau_text(fit.method_tau, c),
        c.paren(&[Ref::Viechtbauer2007])
    );
    t.push_str(&match fit.random_ci {
        RandomCi::Classic => "Confidence intervals and tests of the random-effects estimate are \
             Wald-type, with normal quantiles. "
            .to_string(),
        RandomCi::Hk => format!(
            "Confidence intervals and tests of the random-effects estimate use the Hartung–Knapp \
             method, a t distribution with k − 1 degrees of freedom and a scaled variance {}. ",
            c.paren(&[Ref::HartungKnapp2001, Ref::SidikJonkman2002])
        ),
        RandomCi::HkAdhoc => format!(
            "Confidence intervals and tests of the random-effects estimate use the Hartung–Knapp \
             method (t with k − 1 degrees of freedom) with the ad hoc modification that the \
             interval is never narrower than the Wald-type one {}. ",
            c.paren(&[Ref::HartungKnapp2001, Ref::KnappHartung2003, Ref::Rover2015])
        ),
    });
    t.push_str(&match fit.prediction {
        PredictionMethod::T => format!(
            "Prediction intervals for the effect in a new study use the random-effects estimate, \
             its Wald-type standard error and τ², with a t distribution with k − 1 degrees of \
             freedom (the current default of R meta; {} proposed k − 2); they are given for \
             k ≥ 3. ",
            c.names(&[Ref::HigginsThompsonSpiegelhalter2009])
        ),
        PredictionMethod::Hts => format!(
            "Prediction intervals for the effect in a new study use the random-effects estimate, \
             its Wald-type standard error and τ², with a t distribution with k − 2 degrees of \
             freedom {}; they are given for k ≥ 3. ",
            c.paren(&[Ref::HigginsThompsonSpiegelhalter2009])
        ),
        PredictionMethod::Z => "Prediction intervals for the effect in a new study use the \
             random-effects estimate, its Wald-type standard error and τ², with normal quantiles \
             (as metafor's predict()); they are given for k ≥ 3. "
            .to_string(),
        PredictionMethod::None => "No prediction intervals were computed. ".to_string(),
    });
    t.push_str(&format!("All intervals are {level}% intervals."));
    t
}

fn grouping_text(g: &Grouping) -> String {
    match g {
        Grouping::None => "over all studies together".into(),
        Grouping::Column(c) if c == "comparison" => {
            "within each comparison (treatment vs comparator)".into()
        }
        Grouping::Column(c) => format!("within each value of '{c}'"),
    }
}

fn overlap_text(keep: bool) -> &'static str {
    if keep {
        "Rows that share patients with other rows (earlier data cuts, subsets) were included, as asked."
    } else {
        "Rows that share patients with other rows (earlier data cuts, subsets of a cohort, or \
         superseded analyses) were left out, so that no patient is counted twice; they are named \
         in the warnings."
    }
}

fn analysis_text(spec: &AnalysisSpec, overlap_each: bool, c: &mut Cites) -> String {
    let by = spec.grouping().map(grouping_text).unwrap_or_default();
    let mut t = match spec {
        AnalysisSpec::Orr(s) => {
            let sm = match s.sm {
                ProportionMeasure::Plogit => "the logit transformation, ln(p/(1 − p)) (PLOGIT)".to_string(),
                ProportionMeasure::Pft => format!(
                    "the Freeman–Tukey double arcsine transformation (PFT) {}, pooled values \
                     back-transformed with the harmonic mean of the sample sizes {}",
                    c.paren(&[Ref::FreemanTukey1950]),
                    c.paren(&[Ref::Miller1978])
                ),
                ProportionMeasure::Pas => "the arcsine square-root transformation (PAS)".to_string(),
                ProportionMeasure::Praw => "no transformation (raw proportions, PRAW)".to_string(),
                ProportionMeasure::Pln => "the log transformation (PLN)".to_string(),
            };
            let ci = match s.ci_study {
                StudyCi::ClopperPearson => format!("exact Clopper–Pearson intervals {}", c.paren(&[Ref::ClopperPearson1934])),
                StudyCi::Wilson => format!("Wilson score intervals {}", c.paren(&[Ref::Wilson1927])),
                StudyCi::AgrestiCoull => format!("Agresti–Coull intervals {}", c.paren(&[Ref::AgrestiCoull1998])),
                StudyCi::Jeffreys => format!("Jeffreys intervals {}", c.paren(&[Ref::BrownCaiDasGupta2001])),
                StudyCi::Wald => "Wald (normal-approximation) intervals".to_string(),
            };
            let correction = if s.sm.needs_correction() {
                format!(
                    " Studies with 0 or n responders received a continuity correction: responders \
                     + {0} out of n + 2 × {0}.",
                    s.incr
                )
            } else {
                String::new()
            };
            format!(
                "Objective response rates (complete plus partial responses over the patients \
                 evaluated) of single arms and cohorts were pooled {by} after {sm}.{correction} \
                 Per-study confidence intervals are {ci}."
            )
        }
        AnalysisSpec::OrrCompare(s) => {
            let measure = match s.measure {
                TwoArmMeasure::Rr => "risk ratio",
                TwoArmMeasure::Or => "odds ratio",
                TwoArmMeasure::Rd => "risk difference",
            };
            let variance = match s.measure {
                TwoArmMeasure::Or => Ref::RobinsBreslowGreenland1986,
                TwoArmMeasure::Rr => Ref::GreenlandRobins1985,
                TwoArmMeasure::Rd => Ref::SatoGreenlandRobins1989,
            };
            let method = match s.method {
                CompareMethod::Iv => "inverse-variance weights".to_string(),
                CompareMethod::Mh => format!(
                    "the Mantel–Haenszel method on the raw counts {}, with the variance estimator \
                     of {}",
                    c.paren(&[Ref::MantelHaenszel1959]),
                    variance.short()
                ),
                CompareMethod::MhCc => format!(
                    "the Mantel–Haenszel method {} after adding {} to every cell of tables with a \
                     zero cell, with the variance estimator of {}",
                    c.paren(&[Ref::MantelHaenszel1959]),
                    s.incr,
                    variance.short()
                ),
                CompareMethod::Peto => format!("Peto's one-step odds ratio {}", c.paren(&[Ref::Yusuf1985])),
            };
            if matches!(s.method, CompareMethod::Mh | CompareMethod::MhCc) {
                c.0.insert(variance);
            }
            format!(
                "Within each randomized trial, the response of the treatment arm was compared with \
                 that of its comparator (chemotherapy, else crizotinib) by the {measure}, pooled \
                 {by}. The common-effect estimate used {method}; as in R meta, the random-effects \
                 model used inverse-variance weights of the study effects, and Q was computed about \
                 the common-effect estimate with inverse-variance weights, as metafor does. A \
                 continuity correction of {} was added to tables with a zero cell where the study \
                 effect needs it; trials with no responders (or only responders) in both arms carry \
                 no information and were left out.",
                s.incr
            )
        }
        AnalysisSpec::Network(s) => {
            let n = &s.network;
            let endpoint = match s.endpoint {
                Endpoint::Pfs => "progression-free survival",
                Endpoint::Os => "overall survival",
            };
            let model = match n.model {
                NetworkModel::Random => "a random-effects consistency model with one between-study \
                     variance τ² shared by every comparison",
                NetworkModel::Common => "a common-effect consistency model (τ² = 0; τ² is still \
                     estimated and reported)",
            };
            let tau = match n.method_tau {
                TauMethod::Dl => format!(
                    "the generalised DerSimonian–Laird method ({})",
                    c.names(&[Ref::DerSimonianLaird1986, Ref::JacksonWhiteRiley2012])
                ),
                _ => format!(
                    "restricted maximum likelihood (REML, as metafor's rma.mv; {})",
                    c.names(&[Ref::Viechtbauer2010])
                ),
            };
            let direction = match n.small_values {
                SmallValues::Good => "a smaller hazard ratio being better",
                SmallValues::Bad => "a larger hazard ratio being better",
            };
            let reference = n
                .reference
                .as_deref()
                .map(|r| format!("{r}, as asked"))
                .unwrap_or_else(|| "chemotherapy when in the network, else the most studied treatment".into());
            let setting = s
                .setting
                .as_deref()
                .map(|v| format!(" Only rows of the setting '{v}' were used."))
                .unwrap_or_default();
            format!(
                "Hazard ratios for {endpoint} were combined in a frequentist network meta-analysis \
                 on the log scale, fitted by generalised least squares {} as in R netmeta, with \
                 {model}; τ² was estimated by {tau}. The rows of one trial form one study, and a \
                 multi-arm trial contributes all its contrasts with their within-trial covariance. \
                 Effects are reported against the reference ({reference}). Treatments were ranked \
                 by P-scores {}, {direction}. Heterogeneity and inconsistency were assessed by the \
                 design-by-treatment decomposition of Q {}, and direct and indirect evidence were \
                 compared by node-splitting with back-calculation {}. All intervals are {}% \
                 intervals.{setting}",
                c.paren(&[Ref::Rucker2012]),
                c.paren(&[Ref::RuckerSchwarzer2015]),
                c.paren(&[Ref::KrahnBinderKonig2013]),
                c.paren(&[Ref::Dias2010, Ref::KonigKrahnBinder2013]),
                pct(n.level.get())
            )
        }
        AnalysisSpec::Hr(s) => {
            let endpoint = match s.endpoint {
                Endpoint::Pfs => "progression-free survival",
                Endpoint::Os => "overall survival",
            };
            format!(
                "Hazard ratios for {endpoint} of randomized comparisons were pooled on the log scale \
                 by inverse variance, {by}. The standard error of each log hazard ratio was derived \
                 from its reported confidence interval at that interval's own level or, where only \
                 a p-value was reported, from the two-sided p-value {}. Rows reported the other way \
                 round were inverted (HR → 1/HR) to match their comparison.",
                c.paren(&[Ref::AltmanBland2011])
            )
        }
        AnalysisSpec::Pfs(s) => match s.method {
            MedianMethod::LogIv => format!(
                "Median progression-free survival of single arms was pooled {by} by inverse variance \
                 on the log median, with the standard error taken from the median's reported 95% \
                 confidence interval, assumed symmetric on the log scale (as the Brookmeyer–Crowley \
                 interval with a log transformation is; {}); the pooled value is the exponential of \
                 the pooled log median. Arms without a median and both bounds of its 95% confidence \
                 interval were left out and are listed.",
                c.names(&[Ref::BrookmeyerCrowley1982])
            ),
            MedianMethod::MedianOfMedians | MedianMethod::WeightedMedianOfMedians => format!(
                "Median progression-free survival of single arms was summarised {by} by the {}median \
                 of the arm medians with the normal-approximation sign-test interval {}; this \
                 method needs no variances and gives no heterogeneity statistics or prediction \
                 interval. Arms without a median were left out and are listed.",
                if s.method == MedianMethod::WeightedMedianOfMedians {
                    "sample-size-weighted "
                } else {
                    ""
                },
                c.paren(&[Ref::McGrath2019])
            ),
        },
    };
    if overlap_each {
        t.push(' ');
        t.push_str(overlap_text(spec.keep_overlapping()));
    }
    t
}

/// Which data files the plan's analyses read, as a phrase.
fn data_text(plan: &Plan) -> String {
    let uses_hr = |k: AnalysisKind| matches!(k, AnalysisKind::Hr | AnalysisKind::Network);
    let arms = plan.analyses.iter().any(|a| !uses_hr(a.spec.kind()));
    let hr = plan.analyses.iter().any(|a| uses_hr(a.spec.kind()));
    let name = |written: &Option<String>, embedded: &str| {
        written
            .clone()
            .unwrap_or_else(|| format!("{embedded} (shipped with alkstats)"))
    };
    let mut files = Vec::new();
    if arms {
        files.push(format!(
            "the trial arms in {}",
            name(&plan.arms, "data/alk_nsclc_arms.csv")
        ));
    }
    if hr {
        files.push(format!(
            "the hazard ratios in {}",
            name(&plan.hr, "data/alk_nsclc_hr.csv")
        ));
    }
    files.join(" and ")
}

/// Writes the methods section for `plan`.
pub fn methods(plan: &Plan) -> Methods {
    let mut c = Cites::default();
    let keeps: BTreeSet<bool> = plan
        .analyses
        .iter()
        .map(|a| a.spec.keep_overlapping())
        .collect();
    let overlap_each = keeps.len() > 1;
    let mut data = format!(
        "The analyses use {}; every row carries its source, listed under Data provenance.",
        data_text(plan)
    );
    if let (false, Some(&keep)) = (overlap_each, keeps.first()) {
        data.push(' ');
        data.push_str(overlap_text(keep));
    }
    let mut paragraphs = vec![Paragraph {
        heading: "Software".into(),
        text: format!(
            "Analyses were run with alkstats {VERSION}, whose estimates reproduce those of R \
             metafor 3.8 {} and meta {}, from the analysis plan {}. Every number of this report is \
             in results.json, and the command printed with each analysis reproduces it.",
            c.paren(&[Ref::Viechtbauer2010]),
            c.paren(&[Ref::Balduzzi2019]),
            plan.name
        ),
    }];
    paragraphs.push(Paragraph {
        heading: "Data".into(),
        text: data,
    });
    // One model paragraph per distinct set of model settings, in plan order.
    let mut fits: Vec<(FitSettings, Vec<&str>)> = Vec::new();
    for a in &plan.analyses {
        let Some(&fit) = a.spec.fit() else { continue };
        match fits.iter_mut().find(|(f, _)| *f == fit) {
            Some((_, titles)) => titles.push(&a.title),
            None => fits.push((fit, vec![&a.title])),
        }
    }
    let single = fits.len() == 1;
    let network = plan
        .analyses
        .iter()
        .any(|a| a.spec.kind() == AnalysisKind::Network);
    for (fit, titles) in &fits {
        let scope = if single && network {
            "In every pairwise analysis,".to_string()
        } else if single {
            "In every analysis,".to_string()
        } else {
            format!("In the analyses {},", titles.join("; "))
        };
        paragraphs.push(Paragraph {
            heading: "Statistical model".into(),
            text: model_text(fit, &scope, &mut c),
        });
    }
    let grouped = plan
        .analyses
        .iter()
        .any(|a| a.spec.grouping().is_some_and(|g| *g != Grouping::None));
    let has_q = plan.analyses.iter().any(|a| match &a.spec {
        AnalysisSpec::Pfs(s) => s.method == MedianMethod::LogIv,
        AnalysisSpec::Network(_) => false,
        _ => true,
    });
    if has_q {
        let mut text = format!(
            "In pairwise analyses, heterogeneity was assessed with Cochran's Q test and quantified by I², using the \
             Q-based definition {}, I² = max(0, (Q − df)/Q) × 100%, with the test-based \
             confidence interval of the same authors (as in R meta); the τ²-based I² that metafor and \
             RevMan (since 2024) print is given in results.json as i2_tau. Groups of a single study \
             have no heterogeneity statistics or prediction interval.",
            c.paren(&[Ref::HigginsThompson2002])
        );
        if grouped {
            text.push_str(&format!(
                " With subgroups, each subgroup was fitted on its own, with its own τ², and \
                 subgroup differences were tested by Q between the subgroup estimates with \
                 df = number of subgroups − 1 {}.",
                c.paren(&[Ref::Borenstein2009])
            ));
        }
        paragraphs.push(Paragraph {
            heading: "Heterogeneity".into(),
            text,
        });
    }
    for a in &plan.analyses {
        paragraphs.push(Paragraph {
            heading: a.title.clone(),
            text: analysis_text(&a.spec, overlap_each, &mut c),
        });
    }
    let forest = plan
        .analyses
        .iter()
        .any(|a| a.figures.forest && a.spec.kind() != AnalysisKind::Network);
    let network_figures = plan
        .analyses
        .iter()
        .any(|a| a.spec.kind() == AnalysisKind::Network && (a.figures.forest || a.figures.graph));
    let funnel = plan.analyses.iter().any(|a| a.figures.funnel);
    if forest || funnel || network_figures {
        let mut text = String::new();
        if forest {
            text.push_str(
                "Forest plots show each study's estimate and confidence interval, with squares \
                 sized by weight, the pooled common-effect and random-effects estimates as diamonds \
                 and the prediction interval as a bar, in the manner of R meta. ",
            );
        }
        if funnel {
            text.push_str(
                "Funnel plots show each study's effect on the analysis scale against its standard \
                 error, with the pseudo confidence region around the random-effects estimate \
                 (metafor's funnel). ",
            );
        }
        if network_figures {
            text.push_str(
                "Network graphs show the treatments as nodes (area proportional to the patients \
                 randomized) and direct comparisons as edges (width proportional to the trials); \
                 network forest plots show every treatment against the \
                 reference with the P-scores. ",
            );
        }
        paragraphs.push(Paragraph {
            heading: "Figures".into(),
            text: text.trim_end().to_string(),
        });
    }
    let months = plan
        .analyses
        .iter()
        .any(|a| a.spec.kind() == AnalysisKind::Pfs);
    paragraphs.push(Paragraph {
        heading: "Numbers".into(),
        text: format!(
            "Estimates and their intervals are shown with 4 decimals{}, weights and I² in percent \
             with 1 decimal, τ² with 4 decimals, Q with 2, and p-values with 4 (below 0.0001 as \
             < 0.0001){}; results.json holds the unrounded values.",
            if months {
                " (median PFS in months with 2)"
            } else {
                ""
            },
            if network { ", P-scores with 4" } else { "" }
        ),
    });
    let mut references: Vec<String> = c.0.iter().map(|r| r.full().to_string()).collect();
    references.sort();
    Methods {
        paragraphs,
        references,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(extra: &str) -> Plan {
        let text = format!(
            "title = \"T\"\n{extra}\n[[analysis]]\nid = \"a\"\nkind = \"orr\"\n\
             [[analysis]]\nid = \"h\"\nkind = \"hr\"\n"
        );
        Plan::parse("p.toml", &text).unwrap()
    }

    fn all_text(m: &Methods) -> String {
        m.paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn default_settings_name_reml_the_q_based_i2_and_t_k_minus_1() {
        let m = methods(&plan(""));
        let t = all_text(&m);
        assert!(
            t.contains("restricted maximum likelihood (REML; Viechtbauer 2005)"),
            "{t}"
        );
        assert!(t.contains("I² = max(0, (Q − df)/Q) × 100%"), "{t}");
        assert!(
            t.contains("Q-based definition (Higgins & Thompson 2002)"),
            "{t}"
        );
        assert!(
            t.contains("t distribution with k − 1 degrees of freedom"),
            "{t}"
        );
        assert!(t.contains("logit transformation"), "{t}");
        assert!(t.contains("All intervals are 95% intervals."), "{t}");
        assert!(t.contains("Altman & Bland 2011"), "{t}");
        // One model paragraph: both analyses share their settings.
        assert_eq!(
            m.paragraphs
                .iter()
                .filter(|p| p.heading == "Statistical model")
                .count(),
            1
        );
    }

    #[test]
    fn every_citation_has_its_reference_and_no_other() {
        let m = methods(&plan("[settings]\nmethod_tau = \"DL\"\nrandom_ci = \"hk\""));
        let t = all_text(&m);
        assert!(t.contains("DerSimonian & Laird 1986"), "{t}");
        assert!(!t.contains("Viechtbauer 2005"), "{t}");
        let refs = m.references.join("\n");
        assert!(refs.contains("DerSimonian R, Laird N."), "{refs}");
        assert!(refs.contains("Hartung J, Knapp G."), "{refs}");
        assert!(!refs.contains("Bias and efficiency"), "{refs}");
        let mut sorted = m.references.clone();
        sorted.sort();
        assert_eq!(sorted, m.references);
    }

    #[test]
    fn network_paragraph_cites_its_methods() {
        let text =
            "title = \"T\"\n[[analysis]]\nid = \"n\"\nkind = \"network\"\nmethod_tau = \"DL\"\n";
        let m = methods(&Plan::parse("p.toml", text).unwrap());
        let t = all_text(&m);
        assert!(t.contains("P-scores (Rücker & Schwarzer 2015)"), "{t}");
        assert!(t.contains("generalised DerSimonian–Laird method"), "{t}");
        assert!(t.contains("(Krahn, Binder & König 2013)"), "{t}");
        // No pairwise model or heterogeneity paragraph without pairwise analyses.
        assert!(!m
            .paragraphs
            .iter()
            .any(|p| p.heading == "Statistical model"));
        assert!(m
            .references
            .iter()
            .any(|r| r.starts_with("Rücker G. Network meta-analysis")));
    }

    #[test]
    fn levels_print_exactly() {
        assert_eq!(pct(0.95), "95");
        assert_eq!(pct(0.9), "90");
        assert_eq!(pct(0.975), "97.5");
    }
}
