//! The lock file (INPUT/checkdown.lock): the id of every item, by key, so that an item keeps
//! its id when its heading is reworded and its anchor, and so its key, changes. A backlog
//! imported into a tracker and the ticks kept by the HTML checklist both hang on that id.
//!
//! A build reads the lock and gives each item whose key the lock knows the id written
//! there. The items whose key is new are matched against the lock's items that vanished,
//! within the same document, by [`similarity`] of title, heading and body; a pair that
//! scores at least [`THRESHOLD`] is a rename and the new item inherits the old id. The
//! others get the UUID v5 of their key. Vanished items that found no successor are reported
//! (see [`Applied::notes`]) and dropped; the lock is then written anew from the catalog.
//!
//! The file is plain text, sorted by document and key, one field a line, so that it diffs
//! and merges well in review, and the same inputs give the same bytes:
//!
//! ```text
//! checkdown-lock 1
//!
//! [security/maturity-model.md]
//!
//! key security/maturity-model.md#-encrypt-data-at-rest
//! id 1b3c1c2e-…
//! title Encrypt data at rest
//! heading Encrypt data at rest
//! body Secure data at rest to help ensure data confidentiality and integrity, two …
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::{Diagnostic, Severity};
use crate::extract::checklist::item_id;
use crate::model::{Catalog, Item, Source};
use crate::{compile_dir, Compiled, Error, Options};

/// The lock's file name inside INPUT.
pub const FILE_NAME: &str = "checkdown.lock";

/// The first line that is not a comment.
const HEADER: &str = "checkdown-lock 1";

/// The lowest [`similarity`] at which a new item is taken for a vanished one reworded.
///
/// Calibrated on the Well-Architected pages (tests/it/regen.rs keeps it honest). In the
/// maturity models, two different strategies never reach 0.5; the closest pair, "Encrypt
/// data at rest" and "Encrypt data in transit" (alike titles, different bodies), scores
/// 0.50. Over all 558 items of the sample (16,775 pairs within a document) four pairs reach
/// 0.6, and each is the docs saying nearly the same thing twice (the same recommendation
/// written twice in one service guide; the cluster autoscaler under two pillars). A
/// rewording scores well above: the IAM strategy of the security maturity model, whose
/// heading went from "Refine your identity and access management (IAM) configurations" to
/// "Refine your IAM configurations", scores 0.90; a strategy whose title and heading were
/// both replaced by unrelated words over the same body, 0.65 or more. Below the threshold
/// an item is reported removed and a new one added, never silently given another's id.
pub const THRESHOLD: f64 = 0.6;

/// How much of the body (as plain text) the lock keeps for matching.
pub const EXCERPT_CHARS: usize = 160;

/// One item as the lock remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The document's path relative to INPUT.
    pub document: String,
    pub key: String,
    pub id: String,
    pub title: String,
    pub heading: Option<String>,
    /// The start of the body as plain text ([`excerpt`]).
    pub body: String,
}

impl Entry {
    /// What the lock remembers of an item of `document`.
    pub fn of(document: &str, item: &Item) -> Entry {
        Entry {
            document: document.to_string(),
            key: item.key.clone(),
            id: item.id.clone(),
            title: one_line(&item.title),
            heading: item.heading.as_deref().map(one_line),
            body: excerpt(&item.body),
        }
    }
}

/// The lock: entries by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    entries: BTreeMap<String, Entry>,
}

