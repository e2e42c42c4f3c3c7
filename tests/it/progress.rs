//! The progress file (version 2 written and read, version 1 read, every refusal with its
//! line and column), `build` with progress (every output), the rename case through the
//! lock, and `checkdown status` (figures, JSON, exit codes).

use std::path::{Path, PathBuf};

use checkdown::model::Status;
use checkdown::progress::{Entry, Progress};

use crate::common::{fixture, repo, run, stderr, temp_dir};

const INVENTORY: &str = "2727633a-5d02-572c-9a82-9ca2e1beb5b8";
const RUNBOOK: &str = "75959002-7e6d-5de2-8ee1-25614d736858";
const OWNER: &str = "fbb48b4d-5136-571e-8a39-69de0e02cf51";
const TAG: &str = "1efeccc1-48c2-538a-86b6-f408d74f5a05";
const STALE: &str = "00000000-0000-5000-8000-000000000000";

/// A copy of tests/fixtures/progress/input (pages, lock, progress file) in a fresh folder.
fn copy_fixture(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let input = dir.join("input");
    for rel in [
        "security/guide.md",
        "ops/release.md",
        "checkdown.lock",
        "checkdown.progress.json",
    ] {
        let to = input.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(fixture("progress/input").join(rel), &to).expect("copy");
    }
    dir
}

fn build(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "input", "-o", "out"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse_err(text: &str) -> String {
    let d = Progress::parse(text, "p.json").expect_err("refused");
    assert_eq!(d.code, "progress-invalid");
    format!("{}:{}:{}: {}", d.path, d.line, d.column, d.message)
}

#[test]
fn version_2_reads_and_writes_the_same_bytes() {
    let text = read(fixture("progress/input/checkdown.progress.json"));
    let p = Progress::parse(&text, "p.json").expect("parses");
    assert_eq!(p.items.len(), 5);
    assert_eq!(
        p.items[RUNBOOK],
        Entry::new(
            Status::InProgress,
            Some("Draft under review.\nAsk <script>alert(1)</script> ops."),
            "2025-03-02T10:00:00.250Z"
        )
    );
    assert_eq!(p.position(OWNER), Some((22, 5)));
    assert_eq!(p.to_json(), text);
    // Written from entries in any order: keys sorted, a newline at the end.
    let mut items = std::collections::BTreeMap::new();
    items.insert(
        "b".to_string(),
        Entry::new(Status::NotApplicable, Some("n"), "2025-01-01T00:00:00Z"),
    );
    items.insert(
        "a".to_string(),
        Entry::new(Status::Done, None, "2025-01-02T00:00:00Z"),
    );
    assert_eq!(
        Progress::new(items).to_json(),
        "{\n  \"format\": \"checkdown-progress\",\n  \"items\": {\n    \"a\": {\n      \"status\": \"done\",\n      \"updated\": \"2025-01-02T00:00:00Z\"\n    },\n    \"b\": {\n      \"note\": \"n\",\n      \"status\": \"not-applicable\",\n      \"updated\": \"2025-01-01T00:00:00Z\"\n    }\n  },\n  \"version\": 2\n}\n"
    );
}

/// Version 1 as templates/checklist.js exports it: `done` and `open` with times (or "1"
/// from older pages), and lists of ids.
#[test]
fn version_1_is_read() {
    let text = r#"{
  "format": "checkdown-progress",
  "version": 1,
  "exported": "2025-02-01T12:00:00.000Z",
  "done": {
    "a1": "2025-01-05T10:00:00.000Z",
    "b2": "1"
  },
  "open": {
    "c3": "2025-01-06T10:00:00.000Z"
  }
}"#;
    let p = Progress::parse(text, "p.json").expect("parses");
    let got: Vec<(&str, Status, &str)> = p
        .items
        .iter()
        .map(|(id, e)| (id.as_str(), e.status, e.updated.0.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("a1", Status::Done, "2025-01-05T10:00:00.000Z"),
            ("b2", Status::Done, "2025-02-01T12:00:00.000Z"),
            ("c3", Status::Open, "2025-01-06T10:00:00.000Z"),
        ]
    );
    let lists = r#"{"format": "checkdown-progress", "version": 1, "done": ["x", "y"]}"#;
    let p = Progress::parse(lists, "p.json").expect("parses");
    assert_eq!(p.items.len(), 2);
    assert_eq!(
        p.items["y"],
        Entry::new(Status::Done, None, "1970-01-01T00:00:00Z")
    );
    assert!(p.items["x"].note.is_none());
}

