//! Jira Cloud: the export read, the import written.
//!
//! The export is an issue search's "Export > Export CSV (all fields)" (the
//! `sr/jira.issueviews:searchrequest-csv-all-fields/temp/SearchRequest.csv` view, as the
//! atlassian-python-api's `Jira.csv(jql, all_fields=True)` fetches it,
//! <https://github.com/atlassian-api/atlassian-python-api/pull/603>). Its header starts
//! `Summary,Issue key,Issue id,Issue Type,Status,…`; a field with several values takes one
//! column per value under the same name (`Labels,Labels,Labels`); `Description` is wiki
//! markup in a quoted cell over several lines; the parent is `Parent` (the parent's
//! `Issue id`; older exports name it `Parent id`).
//!
//! The import is Jira's CSV importer ("Import data from a CSV file",
//! <https://support.atlassian.com/jira-cloud-administration/docs/import-data-from-a-csv-file/>):
//! a row with an `Issue Key` updates that issue when the column is mapped to the issue key
//! (the admin's "External System Import"); a row without one creates an issue, its `Parent`
//! holding an existing parent's key or the `Issue Id` of a row of the same file
//! (<https://support.atlassian.com/jira/kb/keep-issue-parent-child-mapping-during-csv-import-to-jira-cloud/>).
//!
//! For `checkdown progress import`, the same export also gives `Resolution`, `Resolved` (when
//! it was resolved), `Updated`, and `Status Category` (`To Do`, `In Progress` or `Done`).
//! Jira "considers that the lifecycle of an issue has come to an end when the Resolution
//! field has a value" and shows "Unresolved" when it has none ("Best practices on using the
//! Resolution field",
//! <https://confluence.atlassian.com/cloudkb/best-practices-on-using-the-resolution-field-968660796.html>):
//! an issue with a resolution is closed as that resolution says (`Done`, `Fixed`: done;
//! `Won't Do`, `Won't Fix`: not to be done; `Duplicate`, `Cannot Reproduce`: neither); one
//! without, in the `Done` status category or a `Done`, `Closed` or `Resolved` status (a
//! workflow that sets no resolution), is done, or not to be done when its status is `Won't
//! Do`. Dates are written as Jira shows them, in the exporting user's date format and time
//! zone, with no zone (such as `22/Aug/19 5:18 PM`, the form quoted in
//! <https://github.com/solidify/jira-azuredevops-migrator/issues/77>); see
//! [`crate::progress::time`] for the forms read.

use super::csvin;
use super::{
    changes, closed_as, flagged_labels, words, Action, ExportError, Kind, Resolution, Ticket,
    Under, DONE_STATES, WONT_DO,
};
use crate::render::tracker::csv_file;
use crate::render::tracker::jira::{description, priority, CHILD_TYPE, PARENT_TYPE, SUB_TYPE};
use crate::render::OutputFile;
use crate::Error;

pub const FILE: &str = "sync-jira.csv";

const WHAT: &str = "Jira's issue search \"Export > Export CSV (all fields)\"";

/// The columns before the repeated `Labels`.
pub const COLUMNS: [&str; 7] = [
    "Issue Key",
    "Issue Id",
    "Parent",
    "Issue Type",
    "Summary",
    "Priority",
    "Description",
];