/// A lock file that cannot be read as one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl Lock {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds an entry unless its key is already there (the first item of a key wins, as
    /// items of one key share its id).
    pub fn insert(&mut self, entry: Entry) {
        self.entries.entry(entry.key.clone()).or_insert(entry);
    }

    /// What a catalog's items say, ids as they are.
    pub fn from_catalog(catalog: &Catalog) -> Lock {
        let mut lock = Lock::default();
        for doc in &catalog.documents {
            for item in doc.sections.iter().flat_map(|s| &s.items) {
                lock.insert(Entry::of(&doc.path, item));
            }
        }
        lock
    }

    /// Reads a lock's text.
    pub fn parse(text: &str) -> Result<Lock, ParseError> {
        let mut lock = Lock::default();
        let mut header = false;
        let mut document: Option<String> = None;
        // The entry being read, and the line of its `key`.
        let mut current: Option<(Entry, usize)> = None;
        let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
        let err = |line: usize, message: String| ParseError { line, message };
        let finish = |cur: Option<(Entry, usize)>,
                      lock: &mut Lock,
                      first_line: &mut BTreeMap<String, usize>|
         -> Result<(), ParseError> {
            let Some((entry, line)) = cur else {
                return Ok(());
            };
            if entry.id.is_empty() {
                return Err(err(line, format!("`{}` has no `id` line", entry.key)));
            }
            if let Some(first) = first_line.get(&entry.key) {
                return Err(err(
                    line,
                    format!("`{}` is listed twice (also on line {first})", entry.key),
                ));
            }
            first_line.insert(entry.key.clone(), line);
            lock.insert(entry);
            Ok(())
        };
        for (n, raw) in text.lines().enumerate() {
            let n = n + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if ["<<<<<<<", "|||||||", "=======", ">>>>>>>"]
                .iter()
                .any(|m| line.starts_with(m))
            {
                return Err(err(
                    n,
                    "merge conflict marker: keep the entries of both sides (without the \
                     markers), then run `checkdown build` to settle the ids"
                        .to_string(),
                ));
            }
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            if !header {
                if line.trim_end() != HEADER {
                    return Err(err(
                        n,
                        format!("expected `{HEADER}`, found `{line}` (not a checkdown lock, or a newer one)"),
                    ));
                }
                header = true;
                continue;
            }
            if let Some(doc) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                finish(current.take(), &mut lock, &mut first_line)?;
                document = Some(unescape(doc));
                continue;
            }
            let (field, value) = line.split_once(' ').unwrap_or((line, ""));
            let value = unescape(value);
            if field == "key" {
                finish(current.take(), &mut lock, &mut first_line)?;
                let Some(doc) = &document else {
                    return Err(err(n, "`key` before any `[document]` line".to_string()));
                };
                if value.is_empty() {
                    return Err(err(n, "empty key".to_string()));
                }
                current = Some((
                    Entry {
                        document: doc.clone(),
                        key: value,
                        id: String::new(),
                        title: String::new(),
                        heading: None,
                        body: String::new(),
                    },
                    n,
                ));
                continue;
            }
            let Some((entry, _)) = current.as_mut() else {
                return Err(err(n, format!("`{field}` before any `key` line")));
            };
            match field {
                "id" => {
                    if value.is_empty() || value.contains(char::is_whitespace) {
                        return Err(err(n, format!("`{value}` is not an id")));
                    }
                    entry.id = value;
                }
                "title" => entry.title = value,
                "heading" => entry.heading = Some(value),
                "body" => entry.body = value,
                other => return Err(err(n, format!("unknown field `{other}`"))),
            }
        }
        finish(current.take(), &mut lock, &mut first_line)?;
        if !header && !text.trim().is_empty() {
            return Err(err(1, format!("expected `{HEADER}`")));
        }
        Ok(lock)
    }

    /// The lock's text: sorted by document, then key; byte for byte the same for the same
    /// entries.
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# checkdown.lock: the id of every checklist item, by key. Commit it with the docs.\n\
             # `checkdown build` keeps it current; an item whose heading is reworded keeps its id.\n",
        );
        out.push_str(HEADER);
        out.push('\n');
        let mut by_doc: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for e in self.entries.values() {
            by_doc.entry(e.document.as_str()).or_default().push(e);
        }
        for (doc, entries) in by_doc {
            out.push_str(&format!("\n[{}]\n", escape(doc)));
            for e in entries {
                out.push('\n');
                field(&mut out, "key", &e.key);
                field(&mut out, "id", &e.id);
                field(&mut out, "title", &e.title);
                if let Some(h) = &e.heading {
                    field(&mut out, "heading", h);
                }
                field(&mut out, "body", &e.body);
            }
        }
        out
    }
}

fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(name);
    if !value.is_empty() {
        out.push(' ');
        out.push_str(&escape(value));
    }
    out.push('\n');
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The start of a Markdown body as plain text: markup removed, whitespace collapsed, at
/// most [`EXCERPT_CHARS`] characters, cut after a whole word when there is one.
pub fn excerpt(markdown: &str) -> String {
    let plain = crate::render::markdown::to_plain(markdown);
    if plain.chars().count() <= EXCERPT_CHARS {
        return plain;
    }
    let cut: String = plain.chars().take(EXCERPT_CHARS + 1).collect();
    match cut.rfind(' ') {
        Some(space) if space > 0 => cut[..space].to_string(),
        _ => cut.chars().take(EXCERPT_CHARS).collect(),
    }
}

/// How much a new item resembles a vanished one, from 0 to 1: the normalized Levenshtein
/// similarity (case ignored) of title, heading and body excerpt, weighted 1, 1 and 3 (the
/// body says most about what an item is; titles of neighbours are often alike, and a
/// rewording changes the heading by definition). A field empty on both sides is left out
/// of the mean.
pub fn similarity(old: &Entry, new: &Entry) -> f64 {
    let heading_old = old.heading.as_deref().unwrap_or("");
    let heading_new = new.heading.as_deref().unwrap_or("");
    let parts = [
        (1.0, old.title.as_str(), new.title.as_str()),
        (1.0, heading_old, heading_new),
        (3.0, old.body.as_str(), new.body.as_str()),
    ];
    let mut sum = 0.0;
    let mut weight = 0.0;
    for (w, a, b) in parts {
        if a.is_empty() && b.is_empty() {
            continue;
        }
        sum += w * strsim::normalized_levenshtein(&a.to_lowercase(), &b.to_lowercase());
        weight += w;
    }
    if weight == 0.0 {
        0.0
    } else {
        sum / weight
    }
}

/// A new key that inherited the id of a vanished one.
#[derive(Debug, Clone, PartialEq)]
pub struct Rename {
    pub id: String,
    pub from: Entry,
    pub to: Entry,
    /// Where the new item stands.
    pub source: Source,
    pub score: f64,
}

/// What applying a lock did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// The lock to write: every item of the catalog, plus the kept entries.
    pub lock: Lock,
    pub renamed: Vec<Rename>,
    /// Vanished entries that matched nothing: reported, then dropped.
    pub removed: Vec<Entry>,
    /// Vanished entries of documents that had errors this time: kept, so that a file that
    /// failed to read does not lose its ids.
    pub kept: Vec<Entry>,
    /// Keys the lock did not know and that matched nothing: they got the UUID v5 of their key.
    pub added: Vec<String>,
    /// Those of `added` that stand in a document with errors: their id is provisional and
    /// left out of the lock until the document compiles cleanly, so that they can still
    /// be matched with the kept entries then.
    pub provisional: Vec<String>,
}

impl Applied {
    /// Notes for the run's diagnostics: one per rename and one per removed item.
    pub fn notes(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for r in &self.renamed {
            let mut d = Diagnostic::new(
                Severity::Note,
                "renamed-item",
                &r.to.document,
                format!(
                    "`{}` is now `{}`; it keeps id {} (similarity {:.2})",
                    r.from.key, r.to.key, r.id, r.score
                ),
            );
            d.line = r.source.line;
            d.column = r.source.column;
            out.push(d);
        }
        for e in &self.removed {
            out.push(
                Diagnostic::new(
                    Severity::Note,
                    "removed-item",
                    &e.document,
                    format!(
                        "`{}` (\"{}\") is gone and resembles no new item; its id {} leaves the lock",
                        e.key, e.title, e.id
                    ),
                )
                .help(format!(
                    "if it was reworded beyond recognition, edit the new item's `id` line in the lock to `{}`",
                    e.id
                )),
            );
        }
        for e in &self.kept {
            out.push(Diagnostic::new(
                Severity::Note,
                "kept-item",
                &e.document,
                format!(
                    "`{}` is missing, but this file has errors: its id {} stays in the lock",
                    e.key, e.id
                ),
            ));
        }
        out
    }
}

