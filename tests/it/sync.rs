//! `checkdown sync`: a round trip per tracker, offline. The seed is built with its lock, its
//! backlog turned into the export the tracker would give after importing it (keys, a status,
//! the tracker's header spelling and quirks), the docs edited (one heading reworded, one
//! strategy dropped, one added, one body edited); `sync` must create exactly one item under
//! the right parent, update exactly the edited and the renamed, flag exactly the dropped, and
//! leave the rest. The scripts for GitLab and GitHub run against stubs of `glab` and `gh`
//! that record every call.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

use crate::common::{build_into, repo, run, seed_text, stderr, temp_dir};

const BOM: &str = "\u{feff}";

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix(BOM.as_bytes()).unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

fn csv_bytes(rows: &[Vec<String>], bom: bool) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for r in rows {
        w.write_record(r).expect("row");
    }
    let mut out = if bom {
        BOM.as_bytes().to_vec()
    } else {
        Vec::new()
    };
    out.extend(w.into_inner().expect("csv"));
    out
}

/// The seed built into `dir/out` with its lock `dir/docs/checkdown.lock`.
fn seed(dir: &Path, tracker: &str) -> PathBuf {
    let docs = dir.join("docs/security");
    std::fs::create_dir_all(&docs).expect("docs");
    std::fs::write(docs.join("maturity-model.md"), seed_text()).expect("seed");
    let out = build_into(
        &dir.join("docs"),
        &dir.join("out"),
        &dir.join("docs/checkdown.lock"),
        &["--format", "md", "--tracker", tracker],
    );
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    dir.join("out")
}

/// The docs edited: one heading reworded, one strategy dropped, one added, one body edited.
fn edit(dir: &Path) {
    let path = dir.join("docs/security/maturity-model.md");
    let text = std::fs::read_to_string(&path).expect("page");
    let dropped_start = text
        .find("#### &#10003; Encrypt data in transit")
        .expect("in transit");
    let dropped_end = text
        .find("#### &#10003; Protect application secrets")
        .expect("secrets");
    let mut text = format!("{}{}", &text[..dropped_start], &text[dropped_end..]);
    let level2 = text
        .find("# [**Level 2: Threat prevention**]")
        .expect("level 2");
    text.insert_str(
        level2,
        "#### &#10003; Rotate credentials on a schedule\n\nRotate keys, certificates and passwords before they expire, and automate the rotation.\n\n",
    );
    let text = text
        .replace("> - [Encrypt data in transit](#-encrypt-data-in-transit)\n", "")
        .replace(
            "> - [Protect application secrets](#-protect-application-secrets)\n",
            "> - [Protect application secrets](#-protect-application-secrets)\n> - [Rotate credentials on a schedule](#-rotate-credentials-on-a-schedule)\n",
        )
        .replace(
            "> - [Refine your identity and access management (IAM) configurations](#-refine-your-iam-configurations)",
            "> - [Refine your identity and access configurations](#-refine-your-identity-and-access-configurations)",
        )
        .replace(
            "#### &#10003; Refine your IAM configurations",
            "#### &#10003; Refine your identity and access configurations",
        )
        .replace(
            "and set up alerts for unexpected changes.",
            "and set up alerts for unexpected changes. Keep the audit logs for a year.",
        );
    std::fs::write(&path, text).expect("edited");
}

fn sync(dir: &Path, tracker: &str, export: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec![
        "sync".to_string(),
        dir.join("docs").to_str().expect("path").to_string(),
        "--tracker".to_string(),
        tracker.to_string(),
        "--export".to_string(),
        export.to_str().expect("path").to_string(),
        "-o".to_string(),
        dir.join("sync").to_str().expect("path").to_string(),
        "--base-url".to_string(),
        checkdown::extract::links::DEFAULT_BASE.to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&repo(), &args)
}

/// The JSON report, with the actions counted by kind and the titles of the tickets each
/// action names (through `titles`, key -> title).
fn report(o: &Output) -> Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("json report")
}

fn by_action<'a>(r: &'a Value, action: &str) -> Vec<&'a Value> {
    r["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|a| a["action"] == action)
        .collect()
}

