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
    used: HashSet<String>,
    /// The next suffix to try per base, so that many repeats stay linear.
    next: HashMap<String, usize>,
}

impl Anchors {
    pub fn unique(&mut self, text: &str) -> String {
        let base = slug(text);
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
}
