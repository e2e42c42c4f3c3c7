//! `checkdown progress merge` (exact bytes of the result, conflicts, versions 1 and 2 mixed,
//! refusals, exit codes) and `checkdown progress import` (one export per tracker, made as the
//! tracker writes it, against tests/fixtures/progress/input: exact progress file, report,
//! diagnostics and exit codes; refusals; a second run that changes nothing).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{fixture, temp_dir};

const TAG: &str = "1efeccc1-48c2-538a-86b6-f408d74f5a05";
const FREEZE: &str = "9a19906b-3775-570b-bfe2-30825191e217";
const NOTES: &str = "cbd40c57-54af-557c-aa9d-1ea28b978bec";
const INVENTORY: &str = "2727633a-5d02-572c-9a82-9ca2e1beb5b8";
const RUNBOOK: &str = "75959002-7e6d-5de2-8ee1-25614d736858";
const OWNER: &str = "fbb48b4d-5136-571e-8a39-69de0e02cf51";
const ROTATE: &str = "b8251dab-1bec-5019-ab91-e96cb0890933";
const RESTORE: &str = "6a731e9a-a973-53eb-aea7-011e315dff4b";
/// The section tickets' labels: Level 1 of the guide, and the release page's section.
const LEVEL1: &str = "checkdown-38ada4e4";
const RELEASE: &str = "checkdown-c2655cc5";

