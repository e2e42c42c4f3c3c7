//! The progress file (`checkdown.progress.json`): where a team stands on each item, by the
//! item's stable id, committed next to the docs.
//!
//! Version 2 (written and read):
//!
//! ```json
//! {
//!   "format": "checkdown-progress",
//!   "items": {
//!     "<item id>": {
//!       "note": "Markdown, optional",
//!       "status": "open | in-progress | done | not-applicable",
//!       "updated": "RFC 3339 time"
//!     }
//!   },
//!   "version": 2
//! }
//! ```
//!
//! Keys sorted, two spaces a level, a newline at the end: the same progress gives the same
//! bytes ([`Progress::to_json`]). The JSON Schema is `docs/progress.schema.json`
//! ([`schema`]). Version 1, what the HTML checklist's export wrote (`done` and `open`: ids
//! with the time they were ticked or unticked, or lists of ids), is still read: `done` ids
//! become `done`, `open` ids `open`, each `updated` at its time, else at the file's
//! `exported` time, else at the epoch (`1970-01-01T00:00:00Z`: unknown).
//!
//! A file that does not parse, or has an unknown format, version, status or field, a
//! malformed id or time, an id twice, or a note over [`MAX_NOTE`] bytes is refused with
//! one error naming its line and column (`progress-invalid`).
//!
//! Two files are made one by [`merge`] (`checkdown progress merge`); a tracker's export
//! updates one through [`import`] (`checkdown progress import`); [`time`] compares the
//! `updated` times and reads the ones trackers write.

pub mod import;
pub mod merge;
pub mod time;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::model::{Catalog, Document, ItemProgress, Status};
use crate::parse::lines::LineIndex;

/// The file a build reads when INPUT holds one and no `--progress` is given.
pub const FILE_NAME: &str = "checkdown.progress.json";
/// The `format` of every version.
pub const FORMAT: &str = "checkdown-progress";
/// The version written.
pub const VERSION: u32 = 2;
/// The largest progress file read, in bytes.
pub const MAX_SIZE: u64 = 16 * 1024 * 1024;
/// The longest note, in bytes.
pub const MAX_NOTE: usize = 64 * 1024;
/// The longest item id (as the HTML checklist accepts them).
pub const MAX_ID: usize = 128;
/// The `updated` of a version 1 entry that gives no time.
pub const UNKNOWN_TIME: &str = "1970-01-01T00:00:00Z";

/// The code of a progress file refused.
pub const INVALID: &str = "progress-invalid";
/// The code of an entry whose item the docs no longer have.
pub const STALE: &str = "stale-progress";

/// A progress file, read or to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub items: BTreeMap<String, Entry>,
    /// Where each entry starts in the file read, (line, column), for diagnostics.
    positions: BTreeMap<String, (usize, usize)>,
    /// The ids of the version 1 entries that gave no time of their own (their `updated` is
    /// the file's `exported` time, or [`UNKNOWN_TIME`]).
    untimed: BTreeSet<String>,
}

/// One item's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Why, what is left, who to ask: Markdown, at most 65536 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
    pub status: Status,
    /// When the status or note last changed (RFC 3339, such as `2025-03-01T09:30:00Z`).
    pub updated: Time,
}

impl Entry {
    pub fn new(status: Status, note: Option<&str>, updated: &str) -> Entry {
        Entry {
            note: note.map(|n| Note(n.to_string())),
            status,
            updated: Time(updated.to_string()),
        }
    }

    /// The entry as the model carries it.
    pub fn to_model(&self) -> ItemProgress {
        ItemProgress {
            status: self.status,
            note: self.note.as_ref().map(|n| n.0.clone()),
            updated: self.updated.0.clone(),
        }
    }
}

/// How the message of a note over [`MAX_NOTE`] starts: [`Progress::parse`] reports it
/// where the note starts, not where serde_json stopped reading it.
const NOTE_TOO_LONG: &str = "a note of ";

/// Markdown, at most 65536 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Note(#[schemars(length(max = 65536))] pub String);

impl<'de> Deserialize<'de> for Note {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.len() > MAX_NOTE {
            return Err(de::Error::custom(format!(
                "{NOTE_TOO_LONG}{} bytes, over the limit of {MAX_NOTE}",
                s.len()
            )));
        }
        Ok(Note(s))
    }
}

