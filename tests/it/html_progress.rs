//! The HTML checklist with a progress file (`build --progress`): the published progress
//! embedded in every page, exactly, and escaped; each item's state, status menu and note as
//! the page starts from them. The browser tests (tests/browser) check what the script
//! makes of them.

use std::path::{Path, PathBuf};

use crate::common::{fixture, run, stderr, temp_dir};

const INVENTORY: &str = "2727633a-5d02-572c-9a82-9ca2e1beb5b8";
const RUNBOOK: &str = "75959002-7e6d-5de2-8ee1-25614d736858";
const OWNER: &str = "fbb48b4d-5136-571e-8a39-69de0e02cf51";
const TAG: &str = "1efeccc1-48c2-538a-86b6-f408d74f5a05";
const FREEZE: &str = "9a19906b-3775-570b-bfe2-30825191e217";
const ROTATE: &str = "b8251dab-1bec-5019-ab91-e96cb0890933";
const RESTORE: &str = "6a731e9a-a973-53eb-aea7-011e315dff4b";
const NOTES: &str = "cbd40c57-54af-557c-aa9d-1ea28b978bec";

/// tests/fixtures/progress/input built to HTML in a fresh folder, with its progress file
/// or without it.
fn built(name: &str, with_progress: bool) -> PathBuf {
    let progress = with_progress.then(|| {
        std::fs::read_to_string(fixture("progress/input/checkdown.progress.json"))
            .expect("progress file")
    });
    built_with(name, progress.as_deref())
}

/// tests/fixtures/progress/input's pages and lock built to HTML in a fresh folder, with
/// `progress` as its progress file (or none).
fn built_with(name: &str, progress: Option<&str>) -> PathBuf {
    let dir = temp_dir(name);
    for rel in ["security/guide.md", "ops/release.md", "checkdown.lock"] {
        let to = dir.join("input").join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(fixture("progress/input").join(rel), &to).expect("copy");
    }
    if let Some(text) = progress {
        std::fs::write(dir.join("input/checkdown.progress.json"), text).expect("write");
    }
    let out = run(&dir, &["build", "input", "-o", "out", "--format", "html"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

/// The fixture's progress file with `entries` (id, JSON of the entry) set.
fn progress_with(entries: &[(&str, serde_json::Value)]) -> String {
    let text = std::fs::read_to_string(fixture("progress/input/checkdown.progress.json"))
        .expect("progress file");
    let mut file: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for (id, entry) in entries {
        file["items"][*id] = entry.clone();
    }
    serde_json::to_string_pretty(&file).expect("JSON")
}

fn read(dir: &Path, rel: &str) -> String {
    let path = dir.join("out/html").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The line of `html` that starts with `start`.
fn line<'a>(html: &'a str, start: &str) -> &'a str {
    html.lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting with {start}"))
}

/// An item's `<li>`, from its start tag to its end (the item's own lines).
fn item<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("data-id=\"{id}\" data-state="))
        .and_then(|i| html[..i].rfind("<li class=\"item"))
        .unwrap_or_else(|| panic!("no item {id}"));
    let end = start + html[start..].find("</li>").expect("end of item");
    &html[start..end]
}

