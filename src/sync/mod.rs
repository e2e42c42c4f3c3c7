//! `checkdown sync`: catches a tracker up with the docs, offline, from the tracker's own
//! export of the tickets an earlier import created.
//!
//! Each ticket is matched to the current build by its `checkdown-<8 hex>` id label, and
//! confirmed by the full id in its description (`checkdown id: … rev …`, see
//! [`crate::render::tracker::plan::id_line`]) where the export has one. Then:
//!
//! - an item (or section) with no ticket is a creation, under its section's existing ticket
//!   (its key taken from the export), or under a new parent when the section is new;
//! - an item whose content revision differs from the one stamped in its ticket is an update,
//!   keyed by the tracker's own id; items renamed through the lock keep their id, so they are
//!   updates too, never creations. An edit a team made in the tracker changes no revision and
//!   is never a reason for an update;
//! - a ticket whose item the docs dropped gets the label [`REMOVED_LABEL`] (never a deletion,
//!   never a state change);
//! - a ticket that matches nothing of the docs nor of the lock is `foreign`, and left alone.
//!
//! Every reader checks the whole export before anything is written: a missing column, a
//! label on two tickets, two id labels on one ticket, an export from another tracker or one
//! over the size limit stops the run with the file and line.

pub mod ado;
pub mod csvin;
pub mod github;
pub mod gitlab;
pub mod jira;
pub mod shell;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::diag::{visible, visible_json};
use crate::lock::{self, Lock};
use crate::render::tracker::plan::{self, id_label, Entry, Group};
use crate::render::tracker::{AdoProcess, Tracker};
use crate::render::OutputFile;
use crate::Options;

/// The label an update adds to the ticket of an item the docs dropped.
pub const REMOVED_LABEL: &str = "checkdown-removed";

/// The default of `--max-export-size`: 16 MiB, far above the export of a few thousand tickets.
pub const DEFAULT_MAX_EXPORT_SIZE: u64 = 16 * 1024 * 1024;

/// One ticket of an export, as the tracker wrote it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ticket {
    /// Where its record starts in the export (1-based line).
    pub line: usize,
    /// The column (1-based, in characters) where it starts, for a JSON export; 0 for a CSV
    /// one, whose records start their line.
    pub column: usize,
    /// The tracker's key: Jira `CHK-12`, Azure DevOps and GitLab ids, GitHub numbers.
    pub key: String,
    /// The issue type or work item type, where the export gives one.
    pub kind: String,
    pub title: String,
    /// `None` when the export has no description column.
    pub description: Option<String>,
    pub labels: Vec<String>,
    /// The status or state, as the export gives it.
    pub status: String,
    /// The parent's key, where the export gives one.
    pub parent: Option<String>,
    /// Jira's priority, written back unchanged on a flag.
    pub priority: String,
    /// How the ticket was closed, as the export gives it: Jira's `Resolution`, Azure DevOps'
    /// `Reason`, GitHub's `stateReason` (empty where the export has none).
    pub resolution: String,
    /// Jira's `Status Category` (`To Do`, `In Progress`, `Done`), where the export has it.
    pub category: String,
    /// When it was resolved or closed, as the export writes it (see
    /// [`crate::progress::time`]); empty when the export gives none.
    pub closed_at: String,
    /// When it last changed, as the export writes it; empty when the export gives none.
    pub updated_at: String,
}

/// Where a ticket stands, as far as the progress file goes (`checkdown progress import`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Not closed.
    Open,
    /// Closed as done.
    Done,
    /// Closed as not to be done: won't do, won't fix, rejected, removed, not planned.
    WontDo,
    /// Closed for a reason that says neither (duplicate, cannot reproduce, incomplete,
    /// deferred): the reason as the export gives it.
    Other(String),
}

