//! Which arm of a two-arm randomized trial is the comparator: the direction of every two-arm
//! comparison (a risk ratio of 0.52 one way is 1.94 the other), so it must never depend on the
//! order of the rows.
//!
//! The rule, first that applies:
//! 1. `--comparator NAME`: the arm whose drug is NAME (ignoring case);
//! 2. the file's `role` column (`treatment`/`comparator`);
//! 3. an arm named as control arms usually are ([`CONTROL_NAMES`]: chemotherapy, placebo,
//!    control, standard of care, …);
//! 4. otherwise the arm whose name comes first alphabetically (ignoring case).
//!
//! Rules 3 and 4 are guesses, so every trial oriented by them is named, with its comparator,
//! in a warning ([`Orientations::warning`]).

use super::AnalysisError;
use crate::data::arms::ArmRole;
use crate::data::Arm;

/// Names of control arms, matched ignoring case: an arm with one of these names is the
/// comparator when neither `--comparator` nor a `role` column says otherwise.
pub const CONTROL_NAMES: &[&str] = &[
    "chemotherapy",
    "placebo",
    "control",
    "standard of care",
    "standard care",
    "usual care",
    "best supportive care",
    "observation",
    "no treatment",
];

/// How a trial's comparator was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// By `--comparator`.
    Flag,
    /// By the file's `role` column.
    Role,
    /// By the name of a usual control arm.
    ControlName,
    /// Alphabetically.
    Alphabetical,
}

/// The trials oriented so far by a guess (rules 3 and 4), for one warning.
#[derive(Debug, Default)]
pub struct Orientations {
    guessed: Vec<String>,
    comparator_used: bool,
}

impl Orientations {
    /// Orients the two arms `x` and `y` of `trial`: returns (treatment, comparator).
    /// `comparator` is `--comparator`; `data` names the file in errors.
    ///
    /// # Errors
    /// [`AnalysisError::ArmRoles`] when both arms have the same role in the file.
    pub fn orient<'a>(
        &mut self,
        data: &str,
        trial: &str,
        (x, y): (&'a Arm, &'a Arm),
        comparator: Option<&str>,
    ) -> Result<(&'a Arm, &'a Arm), AnalysisError> {
        let (t, c, how) = decide(data, trial, (x, y), comparator)?;
        match how {
            Decided::Flag => self.comparator_used = true,
            Decided::Role => {}
            Decided::ControlName => self
                .guessed
                .push(format!("{trial}: {} (a usual control arm's name)", c.drug)),
            Decided::Alphabetical => self.guessed.push(format!(
                "{trial}: {} (first alphabetically: neither arm has a usual control arm's name)",
                c.drug
            )),
        }
        Ok((t, c))
    }

    /// The warnings to give: the trials whose comparator was guessed, and a `--comparator`
    /// that matched no trial.
    pub fn warnings(&self, comparator: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        if !self.guessed.is_empty() {
            out.push(format!(
                "comparator chosen by rule (no --comparator for these trials and no 'role' column): \
                 {}. Name it with --comparator NAME or a 'role' column (treatment/comparator)",
                self.guessed.join("; ")
            ));
        }
        if let (Some(name), false) = (comparator, self.comparator_used) {
            out.push(format!(
                "--comparator {name}: no two-arm trial has an arm '{name}'; the comparators were \
                 chosen as if it were not given"
            ));
        }
        out
    }
}

fn is_named(arm: &Arm, name: &str) -> bool {
    arm.drug.trim().eq_ignore_ascii_case(name.trim())
}