/// The checks every round trip shares: one creation under the Level 1 ticket, the renamed
/// and the edited updated, the dropped flagged, nothing foreign.
fn check_round_trip(r: &Value, titles: &HashMap<String, String>, level1: Option<&str>) {
    let title = |a: &Value| titles[a["key"].as_str().expect("key")].clone();
    let created = by_action(r, "create");
    assert_eq!(created.len(), 1, "{r:#}");
    assert_eq!(created[0]["key"], Value::Null);
    assert_eq!(created[0]["parent_key"], json!(level1));
    let mut updated: Vec<String> = by_action(r, "update").into_iter().map(title).collect();
    updated.sort();
    assert_eq!(
        updated,
        [
            "Implement system auditing",
            "Refine your identity and access management (IAM) configurations"
        ]
    );
    let flagged: Vec<String> = by_action(r, "flag-removed")
        .into_iter()
        .map(title)
        .collect();
    assert_eq!(flagged, ["Encrypt data in transit"]);
    assert!(by_action(r, "foreign").is_empty());
    let unchanged = by_action(r, "unchanged");
    assert_eq!(unchanged.len(), titles.len() - 3, "{r:#}");
    for a in r["actions"].as_array().expect("actions") {
        if a["action"] != "create" {
            assert!(a["status"].is_string(), "{a}");
        }
    }
}

fn level1_key(titles: &HashMap<String, String>) -> String {
    titles
        .iter()
        .find(|(_, t)| t.as_str() == "Security maturity model / Level 1: Core security")
        .map(|(k, _)| k.clone())
        .expect("the Level 1 ticket")
}

#[test]
fn jira_round_trip() {
    let dir = temp_dir("sync-jira");
    let out = seed(&dir, "jira");
    let backlog = csv_rows(&std::fs::read(out.join("backlog-jira.csv")).expect("backlog"));
    let labels = backlog[0].iter().filter(|c| *c == "Labels").count() + 1;
    // Jira's "Export CSV (all fields)": Summary first, key and id, repeated Labels (one more
    // than needed, empty), a multi-line Description, Parent as the parent's Issue id.
    let mut header: Vec<String> = [
        "Summary",
        "Issue key",
        "Issue id",
        "Issue Type",
        "Status",
        "Priority",
    ]
    .map(String::from)
    .to_vec();
    header.extend(std::iter::repeat_n("Labels".to_string(), labels));
    header.extend(["Description", "Parent", "Parent summary"].map(String::from));
    let mut rows = vec![header];
    let mut titles = HashMap::new();
    for r in &backlog[1..] {
        let n: usize = r[0].parse().expect("issue id");
        let parent = match r[1].as_str() {
            "" => String::new(),
            p => format!("{}", 10_000 + p.parse::<usize>().expect("parent")),
        };
        let mut row = vec![
            r[3].clone(),
            format!("CHK-{n}"),
            format!("{}", 10_000 + n),
            r[2].clone(),
            "To Do".to_string(),
            r[4].clone(),
        ];
        let mut l: Vec<String> = r[6..].iter().filter(|x| !x.is_empty()).cloned().collect();
        l.resize(labels, String::new());
        row.extend(l);
        row.extend([r[5].clone(), parent, String::new()]);
        titles.insert(format!("CHK-{n}"), r[3].clone());
        rows.push(row);
    }
    let export = dir.join("jira.csv");
    std::fs::write(&export, csv_bytes(&rows, false)).expect("export");
    edit(&dir);
    let r = report(&sync(&dir, "jira", &export, &["--format", "json"]));
    let level1 = level1_key(&titles);
    check_round_trip(&r, &titles, Some(&level1));

    let bytes = std::fs::read(dir.join("sync/sync-jira.csv")).expect("sync-jira.csv");
    insta::assert_snapshot!("sync_jira_csv", String::from_utf8_lossy(&bytes));
    let back = csv_rows(&bytes);
    assert_eq!(
        &back[0][..7],
        [
            "Issue Key",
            "Issue Id",
            "Parent",
            "Issue Type",
            "Summary",
            "Priority",
            "Description"
        ]
    );
    assert_eq!(back.len(), 5, "header, one creation, two updates, one flag");
    assert_eq!(back[1][0], "");
    assert_eq!(back[1][2], level1);
    assert_eq!(back[1][3], "Task");
    assert_eq!(back[1][4], "Rotate credentials on a schedule");
    assert_eq!(back[2][4], "Implement system auditing");
    assert!(back[2][6].contains("Keep the audit logs for a year."));
    assert_eq!(back[3][4], "Refine your identity and access configurations");
    assert_eq!(titles[&back[4][0]], "Encrypt data in transit");
    assert!(back[4][7..].contains(&"checkdown-removed".to_string()));
    // A flag writes back what the export holds, and the label.
    let flagged = rows.iter().find(|r| r[1] == back[4][0]).expect("row");
    assert_eq!(back[4][6], flagged[6 + labels]);

    // The Markdown report counts the actions.
    let md = sync(&dir, "jira", &export, &[]);
    assert_eq!(md.status.code(), Some(0));
    let text = String::from_utf8_lossy(&md.stdout);
    assert!(
        text.starts_with("# checkdown sync: jira\n\n1 to create, 2 to update, 1 to flag removed, "),
        "{text}"
    );
}