/// An RFC 3339 time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Time(
    #[schemars(
        regex(
            pattern = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
        ),
        extend("format" = "date-time")
    )]
    pub String,
);

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match is_rfc3339(&s) {
            true => Ok(Time(s)),
            false => Err(de::Error::custom(format!(
                "`{}` is not an RFC 3339 time (such as 2025-03-01T09:30:00Z)",
                clip(&s)
            ))),
        }
    }
}

/// Whether `s` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS`, optional fraction, then
/// `Z` or an offset; fields in range (a leap second allowed).
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let at = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    let (Some(year), Some(month), Some(day), Some(hour), Some(min), Some(sec)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || min > 59 || sec > 60 {
        return false;
    }
    let mut i = 19;
    if at(i, b".") {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            i + 6 == b.len()
                && at(i + 3, b":")
                && num(i + 1..i + 3).is_some_and(|h| h <= 23)
                && num(i + 4..i + 6).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// Whether `id` is an item id as the HTML checklist and the progress file take them.
pub fn is_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_ID
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"._:-".contains(c))
}

/// The first 80 characters of `s`, for a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// An item id as a key of the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Id(String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match is_id(&s) {
            true => Ok(Id(s)),
            false => Err(de::Error::custom(format!(
                "`{}` is not an item id (letters, digits, `.`, `_`, `:` and `-`, at most \
                 {MAX_ID}, starting with a letter or digit)",
                clip(&s)
            ))),
        }
    }
}

/// A map of ids that refuses an id twice.
struct Unique<V>(BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Unique<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct UV<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for UV<V> {
            type Value = Unique<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of item ids")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Unique<V>, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(Id(id)) = m.next_key::<Id>()? {
                    if out.contains_key(&id) {
                        return Err(de::Error::custom(format!("item `{id}` is given twice")));
                    }
                    let v = m.next_value::<V>()?;
                    out.insert(id, v);
                }
                Ok(Unique(out))
            }
        }
        d.deserialize_map(UV(std::marker::PhantomData))
    }
}

/// Version 2 as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct V2 {
    #[allow(dead_code)]
    format: String,
    items: Unique<Entry>,
    #[allow(dead_code)]
    version: u32,
}

/// Version 2 as written (and as its schema says).
#[derive(Serialize, JsonSchema)]
#[schemars(
    title = "checkdown-progress",
    description = "A team's progress on a checklist, by item id (checkdown.progress.json)."
)]
struct FileV2<'a> {
    /// Always `checkdown-progress`.
    #[schemars(extend("const" = "checkdown-progress"))]
    format: &'a str,
    /// Each item's progress, by the item's id (`id` in checklist.json).
    #[schemars(
        with = "BTreeMap<String, Entry>",
        extend("propertyNames" = {
            "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
        })
    )]
    items: &'a BTreeMap<String, Entry>,
    /// Always 2.
    #[schemars(extend("const" = 2))]
    version: u32,
}

/// Version 1: `done` and `open`, each `{ id: time }` or `[id, ...]`.
#[derive(Deserialize)]
struct V1 {
    #[serde(default)]
    exported: Option<serde_json::Value>,
    done: Times,
    #[serde(default)]
    open: Option<Times>,
}

/// A version 1 list: ids with the time (or `"1"`, from older pages), or ids alone.
struct Times(BTreeMap<String, Option<String>>);

impl<'de> Deserialize<'de> for Times {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TV;
        impl<'de> Visitor<'de> for TV {
            type Value = Times;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of item ids and times, or a list of item ids")
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Times, A::Error> {
                let Unique(map) = Unique::<serde_json::Value>::deserialize(
                    de::value::MapAccessDeserializer::new(m),
                )?;
                Ok(Times(
                    map.into_iter()
                        .map(|(id, when)| {
                            let when = when.as_str().filter(|w| is_rfc3339(w)).map(str::to_string);
                            (id, when)
                        })
                        .collect(),
                ))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Times, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(Id(id)) = s.next_element::<Id>()? {
                    out.insert(id, None);
                }
                Ok(Times(out))
            }
        }
        d.deserialize_any(TV)
    }
}

