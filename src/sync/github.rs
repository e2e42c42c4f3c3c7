//! GitHub: the export read, a `gh` script written.
//!
//! The export is the JSON that `gh issue list --state all --label checkdown --json
//! number,title,body,labels,state,url --limit N` prints ("gh issue list",
//! <https://cli.github.com/manual/gh_issue_list>: `--json` takes those fields, `--state all`
//! lists closed issues too, `--limit` defaults to 30): an array of objects, `number` an
//! integer, `labels` an array of objects with a `name`, `state` `OPEN` or `CLOSED`.
//!
//! For `checkdown progress import`, the export also takes `closedAt`, `updatedAt` (RFC 3339)
//! and `stateReason` (the same page lists them among the JSON fields): a `CLOSED` issue is
//! done when its reason is `COMPLETED` (or none), not to be done when it is `NOT_PLANNED`,
//! and neither when it is `DUPLICATE` (GitHub's `IssueStateReason`,
//! <https://docs.github.com/en/graphql/reference/enums#issuestatereason>).
//!
//! The changes are a script of `gh`: `gh issue create` for a creation, linked under its
//! parent's issue as a sub-issue through the REST API ("Add sub-issue",
//! <https://docs.github.com/en/rest/issues/sub-issues#add-sub-issue>, which takes the
//! sub-issue's `id`, not its number); `gh issue edit` with `--title`, `--body` and
//! `--add-label` for an update and a flag. Labels are created first where missing
//! (`gh label create` fails on one that exists, which the script ignores).

use serde::Deserialize;

use super::shell::{head, quote};
use super::{
    changes, closed_as, words, Action, ExportError, Kind, Resolution, Ticket, Under, REMOVED_LABEL,
};
use crate::render::tracker::github::body;
use crate::render::tracker::plan::id_label;
use crate::render::OutputFile;

pub const FILE: &str = "sync-github.sh";

#[derive(Deserialize)]
struct Issue {
    number: Option<u64>,
    title: Option<String>,
    body: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    state: String,
    #[serde(default, rename = "stateReason")]
    state_reason: Option<String>,
    #[serde(default, rename = "closedAt")]
    closed_at: Option<String>,
    #[serde(default, rename = "updatedAt")]
    updated_at: Option<String>,
}

#[derive(Deserialize)]
struct Label {
    name: String,
}

const WHAT: &str =
    "run `gh issue list --state all --label checkdown --json number,title,body,labels,state,url --limit 1000`";

/// Where an element of the top-level array starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Start {
    /// Its byte offset.
    offset: usize,
    /// Its line and column (1-based; the column counts characters).
    line: usize,
    column: usize,
}

/// Where every element of the top-level array starts, in one pass over the text (a text
/// that is not JSON gives what it gives; it is only used for messages).
fn elements(text: &str) -> Vec<Start> {
    let (mut depth, mut in_str, mut escaped, mut expect) = (0usize, false, false, false);
    let (mut line, mut column) = (1, 0);
    let mut out = Vec::new();
    for (offset, &b) in text.as_bytes().iter().enumerate() {
        // A character starts at every byte but UTF-8's continuation bytes.
        if b & 0xc0 != 0x80 {
            column += 1;
        }
        if b == b'\n' {
            line += 1;
            column = 0;
        }
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            continue;
        }
        if expect && depth == 1 && b != b']' {
            out.push(Start {
                offset,
                line,
                column,
            });
        }
        expect = false;
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                expect = depth == 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => expect = depth == 1,
            _ => {}
        }
    }
    out
}

/// The fields of an issue, as [`Issue`] reads them; a `duplicate field` error names one of
/// these.
const FIELDS: [&str; 8] = [
    "number",
    "title",
    "body",
    "labels",
    "state",
    "stateReason",
    "closedAt",
    "updatedAt",
];