#[test]
fn azure_devops_round_trip() {
    let dir = temp_dir("sync-ado");
    let out = seed(&dir, "azure-devops");
    let backlog = csv_rows(&std::fs::read(out.join("backlog-azure-devops.csv")).expect("backlog"));
    assert_eq!(
        backlog[0],
        [
            "Work Item Type",
            "Title 1",
            "Title 2",
            "Description",
            "Tags"
        ]
    );
    // A tree query exported to CSV, with a byte order mark: ID, type, Title 1 / Title 2, State,
    // Tags separated by `; `, Description as HTML.
    let mut rows = vec![[
        "ID",
        "Work Item Type",
        "Title 1",
        "Title 2",
        "State",
        "Tags",
        "Description",
    ]
    .map(String::from)
    .to_vec()];
    let mut titles = HashMap::new();
    for (n, r) in backlog[1..].iter().enumerate() {
        let id = format!("{}", 501 + n);
        let title = if r[1].is_empty() { &r[2] } else { &r[1] };
        titles.insert(id.clone(), title.clone());
        rows.push(vec![
            id,
            r[0].clone(),
            r[1].clone(),
            r[2].clone(),
            "New".to_string(),
            r[4].clone(),
            r[3].clone(),
        ]);
    }
    let export = dir.join("ado.csv");
    std::fs::write(&export, csv_bytes(&rows, true)).expect("export");
    edit(&dir);
    let r = report(&sync(&dir, "azure-devops", &export, &["--format", "json"]));
    let level1 = level1_key(&titles);
    check_round_trip(&r, &titles, Some(&level1));

    let bytes = std::fs::read(dir.join("sync/sync-azure-devops.csv")).expect("sync csv");
    insta::assert_snapshot!("sync_azure_devops_csv", String::from_utf8_lossy(&bytes));
    let back = csv_rows(&bytes);
    assert_eq!(
        back[0],
        [
            "ID",
            "Work Item Type",
            "Title 1",
            "Title 2",
            "Parent",
            "Description",
            "Tags"
        ]
    );
    assert_eq!(back.len(), 4);
    assert_eq!(
        back[1][..5],
        [
            "",
            "User Story",
            "Rotate credentials on a schedule",
            "",
            level1.as_str()
        ]
    );
    assert_eq!(titles[&back[2][0]], "Implement system auditing");
    assert_eq!(back[3][2], "Refine your identity and access configurations");
    assert_eq!(
        titles[&back[3][0]],
        "Refine your identity and access management (IAM) configurations"
    );
    let flags = std::fs::read(dir.join("sync/sync-azure-devops-removed.csv")).expect("flags");
    let flags = csv_rows(&flags);
    assert_eq!(flags[0], ["ID", "Work Item Type", "Title", "Tags"]);
    assert_eq!(flags.len(), 2);
    assert_eq!(flags[1][2], "Encrypt data in transit");
    assert!(
        flags[1][3].ends_with("; checkdown-removed"),
        "{}",
        flags[1][3]
    );
}