/// What every version starts with.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    format: Option<serde_json::Value>,
    #[serde(default)]
    version: Option<serde_json::Value>,
}

impl Progress {
    /// Progress of `items`.
    pub fn new(items: BTreeMap<String, Entry>) -> Progress {
        Progress {
            items,
            positions: BTreeMap::new(),
            untimed: BTreeSet::new(),
        }
    }

    /// Reads a progress file's text. `path` names it in the diagnostic.
    pub fn parse(text: &str, path: &str) -> Result<Progress, Box<Diagnostic>> {
        let lines = LineIndex::new(text);
        let refuse = |offset: usize, message: String, help: String| {
            let offset = offset.min(text.len());
            Box::new(
                Diagnostic::error(INVALID, path, message)
                    .at(text, &lines, offset..offset)
                    .help(help),
            )
        };
        let fail = |offset: usize, message: String| {
            refuse(
                offset,
                message,
                format!(
                    "a progress file is JSON with \"format\": \"{FORMAT}\" and \"version\": 2 \
                     (see docs/progress.schema.json); fix or remove it"
                ),
            )
        };
        let serde_fail = |e: serde_json::Error| {
            let line = e.line().max(1);
            let start = lines.starts().get(line - 1).copied().unwrap_or(text.len());
            let message = e.to_string();
            // serde_json appends " at line L column C": the diagnostic says where.
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            let offset = start + e.column().saturating_sub(1);
            if !message.starts_with(NOTE_TOO_LONG) {
                return fail(offset, message);
            }
            // serde_json stops after the note it read whole: the diagnostic names the item
            // and points where the note starts (a long one ends a long way off).
            let at = string_start(text, offset).unwrap_or(offset);
            let message = match entry_id(text, at) {
                Some(id) => format!("item `{id}`: {message}"),
                None => message,
            };
            refuse(
                at,
                message,
                format!(
                    "a note holds at most {MAX_NOTE} bytes of Markdown: shorten it, and keep \
                     longer text in the docs or a page it links to; the build goes on as without \
                     the progress file"
                ),
            )
        };
        let first = text.len() - text.trim_start().len();
        if !text[first..].starts_with('{') && serde_json::from_str::<de::IgnoredAny>(text).is_ok() {
            return Err(fail(first, "a progress file is a JSON object".to_string()));
        }
        let head: Head = serde_json::from_str(text).map_err(serde_fail)?;
        // Where each key first stands, found in one pass (a file of many entries would cost
        // the square of its size searched once per entry).
        let offsets = key_offsets(text);
        let key = |name: &str| offsets.get(name).copied().unwrap_or(0);
        match &head.format {
            Some(serde_json::Value::String(f)) if f == FORMAT => {}
            Some(other) => {
                return Err(fail(
                    key("format"),
                    format!(
                        "unknown format {}: expected \"{FORMAT}\"",
                        clip(&other.to_string())
                    ),
                ))
            }
            None => return Err(fail(0, format!("no \"format\": expected \"{FORMAT}\""))),
        }
        let mut untimed = BTreeSet::new();
        let items = match head.version.as_ref().and_then(serde_json::Value::as_u64) {
            Some(2) => {
                let v2: V2 = serde_json::from_str(text).map_err(serde_fail)?;
                v2.items.0
            }
            Some(1) => {
                let v1: V1 = serde_json::from_str(text).map_err(serde_fail)?;
                let exported = v1
                    .exported
                    .as_ref()
                    .and_then(serde_json::Value::as_str)
                    .filter(|w| is_rfc3339(w))
                    .unwrap_or(UNKNOWN_TIME)
                    .to_string();
                let mut items = BTreeMap::new();
                let lists = [(Status::Done, Some(v1.done)), (Status::Open, v1.open)];
                for (status, list) in lists {
                    for (id, when) in list.map(|t| t.0).unwrap_or_default() {
                        let timed = when.is_some();
                        let when = when.unwrap_or_else(|| exported.clone());
                        // An id both done and open: the later wins, done when even.
                        let keep = match items.get(&id) {
                            Some(Entry { updated, .. }) => when > updated.0,
                            None => true,
                        };
                        if keep {
                            match timed {
                                true => untimed.remove(&id),
                                false => untimed.insert(id.clone()),
                            };
                            items.insert(id, Entry::new(status, None, &when));
                        }
                    }
                }
                items
            }
            _ => {
                let version = head
                    .version
                    .as_ref()
                    .map_or("none".to_string(), |v| clip(&v.to_string()));
                return Err(fail(
                    key("version"),
                    format!("unknown version {version}: checkdown reads versions 1 and 2"),
                ));
            }
        };
        let positions = items
            .keys()
            .filter_map(|id| {
                let at = *offsets.get(id.as_str())?;
                Some((id.clone(), lines.position(text, at)))
            })
            .collect();
        Ok(Progress {
            items,
            positions,
            untimed,
        })
    }

