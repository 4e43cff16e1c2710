//! The command-line echo of an analysis: the `alkstats pool` (`network`, `influence`,
//! `cumulative`) arguments that print the same JSON, every setting spelled out so that the
//! printed command does not depend on the defaults of a later version.

use super::kind::AnalysisKind;
use super::spec::AnalysisSpec;
use crate::analysis::compare::CompareSettings;

impl AnalysisSpec {
    /// The `alkstats` arguments (from the subcommand on) that print this analysis, every
    /// setting spelled out; `data` is the `--data` path when the data is not the embedded file.
    pub fn command_args(&self, data: Option<&str>) -> Vec<String> {
        fn flag(a: &mut Vec<String>, name: &str, value: impl ToString) {
            a.push(name.to_string());
            a.push(value.to_string());
        }
        fn two_arm(a: &mut Vec<String>, s: &CompareSettings) {
            flag(a, "--by", s.grouping.label());
            if let Some(c) = &s.comparator {
                flag(a, "--comparator", c);
            }
            flag(a, "--measure", s.measure);
            match s.glmm {
                Some(model) => {
                    flag(a, "--method", "GLMM");
                    flag(a, "--glmm-model", model);
                }
                None => flag(a, "--method", s.method),
            }
            flag(a, "--incr", s.incr);
        }
        if let AnalysisSpec::Influence(s) | AnalysisSpec::Cumulative(s) = self {
            // The examined analysis' own command, run by this subcommand.
            let mut a = s.pooled.command_args(data);
            a[0] = self.kind().as_str().into();
            flag(&mut a, "--model", s.model);
            if let Some(g) = &s.group {
                flag(&mut a, "--group", g);
            }
            if let Some(c) = &s.order.column {
                flag(&mut a, "--order", c);
            }
            if s.order.decreasing {
                a.push("--decreasing".into());
            }
            return a;
        }
        if let AnalysisSpec::Metareg(s) = self {
            // The regressed analysis' own command, run by `alkstats metareg`.
            let mut a = s.pooled.command_args(data);
            a[0] = "metareg".into();
            if let Some(g) = &s.group {
                flag(&mut a, "--group", g);
            }
            flag(&mut a, "--mods", s.settings.moderators.join(","));
            for (column, level) in &s.settings.references {
                flag(&mut a, "--ref", format!("{column}={level}"));
            }
            flag(&mut a, "--model", s.settings.model);
            return a;
        }
        let mut a: Vec<String> = vec![if self.kind() == AnalysisKind::Network {
            "network".into()
        } else {
            "pool".into()
        }];
        match self {
            AnalysisSpec::Network(s) => {
                let n = &s.network;
                flag(&mut a, "--outcome", "hr");
                flag(&mut a, "--endpoint", s.endpoint);
                if let Some(r) = &n.reference {
                    flag(&mut a, "--reference", r);
                }
                flag(&mut a, "--model", n.model);
                flag(&mut a, "--method-tau", n.method_tau);
                if let Some(v) = &s.setting {
                    flag(&mut a, "--setting", v);
                }
                flag(&mut a, "--small-values", n.small_values);
                flag(&mut a, "--level", n.level.get());
                if s.keep_overlapping {
                    a.push("--keep-overlapping".into());
                }
                if let Some(d) = data {
                    flag(&mut a, "--data", d);
                }
                return a;
            }
            AnalysisSpec::Orr(s) => {
                flag(&mut a, "--outcome", "orr");
                flag(&mut a, "--by", s.grouping.label());
                flag(&mut a, "--sm", s.sm);
                flag(&mut a, "--ci-study", s.ci_study);
                flag(&mut a, "--incr", s.incr);
                if s.glmm {
                    flag(&mut a, "--method", "GLMM");
                }
            }
            AnalysisSpec::OrrCompare(s) => {
                flag(&mut a, "--outcome", "orr");
                a.push("--compare".into());
                two_arm(&mut a, s);
            }
            AnalysisSpec::Hr(s) => {
                flag(&mut a, "--outcome", "hr");
                flag(&mut a, "--by", s.grouping.label());
                flag(&mut a, "--endpoint", s.endpoint);
            }
            AnalysisSpec::Pfs(s) => {
                flag(&mut a, "--outcome", "pfs");
                flag(&mut a, "--by", s.grouping.label());
                flag(&mut a, "--method", s.method);
            }
            AnalysisSpec::Binary(s) => {
                flag(&mut a, "--outcome", "binary");
                two_arm(&mut a, &s.settings);
            }
            AnalysisSpec::Continuous(s) => {
                flag(&mut a, "--outcome", "continuous");
                flag(&mut a, "--by", s.settings.grouping.label());
                flag(&mut a, "--measure", s.settings.measure);
                flag(&mut a, "--sd-method", s.sd_method);
            }
            AnalysisSpec::Generic(s) => {
                flag(&mut a, "--outcome", "generic");
                flag(&mut a, "--by", s.settings.grouping.label());
                flag(&mut a, "--sm", s.settings.sm);
                flag(&mut a, "--ci-level", s.settings.ci_level.get());
            }
            // `alkstats bias` with the pooled analysis' flags and its own.
            AnalysisSpec::Bias(b) => return b.command_args(data),
            // Returned above.
            AnalysisSpec::Influence(_) | AnalysisSpec::Cumulative(_) | AnalysisSpec::Metareg(_) => {
            }
        }
        let fit = self.fit().copied().unwrap_or_default();
        flag(&mut a, "--method-tau", fit.method_tau);
        flag(&mut a, "--random-ci", fit.random_ci);
        flag(&mut a, "--prediction", fit.prediction);
        flag(&mut a, "--level", fit.level.get());
        if self.keep_overlapping() {
            a.push("--keep-overlapping".into());
        }
        if let Some(d) = data {
            flag(&mut a, "--data", d);
        }
        if let Some(file) = self.user_file() {
            if let Some(sheet) = &file.sheet {
                flag(&mut a, "--sheet", sheet);
            }
            for m in &file.maps {
                flag(&mut a, "--map", format!("{}={}", m.role.name, m.column));
            }
        }
        a
    }
}