/// A stub of `name` in `bin` that appends each call to `bin/calls.log`, one argument a line
/// after the command (`gh issue create` prints a new issue's URL, `gh api` an id).
fn stub(bin: &Path, name: &str) {
    let script = format!(
        r#"#!/bin/sh
log="$(dirname "$0")/calls.log"
printf '$ {name}\n' >> "$log"
for a in "$@"; do printf '  <%s>\n' "$a" >> "$log"; done
case "$1 $2" in
  "issue create")
    n=$(cat "$(dirname "$0")/next" 2>/dev/null || echo 900)
    echo $((n + 1)) > "$(dirname "$0")/next"
    echo "https://example.test/o/r/issues/$n" ;;
  "api repos/"*) printf '7%s\n' "${{2##*/}}" ;;
esac
"#
    );
    let path = bin.join(name);
    std::fs::write(&path, script).expect("stub");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

fn run_script(dir: &Path, script: &Path, tool: &str) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    stub(&bin, tool);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .arg(script)
        .env("PATH", path)
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(bin.join("calls.log")).expect("calls")
}

#[test]
fn gitlab_round_trip() {
    let dir = temp_dir("sync-gitlab");
    let out = seed(&dir, "gitlab");
    let backlog = csv_rows(&std::fs::read(out.join("backlog-gitlab.csv")).expect("backlog"));
    // GitLab's "Export as CSV": the quick action ran at import (labels set, line gone), labels
    // comma-separated, descriptions quoted over several lines.
    let mut rows = vec![[
        "Issue ID",
        "URL",
        "Title",
        "State",
        "Description",
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
    ]
    .map(String::from)
    .to_vec()];
    let mut titles = HashMap::new();
    for (n, r) in backlog[1..].iter().enumerate() {
        let iid = n + 1;
        let (action, description) = r[1].split_once("\n\n").expect("quick action");
        let labels: Vec<String> = action
            .trim_start_matches("/label ")
            .split(' ')
            .map(|l| {
                l.trim_start_matches("~\"")
                    .trim_end_matches('"')
                    .to_string()
            })
            .collect();
        titles.insert(iid.to_string(), r[0].clone());
        let mut row = vec![
            format!("{}", 4_000_000 + iid),
            format!("https://gitlab.example/group/project/-/issues/{iid}"),
            r[0].clone(),
            "Open".to_string(),
            description.to_string(),
            "Dana".to_string(),
            "dana".to_string(),
        ];
        row.extend(std::iter::repeat_n(String::new(), 10));
        row.push(labels.join(","));
        row.extend([String::new(), String::new()]);
        rows.push(row);
    }
    let export = dir.join("gitlab.csv");
    std::fs::write(&export, csv_bytes(&rows, false)).expect("export");
    edit(&dir);
    let r = report(&sync(&dir, "gitlab", &export, &["--format", "json"]));
    check_round_trip(&r, &titles, None);
    let script = dir.join("sync/sync-gitlab.sh");
    let text = std::fs::read_to_string(&script).expect("script");
    insta::assert_snapshot!("sync_gitlab_sh", text);
    let calls = run_script(&dir, &script, "glab");
    insta::assert_snapshot!("sync_gitlab_calls", calls);
    assert_eq!(calls.matches("$ glab\n").count(), 4);
    assert!(calls.starts_with(
        "$ glab\n  <issue>\n  <create>\n  <--title>\n  <Rotate credentials on a schedule>\n"
    ));
}