/// A status, state, resolution or reason as compared: lowercase, apostrophes dropped, every
/// other run of characters but letters and digits one space (`Won’t Do` and `WONT_DO` are
/// both `wont do`).
pub fn words(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().filter(|c| !matches!(c, '\'' | '\u{2019}')) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

/// The states a tracker's workflows give finished work (as [`words`]): Jira's `Done`,
/// `Closed` and `Resolved`, Azure DevOps' `Closed`, `Done` and `Resolved`
/// (`Completed` and `Resolved` state categories), GitLab's and GitHub's `closed`.
pub const DONE_STATES: [&str; 5] = ["done", "closed", "resolved", "completed", "complete"];

/// The resolutions, reasons and states that say the work is not to be done (as [`words`]):
/// Jira's `Won't Do` and `Won't Fix` (and Jira Service Management's `Declined`), Azure
/// DevOps' `Removed` state and its `Removed from the backlog`, `Obsolete` and `Won't fix`
/// reasons, GitHub's `NOT_PLANNED`, and `Rejected`.
pub const WONT_DO: [&str; 8] = [
    "wont do",
    "wont fix",
    "rejected",
    "removed",
    "removed from the backlog",
    "not planned",
    "declined",
    "obsolete",
];

/// The closing reasons that say neither done nor not to be done (as [`words`]).
pub const NEITHER: [&str; 5] = [
    "duplicate",
    "cannot reproduce",
    "incomplete",
    "deferred",
    "copied to backlog",
];

/// What a closed ticket's resolution or reason says: [`WONT_DO`], [`NEITHER`], else done (an
/// empty one, and any the lists do not name, such as `Done`, `Fixed`, `Completed`).
pub fn closed_as(reason: &str) -> Resolution {
    let w = words(reason);
    if WONT_DO.contains(&w.as_str()) {
        Resolution::WontDo
    } else if NEITHER.contains(&w.as_str()) {
        Resolution::Other(reason.trim().to_string())
    } else {
        Resolution::Done
    }
}

/// Where `t`, a ticket of `tracker`'s export, stands (each tracker's rule is in its module).
pub fn resolution(tracker: Tracker, t: &Ticket) -> Resolution {
    match tracker {
        Tracker::Jira => jira::resolution(t),
        Tracker::AzureDevOps => ado::resolution(t),
        Tracker::GitLab => gitlab::resolution(t),
        Tracker::GitHub => github::resolution(t),
        Tracker::Generic => Resolution::Open,
    }
}

/// A problem with an export: the file, the line (and the column, where the export says it),
/// what is wrong. The message names what is wrong, never what the file holds beyond the
/// tracker's keys and the id labels; shown, it is made safe for a terminal
/// ([`crate::diag::visible`]) and stays on one line.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportError {
    pub path: String,
    pub line: usize,
    /// 1-based, in characters; 0 when the message names the line only.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, message) = (visible(&self.path), visible(&self.message));
        match (self.line, self.column) {
            (0, _) => write!(f, "{path}: {message}"),
            (line, 0) => write!(f, "{path}:{line}: {message}"),
            (line, column) => write!(f, "{path}:{line}:{column}: {message}"),
        }
    }
}

impl ExportError {
    pub fn new(path: &str, line: usize, message: impl Into<String>) -> ExportError {
        ExportError {
            path: path.to_string(),
            line,
            column: 0,
            message: message.into(),
        }
    }

    /// The error at `column` of its line.
    pub fn column(mut self, column: usize) -> ExportError {
        self.column = column;
        self
    }

    /// The error at where `t` starts.
    fn at(path: &str, t: &Ticket, message: String) -> ExportError {
        ExportError::new(path, t.line, message).column(t.column)
    }
}

/// Reads `bytes`, the export of `tracker` at `path`.
pub fn read(tracker: Tracker, path: &str, bytes: &[u8]) -> Result<Vec<Ticket>, ExportError> {
    match tracker {
        Tracker::Jira => jira::read(path, bytes),
        Tracker::AzureDevOps => ado::read(path, bytes),
        Tracker::GitLab => gitlab::read(path, bytes),
        Tracker::GitHub => github::read(path, bytes),
        Tracker::Generic => Err(ExportError::new(
            path,
            0,
            "the generic backlog has no tracker to sync; pick jira, azure-devops, gitlab or github",
        )),
    }
}