#[test]
fn malformed_files_are_refused_with_their_position() {
    let v2 = |items: &str| {
        format!("{{\n  \"format\": \"checkdown-progress\",\n  \"version\": 2,\n  \"items\": {{\n{items}\n  }}\n}}\n")
    };
    let cases: Vec<(String, &str)> = vec![
        ("{\n  \"format\": \"checkdown-progress\",\n  \"version\": 2,\n".to_string(),
         "p.json:4:1: EOF while parsing a value"),
        ("[1, 2]".to_string(), "p.json:1:1: a progress file is a JSON object"),
        ("{\"format\": \"tick-list\", \"version\": 2, \"items\": {}}".to_string(),
         "p.json:1:2: unknown format \"tick-list\": expected \"checkdown-progress\""),
        ("{\"items\": {}}".to_string(),
         "p.json:1:1: no \"format\": expected \"checkdown-progress\""),
        ("{\"format\": \"checkdown-progress\",\n \"version\": 3, \"items\": {}}".to_string(),
         "p.json:2:2: unknown version 3: checkdown reads versions 1 and 2"),
        (v2("    \"a1\": {\"status\": \"finished\", \"updated\": \"2025-01-01T00:00:00Z\"}"),
         "p.json:5:31: unknown variant `finished`, expected one of `open`, `in-progress`, `done`, `not-applicable`"),
        (v2("    \"a1\": {\"status\": \"done\", \"updated\": \"yesterday\"}"),
         "p.json:5:52: `yesterday` is not an RFC 3339 time (such as 2025-03-01T09:30:00Z)"),
        (v2("    \"a b\": {\"status\": \"done\", \"updated\": \"2025-01-01T00:00:00Z\"}"),
         "p.json:5:9: `a b` is not an item id (letters, digits, `.`, `_`, `:` and `-`, at most 128, starting with a letter or digit)"),
        (v2("    \"a1\": {\"status\": \"done\", \"updated\": \"2025-01-01T00:00:00Z\"},\n    \"a1\": {\"status\": \"open\", \"updated\": \"2025-01-01T00:00:00Z\"}"),
         "p.json:6:8: item `a1` is given twice"),
        (v2("    \"a1\": {\"status\": \"done\", \"updated\": \"2025-01-01T00:00:00Z\", \"owner\": \"me\"}"),
         "p.json:5:71: unknown field `owner`, expected one of `note`, `status`, `updated`"),
        (v2(&format!("    \"a1\": {{\"status\": \"done\", \"updated\": \"2025-01-01T00:00:00Z\", \"note\": \"{}\"}}", "x".repeat(70_000))),
         "p.json:5:73: item `a1`: a note of 70000 bytes, over the limit of 65536"),
        // Where the note starts, past an escaped quote in it.
        (v2(&format!("    \"b2\": {{\"status\": \"done\", \"note\": \"\\\"{}\\\\\", \"updated\": \"2025-01-01T00:00:00Z\"}}", "x".repeat(65_535))),
         "p.json:5:38: item `b2`: a note of 65537 bytes, over the limit of 65536"),
    ];
    let mut got = Vec::new();
    for (text, _) in &cases {
        got.push(parse_err(text));
    }
    let want: Vec<&str> = cases.iter().map(|(_, w)| *w).collect();
    assert_eq!(got, want);
}