/// Runs the binary in `dir` with `args`, colour off, `env` set.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_checkdown"));
    cmd.current_dir(dir)
        .args(["--color", "never"])
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("checkdown runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A progress file of version 2 with `entries` (`"id": {...}` lines, in order).
fn v2(entries: &[&str]) -> String {
    format!(
        "{{\n  \"format\": \"checkdown-progress\",\n  \"items\": {{\n{}\n  }},\n  \"version\": 2\n}}\n",
        entries
            .iter()
            .map(|e| format!("    {e}"))
            .collect::<Vec<_>>()
            .join(",\n")
    )
}

/// One entry as the writer writes it.
fn entry(id: &str, status: &str, note: Option<&str>, updated: &str) -> String {
    let note = note.map_or(String::new(), |n| {
        format!(
            "      \"note\": {},\n",
            serde_json::to_string(n).expect("json")
        )
    });
    format!("    \"{id}\": {{\n{note}      \"status\": \"{status}\",\n      \"updated\": \"{updated}\"\n    }}")
}

/// The bytes the writer gives for `entries` (each made by [`entry`], in id order).
fn written(entries: &[String]) -> String {
    format!(
        "{{\n  \"format\": \"checkdown-progress\",\n  \"items\": {{\n{}\n  }},\n  \"version\": 2\n}}\n",
        entries.join(",\n")
    )
}

#[test]
fn merge_keeps_the_later_entry_of_each_item() {
    let dir = temp_dir("progress-merge");
    std::fs::write(
        dir.join("a.json"),
        v2(&[
            r#""only-a": {"status": "done", "updated": "2025-03-01T09:00:00Z"}"#,
            r#""same": {"note": "n", "status": "done", "updated": "2025-03-01T10:00:00+01:00"}"#,
            r#""newer-a": {"note": "mine", "status": "not-applicable", "updated": "2025-03-05T00:00:00Z"}"#,
            r#""newer-b": {"status": "in-progress", "updated": "2025-03-01T09:00:00Z"}"#,
        ]),
    )
    .expect("a");
    std::fs::write(
        dir.join("b.json"),
        v2(&[
            r#""newer-a": {"status": "done", "updated": "2025-03-04T23:59:59.999Z"}"#,
            r#""newer-b": {"status": "done", "updated": "2025-03-01T10:00:00.5+01:00"}"#,
            r#""only-b": {"note": "x", "status": "open", "updated": "2025-02-01T00:00:00Z"}"#,
            r#""same": {"note": "n", "status": "done", "updated": "2025-03-01T09:00:00Z"}"#,
        ]),
    )
    .expect("b");
    let o = run(
        &dir,
        &["progress", "merge", "a.json", "b.json", "-o", "c.json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), "");
    assert_eq!(
        err(&o),
        "checkdown: wrote c.json: 5 items (1 only in a.json, 1 only in b.json, 1 the same in both, 1 newer in a.json, 1 newer in b.json, 0 conflicts)\n"
    );
    assert_eq!(
        read(dir.join("c.json")),
        written(&[
            entry(
                "newer-a",
                "not-applicable",
                Some("mine"),
                "2025-03-05T00:00:00Z"
            ),
            entry("newer-b", "done", None, "2025-03-01T10:00:00.5+01:00"),
            entry("only-a", "done", None, "2025-03-01T09:00:00Z"),
            entry("only-b", "open", Some("x"), "2025-02-01T00:00:00Z"),
            entry("same", "done", Some("n"), "2025-03-01T10:00:00+01:00"),
        ])
    );
    // The same merge the other way round gives the same items, but `same` as B wrote it.
    let o = run(
        &dir,
        &["progress", "merge", "b.json", "a.json", "-o", "-"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        read(dir.join("c.json")).replace(
            "2025-03-01T10:00:00+01:00\"\n    }\n  }",
            "2025-03-01T09:00:00Z\"\n    }\n  }"
        )
    );
    assert_eq!(
        err(&o),
        "checkdown: wrote standard output: 5 items (1 only in b.json, 1 only in a.json, 1 the same in both, 1 newer in b.json, 1 newer in a.json, 0 conflicts)\n"
    );
}

#[test]
fn merge_conflicts_keep_a_and_exit_1() {
    let dir = temp_dir("progress-merge-conflict");
    std::fs::write(
        dir.join("a.json"),
        v2(&[
            r#""n1": {"note": "ours", "status": "done", "updated": "2025-03-01T09:00:00Z"}"#,
            r#""s1": {"status": "done", "updated": "2025-03-01T09:00:00Z"}"#,
        ]),
    )
    .expect("a");
    std::fs::write(
        dir.join("b.json"),
        v2(&[
            r#""s1": {"status": "open", "updated": "2025-03-01T09:00:00Z"}"#,
            r#""n1": {"note": "theirs", "status": "done", "updated": "2025-03-01T11:00:00+02:00"}"#,
        ]),
    )
    .expect("b");
    // Written in place of A, as a git merge driver does.
    let o = run(
        &dir,
        &["progress", "merge", "a.json", "b.json", "-o", "a.json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(
        err(&o),
        "error[progress-conflict]: item `n1` is `done` in both, with different notes in a.json and b.json:5:5, both updated at 2025-03-01T09:00:00Z: the entry of a.json is kept\n\
         --> a.json:4:5\n |\n\
         help: decide which is right, write it in either file with a later `updated`, and merge again\n\
         error[progress-conflict]: item `s1` is `done` in a.json but `open` in b.json:4:5, both updated at 2025-03-01T09:00:00Z: the entry of a.json is kept\n\
         --> a.json:5:5\n |\n\
         help: decide which is right, write it in either file with a later `updated`, and merge again\n\
         checkdown: wrote a.json: 2 items (0 only in a.json, 0 only in b.json, 0 the same in both, 0 newer in a.json, 0 newer in b.json, 2 conflicts)\n"
    );
    assert_eq!(
        read(dir.join("a.json")),
        written(&[
            entry("n1", "done", Some("ours"), "2025-03-01T09:00:00Z"),
            entry("s1", "done", None, "2025-03-01T09:00:00Z"),
        ])
    );
}

/// Version 1 (the HTML checklist's export) with version 2: ticks with a time of their own
/// compare by it; ticks without one lose to any timed entry, whatever the `exported` time.
#[test]
fn merge_reads_version_1_and_writes_version_2() {
    let dir = temp_dir("progress-merge-v1");
    std::fs::write(
        dir.join("v1.json"),
        r#"{
  "format": "checkdown-progress",
  "version": 1,
  "exported": "2025-06-01T00:00:00.000Z",
  "done": {
    "timed-later": "2025-05-01T10:00:00.000Z",
    "timed-earlier": "2025-01-01T10:00:00.000Z",
    "untimed": "1",
    "untimed-only": "1"
  },
  "open": {
    "reopened": "2025-05-02T00:00:00.000Z"
  }
}
"#,
    )
    .expect("v1");
    std::fs::write(
        dir.join("v2.json"),
        v2(&[
            r#""reopened": {"status": "done", "updated": "2025-05-01T00:00:00Z"}"#,
            r#""timed-earlier": {"status": "in-progress", "updated": "2025-02-01T00:00:00Z"}"#,
            r#""timed-later": {"status": "open", "updated": "2025-04-01T00:00:00Z"}"#,
            r#""untimed": {"status": "open", "updated": "1970-01-01T00:00:00Z"}"#,
        ]),
    )
    .expect("v2");
    let o = run(
        &dir,
        &[
            "progress",
            "merge",
            "v1.json",
            "v2.json",
            "-o",
            "out/merged.json",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        err(&o),
        "checkdown: wrote out/merged.json: 5 items (1 only in v1.json, 0 only in v2.json, 0 the same in both, 2 newer in v1.json, 2 newer in v2.json, 0 conflicts)\n"
    );
    assert_eq!(
        read(dir.join("out/merged.json")),
        written(&[
            entry("reopened", "open", None, "2025-05-02T00:00:00.000Z"),
            entry("timed-earlier", "in-progress", None, "2025-02-01T00:00:00Z"),
            entry("timed-later", "done", None, "2025-05-01T10:00:00.000Z"),
            entry("untimed", "open", None, "1970-01-01T00:00:00Z"),
            entry("untimed-only", "done", None, "2025-06-01T00:00:00.000Z"),
        ])
    );
    // Two version 1 files whose ticks have no time: they tie, and differ: a conflict.
    std::fs::write(
        dir.join("list.json"),
        r#"{"format": "checkdown-progress", "version": 1, "done": ["x"], "open": ["y"]}"#,
    )
    .expect("list");
    std::fs::write(
        dir.join("list2.json"),
        r#"{"format": "checkdown-progress", "version": 1, "done": ["y"]}"#,
    )
    .expect("list2");
    let o = run(
        &dir,
        &["progress", "merge", "list.json", "list2.json", "-o", "-"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).starts_with("error[progress-conflict]: item `y` is `open` in list.json but `done` in list2.json, neither with a time of its own (version 1): the entry of list.json is kept\n"),
        "{}",
        err(&o)
    );
    assert_eq!(
        out(&o),
        written(&[
            entry("x", "done", None, "1970-01-01T00:00:00Z"),
            entry("y", "open", None, "1970-01-01T00:00:00Z"),
        ])
    );
}

#[test]
fn merge_refuses_a_file_that_does_not_parse_and_writes_nothing() {
    let dir = temp_dir("progress-merge-bad");
    std::fs::write(dir.join("c.json"), "before\n").expect("c");
    std::fs::write(
        dir.join("a.json"),
        v2(&[r#""a1": {"status": "finished", "updated": "2025-03-01T09:00:00Z"}"#]),
    )
    .expect("a");
    std::fs::write(dir.join("b.json"), v2(&[])).expect("b");
    let o = run(
        &dir,
        &["progress", "merge", "a.json", "b.json", "-o", "c.json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error[progress-invalid]: unknown variant `finished`, expected one of `open`, `in-progress`, `done`, `not-applicable`\n\
         \x20--> a.json:4:31\n  |\n\
         4 |     \"a1\": {\"status\": \"finished\", \"updated\": \"2025-03-01T09:00:00Z\"}\n\
         \x20 |                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  |\n\
         help: a progress file is JSON with \"format\": \"checkdown-progress\" and \"version\": 2 (see docs/progress.schema.json); fix or remove it\n\
         checkdown: nothing was merged; `c.json` is untouched\n"
    );
    assert_eq!(read(dir.join("c.json")), "before\n");
    let o = run(
        &dir,
        &[
            "progress",
            "merge",
            "b.json",
            "missing.json",
            "-o",
            "c.json",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error: progress file `missing.json` does not exist\ncheckdown: nothing was merged; `c.json` is untouched\n"
    );
    assert_eq!(read(dir.join("c.json")), "before\n");
    // No temporary file is left beside it.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.json", "b.json", "c.json"]);
    // -o is required.
    let o = run(&dir, &["progress", "merge", "a.json", "b.json"], &[]);
    assert_eq!(o.status.code(), Some(2));
}

// ---- import ----

/// A copy of tests/fixtures/progress/input in a fresh folder, and the progress file's path.
fn docs(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    for rel in [
        "security/guide.md",
        "ops/release.md",
        "checkdown.lock",
        "checkdown.progress.json",
    ] {
        let to = dir.join("input").join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(fixture("progress/input").join(rel), &to).expect("copy");
    }
    dir
}

fn csv_bytes(rows: &[Vec<&str>], bom: bool) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("row");
    }
    let mut bytes = if bom {
        b"\xef\xbb\xbf".to_vec()
    } else {
        Vec::new()
    };
    bytes.extend(w.into_inner().expect("csv"));
    bytes
}

/// The fixture's progress file, with entries replaced or added (in id order).
fn fixture_with(changes: &[(&str, String)]) -> String {
    let mut entries: std::collections::BTreeMap<String, String> = [
        (
            "00000000-0000-5000-8000-000000000000",
            entry(
                "00000000-0000-5000-8000-000000000000",
                "done",
                None,
                "2025-01-01T00:00:00Z",
            ),
        ),
        (TAG, entry(TAG, "open", None, "2025-03-04T08:00:00Z")),
        (
            INVENTORY,
            entry(
                INVENTORY,
                "done",
                Some("Kept in `docs/inventory.md`."),
                "2025-03-01T09:30:00Z",
            ),
        ),
        (
            RUNBOOK,
            entry(
                RUNBOOK,
                "in-progress",
                Some("Draft under review.\nAsk <script>alert(1)</script> ops."),
                "2025-03-02T10:00:00.250Z",
            ),
        ),
        (
            OWNER,
            entry(
                OWNER,
                "not-applicable",
                Some("=one owner for the whole platform"),
                "2025-03-03T00:00:00+01:00",
            ),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (id, e) in changes {
        entries.insert(id.to_string(), e.clone());
    }
    written(&entries.into_values().collect::<Vec<_>>())
}

fn import(dir: &Path, tracker: &str, export: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "progress",
        "import",
        "input",
        "--tracker",
        tracker,
        "--export",
        export,
    ];
    args.extend_from_slice(extra);
    run(dir, &args, env)
}

/// Jira's "Export CSV (all fields)": every case of a Jira issue, times in the exporting
/// user's zone (+02:00).
#[test]
fn import_from_jira() {
    let dir = docs("progress-import-jira");
    let desc = format!("List what runs where.\n\nh3. Source\n\ncheckdown id: {{{{{INVENTORY}}}}} rev {{{{b22733ff}}}}");
    let header = vec![
        "Summary",
        "Issue key",
        "Issue id",
        "Issue Type",
        "Status",
        "Priority",
        "Resolution",
        "Updated",
        "Resolved",
        "Labels",
        "Labels",
        "Description",
        "Parent",
        "Status Category",
    ];
    let row = |summary: &'static str,
               key: &'static str,
               status: &'static str,
               resolution: &'static str,
               updated: &'static str,
               resolved: &'static str,
               label: &'static str,
               category: &'static str| {
        vec![
            summary,
            key,
            "1",
            "Task",
            status,
            "High",
            resolution,
            updated,
            resolved,
            "checkdown",
            label,
            "",
            "",
            category,
        ]
    };
    let mut inventory = row(
        "Inventory the workload",
        "CHK-2",
        "Done",
        "Done",
        "02/May/25 9:00 AM",
        "01/May/25 9:00 AM",
        "checkdown-2727633a",
        "Done",
    );
    inventory[11] = desc.as_str();
    let rows = vec![
        header,
        row(
            "Progress fixture guide / Level 1: Foundations",
            "CHK-1",
            "Done",
            "Done",
            "01/May/25 9:00 AM",
            "01/May/25 9:00 AM",
            LEVEL1,
            "Done",
        ),
        inventory,
        row(
            "Write a runbook",
            "CHK-3",
            "Done",
            "Done",
            "03/May/25 4:10 PM",
            "02/May/25 4:05 PM",
            "checkdown-75959002",
            "Done",
        ),
        row(
            "Rotate the keys",
            "CHK-4",
            "Closed",
            "Won't Do",
            "12/Jun/25 12:00 AM",
            "12/Jun/25 12:00 AM",
            "checkdown-b8251dab",
            "Done",
        ),
        row(
            "Test the restore",
            "CHK-5",
            "In Progress",
            "",
            "12/Jun/25 9:00 AM",
            "",
            "checkdown-6a731e9a",
            "In Progress",
        ),
        row(
            "Freeze the branch",
            "CHK-6",
            "Closed",
            "Duplicate",
            "12/Jun/25 9:00 AM",
            "12/Jun/25 9:00 AM",
            "checkdown-9a19906b",
            "Done",
        ),
        row(
            "Write the notes",
            "CHK-7",
            "Done",
            "",
            "01/Jun/25 10:00 AM",
            "",
            "checkdown-cbd40c57",
            "Done",
        ),
        row(
            "Ask legal",
            "CHK-8",
            "Done",
            "Done",
            "01/Jun/25 10:00 AM",
            "01/Jun/25 10:00 AM",
            "",
            "Done",
        ),
        row(
            "An item the docs dropped",
            "CHK-9",
            "Done",
            "Done",
            "01/Jun/25 10:00 AM",
            "01/Jun/25 10:00 AM",
            "checkdown-0badc0de",
            "Done",
        ),
        row(
            "Tag the release",
            "CHK-10",
            "Done",
            "Done",
            "01/Mar/25 9:30 AM",
            "01/Mar/25 9:30 AM",
            "checkdown-1efeccc1",
            "Done",
        ),
        row(
            "Name an owner",
            "CHK-11",
            "Closed",
            "Won't Fix",
            "01/Apr/25 9:00 AM",
            "01/Apr/25 9:00 AM",
            "checkdown-fbb48b4d",
            "Done",
        ),
    ];
    std::fs::write(dir.join("jira.csv"), csv_bytes(&rows, false)).expect("export");
    let o = import(&dir, "jira", "jira.csv", &["--time-zone", "+02:00"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!(
            "ticket CHK-3: item {RUNBOOK} (Write a runbook) in-progress -> done, updated 2025-05-02T16:05:00+02:00\n\
             ticket CHK-4: item {ROTATE} (Rotate the keys) no entry -> not-applicable, updated 2025-06-12T00:00:00+02:00\n\
             ticket CHK-7: item {NOTES} (Write the notes) no entry -> done, updated 2025-06-01T10:00:00+02:00\n"
        )
    );
    assert_eq!(
        err(&o),
        format!(
            "note[other-resolution]: ticket CHK-6 is closed as `Duplicate`, neither done nor not to be done: item `{FREEZE}` is left as it is\n\
             --> jira.csv:11:1\n\
             warning[unknown-ticket]: ticket CHK-9 has the label `checkdown-0badc0de`, which matches no item of the docs: left out of the progress file\n\
             --> jira.csv:14:1\n |\n\
             help: the docs dropped the item (`checkdown sync` labels its ticket `checkdown-removed`), or the export is of another docs folder or lock\n\
             note[newer-progress]: ticket CHK-10 was closed as done at 2025-03-01T09:30:00+02:00, but the progress file says `open` since 2025-03-04T08:00:00Z, later: item `{TAG}` is left as it is\n\
             --> jira.csv:15:1\n\
             checkdown: 11 tickets: 2 marked done, 1 marked not applicable, 5 unchanged, 1 for sections, 1 without a checkdown id, 1 matching no item; wrote `input/checkdown.progress.json`\n"
        )
    );
    let want = fixture_with(&[
        (
            RUNBOOK,
            entry(
                RUNBOOK,
                "done",
                Some("Draft under review.\nAsk <script>alert(1)</script> ops."),
                "2025-05-02T16:05:00+02:00",
            ),
        ),
        (
            ROTATE,
            entry(ROTATE, "not-applicable", None, "2025-06-12T00:00:00+02:00"),
        ),
        (
            NOTES,
            entry(NOTES, "done", None, "2025-06-01T10:00:00+02:00"),
        ),
    ]);
    assert_eq!(read(dir.join("input/checkdown.progress.json")), want);
    // Again: nothing changes, nothing is written.
    let o = import(&dir, "jira", "jira.csv", &["--time-zone", "+02:00"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), "");
    assert!(err(&o).ends_with("checkdown: 11 tickets: 0 marked done, 0 marked not applicable, 8 unchanged, 1 for sections, 1 without a checkdown id, 1 matching no item; `input/checkdown.progress.json` is left as it is\n"), "{}", err(&o));
    assert_eq!(read(dir.join("input/checkdown.progress.json")), want);
    // --deny warnings makes the unknown ticket an error: exit 1.
    let o = import(
        &dir,
        "jira",
        "jira.csv",
        &["--time-zone", "+02:00", "--deny", "warnings"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("error[unknown-ticket]: ticket CHK-9"),
        "{}",
        err(&o)
    );
}

/// An Azure DevOps query exported to CSV (a byte order mark, en-GB dates: day first).
#[test]
fn import_from_azure_devops() {
    let dir = docs("progress-import-ado");
    let rows = vec![
        vec![
            "ID",
            "Work Item Type",
            "Title",
            "State",
            "Reason",
            "Tags",
            "Closed Date",
            "State Change Date",
            "Changed Date",
        ],
        vec![
            "501",
            "Epic",
            "Progress fixture guide / Level 2: Operations",
            "Closed",
            "Acceptance tests pass",
            "checkdown; checkdown-e95db6eb",
            "14/05/2025 09:30",
            "14/05/2025 09:30",
            "14/05/2025 09:30",
        ],
        vec![
            "502",
            "User Story",
            "Rotate the keys",
            "Removed",
            "Removed from the backlog",
            "checkdown; checkdown-b8251dab; level-2",
            "",
            "02/05/2025 17:45",
            "03/05/2025 08:00",
        ],
        vec![
            "503",
            "User Story",
            "Test the restore",
            "Active",
            "Implementation started",
            "checkdown; checkdown-6a731e9a",
            "",
            "01/05/2025 08:00",
            "01/05/2025 08:00",
        ],
        vec![
            "504",
            "User Story",
            "Write a runbook",
            "Closed",
            "Acceptance tests pass",
            "checkdown-75959002; checkdown",
            "04/05/2025 10:00",
            "04/05/2025 10:00",
            "05/05/2025 10:00",
        ],
        vec![
            "505",
            "Bug",
            "Freeze the branch",
            "Resolved",
            "Fixed",
            "checkdown-9a19906b",
            "",
            "",
            "06/05/2025 11:15",
        ],
        vec![
            "506",
            "User Story",
            "Name an owner",
            "Closed",
            "Obsolete",
            "checkdown-fbb48b4d",
            "07/05/2025 12:00",
            "07/05/2025 12:00",
            "07/05/2025 12:00",
        ],
    ];
    std::fs::write(dir.join("query.csv"), csv_bytes(&rows, true)).expect("export");
    let o = import(&dir, "azure-devops", "query.csv", &[], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!(
            "ticket 502: item {ROTATE} (Rotate the keys) no entry -> not-applicable, updated 2025-05-02T17:45:00Z\n\
             ticket 504: item {RUNBOOK} (Write a runbook) in-progress -> done, updated 2025-05-04T10:00:00Z\n\
             ticket 505: item {FREEZE} (Freeze the branch) no entry -> done, updated 2025-05-06T11:15:00Z\n"
        )
    );
    assert_eq!(
        err(&o),
        "checkdown: 6 tickets: 2 marked done, 1 marked not applicable, 2 unchanged, 1 for sections, 0 without a checkdown id, 0 matching no item; wrote `input/checkdown.progress.json`\n"
    );
    assert_eq!(
        read(dir.join("input/checkdown.progress.json")),
        fixture_with(&[
            (
                ROTATE,
                entry(ROTATE, "not-applicable", None, "2025-05-02T17:45:00Z")
            ),
            (
                RUNBOOK,
                entry(
                    RUNBOOK,
                    "done",
                    Some("Draft under review.\nAsk <script>alert(1)</script> ops."),
                    "2025-05-04T10:00:00Z"
                )
            ),
            (FREEZE, entry(FREEZE, "done", None, "2025-05-06T11:15:00Z")),
        ])
    );
}

/// GitLab's "Export as CSV": times in UTC whatever --time-zone says; a closed issue is done;
/// the progress file elsewhere, created.
#[test]
fn import_from_gitlab_creates_the_file() {
    let dir = docs("progress-import-gitlab");
    let header = vec![
        "Title",
        "Description",
        "Issue ID",
        "URL",
        "State",
        "Author",
        "Author Username",
        "Assignee",
        "Assignee Username",
        "Confidential",
        "Locked",
        "Due Date",
        "Created At (UTC)",
        "Updated At (UTC)",
        "Closed At (UTC)",
        "Milestone",
        "Weight",
        "Labels",
        "Time Estimate",
        "Time Spent",
    ];
    let row = |title: &'static str,
               iid: &'static str,
               url: &'static str,
               state: &'static str,
               updated: &'static str,
               closed: &'static str,
               labels: &'static str| {
        vec![
            title,
            "",
            iid,
            url,
            state,
            "Dana",
            "dana",
            "",
            "",
            "No",
            "No",
            "",
            "2025-01-01 00:00:00",
            updated,
            closed,
            "",
            "",
            labels,
            "0",
            "0",
        ]
    };
    let rows = vec![
        header,
        row(
            "Tag the release",
            "4000001",
            "https://gitlab.example/g/p/-/issues/1",
            "Closed",
            "2025-05-01 09:31:00",
            "2025-05-01 09:30:00",
            "checkdown,checkdown-1efeccc1,release-tasks",
        ),
        row(
            "Write the notes",
            "4000002",
            "https://gitlab.example/g/p/-/issues/2",
            "Open",
            "2025-05-01 09:31:00",
            "",
            "checkdown,checkdown-cbd40c57",
        ),
        row(
            "Test the restore",
            "4000003",
            "https://gitlab.example/g/p/-/issues/3",
            "Closed",
            "2025-05-03 10:00:00",
            "",
            "checkdown,checkdown-6a731e9a",
        ),
    ];
    std::fs::write(dir.join("issues.csv"), csv_bytes(&rows, false)).expect("export");
    let o = import(
        &dir,
        "gitlab",
        "issues.csv",
        &["--progress", "team.json", "--time-zone", "+05:00"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!(
            "ticket 1: item {TAG} (Tag the release) no entry -> done, updated 2025-05-01T09:30:00Z\n\
             ticket 3: item {RESTORE} (Test the restore) no entry -> done, updated 2025-05-03T10:00:00Z\n"
        )
    );
    assert_eq!(
        err(&o),
        "checkdown: 3 tickets: 2 marked done, 0 marked not applicable, 1 unchanged, 0 for sections, 0 without a checkdown id, 0 matching no item; created `team.json`\n"
    );
    assert_eq!(
        read(dir.join("team.json")),
        written(&[
            entry(TAG, "done", None, "2025-05-01T09:30:00Z"),
            entry(RESTORE, "done", None, "2025-05-03T10:00:00Z"),
        ])
    );
    // The docs' own file is not touched.
    assert_eq!(
        read(dir.join("input/checkdown.progress.json")),
        read(fixture("progress/input/checkdown.progress.json"))
    );
}

/// `gh issue list --json …,stateReason,closedAt,updatedAt`, against a version 1 file (the
/// HTML checklist's export): untimed ticks lose; an issue without times is dated now
/// (SOURCE_DATE_EPOCH); the result is version 2.
#[test]
fn import_from_github_over_a_version_1_file() {
    let dir = docs("progress-import-github");
    std::fs::write(
        dir.join("input/checkdown.progress.json"),
        format!(
            r#"{{"format": "checkdown-progress", "version": 1, "done": {{"{TAG}": "2025-06-01T00:00:00.000Z"}}, "open": ["{RUNBOOK}", "{ROTATE}"]}}"#
        ),
    )
    .expect("v1");
    let issues = format!(
        r#"[
  {{"number": 11, "title": "Write a runbook", "body": "x\n\ncheckdown id: `{RUNBOOK}` rev `ebd42b67`", "labels": [{{"name": "checkdown"}}, {{"name": "checkdown-75959002"}}], "state": "CLOSED", "stateReason": "COMPLETED", "closedAt": null, "updatedAt": null, "url": "u"}},
  {{"number": 12, "title": "Rotate the keys", "labels": [{{"name": "checkdown-b8251dab"}}], "state": "CLOSED", "stateReason": "NOT_PLANNED", "closedAt": "2025-05-01T08:00:00Z", "updatedAt": "2025-05-01T08:00:01Z"}},
  {{"number": 13, "title": "Tag the release", "labels": [{{"name": "checkdown-1efeccc1"}}], "state": "CLOSED", "stateReason": "NOT_PLANNED", "closedAt": "2025-05-01T08:00:00Z"}},
  {{"number": 14, "title": "Test the restore", "labels": [{{"name": "checkdown-6a731e9a"}}], "state": "CLOSED", "stateReason": "DUPLICATE", "closedAt": "2025-05-01T08:00:00Z"}},
  {{"number": 15, "title": "Before the release", "labels": [{{"name": "{RELEASE}"}}], "state": "CLOSED", "stateReason": "COMPLETED", "closedAt": "soon"}},
  {{"number": 16, "title": "Not ours", "labels": [], "state": "OPEN", "stateReason": "REOPENED"}}
]
"#
    );
    std::fs::write(dir.join("issues.json"), issues).expect("export");
    let epoch = [("SOURCE_DATE_EPOCH", "1750000000")];
    // --dry-run: the report, nothing written.
    let o = import(&dir, "github", "issues.json", &["--dry-run"], &epoch);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let report = format!(
        "ticket 11: item {RUNBOOK} (Write a runbook) open -> done, updated 2025-06-15T15:06:40Z\n\
         ticket 12: item {ROTATE} (Rotate the keys) open -> not-applicable, updated 2025-05-01T08:00:00Z\n"
    );
    assert_eq!(out(&o), report);
    assert!(
        err(&o).ends_with("--dry-run: `input/checkdown.progress.json` is left as it is\n"),
        "{}",
        err(&o)
    );
    assert!(read(dir.join("input/checkdown.progress.json")).contains("\"version\": 1"));
    let o = import(&dir, "github", "issues.json", &[], &epoch);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(out(&o), report);
    assert_eq!(
        err(&o),
        format!(
            "note[newer-progress]: ticket 13 was closed as not-applicable at 2025-05-01T08:00:00Z, but the progress file says `done` since 2025-06-01T00:00:00.000Z, later: item `{TAG}` is left as it is\n\
             --> issues.json:4:3\n\
             note[other-resolution]: ticket 14 is closed as `DUPLICATE`, neither done nor not to be done: item `{RESTORE}` is left as it is\n\
             --> issues.json:5:3\n\
             checkdown: 6 tickets: 1 marked done, 1 marked not applicable, 2 unchanged, 1 for sections, 1 without a checkdown id, 0 matching no item; wrote `input/checkdown.progress.json`\n"
        )
    );
    assert_eq!(
        read(dir.join("input/checkdown.progress.json")),
        written(&[
            entry(TAG, "done", None, "2025-06-01T00:00:00.000Z"),
            entry(RUNBOOK, "done", None, "2025-06-15T15:06:40Z"),
            entry(ROTATE, "not-applicable", None, "2025-05-01T08:00:00Z"),
        ])
    );
}

#[test]
fn import_refuses_bad_files_and_writes_nothing() {
    let dir = docs("progress-import-bad");
    let before = read(dir.join("input/checkdown.progress.json"));
    // An export with one label on two tickets.
    std::fs::write(
        dir.join("dup.json"),
        "[\n  {\"number\": 1, \"title\": \"A\", \"labels\": [{\"name\": \"checkdown-75959002\"}], \"state\": \"CLOSED\"},\n  {\"number\": 2, \"title\": \"B\", \"labels\": [{\"name\": \"checkdown-75959002\"}], \"state\": \"CLOSED\"}\n]\n",
    )
    .expect("dup");
    let o = import(&dir, "github", "dup.json", &[], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error: dup.json:3:3: the label `checkdown-75959002` is on two tickets, 1 (line 2, column 3) and 2; keep it on one\n\
         checkdown: the export has 1 problem; nothing was written\n"
    );
    // Another tracker's export.
    std::fs::write(
        dir.join("jira.csv"),
        "Summary,Issue key,Labels\r\nA,CHK-1,checkdown\r\n",
    )
    .expect("jira");
    let o = import(&dir, "gitlab", "jira.csv", &[], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with(
            "error: jira.csv:1: this is a Jira export, not one of gitlab: pass --tracker jira"
        ),
        "{}",
        err(&o)
    );
    // A progress file that does not parse.
    std::fs::write(dir.join("closed.json"), "[{\"number\": 1, \"title\": \"A\", \"labels\": [{\"name\": \"checkdown-75959002\"}], \"state\": \"CLOSED\"}]").expect("export");
    std::fs::write(
        dir.join("bad.json"),
        "{\"format\": \"checkdown-progress\", \"version\": 9}",
    )
    .expect("bad");
    let o = import(
        &dir,
        "github",
        "closed.json",
        &["--progress", "bad.json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error[progress-invalid]: unknown version 9: checkdown reads versions 1 and 2\n\
         \x20--> bad.json:1:34\n  |\n\
         1 | {\"format\": \"checkdown-progress\", \"version\": 9}\n\
         \x20 |                                  ^^^^^^^^^^^^^\n  |\n\
         help: a progress file is JSON with \"format\": \"checkdown-progress\" and \"version\": 2 (see docs/progress.schema.json); fix or remove it\n\
         checkdown: nothing was imported; `bad.json` is untouched\n"
    );
    // Usage: no tracker; a zone that is not an offset.
    let o = run(
        &dir,
        &["progress", "import", "input", "--export", "closed.json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        err(&o),
        "error: progress import needs a tracker: --tracker jira|azure-devops|gitlab|github, or `[sync] tracker` in checkdown.toml\n"
    );
    let o = import(
        &dir,
        "github",
        "closed.json",
        &["--time-zone", "Europe/Paris"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("`Europe/Paris` is not a time zone offset"),
        "{}",
        err(&o)
    );
    // Docs with an error: nothing written, exit 1.
    std::fs::write(dir.join("input/security/broken.md"), "# x\n\0\n").expect("broken");
    let o = import(&dir, "github", "closed.json", &[], &[]);
    assert!(
        err(&o).ends_with(
            "checkdown: the docs have errors; fix them before an import (nothing was written)\n"
        ),
        "{}",
        err(&o)
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(read(dir.join("input/checkdown.progress.json")), before);
}

/// The changes listed on standard output show what the export holds escaped: a key with a
/// terminal escape sequence, a bell, a bidirectional override, a line break and a line
/// separator is one line, and sends none of them.
#[test]
fn import_lists_each_change_on_one_line_escaped() {
    let dir = docs("progress-import-escapes");
    let rows = vec![
        vec![
            "Summary",
            "Issue key",
            "Status",
            "Resolution",
            "Resolved",
            "Labels",
        ],
        vec![
            "Write a runbook",
            "CHK\x1b]0;pwned\x07-2\u{202e}\n\u{2028}x",
            "Done",
            "Done",
            "2025-05-03T16:10:00Z",
            "checkdown-75959002",
        ],
        vec![
            "Rotate the keys",
            "CHK-3\u{9b}2J",
            "Done",
            "Done",
            "\x1b[2J soon",
            "checkdown-b8251dab",
        ],
    ];
    std::fs::write(dir.join("jira.csv"), csv_bytes(&rows, false)).expect("export");
    let epoch = [("SOURCE_DATE_EPOCH", "1750000000")];
    let o = import(&dir, "jira", "jira.csv", &["--dry-run"], &epoch);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        format!(
            "ticket CHK\\u{{1b}}]0;pwned\\u{{7}}-2\\u{{202e}}\\u{{a}}\\u{{2028}}x: item {RUNBOOK} (Write a runbook) in-progress -> done, updated 2025-05-03T16:10:00Z\n\
             ticket CHK-3\\u{{9b}}2J: item {ROTATE} (Rotate the keys) no entry -> done, updated 2025-06-15T15:06:40Z\n"
        )
    );
    assert!(
        err(&o).starts_with(
            "warning[ticket-time]: ticket CHK-3\\u{9b}2J: `\\u{1b}[2J soon` is not a time checkdown reads\n"
        ),
        "{}",
        err(&o)
    );
    assert!(!err(&o).contains(['\x1b', '\u{9b}']), "{}", err(&o));
}

/// The subcommands come with their manual pages and shell completion.
#[test]
fn progress_has_man_pages_and_completions() {
    let dir = temp_dir("progress-man");
    let o = run(&dir, &["man", "pages"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    for page in [
        "checkdown-progress.1",
        "checkdown-progress-merge.1",
        "checkdown-progress-import.1",
    ] {
        assert!(dir.join("pages").join(page).is_file(), "{page}");
    }
    let roff = read(dir.join("pages/checkdown-progress-import.1"));
    for flag in [
        "\\-\\-time\\-zone",
        "\\-\\-dry\\-run",
        "\\-\\-export",
        "\\-\\-progress",
    ] {
        assert!(roff.contains(flag), "{flag}");
    }
    let o = run(&dir, &["completions", "bash"], &[]);
    let script = out(&o);
    assert!(
        script.contains("checkdown__subcmd__progress__subcmd__merge"),
        "bash completes `progress merge`"
    );
    assert!(
        script.contains("--time-zone"),
        "bash completes `--time-zone`"
    );
}