#[test]
fn github_round_trip() {
    let dir = temp_dir("sync-github");
    let out = seed(&dir, "github");
    let backlog = std::fs::read_to_string(out.join("backlog-github.jsonl")).expect("backlog");
    // `gh issue list --json number,title,body,labels,state,url`: an array, labels as objects.
    let mut issues = Vec::new();
    let mut titles = HashMap::new();
    for (n, line) in backlog.lines().enumerate() {
        let l: Value = serde_json::from_str(line).expect("line");
        let number = 11 + n;
        titles.insert(
            number.to_string(),
            l["title"].as_str().expect("title").to_string(),
        );
        let labels: Vec<Value> = l["labels"]
            .as_array()
            .expect("labels")
            .iter()
            .map(|name| json!({"id": "LA_x", "name": name, "description": "", "color": "ededed"}))
            .collect();
        issues.push(json!({
            "body": l["body"], "labels": labels, "number": number, "state": "OPEN",
            "title": l["title"], "url": format!("https://github.com/o/r/issues/{number}"),
        }));
    }
    let export = dir.join("github.json");
    std::fs::write(
        &export,
        serde_json::to_string_pretty(&issues).expect("json"),
    )
    .expect("export");
    edit(&dir);
    let r = report(&sync(&dir, "github", &export, &["--format", "json"]));
    let level1 = level1_key(&titles);
    check_round_trip(&r, &titles, Some(&level1));
    let script = dir.join("sync/sync-github.sh");
    let text = std::fs::read_to_string(&script).expect("script");
    insta::assert_snapshot!("sync_github_sh", text);
    let calls = run_script(&dir, &script, "gh");
    insta::assert_snapshot!("sync_github_calls", calls);
    assert!(calls.contains(&format!(
        "$ gh\n  <api>\n  <--method>\n  <POST>\n  <repos/{{owner}}/{{repo}}/issues/{level1}/sub_issues>\n  <-F>\n  <sub_issue_id=7900>\n"
    )));
}

