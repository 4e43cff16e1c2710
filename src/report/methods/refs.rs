//! The works a methods section can cite: each with its in-text citation and full reference,
//! and the set of those actually cited while the text is written, from which the reference
//! list is built (so it holds exactly the works the text names).

use std::collections::BTreeSet;

/// A cited work: the in-text citation and the full reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Ref {
    AgrestiCoull1998,
    AltmanBland2011,
    Baujat2002,
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
    Lau1992,
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
    ViechtbauerCheung2010,
    Wilson1927,
    Yusuf1985,
    Begg1994,
    DuvalTweedie2000,
    Egger1997,
    Harbord2006,
    Peters2006,
    StanleyDoucouliagos2014,
    Sterne2011,
    ThompsonSharp1999,
    VeveaHedges1995,
    Hedges1981,
    Lajeunesse2011,
    Luo2018,
    Shi2020,
    Wan2014,
    ThompsonHiggins2002,
    Raudenbush2009,
}

impl Ref {
    pub(super) fn short(self) -> &'static str {
        match self {
            Ref::AgrestiCoull1998 => "Agresti & Coull 1998",
            Ref::AltmanBland2011 => "Altman & Bland 2011",
            Ref::Baujat2002 => "Baujat et al. 2002",
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
            Ref::Lau1992 => "Lau et al. 1992",
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
            Ref::ViechtbauerCheung2010 => "Viechtbauer & Cheung 2010",
            Ref::Wilson1927 => "Wilson 1927",
            Ref::Yusuf1985 => "Yusuf et al. 1985",
            Ref::Begg1994 => "Begg & Mazumdar 1994",
            Ref::DuvalTweedie2000 => "Duval & Tweedie 2000",
            Ref::Egger1997 => "Egger et al. 1997",
            Ref::Harbord2006 => "Harbord, Egger & Sterne 2006",
            Ref::Peters2006 => "Peters et al. 2006",
            Ref::StanleyDoucouliagos2014 => "Stanley & Doucouliagos 2014",
            Ref::Sterne2011 => "Sterne et al. 2011",
            Ref::ThompsonSharp1999 => "Thompson & Sharp 1999",
            Ref::VeveaHedges1995 => "Vevea & Hedges 1995",
            Ref::Hedges1981 => "Hedges 1981",
            Ref::Lajeunesse2011 => "Lajeunesse 2011",
            Ref::Luo2018 => "Luo et al. 2018",
            Ref::Shi2020 => "Shi et al. 2020",
            Ref::Wan2014 => "Wan et al. 2014",
            Ref::ThompsonHiggins2002 => "Thompson & Higgins 2002",
            Ref::Raudenbush2009 => "Raudenbush 2009",
        }
    }

    pub(super) fn full(self) -> &'static str {
        match self {
            Ref::AgrestiCoull1998 => "Agresti A, Coull BA. Approximate is better than \"exact\" for interval estimation of binomial proportions. Am Stat. 1998;52:119–126.",
            Ref::Baujat2002 => "Baujat B, Mahé C, Pignon JP, Hill C. A graphical method for exploring heterogeneity in meta-analyses: application to a meta-analysis of 65 trials. Stat Med. 2002;21:2641–2652.",
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
            Ref::Lau1992 => "Lau J, Antman EM, Jimenez-Silva J, Kupelnick B, Mosteller F, Chalmers TC. Cumulative meta-analysis of therapeutic trials for myocardial infarction. N Engl J Med. 1992;327:248–254.",
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
            Ref::ViechtbauerCheung2010 => "Viechtbauer W, Cheung MWL. Outlier and influence diagnostics for meta-analysis. Res Synth Methods. 2010;1:112–125.",
            Ref::Wilson1927 => "Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat Assoc. 1927;22:209–212.",
            Ref::Yusuf1985 => "Yusuf S, Peto R, Lewis J, Collins R, Sleight P. Beta blockade during and after myocardial infarction: an overview of the randomized trials. Prog Cardiovasc Dis. 1985;27:335–371.",
            Ref::Begg1994 => "Begg CB, Mazumdar M. Operating characteristics of a rank correlation test for publication bias. Biometrics. 1994;50:1088–1101.",
            Ref::DuvalTweedie2000 => "Duval S, Tweedie R. Trim and fill: a simple funnel-plot-based method of testing and adjusting for publication bias in meta-analysis. Biometrics. 2000;56:455–463.",
            Ref::Egger1997 => "Egger M, Davey Smith G, Schneider M, Minder C. Bias in meta-analysis detected by a simple, graphical test. BMJ. 1997;315:629–634.",
            Ref::Harbord2006 => "Harbord RM, Egger M, Sterne JAC. A modified test for small-study effects in meta-analyses of controlled trials with binary endpoints. Stat Med. 2006;25:3443–3457.",
            Ref::Peters2006 => "Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L. Comparison of two methods to detect publication bias in meta-analysis. JAMA. 2006;295:676–680.",
            Ref::StanleyDoucouliagos2014 => "Stanley TD, Doucouliagos H. Meta-regression approximations to reduce publication selection bias. Res Synth Methods. 2014;5:60–78.",
            Ref::Sterne2011 => "Sterne JAC, Sutton AJ, Ioannidis JPA, et al. Recommendations for examining and interpreting funnel plot asymmetry in meta-analyses of randomised controlled trials. BMJ. 2011;343:d4002.",
            Ref::ThompsonSharp1999 => "Thompson SG, Sharp SJ. Explaining heterogeneity in meta-analysis: a comparison of methods. Stat Med. 1999;18:2693–2708.",
            Ref::VeveaHedges1995 => "Vevea JL, Hedges LV. A general linear model for estimating effect size in the presence of publication bias. Psychometrika. 1995;60:419–435.",
            Ref::Hedges1981 => "Hedges LV. Distribution theory for Glass's estimator of effect size and related estimators. J Educ Stat. 1981;6:107–128.",
            Ref::Lajeunesse2011 => "Lajeunesse MJ. On the meta-analysis of response ratios for studies with correlated and multi-group designs. Ecology. 2011;92:2049–2055.",
            Ref::Luo2018 => "Luo D, Wan X, Liu J, Tong T. Optimally estimating the sample mean from the sample size, median, mid-range, and/or mid-quartile range. Stat Methods Med Res. 2018;27:1785–1805.",
            Ref::Shi2020 => "Shi J, Luo D, Weng H, et al. Optimally estimating the sample standard deviation from the five-number summary. Res Synth Methods. 2020;11:641–654.",
            Ref::ThompsonHiggins2002 => "Thompson SG, Higgins JPT. How should meta-regression analyses be undertaken and interpreted? Stat Med. 2002;21:1559–1573.",
            Ref::Raudenbush2009 => "Raudenbush SW. Analyzing effect sizes: random-effects models. In: Cooper H, Hedges LV, Valentine JC, eds. The Handbook of Research Synthesis and Meta-Analysis. 2nd ed. New York: Russell Sage Foundation; 2009:295–315.",
            Ref::Wan2014 => "Wan X, Wang W, Liu J, Tong T. Estimating the sample mean and standard deviation from the sample size, median, range and/or interquartile range. BMC Med Res Methodol. 2014;14:135.",
        }
    }
}

/// Collects the works cited while the text is written.
#[derive(Default)]
pub(super) struct Cites(pub(super) BTreeSet<Ref>);

impl Cites {
    /// "A 2001; B 2002", recording both.
    pub(super) fn names(&mut self, refs: &[Ref]) -> String {
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
    pub(super) fn paren(&mut self, refs: &[Ref]) -> String {
        format!("({})", self.names(refs))
    }
}
