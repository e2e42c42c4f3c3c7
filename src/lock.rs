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
//! Since matching never looks past a document, the lock is applied a document at a time
//! ([`apply_document`], with that document's entries from [`OldLock::document`]), and what
//! is left, the entries of documents that did not come up, is settled at the end
//! ([`settle`]). The streamed build does exactly that; [`apply`], over a whole catalog, is the
//! same step over every document, so both give the same ids, notes and lock.
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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::diag::{Diagnostic, Severity};
use crate::extract::checklist::item_id;
use crate::model::{Catalog, Document, Item, Source};
use crate::{compile_dir, Compiled, Error, Options};

/// The lock's file name inside INPUT.
pub const FILE_NAME: &str = "checkdown.lock";

/// The first line that is not a comment.
const HEADER: &str = "checkdown-lock 1";

/// The largest lock file read (1 GiB): a larger one is refused before it is read.
pub const MAX_SIZE: u64 = 1 << 30;

/// The longest line of a lock file read (64 MiB, without its line end): a longer one is
/// refused at its line. The lock's longest lines are titles, and a page is at most
/// `--max-file-size` (16 MiB by default).
pub const MAX_LINE: usize = 64 << 20;

/// A field's name, when it is one of the lock's; what a line of a file that is not a lock
/// holds is never repeated in a message.
const FIELDS: [&str; 5] = ["key", "id", "title", "heading", "body"];

/// The message for a line that is none of the lock's.
const NOT_A_LOCK_LINE: &str = "not a line of a lock: a line is `key`, `id`, `title`, `heading` \
     or `body` and its value, a `[document]` line, or a `#` comment";

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

// An excerpt is made from the start of a body's plain text (`Digest::plain_start`), which
// must hold more characters than an excerpt does.
const _: () = assert!(4 * (EXCERPT_CHARS + 1) <= crate::render::markdown::PLAIN_START_BYTES);

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
        Entry::with_plain(
            document,
            item,
            &crate::render::markdown::to_plain(&item.body),
        )
    }

    /// [`Entry::of`], given the item body's plain text (or a start of it longer than an
    /// excerpt).
    pub fn with_plain(document: &str, item: &Item, plain: &str) -> Entry {
        Entry {
            document: document.to_string(),
            key: item.key.clone(),
            id: item.id.clone(),
            title: one_line(&item.title),
            heading: item.heading.as_deref().map(one_line),
            body: excerpt_of_plain(plain),
        }
    }
}

/// The lock: entries by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    entries: BTreeMap<String, Entry>,
    /// Entries left out as they repeat an earlier entry's id.
    duplicates: Vec<Duplicate>,
}

/// An entry whose id an earlier entry of the lock (in file order) already has, as a merge
/// or a hand edit can leave it. The earlier key keeps the id; the entry is left out, so
/// its item is read as a new one and gets an id of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub id: String,
    /// The key that keeps the id, and the line of its `key` line.
    pub kept: String,
    pub kept_line: usize,
    /// The key left out, and the line of its `key` line.
    pub dropped: String,
    pub line: usize,
}

impl Duplicate {
    /// The warning for the lock file at `lock` (as it is shown).
    pub fn diagnostic(&self, lock: &str) -> Diagnostic {
        let mut d = Diagnostic::warning(
            "duplicate-id",
            lock,
            format!(
                "the lock gives id {} to two keys, `{}` (line {}) and `{}`: `{}` keeps it, \
                 `{}` is read as a new item",
                self.id, self.kept, self.kept_line, self.dropped, self.kept, self.dropped
            ),
        )
        .help(format!(
            "an id belongs to one item; this build writes the lock with an id of its own for \
             `{}`. If that item is the one the id belongs to, give `{}` another id instead",
            self.dropped, self.kept
        ));
        d.line = self.line;
        d.column = 1;
        d
    }
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

    /// Entries left out when the lock was read, as they repeat an earlier entry's id.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
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
        let mut reader = Reader::default();
        for (n, line) in text.lines().enumerate() {
            if let (Some(entry), _) = reader.line(n + 1, line)? {
                lock.insert(entry);
            }
        }
        let (last, duplicates) = reader.end()?;
        if let Some(entry) = last {
            lock.insert(entry);
        }
        lock.duplicates = duplicates;
        Ok(lock)
    }

    /// The lock's text: sorted by document, then key; byte for byte the same for the same
    /// entries.
    pub fn to_text(&self) -> String {
        let mut out = String::from(TEXT_HEAD);
        let mut by_doc: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for e in self.entries.values() {
            by_doc.entry(e.document.as_str()).or_default().push(e);
        }
        for (doc, entries) in by_doc {
            out.push_str(&section_text(doc, entries));
        }
        out
    }
}

/// What a lock's text starts with: two comment lines and the header.
pub const TEXT_HEAD: &str =
    "# checkdown.lock: the id of every checklist item, by key. Commit it with the docs.\n\
     # `checkdown build` keeps it current; an item whose heading is reworded keeps its id.\n\
     checkdown-lock 1\n";

/// One document's part of the lock's text: its `[path]` line and its entries, in the order
/// given (by key, in a lock). Empty when there is no entry.
pub fn section_text<'a>(document: &str, entries: impl IntoIterator<Item = &'a Entry>) -> String {
    let mut out = String::new();
    for e in entries {
        if out.is_empty() {
            out.push_str(&format!("\n[{}]\n", escape(document)));
        }
        out.push('\n');
        field(&mut out, "key", &e.key);
        field(&mut out, "id", &e.id);
        field(&mut out, "title", &e.title);
        if let Some(h) = &e.heading {
            field(&mut out, "heading", h);
        }
        field(&mut out, "body", &e.body);
    }
    out
}

/// Reads a lock a line at a time. [`Lock::parse`] and [`OldLock::open`] share it, so both
/// accept and refuse the same files with the same messages.
#[derive(Default)]
struct Reader {
    header: bool,
    /// Something other than whitespace was seen.
    content: bool,
    document: Option<String>,
    /// The entry being read, the line of its `key`, and where that line starts.
    current: Option<(Entry, usize, u64)>,
    /// Where the line being read starts (for [`Keys::Hashed`]).
    at: u64,
    /// Where the `key` line of the last entry completed starts.
    last_at: u64,
    /// Check titles, headings and bodies without keeping them (an index pass).
    light: bool,
    /// Every key read, to refuse a key listed twice.
    keys: Keys,
    /// Every id read (by the key that has it), to leave out an entry that repeats one.
    ids: Ids,
    duplicates: Vec<Duplicate>,
}

/// The keys a [`Reader`] has read, with their lines.
enum Keys {
    Text(HashMap<String, usize>),
    /// Hashes only, each with its line and where that line starts in the file: a lock file
    /// is checked without holding its keys. A hash seen again is confirmed by reading the
    /// earlier key back from the file.
    Hashed {
        seen: HashMap<u64, Vec<(usize, u64)>>,
        file: Option<std::fs::File>,
    },
}