/// An export with a problem: the run stops with the file and line, and writes nothing.
fn refused(dir: &Path, tracker: &str, name: &str, bytes: &[u8]) -> String {
    let export = dir.join(name);
    std::fs::write(&export, bytes).expect("export");
    let o = sync(dir, tracker, &export, &[]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(!dir.join("sync").exists(), "nothing is written");
    stderr(&o).replace(&format!("{}", dir.display()), "DIR")
}

#[test]
fn malformed_exports_name_the_row() {
    let dir = temp_dir("sync-bad");
    std::fs::create_dir_all(dir.join("docs/security")).expect("docs");
    std::fs::write(dir.join("docs/security/maturity-model.md"), seed_text()).expect("seed");
    let jira = "Summary,Issue key,Issue id,Status,Labels,Labels,Description\r\n\
                A,CHK-1,10001,To Do,checkdown,checkdown-0a1b2c3d,x\r\n\
                B,CHK-2,10002,To Do,checkdown-0a1b2c3d,,\"two\nlines\"\r\n\
                C,CHK-3,10003,To Do,checkdown-11111111,checkdown-22222222,\r\n";
    assert_eq!(
        refused(&dir, "jira", "dup.csv", jira.as_bytes()),
        "error: DIR/dup.csv:3: the label `checkdown-0a1b2c3d` is on two tickets, CHK-1 (line 2) and CHK-2; keep it on one\n\
         error: DIR/dup.csv:5: ticket CHK-3 carries two id labels, `checkdown-11111111` and `checkdown-22222222`; a ticket stands for one item: remove the label that does not belong to it\n\
         checkdown: the export has 2 problems; nothing was written\n"
    );
    assert_eq!(
        refused(&dir, "jira", "ado.csv", b"\xef\xbb\xbfID,Work Item Type,Title,State,Tags\r\n1,Feature,A,New,checkdown\r\n"),
        "error: DIR/ado.csv:1: this is an Azure DevOps export, not one of jira: pass --tracker azure-devops, or export from jira (Jira's issue search \"Export > Export CSV (all fields)\")\n\
         checkdown: the export has 1 problem; nothing was written\n"
    );
    assert_eq!(
        refused(&dir, "azure-devops", "short.csv", b"ID,Work Item Type,Title,Tags\r\n1,Feature,A\r\n"),
        "error: DIR/short.csv:2: this row has 3 cells and the header 4; the file is cut or was edited by hand\n\
         checkdown: the export has 1 problem; nothing was written\n"
    );
    assert_eq!(
        refused(&dir, "gitlab", "nolabels.csv", b"Issue ID,URL,Title,Description\r\n1,u,A,d\r\n"),
        "error: DIR/nolabels.csv:1: the header has no `Labels` column; GitLab's issue list \"Export as CSV\" writes one\n\
         checkdown: the export has 1 problem; nothing was written\n"
    );
    assert_eq!(
        refused(&dir, "github", "gh.json", b"[\n  {\"number\": 1, \"title\": \"A\"},\n  {\"title\": \"B\"}\n]\n"),
        "error: DIR/gh.json:3:3: issue 2 of the array has no `number` or `title`; run `gh issue list --state all --label checkdown --json number,title,body,labels,state,url --limit 1000`\n\
         checkdown: the export has 1 problem; nothing was written\n"
    );
    let big = vec![b'a'; 2048];
    let o = {
        let export = dir.join("big.csv");
        std::fs::write(&export, &big).expect("big");
        sync(&dir, "jira", &export, &["--max-export-size", "1024"])
    };
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("big.csv: the export is 2048 bytes, over the limit of 1024"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("sync").exists());
}

/// What a terminal would act on, or that would start a line.
fn raw_controls(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// An export's keys, titles and statuses reach the report escaped: no terminal escape
/// sequence (CSI, OSC, C1 CSI), no bell, no bidirectional override; a line break or a line
/// separator in a value never starts a row of its own.
#[test]
fn the_report_escapes_what_the_export_holds() {
    let dir = temp_dir("sync-escapes");
    std::fs::create_dir_all(dir.join("docs")).expect("docs");
    std::fs::write(dir.join("docs/a.md"), "# Doc\n\n## Sec\n\n- [ ] Task\n").expect("page");
    let status = "\x1b[31mRED\x1b]0;pwn\x07\u{9b}31m\u{202e}";
    let rows = vec![
        ["Summary", "Issue key", "Status", "Labels"]
            .map(str::to_string)
            .to_vec(),
        vec![
            "T\u{2066}itle\nfake | row".to_string(),
            "CHK-1\r\n\u{2028}| update |".to_string(),
            status.to_string(),
            "checkdown".to_string(),
        ],
    ];
    let export = dir.join("jira.csv");
    std::fs::write(&export, csv_bytes(&rows, false)).expect("export");
    let o = sync(&dir, "jira", &export, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = String::from_utf8(o.stdout).expect("utf-8");
    let foreign: Vec<&str> = md.lines().filter(|l| l.contains("CHK-1")).collect();
    assert_eq!(
        foreign,
        ["| foreign | CHK-1\\u{d}\\u{a}\\u{2028}\\| update \\| |  | \\u{1b}[31mRED\\u{1b}]0;pwn\\u{7}\\u{9b}31m\\u{202e} |  | T\\u{2066}itle\\u{a}fake \\| row | no checkdown id label; left alone |"]
    );
    assert!(!raw_controls(&md), "{md:?}");
    assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 4);
    // JSON: the same values, every such character a `\u` escape.
    let o = sync(&dir, "jira", &export, &["--dry-run", "--format", "json"]);
    let json = String::from_utf8(o.stdout).expect("utf-8");
    assert!(!raw_controls(&json), "{json:?}");
    assert!(
        json.contains(r#""status": "\u001b[31mRED\u001b]0;pwn\u0007\u009b31m\u202e""#),
        "{json}"
    );
    let r: Value = serde_json::from_str(&json).expect("json");
    let foreign = by_action(&r, "foreign");
    assert_eq!(foreign[0]["status"], status);
    assert_eq!(foreign[0]["key"], "CHK-1\r\n\u{2028}| update |");
}

/// A GitHub export that `gh issue list --json` did not write: the error says where (line
/// and column) and what is wrong, never what the file holds.
#[test]
fn github_export_errors_name_the_place_not_the_value() {
    let dir = temp_dir("sync-github-bad");
    std::fs::create_dir_all(dir.join("docs")).expect("docs");
    std::fs::write(dir.join("docs/a.md"), "# Doc\n\n## Sec\n\n- [ ] Task\n").expect("page");
    let cases: [(&str, &str); 9] = [
        (
            r#"[{"number":1,"title":"x","labels":"SECRET_hunter2","body":5}]"#,
            "1:50: not the JSON of `gh issue list --json …`: issue 1 of the array: `labels` is a string, not an array of objects with a `name`",
        ),
        (
            "[\n  {\"number\": 1, \"title\": \"x\"},\n  {\"number\": \"SECRET\", \"title\": \"y\"}\n]\n",
            "3:21: not the JSON of `gh issue list --json …`: issue 2 of the array: `number` is a string, not a whole number",
        ),
        (
            r#"[{"number":1,"title":"é","body":{"SECRET":"hunter2"}}]"#,
            "1:32: not the JSON of `gh issue list --json …`: issue 1 of the array: `body` is an object, not a string",
        ),
        (
            r#"[{"number":1,"title":"x"},"SECRET"]"#,
            "1:34: not the JSON of `gh issue list --json …`: issue 2 of the array: it is a string, not an object",
        ),
        (
            r#"[{"number":1,"title":"x","labels":[{"name":"a"},"SECRET"]}]"#,
            "1:56: not the JSON of `gh issue list --json …`: issue 1 of the array: label 2 is a string, not an object with a `name`",
        ),
        (
            r#"[{"number":1,"title":"x","labels":[{"SECRET":"a"}]}]"#,
            "1:49: not the JSON of `gh issue list --json …`: issue 1 of the array: label 1 has no `name`",
        ),
        (
            r#"[{"number":-7,"title":"x","state":"SECRET"}]"#,
            "1:13: not the JSON of `gh issue list --json …`: issue 1 of the array: `number` is a negative number, not a whole number",
        ),
        (
            r#"[{"number":1,"title":"SECRET","title":"SECRET"}]"#,
            "1:37: not the JSON of `gh issue list --json …`: issue 1 of the array: `title` is given twice",
        ),
        (
            "[{\"number\":1,\"title\":\"SECRET\",}]",
            "1:31: not the JSON of `gh issue list --json …`: trailing comma",
        ),
    ];
    for (text, want) in cases {
        let got = refused(&dir, "github", "gh.json", text.as_bytes());
        assert_eq!(
            got,
            format!("error: DIR/gh.json:{want}; run `gh issue list --state all --label checkdown --json number,title,body,labels,state,url --limit 1000`\n\
                     checkdown: the export has 1 problem; nothing was written\n"),
            "{text}"
        );
        assert!(!got.contains("SECRET") && !got.contains("hunter2"), "{got}");
    }
}

/// Every tracker's export is opened as the lock is: a symbolic link is refused, not
/// followed (it could lead to a file that the error would quote), and so is a folder; by
/// `sync` and by `progress import`.
#[test]
fn exports_are_never_read_through_a_link() {
    let dir = temp_dir("sync-export-link");
    std::fs::create_dir_all(dir.join("docs")).expect("docs");
    std::fs::write(dir.join("docs/a.md"), "# Doc\n\n## Sec\n\n- [ ] Task\n").expect("page");
    std::fs::write(dir.join("secret.txt"), "SECRET=hunter2\n").expect("secret");
    std::os::unix::fs::symlink(dir.join("secret.txt"), dir.join("export")).expect("link");
    let refusal = "error: DIR/export: refused: the export is a symbolic link, which checkdown does not follow; name the file itself with --export\n\
                   checkdown: the export has 1 problem; nothing was written\n";
    for tracker in ["jira", "azure-devops", "gitlab", "github"] {
        let o = sync(&dir, tracker, &dir.join("export"), &[]);
        assert_eq!(o.status.code(), Some(1), "{tracker}");
        assert_eq!(
            stderr(&o).replace(&dir.display().to_string(), "DIR"),
            refusal,
            "{tracker}"
        );
        let args = [
            "progress",
            "import",
            "docs",
            "--tracker",
            tracker,
            "--export",
            "export",
            "--dry-run",
        ];
        let o = run(&dir, &args);
        assert_eq!(o.status.code(), Some(2), "{tracker}");
        assert_eq!(stderr(&o), refusal.replace("DIR/", ""), "{tracker}");
        let o = sync(&dir, tracker, &dir.join("docs"), &[]);
        assert_eq!(
            stderr(&o).replace(&dir.display().to_string(), "DIR"),
            "error: DIR/docs: refused: the export is not a regular file (a folder, FIFO, socket or device)\n\
             checkdown: the export has 1 problem; nothing was written\n"
        );
    }
    assert!(!dir.join("sync").exists());
    assert!(!dir.join("docs/checkdown.progress.json").exists());
}