#[test]
fn build_shows_the_progress_in_every_output() {
    let dir = copy_fixture("progress-build");
    let out = build(&dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "note[stale-progress]: progress of item `{STALE}` (done) matches no item of the docs: kept in the file\n--> input/checkdown.progress.json:4:5\n"
        )),
        "{err}"
    );
    // Markdown: [x] for done, the status words for the others, the note quoted (HTML as text).
    let md = read(dir.join("out/checklists/security/guide.md"));
    let start = md.find("## Level 1").expect("level 1");
    let end = md.find("## Level 2").expect("level 2");
    assert_eq!(
        &md[start..end],
        "## Level 1: Foundations\n\n\
         - [x] **Inventory the workload**: List what runs where.\n  \
         > **Progress note:** Kept in `docs/inventory.md`.\n\
         - [ ] **Write a runbook**: Write down how to restart each part. — _in progress_\n  \
         > **Progress note:** Draft under review.\n  \
         > Ask &lt;script>alert(1)&lt;/script> ops.\n\
         - [ ] **Name an owner**: Every part has one owner. — _not applicable_\n  \
         > **Progress note:** =one owner for the whole platform\n\n"
    );
    // The file's `open` wins over the source's [x]; the source's [x] stays where the file
    // says nothing.
    let release = read(dir.join("out/checklists/ops/release.md"));
    assert!(
        release.ends_with(
            "- [ ] **Tag the release**\n- [x] **Freeze the branch**\n- [ ] **Write the notes**\n"
        ),
        "{release}"
    );
    // CSV: status and note columns, `open` where the file says nothing, cells neutralized.
    let csv = read(dir.join("out/backlog.csv"));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(headers.len(), 16);
    assert_eq!((&headers[14], &headers[15]), ("status", "note"));
    let rows: Vec<(String, String, String, String)> = reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            (
                r[0].to_string(),
                r[9].to_string(),
                r[14].to_string(),
                r[15].to_string(),
            )
        })
        .collect();
    let row = |id: &str| rows.iter().find(|r| r.0 == id).expect("row").clone();
    assert_eq!(
        row(TAG),
        (TAG.into(), "true".into(), "open".into(), "".into())
    );
    assert_eq!(
        row(OWNER),
        (
            OWNER.into(),
            "false".into(),
            "not-applicable".into(),
            "'=one owner for the whole platform".into()
        )
    );
    assert_eq!(
        row(RUNBOOK).2 + "|" + &row(RUNBOOK).3,
        "in-progress|Draft under review.\nAsk <script>alert(1)</script> ops."
    );
    assert_eq!(rows.iter().filter(|r| r.2 == "open").count(), 5);
    // JSON: a progress object per item, null where the file says nothing.
    let json: serde_json::Value =
        serde_json::from_str(&read(dir.join("out/checklist.json"))).expect("json");
    let items: Vec<&serde_json::Value> = json["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .flat_map(|d| d["sections"].as_array().expect("sections"))
        .flat_map(|s| s["items"].as_array().expect("items"))
        .collect();
    let progress: Vec<String> = items
        .iter()
        .map(|i| format!("{} {}", i["title"].as_str().expect("title"), i["progress"]))
        .collect();
    assert_eq!(
        progress,
        [
            r#"Tag the release {"note":null,"status":"open","updated":"2025-03-04T08:00:00Z"}"#,
            "Freeze the branch null",
            "Write the notes null",
            r#"Inventory the workload {"note":"Kept in `docs/inventory.md`.","status":"done","updated":"2025-03-01T09:30:00Z"}"#,
            r#"Write a runbook {"note":"Draft under review.\nAsk <script>alert(1)</script> ops.","status":"in-progress","updated":"2025-03-02T10:00:00.250Z"}"#,
            r#"Name an owner {"note":"=one owner for the whole platform","status":"not-applicable","updated":"2025-03-03T00:00:00+01:00"}"#,
            "Rotate the keys null",
            "Test the restore null",
        ]
    );
    // The file is read, never written.
    assert_eq!(
        read(dir.join("input/checkdown.progress.json")),
        read(fixture("progress/input/checkdown.progress.json"))
    );
}

#[test]
fn without_a_progress_file_outputs_carry_no_progress() {
    let dir = copy_fixture("progress-none");
    std::fs::remove_file(dir.join("input/checkdown.progress.json")).expect("rm");
    let out = build(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!read(dir.join("out/checklist.json")).contains("\"progress\""));
    let csv = read(dir.join("out/backlog.csv"));
    assert!(csv.starts_with("id,document,section,level,title,description,trade-offs,risks,source,checked,parent,group,variants,summary\r\n"), "{csv}");
}