/// Reads the export file, refusing one larger than `max` bytes before reading it: opened as
/// the lock is ([`crate::open::read`]), never through a symbolic link, never waiting on a
/// FIFO, and only when it is a regular file; at most `max` bytes are read whatever its size
/// claims.
pub fn read_file(tracker: Tracker, path: &Path, max: u64) -> Result<Vec<Ticket>, ExportError> {
    use crate::open::{Read, Refused};
    let name = path.display().to_string();
    let refuse = |message: String| ExportError::new(&name, 0, message);
    let bytes = match crate::open::read(path, max) {
        Ok(Read::Bytes(b)) => b,
        Ok(Read::TooLarge(size)) => {
            return Err(refuse(format!(
                "the export is {size} bytes, over the limit of {max}; export fewer tickets (filter on the `checkdown` label) or raise --max-export-size"
            )))
        }
        Err(Refused::NotFound) => return Err(refuse("no such file".to_string())),
        Err(Refused::Link) => {
            return Err(refuse(
                "refused: the export is a symbolic link, which checkdown does not follow; name the file itself with --export".to_string(),
            ))
        }
        Err(Refused::NotRegular) => {
            return Err(refuse(
                "refused: the export is not a regular file (a folder, FIFO, socket or device)"
                    .to_string(),
            ))
        }
        Err(Refused::Io(e)) => return Err(refuse(format!("cannot read: {e}"))),
    };
    read(tracker, &name, &bytes)
}

/// What `sync` does with one item or ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Create,
    Update,
    FlagRemoved,
    Unchanged,
    Foreign,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Create => "create",
            Kind::Update => "update",
            Kind::FlagRemoved => "flag-removed",
            Kind::Unchanged => "unchanged",
            Kind::Foreign => "foreign",
        }
    }
}

/// Where a creation goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Under {
    /// No parent (a section, or an item of a tracker without parents).
    None,
    /// An existing ticket, by key.
    Key(String),
    /// A section created in the same run, by its stable id.
    New(String),
}

/// One line of the report, with what the writers need.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub kind: Kind,
    /// The stable id (of the item or section; for a foreign ticket, none).
    pub id: Option<String>,
    pub entry: Option<Entry>,
    /// The ticket it concerns (none for a creation).
    pub ticket: Option<Ticket>,
    pub under: Under,
    /// Whether the entry is a section (a parent ticket).
    pub section: bool,
    /// Whether the entry is nested in an item whose ticket it goes under.
    pub nested: bool,
    pub why: String,
}

impl Action {
    pub fn key(&self) -> Option<&str> {
        self.ticket.as_ref().map(|t| t.key.as_str())
    }

    pub fn parent_key(&self) -> Option<&str> {
        match &self.under {
            Under::Key(k) => Some(k),
            _ => None,
        }
    }

    pub fn title(&self) -> &str {
        match (&self.entry, &self.ticket) {
            (Some(e), _) => &e.title,
            (None, Some(t)) => &t.title,
            _ => "",
        }
    }
}

/// The full id and the revision a description carries on its `checkdown id:` line.
pub fn stamp(description: &str) -> (Option<String>, Option<String>) {
    let Some(at) = description.rfind("checkdown id:") else {
        return (None, None);
    };
    let rest = &description[at + "checkdown id:".len()..];
    let rest: String = rest.chars().take(160).collect();
    let id = find_uuid(&rest);
    // The first word of eight hex digits after `rev` (past `<code>`, `{{` or a backtick).
    let rev = rest.find(" rev ").and_then(|i| {
        rest[i + 5..]
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(3)
            .find(|w| w.len() == 8 && w.chars().all(|c| c.is_ascii_hexdigit()))
            .map(str::to_ascii_lowercase)
    });
    (id, rev)
}

