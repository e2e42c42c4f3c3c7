//! Azure DevOps Boards: the export read, the import written.
//!
//! The export is a query's results exported to CSV ("Import, update, and export bulk work
//! items with CSV files", section "Export list as a CSV file",
//! <https://learn.microsoft.com/azure/devops/boards/queries/import-work-items-from-csv>): one
//! column per column of the query, `ID`, `Work Item Type`, `Title` (a tree query writes
//! `Title 1`, `Title 2`, … instead, the level of each row's title giving its parent), `State`,
//! `Tags` separated by `; `, the `Description` as HTML when the query shows it; the file may
//! start with a UTF-8 byte order mark.
//!
//! The import is the same page's CSV import: a row with an `ID` updates that work item (only
//! the columns of the file), a row without one creates one; `Parent` holds an existing
//! parent's ID, and a `Title 2` row goes under the `Title 1` row above it.
//!
//! For `checkdown progress import`, the query may also show `Reason`, `Closed Date`,
//! `Resolved Date`, `State Change Date` and `Changed Date` (the fields' display names). Each
//! state belongs to a state category ("How workflow states and state categories are used in
//! Backlogs and Boards",
//! <https://learn.microsoft.com/azure/devops/boards/work-items/workflow-and-state-categories>):
//! `Closed` and `Done` are Completed, `Resolved` is Resolved ("a solution has been
//! implemented"), `Removed` is Removed. A work item in `Closed`, `Done` or `Resolved` is done,
//! unless its `Reason` says otherwise (`Won't fix`, `Obsolete`: not to be done; `Duplicate`,
//! `Cannot Reproduce`, `Deferred`: neither); one in `Removed` is not to be done. The export
//! writes no state category, so a custom state counts by its name. Dates follow the
//! exporting user's date and time patterns and time zone, with no zone.

use super::csvin;
use super::{
    changes, closed_as, flagged_labels, words, Action, ExportError, Kind, Resolution, Ticket,
    Under, DONE_STATES, WONT_DO,
};
use crate::render::tracker::ado::{description, TASK_TYPE};
use crate::render::tracker::{csv_file, AdoProcess};
use crate::render::OutputFile;
use crate::Error;

pub const FILE: &str = "sync-azure-devops.csv";

const WHAT: &str = "a query's results exported with \"Export to CSV\"";

pub const COLUMNS: [&str; 7] = [
    "ID",
    "Work Item Type",
    "Title 1",
    "Title 2",
    "Parent",
    "Description",
    "Tags",
];

