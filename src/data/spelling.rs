//! Names matched ignoring case and shown as first typed: a file that writes `Drug A` and later
//! `drug a` names one treatment, shown as `Drug A` everywhere (groups, comparisons, plots).

use std::collections::HashMap;

/// The first spelling of each name seen, by its lower-case form.
#[derive(Debug, Default)]
pub struct Spellings(HashMap<String, String>);

impl Spellings {
    /// Replaces `name` by the first spelling of the same name (ignoring case); returns whether
    /// it changed. An empty name is left alone.
    pub fn unify(&mut self, name: &mut String) -> bool {
        if name.is_empty() {
            return false;
        }
        let key = name.to_lowercase();
        match self.0.get(&key) {
            Some(first) if first != name => {
                name.clone_from(first);
                true
            }
            Some(_) => false,
            None => {
                self.0.insert(key, name.clone());
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_spellings_take_the_first() {
        let mut s = Spellings::default();
        let mut names: Vec<String> = ["Drug A", "placebo", "drug a", "DRUG A", "Placebo", ""]
            .iter()
            .map(|n| n.to_string())
            .collect();
        let changed: Vec<bool> = names.iter_mut().map(|n| s.unify(n)).collect();
        assert_eq!(
            names,
            ["Drug A", "placebo", "Drug A", "Drug A", "placebo", ""]
        );
        assert_eq!(changed, [false, false, true, true, true, false]);
    }
}
