//! `checkdown progress import`: a tracker's export brought into the progress file.
//!
//! The export is the one `checkdown sync` reads (see [`crate::sync`]: the same readers, and the
//! same checks of the id labels through [`crate::sync::labels`]). Each ticket is matched to an
//! item of the current build by its `checkdown-<8 hex>` id label, or by the full id of its
//! description's `checkdown id:` line where the export has one. Then, by where the ticket
//! stands ([`crate::sync::resolution`], each tracker's rule in its module):
//!
//! - closed as done: the item becomes `done`;
//! - closed as not to be done (won't do, won't fix, rejected, removed, not planned): the item
//!   becomes `not-applicable`;
//! - open, or closed for another reason (duplicate, cannot reproduce): the entry is left as it
//!   is (an open ticket never takes an item back from `done`).
//!
//! A change keeps the entry's note, and sets `updated` to when the ticket was closed
//! (resolved, closed, or its state changed), else when it last changed, where the export says
//! so ([`super::time::from_export`]), else to now. An entry that already has the status is
//! left alone (its time too), and so is one updated later than the ticket was closed: the
//! team changed it in the file since, and the later wins, as in [`super::merge`].
//!
//! A ticket without an id label is counted; one whose label matches no item of the docs is a
//! warning (`unknown-ticket`); the tickets of sections (parents) are counted and left out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::time::{from_export, instant, order_of, Zone};
use super::{Entry, Progress, Time};
use crate::diag::{Diagnostic, Severity};
use crate::model::Status;
use crate::render::tracker::plan::{self, id_label, Group};
use crate::render::tracker::Tracker;
use crate::sync::{self, ExportError, Failure, Resolution, Ticket};
use crate::Options;

/// The code of a ticket whose id label matches no item of the docs.
pub const UNKNOWN_TICKET: &str = "unknown-ticket";
/// The code of a ticket time that is not one checkdown reads.
pub const TICKET_TIME: &str = "ticket-time";
/// The code of an entry left as it is because it was updated after the ticket was closed.
pub const NEWER_ENTRY: &str = "newer-progress";
/// The code of a ticket closed for a reason that is neither done nor not to be done.
pub const OTHER_RESOLUTION: &str = "other-resolution";

/// One entry the import changed (or adds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The tracker's key of the ticket (`CHK-12`, a work item id, an issue number).
    pub key: String,
    /// The item's id.
    pub id: String,
    /// The item's title.
    pub title: String,
    /// The entry's status before, `None` when the file had no entry for the item.
    pub was: Option<Status>,
    /// Its status now: `done` or `not-applicable`.
    pub status: Status,
    /// Its `updated` now (RFC 3339).
    pub updated: String,
}

impl Change {
    /// The change as `progress import` lists it on standard output, one line: `ticket KEY:
    /// item ID (TITLE) WAS -> STATUS, updated TIME`. What the export and the docs hold is
    /// made safe for a terminal ([`crate::diag::visible`]): a control character or a line
    /// break in a key or a title is shown escaped, never sent, and never starts a line.
    pub fn line(&self) -> String {
        use crate::diag::visible;
        format!(
            "ticket {}: item {} ({}) {} -> {}, updated {}",
            visible(&self.key),
            visible(&self.id),
            visible(&self.title),
            self.was.map_or("no entry", |s| s.as_str()),
            self.status.as_str(),
            visible(&self.updated),
        )
    }
}

/// How many tickets went which way; they add up to `tickets`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Every ticket of the export.
    pub tickets: usize,
    /// Items made `done`.
    pub done: usize,
    /// Items made `not-applicable`.
    pub not_applicable: usize,
    /// Tickets of items whose entry stays as it is.
    pub unchanged: usize,
    /// Tickets of sections (parents), left out.
    pub sections: usize,
    /// Tickets without a `checkdown-<8 hex>` id label.
    pub without_id: usize,
    /// Tickets whose id label matches no item of the docs.
    pub unknown: usize,
}

/// What the import made.
#[derive(Debug)]
pub struct Imported {
    /// The progress file with the changes.
    pub progress: Progress,
    /// The changes, in the export's order.
    pub changes: Vec<Change>,
    /// Where every ticket went.
    pub counts: Counts,
    /// Warnings and notes about tickets, in the export's order, each at its ticket's line.
    pub diagnostics: Vec<Diagnostic>,
}

