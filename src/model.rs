//! The model every renderer reads: plain serde data, the public JSON contract.
//!
//! Field names are a contract with other tools (see README, "The JSON model"): fields may
//! be added, none renamed.

use schemars::JsonSchema;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// The version of the JSON contract.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Catalog {
    pub format: u32,
    pub documents: Vec<Document>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    /// Relative to INPUT, `/` separators.
    pub path: String,
    /// The H1, else the front matter title, else the path.
    pub title: String,
    /// Front matter keys and values as written, in source order.
    pub front_matter: FrontMatter,
    /// Published URL, when a base URL is known.
    pub url: Option<String>,
    /// Markdown before the first section.
    pub intro: String,
    /// Callouts before the first section.
    pub callouts: Vec<Callout>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Section {
    /// Tab id, or the heading's anchor.
    pub id: String,
    /// Plain text.
    pub title: String,
    /// Maturity level when the title names one.
    pub level: Option<u32>,
    /// Plain text goal line, when the section has one.
    pub goal: Option<String>,
    pub intro: String,
    /// Callouts in the section, outside any item.
    pub callouts: Vec<Callout>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Item {
    /// Stable UUID: the one the lock file (checkdown.lock) keeps for `key` (kept through
    /// rewordings), else v5 of `key`.
    pub id: String,
    /// `<path>#<anchor>`.
    pub key: String,
    /// strategy | practice | recommendation | review | deliverable | item | task
    pub kind: String,
    /// A code the source gives, such as `SE:01`.
    pub code: Option<String>,
    pub anchor: String,
    /// What the checklist shows (link text).
    pub title: String,
    /// The heading the item anchors to, trimmed, without the check mark.
    pub heading: Option<String>,
    /// Markdown, callouts removed.
    pub body: String,
    pub callouts: Vec<Callout>,
    pub source: Source,
    /// The Well-Architected pillar (Reliability, Security, Cost Optimization, Operational
    /// Excellence, Performance Efficiency) when the section, path or front matter says so.
    #[serde(default)]
    pub pillar: Option<String>,
    /// A leading scope label such as `Cluster and workload`.
    #[serde(default)]
    pub scope: Option<String>,
    /// The benefit cell of a recommendation row.
    #[serde(default)]
    pub benefit: Option<String>,
    /// Published URL of the item (document URL + `#anchor`), when known.
    #[serde(default)]
    pub url: Option<String>,
    /// The guide a review row links to (published URL when known).
    #[serde(default)]
    pub guide: Option<String>,
    /// Whether the source marks the item done: `[x]` in a task list or a checklist block,
    /// `☑`, `☒`, `[x]` or a `checked` attribute in a checkbox table (FORMS.md, forms A, B
    /// and D). Outputs start from it; a reader's own ticks stay theirs.
    #[serde(default)]
    pub checked: bool,
    /// The id of the item this one is nested in (a task inside a task), or null.
    #[serde(default)]
    pub parent: Option<String>,
    /// A bold caption right above the item's list (`**Data governance**`), or null.
    #[serde(default)]
    pub group: Option<String>,
    /// The conditional-content branches the item stands in: Learn `moniker range` and
    /// `zone pivot` values, in source order; empty when the item is unconditional.
    #[serde(default)]
    pub variants: Vec<String>,
    /// Plain text that follows a linked item's link in its checklist line
    /// (`[Title](#anchor). One more sentence.`), or null.
    #[serde(default)]
    pub summary: Option<String>,
    /// The team's progress on the item, from the build's progress file
    /// (`build --progress`, `checkdown.progress.json`): null where the file says nothing
    /// of the item; absent when the build read no progress file.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub progress: Option<Option<ItemProgress>>,
}

impl Item {
    /// The status the item stands at: its progress entry's, else `done` where the source
    /// marks it done, else `open`. What `checkdown status` counts and the pages show.
    pub fn status(&self) -> Status {
        match &self.progress {
            Some(Some(p)) => p.status,
            _ if self.checked => Status::Done,
            _ => Status::Open,
        }
    }
}

/// Items by [`Item::status`]: the figures of `checkdown status` and of the HTML pages'
/// progress. The share done is done over the applicable items (not-applicable ones left
/// out); with no applicable item it is 100%.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub done: usize,
    pub in_progress: usize,
    pub not_applicable: usize,
    pub open: usize,
    pub total: usize,
}

