//! The docs platform's anchor rule, exactly (DIALECT.md).

use checkdown::parse::anchor::{slug, Anchors};

#[test]
fn reference_case() {
    assert_eq!(
        slug("This - is a &@! heading _ with . and ! -"),
        "this---is-a--heading-_-with--and---"
    );
}

#[test]
fn tricky_headings() {
    let cases = [
        ("✓ Encrypt data at rest", "-encrypt-data-at-rest"),
        (
            "✓  Develop a basic recovery plan",
            "--develop-a-basic-recovery-plan",
        ),
        (
            "Select the right design model, resources, and features",
            "select-the-right-design-model-resources-and-features",
        ),
        (
            "Invest in SIEM and SOAR solutions",
            "invest-in-siem-and-soar-solutions",
        ),
        ("Don't use caching", "dont-use-caching"),
        ("[TP-3] Create backpressure", "tp-3-create-backpressure"),
        ("Use `az login`", "use-az-login"),
        ("Azure\u{a0}Files", "azurefiles"),
        ("tab\there", "tabhere"),
        ("snake_case_name", "snake_case_name"),
        ("Café ÜBER straße", "café-über-straße"),
        ("Ⅻ roman ½ half ٣", "-roman--half-٣"),
        ("日本語の見出し", "日本語の見出し"),
        ("!!!", "section"),
        ("", "section"),
        ("  padded  ", "padded"),
    ];
    for (text, want) in cases {
        assert_eq!(slug(text), want, "heading {text:?}");
    }
}

#[test]
fn repeats_get_numbers_over_the_whole_file() {
    let mut a = Anchors::default();
    let got: Vec<String> = [
        "Configuration recommendations",
        "Reliability",
        "Configuration recommendations",
        "Configuration recommendations",
    ]
    .iter()
    .map(|h| a.unique(h))
    .collect();
    assert_eq!(
        got,
        [
            "configuration-recommendations",
            "reliability",
            "configuration-recommendations-1",
            "configuration-recommendations-2"
        ]
    );
}

#[test]
fn anchors_come_from_inline_text_with_entities_decoded() {
    let text = "# T\n\n# [Level 1](#tab/level1)\n\n> [!div class=\"checklist\"]\n> - [A](#-a-b-c)\n> - [B](#-b-link)\n\n#### &#10003; A *b* `c`\n\nx\n\n#### &#10003; <span>B</span> [link](x.md)\n\ny\n\n---\n";
    let (doc, diags) = checkdown::compile_text("t.md", text);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("doc");
    let headings: Vec<Option<&str>> = doc.sections[0]
        .items
        .iter()
        .map(|i| i.heading.as_deref())
        .collect();
    assert_eq!(headings, [Some("A b c"), Some("B link")]);
}
