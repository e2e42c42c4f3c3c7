//! Faults reported against checkdown, each reduced to a small page of our own: an item
//! whose text is an indented code block, a checklist line that lost its `>` and is a list
//! item, `\|` in a code span of a table cell, a lock that gives one id to two keys. Each
//! with its variants, in every output.

use checkdown::diag::Diagnostic;
use checkdown::model::{Catalog, Document, Item, FORMAT};
use checkdown::render::tracker::{self, Tracker};
use checkdown::render::{render_with, Format, OutputFile};

fn compile(path: &str, text: &str) -> (Document, Vec<Diagnostic>) {
    let (doc, diags) = checkdown::compile_text(path, text);
    (doc.expect("the page is a checklist"), diags)
}

fn items(doc: &Document) -> Vec<&Item> {
    doc.sections.iter().flat_map(|s| &s.items).collect()
}

/// (title, body) of every item.
fn titles_bodies(doc: &Document) -> Vec<(&str, &str)> {
    items(doc)
        .iter()
        .map(|i| (i.title.as_str(), i.body.as_str()))
        .collect()
}

/// `code line:column message` of every diagnostic.
fn diags(diags: &[Diagnostic]) -> Vec<String> {
    let mut diags: Vec<&Diagnostic> = diags.iter().collect();
    diags.sort_by_key(|d| (d.line, d.column));
    diags
        .into_iter()
        .map(|d| format!("{} {}:{} {}", d.code, d.line, d.column, d.message))
        .collect()
}

/// Every output of one document: Markdown, HTML, JSON and every backlog.
fn outputs(doc: &Document) -> Vec<OutputFile> {
    let catalog = Catalog {
        format: FORMAT,
        documents: vec![doc.clone()],
    };
    let opts = tracker::Options {
        trackers: Tracker::ALL.to_vec(),
        ..tracker::Options::default()
    };
    render_with(
        &catalog,
        &[Format::Md, Format::Csv, Format::Html, Format::Json],
        None,
        &opts,
    )
    .expect("renders")
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
    let f = files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} is written"));
    std::str::from_utf8(&f.bytes).expect("utf-8")
}

/// The rows of a CSV file (header first).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect()
}

/// Column `col` of every row after the header.
fn column(text: &str, col: usize) -> Vec<String> {
    csv_rows(text)
        .into_iter()
        .skip(1)
        .map(|r| r.get(col).cloned().unwrap_or_default())
        .collect()
}

/// The text of every checkbox label of an HTML page.
fn labels(html: &str) -> Vec<String> {
    html.split("<label for=\"check-")
        .skip(1)
        .map(|s| {
            let s = s.split_once('>').map_or("", |(_, rest)| rest);
            s.split("</label>").next().unwrap_or("").to_string()
        })
        .collect()
}

