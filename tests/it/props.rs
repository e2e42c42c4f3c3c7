//! Properties, over generated input: the anchor rule and CSV neutralization.

use checkdown::parse::anchor::{slug, Anchors};
use checkdown::render::csv::neutralize;
use proptest::prelude::*;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Heading-like text: mostly letters, digits, spaces and punctuation, with some of
/// everything else (any char, entities already decoded).
fn heading() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ a-zA-Z0-9_.,:;!?&@()'\"✓\\-]{0,40}",
        any::<String>(),
        "[ \\t\\u{a0}\\u{2000}-\\u{200b}a-zÀ-ſΑ-ωА-я一-鿿İẞǅ٠-٩Ⅰ-Ⅻ-]{0,30}",
    ]
}

fn allowed(c: char) -> bool {
    if c == '-' || c == '_' {
        return true;
    }
    let letter = matches!(c.general_category_group(), GeneralCategoryGroup::Letter);
    let digit = c.general_category() == GeneralCategory::DecimalNumber;
    (letter || digit) && c.to_lowercase().eq(std::iter::once(c))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn slug_has_only_lowercase_letters_digits_hyphens_underscores(text in heading()) {
        let s = slug(&text);
        prop_assert!(s.chars().all(allowed), "{text:?} -> {s:?}");
    }

    #[test]
    fn slug_is_never_empty(text in heading()) {
        prop_assert!(!slug(&text).is_empty());
    }

    /// Each space of the trimmed text becomes one hyphen; hyphens are kept; nothing else
    /// makes one. (An empty result is `section`, which has none.)
    #[test]
    fn spaces_map_one_to_one_to_hyphens(text in heading()) {
        let trimmed = text.trim();
        let expected = trimmed.chars().filter(|&c| c == ' ' || c == '-').count();
        prop_assert_eq!(slug(&text).matches('-').count(), expected);
    }

    #[test]
    fn slug_is_idempotent(text in heading()) {
        let once = slug(&text);
        prop_assert_eq!(slug(&once), once);
    }

    #[test]
    fn anchors_in_one_file_are_unique(texts in proptest::collection::vec("[ab -]{0,4}", 0..60)) {
        let mut anchors = Anchors::default();
        let mut seen = std::collections::HashSet::new();
        for t in &texts {
            let a = anchors.unique(t);
            prop_assert!(seen.insert(a.clone()), "{a} handed out twice");
        }
    }

    #[test]
    fn neutralized_cells_never_start_with_a_formula_character(cell in any::<String>()) {
        let out = neutralize(&cell);
        prop_assert!(!out.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?} -> {out:?}");
        // Only ever a quote in front; the text itself is unchanged.
        let quoted = format!("'{}", cell);
        prop_assert!(out == cell || out == quoted);
    }

    #[test]
    fn formula_cells_are_quoted(first in prop::sample::select(vec!['=', '+', '-', '@', '\t', '\r']), rest in any::<String>()) {
        let cell = format!("{first}{rest}");
        prop_assert_eq!(neutralize(&cell), format!("'{cell}"));
    }

    /// Through the whole pipeline: whatever a title or body holds, no cell of the backlog,
    /// read back as CSV, starts with a formula character.
    #[test]
    fn backlog_cells_read_back_safe(title in "[=+@\\-\\t a-z]{1,12}", body in "[=+@\\-\\t a-z\\n]{0,30}") {
        let title = title.replace(['\t'], " ");
        let page = format!(
            "# {title}\n\n# [{title}](#tab/l)\n\n> [!div class=\"checklist\"]\n> - [{title}](#-a)\n\n#### &#10003; A\n\n{body}\n\n---\n"
        );
        let (doc, _) = checkdown::compile_text("p.md", &page);
        let Some(doc) = doc else { return Ok(()) };
        let catalog = checkdown::model::Catalog { format: checkdown::model::FORMAT, documents: vec![doc] };
        let file = checkdown::render::csv::render(&catalog).expect("renders");
        let mut r = csv::Reader::from_reader(file.bytes.as_slice());
        for row in r.records() {
            let row = row.expect("row");
            for cell in row.iter() {
                prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
            }
        }
    }
}