impl Default for Keys {
    fn default() -> Self {
        Keys::Text(HashMap::new())
    }
}

impl Keys {
    /// The line where `key` was read before, if it was; else notes it (at `line`, which
    /// starts at byte `at`).
    fn first(&mut self, key: &str, line: usize, at: u64) -> Option<usize> {
        match self {
            Keys::Text(map) => match map.get(key) {
                Some(first) => Some(*first),
                None => {
                    map.insert(key.to_string(), line);
                    None
                }
            },
            Keys::Hashed { seen, file } => {
                use std::hash::{Hash as _, Hasher as _};
                let mut h = std::hash::DefaultHasher::new();
                key.hash(&mut h);
                let earlier = seen.entry(h.finish()).or_default();
                let found = earlier
                    .iter()
                    .find(|(_, start)| {
                        file.as_mut()
                            .is_some_and(|f| key_at(f, *start) == Some(key.to_string()))
                    })
                    .map(|(first, _)| *first);
                if found.is_none() {
                    earlier.push((line, at));
                }
                found
            }
        }
    }
}

/// The ids a [`Reader`] has read, with the line and key of the entry that has each.
#[derive(Debug)]
enum Ids {
    Text(HashMap<String, (usize, String)>),
    /// Hashes only, as [`Keys::Hashed`]: a hash seen again is confirmed by reading the
    /// earlier entry back from the file.
    Hashed {
        seen: HashMap<u64, Vec<(usize, u64)>>,
        file: Option<std::fs::File>,
    },
}

impl Default for Ids {
    fn default() -> Self {
        Ids::Text(HashMap::new())
    }
}

impl Ids {
    /// The key of the entry read with `id`, if there was one.
    fn owner(&mut self, id: &str) -> Option<String> {
        match self {
            Ids::Text(map) => map.get(id).map(|(_, k)| k.clone()),
            Ids::Hashed { seen, file } => {
                use std::hash::{Hash as _, Hasher as _};
                let mut h = std::hash::DefaultHasher::new();
                id.hash(&mut h);
                seen.get(&h.finish())?.iter().find_map(|&(_, start)| {
                    let e = file.as_mut().and_then(|f| entry_at(f, start, ""))?;
                    (e.id == id).then_some(e.key)
                })
            }
        }
    }

    /// The line and key of the entry read before with `id`, if there was one; else notes
    /// `id` for the entry of `key` whose `key` line is `line` and starts at byte `at`.
    fn first(&mut self, id: &str, key: &str, line: usize, at: u64) -> Option<(usize, String)> {
        match self {
            Ids::Text(map) => match map.get(id) {
                Some(first) => Some(first.clone()),
                None => {
                    map.insert(id.to_string(), (line, key.to_string()));
                    None
                }
            },
            Ids::Hashed { seen, file } => {
                use std::hash::{Hash as _, Hasher as _};
                let mut h = std::hash::DefaultHasher::new();
                id.hash(&mut h);
                let earlier = seen.entry(h.finish()).or_default();
                let found = earlier.iter().find_map(|&(first, start)| {
                    let e = file.as_mut().and_then(|f| entry_at(f, start, ""))?;
                    (e.id == id).then_some((first, e.key))
                });
                if found.is_none() {
                    earlier.push((line, at));
                }
                found
            }
        }
    }
}

/// The whole entry whose `key` line starts at byte `at` of `file`, in `document`'s section.
fn entry_at(file: &mut std::fs::File, at: u64, document: &str) -> Option<Entry> {
    use std::io::{BufRead as _, Seek as _};
    file.seek(std::io::SeekFrom::Start(at)).ok()?;
    let mut reader = Reader {
        header: true,
        document: Some(document.to_string()),
        ..Reader::default()
    };
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.ok()?;
        if let (Some(entry), _) = reader.line(n + 1, &line).ok()? {
            return Some(entry);
        }
    }
    reader.end().ok()?.0
}

/// The key of the `key` line that starts at byte `at` of `file`.
fn key_at(file: &mut std::fs::File, at: u64) -> Option<String> {
    use std::io::{BufRead as _, Seek as _};
    file.seek(std::io::SeekFrom::Start(at)).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(file).read_line(&mut line).ok()?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    line.strip_prefix("key ").map(unescape)
}

impl Reader {
    /// Reads line `n` (without its line end). Returns the entry this line completed, if
    /// any, and whether the line opened a `[document]` section.
    fn line(&mut self, n: usize, raw: &str) -> Result<(Option<Entry>, bool), ParseError> {
        let err = |message: String| ParseError { line: n, message };
        if raw.len() > MAX_LINE {
            return Err(err(too_long()));
        }
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        // A byte order mark, which some Windows editors put at the start of a file they
        // save, is not part of the first line.
        let line = match n {
            1 => line.strip_prefix('\u{feff}').unwrap_or(line),
            _ => line,
        };
        if ["<<<<<<<", "|||||||", "=======", ">>>>>>>"]
            .iter()
            .any(|m| line.starts_with(m))
        {
            return Err(err(
                "merge conflict marker: keep the entries of both sides (without the \
                 markers), then run `checkdown build` to settle the ids"
                    .to_string(),
            ));
        }
        if !raw.trim().is_empty() {
            self.content = true;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            return Ok((None, false));
        }
        if !self.header {
            if line.trim_end() != HEADER {
                return Err(err(format!(
                    "expected `{HEADER}` as the first line that is not a comment (not a \
                     checkdown lock, or a newer one)"
                )));
            }
            self.header = true;
            return Ok((None, false));
        }
        if let Some(doc) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let done = self.finish()?;
            self.document = Some(unescape(doc));
            return Ok((done, true));
        }
        let (field, raw_value) = line.split_once(' ').unwrap_or((line, ""));
        let Some(field) = FIELDS.into_iter().find(|f| *f == field) else {
            return Err(err(NOT_A_LOCK_LINE.to_string()));
        };
        if self.light && matches!(field, "title" | "heading" | "body") {
            if self.current.is_none() {
                return Err(err(format!("`{field}` before any `key` line")));
            }
            return Ok((None, false));
        }
        let value = unescape(raw_value);
        if field == "key" {
            let done = self.finish()?;
            let Some(doc) = &self.document else {
                return Err(err("`key` before any `[document]` line".to_string()));
            };
            if value.is_empty() {
                return Err(err("empty key".to_string()));
            }
            self.current = Some((
                Entry {
                    document: doc.clone(),
                    key: value,
                    id: String::new(),
                    title: String::new(),
                    heading: None,
                    body: String::new(),
                },
                n,
                self.at,
            ));
            return Ok((done, false));
        }
        let Some((entry, _, _)) = self.current.as_mut() else {
            return Err(err(format!("`{field}` before any `key` line")));
        };
        match field {
            "id" => {
                if value.is_empty() || value.contains(char::is_whitespace) {
                    return Err(err("the id is empty or holds a space".to_string()));
                }
                entry.id = value;
            }
            "title" => entry.title = value,
            "heading" => entry.heading = Some(value),
            _ => entry.body = value,
        }
        Ok((None, false))
    }

    /// Completes the entry being read.
    fn finish(&mut self) -> Result<Option<Entry>, ParseError> {
        let Some((entry, line, at)) = self.current.take() else {
            return Ok(None);
        };
        self.last_at = at;
        if entry.id.is_empty() {
            return Err(ParseError {
                line,
                message: "this entry (its `key` line) has no `id` line".to_string(),
            });
        }
        if let Some(first) = self.keys.first(&entry.key, line, at) {
            return Err(ParseError {
                line,
                message: format!("this key is listed twice (also on line {first})"),
            });
        }
        if let Some((kept_line, kept)) = self.ids.first(&entry.id, &entry.key, line, at) {
            self.duplicates.push(Duplicate {
                id: entry.id,
                kept,
                kept_line,
                dropped: entry.key,
                line,
            });
            return Ok(None);
        }
        Ok(Some(entry))
    }

    /// At the end of the text: the last entry, and the entries left out as they repeat an
    /// earlier entry's id.
    fn end(&mut self) -> Result<(Option<Entry>, Vec<Duplicate>), ParseError> {
        let done = self.finish()?;
        if !self.header && self.content {
            return Err(ParseError {
                line: 1,
                message: format!("expected `{HEADER}`"),
            });
        }
        Ok((done, std::mem::take(&mut self.duplicates)))
    }
}