fn decide<'a>(
    data: &str,
    trial: &str,
    (x, y): (&'a Arm, &'a Arm),
    comparator: Option<&str>,
) -> Result<(&'a Arm, &'a Arm, Decided), AnalysisError> {
    let is_control = |a: &Arm| CONTROL_NAMES.iter().any(|n| is_named(a, n));
    if let Some(name) = comparator {
        match (is_named(x, name), is_named(y, name)) {
            (true, false) => return Ok((y, x, Decided::Flag)),
            (false, true) => return Ok((x, y, Decided::Flag)),
            _ => {}
        }
    }
    match (x.role, y.role) {
        (Some(a), Some(b)) if a == b => {
            return Err(AnalysisError::ArmRoles {
                data: data.to_string(),
                trial: trial.to_string(),
                role: a.as_str(),
                lines: [x.line, y.line],
            })
        }
        (Some(ArmRole::Comparator), _) | (_, Some(ArmRole::Treatment)) => {
            return Ok((y, x, Decided::Role))
        }
        (Some(ArmRole::Treatment), _) | (_, Some(ArmRole::Comparator)) => {
            return Ok((x, y, Decided::Role))
        }
        (None, None) => {}
    }
    match (is_control(x), is_control(y)) {
        (true, false) => return Ok((y, x, Decided::ControlName)),
        (false, true) => return Ok((x, y, Decided::ControlName)),
        _ => {}
    }
    let key = |a: &Arm| (a.drug.to_lowercase(), a.drug.clone());
    Ok(if key(x) <= key(y) {
        (y, x, Decided::Alphabetical)
    } else {
        (x, y, Decided::Alphabetical)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm(drug: &str, role: Option<ArmRole>, line: u64) -> Arm {
        Arm {
            line,
            study: format!("{drug} arm"),
            drug: drug.into(),
            n: 10,
            responders: Some(5),
            complete_responses: None,
            trial: Some("T".into()),
            role,
            year: None,
            median_pfs: None,
            median_pfs_lower: None,
            median_pfs_upper: None,
            overlaps: Vec::new(),
            source: String::new(),
            fields: Default::default(),
        }
    }

    fn names(o: &mut Orientations, x: &Arm, y: &Arm, flag: Option<&str>) -> (String, String) {
        let (t, c) = o.orient("f.csv", "T", (x, y), flag).expect("oriented");
        (t.drug.clone(), c.drug.clone())
    }

    #[test]
    fn every_rule_gives_the_same_direction_in_either_row_order() {
        let cases = [
            (
                arm("Drug A", None, 2),
                arm("Placebo", None, 3),
                None,
                "Placebo",
            ),
            (arm("beta", None, 2), arm("Alpha", None, 3), None, "Alpha"),
            (arm("x", None, 2), arm("y", None, 3), Some("X"), "x"),
            (
                arm("x", Some(ArmRole::Comparator), 2),
                arm("y", None, 3),
                None,
                "x",
            ),
        ];
        for (a, b, flag, comparator) in cases {
            let mut o = Orientations::default();
            let one = names(&mut o, &a, &b, flag);
            let other = names(&mut o, &b, &a, flag);
            assert_eq!(one, other, "{comparator}");
            assert_eq!(one.1, comparator);
        }
    }

    #[test]
    fn the_flag_beats_the_role_column_and_two_equal_roles_are_an_error() {
        let mut o = Orientations::default();
        let x = arm("x", Some(ArmRole::Comparator), 2);
        let y = arm("y", Some(ArmRole::Treatment), 3);
        assert_eq!(names(&mut o, &x, &y, Some("y")).1, "y");
        let z = arm("z", Some(ArmRole::Treatment), 4);
        let err = o.orient("f.csv", "T", (&y, &z), None).unwrap_err();
        assert!(err.to_string().contains("lines 3 and 4"), "{err}");
    }

    #[test]
    fn guessed_comparators_are_named_in_a_warning() {
        let mut o = Orientations::default();
        names(&mut o, &arm("b", None, 2), &arm("a", None, 3), None);
        let w = o.warnings(Some("zeta"));
        assert!(w[0].contains("T: a (first alphabetically"), "{w:?}");
        assert!(w[1].contains("--comparator zeta"), "{w:?}");
    }
}