fn find_uuid(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let groups = [8, 4, 4, 4, 12];
    'start: for i in 0..chars.len() {
        let mut j = i;
        for (g, n) in groups.iter().enumerate() {
            for _ in 0..*n {
                if !chars.get(j).is_some_and(char::is_ascii_hexdigit) {
                    continue 'start;
                }
                j += 1;
            }
            if g < 4 {
                if chars.get(j) != Some(&'-') {
                    continue 'start;
                }
                j += 1;
            }
        }
        if i > 0 && chars[i - 1].is_ascii_hexdigit() {
            continue;
        }
        return Some(chars[i..j].iter().collect::<String>().to_ascii_lowercase());
    }
    None
}

/// Whether `l` is an id label: `checkdown-` and eight lowercase hex digits.
pub fn is_id_label(l: &str) -> bool {
    l.strip_prefix("checkdown-").is_some_and(|h| {
        h.len() == 8
            && h.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// What the run knows besides the export: the backlog of the current build, the ids the lock
/// held before it, and the items renamed through the lock (id -> old key).
pub struct Known<'a> {
    pub groups: &'a [Group],
    pub lock_ids: HashSet<String>,
    pub renamed: HashMap<String, String>,
}

/// The id labels of an export's tickets, checked.
pub struct Labels {
    /// Id label -> the index of the ticket that carries it.
    pub by_label: HashMap<String, usize>,
    /// Each ticket's id label, in export order.
    pub label_of: Vec<Option<String>>,
    /// Each ticket's full id and revision, from its description ([`stamp`]).
    pub stamps: Vec<(Option<String>, Option<String>)>,
}

/// Reads every ticket's id label and description stamp, and checks them across the export: a
/// ticket with two id labels, a label that disagrees with the description's id, or a label on
/// two tickets is an error naming the export's line. `sync` and `progress import` match
/// tickets through this.
pub fn labels(path: &str, tickets: &[Ticket]) -> Result<Labels, Vec<ExportError>> {
    let mut errors = Vec::new();
    let mut by_label: HashMap<String, usize> = HashMap::new();
    let mut label_of: Vec<Option<String>> = Vec::new();
    let mut stamps: Vec<(Option<String>, Option<String>)> = Vec::new();
    for (i, t) in tickets.iter().enumerate() {
        let ids: Vec<&String> = t.labels.iter().filter(|l| is_id_label(l)).collect();
        let st = t.description.as_deref().map(stamp).unwrap_or((None, None));
        if ids.len() > 1 {
            errors.push(ExportError::at(
                path,
                t,
                format!(
                    "ticket {} carries two id labels, `{}` and `{}`; a ticket stands for one item: remove the label that does not belong to it",
                    t.key, ids[0], ids[1]
                ),
            ));
        }
        let label = ids.first().map(|l| l.to_string());
        if let (Some(l), Some(full)) = (&label, &st.0) {
            if id_label(full) != *l {
                errors.push(ExportError::at(
                    path,
                    t,
                    format!(
                        "ticket {} has the label `{l}` but its description names the id {full} (`{}`); fix the label or the description",
                        t.key,
                        id_label(full)
                    ),
                ));
            }
        }
        if let Some(l) = &label {
            if let Some(&j) = by_label.get(l) {
                let other = &tickets[j];
                errors.push(ExportError::at(
                    path,
                    t,
                    format!(
                        "the label `{l}` is on two tickets, {} ({}) and {}; keep it on one",
                        other.key,
                        match other.column {
                            0 => format!("line {}", other.line),
                            c => format!("line {}, column {c}", other.line),
                        },
                        t.key
                    ),
                ));
            } else {
                by_label.insert(l.clone(), i);
            }
        }
        label_of.push(label);
        stamps.push(st);
    }
    match errors.is_empty() {
        true => Ok(Labels {
            by_label,
            label_of,
            stamps,
        }),
        false => Err(errors),
    }
}

/// Matches the tickets to the backlog and decides every action. Errors name the export's
/// lines; with any, nothing is to be written.
pub fn plan(
    tracker: Tracker,
    path: &str,
    tickets: &[Ticket],
    known: &Known,
) -> Result<Vec<Action>, Vec<ExportError>> {
    let Labels {
        by_label,
        label_of,
        stamps,
    } = labels(path, tickets)?;
    let parents = tracker != Tracker::GitLab;
    // The lock's ids by id label (the least where two share one), looked up per ticket.
    let mut lock_by_label: HashMap<String, &String> = HashMap::new();
    for id in &known.lock_ids {
        lock_by_label
            .entry(id_label(id))
            .and_modify(|held| *held = (*held).min(id))
            .or_insert(id);
    }
    let mut used = vec![false; tickets.len()];
    let mut out = Vec::new();
    for g in known.groups {
        let section = by_label.get(&id_label(&g.parent.id)).copied();
        // Where the section's new items go: its ticket, else the parent of one of its items'
        // tickets (the section's heading was reworded), else a new parent.
        let mut under = match section {
            Some(i) => Under::Key(tickets[i].key.clone()),
            None => g
                .children
                .iter()
                .filter_map(|c| by_label.get(&id_label(&c.id)))
                .find_map(|&i| tickets[i].parent.clone())
                .map_or(Under::None, Under::Key),
        };
        if !parents {
            under = Under::None;
        }
        if parents {
            match section {
                Some(i) => {
                    used[i] = true;
                    out.push(compare(&g.parent, &tickets[i], &stamps[i], known, true));
                }
                None if under == Under::None => {
                    let new_items = g
                        .children
                        .iter()
                        .any(|c| !by_label.contains_key(&id_label(&c.id)));
                    if new_items {
                        out.push(Action {
                            kind: Kind::Create,
                            id: Some(g.parent.id.clone()),
                            entry: Some(g.parent.clone()),
                            ticket: None,
                            under: Under::None,
                            section: true,
                            nested: false,
                            why: "new section".to_string(),
                        });
                        under = Under::New(g.parent.id.clone());
                    }
                }
                None => {}
            }
        }
        for c in &g.children {
            match by_label.get(&id_label(&c.id)) {
                Some(&i) => {
                    used[i] = true;
                    out.push(compare(c, &tickets[i], &stamps[i], known, false));
                }
                None => {
                    // A nested item goes under its parent item's ticket where there is one.
                    let item_parent = match tracker {
                        Tracker::GitHub => c.parent_item.as_deref(),
                        _ => c.root_item.as_deref(),
                    };
                    let ticket_parent = item_parent
                        .and_then(|p| by_label.get(&id_label(p)))
                        .map(|&i| tickets[i].key.clone());
                    let (where_, nested) = match ticket_parent {
                        Some(k) if parents => (Under::Key(k), true),
                        _ => (under.clone(), false),
                    };
                    let why = match &where_ {
                        Under::Key(k) => format!("new item, under {k}"),
                        Under::New(_) => "new item, in a new section".to_string(),
                        Under::None => "new item".to_string(),
                    };
                    out.push(Action {
                        kind: Kind::Create,
                        id: Some(c.id.clone()),
                        entry: Some(c.clone()),
                        ticket: None,
                        under: where_,
                        section: false,
                        nested,
                        why,
                    });
                }
            }
        }
    }
    for (i, t) in tickets.iter().enumerate() {
        if used[i] {
            continue;
        }
        let full = stamps[i].0.clone();
        let action = |kind: Kind, id: Option<String>, why: String| Action {
            kind,
            id,
            entry: None,
            ticket: Some(t.clone()),
            under: Under::None,
            section: false,
            nested: false,
            why,
        };
        match &label_of[i] {
            None => out.push(action(
                Kind::Foreign,
                None,
                "no checkdown id label; left alone".to_string(),
            )),
            Some(l) => {
                let in_lock = lock_by_label.get(l).map(|id| id.to_string());
                let id = in_lock.clone().or(full.clone());
                if t.labels.iter().any(|x| x == REMOVED_LABEL) {
                    out.push(action(
                        Kind::Unchanged,
                        id,
                        format!("already labelled `{REMOVED_LABEL}`"),
                    ));
                } else if in_lock.is_some() {
                    out.push(action(
                        Kind::FlagRemoved,
                        id,
                        "the docs dropped the item (the lock knew it)".to_string(),
                    ));
                } else if full.is_some() {
                    out.push(action(
                        Kind::FlagRemoved,
                        id,
                        "the docs dropped it (its description carries its checkdown id)"
                            .to_string(),
                    ));
                } else {
                    out.push(action(
                        Kind::Foreign,
                        None,
                        format!("`{l}` matches no item of the docs nor of the lock; left alone"),
                    ));
                }
            }
        }
    }
    Ok(out)
}

fn compare(
    e: &Entry,
    t: &Ticket,
    st: &(Option<String>, Option<String>),
    known: &Known,
    section: bool,
) -> Action {
    let rev = plan::entry_revision(e);
    let renamed = known
        .renamed
        .get(&e.id)
        .map(|old| format!("; renamed through the lock from `{old}`"))
        .unwrap_or_default();
    let (kind, why) = match &st.1 {
        Some(old) if *old == rev => (Kind::Unchanged, format!("revision {rev} is current")),
        Some(old) => (Kind::Update, format!("revision {old} -> {rev}{renamed}")),
        None => {
            let title = t.title.strip_prefix('\'').unwrap_or(&t.title);
            let now = e.title.strip_prefix('\'').unwrap_or(&e.title);
            if title == now {
                (
                    Kind::Unchanged,
                    "no revision in the export; the title is the same".to_string(),
                )
            } else {
                (
                    Kind::Update,
                    format!("no revision in the export; the title differs{renamed}"),
                )
            }
        }
    };
    Action {
        kind,
        id: Some(e.id.clone()),
        entry: Some(e.clone()),
        ticket: Some(t.clone()),
        under: Under::None,
        section,
        nested: false,
        why,
    }
}

/// The settings of a run.
pub struct Request<'a> {
    pub input: &'a Path,
    pub lock: &'a Path,
    pub tracker: Tracker,
    pub export: &'a Path,
    pub options: &'a Options,
    pub ado_process: AdoProcess,
    pub max_export_size: u64,
}

/// The outcome: the actions, the files for the tracker, and the diagnostics of the build.
pub struct Outcome {
    pub actions: Vec<Action>,
    pub files: Vec<OutputFile>,
    pub diagnostics: Vec<crate::diag::Diagnostic>,
}

/// Why a run stopped.
#[derive(Debug)]
pub enum Failure {
    Export(Vec<ExportError>),
    Other(crate::Error),
}

/// What `sync` and `progress import` start from: the export's tickets, and INPUT compiled
/// with its lock (read, never written) as the build that was imported gave it.
pub struct Loaded {
    pub tickets: Vec<Ticket>,
    pub lock: Lock,
    pub compiled: crate::Compiled,
    pub applied: lock::Applied,
    /// The catalog's sections and their items, as the tracker profiles plan them.
    pub groups: Vec<Group>,
}

/// Reads the export of `tracker` at `export` (refused whole when malformed, or over
/// `max_export_size` bytes), then the lock at `lock`, and compiles `input` with it.
pub fn load(
    tracker: Tracker,
    export: &Path,
    max_export_size: u64,
    input: &Path,
    lock_path: &Path,
    options: &Options,
) -> Result<Loaded, Failure> {
    let tickets =
        read_file(tracker, export, max_export_size).map_err(|e| Failure::Export(vec![e]))?;
    let lock: Lock = lock::read(lock_path)
        .map_err(Failure::Other)?
        .unwrap_or_default();
    let (compiled, applied) = lock::compile(input, None, options, &lock);
    let groups = plan::groups(&compiled.catalog);
    Ok(Loaded {
        tickets,
        lock,
        compiled,
        applied,
        groups,
    })
}

/// Compiles INPUT with its lock (the lock is read, never written), reads the export, plans
/// and renders the tracker's files. Nothing is written here.
pub fn run(req: &Request) -> Result<Outcome, Failure> {
    let Loaded {
        tickets,
        lock: old,
        compiled,
        applied,
        groups,
    } = load(
        req.tracker,
        req.export,
        req.max_export_size,
        req.input,
        req.lock,
        req.options,
    )?;
    let known = Known {
        groups: &groups,
        lock_ids: old.entries().map(|e| e.id.clone()).collect(),
        renamed: applied
            .renamed
            .iter()
            .map(|r| (r.id.clone(), r.from.key.clone()))
            .collect(),
    };
    let path = req.export.display().to_string();
    let actions = plan(req.tracker, &path, &tickets, &known).map_err(Failure::Export)?;
    let files = render(req.tracker, &actions, req.ado_process).map_err(Failure::Other)?;
    Ok(Outcome {
        actions,
        files,
        diagnostics: compiled.diagnostics,
    })
}

/// The files that catch `tracker` up.
pub fn render(
    tracker: Tracker,
    actions: &[Action],
    process: AdoProcess,
) -> Result<Vec<OutputFile>, crate::Error> {
    Ok(match tracker {
        Tracker::Jira => vec![jira::write(actions)?],
        Tracker::AzureDevOps => ado::write(actions, process)?,
        Tracker::GitLab => vec![gitlab::write(actions)],
        Tracker::GitHub => vec![github::write(actions)],
        Tracker::Generic => Vec::new(),
    })
}

/// The labels of a flagged ticket: its own, and [`REMOVED_LABEL`].
pub fn flagged_labels(t: &Ticket) -> Vec<String> {
    let mut l = t.labels.clone();
    if !l.iter().any(|x| x == REMOVED_LABEL) {
        l.push(REMOVED_LABEL.to_string());
    }
    l
}

/// The actions that change the tracker, in the order the files take them: creations (each
/// new section before its items), updates, flags.
pub fn changes(actions: &[Action]) -> impl Iterator<Item = &Action> {
    let of = move |k: Kind| actions.iter().filter(move |a| a.kind == k);
    of(Kind::Create)
        .chain(of(Kind::Update))
        .chain(of(Kind::FlagRemoved))
}

/// The report as JSON: `{"tracker", "actions": [{"action", "id", "key", "parent_key",
/// "status", "why"}]}`.
pub fn report_json(tracker: Tracker, actions: &[Action]) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        action: &'static str,
        id: Option<&'a str>,
        key: Option<&'a str>,
        parent_key: Option<&'a str>,
        status: Option<&'a str>,
        why: &'a str,
    }
    #[derive(Serialize)]
    struct Report<'a> {
        tracker: &'static str,
        actions: Vec<Line<'a>>,
    }
    let report = Report {
        tracker: tracker.name(),
        actions: actions
            .iter()
            .map(|a| Line {
                action: a.kind.name(),
                id: a.id.as_deref(),
                key: a.key(),
                parent_key: a.parent_key(),
                status: a.ticket.as_ref().map(|t| t.status.as_str()),
                why: &a.why,
            })
            .collect(),
    };
    let mut s = visible_json(serde_json::to_string_pretty(&report).unwrap_or_default());
    s.push('\n');
    s
}