/// The titles of every output, output by output: Markdown task lines, HTML labels, JSON,
/// and the title column of each backlog (parent rows included).
fn titles_everywhere(doc: &Document, stem: &str) -> Vec<(String, Vec<String>)> {
    let files = outputs(doc);
    let md: Vec<String> = file(&files, &format!("checklists/{stem}.md"))
        .lines()
        .filter_map(|l| l.strip_prefix("- [ ] ").or(l.strip_prefix("- [x] ")))
        .map(str::to_string)
        .collect();
    let json: Catalog =
        serde_json::from_str(file(&files, "checklist.json")).expect("checklist.json parses");
    let github: Vec<String> = file(&files, "backlog-github.jsonl")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["title"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    let ado: Vec<String> = csv_rows(file(&files, "backlog-azure-devops.csv"))
        .into_iter()
        .skip(1)
        .map(|r| format!("{}{}", r[1], r[2]))
        .collect();
    vec![
        ("md".into(), md),
        (
            "html".into(),
            labels(file(&files, &format!("html/{stem}.html"))),
        ),
        (
            "json".into(),
            json.documents
                .iter()
                .flat_map(|d| &d.sections)
                .flat_map(|s| &s.items)
                .map(|i| i.title.clone())
                .collect(),
        ),
        ("generic".into(), column(file(&files, "backlog.csv"), 4)),
        ("jira".into(), column(file(&files, "backlog-jira.csv"), 3)),
        ("azure-devops".into(), ado),
        (
            "gitlab".into(),
            column(file(&files, "backlog-gitlab.csv"), 0),
        ),
        ("github".into(), github),
    ]
}

// 1. An item whose text is an indented code block.

/// `> - ` then a tab, or five spaces: CommonMark reads the text as an indented code block.
const CODE_ITEMS: &str = "# Keys

## Signing

> [!div class=\"checklist\"]
> -\tRotate the signing key.
> -     Rotate the backup key. Then check the backup.
> - [ ]     Rotate the third key.
> -      [ ] Rotate the fourth key.
> - Plain item.
";

#[test]
fn an_item_whose_text_is_an_indented_code_block_takes_that_text() {
    let (doc, d) = compile("keys.md", CODE_ITEMS);
    assert_eq!(diags(&d), Vec::<String>::new());
    assert_eq!(
        titles_bodies(&doc),
        [
            ("Rotate the signing key", ""),
            ("Rotate the backup key", "Then check the backup."),
            ("Rotate the third key", ""),
            // Five spaces before `[ ]`: no task marker, the code block's text.
            ("[ ] Rotate the fourth key", ""),
            ("Plain item", ""),
        ]
    );
    let keys: Vec<&str> = items(&doc).iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "keys.md#signing/rotate-the-signing-key",
            "keys.md#signing/rotate-the-backup-key",
            "keys.md#signing/rotate-the-third-key",
            "keys.md#signing/--rotate-the-fourth-key",
            "keys.md#signing/plain-item",
        ]
    );
    assert!(items(&doc).iter().all(|i| i.kind == "item"));
}

#[test]
fn an_indented_code_item_has_its_title_in_every_output() {
    let (doc, _) = compile("keys.md", CODE_ITEMS);
    let titles = [
        "Rotate the signing key",
        "Rotate the backup key",
        "Rotate the third key",
        "[ ] Rotate the fourth key",
        "Plain item",
    ];
    for (output, got) in titles_everywhere(&doc, "keys") {
        let got: Vec<&str> = got.iter().map(String::as_str).collect();
        let want: Vec<String> = match output.as_str() {
            // Bold titles, the rest after a colon.
            "md" => vec![
                "**Rotate the signing key**".into(),
                "**Rotate the backup key**: Then check the backup.".into(),
                "**Rotate the third key**".into(),
                "**\\[ \\] Rotate the fourth key**".into(),
                "**Plain item**".into(),
            ],
            // The section's parent row first.
            "jira" | "azure-devops" | "github" => std::iter::once("Keys / Signing".to_string())
                .chain(titles.iter().map(|t| t.to_string()))
                .collect(),
            _ => titles.iter().map(|t| t.to_string()).collect(),
        };
        assert_eq!(got, want, "{output}");
    }
}

#[test]
fn an_indented_code_item_in_a_pillar_section_is_a_practice() {
    let page = "# Security\n\n## Security\n\n> [!div class=\"checklist\"]\n> -\tRotate the signing key. Keep the old one a week.\n> - **Bold lead.** Text.\n";
    let (doc, d) = compile("sec.md", page);
    assert_eq!(diags(&d), Vec::<String>::new());
    let got: Vec<(&str, &str, &str)> = items(&doc)
        .iter()
        .map(|i| (i.kind.as_str(), i.title.as_str(), i.body.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "practice",
                "Rotate the signing key",
                "Keep the old one a week."
            ),
            ("practice", "Bold lead", "Text."),
        ]
    );
}