/// The message for a line over [`MAX_LINE`].
fn too_long() -> String {
    format!(
        "the line is longer than {} MiB: not a lock checkdown wrote",
        MAX_LINE >> 20
    )
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
    let mut out = String::with_capacity(s.len() + 8);
    // Runs without a byte to escape are copied whole.
    let mut from = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let with = match b {
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(with);
        from = i + 1;
    }
    out.push_str(&s[from..]);
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        let mut after = rest[i + 1..].chars();
        match after.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
        rest = after.as_str();
    }
    out.push_str(rest);
    out
}

fn one_line(s: &str) -> String {
    crate::render::markdown::collapse_whitespace(s)
}

/// The start of a Markdown body as plain text: markup removed, whitespace collapsed, at
/// most [`EXCERPT_CHARS`] characters, cut after a whole word when there is one.
pub fn excerpt(markdown: &str) -> String {
    excerpt_of_plain(&crate::render::markdown::to_plain(markdown))
}

/// [`excerpt`] of a body's plain text ([`crate::render::markdown::to_plain`]), or of a
/// start of it longer than an excerpt.
pub fn excerpt_of_plain(plain: &str) -> String {
    if plain.chars().count() <= EXCERPT_CHARS {
        return plain.to_string();
    }
    let cut: String = plain.chars().take(EXCERPT_CHARS + 1).collect();
    match cut.rfind(' ') {
        Some(space) if space > 0 => cut[..space].to_string(),
        _ => cut.chars().take(EXCERPT_CHARS).collect(),
    }
}

/// How many characters of a title, heading or body [`similarity`] compares: the start of
/// each. A body is an excerpt of at most [`EXCERPT_CHARS`] already (unless the lock was
/// edited by hand); the longest title in the sample has 205 characters. Two fields of any
/// length are compared in at most `COMPARED_CHARS`² steps.
pub const COMPARED_CHARS: usize = 2 * EXCERPT_CHARS;

/// How many vanished entries a new item is compared with at most (see [`pair_up`]).
const CANDIDATES: usize = 32;

/// How many postings of the word index (see [`pair_up`]) one new item may look through to
/// find its candidates.
const POSTINGS_BUDGET: usize = 2048;

/// The weights of title, heading and body in [`similarity`].
const WEIGHTS: [f64; 3] = [1.0, 1.0, 3.0];

/// What [`similarity`] compares of an entry: the start of its title, heading and body
/// ([`COMPARED_CHARS`]), lowercased, each with its length in characters.
struct Fields {
    parts: [(String, usize); 3],
}

impl Fields {
    fn of(e: &Entry) -> Fields {
        let part = |s: &str| {
            // A string of at most COMPARED_CHARS bytes has no more characters.
            let end = if s.len() <= COMPARED_CHARS {
                s.len()
            } else {
                s.char_indices()
                    .nth(COMPARED_CHARS)
                    .map_or(s.len(), |(i, _)| i)
            };
            let lower = s[..end].to_lowercase();
            let chars = lower.chars().count();
            (lower, chars)
        };
        Fields {
            parts: [
                part(&e.title),
                part(e.heading.as_deref().unwrap_or("")),
                part(&e.body),
            ],
        }
    }

    /// Is any field non-empty? (Two entries with every field empty score 0.)
    fn any(&self) -> bool {
        self.parts.iter().any(|(s, _)| !s.is_empty())
    }

    /// The fields, for finding entries that are the same in every compared character.
    fn exact(&self) -> [&str; 3] {
        [
            self.parts[0].0.as_str(),
            self.parts[1].0.as_str(),
            self.parts[2].0.as_str(),
        ]
    }

    /// [`similarity`] of the entries these fields are of.
    fn similarity(&self, other: &Fields) -> f64 {
        let mut sum = 0.0;
        let mut weight = 0.0;
        for (w, (a, b)) in WEIGHTS.iter().zip(self.parts.iter().zip(&other.parts)) {
            if a.0.is_empty() && b.0.is_empty() {
                continue;
            }
            sum += w * strsim::normalized_levenshtein(&a.0, &b.0);
            weight += w;
        }
        if weight == 0.0 {
            0.0
        } else {
            sum / weight
        }
    }

    /// A bound [`similarity`] never exceeds, from the lengths alone: two strings of m and
    /// n characters (m <= n) are at least n - m edits apart, so their normalized
    /// similarity is at most m / n.
    fn bound(&self, other: &Fields) -> f64 {
        let mut sum = 0.0;
        let mut weight = 0.0;
        for (w, (a, b)) in WEIGHTS.iter().zip(self.parts.iter().zip(&other.parts)) {
            let (m, n) = (a.1.min(b.1), a.1.max(b.1));
            if n == 0 {
                continue;
            }
            sum += w * m as f64 / n as f64;
            weight += w;
        }
        if weight == 0.0 {
            0.0
        } else {
            sum / weight
        }
    }
}

/// How much a new item resembles a vanished one, from 0 to 1: the normalized Levenshtein
/// similarity (case ignored) of title, heading and body excerpt, weighted 1, 1 and 3 (the
/// body says most about what an item is; titles of neighbours are often alike, and a
/// rewording changes the heading by definition). A field empty on both sides is left out
/// of the mean. Each field is compared by its first [`COMPARED_CHARS`] characters.
pub fn similarity(old: &Entry, new: &Entry) -> f64 {
    Fields::of(old).similarity(&Fields::of(new))
}