/// The report as Markdown: counts, then one table row per action.
pub fn report_md(tracker: Tracker, actions: &[Action], files: &[String]) -> String {
    let count = |k: Kind| actions.iter().filter(|a| a.kind == k).count();
    let mut s = format!(
        "# checkdown sync: {}\n\n{} to create, {} to update, {} to flag removed, {} unchanged, {} foreign\n",
        tracker.name(),
        count(Kind::Create),
        count(Kind::Update),
        count(Kind::FlagRemoved),
        count(Kind::Unchanged),
        count(Kind::Foreign),
    );
    if !files.is_empty() {
        s.push_str("\nFiles: ");
        s.push_str(
            &files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        s.push('\n');
    }
    s.push_str(
        "\n| Action | Key | Parent | Status | Id | Title | Why |\n|---|---|---|---|---|---|---|\n",
    );
    for a in actions {
        // What the export holds is made safe for a terminal (controls and line breaks
        // escaped: a row stays one line), then for the table.
        let cell = |x: &str| visible(x).replace('|', "\\|");
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            a.kind.name(),
            cell(a.key().unwrap_or("")),
            cell(a.parent_key().unwrap_or(match a.under {
                Under::New(_) => "(new section)",
                _ => "",
            })),
            cell(a.ticket.as_ref().map_or("", |t| t.status.as_str())),
            a.id.as_deref().map(id_label).unwrap_or_default(),
            cell(a.title()),
            cell(&a.why),
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_in_every_markup() {
        let id = "315355e7-46e1-5732-8c81-768b78c8d197";
        for d in [
            format!("x\n\ncheckdown id: `{id}` rev `0a1b2c3d`"),
            format!("h3. Source\n\ncheckdown id: {{{{{id}}}}} rev {{{{0a1b2c3d}}}}"),
            format!("<p>checkdown id: <code>{id}</code> rev <code>0a1b2c3d</code></p>"),
        ] {
            assert_eq!(
                stamp(&d),
                (Some(id.to_string()), Some("0a1b2c3d".to_string()))
            );
        }
        assert_eq!(
            stamp(&format!("checkdown id: `{id}`")),
            (Some(id.to_string()), None)
        );
        assert_eq!(stamp("nothing"), (None, None));
    }

    #[test]
    fn closing_words() {
        assert_eq!(words("Won\u{2019}t Do"), "wont do");
        assert_eq!(words("NOT_PLANNED"), "not planned");
        assert_eq!(
            words("  Removed from the backlog "),
            "removed from the backlog"
        );
        assert_eq!(closed_as("Won't Fix"), Resolution::WontDo);
        assert_eq!(closed_as("Fixed"), Resolution::Done);
        assert_eq!(closed_as(""), Resolution::Done);
        assert_eq!(
            closed_as("Cannot Reproduce"),
            Resolution::Other("Cannot Reproduce".to_string())
        );
    }

    #[test]
    fn each_tracker_says_where_a_ticket_stands() {
        let t = |status: &str, resolution: &str, category: &str| Ticket {
            status: status.to_string(),
            resolution: resolution.to_string(),
            category: category.to_string(),
            ..Ticket::default()
        };
        let jira = |s, r, c| resolution(Tracker::Jira, &t(s, r, c));
        assert_eq!(jira("Done", "Done", "Done"), Resolution::Done);
        assert_eq!(jira("To Do", "Unresolved", "To Do"), Resolution::Open);
        assert_eq!(jira("In Review", "", "Done"), Resolution::Done);
        assert_eq!(jira("Closed", "", ""), Resolution::Done);
        assert_eq!(jira("Won't Do", "", "Done"), Resolution::WontDo);
        assert_eq!(jira("Reopened", "Won't Do", "To Do"), Resolution::WontDo);
        let ado = |s, r| resolution(Tracker::AzureDevOps, &t(s, r, ""));
        assert_eq!(ado("Closed", "Acceptance tests pass"), Resolution::Done);
        assert_eq!(ado("Resolved", "Fixed"), Resolution::Done);
        assert_eq!(ado("Done", "Won't fix"), Resolution::WontDo);
        assert_eq!(
            ado("Removed", "Removed from the backlog"),
            Resolution::WontDo
        );
        assert_eq!(ado("Active", ""), Resolution::Open);
        let gitlab = |s| resolution(Tracker::GitLab, &t(s, "", ""));
        assert_eq!(gitlab("Closed"), Resolution::Done);
        assert_eq!(gitlab("Open"), Resolution::Open);
        let github = |s, r| resolution(Tracker::GitHub, &t(s, r, ""));
        assert_eq!(github("CLOSED", "COMPLETED"), Resolution::Done);
        assert_eq!(github("CLOSED", ""), Resolution::Done);
        assert_eq!(github("CLOSED", "NOT_PLANNED"), Resolution::WontDo);
        assert_eq!(
            github("CLOSED", "DUPLICATE"),
            Resolution::Other("DUPLICATE".to_string())
        );
        assert_eq!(github("OPEN", "REOPENED"), Resolution::Open);
    }

    #[test]
    fn id_labels() {
        assert!(is_id_label("checkdown-0a1b2c3d"));
        assert!(!is_id_label("checkdown-removed"));
        assert!(!is_id_label("checkdown-0A1B2C3D"));
        assert!(!is_id_label("checkdown-0a1b2c3"));
    }
}