#[test]
fn an_indented_code_item_in_every_list_form() {
    // F: a plain list under "Workload design checklist".
    let f = "# Review\n\n### Workload design checklist\n\n-\tRotate the signing key.\n-     Rotate the backup key.\n";
    // D: task lists.
    let d =
        "# Tasks\n\n## Do\n\n- [ ]\tRotate the signing key.\n- [x]     Rotate the backup key.\n";
    // E: a checklist page.
    let e = "---\nms.topic: checklist\n---\n# Key checklist\n\n## Do\n\n-\tRotate the signing key.\n*     Rotate the backup key. Then check it.\n";
    for (path, page, kind, checked) in [
        ("f.md", f, "practice", [false, false]),
        ("d.md", d, "task", [false, true]),
        ("e.md", e, "practice", [false, false]),
    ] {
        let (doc, diag) = compile(path, page);
        assert_eq!(diags(&diag), Vec::<String>::new(), "{path}");
        let got: Vec<(&str, &str, bool)> = items(&doc)
            .iter()
            .map(|i| (i.kind.as_str(), i.title.as_str(), i.checked))
            .collect();
        assert_eq!(
            got,
            [
                (kind, "Rotate the signing key", checked[0]),
                (kind, "Rotate the backup key", checked[1]),
            ],
            "{path}"
        );
    }
}