pub fn read(path: &str, bytes: &[u8]) -> Result<Vec<Ticket>, ExportError> {
    let t = csvin::parse(path, bytes)?;
    let id = t.require("ID", "azure-devops", WHAT)?;
    let kind = t.require("Work Item Type", "azure-devops", WHAT)?;
    // `Title`, or the `Title 1`, `Title 2`, … of a tree query.
    let titles: Vec<usize> = match t.col("Title") {
        Some(i) => vec![i],
        None => (1..=16)
            .map_while(|n| t.col(&format!("Title {n}")))
            .collect(),
    };
    if titles.is_empty() {
        t.require("Title", "azure-devops", WHAT)?;
    }
    let tags = t.require("Tags", "azure-devops", WHAT)?;
    let state = t.col("State");
    let desc = t.col("Description");
    let parent = t.col("Parent");
    let reason = t.col("Reason");
    // When it was closed: `Closed Date`, else `Resolved Date`, else `State Change Date` (a
    // Removed item has neither of the first two).
    let closed: Vec<usize> = ["Closed Date", "Resolved Date", "State Change Date"]
        .iter()
        .filter_map(|c| t.col(c))
        .collect();
    let changed = t.col("Changed Date");
    let mut out = Vec::new();
    // The last ID seen at each title level, for a tree query.
    let mut levels: Vec<String> = Vec::new();
    for (line, row) in &t.rows {
        let key = row[id].trim().to_string();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_digit()) {
            return Err(ExportError::new(
                path,
                *line,
                "`ID` is not a work item id (a number)",
            ));
        }
        let (level, title) = titles
            .iter()
            .enumerate()
            .find(|(_, &c)| !row[c].trim().is_empty())
            .map(|(n, &c)| (n, row[c].clone()))
            .unwrap_or((0, String::new()));
        levels.truncate(level);
        let from_tree = level.checked_sub(1).and_then(|l| levels.get(l)).cloned();
        levels.push(key.clone());
        let p = parent
            .map(|c| row[c].trim().to_string())
            .filter(|p| !p.is_empty());
        out.push(Ticket {
            line: *line,
            column: 0,
            key,
            kind: row[kind].clone(),
            title,
            description: desc.map(|c| row[c].clone()),
            labels: row[tags]
                .split(';')
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect(),
            status: state.map(|c| row[c].clone()).unwrap_or_default(),
            parent: p.or(from_tree),
            priority: String::new(),
            resolution: reason.map(|c| row[c].clone()).unwrap_or_default(),
            category: String::new(),
            closed_at: closed
                .iter()
                .map(|&c| row[c].trim())
                .find(|v| !v.is_empty())
                .unwrap_or_default()
                .to_string(),
            updated_at: changed.map(|c| row[c].clone()).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Where a work item of the export stands (see the module).
pub fn resolution(t: &Ticket) -> Resolution {
    let state = words(&t.status);
    if WONT_DO.contains(&state.as_str()) {
        Resolution::WontDo
    } else if DONE_STATES.contains(&state.as_str()) {
        closed_as(&t.resolution)
    } else {
        Resolution::Open
    }
}

/// The flags go into a file of their own with only the columns they change (`Tags`, with
/// the `ID`, type and title the import needs), so that importing it touches nothing else
/// of a ticket (an export without `Description` would otherwise clear it).
pub const FLAGS_FILE: &str = "sync-azure-devops-removed.csv";

pub const FLAG_COLUMNS: [&str; 4] = ["ID", "Work Item Type", "Title", "Tags"];

/// `sync-azure-devops.csv`: creations (a new section's `Title 1` row, its items' `Title 2`
/// rows right under it; an item under an existing parent as a `Title 1` row with `Parent`),
/// then updates and flags by `ID`.
pub fn write(actions: &[Action], process: AdoProcess) -> Result<Vec<OutputFile>, Error> {
    let (parent_type, child_type) = process.types();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut flags: Vec<Vec<String>> = Vec::new();
    let creations: Vec<&Action> = changes(actions)
        .filter(|a| a.kind == Kind::Create)
        .collect();
    let row =
        |id: &str, kind: &str, t1: &str, t2: &str, parent: &str, d: String, tags: &[String]| {
            vec![
                id.to_string(),
                kind.to_string(),
                t1.to_string(),
                t2.to_string(),
                parent.to_string(),
                d,
                tags.join("; "),
            ]
        };
    for a in &creations {
        let Some(e) = &a.entry else { continue };
        if a.section {
            rows.push(row(
                "",
                parent_type,
                &e.title,
                "",
                "",
                description(e),
                &e.labels,
            ));
            for c in creations
                .iter()
                .filter(|c| c.under == Under::New(e.id.clone()))
            {
                if let Some(ce) = &c.entry {
                    rows.push(row(
                        "",
                        child_type,
                        "",
                        &ce.title,
                        "",
                        description(ce),
                        &ce.labels,
                    ));
                }
            }
        } else if let Under::Key(k) = &a.under {
            let kind = if a.nested { TASK_TYPE } else { child_type };
            rows.push(row("", kind, &e.title, "", k, description(e), &e.labels));
        } else if a.under == Under::None {
            rows.push(row(
                "",
                child_type,
                &e.title,
                "",
                "",
                description(e),
                &e.labels,
            ));
        }
    }
    for a in changes(actions) {
        match (a.kind, &a.entry, &a.ticket) {
            (Kind::Update, Some(e), Some(t)) => rows.push(row(
                &t.key,
                &t.kind,
                &e.title,
                "",
                "",
                description(e),
                &e.labels,
            )),
            (Kind::FlagRemoved, _, Some(t)) => flags.push(vec![
                t.key.clone(),
                t.kind.clone(),
                t.title.clone(),
                flagged_labels(t).join("; "),
            ]),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if !rows.is_empty() {
        out.push(OutputFile {
            path: FILE.to_string(),
            bytes: csv_file(&COLUMNS, &rows, false)?,
        });
    }
    if !flags.is_empty() {
        out.push(OutputFile {
            path: FLAGS_FILE.to_string(),
            bytes: csv_file(&FLAG_COLUMNS, &flags, false)?,
        });
    }
    Ok(out)
}
