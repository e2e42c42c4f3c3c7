//! The command line: one test per diagnostic, from small fixtures, with exact text and exit
//! status.

use crate::common::{fixture, repo, run, stderr, temp_dir};

/// Runs `checkdown check` on a fixture folder; returns (exit code, diagnostics text without
/// the summary line, summary line without its timing).
fn check(name: &str, extra: &[&str]) -> (i32, String, String) {
    let dir = fixture("diag");
    let mut args = vec!["check", name];
    args.extend_from_slice(extra);
    let out = run(&dir, &args);
    let err = stderr(&out);
    let mut lines: Vec<&str> = err.lines().collect();
    let summary = lines.pop().unwrap_or("").to_string();
    let summary = summary.split(" in ").next().unwrap_or("").to_string();
    (out.status.code().unwrap_or(-1), lines.join("\n"), summary)
}

#[test]
fn missing_anchor_with_did_you_mean() {
    let (code, text, summary) = check("missing-anchor", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "error[missing-anchor]: checklist item links to `#-encrypt-data-at-rst`, which no heading in this file has
  --> missing-anchor/page.md:10:28
   |
10 | > - [Encrypt data at rest](#-encrypt-data-at-rst)
   |                            ^^^^^^^^^^^^^^^^^^^^^ no heading has this anchor
   |
help: did you mean `#-encrypt-data-at-rest`?
warning[unlisted-heading]: heading `✓ Encrypt data at rest` is not listed by any checklist
  --> missing-anchor/page.md:12:1
   |
12 | #### &#10003; Encrypt data at rest
   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no checklist links here
   |
help: add `> - [Encrypt data at rest](#-encrypt-data-at-rest)` to the checklist block above it, or remove the check mark"
    );
    assert_eq!(
        summary,
        "checkdown: 1 document, 1 item, 0 skipped, 1 error, 1 warning"
    );
}

#[test]
fn unlisted_heading_is_a_warning() {
    let (code, text, summary) = check("unlisted-heading", &[]);
    assert_eq!(code, 0);
    assert_eq!(
        text,
        "warning[unlisted-heading]: heading `✓ Forgotten` is not listed by any checklist
  --> unlisted-heading/page.md:12:1
   |
12 | #### &#10003; Forgotten
   | ^^^^^^^^^^^^^^^^^^^^^^^ no checklist links here
   |
help: add `> - [Forgotten](#-forgotten)` to the checklist block above it, or remove the check mark"
    );
    assert_eq!(
        summary,
        "checkdown: 1 document, 1 item, 0 skipped, 0 errors, 1 warning"
    );
}

#[test]
fn deny_warnings_turns_them_into_errors() {
    let (code, text, summary) = check("unlisted-heading", &["--deny", "warnings"]);
    assert_eq!(code, 1);
    assert!(
        text.starts_with("error[unlisted-heading]: heading `✓ Forgotten`"),
        "{text}"
    );
    assert_eq!(
        summary,
        "checkdown: 1 document, 1 item, 0 skipped, 1 error, 0 warnings"
    );
}

#[test]
fn unclosed_tab_group() {
    let (code, text, _) = check("unclosed-tab", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "error[unclosed-tab-group]: tab group is never closed
 --> unclosed-tab/page.md:3:1
  |
3 | # [Level 1: Start](#tab/level1)
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ the group opens here
  |
help: end the last tab with a line that is exactly `---`; its content runs to the end of the file"
    );
}

#[test]
fn front_matter_that_does_not_parse() {
    let (code, text, summary) = check("bad-yaml", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "error[front-matter]: front matter does not parse: mapping values are not allowed in this context
 --> bad-yaml/page.md:2:11
  |
2 | title: Bad: yaml: here
  |           ^^^^^^^^^^^^
  |
help: front matter is flat YAML: `key: value` lines, or lists of strings; quote values that contain `: ` or start with a special character"
    );
    // The page itself is still compiled.
    assert_eq!(
        summary,
        "checkdown: 1 document, 1 item, 0 skipped, 1 error, 0 warnings"
    );
}

#[test]
fn not_utf8() {
    let (code, text, summary) = check("not-utf8", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "error[not-utf8]: file is not valid UTF-8 (invalid byte at offset 16)
--> not-utf8/page.md:3:4
 |
help: save the file as UTF-8"
    );
    assert_eq!(
        summary,
        "checkdown: 0 documents, 0 items, 0 skipped, 1 error, 0 warnings"
    );
}

#[test]
fn mojibake_warning_suggests_the_repair() {
    let (code, text, _) = check("mojibake", &[]);
    assert_eq!(code, 0);
    assert_eq!(
        text,
        "warning[mojibake]: `â€”` looks like UTF-8 text decoded as Windows-1252
  --> mojibake/page.md:10:21
   |
10 | Hardening componentsâ€”all essential.
   |                     ^^^ probably `—`
   |
help: replace `â€”` with `—`"
    );
}

#[test]
fn clean_input_exits_zero() {
    let (code, text, summary) = check("clean", &[]);
    assert_eq!(code, 0);
    assert_eq!(text, "");
    assert_eq!(
        summary,
        "checkdown: 1 document, 1 item, 0 skipped, 0 errors, 0 warnings"
    );
}

#[test]
fn a_bad_file_never_stops_the_others() {
    let out_dir = temp_dir("all-fixtures");
    // The lock goes next to the output, not into the fixture folder.
    let lock = out_dir.join("checkdown.lock");
    let out = run(
        &fixture("diag"),
        &[
            "build",
            ".",
            "-o",
            out_dir.to_str().unwrap_or("."),
            "--lock",
            lock.to_str().unwrap_or("checkdown.lock"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let summary = err
        .lines()
        .last()
        .unwrap_or("")
        .split(" in ")
        .next()
        .unwrap_or("");
    assert_eq!(
        summary,
        "checkdown: 9 documents, 10 items, 0 skipped, 5 errors, 6 warnings, 22 files written"
    );
    let json = std::fs::read_to_string(out_dir.join("checklist.json")).expect("json written");
    let catalog: checkdown::model::Catalog = serde_json::from_str(&json).expect("parses");
    let paths: Vec<&str> = catalog.documents.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "bad-yaml/page.md",
            "broken-checklist/page.md",
            "broken-link/page.md",
            "clean/page.md",
            "missing-anchor/page.md",
            "mojibake/page.md",
            "unclosed-front-matter/page.md",
            "unclosed-tab/page.md",
            "unlisted-heading/page.md"
        ]
    );
}

#[test]
fn usage_errors_exit_two() {
    let out = run(&repo(), &["build", "--format", "pdf"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&repo(), &["build", "no-such-folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("input folder `no-such-folder` does not exist"));
    let out = run(&repo(), &["build", "input", "-o", "input"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is the input folder or contains it"));
}

#[test]
fn templates_override_file_by_file() {
    let out_dir = temp_dir("templates");
    let tpl = fixture("templates");
    let out = run(
        &repo(),
        &[
            "build",
            "input",
            "-o",
            out_dir.to_str().unwrap_or("."),
            "--format",
            "md",
            "--templates",
            tpl.to_str().unwrap_or("."),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The user's index.md replaces the built-in one...
    let index = std::fs::read_to_string(out_dir.join("checklists/index.md")).expect("index");
    assert_eq!(
        index,
        "# My checklists\n\n* Example architect deliverables: 2\n* Example release checklist: 3\n* Example design review checklist for security: 3\n* Security maturity model: 25\n* Architecture best practices for an example queue service: 8\n"
    );
    // ...and the built-in checklist.md still renders the pages.
    let page = std::fs::read_to_string(out_dir.join("checklists/security/maturity-model.md"))
        .expect("page");
    assert!(page.starts_with("# Security maturity model\n"));
    // Only md was asked for.
    assert!(!out_dir.join("checklist.json").exists());
    assert!(!out_dir.join("html").exists());
}

#[test]
fn init_templates_writes_the_defaults_and_never_overwrites() {
    let dir = temp_dir("init-templates");
    let out = run(&repo(), &["init-templates", dir.to_str().unwrap_or(".")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (name, content) in checkdown::render::templates::BUILTIN {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).expect(name),
            content
        );
    }
    let again = run(&repo(), &["init-templates", dir.to_str().unwrap_or(".")]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists; not overwritten"));
}

#[test]
fn broken_links_are_warnings() {
    let (code, text, summary) = check(
        "broken-link",
        &[
            "--base-url",
            "https://learn.microsoft.com/azure/well-architected/",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(
        text,
        "warning[broken-link]: link target `missing-guide.md` is not in INPUT
 --> broken-link/page.md:6:41
  |
6 | > - **Read the guide.** See [the guide](missing-guide.md) and [below](#no-such-heading).
  |                                         ^^^^^^^^^^^^^^^^ no such page under INPUT
  |
help: the published link will be https://learn.microsoft.com/azure/well-architected/missing-guide; fix the path if that page does not exist
warning[broken-link]: in-page link to `#no-such-heading`, which no heading in this file has
 --> broken-link/page.md:6:71
  |
6 | > - **Read the guide.** See [the guide](missing-guide.md) and [below](#no-such-heading).
  |                                                                       ^^^^^^^^^^^^^^^^ no heading has this anchor
  |
help: fix the anchor (lowercase, spaces as `-`, punctuation dropped) or the heading"
    );
    assert_eq!(
        summary,
        "checkdown: 1 document, 1 item, 0 skipped, 0 errors, 2 warnings"
    );
}

#[test]
fn broken_checklist_block_is_continued() {
    let (code, text, summary) = check("broken-checklist", &[]);
    assert_eq!(code, 0);
    assert_eq!(
        text,
        "warning[broken-checklist]: this line is not prefixed with `>`, so it ends the checklist block
  --> broken-checklist/page.md:11:1
   |
11 |   | 3 | 4 |
   | ^^^^^^^^^^^ stray line
   |
help: prefix the line with `>` (and the item's indentation); the list after it is read as part of the same checklist"
    );
    assert_eq!(
        summary,
        "checkdown: 1 document, 2 items, 0 skipped, 0 errors, 1 warning"
    );
    let text = std::fs::read_to_string(fixture("diag/broken-checklist/page.md")).expect("fixture");
    let (doc, _) = checkdown::compile_text("page.md", &text);
    let items = &doc.expect("doc").sections[0].items;
    assert_eq!(
        items[0].body,
        "body with a table.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |"
    );
    assert_eq!(items[1].title, "Second");
}

#[test]
fn unclosed_front_matter() {
    let (code, text, summary) = check("unclosed-front-matter", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "error[front-matter]: front matter is never closed
 --> unclosed-front-matter/page.md:1:1
  |
1 | ---
  | ^^^ opened here
  |
help: add a line `---` after the last front matter key; the file is read as Markdown without front matter"
    );
    assert_eq!(
        summary,
        "checkdown: 1 document, 1 item, 0 skipped, 1 error, 0 warnings"
    );
}

#[test]
fn base_url_must_be_an_http_url_and_jobs_is_bounded() {
    for bad in [
        "not a url",
        "javascript:alert(1)",
        "ftp://host/x/",
        "https://host/x/?q=1",
    ] {
        let out = run(&repo(), &["check", "--base-url", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).contains("--base-url <URL>"), "{bad}");
    }
    let out = run(
        &repo(),
        &["check", "--base-url", "https://docs.example.com/guides/"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&repo(), &["check", "--jobs", "5000"]);
    assert_eq!(out.status.code(), Some(2));
}