    /// Reads the progress file at `path`: `Ok(None)` when there is none. `shown` names it
    /// in diagnostics.
    pub fn read(path: &Path, shown: &str) -> Result<Option<Progress>, Box<Diagnostic>> {
        let refuse = |message: String| Box::new(Diagnostic::error(INVALID, shown, message));
        let bytes = match crate::open::read(path, MAX_SIZE) {
            Ok(crate::open::Read::Bytes(b)) => b,
            Ok(crate::open::Read::TooLarge(size)) => {
                return Err(refuse(format!(
                    "the progress file is {size} bytes, over the limit of {} MiB",
                    MAX_SIZE >> 20
                )))
            }
            Err(crate::open::Refused::NotFound) => return Ok(None),
            Err(crate::open::Refused::Io(e)) => return Err(refuse(format!("cannot read: {e}"))),
            Err(_) => {
                return Err(refuse(
                    "refused: not a regular file (a symbolic link, folder, FIFO, socket or \
                     device)"
                        .to_string(),
                ))
            }
        };
        let text = String::from_utf8(bytes).map_err(|_| refuse("not UTF-8".to_string()))?;
        Progress::parse(&text, shown).map(Some)
    }

    /// Version 2, keys sorted, two spaces a level, ending with a newline.
    pub fn to_json(&self) -> String {
        let file = FileV2 {
            format: FORMAT,
            items: &self.items,
            version: VERSION,
        };
        let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Whether the entry of `id` carries a time of its own: false for a version 1 entry
    /// read without one (a plain list of ids, or `"1"`), whose `updated` only says when the
    /// file was exported, or nothing.
    pub fn is_timed(&self, id: &str) -> bool {
        !self.untimed.contains(id)
    }

    /// Where the entry of `id` starts in the file read: (line, column), 1-based.
    pub fn position(&self, id: &str) -> Option<(usize, usize)> {
        self.positions.get(id).copied()
    }

    /// Sets the `progress` of every item of `doc`: its entry, or `Some(None)` where the
    /// file says nothing of it.
    pub fn apply_document(&self, doc: &mut Document) {
        for item in doc.sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
            item.progress = Some(self.items.get(&item.id).map(Entry::to_model));
        }
    }

    /// [`Progress::apply_document`] over the catalog.
    pub fn apply(&self, catalog: &mut Catalog) {
        for doc in &mut catalog.documents {
            self.apply_document(doc);
        }
    }

    /// A `stale-progress` note for each entry whose id no item has, in id order. `shown`
    /// names the file.
    pub fn stale(&self, ids: &BTreeSet<String>, shown: &str) -> Vec<Diagnostic> {
        self.items
            .iter()
            .filter(|(id, _)| !ids.contains(*id))
            .map(|(id, e)| {
                let mut d = Diagnostic::new(
                    crate::diag::Severity::Note,
                    STALE,
                    shown,
                    format!(
                        "progress of item `{id}` ({}) matches no item of the docs: kept in \
                         the file",
                        e.status.as_str()
                    ),
                )
                .help(
                    "the item was removed, or its id changed without the lock; remove the \
                     entry once it is no longer wanted",
                );
                if let Some((line, column)) = self.position(id) {
                    d.line = line;
                    d.column = column;
                }
                d
            })
            .collect()
    }
}