/// Pairs new items with vanished entries (each given with its key): the pairs that score
/// at least [`THRESHOLD`], best first, each item and entry in one pair at most; ties are
/// broken by the new key, then the old one, so that the outcome never depends on the order
/// of items or of the lock. Returns (new, old, score) by index.
///
/// Scoring every pair would cost the product of the two counts, and a renamed tab or
/// section renames all of its items at once. So:
///
/// 1. Entries the same in every compared character (score 1, the best there is) are paired
///    first, through a hash of their fields: a renamed tab costs no comparison at all.
/// 2. Each remaining new item is then compared with at most [`CANDIDATES`] remaining
///    entries: all of them when there are no more, else those that share the most of its
///    rarest words, its title, its heading or the start of its body, found through an
///    index of the entries' words (looking through at most [`POSTINGS_BUDGET`] postings).
///    A candidate whose lengths alone keep it under the threshold is not compared.
///
/// Matching thus costs a bounded amount per item. With at most [`CANDIDATES`] vanished
/// entries left after step 1 (any ordinary edit), every pair is scored, as before; beyond
/// that, a pair that shares none of the rarer words could be missed.
fn pair_up(fresh: &[(&str, Fields)], old: &[(&str, Fields)]) -> Vec<(usize, usize, f64)> {
    let mut new_taken = vec![false; fresh.len()];
    let mut old_taken = vec![false; old.len()];
    let mut out = Vec::new();

    // 1. The same fields: in each group, new items by key take entries by key, as the
    // pairs of score 1 come first, in that order.
    let mut same: HashMap<[&str; 3], (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (o, (_, f)) in old.iter().enumerate() {
        if f.any() {
            same.entry(f.exact()).or_default().1.push(o);
        }
    }
    for (n, (_, f)) in fresh.iter().enumerate() {
        if let Some(group) = same.get_mut(&f.exact()) {
            group.0.push(n);
        }
    }
    for (mut news, mut olds) in same.into_values() {
        news.sort_by(|a, b| fresh[*a].0.cmp(fresh[*b].0));
        olds.sort_by(|a, b| old[*a].0.cmp(old[*b].0));
        for (n, o) in news.into_iter().zip(olds) {
            new_taken[n] = true;
            old_taken[o] = true;
            out.push((n, o, 1.0));
        }
    }

    // 2. The others, each against its candidates.
    let mut rest: Vec<usize> = (0..old.len()).filter(|&o| !old_taken[o]).collect();
    rest.sort_by(|a, b| old[*a].0.cmp(old[*b].0));
    let index = (rest.len() > CANDIDATES).then(|| WordIndex::new(old, &rest));
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    let mut counts = vec![0u32; rest.len()];
    for (n, (_, new)) in fresh.iter().enumerate() {
        if new_taken[n] {
            continue;
        }
        let candidates = match &index {
            None => rest.clone(),
            Some(index) => index
                .candidates(new, &mut counts)
                .into_iter()
                .map(|r| rest[r])
                .collect(),
        };
        for o in candidates {
            let f = &old[o].1;
            // The bound is exact arithmetic on lengths; the margin keeps rounding from
            // dropping a pair that scores the threshold exactly.
            if new.bound(f) + 1e-9 < THRESHOLD {
                continue;
            }
            let score = f.similarity(new);
            if score >= THRESHOLD {
                pairs.push((score, n, o));
            }
        }
    }
    pairs.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| fresh[a.1].0.cmp(fresh[b.1].0))
            .then_with(|| old[a.2].0.cmp(old[b.2].0))
    });
    for (score, n, o) in pairs {
        if new_taken[n] || old_taken[o] {
            continue;
        }
        new_taken[n] = true;
        old_taken[o] = true;
        out.push((n, o, score));
    }
    out
}

/// How many characters of a body start stand for it in the [`WordIndex`].
const BODY_START_CHARS: usize = 24;

/// What an entry is found by in a [`WordIndex`]: a word of any of its fields (0), its whole
/// title (1), heading (2), or the start of its body (3).
type Token<'a> = (u8, &'a str);

fn tokens(f: &Fields) -> Vec<Token<'_>> {
    let mut out: Vec<Token<'_>> = Vec::new();
    for (s, _) in &f.parts {
        out.extend(
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| (0, w)),
        );
    }
    for (kind, (s, _)) in [(1u8, &f.parts[0]), (2, &f.parts[1])] {
        if !s.is_empty() {
            out.push((kind, s.as_str()));
        }
    }
    let body = &f.parts[2].0;
    if !body.is_empty() {
        let end = body
            .char_indices()
            .nth(BODY_START_CHARS)
            .map_or(body.len(), |(i, _)| i);
        out.push((3, &body[..end]));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The remaining vanished entries by token: `rest[r]` is listed under each of its tokens.
struct WordIndex<'a> {
    postings: HashMap<Token<'a>, Vec<usize>>,
}