/// What a JSON value is, in words that hold nothing of it.
fn shape(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(n) if n.is_u64() => "a whole number",
        Value::Number(n) if n.is_i64() => "a negative number",
        Value::Number(_) => "a number with a fraction or over 20 digits",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// What is wrong with the field `name` of an issue, holding `v`, in words that hold nothing
/// of the file; `None` when [`Issue`] reads it.
fn field_fault(name: &str, v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let wrong = |want: &str| Some(format!("`{name}` is {}, not {want}", shape(v)));
    match name {
        "number" if !v.is_null() && !v.is_u64() => wrong("a whole number"),
        "title" | "body" | "stateReason" | "closedAt" | "updatedAt"
            if !v.is_null() && !v.is_string() =>
        {
            wrong("a string")
        }
        "state" if !v.is_string() => wrong("a string"),
        "labels" => {
            let Value::Array(labels) = v else {
                return wrong("an array of objects with a `name`");
            };
            labels.iter().zip(1..).find_map(|(label, n)| match label {
                Value::Object(l) => match l.get("name") {
                    None => Some(format!("label {n} has no `name`")),
                    Some(Value::String(_)) => None,
                    Some(v) => Some(format!(
                        "the `name` of label {n} is {}, not a string",
                        shape(v)
                    )),
                },
                v => Some(format!(
                    "label {n} is {}, not an object with a `name`",
                    shape(v)
                )),
            })
        }
        _ => None,
    }
}

/// What is wrong with `issue`, an element that [`Issue`] does not read: the field `first`
/// when it is wrong (the one serde_json stopped in), else the first wrong one.
fn fault(issue: &serde_json::Value, first: Option<&str>) -> Option<String> {
    let serde_json::Value::Object(fields) = issue else {
        return Some(format!("it is {}, not an object", shape(issue)));
    };
    let at = |name: &str| fields.get(name).and_then(|v| field_fault(name, v));
    first
        .and_then(at)
        .or_else(|| FIELDS.iter().find_map(|name| at(name)))
}

/// The last key of the object that `element` starts with (`{`), among those that `element`
/// holds whole: the field serde_json was reading when it stopped at the end of `element`.
fn last_key(element: &str) -> Option<&str> {
    let (mut depth, mut key) = (0usize, None);
    let (mut in_str, mut escaped, mut from) = (false, false, 0);
    // The last string closed at the object's own level, until the next token.
    let mut closed: Option<&str> = None;
    for (i, &b) in element.as_bytes().iter().enumerate() {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    in_str = false;
                    if depth == 1 {
                        closed = element.get(from..i);
                    }
                }
                _ => {}
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            continue;
        }
        match b {
            b'"' => {
                in_str = true;
                from = i + 1;
            }
            b':' if closed.is_some() => key = closed,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if b != b'"' {
            closed = None;
        }
    }
    key
}

/// The error of an export that serde_json did not read, at `line:column`. Nothing of the
/// file is in it (serde_json's own message for a value of the wrong type quotes the value):
/// a syntax error keeps serde_json's words, which are fixed; a value of the wrong type is
/// named by the issue and the field that holds it.
fn parse_error(path: &str, text: &str, starts: &[Start], e: &serde_json::Error) -> ExportError {
    let (line, column, offset) = locate(text, e.line(), e.column());
    let message = match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            let m = e.to_string();
            // serde_json ends its message with " at line L column C": the error says where.
            match m.rfind(" at line ") {
                Some(i) => m[..i].to_string(),
                None => m,
            }
        }
        _ => {
            // The element the error is in, read alone to say what is wrong with it.
            let k = starts.partition_point(|s| s.offset <= offset);
            let what = k
                .checked_sub(1)
                .and_then(|i| {
                    let from = starts[i].offset;
                    let mut de = serde_json::Deserializer::from_str(&text[from..]);
                    let v = <serde_json::Value as serde::Deserialize>::deserialize(&mut de);
                    let first = text.get(from..offset).and_then(last_key);
                    fault(&v.ok()?, first)
                })
                .or_else(|| {
                    let m = e.to_string();
                    let field = m.strip_prefix("duplicate field `")?.split('`').next()?;
                    FIELDS
                        .contains(&field)
                        .then(|| format!("`{field}` is given twice"))
                })
                .unwrap_or_else(|| {
                    "a value is not of the type `gh issue list --json` writes".to_string()
                });
            match k {
                0 => what,
                k => format!("issue {k} of the array: {what}"),
            }
        }
    };
    ExportError::new(
        path,
        line,
        format!("not the JSON of `gh issue list --json …`: {message}; {WHAT}"),
    )
    .column(column)
}

/// serde_json's position (`line`, and `column` in bytes, 1-based) as the line, the column in
/// characters and the byte offset.
fn locate(text: &str, line: usize, column: usize) -> (usize, usize, usize) {
    let line = line.max(1);
    let start = match line {
        1 => 0,
        _ => memchr::memchr_iter(b'\n', text.as_bytes())
            .nth(line - 2)
            .map_or(text.len(), |i| i + 1),
    };
    let offset = (start + column.saturating_sub(1)).min(text.len());
    let chars = text.as_bytes()[start..offset]
        .iter()
        .filter(|&&b| b & 0xc0 != 0x80)
        .count();
    (line, chars + 1, offset)
}

