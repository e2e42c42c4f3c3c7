//! Corners of the hardening issue that live in extract and render: an H1 after the first
//! section, CR-only line ends, control characters in messages, page names that look like
//! URL schemes.

use crate::common;

#[test]
fn a_checklist_after_a_second_h1_is_compiled() {
    let page = "## Overview\n\nIntro.\n\n# Main\n\n> [!div class=\"checklist\"]\n> - **Rotate keys.** Every quarter.\n";
    let (doc, diags) = checkdown::compile_text("t.md", page);
    assert!(diags.is_empty(), "{diags:?}");
    let doc = doc.expect("the checklist under `# Main` is read");
    let titles: Vec<(&str, &str)> = doc
        .sections
        .iter()
        .flat_map(|s| {
            s.items
                .iter()
                .map(move |i| (s.title.as_str(), i.title.as_str()))
        })
        .collect();
    assert_eq!(titles, [("Main", "Rotate keys")]);
}

#[test]
fn cr_only_line_ends_report_the_right_line() {
    let page = "# T\r\r> [!div class=\"checklist\"]\r> - [Missing](#nowhere)\r";
    let (_, diags) = checkdown::compile_text("t.md", page);
    let at: Vec<(&str, usize, usize)> = diags.iter().map(|d| (d.code, d.line, d.column)).collect();
    assert_eq!(at, [("missing-anchor", 4, 15)]);
}

#[test]
fn control_characters_from_the_docs_are_shown_escaped() {
    let dir = common::temp_dir("control-chars");
    std::fs::write(
        dir.join("page.md"),
        "# T\n\n> [!div class=\"checklist\"]\n> - [Other](#other)\n\n#### &#10003; Other\n\nText.\n\n#### &#10003; Bell\u{7}\u{1b}[31m\n\nText.\n",
    )
    .expect("page");
    for format in ["human", "github"] {
        let o = common::run(
            &dir,
            &["check", ".", "--lock", "lock", "--message-format", format],
        );
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            !all.chars().any(|c| c.is_control() && c != '\n'),
            "{format}: {all:?}"
        );
        assert!(all.contains("\\u{7}\\u{1b}[31m"), "{format}: {all}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn page_links_in_the_indexes_are_relative_paths() {
    let dir = common::temp_dir("scheme-names");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).expect("input");
    std::fs::write(input.join("javascript:alert(1).md"), "# T\n\n- [ ] One\n").expect("page");
    std::fs::write(input.join("a#b c.md"), "# U\n\n- [ ] Two\n").expect("page");
    let out = dir.join("out");
    let o = common::build_into(&input, &out, &dir.join("lock"), &["--format", "html,md"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let html = std::fs::read_to_string(out.join("html/index.html")).expect("index");
    assert!(
        html.contains("href=\"./javascript%3Aalert%281%29.html\""),
        "{html}"
    );
    assert!(html.contains("href=\"./a%23b%20c.html\""));
    assert!(!html.contains("href=\"javascript:"));
    let md = std::fs::read_to_string(out.join("checklists/index.md")).expect("index");
    // The Markdown index encodes the same way: `#` would start a fragment there too.
    assert!(md.contains("](./javascript%3Aalert%281%29.md)"), "{md}");
    assert!(md.contains("](./a%23b%20c.md)"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}