impl<'a> WordIndex<'a> {
    fn new(old: &'a [(&str, Fields)], rest: &[usize]) -> WordIndex<'a> {
        let mut postings: HashMap<Token<'a>, Vec<usize>> = HashMap::new();
        for (r, &o) in rest.iter().enumerate() {
            for t in tokens(&old[o].1) {
                postings.entry(t).or_default().push(r);
            }
        }
        WordIndex { postings }
    }

    /// The positions in `rest` of at most [`CANDIDATES`] entries that share the most of
    /// `new`'s rarest tokens, ties by position (the order of keys). `counts` is scratch
    /// space, one per entry, all 0 before and after.
    fn candidates(&self, new: &Fields, counts: &mut [u32]) -> Vec<usize> {
        let mut found: Vec<(usize, &Vec<usize>)> = tokens(new)
            .into_iter()
            .filter_map(|t| self.postings.get(&t).map(|p| (p.len(), p)))
            .collect();
        // Rarest first; equal counts in token order, which `tokens` sorted.
        found.sort_by_key(|(len, _)| *len);
        let mut touched: Vec<usize> = Vec::new();
        let mut seen = 0;
        for (len, list) in found {
            seen += len;
            if seen > POSTINGS_BUDGET {
                break;
            }
            for &r in list {
                if counts[r] == 0 {
                    touched.push(r);
                }
                counts[r] += 1;
            }
        }
        touched.sort_by(|a, b| counts[*b].cmp(&counts[*a]).then(a.cmp(b)));
        for &r in &touched {
            counts[r] = 0;
        }
        touched.truncate(CANDIDATES);
        touched
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
    /// Warnings about items that shared an id with an earlier item and got another.
    pub duplicates: Vec<Diagnostic>,
}

impl Applied {
    /// Notes for the run's diagnostics: one per rename and one per removed item.
    pub fn notes(&self) -> Vec<Diagnostic> {
        notes(&self.renamed, &self.removed, &self.kept)
    }
}

/// The notes about renamed, removed and kept items, in that order.
fn notes(renamed: &[Rename], removed: &[Entry], kept: &[Entry]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for r in renamed {
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
    for e in removed {
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
    for e in kept {
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

/// What applying the lock to one document did ([`apply_document`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocApplied {
    pub renamed: Vec<Rename>,
    /// The document's vanished entries that matched nothing: reported, then dropped.
    pub removed: Vec<Entry>,
    /// The same, in a document that had errors: kept.
    pub kept: Vec<Entry>,
    /// Keys the lock did not know and that matched nothing.
    pub added: Vec<String>,
    /// Those of `added` left out of the lock, as the document had errors.
    pub provisional: Vec<String>,
    /// The document's entries in the new lock, by key.
    pub entries: BTreeMap<String, Entry>,
    /// Keys of misfiled entries (see [`OldLock::misfiled`]) that items of this document
    /// took their ids from.
    pub used: Vec<String>,
}

impl DocApplied {
    /// Notes for the run's diagnostics, as [`Applied::notes`] gives them for this document.
    pub fn notes(&self) -> Vec<Diagnostic> {
        notes(&self.renamed, &self.removed, &self.kept)
    }
}

/// Gives every item of one document its id (see the module's comment). `filed` holds the
/// old lock's entries of this document (`[path]` section, keys `path#...`), `misfiled`
/// the entries filed under a document their key does not name, which are found by key
/// only. With `keep` (the document had errors) the lock forgets nothing and learns only
/// renames: unmatched vanished entries stay, unmatched new items are left out of it.
///
/// Rename matching never looks past the document, so a build can apply the lock a
/// document at a time; [`apply`] is this step over every document, then [`settle`].
pub fn apply_document(
    doc: &mut Document,
    filed: &BTreeMap<String, Entry>,
    misfiled: &BTreeMap<String, Entry>,
    keep: bool,
) -> DocApplied {
    let plain: Vec<String> = doc
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| crate::render::markdown::to_plain(&i.body))
        .collect();
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    apply_document_with(doc, filed, misfiled, keep, &plain)
}

/// [`apply_document`], given the plain text of each item's body (or a start of it longer
/// than an excerpt) in document order.
pub fn apply_document_with(
    doc: &mut Document,
    filed: &BTreeMap<String, Entry>,
    misfiled: &BTreeMap<String, Entry>,
    keep: bool,
    plain: &[&str],
) -> DocApplied {
    let plain_of = |n: usize| plain.get(n).copied().unwrap_or("");
    let known = |key: &str| filed.get(key).or_else(|| misfiled.get(key));
    let mut present: BTreeSet<&str> = BTreeSet::new();
    for item in doc.sections.iter().flat_map(|s| &s.items) {
        present.insert(&item.key);
    }
    let vanished: Vec<&Entry> = filed
        .values()
        .filter(|e| !present.contains(e.key.as_str()))
        .collect();
    // New items (first of each key), with their place.
    let mut fresh: Vec<(Entry, Source)> = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for (n, item) in doc.sections.iter().flat_map(|s| &s.items).enumerate() {
        if known(&item.key).is_none() && seen.insert(&item.key) {
            fresh.push((Entry::with_plain(&doc.path, item, plain_of(n)), item.source));
        }
    }
    // Renames: see `pair_up`.
    let pairs = {
        let news: Vec<(&str, Fields)> = fresh
            .iter()
            .map(|(e, _)| (e.key.as_str(), Fields::of(e)))
            .collect();
        let olds: Vec<(&str, Fields)> = vanished
            .iter()
            .map(|e| (e.key.as_str(), Fields::of(e)))
            .collect();
        pair_up(&news, &olds)
    };
    let mut inherited: BTreeMap<String, (String, f64, &Entry)> = BTreeMap::new();
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    for (n, o, score) in pairs {
        let old = vanished[o];
        taken.insert(&old.key);
        inherited.insert(fresh[n].0.key.clone(), (old.id.clone(), score, old));
    }

    let mut applied = DocApplied::default();
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
                if keep {
                    applied.provisional.push(new.key.clone());
                }
            }
        }
    }
    for e in vanished {
        if taken.contains(e.key.as_str()) {
            continue;
        }
        if keep {
            applied.kept.push(e.clone());
        } else {
            applied.removed.push(e.clone());
        }
    }
    let path = doc.path.clone();
    for (n, item) in doc
        .sections
        .iter_mut()
        .flat_map(|s| &mut s.items)
        .enumerate()
    {
        item.id = match (filed.get(&item.key), misfiled.get(&item.key)) {
            (Some(e), _) => e.id.clone(),
            (None, Some(e)) => {
                applied.used.push(e.key.clone());
                e.id.clone()
            }
            (None, None) => match inherited.get(&item.key) {
                Some((id, _, _)) => id.clone(),
                None => item_id(&item.key),
            },
        };
        // The first item of a key wins, as items of one key share its id.
        if !applied.entries.contains_key(&item.key) {
            applied.entries.insert(
                item.key.clone(),
                Entry::with_plain(&path, item, plain_of(n)),
            );
        }
    }
    for key in &applied.provisional {
        applied.entries.remove(key);
    }
    for e in &applied.kept {
        applied
            .entries
            .entry(e.key.clone())
            .or_insert_with(|| e.clone());
    }
    applied
}

/// The old lock's entries of documents that did not come up in a build, settled at its
/// end ([`settle`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settled {
    /// Reported and dropped, by document and key.
    pub removed: Vec<Entry>,
    /// Of documents with errors: kept in the lock, by document and key.
    pub kept: Vec<Entry>,
}

impl Settled {
    pub fn notes(&self) -> Vec<Diagnostic> {
        notes(&[], &self.removed, &self.kept)
    }
}

/// Settles what no document's step did: the entries of every document of `old` not in
/// `seen` (the documents that were compiled), and the misfiled entries no item took
/// (`used`). Those of the documents in `keep` (files with errors) stay in the lock; the
/// others are reported removed.
pub fn settle(
    old: &OldLock,
    seen: &BTreeSet<String>,
    used: &BTreeSet<String>,
    keep: &BTreeSet<String>,
) -> Result<Settled, Error> {
    let mut settled = Settled::default();
    let mut sort = |e: &Entry| {
        if keep.contains(&e.document) {
            settled.kept.push(e.clone());
        } else {
            settled.removed.push(e.clone());
        }
    };
    for doc in old.documents() {
        if seen.contains(doc) {
            continue;
        }
        for e in old.document(doc)?.values() {
            sort(e);
        }
    }
    for e in old.misfiled().values() {
        if !used.contains(&e.key) {
            sort(e);
        }
    }
    let order = |a: &Entry, b: &Entry| (&a.document, &a.key).cmp(&(&b.document, &b.key));
    settled.removed.sort_by(order);
    settled.kept.sort_by(order);
    Ok(settled)
}