pub fn read(path: &str, bytes: &[u8]) -> Result<Vec<Ticket>, ExportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ExportError::new(path, 1, "the export is not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.trim_start();
    if !start.starts_with('[') {
        let what = if start.starts_with('{') {
            "one JSON object, not the array `gh issue list --json` prints".to_string()
        } else {
            let first = start.lines().next().unwrap_or("");
            if first.contains("Issue key") {
                "a Jira CSV export: pass --tracker jira".to_string()
            } else if first.contains("Work Item Type") {
                "an Azure DevOps CSV export: pass --tracker azure-devops".to_string()
            } else if first.contains("Issue ID") {
                "a GitLab CSV export: pass --tracker gitlab".to_string()
            } else {
                "not JSON".to_string()
            }
        };
        return Err(ExportError::new(path, 1, format!("this is {what}; {WHAT}")));
    }
    let starts = elements(text);
    let issues: Vec<Issue> =
        serde_json::from_str(text).map_err(|e| parse_error(path, text, &starts, &e))?;
    let mut out = Vec::new();
    for (n, i) in issues.into_iter().enumerate() {
        let (line, column) = starts.get(n).map_or((1, 1), |s| (s.line, s.column));
        let (Some(number), Some(title)) = (i.number, i.title) else {
            return Err(ExportError::new(
                path,
                line,
                format!(
                    "issue {} of the array has no `number` or `title`; {WHAT}",
                    n + 1
                ),
            )
            .column(column));
        };
        out.push(Ticket {
            line,
            column,
            key: number.to_string(),
            kind: String::new(),
            title,
            description: i.body,
            labels: i.labels.into_iter().map(|l| l.name).collect(),
            status: i.state,
            parent: None,
            priority: String::new(),
            resolution: i.state_reason.unwrap_or_default(),
            category: String::new(),
            closed_at: i.closed_at.unwrap_or_default(),
            updated_at: i.updated_at.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Where an issue of the export stands (see the module).
pub fn resolution(t: &Ticket) -> Resolution {
    match words(&t.status).as_str() {
        "closed" => closed_as(&t.resolution),
        _ => Resolution::Open,
    }
}

fn var(id: &str) -> String {
    format!("new_{}", id_label(id).trim_start_matches("checkdown-"))
}

/// `sync-github.sh`.
pub fn write(actions: &[Action]) -> OutputFile {
    let count = |k: Kind| actions.iter().filter(|a| a.kind == k).count();
    let mut s = head(&[
        format!(
            "checkdown sync for GitHub: {} to create, {} to update, {} to flag `{REMOVED_LABEL}`.",
            count(Kind::Create),
            count(Kind::Update),
            count(Kind::FlagRemoved)
        ),
        "Run it in a clone of the repository, or name it: GH_REPO=owner/repo sh sync-github.sh"
            .to_string(),
    ]);
    let mut labels: Vec<String> = Vec::new();
    for a in changes(actions) {
        let list: Vec<String> = match (a.kind, &a.entry) {
            (Kind::FlagRemoved, _) => vec![REMOVED_LABEL.to_string()],
            (_, Some(e)) => e.labels.clone(),
            _ => Vec::new(),
        };
        for l in list {
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
    }
    for l in &labels {
        s.push_str(&format!(
            "gh label create {} >/dev/null 2>&1 || :\n",
            quote(l)
        ));
    }
    for a in changes(actions) {
        match (a.kind, &a.entry, &a.ticket) {
            (Kind::Create, Some(e), _) => {
                let v = var(&e.id);
                s.push_str(&format!(
                    "url=$(gh issue create --title {} --body {} --label {})\n{v}=${{url##*/}}\n",
                    quote(&e.title),
                    quote(&body(e).0),
                    quote(&e.labels.join(","))
                ));
                let parent = match &a.under {
                    Under::Key(k) => Some(quote(k)),
                    Under::New(id) => Some(format!("\"${}\"", var(id))),
                    Under::None => None,
                };
                if let Some(p) = parent {
                    s.push_str(&format!(
                        "gh api --method POST 'repos/{{owner}}/{{repo}}/issues/'{p}'/sub_issues' -F \"sub_issue_id=$(gh api \"repos/{{owner}}/{{repo}}/issues/${v}\" --jq .id)\" >/dev/null\n"
                    ));
                }
            }
            (Kind::Update, Some(e), Some(t)) => s.push_str(&format!(
                "gh issue edit {} --title {} --body {} --add-label {}\n",
                quote(&t.key),
                quote(&e.title),
                quote(&body(e).0),
                quote(&e.labels.join(","))
            )),
            (Kind::FlagRemoved, _, Some(t)) => s.push_str(&format!(
                "gh issue edit {} --add-label {}\n",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_found_in_one_pass() {
        let text = "[\n {\"t\": \"a \\\" ] , [\"}, \"é\", [1, {}],\n  {\"n\": 2} ]";
        let starts = elements(text);
        let at: Vec<(usize, usize)> = starts.iter().map(|s| (s.line, s.column)).collect();
        assert_eq!(at, [(2, 2), (2, 23), (2, 28), (3, 3)]);
        for s in &starts {
            assert!(matches!(&text[s.offset..s.offset + 1], "{" | "\"" | "["));
        }
        assert_eq!(elements("[]"), []);
        assert_eq!(
            elements("[ \"cut"),
            [Start {
                offset: 2,
                line: 1,
                column: 3
            }]
        );
    }

    #[test]
    fn the_field_an_error_stopped_in() {
        assert_eq!(
            last_key(r#"{"a": 1, "b": {"c": "d"}, "e": "x\":"#),
            Some("e")
        );
        assert_eq!(last_key(r#"{"a": [{"b": 1}, "#), Some("a"));
        assert_eq!(last_key(r#"{"a": "b", "c""#), Some("a"));
        assert_eq!(last_key(r#""x""#), None);
    }
}
