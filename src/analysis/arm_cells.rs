//! A two-arm study's data per arm, for forest plots in RevMan's layout: events and total per
//! arm for binary data, mean, SD and total per arm for continuous data.

use crate::format::data_value;

/// One study's data per arm (experimental or treatment first, control or comparator second).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArmCells {
    /// Events and patients per arm.
    Binary {
        /// Events in each arm.
        events: (u64, u64),
        /// Patients in each arm.
        n: (u64, u64),
    },
    /// Mean, SD and patients per arm, as given.
    Continuous {
        /// Means.
        mean: (f64, f64),
        /// Standard deviations.
        sd: (f64, f64),
        /// Patients.
        n: (f64, f64),
    },
}

impl ArmCells {
    /// Column headers, as `ARM\nQUANTITY` (the arm's name above what the column holds).
    pub fn headers(self, arms: (&str, &str)) -> Vec<String> {
        let quantities: &[&str] = match self {
            ArmCells::Binary { .. } => &["Events", "Total"],
            ArmCells::Continuous { .. } => &["Mean", "SD", "Total"],
        };
        [arms.0, arms.1]
            .iter()
            .flat_map(|arm| quantities.iter().map(move |q| format!("{arm}\n{q}")))
            .collect()
    }

    /// The cells of one study, in the order of [`ArmCells::headers`]; numbers as given, long
    /// ones (a mean estimated from a median) to 4 significant decimals.
    pub fn cells(self) -> Vec<String> {
        match self {
            ArmCells::Binary { events, n } => vec![
                events.0.to_string(),
                n.0.to_string(),
                events.1.to_string(),
                n.1.to_string(),
            ],
            ArmCells::Continuous { mean, sd, n } => [mean.0, sd.0, n.0, mean.1, sd.1, n.1]
                .map(data_value)
                .to_vec(),
        }
    }

    /// The totals row of an analysis under the same headers: events and patients summed per arm
    /// (binary), patients summed per arm with the means and SDs left blank (continuous).
    /// `None` without studies or when the studies are not all of one kind.
    pub fn totals(studies: impl IntoIterator<Item = ArmCells>) -> Option<Vec<String>> {
        let mut studies = studies.into_iter();
        let mut sum = studies.next()?;
        for s in studies {
            sum = match (sum, s) {
                (ArmCells::Binary { events: e, n }, ArmCells::Binary { events: e2, n: n2 }) => {
                    ArmCells::Binary {
                        events: (e.0.saturating_add(e2.0), e.1.saturating_add(e2.1)),
                        n: (n.0.saturating_add(n2.0), n.1.saturating_add(n2.1)),
                    }
                }
                (ArmCells::Continuous { n, .. }, ArmCells::Continuous { n: n2, .. }) => {
                    ArmCells::Continuous {
                        mean: (f64::NAN, f64::NAN),
                        sd: (f64::NAN, f64::NAN),
                        n: (n.0 + n2.0, n.1 + n2.1),
                    }
                }
                _ => return None,
            };
        }
        Some(match sum {
            ArmCells::Continuous { n, .. } => {
                vec![
                    String::new(),
                    String::new(),
                    n.0.to_string(),
                    String::new(),
                    String::new(),
                    n.1.to_string(),
                ]
            }
            binary => binary.cells(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_arms_sum_events_and_totals() {
        let a = ArmCells::Binary {
            events: (4, 11),
            n: (123, 139),
        };
        let b = ArmCells::Binary {
            events: (6, 29),
            n: (306, 303),
        };
        assert_eq!(a.headers(("BCG", "Control"))[0], "BCG\nEvents");
        assert_eq!(a.cells(), ["4", "123", "11", "139"]);
        assert_eq!(
            ArmCells::totals([a, b]).unwrap(),
            ["10", "429", "40", "442"]
        );
    }

    #[test]
    fn continuous_arms_sum_patients_only() {
        let a = ArmCells::Continuous {
            mean: (55.0, 75.0),
            sd: (47.0, 64.0),
            n: (155.0, 156.0),
        };
        let b = ArmCells::Continuous {
            mean: (27.5, 29.0),
            sd: (7.0, 4.0),
            n: (31.0, 32.0),
        };
        assert_eq!(b.cells(), ["27.5", "7", "31", "29", "4", "32"]);
        assert_eq!(
            ArmCells::totals([a, b]).unwrap(),
            ["", "", "186", "", "", "188"]
        );
        assert_eq!(
            ArmCells::totals([
                a,
                ArmCells::Binary {
                    events: (1, 1),
                    n: (2, 2)
                }
            ]),
            None
        );
    }
}