/// Gives every item of `catalog` its id from `lock` (see the module's comment): the
/// per-document step ([`apply_document`]) over every document, then [`settle`]. In the
/// documents of `keep` (those that had errors) the lock forgets nothing and learns only
/// renames: unmatched vanished entries stay, unmatched new items are left out of it.
pub fn apply(catalog: &mut Catalog, lock: &Lock, keep: &BTreeSet<String>) -> Applied {
    let old = OldLock::from_lock(lock);
    let mut applied = Applied::default();
    let mut seen = BTreeSet::new();
    let mut used = BTreeSet::new();
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    for doc in &mut catalog.documents {
        let filed = old.document(&doc.path).unwrap_or_default();
        let mut d = apply_document(doc, &filed, old.misfiled(), keep.contains(&doc.path));
        applied
            .duplicates
            .extend(crate::ids::unique(doc, &mut d.entries, &d.added, &|id| {
                old.owner(id)
            }));
        seen.insert(doc.path.clone());
        used.extend(d.used);
        applied.renamed.extend(d.renamed);
        applied.added.extend(d.added);
        applied.provisional.extend(d.provisional);
        removed.extend(d.removed);
        kept.extend(d.kept);
        for e in d.entries.into_values() {
            applied.lock.insert(e);
        }
    }
    // The in-memory lock reads without failing.
    let settled = settle(&old, &seen, &used, keep).unwrap_or_default();
    removed.extend(settled.removed);
    kept.extend(settled.kept);
    let order = |a: &Entry, b: &Entry| (&a.document, &a.key).cmp(&(&b.document, &b.key));
    removed.sort_by(order);
    kept.sort_by(order);
    for e in &kept {
        applied.lock.insert(e.clone());
    }
    applied.removed = removed;
    applied.kept = kept;
    applied
}

/// The lock a build starts from, read a document at a time: in memory ([`OldLock::from_lock`])
/// or from its file ([`OldLock::open`]), where only an index of each document's lines is
/// kept, so that a build holds one document's entries at a time, never the whole lock.
#[derive(Debug, Default)]
pub struct OldLock {
    source: OldSource,
    /// Entries filed under a document that their key does not name (`key b.md#x` in the
    /// `[a.md]` section, as a hand edit can leave them): found by key from any document,
    /// never matched as renames; settled at the end when no item took them.
    misfiled: BTreeMap<String, Entry>,
    /// Entries left out as they repeat an earlier entry's id, and their keys.
    duplicates: Vec<Duplicate>,
    dropped: BTreeSet<String>,
    /// The key of each id (by [`OldLock::owner`]).
    ids: std::sync::Mutex<Ids>,
}

#[derive(Debug, Default)]
enum OldSource {
    #[default]
    Empty,
    Memory(BTreeMap<String, BTreeMap<String, Entry>>),
    File {
        path: std::path::PathBuf,
        file: std::sync::Mutex<std::fs::File>,
        /// Byte ranges of each document's sections.
        sections: BTreeMap<String, Vec<(u64, usize)>>,
    },
}

/// Is `e` filed under the document its key names?
fn filed_right(e: &Entry) -> bool {
    e.key
        .strip_prefix(e.document.as_str())
        .is_some_and(|rest| rest.starts_with('#'))
}

impl OldLock {
    /// A lock held in memory, grouped by document.
    pub fn from_lock(lock: &Lock) -> OldLock {
        let mut by_doc: BTreeMap<String, BTreeMap<String, Entry>> = BTreeMap::new();
        let mut misfiled = BTreeMap::new();
        let ids: HashMap<String, (usize, String)> = lock
            .entries()
            .map(|e| (e.id.clone(), (0, e.key.clone())))
            .collect();
        for e in lock.entries() {
            if filed_right(e) {
                by_doc
                    .entry(e.document.clone())
                    .or_default()
                    .insert(e.key.clone(), e.clone());
            } else {
                misfiled.insert(e.key.clone(), e.clone());
            }
        }
        OldLock {
            source: OldSource::Memory(by_doc),
            misfiled,
            duplicates: lock.duplicates.clone(),
            dropped: BTreeSet::new(),
            ids: std::sync::Mutex::new(Ids::Text(ids)),
        }
    }

    /// Reads the lock file at `path` once through, refusing what [`Lock::parse`] refuses
    /// (with the same messages), and keeps where each document's entries stand. `None`
    /// when there is no such file.
    pub fn open(path: &Path) -> Result<Option<OldLock>, Error> {
        use std::io::{BufRead as _, Read as _};
        let Some(file) = open_lock(path)? else {
            return Ok(None);
        };
        let parse_err = |e: ParseError| Error::Io {
            path: format!("{}:{}", path.display(), e.line),
            message: e.message,
        };
        // What fails to read is named by its line, never shown.
        let read_err = |n: usize, e: std::io::Error| Error::Io {
            path: format!("{}:{n}", path.display()),
            message: match e.kind() {
                std::io::ErrorKind::InvalidData => "the line is not valid UTF-8".to_string(),
                _ => e.to_string(),
            },
        };
        let mut reader = std::io::BufReader::with_capacity(64 * 1024, &file);
        let mut parser = Reader {
            keys: Keys::Hashed {
                seen: HashMap::new(),
                file: open_lock(path).ok().flatten(),
            },
            ids: Ids::Hashed {
                seen: HashMap::new(),
                file: open_lock(path).ok().flatten(),
            },
            light: true,
            ..Reader::default()
        };
        let mut sections: BTreeMap<String, Vec<(u64, usize)>> = BTreeMap::new();
        let mut misfiled = BTreeMap::new();
        // The section being read: its document and where it starts.
        let mut open: Option<(String, u64)> = None;
        let mut at: u64 = 0;
        let mut buf = String::new();
        let mut n = 0;
        let mut close = |open: &mut Option<(String, u64)>, end: u64| {
            if let Some((doc, start)) = open.take() {
                let len = usize::try_from(end - start).unwrap_or(usize::MAX);
                sections.entry(doc).or_default().push((start, len));
            }
        };
        // Misfiled entries, read in full once the pass is over: where their `key` line
        // starts, and their document.
        let mut misfiled_at: Vec<(u64, String)> = Vec::new();
        let mut keep = |entry: Entry, at: u64| {
            if !filed_right(&entry) {
                misfiled_at.push((at, entry.document));
            }
        };
        loop {
            buf.clear();
            // A line is read up to just past the longest the parser takes, never further.
            let read = (&mut reader)
                .take(MAX_LINE as u64 + 3)
                .read_line(&mut buf)
                .map_err(|e| read_err(n + 1, e))?;
            if read == 0 {
                break;
            }
            n += 1;
            if read > MAX_LINE + 2 {
                return Err(parse_err(ParseError {
                    line: n,
                    message: too_long(),
                }));
            }
            let line = match buf.strip_suffix('\n') {
                Some(l) => l.strip_suffix('\r').unwrap_or(l),
                None => buf.as_str(),
            };
            parser.at = at;
            let (done, section) = parser.line(n, line).map_err(parse_err)?;
            if let Some(entry) = done {
                keep(entry, parser.last_at);
            }
            if section {
                close(&mut open, at);
                open = parser.document.clone().map(|d| (d, at));
            }
            at += read as u64;
        }
        let last_at = parser.current.as_ref().map_or(0, |c| c.2);
        let (last, duplicates) = parser.end().map_err(parse_err)?;
        if let Some(entry) = last {
            keep(entry, last_at);
        }
        close(&mut open, at);
        drop(reader);
        let mut again = open_lock(path)?.ok_or_else(|| Error::Io {
            path: path.display().to_string(),
            message: "removed while checkdown read it".to_string(),
        })?;
        for (start, document) in misfiled_at {
            if let Some(entry) = entry_at(&mut again, start, &document) {
                misfiled.insert(entry.key.clone(), entry);
            }
        }
        Ok(Some(OldLock {
            source: OldSource::File {
                path: path.to_path_buf(),
                file: std::sync::Mutex::new(file),
                sections,
            },
            misfiled,
            dropped: duplicates.iter().map(|d| d.dropped.clone()).collect(),
            duplicates,
            ids: std::sync::Mutex::new(std::mem::take(&mut parser.ids)),
        }))
    }