pub fn read(path: &str, bytes: &[u8]) -> Result<Vec<Ticket>, ExportError> {
    let t = csvin::parse(path, bytes)?;
    let key = t.require("Issue key", "jira", WHAT)?;
    let summary = t.require("Summary", "jira", WHAT)?;
    let id = t.col("Issue id");
    let kind = t.col("Issue Type");
    let status = t.col("Status");
    let prio = t.col("Priority");
    let desc = t.col("Description");
    let parent = t.col("Parent").or(t.col("Parent id"));
    let resolution = t.col("Resolution");
    let category = t.col("Status Category");
    let resolved = t.col("Resolved");
    let updated = t.col("Updated");
    let labels = t.all("Labels");
    if labels.is_empty() {
        return Err(ExportError::new(
            path,
            1,
            format!("the header has no `Labels` column; {WHAT} writes one per label"),
        ));
    }
    let cell = |row: &[String], c: Option<usize>| c.map(|i| row[i].clone()).unwrap_or_default();
    // Issue id -> key, to turn a `Parent` id into a key.
    let keys: std::collections::HashMap<String, String> = match id {
        Some(i) => t
            .rows
            .iter()
            .map(|(_, r)| (r[i].trim().to_string(), r[key].trim().to_string()))
            .collect(),
        None => Default::default(),
    };
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let k = row[key].trim().to_string();
        if k.is_empty() {
            return Err(ExportError::new(path, *line, "this row has no `Issue key`"));
        }
        let p = cell(row, parent).trim().to_string();
        let parent = match p.is_empty() {
            true => None,
            false => Some(keys.get(&p).cloned().unwrap_or(p)),
        };
        out.push(Ticket {
            line: *line,
            column: 0,
            key: k,
            kind: cell(row, kind),
            title: row[summary].clone(),
            description: desc.map(|i| row[i].clone()),
            labels: labels
                .iter()
                .map(|&i| row[i].trim().to_string())
                .filter(|l| !l.is_empty())
                .collect(),
            status: cell(row, status),
            parent,
            priority: cell(row, prio),
            resolution: cell(row, resolution),
            category: cell(row, category),
            closed_at: cell(row, resolved),
            updated_at: cell(row, updated),
        });
    }
    Ok(out)
}

/// Where an issue of the export stands (see the module).
pub fn resolution(t: &Ticket) -> Resolution {
    let resolved = words(&t.resolution);
    if !resolved.is_empty() && resolved != "unresolved" {
        return closed_as(&t.resolution);
    }
    let status = words(&t.status);
    if WONT_DO.contains(&status.as_str()) {
        Resolution::WontDo
    } else if words(&t.category) == "done" || DONE_STATES.contains(&status.as_str()) {
        Resolution::Done
    } else {
        Resolution::Open
    }
}

/// `sync-jira.csv`: creations (each new Epic before its Tasks), updates, flags.
pub fn write(actions: &[Action]) -> Result<OutputFile, Error> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut ids: std::collections::HashMap<&str, String> = Default::default();
    let mut next = 1usize;
    for a in changes(actions) {
        let mut row: Vec<String>;
        let labels: Vec<String>;
        match (a.kind, &a.entry, &a.ticket) {
            (Kind::Create, Some(e), _) => {
                let issue_id = next.to_string();
                next += 1;
                ids.insert(e.id.as_str(), issue_id.clone());
                let parent = match &a.under {
                    Under::Key(k) => k.clone(),
                    Under::New(id) => ids.get(id.as_str()).cloned().unwrap_or_default(),
                    Under::None => String::new(),
                };
                let kind = match (a.section, a.nested) {
                    (true, _) => PARENT_TYPE,
                    (_, true) => SUB_TYPE,
                    _ => CHILD_TYPE,
                };
                row = vec![
                    String::new(),
                    issue_id,
                    parent,
                    kind.to_string(),
                    e.title.clone(),
                    priority(e.level).to_string(),
                    description(e).0,
                ];
                labels = e.labels.clone();
            }
            (Kind::Update, Some(e), Some(t)) => {
                row = vec![
                    t.key.clone(),
                    String::new(),
                    String::new(),
                    t.kind.clone(),
                    e.title.clone(),
                    priority(e.level).to_string(),
                    description(e).0,
                ];
                labels = e.labels.clone();
            }
            (Kind::FlagRemoved, _, Some(t)) => {
                row = vec![
                    t.key.clone(),
                    String::new(),
                    String::new(),
                    t.kind.clone(),
                    t.title.clone(),
                    t.priority.clone(),
                    t.description.clone().unwrap_or_default(),
                ];
                labels = flagged_labels(t);
            }
            _ => continue,
        }
        row.extend(labels);
        rows.push(row);
    }
    let n = rows
        .iter()
        .map(|r| r.len() - COLUMNS.len())
        .max()
        .unwrap_or(0)
        .max(1);
    for r in &mut rows {
        r.resize(COLUMNS.len() + n, String::new());
    }
    let mut header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    header.extend(std::iter::repeat_n("Labels".to_string(), n));
    Ok(OutputFile {
        path: FILE.to_string(),
        bytes: csv_file(&header, &rows, false)?,
    })
}
