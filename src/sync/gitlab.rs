//! GitLab: the export read, a `glab` script written.
//!
//! The export is the issue list's "Export as CSV" ("Export issues to CSV",
//! <https://docs.gitlab.com/ee/user/project/issues/csv_export.html>), mailed as a file whose
//! header is `Issue ID,URL,Title,State,Description,Author,…,Labels,…`
//! (<https://gitlab.com/gitlab-org/gitlab/-/issues/34769> quotes it whole): `Labels` holds
//! every label of the issue separated by `,`, `Description` is Markdown in a quoted cell over
//! several lines. The number in its project is the last segment of `URL`
//! (`…/-/issues/42`).
//!
//! For `checkdown progress import`: `State` is `Open` or `Closed`, and `Updated At (UTC)` and
//! `Closed At (UTC)` are `2025-03-01 09:30:00` in UTC (GitLab's `Issues::ExportCsvService`,
//! `app/services/issues/export_csv_service.rb`, writes `closed? ? 'Closed' : 'Open'` and
//! `to_fs(:csv)`, `%Y-%m-%d %H:%M:%S`). The export says nothing of why an issue was closed,
//! so a closed issue is done.
//!
//! GitLab's CSV import only creates issues ("Import issues from CSV" reads `title` and
//! `description`), so the changes are a script of `glab`, GitLab's CLI: `glab issue create`
//! for a creation, `glab issue update` with `--title`, `--description` and `--label` (which
//! adds labels and removes none) for an update and a flag.

use super::csvin;
use super::shell::{head, quote};
use super::{changes, words, Action, ExportError, Kind, Resolution, Ticket, REMOVED_LABEL};
use crate::render::tracker::gitlab::protect_quick_actions;
use crate::render::tracker::limit::{self, GITLAB_DESCRIPTION};
use crate::render::tracker::plan::{self, Entry};
use crate::render::OutputFile;

pub const FILE: &str = "sync-gitlab.sh";

const WHAT: &str = "GitLab's issue list \"Export as CSV\"";

pub fn read(path: &str, bytes: &[u8]) -> Result<Vec<Ticket>, ExportError> {
    let t = csvin::parse(path, bytes)?;
    let id = t.require("Issue ID", "gitlab", WHAT)?;
    let url = t.require("URL", "gitlab", WHAT)?;
    let title = t.require("Title", "gitlab", WHAT)?;
    let labels = t.require("Labels", "gitlab", WHAT)?;
    let desc = t.col("Description");
    let state = t.col("State");
    let closed = t.col("Closed At (UTC)");
    let updated = t.col("Updated At (UTC)");
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let from_url = row[url]
            .trim()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_string);
        let key = match from_url.or_else(|| {
            Some(row[id].trim().to_string()).filter(|k| k.chars().all(|c| c.is_ascii_digit()))
        }) {
            Some(k) if !k.is_empty() => k,
            _ => {
                return Err(ExportError::new(
                    path,
                    *line,
                    "neither `URL` nor `Issue ID` gives the issue's number",
                ))
            }
        };
        out.push(Ticket {
            line: *line,
            column: 0,
            key,
            kind: String::new(),
            title: row[title].clone(),
            description: desc.map(|c| row[c].clone()),
            labels: row[labels]
                .split(',')
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect(),
            status: state.map(|c| row[c].clone()).unwrap_or_default(),
            parent: None,
            priority: String::new(),
            resolution: String::new(),
            category: String::new(),
            closed_at: closed.map(|c| row[c].clone()).unwrap_or_default(),
            updated_at: updated.map(|c| row[c].clone()).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Where an issue of the export stands: closed is done (see the module).
pub fn resolution(t: &Ticket) -> Resolution {
    match words(&t.status).as_str() {
        "closed" => Resolution::Done,
        _ => Resolution::Open,
    }
}

/// The description a `glab` call writes: the Markdown of the CSV import without its
/// `/label` line (the labels go by `--label`).
pub fn description(e: &Entry) -> String {
    limit::fit(&e.parts, GITLAB_DESCRIPTION, |parts| {
        protect_quick_actions(&plan::markdown(parts))
    })
    .0
}

/// `sync-gitlab.sh`.
pub fn write(actions: &[Action]) -> OutputFile {
    let count = |k: Kind| actions.iter().filter(|a| a.kind == k).count();
    let mut s = head(&[
        format!(
            "checkdown sync for GitLab: {} to create, {} to update, {} to flag `{REMOVED_LABEL}`.",
            count(Kind::Create),
            count(Kind::Update),
            count(Kind::FlagRemoved)
        ),
        "Run it in a clone of the project, or name the project: sh sync-gitlab.sh -R group/project"
            .to_string(),
    ]);
    for a in changes(actions) {
        match (a.kind, &a.entry, &a.ticket) {
            (Kind::Create, Some(e), _) => s.push_str(&format!(
                "glab issue create \"$@\" --title {} --description {} --label {} --yes\n",
                quote(&e.title),
                quote(&description(e)),
                quote(&e.labels.join(","))
            )),
            (Kind::Update, Some(e), Some(t)) => s.push_str(&format!(
                "glab issue update {} \"$@\" --title {} --description {} --label {}\n",
                quote(&t.key),
                quote(&e.title),
                quote(&description(e)),
                quote(&e.labels.join(","))
            )),
            (Kind::FlagRemoved, _, Some(t)) => s.push_str(&format!(
                "glab issue update {} \"$@\" --label {}\n",
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