/// Brings `tickets` (the export at `path`, of `tracker`) into `existing`, for the items of
/// `groups` (the backlog of the current build, [`plan::groups`]). Times without a zone are
/// taken in `zone` (GitLab's are UTC whatever it is); `now` (RFC 3339) dates a change whose
/// ticket gives no time. Errors: the export's id labels do not hold together (see
/// [`sync::labels`]); nothing is to be written then.
pub fn import(
    tracker: Tracker,
    path: &str,
    tickets: &[Ticket],
    groups: &[Group],
    existing: &Progress,
    zone: Zone,
    now: &str,
) -> Result<Imported, Vec<ExportError>> {
    let sync::Labels {
        label_of, stamps, ..
    } = sync::labels(path, tickets)?;
    let mut by_label: HashMap<String, Vec<&plan::Entry>> = HashMap::new();
    let mut by_id: HashMap<&str, &plan::Entry> = HashMap::new();
    for c in groups.iter().flat_map(|g| &g.children) {
        if by_id.insert(c.id.as_str(), c).is_none() {
            by_label.entry(id_label(&c.id)).or_default().push(c);
        }
    }
    let sections: HashSet<String> = groups.iter().map(|g| id_label(&g.parent.id)).collect();
    let zone = if tracker == Tracker::GitLab {
        Zone(0)
    } else {
        zone
    };
    let order = order_of(
        tickets
            .iter()
            .flat_map(|t| [t.closed_at.as_str(), t.updated_at.as_str()]),
    );
    let mut items: BTreeMap<String, Entry> = existing.items.clone();
    let mut changes = Vec::new();
    let mut counts = Counts::default();
    let mut diagnostics = Vec::new();
    let at = |severity: Severity, code: &'static str, t: &Ticket, message: String| {
        let mut d = Diagnostic::new(severity, code, path, message);
        d.line = t.line;
        d.column = t.column.max(1);
        d
    };
    for (i, t) in tickets.iter().enumerate() {
        counts.tickets += 1;
        let Some(label) = &label_of[i] else {
            counts.without_id += 1;
            continue;
        };
        let item = match (&stamps[i].0, by_label.get(label).map(Vec::as_slice)) {
            (Some(full), _) => by_id.get(full.as_str()).copied(),
            (None, Some([one])) => Some(*one),
            (None, Some(many)) => {
                counts.unknown += 1;
                let ids: Vec<&str> = many.iter().map(|e| e.id.as_str()).collect();
                diagnostics.push(
                    at(
                        Severity::Warning,
                        UNKNOWN_TICKET,
                        t,
                        format!(
                            "ticket {} has the label `{label}`, which {} items of the docs share ({}), and no `checkdown id:` line says which: left out",
                            t.key,
                            ids.len(),
                            ids.join(", ")
                        ),
                    )
                    .help("export the tickets with their description, which ends with the item's full id"),
                );
                continue;
            }
            (None, None) => None,
        };
        let Some(item) = item else {
            if sections.contains(label) {
                counts.sections += 1;
            } else {
                counts.unknown += 1;
                diagnostics.push(
                    at(
                        Severity::Warning,
                        UNKNOWN_TICKET,
                        t,
                        format!(
                            "ticket {} has the label `{label}`, which matches no item of the docs: left out of the progress file",
                            t.key
                        ),
                    )
                    .help("the docs dropped the item (`checkdown sync` labels its ticket `checkdown-removed`), or the export is of another docs folder or lock"),
                );
            }
            continue;
        };
        let status = match sync::resolution(tracker, t) {
            Resolution::Open => {
                counts.unchanged += 1;
                continue;
            }
            Resolution::Other(reason) => {
                counts.unchanged += 1;
                diagnostics.push(at(
                    Severity::Note,
                    OTHER_RESOLUTION,
                    t,
                    format!(
                        "ticket {} is closed as `{reason}`, neither done nor not to be done: item `{}` is left as it is",
                        t.key, item.id
                    ),
                ));
                continue;
            }
            Resolution::Done => Status::Done,
            Resolution::WontDo => Status::NotApplicable,
        };
        let mut when = None;
        for cell in [&t.closed_at, &t.updated_at] {
            if cell.trim().is_empty() {
                continue;
            }
            match from_export(cell, zone, order) {
                Some(time) => {
                    when = Some(time);
                    break;
                }
                None => diagnostics.push(
                    at(
                        Severity::Warning,
                        TICKET_TIME,
                        t,
                        format!(
                            "ticket {}: `{}` is not a time checkdown reads",
                            t.key,
                            cell.trim()
                        ),
                    )
                    .help(TIME_FORMS),
                ),
            }
        }
        let when = when.unwrap_or_else(|| now.to_string());
        let old = items.get(&item.id);
        if let Some(e) = old {
            if e.status == status {
                counts.unchanged += 1;
                continue;
            }
            if existing.is_timed(&item.id) && instant(&e.updated.0) > instant(&when) {
                counts.unchanged += 1;
                diagnostics.push(at(
                    Severity::Note,
                    NEWER_ENTRY,
                    t,
                    format!(
                        "ticket {} was closed as {} at {when}, but the progress file says `{}` since {}, later: item `{}` is left as it is",
                        t.key,
                        status.as_str(),
                        e.status.as_str(),
                        e.updated.0,
                        item.id
                    ),
                ));
                continue;
            }
        }
        let was = old.map(|e| e.status);
        let note = old.and_then(|e| e.note.clone());
        items.insert(
            item.id.clone(),
            Entry {
                note,
                status,
                updated: Time(when.clone()),
            },
        );
        match status {
            Status::Done => counts.done += 1,
            _ => counts.not_applicable += 1,
        }
        changes.push(Change {
            key: t.key.clone(),
            id: item.id.clone(),
            title: item.title.clone(),
            was,
            status,
            updated: when,
        });
    }
    Ok(Imported {
        progress: Progress::new(items),
        changes,
        counts,
        diagnostics,
    })
}