    /// The key the lock gives `id` to, if any.
    pub fn owner(&self, id: &str) -> Option<String> {
        self.ids.lock().unwrap_or_else(|p| p.into_inner()).owner(id)
    }

    /// Entries left out as they repeat an earlier entry's id.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// The documents the lock has a section for.
    pub fn documents(&self) -> Vec<&str> {
        match &self.source {
            OldSource::Empty => Vec::new(),
            OldSource::Memory(m) => m.keys().map(String::as_str).collect(),
            OldSource::File { sections, .. } => sections.keys().map(String::as_str).collect(),
        }
    }

    /// The entries filed under `document` (those whose key names it), by key.
    pub fn document(&self, document: &str) -> Result<BTreeMap<String, Entry>, Error> {
        let (path, file, ranges) = match &self.source {
            OldSource::Empty => return Ok(BTreeMap::new()),
            OldSource::Memory(m) => return Ok(m.get(document).cloned().unwrap_or_default()),
            OldSource::File {
                path,
                file,
                sections,
            } => match sections.get(document) {
                Some(r) => (path, file, r),
                None => return Ok(BTreeMap::new()),
            },
        };
        use std::io::{Read as _, Seek as _};
        let io = |message: String| Error::Io {
            path: path.display().to_string(),
            message,
        };
        let mut out = BTreeMap::new();
        for &(start, len) in ranges {
            let mut bytes = vec![0u8; len];
            {
                let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
                f.seek(std::io::SeekFrom::Start(start))
                    .and_then(|_| f.read_exact(&mut bytes))
                    .map_err(|e| io(e.to_string()))?;
            }
            let text = String::from_utf8(bytes).map_err(|e| io(e.to_string()))?;
            let mut parser = Reader {
                header: true,
                ..Reader::default()
            };
            let mut take = |e: Entry| {
                if filed_right(&e) && !self.dropped.contains(&e.key) {
                    out.insert(e.key.clone(), e);
                }
            };
            for (n, line) in text.lines().enumerate() {
                let (done, _) = parser
                    .line(n + 1, line)
                    .map_err(|e| io(format!("changed while checkdown read it ({})", e.message)))?;
                done.into_iter().for_each(&mut take);
            }
            let last = parser
                .end()
                .map_err(|e| io(format!("changed while checkdown read it ({})", e.message)))?;
            last.0.into_iter().for_each(&mut take);
        }
        Ok(out)
    }

    /// Entries filed under a document their key does not name, by key.
    pub fn misfiled(&self) -> &BTreeMap<String, Entry> {
        &self.misfiled
    }
}

/// Opens the lock file at `path` for reading, when it is a regular file of at most
/// [`MAX_SIZE`] bytes: a symbolic link is refused, never followed, and so is a FIFO, a
/// device or a folder (see [`crate::open`]). `None` when there is no such file.
pub fn open_lock(path: &Path) -> Result<Option<std::fs::File>, Error> {
    match crate::open::regular(path) {
        Ok((_, size)) if size > MAX_SIZE => Err(too_large(path, size)),
        Ok((file, _)) => Ok(Some(file)),
        Err(crate::open::Refused::NotFound) => Ok(None),
        Err(e) => Err(refused(path, e)),
    }
}

/// A lock's bytes as checkdown would write them, whatever line ends an editor or
/// `git config core.autocrlf` gave them: a leading byte order mark is dropped and each
/// CRLF becomes LF (a lone CR stays). `build --check` and a build compare the lock they
/// would write with the file through it, so a lock that differs only so is current.
pub struct LfReader<R> {
    inner: R,
    raw: Box<[u8]>,
    pos: usize,
    len: usize,
    started: bool,
    /// A CR was read and not yet given: it is dropped when an LF follows.
    cr: bool,
}

impl<R: std::io::Read> LfReader<R> {
    pub fn new(inner: R) -> Self {
        LfReader {
            inner,
            raw: vec![0u8; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            started: false,
            cr: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for LfReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n == 0 && !out.is_empty() {
            if self.pos == self.len {
                self.len = self.inner.read(&mut self.raw)?;
                self.pos = 0;
                if !self.started {
                    self.started = true;
                    if self.raw[..self.len].starts_with("\u{feff}".as_bytes()) {
                        self.pos = 3;
                    }
                }
                if self.len == 0 {
                    if std::mem::take(&mut self.cr) {
                        out[0] = b'\r';
                        return Ok(1);
                    }
                    return Ok(0);
                }
            }
            while self.pos < self.len && n < out.len() {
                let b = self.raw[self.pos];
                if std::mem::take(&mut self.cr) && b != b'\n' {
                    out[n] = b'\r';
                    n += 1;
                    continue;
                }
                self.pos += 1;
                if b == b'\r' {
                    self.cr = true;
                } else {
                    out[n] = b;
                    n += 1;
                }
            }
        }
        Ok(n)
    }
}

/// The whole lock file at `path` (as [`open_lock`] opens it).
pub fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    match crate::open::read(path, MAX_SIZE) {
        Ok(crate::open::Read::Bytes(b)) => Ok(Some(b)),
        Ok(crate::open::Read::TooLarge(size)) => Err(too_large(path, size)),
        Err(crate::open::Refused::NotFound) => Ok(None),
        Err(e) => Err(refused(path, e)),
    }
}

fn refused(path: &Path, e: crate::open::Refused) -> Error {
    use crate::open::Refused;
    let what = match e {
        Refused::Io(e) => {
            return Error::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            }
        }
        Refused::Link => {
            "refused: the lock is a symbolic link, which checkdown does not follow; \
             put the lock file itself there, or name it with --lock FILE"
        }
        _ => {
            "refused: the lock is not a regular file (a folder, FIFO, socket or device); \
             remove it, or name another lock with --lock FILE"
        }
    };
    Error::Io {
        path: path.display().to_string(),
        message: what.to_string(),
    }
}

