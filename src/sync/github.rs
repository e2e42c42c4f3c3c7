//! GitHub: the export read, a `gh` script written.
//!
//! The export is the JSON that `gh issue list --state all --label checkdown --json
//! number,title,body,labels,state,url --limit N` prints ("gh issue list",
//! <https://cli.github.com/manual/gh_issue_list>: `--json` takes those fields, `--state all`
//! lists closed issues too, `--limit` defaults to 30): an array of objects, `number` an
//! integer, `labels` an array of objects with a `name`, `state` `OPEN` or `CLOSED`.
//!
//! For `checkdown progress import`, the export also takes `closedAt`, `updatedAt` (RFC 3339)
//! and `stateReason` (the same page lists them among the JSON fields): a `CLOSED` issue is
//! done when its reason is `COMPLETED` (or none), not to be done when it is `NOT_PLANNED`,
//! and neither when it is `DUPLICATE` (GitHub's `IssueStateReason`,
//! <https://docs.github.com/en/graphql/reference/enums#issuestatereason>).
//!
//! The changes are a script of `gh`: `gh issue create` for a creation, linked under its
//! parent's issue as a sub-issue through the REST API ("Add sub-issue",
//! <https://docs.github.com/en/rest/issues/sub-issues#add-sub-issue>, which takes the
//! sub-issue's `id`, not its number); `gh issue edit` with `--title`, `--body` and
//! `--add-label` for an update and a flag. Labels are created first where missing
//! (`gh label create` fails on one that exists, which the script ignores).

use serde::Deserialize;

use super::shell::{head, quote};
use super::{
    changes, closed_as, words, Action, ExportError, Kind, Resolution, Ticket, Under, REMOVED_LABEL,
};
use crate::render::tracker::github::body;
use crate::render::tracker::plan::id_label;
use crate::render::OutputFile;

pub const FILE: &str = "sync-github.sh";

#[derive(Deserialize)]
struct Issue {
    number: Option<u64>,
    title: Option<String>,
    body: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    state: String,
    #[serde(default, rename = "stateReason")]
    state_reason: Option<String>,
    #[serde(default, rename = "closedAt")]
    closed_at: Option<String>,
    #[serde(default, rename = "updatedAt")]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct Label {
    name: String,
}

const WHAT: &str =
    "run `gh issue list --state all --label checkdown --json number,title,body,labels,state,url --limit 1000`";

/// The line (1-based) where the `n`-th element of the top-level array starts, for messages.
fn line_of(text: &str, n: usize) -> usize {
    let (mut depth, mut in_str, mut escaped, mut seen, mut line) = (0usize, false, false, 0, 1);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' | '{' => {
                if depth == 1 {
                    if seen == n {
                        return line;
                    }
                    seen += 1;
                }
                depth += 1;
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    1
}

pub fn read(path: &str, bytes: &[u8]) -> Result<Vec<Ticket>, ExportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ExportError::new(path, 1, "the export is not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.trim_start();
    if !start.starts_with('[') {
        let what = if start.starts_with('{') {
            "one JSON object, not the array `gh issue list --json` prints".to_string()
        } else {
            let first = start.lines().next().unwrap_or("");
            if first.contains("Issue key") {
                "a Jira CSV export: pass --tracker jira".to_string()
            } else if first.contains("Work Item Type") {
                "an Azure DevOps CSV export: pass --tracker azure-devops".to_string()
            } else if first.contains("Issue ID") {
                "a GitLab CSV export: pass --tracker gitlab".to_string()
            } else {
                "not JSON".to_string()
            }
        };
        return Err(ExportError::new(path, 1, format!("this is {what}; {WHAT}")));
    }
    let issues: Vec<Issue> = serde_json::from_str(text).map_err(|e| {
        ExportError::new(
            path,
            e.line(),
            format!("not the JSON of `gh issue list --json …`: {e}; {WHAT}"),
        )
    })?;
    let mut out = Vec::new();
    for (n, i) in issues.into_iter().enumerate() {
        let line = line_of(text, n);
        let (Some(number), Some(title)) = (i.number, i.title) else {
            return Err(ExportError::new(
                path,
                line,
                format!(
                    "issue {} of the array has no `number` or `title`; {WHAT}",
                    n + 1
                ),
            ));
        };
        out.push(Ticket {
            line,
            key: number.to_string(),
            kind: String::new(),
            title,
            description: i.body,
            labels: i.labels.into_iter().map(|l| l.name).collect(),
            status: i.state,
            parent: None,
            priority: String::new(),
            resolution: i.state_reason.unwrap_or_default(),
            category: String::new(),
            closed_at: i.closed_at.unwrap_or_default(),
            updated_at: i.updated_at.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Where an issue of the export stands (see the module).
pub fn resolution(t: &Ticket) -> Resolution {
    match words(&t.status).as_str() {
        "closed" => closed_as(&t.resolution),
        _ => Resolution::Open,
    }
}

fn var(id: &str) -> String {
    format!("new_{}", id_label(id).trim_start_matches("checkdown-"))
}

/// `sync-github.sh`.
pub fn write(actions: &[Action]) -> OutputFile {
    let count = |k: Kind| actions.iter().filter(|a| a.kind == k).count();
    let mut s = head(&[
        format!(
            "checkdown sync for GitHub: {} to create, {} to update, {} to flag `{REMOVED_LABEL}`.",
            count(Kind::Create),
            count(Kind::Update),
            count(Kind::FlagRemoved)
        ),
        "Run it in a clone of the repository, or name it: GH_REPO=owner/repo sh sync-github.sh"
            .to_string(),
    ]);
    let mut labels: Vec<String> = Vec::new();
    for a in changes(actions) {
        let list: Vec<String> = match (a.kind, &a.entry) {
            (Kind::FlagRemoved, _) => vec![REMOVED_LABEL.to_string()],
            (_, Some(e)) => e.labels.clone(),
            _ => Vec::new(),
        };
        for l in list {
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
    }
    for l in &labels {
        s.push_str(&format!(
            "gh label create {} >/dev/null 2>&1 || :\n",
            quote(l)
        ));
    }
    for a in changes(actions) {
        match (a.kind, &a.entry, &a.ticket) {
            (Kind::Create, Some(e), _) => {
                let v = var(&e.id);
                s.push_str(&format!(
                    "url=$(gh issue create --title {} --body {} --label {})\n{v}=${{url##*/}}\n",
                    quote(&e.title),
                    quote(&body(e).0),
                    quote(&e.labels.join(","))
                ));
                let parent = match &a.under {
                    Under::Key(k) => Some(quote(k)),
                    Under::New(id) => Some(format!("\"${}\"", var(id))),
                    Under::None => None,
                };
                if let Some(p) = parent {
                    s.push_str(&format!(
                        "gh api --method POST 'repos/{{owner}}/{{repo}}/issues/'{p}'/sub_issues' -F \"sub_issue_id=$(gh api \"repos/{{owner}}/{{repo}}/issues/${v}\" --jq .id)\" >/dev/null\n"
                    ));
                }
            }
            (Kind::Update, Some(e), Some(t)) => s.push_str(&format!(
                "gh issue edit {} --title {} --body {} --add-label {}\n",
                quote(&t.key),
                quote(&e.title),
                quote(&body(e).0),
                quote(&e.labels.join(","))
            )),
            (Kind::FlagRemoved, _, Some(t)) => s.push_str(&format!(
                "gh issue edit {} --add-label {}\n",
                quote(&t.key),
                quote(REMOVED_LABEL)
            )),
            _ => {}
        }
    }
    OutputFile {
        path: FILE.to_string(),
        bytes: s.into_bytes(),
    }
}