/// The help of a time not read.
const TIME_FORMS: &str = "checkdown reads RFC 3339, `2025-03-01 09:30:00`, Jira's `01/Mar/25 9:30 AM`, `3/1/2025 9:30 AM` and `01.03.2025 09:30`; the entry is dated by the next time the ticket gives, else now";

/// The settings of a run.
pub struct Request<'a> {
    /// The docs folder.
    pub input: &'a Path,
    /// Its lock file (read, never written).
    pub lock: &'a Path,
    /// The tracker whose export `export` is.
    pub tracker: Tracker,
    /// The export file.
    pub export: &'a Path,
    /// How the docs are compiled (as the build that was imported into the tracker).
    pub options: &'a Options,
    /// The largest export read, in bytes.
    pub max_export_size: u64,
    /// The progress file as it is (empty when there is none).
    pub existing: &'a Progress,
    /// The offset of the times the export writes without one.
    pub zone: Zone,
    /// What stands for now (RFC 3339).
    pub now: &'a str,
}

/// Reads the export (refused whole when malformed), compiles INPUT with its lock (the lock is
/// read, never written) and imports. Returns what the import made and the diagnostics of the
/// compile; nothing is written here.
pub fn run(req: &Request) -> Result<(Imported, Vec<Diagnostic>), Failure> {
    let sync::Loaded {
        tickets,
        compiled,
        groups,
        ..
    } = sync::load(
        req.tracker,
        req.export,
        req.max_export_size,
        req.input,
        req.lock,
        req.options,
    )?;
    let path = req.export.display().to_string();
    let imported = import(
        req.tracker,
        &path,
        &tickets,
        &groups,
        req.existing,
        req.zone,
        req.now,
    )
    .map_err(Failure::Export)?;
    Ok((imported, compiled.diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, title: &str) -> plan::Entry {
        plan::Entry {
            id: id.to_string(),
            key: format!("page.md#{title}"),
            title: title.to_string(),
            level: None,
            labels: Vec::new(),
            parts: Vec::new(),
            parent_item: None,
            root_item: None,
            origin: ("page.md".to_string(), 1, 1),
        }
    }

    const ONE: &str = "0a1b2c3d-0000-5000-8000-000000000001";
    const TWO: &str = "0a1b2c3d-0000-5000-8000-000000000002";

    fn closed(description: Option<String>) -> Ticket {
        Ticket {
            line: 2,
            key: "7".to_string(),
            labels: vec!["checkdown-0a1b2c3d".to_string()],
            description,
            status: "CLOSED".to_string(),
            closed_at: "2025-03-01T09:30:00Z".to_string(),
            ..Ticket::default()
        }
    }

    /// Two items whose ids share their first eight hex digits: the label alone cannot say
    /// which (a warning, nothing changed); the description's full id can.
    #[test]
    fn a_label_two_items_share_needs_the_full_id() {
        let groups = vec![Group {
            parent: entry("0f0f0f0f-0000-5000-8000-000000000000", "Section"),
            children: vec![entry(ONE, "One"), entry(TWO, "Two")],
        }];
        let run = |t: Ticket| {
            import(
                Tracker::GitHub,
                "issues.json",
                &[t],
                &groups,
                &Progress::default(),
                Zone(0),
                "2025-06-01T00:00:00Z",
            )
            .expect("imports")
        };
        let got = run(closed(None));
        assert!(got.changes.is_empty());
        assert_eq!(got.counts.unknown, 1);
        assert_eq!(
            got.diagnostics[0].message,
            format!("ticket 7 has the label `checkdown-0a1b2c3d`, which 2 items of the docs share ({ONE}, {TWO}), and no `checkdown id:` line says which: left out")
        );
        let got = run(closed(Some(format!(
            "x\n\ncheckdown id: `{TWO}` rev `00000000`"
        ))));
        assert_eq!(got.counts.done, 1);
        assert_eq!(
            got.progress.items[TWO],
            Entry::new(Status::Done, None, "2025-03-01T09:30:00Z")
        );
    }
}