/// Gives every item of `catalog` its id from `lock` (see the module's comment). In the
/// documents of `keep` (those that had errors) the lock forgets nothing and learns only
/// renames: unmatched vanished entries stay, unmatched new items are left out of it.
pub fn apply(catalog: &mut Catalog, lock: &Lock, keep: &BTreeSet<String>) -> Applied {
    let mut present: BTreeSet<&str> = BTreeSet::new();
    for item in catalog
        .documents
        .iter()
        .flat_map(|d| &d.sections)
        .flat_map(|s| &s.items)
    {
        present.insert(&item.key);
    }
    let mut vanished: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in lock.entries() {
        if !present.contains(e.key.as_str()) {
            vanished.entry(e.document.as_str()).or_default().push(e);
        }
    }
    // New items of each document (first of each key), with their place.
    let mut fresh: Vec<(Entry, Source)> = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for doc in &catalog.documents {
        for item in doc.sections.iter().flat_map(|s| &s.items) {
            if lock.get(&item.key).is_none() && seen.insert(&item.key) {
                fresh.push((Entry::of(&doc.path, item), item.source));
            }
        }
    }
    // Every candidate pair within a document, best first; ties broken by keys so the
    // outcome never depends on the order of files or of the lock.
    let mut pairs: Vec<(f64, usize, &Entry)> = Vec::new();
    for (n, (new, _)) in fresh.iter().enumerate() {
        for &old in vanished.get(new.document.as_str()).into_iter().flatten() {
            let score = similarity(old, new);
            if score >= THRESHOLD {
                pairs.push((score, n, old));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| fresh[a.1].0.key.cmp(&fresh[b.1].0.key))
            .then_with(|| a.2.key.cmp(&b.2.key))
    });
    let mut inherited: BTreeMap<String, (String, f64, &Entry)> = BTreeMap::new();
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    for (score, n, old) in pairs {
        let new_key = &fresh[n].0.key;
        if inherited.contains_key(new_key) || taken.contains(old.key.as_str()) {
            continue;
        }
        taken.insert(&old.key);
        inherited.insert(new_key.clone(), (old.id.clone(), score, old));
    }

    let mut applied = Applied::default();
    for (new, source) in &fresh {
        match inherited.get(&new.key) {
            Some((id, score, old)) => {
                let mut to = new.clone();
                to.id = id.clone();
                applied.renamed.push(Rename {
                    id: id.clone(),
                    from: (*old).clone(),
                    to,
                    source: *source,
                    score: *score,
                });
            }
            None => {
                applied.added.push(new.key.clone());
                if keep.contains(&new.document) {
                    applied.provisional.push(new.key.clone());
                }
            }
        }
    }
    for doc in &mut catalog.documents {
        for item in doc.sections.iter_mut().flat_map(|s| &mut s.items) {
            item.id = match (lock.get(&item.key), inherited.get(&item.key)) {
                (Some(e), _) => e.id.clone(),
                (None, Some((id, _, _))) => id.clone(),
                (None, None) => item_id(&item.key),
            };
        }
    }
    for entries in vanished.values() {
        for &e in entries {
            if taken.contains(e.key.as_str()) {
                continue;
            }
            if keep.contains(&e.document) {
                applied.kept.push(e.clone());
            } else {
                applied.removed.push(e.clone());
            }
        }
    }
    applied.lock = Lock::from_catalog(catalog);
    for key in &applied.provisional {
        applied.lock.entries.remove(key);
    }
    for e in &applied.kept {
        applied.lock.insert(e.clone());
    }
    applied
}

/// Reads the lock at `path`: `None` when there is no such file.
pub fn read(path: &Path) -> Result<Option<Lock>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        }
    };
    Lock::parse(&text).map(Some).map_err(|e| Error::Io {
        path: format!("{}:{}", path.display(), e.line),
        message: e.message,
    })
}

