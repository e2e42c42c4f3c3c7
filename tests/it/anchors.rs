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

/// Keys and ids of a document's items in order, by section id.
fn keys_and_ids(page: &str) -> Vec<(String, String, String)> {
    let (doc, diags) = checkdown::compile_text("a.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    doc.expect("a checklist")
        .sections
        .iter()
        .flat_map(|s| {
            s.items
                .iter()
                .map(|i| (s.id.clone(), i.key.clone(), i.id.clone()))
        })
        .collect()
}

/// Items of one title are numbered as anchors are, each repeat with the smallest suffix
/// not yet taken (a title of its own may take one first). These keys, and the ids made
/// from them, are in users' locks: they never change.
#[test]
fn items_of_one_title_keep_their_keys_and_ids() {
    let page = "# P\n\n## H\n\n- [ ] Same task\n- [ ] Same task 2\n- [ ] Same task\n- [ ] Same task\n- [ ] Same task\n- [ ] Same task 1\n- [ ] Same task\n";
    let want = [
        ("a.md#h/same-task", "0ace3684-5c67-5bb6-b21b-dcd76316bb7d"),
        ("a.md#h/same-task-2", "0ebdbe31-4561-565b-9f60-0acf65853408"),
        ("a.md#h/same-task-1", "21c43772-c5cd-521c-ac45-889e59ec4bd1"),
        ("a.md#h/same-task-3", "5898a339-cd79-5aa1-a980-e1714b6e4581"),
        ("a.md#h/same-task-4", "3d758ff9-6300-5e89-b086-6cfa8b7047ac"),
        (
            "a.md#h/same-task-1-1",
            "430814b9-c929-55c6-a827-8fcabe97bf41",
        ),
        ("a.md#h/same-task-5", "6417455b-f482-544b-b09a-eb0c3912bda7"),
    ];
    let got = keys_and_ids(page);
    let got: Vec<(&str, &str)> = got
        .iter()
        .map(|(_, k, i)| (k.as_str(), i.as_str()))
        .collect();
    assert_eq!(got, want);
}

/// Sections of one title (MkDocs tabs of one name) get ids numbered the same way, and
/// their items' keys with them.
#[test]
fn sections_of_one_title_keep_their_ids() {
    let mut page = String::from("# P\n\n");
    for tab in ["Linux 2", "Linux", "Linux", "Linux", "Linux 1"] {
        page.push_str(&format!("=== \"{tab}\"\n\n    - [ ] Task\n\nText.\n\n"));
    }
    let want = [
        (
            "linux-2",
            "a.md#linux-2/task",
            "6fd4e0a6-fd8f-5fd8-80ce-06402c462ad7",
        ),
        (
            "linux",
            "a.md#linux/task",
            "8926f80b-b29f-58b5-995f-9c23e6989c8f",
        ),
        (
            "linux-1",
            "a.md#linux-1/task",
            "7c2ddad6-fba9-55ff-bb3e-fbd535e9afad",
        ),
        (
            "linux-3",
            "a.md#linux-3/task",
            "b08b226d-ce1b-511d-ad04-5d8dfee689ad",
        ),
        (
            "linux-1-1",
            "a.md#linux-1-1/task",
            "861c4e1c-e107-5977-ad28-4513242578d2",
        ),
    ];
    let got = keys_and_ids(&page);
    let got: Vec<(&str, &str, &str)> = got
        .iter()
        .map(|(s, k, i)| (s.as_str(), k.as_str(), i.as_str()))
        .collect();
    assert_eq!(got, want);
}
