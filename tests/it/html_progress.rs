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

/// tests/fixtures/progress/input built to HTML in a fresh folder, with its progress file
/// or without it.
fn built(name: &str, with_progress: bool) -> PathBuf {
    let dir = temp_dir(name);
    let mut files = vec!["security/guide.md", "ops/release.md", "checkdown.lock"];
    if with_progress {
        files.push("checkdown.progress.json");
    }
    for rel in files {
        let to = dir.join("input").join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(fixture("progress/input").join(rel), &to).expect("copy");
    }
    let out = run(&dir, &["build", "input", "-o", "out", "--format", "html"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
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
            r#"<p class="note-text" data-note-text><strong>Note:</strong> <span>Draft under review."#.to_string(),
        ]
    );
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
        r#"<p class="note-text" data-note-text><strong>Note:</strong> <span>=one owner for the whole platform</span></p>"#
    ));
    // Nothing in the file: open, no note.
    let rotate = item(&guide, ROTATE);
    assert!(rotate.contains(r#"data-state="open""#));
    assert!(rotate.contains(r#"<option value="open" selected>Open</option>"#));
    assert!(rotate.contains(
        r#"<p class="note-text" data-note-text hidden><strong>Note:</strong> <span></span></p>"#
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
    // Counts say how many are left out once the script has counted; the page starts with
    // the whole total.
    assert!(guide.contains(
        r#"<span class="count"><span data-done>0</span> of <span data-total>5</span> done<span data-na></span></span>"#
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
