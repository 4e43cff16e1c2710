//! Column roles: which column of a user's file holds the study label, the events, the totals …,
//! named as R `meta` names its arguments (`studlab`, `event`, `n`, `event.e`, `n.e`, `mean.e`,
//! `TE`, `seTE`, …) because that is what its users know.
//!
//! A role is found in the header case-insensitively, by its own name or a common synonym
//! (punctuation and case ignored: `Events_T`, `events.e` and `EVENTS E` all read as the same
//! key), unless the user maps it with `--map ROLE=COLUMN`. A role that cannot be found is an
//! error naming the role, the columns found and the fix.

use std::fmt;
use thiserror::Error;

/// A column role and the synonyms by which it is recognised, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    /// The name R `meta` gives the argument (`event.e`).
    pub name: &'static str,
    /// What the role holds, for messages.
    pub meaning: &'static str,
    /// Header spellings recognised for it (compared after [`key`]).
    pub synonyms: &'static [&'static str],
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

macro_rules! roles {
    ($($id:ident = $name:literal, $meaning:literal, [$($syn:literal),* $(,)?];)+) => {
        $(
            #[doc = $meaning]
            pub const $id: Role = Role { name: $name, meaning: $meaning, synonyms: &[$($syn),*] };
        )+
        /// Every role, for `--map` validation and help.
        pub const ALL: &[Role] = &[$($id),+];
    };
}

roles! {
    STUDLAB = "studlab", "the study label", ["studlab", "study", "author", "authors", "studyname", "label", "name", "trial"];
    EVENT = "event", "the number of events (responders)", ["event", "events", "responders", "response", "responses", "cases", "x", "xi", "r"];
    N = "n", "the number of patients", ["n", "total", "ni", "size", "samplesize", "patients"];
    EVENT_E = "event.e", "events in the experimental arm", ["evente", "eventse", "eventst", "eventstreatment", "eventsexp", "eventexp", "ai", "events1", "event1", "e1"];
    N_E = "n.e", "patients in the experimental arm", ["ne", "totale", "nt", "totalt", "ntreatment", "nexp", "n1", "n1i", "total1"];
    EVENT_C = "event.c", "events in the control arm", ["eventc", "eventsc", "eventscontrol", "eventsctrl", "eventctrl", "ci", "events2", "event2", "e2"];
    N_C = "n.c", "patients in the control arm", ["nc", "totalc", "ncontrol", "nctrl", "n2", "n2i", "total2"];
    MEAN_E = "mean.e", "the mean in the experimental arm", ["meane", "meant", "meanexp", "m1i", "mean1", "m1"];
    SD_E = "sd.e", "the SD in the experimental arm", ["sde", "sdt", "sdexp", "sd1i", "sd1"];
    MEAN_C = "mean.c", "the mean in the control arm", ["meanc", "meanctrl", "meancontrol", "m2i", "mean2", "m2"];
    SD_C = "sd.c", "the SD in the control arm", ["sdc", "sdctrl", "sdcontrol", "sd2i", "sd2"];
    MEDIAN_E = "median.e", "the median in the experimental arm", ["mediane", "mediant", "median1"];
    Q1_E = "q1.e", "the first quartile in the experimental arm", ["q1e", "q1t", "q11"];
    Q3_E = "q3.e", "the third quartile in the experimental arm", ["q3e", "q3t", "q31"];
    MIN_E = "min.e", "the minimum in the experimental arm", ["mine", "mint", "min1"];
    MAX_E = "max.e", "the maximum in the experimental arm", ["maxe", "maxt", "max1"];
    MEDIAN_C = "median.c", "the median in the control arm", ["medianc", "median2"];
    Q1_C = "q1.c", "the first quartile in the control arm", ["q1c", "q12"];
    Q3_C = "q3.c", "the third quartile in the control arm", ["q3c", "q32"];
    MIN_C = "min.c", "the minimum in the control arm", ["minc", "min2"];
    MAX_C = "max.c", "the maximum in the control arm", ["maxc", "max2"];
    TE = "TE", "the estimate on the analysis scale", ["te", "yi", "estimate", "effect", "logestimate", "loghr", "logor", "logrr"];
    SE_TE = "seTE", "the standard error of TE", ["sete", "se", "sei", "stderr", "standarderror"];
    LOWER = "lower", "the lower confidence limit (on the scale of --sm)", ["lower", "lci", "cilower", "lowerci", "lower95ci", "lower95", "lb", "cilb", "lcl", "ll"];
    UPPER = "upper", "the upper confidence limit (on the scale of --sm)", ["upper", "uci", "ciupper", "upperci", "upper95ci", "upper95", "ub", "ciub", "ucl", "ul"];
}