/// The byte offset of the opening quote of the JSON string that ends at or just before
/// `at` (its closing quote is the last `"` up to `at`).
fn string_start(text: &str, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let close = memchr::memrchr(b'"', b.get(..at.saturating_add(1).min(b.len()))?)?;
    let mut end = close;
    // The first `"` before it that no odd run of backslashes escapes.
    while let Some(q) = memchr::memrchr(b'"', &b[..end]) {
        let escapes = b[..q].iter().rev().take_while(|&&c| c == b'\\').count();
        if escapes % 2 == 0 {
            return Some(q);
        }
        end = q;
    }
    None
}

/// The id of the version 2 entry whose field starts at `field` (the `"` of a value): the
/// key before the `{` that opens the entry, when it is an id. The fields before it were
/// read without error, so none holds a `{`.
fn entry_id(text: &str, field: usize) -> Option<&str> {
    let head = text.get(..field)?;
    let open = head.rfind('{')?;
    let before = head[..open].trim_end().strip_suffix(':')?.trim_end();
    let end = before.len().checked_sub(1)?;
    let start = string_start(before, end)?;
    let id = before.get(start + 1..end)?;
    is_id(id).then_some(id)
}

/// The byte offset of the opening quote of each key of the JSON `text` (a string followed by
/// `:`), the first where a key stands twice, in one pass. A key is as the file writes it,
/// escapes and all. Strings that are values are skipped whole, so a note that quotes a key
/// is no key.
fn key_offsets(text: &str) -> HashMap<&str, usize> {
    let b = text.as_bytes();
    let mut out = HashMap::new();
    // The last string closed, `(start, end)` of its quotes, until the next token.
    let mut last: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                // The closing quote: the first that no odd run of backslashes escapes.
                let mut j = i + 1;
                let close = loop {
                    match b.get(j..).and_then(|r| memchr::memchr2(b'"', b'\\', r)) {
                        None => break None,
                        Some(q) if b[j + q] == b'\\' => j += q + 2,
                        Some(q) => break Some(j + q),
                    }
                };
                let Some(j) = close else { break };
                last = Some((i, j));
                i = j + 1;
                continue;
            }
            b':' => {
                if let Some((start, end)) = last {
                    if let Some(key) = text.get(start + 1..end) {
                        out.entry(key).or_insert(start);
                    }
                }
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            _ => {}
        }
        last = None;
        i += 1;
    }
    out
}

/// The JSON Schema of the progress file (version 2), `docs/progress.schema.json`.
pub fn schema() -> String {
    let schema = schemars::schema_for!(FileV2<'static>);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// The status an item stands at ([`crate::model::Item::status`]): its progress entry's,
/// else `done` where the source marks it done, else `open`.
pub fn status_of(item: &crate::model::Item) -> Status {
    item.status()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        for ok in [
            "2025-03-01T09:30:00Z",
            "2025-03-01T09:30:00.123Z",
            "2024-02-29T23:59:60+01:00",
            "2025-03-01t09:30:00-05:30",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "1",
            "2025-03-01",
            "2025-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-03-01T24:00:00Z",
            "2025-03-01T09:30:00",
            "2025-03-01T09:30:00.Z",
            "2025-03-01T09:30:00+0100",
            "2025-03-01T09:30:00Zx",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn keys_are_found_in_one_pass() {
        let text =
            r#"{"a": {"note": "say \"b\": here \\", "b" : 1}, "b": 2, "c\"d": 3, "e": ["f", "g"]}"#;
        let k = key_offsets(text);
        let at = |s: &str| text.find(s).expect(s);
        assert_eq!(k["a"], at(r#""a""#));
        assert_eq!(k["note"], at(r#""note""#));
        // The first `"b"` followed by `:` is in a note: no key.
        assert_eq!(k["b"], at(r#""b" : 1"#));
        assert_eq!(k[r#"c\"d"#], at(r#""c\"d""#));
        assert_eq!(k["e"], at(r#""e""#));
        assert!(!k.contains_key("f") && !k.contains_key("g"));
        assert_eq!(k.len(), 5);
        // Cut short: no panic.
        assert_eq!(key_offsets(r#"{"a": "b\"#).len(), 1);
    }

    #[test]
    fn ids() {
        assert!(is_id("0f8e-aa:b.c_d"));
        assert!(!is_id("-a"));
        assert!(!is_id("a b"));
        assert!(!is_id(&"a".repeat(129)));
    }
}