/// The JSON of `data-progress` as written: `"` is `&quot;`, `<` `&lt;`, `>` `&gt;`.
fn attr(json: &str) -> String {
    json.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn pages_embed_the_published_progress_exactly() {
    let dir = built("html-progress", true);
    let guide = read(&dir, "security/guide.html");
    let guide_json = format!(
        r#"{{"{INVENTORY}":{{"note":"Kept in `docs/inventory.md`.","status":"done","updated":"2025-03-01T09:30:00Z"}},"{RUNBOOK}":{{"note":"Draft under review.\nAsk <script>alert(1)</script> ops.","status":"in-progress","updated":"2025-03-02T10:00:00.250Z"}},"{OWNER}":{{"note":"=one owner for the whole platform","status":"not-applicable","updated":"2025-03-03T00:00:00+01:00"}}}}"#
    );
    assert_eq!(
        line(&guide, "<body "),
        format!(
            r#"<body data-page="document" data-checked="" data-progress="{}">"#,
            attr(&guide_json)
        )
    );
    // The note's markup never reaches the page as markup: only one <script>, the shipped one.
    assert_eq!(guide.matches("<script").count(), 1);
    assert!(guide.contains(r#"\nAsk &lt;script&gt;alert(1)&lt;/script&gt; ops.&quot;"#));
    // The progress file's `open` wins over the source's tick; the stale entry is in no page.
    let release = read(&dir, "ops/release.html");
    let release_json =
        format!(r#"{{"{TAG}":{{"status":"open","updated":"2025-03-04T08:00:00Z"}}}}"#);
    assert_eq!(
        line(&release, "<body "),
        format!(
            r#"<body data-page="document" data-checked="{TAG} {FREEZE}" data-progress="{}">"#,
            attr(&release_json)
        )
    );
    // The index: each document's entries on its row.
    let index = read(&dir, "index.html");
    let rows: Vec<&str> = index
        .lines()
        .filter(|l| l.starts_with("<li class=\"doc\""))
        .collect();
    assert_eq!(
        rows,
        [
            format!(
                r#"<li class="doc" data-progress="{}">"#,
                attr(&release_json)
            ),
            format!(r#"<li class="doc" data-progress="{}">"#, attr(&guide_json)),
        ]
    );
    for html in [&guide, &release, &index] {
        assert!(!html.contains("00000000-0000-5000-8000-000000000000"));
    }
}

#[test]
fn items_start_from_the_published_state() {
    let dir = built("html-progress-items", true);
    let guide = read(&dir, "security/guide.html");
    let runbook = item(&guide, RUNBOOK);
    assert_eq!(
        runbook.lines().take(4).collect::<Vec<_>>(),
        [
            format!(r#"<li class="item" id="-write-a-runbook" data-id="{RUNBOOK}" data-state="in-progress" data-section="level1" data-level="1" data-tradeoffs="0" data-risks="0">"#),
            format!(r##"<div class="row"><h3><input type="checkbox" id="check-{RUNBOOK}" data-id="{RUNBOOK}"><label for="check-{RUNBOOK}">Write a runbook</label></h3><span class="tags"><span class="tag state" data-state-tag>in progress</span><a class="anchor" href="#-write-a-runbook"><span aria-hidden="true">#</span><span class="vh">Link to Write a runbook</span></a></span></div>"##),
            format!(r#"<div class="state" data-needs-js hidden><label for="status-{RUNBOOK}">Status<span class="vh"> of Write a runbook</span></label> <select id="status-{RUNBOOK}" data-status-of="{RUNBOOK}"><option value="open">Open</option><option value="in-progress" selected>In progress</option><option value="done">Done</option><option value="not-applicable">Not applicable</option></select> <span class="changed" data-changed hidden>Changed in this browser</span></div>"#),
            r#"<div class="note-text" data-note-text><strong class="label">Note</strong><div class="note-body" data-note-published><p>Draft under review."#.to_string(),
        ]
    );
    // The note rendered (the script tag sanitized away), then where the script writes a
    // note the reader changes, as text.
    assert!(runbook.contains(
        "<p>Draft under review.\nAsk  ops.</p>\n</div><p class=\"note-plain\" data-note-plain hidden></p></div>\n"
    ));
    assert!(runbook.contains(&format!(
        "<textarea id=\"note-{RUNBOOK}\" data-note-of=\"{RUNBOOK}\" rows=\"3\" maxlength=\"65536\">\nDraft under review.\nAsk &lt;script&gt;alert(1)&lt;/script&gt; ops.</textarea>"
    )));
    // Done: ticked, and the menu says so; no status tag.
    let inventory = item(&guide, INVENTORY);
    assert!(inventory.starts_with(&format!(
        r#"<li class="item done" id="-inventory-the-workload" data-id="{INVENTORY}" data-state="done""#
    )));
    assert!(inventory.contains(&format!(r#"data-id="{INVENTORY}" checked><label"#)));
    assert!(inventory.contains(r#"<option value="done" selected>Done</option>"#));
    assert!(inventory.contains(r#"<span class="tag state" data-state-tag hidden></span>"#));
    // Not applicable: unticked, tagged.
    let owner = item(&guide, OWNER);
    assert!(owner.contains(r#"data-state="not-applicable""#));
    assert!(owner.contains(&format!(r#"data-id="{OWNER}"><label"#)));
    assert!(owner.contains(r#"<span class="tag state" data-state-tag>not applicable</span>"#));
    assert!(owner.contains(r#"<option value="not-applicable" selected>Not applicable</option>"#));
    assert!(owner.contains(
        r#"<div class="note-text" data-note-text><strong class="label">Note</strong><div class="note-body" data-note-published><p>=one owner for the whole platform</p>"#
    ));
    // Nothing in the file: open, no note.
    let rotate = item(&guide, ROTATE);
    assert!(rotate.contains(r#"data-state="open""#));
    assert!(rotate.contains(r#"<option value="open" selected>Open</option>"#));
    assert!(rotate.contains(
        r#"<div class="note-text" data-note-text hidden><strong class="label">Note</strong><div class="note-body" data-note-published></div><p class="note-plain" data-note-plain hidden></p></div>"#
    ));
    assert!(rotate.contains("maxlength=\"65536\">\n</textarea>"));
    // The file's `open` wins over the source's [x]; the source's [x] stands elsewhere.
    let release = read(&dir, "ops/release.html");
    assert!(item(&release, TAG).starts_with(r#"<li class="item" "#));
    assert!(item(&release, TAG).contains(r#"data-state="open""#));
    assert!(!item(&release, TAG).contains(" checked>"));
    assert!(item(&release, FREEZE).starts_with(r#"<li class="item done" "#));
    assert!(item(&release, FREEZE).contains(r#"data-state="done""#));
    assert!(item(&release, FREEZE).contains(" checked>"));
    // The page starts with the published counts, not-applicable items left out.
    assert!(guide.contains(
        r#"<progress max="4" value="1" aria-label="Done in this checklist"></progress> <span class="count"><span data-done>1</span> of <span data-total>4</span> done<span data-share> (25%)</span><span data-in-progress>, 1 in progress</span><span data-open>, 2 open</span><span data-na>; 1 not applicable, not counted</span></span>"#
    ));
}

#[test]
fn without_a_progress_file_pages_embed_none() {
    let dir = built("html-no-progress", false);
    for rel in ["security/guide.html", "ops/release.html", "index.html"] {
        let html = read(&dir, rel);
        assert!(!html.contains("data-progress="), "{rel}");
    }
    let release = read(&dir, "ops/release.html");
    assert!(item(&release, TAG).contains(r#"data-state="done""#));
    assert!(item(&release, TAG).contains(" checked>"));
    let guide = read(&dir, "security/guide.html");
    assert!(item(&guide, RUNBOOK).contains(r#"data-state="open""#));
    assert!(!guide.contains(r#"data-state-tag>"#), "no status tag shows");
}

/// A note is Markdown rendered at build time and sanitized by the rules of the docs'
/// Markdown: scripts, event handlers, `javascript:` URLs, frames, styles and forms are
/// dropped, to these exact bytes; the note field keeps the note as written (escaped).
#[test]
fn a_note_is_rendered_and_sanitized_to_the_exact_bytes() {
    let note = "Ask <script>alert(1)</script> **ops**.\n\n\
                <img src=\"x\" onerror=\"alert(2)\"> and ![pic](javascript:alert(3))\n\n\
                [click](javascript:alert(4)), [docs](https://example.com/runbook \"Runbook\") or \
                <a href=\"javascript:alert(5)\" onclick=\"alert(6)\">raw</a>\n\n\
                <div onmouseover=\"alert(7)\"><iframe src=\"https://evil.example/\"></iframe><style>body{display:none}</style>\n\
                <form action=\"https://evil.example/\"><input name=\"x\"></form></div>\n\n\
                # Heading <svg onload=\"alert(8)\">\n\n\
                - [ ] a task\n\n\
                <SCRIPT SRC=//evil.example/x.js></SCRIPT><object data=\"javascript:alert(9)\"></object>";
    let progress = progress_with(&[(
        RUNBOOK,
        serde_json::json!({"note": note, "status": "in-progress", "updated": "2025-03-02T10:00:00Z"}),
    )]);
    let dir = built_with("html-note-hostile", Some(&progress));
    let guide = read(&dir, "security/guide.html");
    // The item's lines from its start (`item` would stop at the note's own `</li>`).
    let runbook = &guide[guide
        .find(&format!("data-id=\"{RUNBOOK}\" data-state="))
        .expect("item")..];
    let start = runbook.find("<div class=\"note-text\"").expect("note");
    let end = runbook.find("<details>").expect("details");
    assert_eq!(
        &runbook[start..end],
        "<div class=\"note-text\" data-note-text><strong class=\"label\">Note</strong>\
         <div class=\"note-body\" data-note-published><p>Ask  <strong>ops</strong>.</p>\n\
         <p><img src=\"x\"> and <img alt=\"pic\"></p>\n\
         <p><a rel=\"noopener noreferrer\">click</a>, <a href=\"https://example.com/runbook\" title=\"Runbook\" rel=\"noopener noreferrer\">docs</a> or <a rel=\"noopener noreferrer\">raw</a></p>\n\
         <div>\n</div>\n\
         <h4>Heading </h4>\n\
         <ul>\n<li>\na task</li>\n</ul>\n\
         </div><p class=\"note-plain\" data-note-plain hidden></p></div>\n"
    );
    // The field holds the note as written, escaped.
    assert!(runbook.contains(
        "maxlength=\"65536\">\nAsk &lt;script&gt;alert(1)&lt;/script&gt; **ops**.\n\n&lt;img src=&quot;x&quot; onerror=&quot;alert(2)&quot;&gt;"
    ));
    // Whatever the note holds, the page's one script is the shipped one, which the policy
    // allows by its hash alone; no markup of the note is left as markup (where the note is
    // shown as text, its quotes are escaped).
    assert_eq!(guide.matches("<script").count(), 1);
    assert_eq!(guide.to_ascii_lowercase().matches("<script").count(), 1);
    for tag in [
        "<iframe",
        "<form action",
        "<style>body",
        "<object",
        "<svg onload",
        " onerror=\"",
        " onclick=\"",
        " onmouseover=\"",
    ] {
        assert!(!guide.contains(tag), "{tag}");
    }
    // The page's own form is the filters'.
    assert_eq!(guide.matches("<form").count(), 1);
    let policy = guide
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("policy");
    assert!(
        policy.starts_with("default-src 'none'; script-src 'sha256-"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
}

/// A note of white space alone is no note, as the page's script reads it.
#[test]
fn a_blank_note_shows_nothing() {
    let progress = progress_with(&[(
        RUNBOOK,
        serde_json::json!({"note": " \n ", "status": "in-progress", "updated": "2025-03-02T10:00:00Z"}),
    )]);
    let dir = built_with("html-note-blank", Some(&progress));
    let guide = read(&dir, "security/guide.html");
    assert!(item(&guide, RUNBOOK).contains(
        r#"<div class="note-text" data-note-text hidden><strong class="label">Note</strong><div class="note-body" data-note-published></div>"#
    ));
}

/// What a count line of a page shows: its bar's value and maximum, then its spans.
#[derive(Debug, PartialEq)]
struct Shown {
    value: String,
    max: String,
    done: String,
    applicable: String,
    share: Option<String>,
    in_progress: Option<String>,
    open: Option<String>,
    not_applicable: String,
}

/// The text of the first `<span {attr}>` in `line`, or `None` when it has none.
fn span<'a>(line: &'a str, attr: &str) -> Option<&'a str> {
    let start = line.find(&format!("<span {attr}>"))? + attr.len() + 7;
    let end = start + line[start..].find("</span>")?;
    Some(&line[start..end])
}

fn shown(line: &str) -> Shown {
    let attr = |name: &str| {
        let at = line.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        line[at..at + line[at..].find('"').expect("quote")].to_string()
    };
    Shown {
        value: attr("value"),
        max: attr("max"),
        done: span(line, "data-done").expect("done").to_string(),
        applicable: span(line, "data-total").expect("total").to_string(),
        share: span(line, "data-share").map(str::to_string),
        in_progress: span(line, "data-in-progress").map(str::to_string),
        open: span(line, "data-open").map(str::to_string),
        not_applicable: span(line, "data-na").expect("na").to_string(),
    }
}

/// What a count line shows for `checkdown status`' counts `c` (`full`: a document's or
/// section's line, with share, in progress and open; else the index's short one).
fn expected(c: &serde_json::Value, full: bool) -> Shown {
    let n = |k: &str| c[k].as_u64().expect(k);
    let (done, in_progress, na, open) =
        (n("done"), n("in_progress"), n("not_applicable"), n("open"));
    assert_eq!(done + in_progress + na + open, n("total"));
    let applicable = n("total") - na;
    let part = |count: u64, text: String| if count > 0 { text } else { String::new() };
    Shown {
        value: done.to_string(),
        max: applicable.max(1).to_string(),
        done: done.to_string(),
        applicable: applicable.to_string(),
        share: full.then(|| {
            part(
                applicable,
                format!(" ({}%)", (done * 100).checked_div(applicable).unwrap_or(0)),
            )
        }),
        in_progress: full.then(|| part(in_progress, format!(", {in_progress} in progress"))),
        open: full.then(|| part(open, format!(", {open} open"))),
        not_applicable: part(na, format!("; {na} not applicable, not counted")),
    }
}

/// The line of `html` that starts with `start` and holds `needle`.
fn line_with<'a>(html: &'a str, start: &str, needle: &str) -> &'a str {
    html.lines()
        .find(|l| l.starts_with(start) && l.contains(needle))
        .unwrap_or_else(|| panic!("no line starting with {start} that holds {needle}"))
}

/// The first line of `html` at or after `from` that starts with `start`.
fn line_after<'a>(html: &'a str, from: &str, start: &str) -> &'a str {
    let at = html.find(from).unwrap_or_else(|| panic!("no {from}"));
    html[at..]
        .lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting with {start} after {from}"))
}

/// The counts of the HTML pages and the index are `checkdown status --format json`'s for
/// the same input and progress file: per document, per section, the overview's cells
/// (documents by level, which add up to the report's levels) and the total. With the
/// fixture's progress file (every status, a source tick the file overrides, one it does
/// not, a stale entry), with one that completes a document and makes a section wholly not
/// applicable, and with none (the source's ticks).
#[test]
fn html_counts_are_checkdown_status_counts() {
    let fixture_file = std::fs::read_to_string(fixture("progress/input/checkdown.progress.json"))
        .expect("progress file");
    let updated = "2025-04-01T00:00:00Z";
    let varied = progress_with(&[
        (
            TAG,
            serde_json::json!({"status": "done", "updated": updated}),
        ),
        (
            NOTES,
            serde_json::json!({"status": "done", "updated": updated}),
        ),
        (
            ROTATE,
            serde_json::json!({"status": "not-applicable", "updated": updated}),
        ),
        (
            RESTORE,
            serde_json::json!({"status": "not-applicable", "updated": updated}),
        ),
    ]);
    let mut checked = 0;
    for (name, progress) in [
        ("html-status-fixture", Some(fixture_file.as_str())),
        ("html-status-varied", Some(varied.as_str())),
        ("html-status-none", None),
    ] {
        let dir = built_with(name, progress);
        let out = run(&dir, &["status", "input", "--format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let index = read(&dir, "index.html");
        assert_eq!(
            shown(line_after(&index, "<header", "<div class=\"progress")),
            expected(&report["total"], true),
            "{name}: index total"
        );
        checked += 1;
        let mut levels: std::collections::BTreeMap<u64, [u64; 4]> = Default::default();
        for d in report["documents"].as_array().expect("documents") {
            let path = d["path"].as_str().expect("path");
            let page_path = path.replace(".md", ".html");
            let page = read(&dir, &page_path);
            let title = d["title"].as_str().expect("title");
            assert_eq!(
                shown(line_after(&page, "<header", "<div class=\"progress")),
                expected(&d["total"], true),
                "{name}: {path}"
            );
            assert_eq!(
                shown(line_after(
                    &index,
                    &format!("<h3><a href=\"./{page_path}\">"),
                    "<div class=\"progress"
                )),
                expected(&d["total"], true),
                "{name}: {path} in the index"
            );
            checked += 2;
            let mut cells: std::collections::BTreeMap<u64, [u64; 4]> = Default::default();
            for s in d["sections"].as_array().expect("sections") {
                let id = s["id"].as_str().expect("id");
                assert_eq!(
                    shown(line_after(
                        &page,
                        &format!("<section class=\"checklist-section\" id=\"{id}\""),
                        "<div class=\"progress"
                    )),
                    expected(&s["total"], true),
                    "{name}: {path}#{id}"
                );
                assert_eq!(
                    shown(line_with(
                        &index,
                        "<li data-ids=",
                        &format!("<a href=\"./{page_path}#{id}\">")
                    )),
                    expected(&s["total"], false),
                    "{name}: {path}#{id} in the index"
                );
                checked += 2;
                if let Some(level) = s["level"].as_u64() {
                    let c = &s["total"];
                    let cell = cells.entry(level).or_default();
                    for (i, k) in ["done", "in_progress", "not_applicable", "open"]
                        .iter()
                        .enumerate()
                    {
                        cell[i] += c[*k].as_u64().expect(k);
                    }
                }
            }
            for (level, [done, in_progress, na, open]) in cells {
                let label = format!("data-label=\"{title}, Level {level}\"");
                let line = index
                    .lines()
                    .find(|l| l.starts_with("<g data-ids=") && l.contains(&label))
                    .unwrap_or_else(|| panic!("no cell {label}"));
                let applicable = done + in_progress + open;
                let na_text = match na {
                    0 => String::new(),
                    n => format!("; {n} not applicable, not counted"),
                };
                assert!(
                    line.contains(&format!("<title>{title}, Level {level}: {done} of {applicable} done{na_text}</title>")),
                    "{name}: {line}"
                );
                assert!(
                    line.contains(&format!(
                        "<tspan data-done>{done}</tspan>/<tspan data-total>{applicable}</tspan>"
                    )),
                    "{name}: {line}"
                );
                let sum = levels.entry(level).or_default();
                for (i, n) in [done, in_progress, na, open].into_iter().enumerate() {
                    sum[i] += n;
                }
                checked += 1;
            }
        }
        // The overview's cells add up to the report's levels.
        for l in report["levels"].as_array().expect("levels") {
            let level = l["level"].as_u64().expect("level");
            let c = &l["total"];
            let want =
                ["done", "in_progress", "not_applicable", "open"].map(|k| c[k].as_u64().expect(k));
            assert_eq!(levels.get(&level), Some(&want), "{name}: level {level}");
        }
    }
    // A total, two documents on their pages and the index, three sections likewise, two
    // cells: 13 count lines for each progress file.
    assert_eq!(checked, 3 * 13, "every count line was compared");
}