#[test]
fn an_item_without_text_is_reported_and_left_out() {
    let page = "# Tasks

## Do

- [ ] 
- [x] Tag the release.

> [!div class=\"checklist\"]
> - [](#-missing-text)
> - Keep this one.
";
    let (doc, d) = compile("empty.md", page);
    assert_eq!(
        diags(&d),
        [
            "empty-item 5:1 this task has no text, so it is left out",
            "empty-item 9:3 this checklist item has no text, so it is left out",
            "missing-anchor 9:8 checklist item links to `#-missing-text`, which no heading in this file has",
        ]
    );
    assert_eq!(
        titles_bodies(&doc),
        [("Tag the release", ""), ("Keep this one", "")]
    );
    let help = d
        .iter()
        .find(|x| x.code == "empty-item")
        .and_then(|x| x.help.clone());
    assert_eq!(
        help.as_deref(),
        Some("write the item's text after its marker, or remove the empty item")
    );
}

#[test]
fn a_linked_item_without_link_text_takes_its_heading() {
    let page = "# Model

## Level 1

> [!div class=\"checklist\"]
> - [](#-rotate-keys)
> - [Audit access](#-audit-access)

### &#10003; Rotate keys

Rotate them yearly.

### &#10003; Audit access

Read the logs.
";
    let (doc, d) = compile("model.md", page);
    assert_eq!(diags(&d), Vec::<String>::new());
    assert_eq!(
        titles_bodies(&doc),
        [
            ("Rotate keys", "Rotate them yearly."),
            ("Audit access", "Read the logs.")
        ]
    );
}

#[test]
fn a_checklist_page_item_without_text_is_reported() {
    let page = "---\nms.topic: checklist\n---\n# Key checklist\n\n## Do\n\n- ![](diagram.png)\n- Rotate the key.\n";
    let (doc, d) = compile("page.md", page);
    assert_eq!(
        diags(&d),
        ["empty-item 8:1 this checklist item has no text, so it is left out"]
    );
    assert_eq!(titles_bodies(&doc), [("Rotate the key", "")]);
}

#[test]
fn a_table_row_without_text_is_reported_and_left_out() {
    let page = "# Tables

## Review

| | Code | Recommendation |
|---|---|---|
| &#9744; | [SE:01](a.md) | |
| &#9744; | [SE:02](a.md) | <br> |
| &#9744; | [SE:03](a.md) | Encrypt. |

## Deliverables

| | Task |
|---|---|
| &#9744; | ![](x.png) |
| &#9744; | Write the plan. |

## Recommendations

| Recommendation | Benefit |
|---|---|
| ![](x.png) | Faster. |
| Cache reads. | Faster. |

## Boxes

| Done | Task | Owner |
|---|---|---|
| [ ] | <br> | Ops |
| [ ] | Tag it. | Ops |

## Codes

| Code | Recommendation |
|---|---|
| [MIG:01](a.md) | |
| [MIG:02](a.md) | Plan waves. |
";
    let (doc, d) = compile("tables.md", page);
    let row = "this table row has no text, so it is left out";
    assert_eq!(
        diags(&d),
        [
            format!("empty-item 7:2 {row}"),
            format!("empty-item 8:2 {row}"),
            format!("empty-item 15:2 {row}"),
            format!("empty-item 22:2 {row}"),
            format!("empty-item 29:2 {row}"),
            format!("empty-item 36:2 {row}"),
        ]
    );
    let got: Vec<(&str, &str)> = items(&doc)
        .iter()
        .map(|i| (i.kind.as_str(), i.title.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("review", "Encrypt"),
            ("deliverable", "Write the plan"),
            ("recommendation", "Cache reads"),
            ("item", "Tag it"),
            ("review", "Plan waves"),
        ]
    );
    // No output has an empty title.
    for (output, titles) in titles_everywhere(&doc, "tables") {
        assert!(
            titles.iter().all(|t| !t.trim().is_empty()),
            "{output}: {titles:?}"
        );
        assert!(!titles.is_empty(), "{output}");
    }
}

// 2. A checklist line that lost its `>` and is itself a list item.

const STRAY_STRATEGIES: &str = "# Model

## Level 1

> [!div class=\"checklist\"]
> - [Alpha](#-alpha)
- [Beta](#-beta)
> - [Gamma](#-gamma)

### &#10003; Alpha

Do alpha.

### &#10003; Beta

Do beta.

### &#10003; Gamma

Do gamma.
";

const STRAY_HELP: &str = "prefix the line with `>` (and the item's indentation); the list after it is read as part of the same checklist";

#[test]
fn a_stray_list_item_is_an_item_of_the_checklist_and_the_quote_after_it_continues_it() {
    let ordered = STRAY_STRATEGIES
        .replace("> - [Alpha]", "> 1. [Alpha]")
        .replace("- [Beta]", "2. [Beta]")
        .replace("> - [Gamma]", "> 3. [Gamma]");
    for page in [STRAY_STRATEGIES.to_string(), ordered] {
        let (doc, d) = compile("model.md", &page);
        assert_eq!(
            diags(&d),
            ["broken-checklist 7:1 this line is not prefixed with `>`, so it ends the checklist block"],
            "{page}"
        );
        assert_eq!(d[0].help.as_deref(), Some(STRAY_HELP));
        let got: Vec<(&str, &str, &str, &str)> = items(&doc)
            .iter()
            .map(|i| {
                (
                    i.kind.as_str(),
                    i.key.as_str(),
                    i.title.as_str(),
                    i.body.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("strategy", "model.md#-alpha", "Alpha", "Do alpha."),
                ("strategy", "model.md#-beta", "Beta", "Do beta."),
                ("strategy", "model.md#-gamma", "Gamma", "Do gamma."),
            ],
            "{page}"
        );
        let lines: Vec<usize> = items(&doc).iter().map(|i| i.source.line).collect();
        assert_eq!(lines, [10, 14, 18], "each item at its heading");
        for (output, titles) in titles_everywhere(&doc, "model") {
            let want: &[&str] = match output.as_str() {
                "md" => &["**Alpha**", "**Beta**", "**Gamma**"],
                "jira" | "azure-devops" | "github" => {
                    &["Model / Level 1", "Alpha", "Beta", "Gamma"]
                }
                _ => &["Alpha", "Beta", "Gamma"],
            };
            assert_eq!(titles, want, "{output}");
        }
    }
}

#[test]
fn several_stray_lines_and_a_stray_last_line_are_items_of_the_checklist() {
    let page = "# Release

## Steps

> [!div class=\"checklist\"]
> - Tag the release.
- Push the tag.
- Publish the notes.
> - Announce it.
- [ ] Close the milestone.
> - [x] Thank the team.
- [x] Archive the board.

Unrelated paragraph.

- Unrelated list, after a blank line.
";
    let (doc, d) = compile("release.md", page);
    let stray = "this line is not prefixed with `>`, so it ends the checklist block";
    assert_eq!(
        diags(&d),
        [7, 8, 10, 12].map(|l| format!("broken-checklist {l}:1 {stray}"))
    );
    // The last stray line has no quote after it.
    assert_eq!(
        d.iter().map(|x| x.help.as_deref().unwrap_or("")).collect::<Vec<_>>(),
        [
            STRAY_HELP,
            STRAY_HELP,
            STRAY_HELP,
            "prefix the line with `>` (and the item's indentation); it is read as part of the checklist above it",
        ]
    );
    let got: Vec<(&str, bool, usize)> = items(&doc)
        .iter()
        .map(|i| (i.title.as_str(), i.checked, i.source.line))
        .collect();
    assert_eq!(
        got,
        [
            ("Tag the release", false, 6),
            ("Push the tag", false, 7),
            ("Publish the notes", false, 8),
            ("Announce it", false, 9),
            ("Close the milestone", false, 10),
            ("Thank the team", true, 11),
            ("Archive the board", true, 12),
        ]
    );
    assert_eq!(doc.sections.len(), 1);
}

#[test]
fn a_stray_list_item_in_a_practice_checklist_keeps_its_lead() {
    let page = "# Security

## Security

> [!div class=\"checklist\"]
> - **Rotate keys.** Yearly.
- **Audit access.** Weekly,
  and after each incident.
> - **Encrypt data.** Always.
";
    let (doc, d) = compile("sec.md", page);
    assert_eq!(
        diags(&d),
        ["broken-checklist 7:1 this line is not prefixed with `>`, so it ends the checklist block"]
    );
    assert_eq!(
        titles_bodies(&doc),
        [
            ("Rotate keys", "Yearly."),
            ("Audit access", "Weekly,\nand after each incident."),
            ("Encrypt data", "Always."),
        ]
    );
}

// 5. `\|` inside a code span in a table cell.

const PIPES: &str = "# Service guide

## Configuration recommendations

| Recommendation | Benefit |
|---|---|
| Use the `a \\| b` fallback operator. Then `x \\| y` again. | Keeps `c \\| d` working. |
| Split on a \\| outside code. | Ends with a pipe \\| |

## Review

| | Code | Recommendation |
|---|---|---|
| &#9744; | [SE:01](a.md) | **Use `a \\| b`.** Then `c \\| d`. |

## Boxes

| Done | Task | Note |
|---|---|---|
| [ ] | Run `ls \\| wc`. | `p \\| q` |

## Codes

| Code | Recommendation |
|---|---|
| [MIG:01](a.md) | Plan the `e \\| f` waves. |
";

#[test]
fn an_escaped_pipe_in_a_table_cell_is_a_pipe() {
    let (doc, d) = compile("cfg.md", PIPES);
    assert_eq!(diags(&d), Vec::<String>::new());
    let got: Vec<(&str, &str, Option<&str>)> = items(&doc)
        .iter()
        .map(|i| (i.title.as_str(), i.body.as_str(), i.benefit.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "Use the a | b fallback operator",
                "Use the `a | b` fallback operator. Then `x | y` again.",
                Some("Keeps `c | d` working.")
            ),
            (
                "Split on a | outside code",
                "Split on a | outside code.",
                Some("Ends with a pipe |")
            ),
            ("Use a | b", "Then `c | d`.", None),
            ("Run ls | wc", "**Note:** `p | q`", None),
            ("Plan the e | f waves", "", None),
        ]
    );
}

#[test]
fn an_escaped_pipe_in_a_table_cell_is_a_pipe_in_every_output() {
    let (doc, _) = compile("cfg.md", PIPES);
    let files = outputs(&doc);
    let titles = [
        "Use the a | b fallback operator",
        "Split on a | outside code",
        "Use a | b",
        "Run ls | wc",
        "Plan the e | f waves",
    ];
    for (output, got) in titles_everywhere(&doc, "cfg") {
        if output == "md" {
            continue;
        }
        let got: Vec<&str> = got
            .iter()
            .map(String::as_str)
            .filter(|t| !t.starts_with("Service guide / "))
            .collect();
        assert_eq!(got, titles, "{output}");
    }
    // Markdown: the title's pipe escaped (it is text), code spans as they are.
    let md = file(&files, "checklists/cfg.md");
    let lines: Vec<&str> = md.lines().filter(|l| l.starts_with("- [ ]")).collect();
    assert_eq!(
        lines,
        [
            "- [ ] **Use the a \\| b fallback operator**: Keeps `c | d` working.",
            "- [ ] **Split on a \\| outside code**: Ends with a pipe \\|",
            "- [ ] **Use a \\| b**: Then `c | d`. `SE:01`",
            "- [ ] **Run ls \\| wc**: Note: `p | q`",
            "- [ ] **Plan the e \\| f waves** `MIG:01`",
        ]
    );
    // HTML: the code is `a | b`, never `a \| b`.
    let html = file(&files, "html/cfg.html");
    for code in ["a | b", "x | y", "c | d", "p | q"] {
        assert!(html.contains(&format!("<code>{code}</code>")), "{code}");
    }
    for f in &files {
        let text = String::from_utf8_lossy(&f.bytes);
        // Never a code span or code element with the backslash (Jira's wiki markup
        // escapes every `|` it writes: it would end a table cell).
        for code in ["a \\| b", "x \\| y", "c \\| d", "p \\| q", "e \\| f"] {
            for written in [format!("`{code}`"), format!("<code>{code}")] {
                assert!(!text.contains(&written), "{}: {written}", f.path);
            }
        }
    }
    let jira = csv_rows(file(&files, "backlog-jira.csv"));
    assert_eq!(jira[2][3], "Use the a | b fallback operator");
    assert!(
        jira[2][5].starts_with(
            "Use the {{a \\| b}} fallback operator. Then {{x \\| y}} again.\n\nh3. Benefit\n\nKeeps {{c \\| d}} working.\n\n"
        ),
        "{}",
        jira[2][5]
    );
    let gitlab = csv_rows(file(&files, "backlog-gitlab.csv"));
    assert!(
        gitlab[1][1].contains("\n\nUse the `a | b` fallback operator. Then `x | y` again.\n\n"),
        "{}",
        gitlab[1][1]
    );
    let github: Vec<serde_json::Value> = file(&files, "backlog-github.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert!(github[1]["body"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Use the `a | b` fallback operator. Then `x | y` again."));
}

#[test]
fn a_pipe_that_goes_back_into_a_table_is_escaped_again() {
    // A table in a body: Jira's table cell escapes the pipe, Markdown keeps the source's
    // escaped pipe, HTML shows the code.
    let page = "# Model

## Level 1

> [!div class=\"checklist\"]
> - [Alpha](#-alpha)

### &#10003; Alpha

| Op | Meaning |
|---|---|
| `a \\| b` | either |
";
    let (doc, _) = compile("m.md", page);
    assert_eq!(
        items(&doc)[0].body,
        "| Op | Meaning |\n|---|---|\n| `a \\| b` | either |"
    );
    let files = outputs(&doc);
    let jira = csv_rows(file(&files, "backlog-jira.csv"));
    assert!(
        jira[2][5].starts_with("||Op||Meaning||\n|{{a \\| b}}|either|"),
        "{}",
        jira[2][5]
    );
    assert!(file(&files, "html/m.html").contains("<td><code>a | b</code></td>"));
}

// 3. A lock that gives one id to two keys.

use checkdown::extract::checklist::item_id;
use checkdown::lock::Lock;

fn lock_text(entries: &[(&str, &str, &str)]) -> String {
    let mut out = String::from("checkdown-lock 1\n");
    let mut doc = "";
    for (key, id, title) in entries {
        let path = key.split('#').next().unwrap_or_default();
        if path != doc {
            out.push_str(&format!("\n[{path}]\n"));
            doc = path;
        }
        out.push_str(&format!("\nkey {key}\nid {id}\ntitle {title}\nbody\n"));
    }
    out
}

#[test]
fn a_lock_that_gives_one_id_to_two_keys_keeps_it_for_the_first() {
    let x = "6fdde0e8-d833-5657-9a45-39bf2803d1da";
    let lock = Lock::parse(&lock_text(&[
        ("a.md#steps/old", x, "Old"),
        ("a.md#steps/new", x, "New"),
        ("b.md#steps/other", x, "Other"),
    ]))
    .expect("the lock parses");
    let kept: Vec<(&str, &str)> = lock
        .entries()
        .map(|e| (e.key.as_str(), e.id.as_str()))
        .collect();
    assert_eq!(kept, [("a.md#steps/old", x)]);
    let warnings: Vec<String> = lock
        .duplicates()
        .iter()
        .map(|d| {
            let d = d.diagnostic("checkdown.lock");
            format!("{} {}:{} {}", d.code, d.path, d.line, d.message)
        })
        .collect();
    assert_eq!(
        warnings,
        [
            format!("duplicate-id checkdown.lock:10 the lock gives id {x} to two keys, `a.md#steps/old` (line 5) and `a.md#steps/new`: `a.md#steps/old` keeps it, `a.md#steps/new` is read as a new item"),
            format!("duplicate-id checkdown.lock:17 the lock gives id {x} to two keys, `a.md#steps/old` (line 5) and `b.md#steps/other`: `a.md#steps/old` keeps it, `b.md#steps/other` is read as a new item"),
        ]
    );
}

/// `in/page.md` and `in/other.md`, and a lock whose entries all have one id.
fn shared_id_case(name: &str) -> std::path::PathBuf {
    let dir = crate::common::temp_dir(name);
    std::fs::create_dir_all(dir.join("in")).expect("mkdir");
    std::fs::write(
        dir.join("in/page.md"),
        "# Release\n\n## Steps\n\n- [ ] Tag the release.\n- [ ] Push the tag.\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("in/other.md"),
        "# Other\n\n## Steps\n\n- [ ] Write notes.\n",
    )
    .expect("write");
    // What a merge leaves, or the README's rename advice while the old item still exists.
    let x = item_id("page.md#steps/push-the-tag");
    std::fs::write(
        dir.join("in/checkdown.lock"),
        lock_text(&[
            ("other.md#steps/write-notes", &x, "Write notes"),
            ("page.md#steps/push-the-tag", &x, "Push the tag"),
            ("page.md#steps/tag-the-release", &x, "Tag the release"),
        ]),
    )
    .expect("write");
    dir
}

#[test]
fn a_lock_that_gives_one_id_to_two_keys_is_repaired_with_a_warning_naming_both() {
    let dir = shared_id_case("shared-id");
    let x = item_id("page.md#steps/push-the-tag");
    let out = crate::common::run(
        &dir,
        &["build", "in", "-o", "out", "--message-format", "json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON diagnostic"))
        .collect();
    let got: Vec<String> = lines
        .iter()
        .map(|d| {
            format!(
                "{} {}:{} {}",
                d["code"].as_str().unwrap_or(""),
                d["path"].as_str().unwrap_or(""),
                d["line"],
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    // Push the tag's own v5 id is the shared one: it gets the v5 id of its key and a number.
    let new = item_id("page.md#steps/push-the-tag\n1");
    let tag = item_id("page.md#steps/tag-the-release");
    assert_eq!(
        got,
        [
            format!("duplicate-id in/checkdown.lock:12 the lock gives id {x} to two keys, `other.md#steps/write-notes` (line 5) and `page.md#steps/push-the-tag`: `other.md#steps/write-notes` keeps it, `page.md#steps/push-the-tag` is read as a new item"),
            format!("duplicate-id in/checkdown.lock:17 the lock gives id {x} to two keys, `other.md#steps/write-notes` (line 5) and `page.md#steps/tag-the-release`: `other.md#steps/write-notes` keeps it, `page.md#steps/tag-the-release` is read as a new item"),
            format!("duplicate-id in/page.md:6 `page.md#steps/push-the-tag` would have id {x}, which `other.md#steps/write-notes` has: it gets id {new}"),
        ]
    );
    // Ids unique in every output.
    let catalog: Catalog = serde_json::from_str(
        &std::fs::read_to_string(dir.join("out/checklist.json")).expect("json"),
    )
    .expect("parses");
    let ids: Vec<(String, String)> = catalog
        .documents
        .iter()
        .flat_map(|d| d.sections.iter().flat_map(|s| &s.items))
        .map(|i| (i.key.clone(), i.id.clone()))
        .collect();
    assert_eq!(
        ids,
        [
            ("other.md#steps/write-notes".to_string(), x.clone()),
            ("page.md#steps/tag-the-release".to_string(), tag.clone()),
            ("page.md#steps/push-the-tag".to_string(), new.clone()),
        ]
    );
    let html = std::fs::read_to_string(dir.join("out/html/page.html")).expect("html");
    for id in [&tag, &new] {
        assert_eq!(
            html.matches(&format!("id=\"check-{id}\"")).count(),
            1,
            "{id}"
        );
    }
    assert!(!html.contains(&x));
    let csv = std::fs::read_to_string(dir.join("out/backlog.csv")).expect("csv");
    let csv_ids: Vec<String> = column(&csv, 0);
    assert_eq!(csv_ids, [x.clone(), tag.clone(), new.clone()]);
    // The lock is written with one id per key, and the next build is clean.
    let lock = std::fs::read_to_string(dir.join("in/checkdown.lock")).expect("lock");
    let lock = Lock::parse(&lock).expect("parses");
    assert!(lock.duplicates().is_empty());
    let written: Vec<(&str, &str)> = lock
        .entries()
        .map(|e| (e.key.as_str(), e.id.as_str()))
        .collect();
    assert_eq!(
        written,
        [
            ("other.md#steps/write-notes", x.as_str()),
            ("page.md#steps/push-the-tag", new.as_str()),
            ("page.md#steps/tag-the-release", tag.as_str()),
        ]
    );
    let again = crate::common::run(&dir, &["build", "in", "-o", "out", "--check"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&again)
    );
    assert!(crate::common::stderr(&again).contains("0 warnings"));
}

#[test]
fn a_lock_with_a_shared_id_is_repaired_by_the_tracker_build_too() {
    let dir = shared_id_case("shared-id-jira");
    let out = crate::common::run(&dir, &["build", "in", "-o", "out", "--tracker", "jira"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    let err = crate::common::stderr(&out);
    assert_eq!(err.matches("warning[duplicate-id]").count(), 3, "{err}");
    let jira = std::fs::read_to_string(dir.join("out/backlog-jira.csv")).expect("jira");
    let ids: Vec<String> = column(&jira, 7)
        .into_iter()
        .filter(|l| l.starts_with("checkdown-"))
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
}

#[test]
fn two_items_never_share_an_id_within_a_build() {
    // The lock gives `a` the v5 id of `b`, which the lock does not know: `b` gets the v5
    // id of its key and a number.
    let page = "# Steps\n\n## Do\n\n- [ ] Alpha.\n- [ ] Beta.\n";
    let (doc, _) = compile("s.md", page);
    let b = item_id("s.md#do/beta");
    let lock = Lock::parse(&lock_text(&[("s.md#do/alpha", &b, "Alpha")])).expect("parses");
    let mut catalog = Catalog {
        format: FORMAT,
        documents: vec![doc],
    };
    let applied = checkdown::lock::apply(&mut catalog, &lock, &Default::default());
    let ids: Vec<&str> = items(&catalog.documents[0])
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    let b1 = item_id("s.md#do/beta\n1");
    assert_eq!(ids, [b.as_str(), b1.as_str()]);
    let warnings: Vec<String> = applied
        .duplicates
        .iter()
        .map(|d| format!("{} {}:{} {}", d.code, d.path, d.line, d.message))
        .collect();
    assert_eq!(
        warnings,
        [format!("duplicate-id s.md:6 `s.md#do/beta` would have id {b}, which `s.md#do/alpha` has: it gets id {b1}")]
    );
    assert_eq!(
        applied.lock.get("s.md#do/beta").map(|e| e.id.as_str()),
        Some(b1.as_str())
    );
}