/// A header reduced to what identifies it: lower-case letters and digits only.
pub fn key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Why the columns of a file cannot be given their roles.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum RoleError {
    /// `--map` names a role that does not exist.
    #[error("--map {role}={column}: no role '{role}'; expected one of: {expected}")]
    UnknownRole {
        /// The role as given.
        role: String,
        /// The column as given.
        column: String,
        /// The roles there are.
        expected: String,
    },
    /// `--map` is not ROLE=COLUMN.
    #[error("--map {0}: expected ROLE=COLUMN, e.g. --map event=Responders")]
    Malformed(String),
    /// `--map` names a column the file does not have.
    #[error(
        "{file}: --map {role}={column}: no column '{column}' in the header; found columns: {found}"
    )]
    NoSuchColumn {
        /// The file.
        file: String,
        /// The role.
        role: &'static str,
        /// The column as given.
        column: String,
        /// The header.
        found: String,
    },
    /// A required role has no column.
    #[error(
        "{file}: line 1 (header): no column for '{role}' ({meaning}); found columns: {found}; expected \
         a column named {role} (or {synonyms}), or map one with --map {role}=COLUMN"
    )]
    Missing {
        /// The file.
        file: String,
        /// The role.
        role: &'static str,
        /// What it holds.
        meaning: &'static str,
        /// Synonyms recognised.
        synonyms: String,
        /// The header.
        found: String,
    },
}

/// A user's `--map ROLE=COLUMN`, checked against the known roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The role.
    pub role: Role,
    /// The column as typed.
    pub column: String,
}

impl std::str::FromStr for Mapping {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Self, RoleError> {
        let (role, column) = s
            .split_once('=')
            .map(|(r, c)| (r.trim(), c.trim()))
            .filter(|(r, c)| !r.is_empty() && !c.is_empty())
            .ok_or_else(|| RoleError::Malformed(s.to_string()))?;
        let role = ALL
            .iter()
            .find(|r| key(r.name) == key(role))
            .copied()
            .ok_or_else(|| RoleError::UnknownRole {
                role: role.to_string(),
                column: column.to_string(),
                expected: ALL.iter().map(|r| r.name).collect::<Vec<_>>().join(", "),
            })?;
        Ok(Mapping {
            role,
            column: column.to_string(),
        })
    }
}

/// Finds the column of `role` in `headers`: a `--map` for it, else its name or a synonym (in
/// the role's order of preference), compared by [`key`]. `None` when there is none.
///
/// # Errors
/// [`RoleError::NoSuchColumn`] when a mapping names a column the header does not have.
pub fn find(
    file: &str,
    headers: &[String],
    role: Role,
    maps: &[Mapping],
) -> Result<Option<usize>, RoleError> {
    if let Some(m) = maps.iter().find(|m| m.role == role) {
        let wanted = key(&m.column);
        return headers
            .iter()
            .position(|h| h == &m.column)
            .or_else(|| headers.iter().position(|h| key(h) == wanted))
            .map(Some)
            .ok_or_else(|| RoleError::NoSuchColumn {
                file: file.to_string(),
                role: role.name,
                column: m.column.clone(),
                found: headers.join(", "),
            });
    }
    let keys: Vec<String> = headers.iter().map(|h| key(h)).collect();
    Ok(std::iter::once(key(role.name))
        .chain(role.synonyms.iter().map(|s| key(s)))
        .find_map(|k| keys.iter().position(|h| *h == k)))
}

/// As [`find`], for a role the analysis cannot do without.
///
/// # Errors
/// [`RoleError::Missing`] naming the role, the columns found and the fix.
pub fn require(
    file: &str,
    headers: &[String],
    role: Role,
    maps: &[Mapping],
) -> Result<usize, RoleError> {
    find(file, headers, role, maps)?.ok_or_else(|| RoleError::Missing {
        file: file.to_string(),
        role: role.name,
        meaning: role.meaning,
        synonyms: role.synonyms.join(", "),
        found: headers.join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn roles_are_found_by_name_or_synonym_ignoring_case_and_punctuation() {
        let headers = h(&["Author", "Year", "Events_T", "N_T", "EVENTS.C", "n.c"]);
        assert_eq!(find("f", &headers, STUDLAB, &[]).unwrap(), Some(0));
        assert_eq!(find("f", &headers, EVENT_E, &[]).unwrap(), Some(2));
        assert_eq!(find("f", &headers, N_E, &[]).unwrap(), Some(3));
        assert_eq!(find("f", &headers, EVENT_C, &[]).unwrap(), Some(4));
        assert_eq!(find("f", &headers, N_C, &[]).unwrap(), Some(5));
        assert_eq!(find("f", &headers, SE_TE, &[]).unwrap(), None);
    }

    #[test]
    fn a_mapping_wins_and_a_wrong_one_names_the_columns() {
        let headers = h(&["Trial", "Responders", "Evaluable"]);
        let maps = vec!["n=Evaluable".parse::<Mapping>().unwrap()];
        assert_eq!(require("f", &headers, N, &maps).unwrap(), 2);
        let bad = vec!["n=Total".parse::<Mapping>().unwrap()];
        let e = require("f.csv", &headers, N, &bad).unwrap_err().to_string();
        assert!(
            e.contains("no column 'Total'") && e.contains("Trial, Responders, Evaluable"),
            "{e}"
        );
        assert!("count=x".parse::<Mapping>().is_err());
        assert!("event".parse::<Mapping>().is_err());
    }

    #[test]
    fn a_missing_role_says_how_to_map_it() {
        let e = require("f.csv", &h(&["a", "b"]), EVENT, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--map event=COLUMN") && e.contains("found columns: a, b"),
            "{e}"
        );
    }
}