/// Compiles INPUT (as [`compile_dir`]) and gives its items the ids `lock` says. The notes
/// about renamed and removed items join the diagnostics, in file order.
pub fn compile(
    input: &Path,
    skip: Option<&Path>,
    options: &Options,
    lock: &Lock,
) -> (Compiled, Applied) {
    let mut compiled = compile_dir(input, skip, options);
    let keep: BTreeSet<String> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.path.clone())
        .collect();
    let applied = apply(&mut compiled.catalog, lock, &keep);
    compiled.diagnostics.extend(applied.notes());
    compiled
        .diagnostics
        .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    (compiled, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, id: &str, title: &str, body: &str) -> Entry {
        Entry {
            document: "a.md".to_string(),
            key: key.to_string(),
            id: id.to_string(),
            title: title.to_string(),
            heading: Some(title.to_string()),
            body: body.to_string(),
        }
    }

    #[test]
    fn text_round_trips() {
        let mut lock = Lock::default();
        lock.insert(entry("a.md#-b", "2", "B \\ back", "line\nbreak\ttab"));
        lock.insert(entry("a.md#-a", "1", "A", ""));
        let mut e = entry("z/b.md#x", "3", "", "");
        e.document = "z/b.md".to_string();
        e.heading = None;
        lock.insert(e);
        let text = lock.to_text();
        assert_eq!(Lock::parse(&text), Ok(lock.clone()));
        assert!(text.contains("\nkey a.md#-a\nid 1\ntitle A\nheading A\nbody\n\nkey a.md#-b\n"));
        assert!(text.contains("title B \\\\ back\n"));
        assert!(text.contains("body line\\nbreak\\ttab\n"));
        assert!(text.contains("[z/b.md]\n\nkey z/b.md#x\nid 3\ntitle\nbody\n"));
    }

    #[test]
    fn parse_errors_name_the_line() {
        let e = Lock::parse("checkdown-lock 1\n\n[a.md]\n<<<<<<< HEAD\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.starts_with("merge conflict marker"));
        let e = Lock::parse("something else\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = Lock::parse("checkdown-lock 1\nkey a.md#x\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Lock::parse("checkdown-lock 1\n[a.md]\nkey a.md#x\ntitle x\n").unwrap_err();
        assert_eq!(e.message, "`a.md#x` has no `id` line");
        let e =
            Lock::parse("checkdown-lock 1\n[a.md]\nkey a#x\nid 1\nkey a#x\nid 2\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (5, "`a#x` is listed twice (also on line 3)")
        );
        assert_eq!(Lock::parse(""), Ok(Lock::default()));
    }

    #[test]
    fn excerpt_cuts_after_a_word() {
        assert_eq!(
            excerpt("Use **strong** [keys](/x).\n\n- one"),
            "Use strong keys. one"
        );
        let long = "word ".repeat(100);
        let e = excerpt(&long);
        assert!(e.chars().count() <= EXCERPT_CHARS);
        assert!(e.ends_with("word"));
    }

    #[test]
    fn similarity_of_a_reworded_heading_and_of_neighbours() {
        let body =
            "Analyze access patterns to identify areas of improvements in your IAM configurations.";
        let mut old = entry(
            "a.md#-x",
            "1",
            "Refine your identity and access management (IAM) configurations",
            body,
        );
        let mut new = old.clone();
        new.heading = Some("Refine your IAM configurations".to_string());
        assert!(similarity(&old, &new) >= THRESHOLD);
        old.title = "Encrypt data at rest".to_string();
        old.heading = Some(old.title.clone());
        old.body = "Secure data at rest to help ensure data confidentiality and integrity.".into();
        new.title = "Encrypt data in transit".to_string();
        new.heading = Some(new.title.clone());
        new.body = "Secure data in transit to help protect your workload from attackers.".into();
        assert!(similarity(&old, &new) < THRESHOLD);
    }
}