impl Counts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Done => self.done += 1,
            Status::InProgress => self.in_progress += 1,
            Status::NotApplicable => self.not_applicable += 1,
            Status::Open => self.open += 1,
        }
        self.total += 1;
    }

    /// The counts of `items`.
    pub fn of<'a>(items: impl IntoIterator<Item = &'a Item>) -> Counts {
        let mut c = Counts::default();
        for it in items {
            c.add(it.status());
        }
        c
    }

    /// Adds the counts of other items.
    pub fn merge(&mut self, other: Counts) {
        self.done += other.done;
        self.in_progress += other.in_progress;
        self.not_applicable += other.not_applicable;
        self.open += other.open;
        self.total += other.total;
    }

    /// Items that apply: all but the not-applicable ones.
    pub fn applicable(&self) -> usize {
        self.total - self.not_applicable
    }

    /// Done over applicable, in percent; 100 when no item applies.
    pub fn percent(&self) -> f64 {
        match self.applicable() {
            0 => 100.0,
            n => self.done as f64 * 100.0 / n as f64,
        }
    }

    /// [`Counts::percent`] rounded down to a whole percent (so 100% means all done),
    /// `-` when no item applies.
    pub fn percent_text(&self) -> String {
        match self.applicable() {
            0 => "-".to_string(),
            n => format!("{}%", self.done * 100 / n),
        }
    }
}

/// A field that may be null: present (even as null) gives `Some`.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Where a team stands on an item.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Open,
    InProgress,
    Done,
    NotApplicable,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Open,
        Status::InProgress,
        Status::Done,
        Status::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in-progress",
            Status::Done => "done",
            Status::NotApplicable => "not-applicable",
        }
    }

    /// The words a reader sees: `in progress`, `not applicable`.
    pub fn words(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in progress",
            Status::Done => "done",
            Status::NotApplicable => "not applicable",
        }
    }
}

/// An item's entry in the progress file, as the model carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemProgress {
    pub status: Status,
    /// Markdown, or null.
    pub note: Option<String>,
    /// When the status or note last changed (RFC 3339).
    pub updated: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Callout {
    pub kind: CalloutKind,
    pub label: String,
    /// Markdown.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CalloutKind {
    TradeOff,
    Risk,
    Ai,
    Note,
    Tip,
    Important,
    Caution,
    Warning,
    Other,
}

impl CalloutKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CalloutKind::TradeOff => "trade-off",
            CalloutKind::Risk => "risk",
            CalloutKind::Ai => "ai",
            CalloutKind::Note => "note",
            CalloutKind::Tip => "tip",
            CalloutKind::Important => "important",
            CalloutKind::Caution => "caution",
            CalloutKind::Warning => "warning",
            CalloutKind::Other => "other",
        }
    }

    /// The label shown when the source gives none.
    pub fn default_label(self) -> &'static str {
        match self {
            CalloutKind::TradeOff => "Trade-off",
            CalloutKind::Risk => "Risk",
            CalloutKind::Ai => "AI",
            CalloutKind::Note => "Note",
            CalloutKind::Tip => "Tip",
            CalloutKind::Important => "Important",
            CalloutKind::Caution => "Caution",
            CalloutKind::Warning => "Warning",
            CalloutKind::Other => "Note",
        }
    }
}

/// A front matter value: YAML scalars as their text, or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FrontValue {
    Null,
    Text(String),
    List(Vec<FrontValue>),
}

/// Front matter in source order (serialized as a JSON object).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter(pub Vec<(String, FrontValue)>);

impl FrontMatter {
    pub fn get(&self, key: &str) -> Option<&FrontValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(FrontValue::Text(s)) => Some(s),
            _ => None,
        }
    }
}

impl JsonSchema for FrontMatter {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FrontMatter".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = <std::collections::BTreeMap<String, FrontValue>>::json_schema(generator);
        schema.insert(
            "description".into(),
            "Front matter keys and values as written, in source order.".into(),
        );
        schema
    }
}

/// The path of a page's output file of extension `ext` (`html`, `md`), relative to its
/// output folder (`html/`, `checklists/`): the page's path relative to INPUT with a final
/// `.md` (any case) replaced, and any other extension kept (`a/b.md` gives `a/b.html`,
/// `a/b.mdx` gives `a/b.mdx.html`). Two pages can share one (`a.md` and `a.MD`); the walk
/// refuses the second (see `load::walk`).
pub fn output_path(path: &str, ext: &str) -> String {
    let split = path
        .len()
        .checked_sub(3)
        .filter(|&i| path.is_char_boundary(i));
    let stem = match split.and_then(|i| path.get(i..).map(|ext| (i, ext))) {
        Some((i, ext)) if ext.eq_ignore_ascii_case(".md") => path.get(..i).unwrap_or(path),
        _ => path,
    };
    format!("{stem}.{ext}")
}

/// The JSON Schema of `checklist.json`.
pub fn schema() -> String {
    let schema = schemars::schema_for!(Catalog);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

impl Serialize for FrontMatter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FrontMatter {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = FrontMatter;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of front matter keys")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<FrontMatter, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, FrontValue>()? {
                    out.push((k, v));
                }
                Ok(FrontMatter(out))
            }
        }
        deserializer.deserialize_map(V)
    }
}

impl Catalog {
    pub fn item_count(&self) -> usize {
        self.documents
            .iter()
            .flat_map(|d| &d.sections)
            .map(|s| s.items.len())
            .sum()
    }
}