fn too_large(path: &Path, size: u64) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: format!(
            "refused: the lock is {size} bytes, over the limit of {} MiB: not a lock \
             checkdown wrote",
            MAX_SIZE >> 20
        ),
    }
}

/// Reads the lock at `path`: `None` when there is no such file. Refuses what
/// [`open_lock`] refuses.
pub fn read(path: &Path) -> Result<Option<Lock>, Error> {
    let Some(bytes) = read_bytes(path)? else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes).map_err(|e| Error::Io {
        path: format!("{}:{}", path.display(), crate::open::invalid_utf8_line(&e)),
        message: "the line is not valid UTF-8".to_string(),
    })?;
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
        .extend(applied.duplicates.iter().cloned());
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
    fn escapes_round_trip() {
        for s in ["", "plain", "\\", "a\\nb", "\r\n\t\\x", "é\\ü\n✓", "end\\"] {
            let e = escape(s);
            assert!(!e.contains(['\n', '\r', '\t']), "{e:?}");
            assert_eq!(unescape(&e), s, "{e:?}");
        }
        assert_eq!(escape("a\\b\nc\rd\te"), "a\\\\b\\nc\\rd\\te");
        // A lone backslash at the end, or before any other character, stands for itself.
        assert_eq!(unescape("x\\"), "x\\");
        assert_eq!(unescape("\\é\\q"), "éq");
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

    /// A document path that holds line breaks (the walk refuses such pages; this is the
    /// writer's own defence) stays one `[path]` line and one `key` line, and reads back.
    #[test]
    fn a_path_cannot_add_lines_to_the_lock() {
        let doc = "x\n[y.md]\r\nkey y.md#a\nid 1\n.md";
        let mut e = entry(&format!("{doc}#a"), "1", "T", "");
        e.document = doc.to_string();
        let mut lock = Lock::default();
        lock.insert(e);
        let text = lock.to_text();
        assert_eq!(
            text.lines().filter(|l| l.starts_with('[')).count(),
            1,
            "{text}"
        );
        assert_eq!(
            text.lines().filter(|l| l.starts_with("key ")).count(),
            1,
            "{text}"
        );
        assert_eq!(Lock::parse(&text), Ok(lock));
    }

    #[test]
    fn lf_reader_drops_a_byte_order_mark_and_crlf() {
        use std::io::Read as _;
        let read = |bytes: &[u8], chunk: usize| {
            let mut r = LfReader::new(bytes);
            let mut out = Vec::new();
            let mut buf = vec![0u8; chunk];
            loop {
                let n = r.read(&mut buf).expect("read");
                if n == 0 {
                    break out;
                }
                out.extend_from_slice(&buf[..n]);
            }
        };
        for chunk in [1, 2, 7, 4096] {
            assert_eq!(
                read(b"\xEF\xBB\xBFa\r\nb\rc\r\r\n\r", chunk),
                b"a\nb\rc\r\n\r"
            );
            assert_eq!(read(b"x\xEF\xBB\xBF\r\n", chunk), b"x\xEF\xBB\xBF\n");
            assert_eq!(read(b"", chunk), b"");
        }
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
        assert_eq!(e.message, "this entry (its `key` line) has no `id` line");
        let e =
            Lock::parse("checkdown-lock 1\n[a.md]\nkey a#x\nid 1\nkey a#x\nid 2\n").unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (5, "this key is listed twice (also on line 3)")
        );
        // What a line holds is never repeated in a message.
        for text in [
            "password hunter2\n",
            "checkdown-lock 1\nhunter2\n",
            "checkdown-lock 1\n[a.md]\nkey a#x\nid 1\nhunter2 x\n",
            "checkdown-lock 1\n[a.md]\nkey a#x\nid hunter2 x\n",
            "checkdown-lock 1\n[a.md]\nkey hunter2\nid 1\nkey hunter2\nid 2\n",
            "checkdown-lock 1\n[a.md]\nkey hunter2\n",
        ] {
            let e = Lock::parse(text).unwrap_err();
            assert!(!e.message.contains("hunter2"), "{text}: {}", e.message);
        }
        let long = format!("checkdown-lock 1\n{}\n", "x".repeat(MAX_LINE + 1));
        let e = Lock::parse(&long).unwrap_err();
        assert_eq!((e.line, e.message), (2, too_long()));
        assert_eq!(Lock::parse(""), Ok(Lock::default()));
    }

    /// The lock file read a document at a time refuses and keeps what the text parser does.
    #[test]
    fn open_reads_what_parse_reads() {
        let dir = std::env::temp_dir().join(format!("checkdown-lock-open-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("checkdown.lock");
        let good = "# c\ncheckdown-lock 1\r\n\n[a.md]\n\nkey a.md#x\nid 1\ntitle X\nbody b\\nc\n\n\
                    [b.md]\nkey b.md#y\nid 2\nkey a.md#z\nid 3\ntitle Z\nheading H\nbody z\\tz\n\n[a.md]\nkey a.md#w\nid 4\ntitle W\r\n";
        let bad = [
            "checkdown-lock 1\n[a.md]\nkey a.md#x\nid 1\nkey a.md#y\nid 2\nkey a.md#x\nid 3\n",
            "checkdown-lock 1\n[a.md]\nkey a.md#x\nid 1\n[b.md]\nkey a.md#x\nid 2\n",
            "checkdown-lock 1\n[a.md]\nkey a.md#x\ntitle t\n",
            "checkdown-lock 1\n[a.md]\n<<<<<<< HEAD\n",
            "# only a comment\n",
            "checkdown-lock 2\n",
            "checkdown-lock 1\nid 1\n",
            "checkdown-lock 1\n[a.md]\ntitle t\n",
            "checkdown-lock 1\n[a.md]\nkey a.md#x\nid 1\nfoo bar\n",
        ];
        for text in std::iter::once(good).chain(bad) {
            std::fs::write(&path, text).unwrap();
            match (Lock::parse(text), OldLock::open(&path)) {
                (Ok(lock), Ok(Some(old))) => {
                    let mem = OldLock::from_lock(&lock);
                    assert_eq!(old.documents(), mem.documents());
                    for doc in mem.documents() {
                        assert_eq!(old.document(doc).unwrap(), mem.document(doc).unwrap());
                    }
                    assert_eq!(old.misfiled(), mem.misfiled());
                    assert_eq!(old.misfiled().len(), 1, "a.md#z is filed under b.md");
                    assert_eq!(old.misfiled()["a.md#z"].body, "z\tz");
                }
                (Err(e), Err(Error::Io { path: p, message })) => {
                    assert_eq!(message, e.message, "{text}");
                    assert!(p.ends_with(&format!(":{}", e.line)), "{p} {text}");
                }
                (a, b) => panic!("{text}: {a:?} / {b:?}"),
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
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