#[test]
fn a_progress_file_elsewhere_and_one_that_is_missing() {
    let dir = copy_fixture("progress-flag");
    std::fs::rename(
        dir.join("input/checkdown.progress.json"),
        dir.join("team.json"),
    )
    .expect("mv");
    let out = build(&dir, &["--progress", "team.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--> team.json:4:5\n"),
        "{}",
        stderr(&out)
    );
    assert!(read(dir.join("out/checklist.json")).contains("\"status\": \"in-progress\""));
    // The whole-catalog build (tracker profiles) applies it the same way.
    let out = build(
        &dir,
        &["--progress", "team.json", "--tracker", "generic,jira"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&read(dir.join("out/checklist.json"))).expect("json");
    let inventory = &json["documents"][1]["sections"][0]["items"][0];
    assert_eq!(inventory["id"], INVENTORY);
    assert_eq!(
        inventory["progress"].to_string(),
        r#"{"note":"Kept in `docs/inventory.md`.","status":"done","updated":"2025-03-01T09:30:00Z"}"#
    );
    assert!(read(dir.join("out/backlog.csv")).starts_with(
        "id,document,section,level,title,description,trade-offs,risks,source,checked,parent,group,variants,summary,status,note\r\n"
    ));
    let out = build(&dir, &["--progress", "nowhere.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: progress file `nowhere.json` does not exist\n"
    );
}

/// A file that does not parse: its error, exit 1, and the rest of the build as without it.
#[test]
fn a_malformed_progress_file_leaves_the_build_unaffected() {
    let dir = copy_fixture("progress-bad");
    std::fs::write(
        dir.join("input/checkdown.progress.json"),
        "{\n  \"format\": \"checkdown-progress\",\n  \"version\": 2,\n  \"items\": {\n    \"a1\": {\"status\": \"skipped\", \"updated\": \"2025-01-01T00:00:00Z\"}\n  }\n}\n",
    )
    .expect("write");
    let out = build(&dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error[progress-invalid]: unknown variant `skipped`, expected one of `open`, `in-progress`, `done`, `not-applicable`\n --> input/checkdown.progress.json:5:30\n"),
        "{err}"
    );
    assert!(err.contains("8 items, 0 skipped, 1 error"), "{err}");
    assert!(!read(dir.join("out/checklist.json")).contains("\"progress\""));
    assert!(dir.join("out/html/index.html").is_file());
}

/// A note of megabytes: one error naming the item, at the line and column where the note
/// starts, without the note copied into the message; the rest of the build goes on as
/// without the progress file (exit 1). A note of 65536 bytes is read.
#[test]
fn a_note_of_megabytes_is_refused_where_it_starts_and_the_build_goes_on() {
    let dir = copy_fixture("progress-huge-note");
    let file = dir.join("input/checkdown.progress.json");
    let text = read(file.clone());
    let with_note = |note: &str| {
        text.replace(
            "\"note\": \"Kept in `docs/inventory.md`.\"",
            &format!("\"note\": \"{note}\""),
        )
    };
    std::fs::write(&file, with_note(&"x".repeat(3 << 20))).expect("write");
    let out = build(&dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with(&format!(
            "error[progress-invalid]: item `{INVENTORY}`: a note of 3145728 bytes, over the limit of 65536\n\
             --> input/checkdown.progress.json:13:15\n |\n\
             help: a note holds at most 65536 bytes of Markdown: shorten it, and keep longer text \
             in the docs or a page it links to; the build goes on as without the progress file\n"
        )),
        "{err}"
    );
    assert!(
        err.len() < 2000,
        "the note is not copied: {} bytes",
        err.len()
    );
    assert!(err.contains("8 items, 0 skipped, 1 error"), "{err}");
    for rel in [
        "checklist.json",
        "backlog.csv",
        "checklists/security/guide.md",
        "html/security/guide.html",
        "html/index.html",
    ] {
        assert!(dir.join("out").join(rel).is_file(), "{rel}");
    }
    assert!(!read(dir.join("out/checklist.json")).contains("\"progress\""));
    // `status` refuses it the same way.
    let out = run(&dir, &["status", "input"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("input/checkdown.progress.json:13:15"));
    // At the limit, the note is read and shown.
    std::fs::write(&file, with_note(&"y".repeat(65_536))).expect("write");
    let out = build(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read(dir.join("out/html/security/guide.html"))
        .contains(&format!("<p>{}</p>", "y".repeat(65_536))));
}

/// An item reworded (heading and link) keeps its id through the lock, and so its progress.
#[test]
fn a_renamed_item_keeps_its_progress() {
    let dir = copy_fixture("progress-rename");
    let page = dir.join("input/security/guide.md");
    let text = read(page.clone())
        .replace(
            "[Write a runbook](#-write-a-runbook)",
            "[Write a restart runbook](#-write-a-restart-runbook)",
        )
        .replace(
            "#### &#10003; Write a runbook",
            "#### &#10003; Write a restart runbook",
        );
    std::fs::write(&page, text).expect("write");
    let out = build(&dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("renamed"), "{err}");
    let json: serde_json::Value =
        serde_json::from_str(&read(dir.join("out/checklist.json"))).expect("json");
    let item = json["documents"][1]["sections"][0]["items"][1].clone();
    assert_eq!(item["key"], "security/guide.md#-write-a-restart-runbook");
    assert_eq!(item["id"], RUNBOOK);
    assert_eq!(item["progress"]["status"], "in-progress");
    let md = read(dir.join("out/checklists/security/guide.md"));
    assert!(md.contains("- [ ] **Write a restart runbook**: Write down how to restart each part. — _in progress_\n  > **Progress note:** Draft under review.\n"), "{md}");
    // The lock now keys the item by its new anchor; its id and progress stay.
    assert!(read(dir.join("input/checkdown.lock")).contains(&format!(
        "key security/guide.md#-write-a-restart-runbook\nid {RUNBOOK}\n"
    )));
    let status = run(&dir, &["status", "input", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(report["total"]["in_progress"], 1);
}

const TABLE: &str = "\
Document / section      done  in progress  n/a  open  total  done %
ops/release.md             1            0    0     2      3     33%
  Before the release       1            0    0     2      3     33%
security/guide.md          1            1    1     2      5     25%
  Level 1: Foundations     1            1    1     0      3     50%
  Level 2: Operations      0            0    0     2      2      0%

Level 1                    1            1    1     0      3     50%
Level 2                    0            0    0     2      2      0%

Pillar: Security           1            1    1     2      5     25%

Total                      2            1    1     4      8     28%
done % = done over applicable items (not applicable left out)
";

#[test]
fn status_reports_the_figures() {
    let dir = copy_fixture("progress-status");
    let out = run(&dir, &["status", "input"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), TABLE);
    assert!(stderr(&out).ends_with(
        "checkdown: 8 items: 2 done, 1 in progress, 1 not applicable, 4 open; 28% done (not applicable left out)\n"
    ), "{}", stderr(&out));
    // status writes nothing: no lock update, no output.
    assert_eq!(
        read(dir.join("input/checkdown.lock")),
        read(fixture("progress/input/checkdown.lock"))
    );

    let out = run(&dir, &["status", "input", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        report["total"].to_string(),
        r#"{"done":2,"in_progress":1,"not_applicable":1,"open":4,"total":8}"#
    );
    assert_eq!(
        report["documents"][1]["sections"][0].to_string(),
        r#"{"id":"level1","level":1,"title":"Level 1: Foundations","total":{"done":1,"in_progress":1,"not_applicable":1,"open":0,"total":3}}"#
    );
    assert_eq!(report["documents"][0]["path"], "ops/release.md");
    assert_eq!(
        report["documents"][0]["total"].to_string(),
        r#"{"done":1,"in_progress":0,"not_applicable":0,"open":2,"total":3}"#
    );
    assert_eq!(
        report["levels"].to_string(),
        r#"[{"level":1,"total":{"done":1,"in_progress":1,"not_applicable":1,"open":0,"total":3}},{"level":2,"total":{"done":0,"in_progress":0,"not_applicable":0,"open":2,"total":2}}]"#
    );
    assert_eq!(
        report["pillars"].to_string(),
        r#"[{"pillar":"Security","total":{"done":1,"in_progress":1,"not_applicable":1,"open":2,"total":5}}]"#
    );

    // 2 done of 7 applicable: 28.57%.
    for (under, code) in [("28", 0), ("28.5", 0), ("28.6", 1), ("100%", 1), ("0", 0)] {
        let out = run(&dir, &["status", "input", "--fail-under", under]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "--fail-under {under}: {}",
            stderr(&out)
        );
    }
    let out = run(&dir, &["status", "input", "--fail-under", "29"]);
    assert!(
        stderr(&out).ends_with("checkdown: 28.6% done, under --fail-under 29\n"),
        "{}",
        stderr(&out)
    );
    let out = run(&dir, &["status", "input", "--fail-under", "101"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn status_without_a_progress_file_counts_the_source_ticks() {
    let dir = copy_fixture("progress-status-none");
    std::fs::remove_file(dir.join("input/checkdown.progress.json")).expect("rm");
    let out = run(&dir, &["status", "input", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        report["total"].to_string(),
        r#"{"done":2,"in_progress":0,"not_applicable":0,"open":6,"total":8}"#
    );
}

#[test]
fn status_with_a_malformed_progress_file_exits_1() {
    let dir = copy_fixture("progress-status-bad");
    std::fs::write(
        dir.join("input/checkdown.progress.json"),
        "{\"format\": \"checkdown-progress\", \"version\": 7}",
    )
    .expect("write");
    let out = run(&dir, &["status", "input"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error[progress-invalid]: unknown version 7: checkdown reads versions 1 and 2\n --> input/checkdown.progress.json:1:34\n"), "{}", stderr(&out));
}

/// docs/progress.schema.json is what `checkdown schema progress` prints.
#[test]
fn progress_schema_is_current() {
    let out = run(&repo(), &["schema", "progress"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        read(repo().join("docs/progress.schema.json")),
        "docs/progress.schema.json is stale: run `cargo run -- schema progress > docs/progress.schema.json`"
    );
}
