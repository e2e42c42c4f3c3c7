//! The docs platform's heading-anchor rule (Markdig, GitHub mode), exactly.
//!
//! Letters (Unicode L*) and decimal digits (Nd) are kept lowercased, `-` and `_` are kept,
//! each space becomes `-`, everything else is dropped; hyphens are never collapsed or
//! trimmed; an empty result is `section`; repeats in one file get `-1`, `-2`, ...

use std::collections::{HashMap, HashSet};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// The anchor of a heading whose inline text (entities decoded, markup removed) is `text`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c == ' ' {
            out.push('-');
        } else if c == '-' || c == '_' {
            out.push(c);
        } else if is_letter_or_digit(c) {
            // The simple (one character) lowercase mapping, as .NET's `ToLowerInvariant`:
            // `İ` gives `i`, not `i` and a combining dot.
            out.push(c.to_lowercase().next().unwrap_or(c));
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

fn is_letter_or_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    matches!(c.general_category_group(), GeneralCategoryGroup::Letter)
        || c.general_category() == unicode_properties::GeneralCategory::DecimalNumber
}

/// Hands out unique anchors in document order: the first `x`, then `x-1`, `x-2`, ...
#[derive(Debug, Default)]
pub struct Anchors {
    names: Unique,
}

impl Anchors {
    pub fn unique(&mut self, text: &str) -> String {
        self.names.claim(slug(text))
    }
}

/// Names unique among those it has handed out: the first `x` is `x`, the next `x-1`, then
/// `x-2`, ..., each the smallest suffix not yet handed out (a name `x-2` of its own makes
/// the second repeat `x-3`). Heading anchors, item keys and section ids are numbered so.
#[derive(Debug, Default)]
pub struct Unique {
    used: HashSet<String>,
    /// The next suffix to try per base: every smaller one is taken (names are never given
    /// back), so the n-th repeat gets what a search from `-1` would give, without the search.
    next: HashMap<String, usize>,
}

impl Unique {
    /// `base` if it is free, else `base-N` with the smallest free N >= 1; it is then taken.
    pub fn claim(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut n = self.next.get(&base).copied().unwrap_or(1);
        loop {
            let candidate = format!("{base}-{n}");
            n += 1;
            if self.used.insert(candidate.clone()) {
                self.next.insert(base, n);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_case() {
        assert_eq!(
            slug("This - is a &@! heading _ with . and ! -"),
            "this---is-a--heading-_-with--and---"
        );
    }

    #[test]
    fn simple_lowercase_mapping() {
        assert_eq!(slug("İstanbul ẞ"), "istanbul-ß");
    }

    #[test]
    fn repeats_are_numbered() {
        let mut a = Anchors::default();
        assert_eq!(
            a.unique("Configuration recommendations"),
            "configuration-recommendations"
        );
        assert_eq!(
            a.unique("Configuration recommendations"),
            "configuration-recommendations-1"
        );
        assert_eq!(
            a.unique("Configuration recommendations"),
            "configuration-recommendations-2"
        );
    }

    #[test]
    fn repeats_skip_names_taken_on_their_own() {
        let mut u = Unique::default();
        let got: Vec<String> = ["x", "x-2", "x", "x", "x", "x-1", "x-1"]
            .into_iter()
            .map(|b| u.claim(b.to_string()))
            .collect();
        assert_eq!(got, ["x", "x-2", "x-1", "x-3", "x-4", "x-1-1", "x-1-2"]);
    }
}
