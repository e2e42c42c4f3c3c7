//! `checkdown progress merge A B -o C`: two progress files made one, item by item.
//!
//! For each item id of either file:
//!
//! - an entry in one file only is kept;
//! - of two entries, the one updated later wins (times compared as instants, so offsets do not
//!   matter); a version 1 entry that gave no time of its own ([`Progress::is_timed`]) loses to
//!   any entry that did, whatever its stand-in time;
//! - two entries updated at the same instant with the same status and note are one (A's is
//!   kept, byte for byte);
//! - two entries updated at the same instant with a different status or note are a
//!   **conflict**: A's entry is kept, and a `progress-conflict` error names the item, both
//!   files and the line of each entry.
//!
//! The result is written as [`Progress::to_json`] writes it (version 2, keys sorted), whatever
//! versions A and B are.

use std::collections::BTreeMap;

use super::time::{instant, Instant};
use super::{Entry, Progress};
use crate::diag::Diagnostic;

/// The code of two entries of one item that disagree at the same time.
pub const CONFLICT: &str = "progress-conflict";

/// What [`merge`] made.
#[derive(Debug)]
pub struct Merged {
    /// The merged progress.
    pub progress: Progress,
    /// One `progress-conflict` error per item in conflict, in id order.
    pub conflicts: Vec<Diagnostic>,
    /// How each item of the result was decided.
    pub counts: Counts,
}

/// How many items were decided which way.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// In A only.
    pub only_a: usize,
    /// In B only.
    pub only_b: usize,
    /// In both, the same status and note at the same time.
    pub same: usize,
    /// In both, A's updated later.
    pub newer_a: usize,
    /// In both, B's updated later.
    pub newer_b: usize,
    /// In both, different at the same time: A's kept.
    pub conflicts: usize,
}

/// How an entry ranks: one with a time of its own above one without, then the later.
fn rank(p: &Progress, id: &str, e: &Entry) -> (bool, Instant) {
    (
        p.is_timed(id),
        instant(&e.updated.0).unwrap_or((i64::MIN, 0)),
    )
}

/// Merges `b` into `a`. `a_name` and `b_name` name the files in the diagnostics.
pub fn merge(a: &Progress, a_name: &str, b: &Progress, b_name: &str) -> Merged {
    let mut items: BTreeMap<String, Entry> = BTreeMap::new();
    let mut conflicts = Vec::new();
    let mut counts = Counts::default();
    for (id, x) in &a.items {
        let Some(y) = b.items.get(id) else {
            counts.only_a += 1;
            items.insert(id.clone(), x.clone());
            continue;
        };
        let (ra, rb) = (rank(a, id, x), rank(b, id, y));
        let kept = if ra > rb {
            counts.newer_a += 1;
            x
        } else if rb > ra {
            counts.newer_b += 1;
            y
        } else if x.status == y.status && x.note == y.note {
            counts.same += 1;
            x
        } else {
            counts.conflicts += 1;
            conflicts.push(conflict(id, (a, a_name, x), (b, b_name, y)));
            x
        };
        items.insert(id.clone(), kept.clone());
    }
    for (id, y) in &b.items {
        if !a.items.contains_key(id) {
            counts.only_b += 1;
            items.insert(id.clone(), y.clone());
        }
    }
    Merged {
        progress: Progress::new(items),
        conflicts,
        counts,
    }
}

/// The error of two entries of `id` that disagree at the same time.
fn conflict(
    id: &str,
    (a, a_name, x): (&Progress, &str, &Entry),
    (b, b_name, y): (&Progress, &str, &Entry),
) -> Diagnostic {
    let at = |p: &Progress, name: &str| match p.position(id) {
        Some((line, column)) => format!("{name}:{line}:{column}"),
        None => name.to_string(),
    };
    let what = if x.status != y.status {
        format!(
            "`{}` in {} but `{}` in {}",
            x.status.as_str(),
            a_name,
            y.status.as_str(),
            at(b, b_name)
        )
    } else {
        format!(
            "`{}` in both, with different notes in {} and {}",
            x.status.as_str(),
            a_name,
            at(b, b_name)
        )
    };
    let when = if a.is_timed(id) {
        format!("both updated at {}", x.updated.0)
    } else {
        "neither with a time of its own (version 1)".to_string()
    };
    let mut d = Diagnostic::error(
        CONFLICT,
        a_name,
        format!("item `{id}` is {what}, {when}: the entry of {a_name} is kept"),
    )
    .help("decide which is right, write it in either file with a later `updated`, and merge again");
    if let Some((line, column)) = a.position(id) {
        d.line = line;
        d.column = column;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn file(items: &[(&str, Status, Option<&str>, &str)]) -> Progress {
        Progress::new(
            items
                .iter()
                .map(|(id, s, n, t)| (id.to_string(), Entry::new(*s, *n, t)))
                .collect(),
        )
    }

    #[test]
    fn later_wins_and_offsets_compare_as_instants() {
        let a = file(&[
            ("a", Status::Done, None, "2025-03-01T10:00:00+01:00"),
            ("b", Status::Open, None, "2025-03-01T09:00:00Z"),
            ("c", Status::Done, Some("n"), "2025-03-02T00:00:00Z"),
        ]);
        let b = file(&[
            ("a", Status::Done, None, "2025-03-01T09:00:00Z"),
            ("b", Status::InProgress, None, "2025-03-01T09:00:01Z"),
            ("c", Status::Done, Some("m"), "2025-03-01T00:00:00Z"),
            ("d", Status::NotApplicable, None, "2025-01-01T00:00:00Z"),
        ]);
        let m = merge(&a, "a.json", &b, "b.json");
        assert!(m.conflicts.is_empty());
        assert_eq!(
            m.counts,
            Counts {
                only_a: 0,
                only_b: 1,
                same: 1,
                newer_a: 1,
                newer_b: 1,
                conflicts: 0
            }
        );
        assert_eq!(m.progress.items["a"].updated.0, "2025-03-01T10:00:00+01:00");
        assert_eq!(m.progress.items["b"].status, Status::InProgress);
        assert_eq!(
            m.progress.items["c"].note.as_ref().map(|n| n.0.as_str()),
            Some("n")
        );
    }

    #[test]
    fn the_same_time_with_another_note_is_a_conflict() {
        let a = file(&[("a", Status::Done, Some("x"), "2025-03-01T09:00:00Z")]);
        let b = file(&[("a", Status::Done, Some("y"), "2025-03-01T10:00:00+01:00")]);
        let m = merge(&a, "a.json", &b, "b.json");
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(
            m.conflicts[0].message,
            "item `a` is `done` in both, with different notes in a.json and b.json, both updated at 2025-03-01T09:00:00Z: the entry of a.json is kept"
        );
        assert_eq!(
            m.progress.items["a"].note.as_ref().map(|n| n.0.as_str()),
            Some("x")
        );
    }
}
