//! What each tracker takes in a field, counted as that tracker counts, and descriptions
//! shortened to fit: the middle of the text goes, the source link and the `checkdown id:`
//! line stay, and a warning says so.
//!
//! How each counts:
//! - Jira counts a `Summary` of at most 255 and a `Description` of at most 32,767
//!   characters as Java strings do, in UTF-16 code units (Jira's REST API: "The maximum
//!   length is 32767 characters", <https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-custom-field-contexts/>;
//!   a longer description is refused with `CONTENT_LIMIT_EXCEEDED`,
//!   <https://jira.atlassian.com/browse/JRACLOUD-78553>).
//! - Azure DevOps takes a title of at most 255 characters ("String: up to 255 Unicode
//!   characters", <https://learn.microsoft.com/azure/devops/boards/work-items/work-item-fields>),
//!   and its length limits count UTF-16 code units: "Surrogate characters are composed of
//!   two Unicode characters, which count as two characters against the length restriction"
//!   (<https://learn.microsoft.com/azure/devops/collaborate/naming-restrictions>).
//! - GitLab validates an issue's `title` to 255 characters (Ruby string length: characters)
//!   and its `description` to 1 megabyte, 1,048,576 bytes
//!   (<https://docs.gitlab.com/development/issuable-like-models/>: "title: 255 characters,
//!   description: 1 megabyte"; <https://gitlab.com/gitlab-org/gitlab/-/merge_requests/18617>:
//!   "1 megabyte, which is 1,048,576 bytes").
//! - GitHub refuses a title over 256 and a body over 65,536 characters ("title is too long
//!   (maximum is 256 characters)", "body is too long (maximum is 65536 characters)") and does
//!   not say how it counts; UTF-16 code units are never fewer than characters, so counting
//!   them keeps within the limit either way.
//!
//! Titles are cut in the shared plan to 255 UTF-16 code units, which every tracker takes.

use super::plan::{Entry, Part, FIXED_TAIL};
use crate::diag::Diagnostic;

/// How a tracker counts a field's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Unicode scalar values.
    Chars,
    /// UTF-16 code units: a character outside the Basic Multilingual Plane counts twice.
    Utf16,
    /// UTF-8 bytes.
    Bytes,
}

impl Unit {
    pub fn len(self, s: &str) -> usize {
        match self {
            Unit::Chars => s.chars().count(),
            Unit::Utf16 => s.chars().map(char::len_utf16).sum(),
            Unit::Bytes => s.len(),
        }
    }

    pub fn of(self, c: char) -> usize {
        match self {
            Unit::Chars => 1,
            Unit::Utf16 => c.len_utf16(),
            Unit::Bytes => c.len_utf8(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Chars => "characters",
            Unit::Utf16 => "UTF-16 code units",
            Unit::Bytes => "bytes",
        }
    }
}

/// The most a tracker takes in one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub tracker: &'static str,
    pub field: &'static str,
    pub max: usize,
    pub unit: Unit,
}

impl Limit {
    /// Does `text` fit, counting the `'` a spreadsheet-safe CSV cell may get in front?
    pub fn fits(&self, text: &str) -> bool {
        self.len(text) <= self.max
    }

    /// The length of `text` as the tracker counts it, with the `'` that
    /// [`crate::render::csv::neutralize`] may add.
    pub fn len(&self, text: &str) -> usize {
        self.unit.len(text) + quote(text)
    }
}

/// 1 when a CSV cell holding `text` gets a `'` in front (see
/// [`crate::render::csv::neutralize`]).
fn quote(text: &str) -> usize {
    usize::from(matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    ))
}

pub const JIRA_DESCRIPTION: Limit = Limit {
    tracker: "Jira",
    field: "Description",
    max: 32_767,
    unit: Unit::Utf16,
};

pub const GITLAB_DESCRIPTION: Limit = Limit {
    tracker: "GitLab",
    field: "description",
    max: 1_048_576,
    unit: Unit::Bytes,
};

pub const GITHUB_BODY: Limit = Limit {
    tracker: "GitHub",
    field: "body",
    max: 65_536,
    unit: Unit::Utf16,
};

/// The title every tracker takes: Jira's `Summary` and Azure DevOps' title (255 UTF-16
/// code units), GitLab's (255 characters), GitHub's (256 characters).
pub const TITLE: Limit = Limit {
    tracker: "every tracker",
    field: "title",
    max: 255,
    unit: Unit::Utf16,
};

/// A description that was shortened: its length before and after, as the tracker counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortened {
    pub limit: Limit,
    pub from: usize,
    pub to: usize,
}

/// `parts` rendered by `render`, shortened to fit `limit` when they do not: whole parts are
/// kept while they fit, then as many whole lines of the next one as fit (a code fence left
/// open is closed), then a note; the last [`FIXED_TAIL`] parts (the source and the id) are
/// always kept. When even those do not fit, the text is cut at the limit.
pub fn fit(
    parts: &[Part],
    limit: Limit,
    render: impl Fn(&[Part]) -> String,
) -> (String, Option<Shortened>) {
    let full = render(parts);
    if limit.fits(&full) {
        return (full, None);
    }
    let from = limit.len(&full);
    let split = parts.len().saturating_sub(FIXED_TAIL);
    let (middle, tail) = parts.split_at(split);
    let note = Part {
        heading: None,
        markdown: format!(
            "_The rest of this text is left out: {} takes at most {} {} in a {}. The source below has all of it._",
            limit.tracker,
            thousands(limit.max),
            limit.unit.name(),
            limit.field
        ),
    };
    let with = |kept: &[Part]| -> String {
        let mut all: Vec<Part> = kept.to_vec();
        all.push(note.clone());
        all.extend_from_slice(tail);
        render(&all)
    };
    let mut kept: Vec<Part> = Vec::new();
    for part in middle {
        kept.push(part.clone());
        if limit.fits(&with(&kept)) {
            continue;
        }
        kept.pop();
        if let Some(prefix) = longest_prefix(part, |p| {
            let mut trial = kept.clone();
            trial.push(p.clone());
            limit.fits(&with(&trial))
        }) {
            kept.push(prefix);
        }
        break;
    }
    let mut text = with(&kept);
    if !limit.fits(&text) {
        text = hard_cut(&render(tail), limit);
    }
    let to = limit.len(&text);
    (text, Some(Shortened { limit, from, to }))
}

/// The longest start of `part` (its heading and whole lines of its Markdown) that `fits`
/// takes, or `None` when not even its first line does.
fn longest_prefix(part: &Part, fits: impl Fn(&Part) -> bool) -> Option<Part> {
    let md = &part.markdown;
    // Where a start may end: before each line break, and at the end of the first line's
    // words when the text is a single long line.
    let mut ends: Vec<usize> = memchr::memchr_iter(b'\n', md.as_bytes()).collect();
    if ends.is_empty() {
        ends = md
            .char_indices()
            .filter(|(_, c)| *c == ' ')
            .map(|(i, _)| i)
            .collect();
    }
    let make = |end: usize| Part {
        heading: part.heading.clone(),
        markdown: close_fence(md[..end].trim_end()),
    };
    // Binary search for the last end that fits (a longer start is never shorter).
    let (mut lo, mut hi) = (0usize, ends.len());
    let mut best = None;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let candidate = make(ends[mid]);
        if fits(&candidate) {
            best = Some(candidate);
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    best.filter(|p| !p.markdown.trim().is_empty())
}

/// Markdown cut at a line: a code fence it leaves open is closed, so that what follows is
/// not read as code.
fn close_fence(md: &str) -> String {
    let mut open: Option<(char, usize)> = None;
    for line in md.lines() {
        let t = line.trim_start_matches([' ', '>']).trim_start();
        let Some(c) = t.chars().next().filter(|c| matches!(c, '`' | '~')) else {
            continue;
        };
        let run = t.chars().take_while(|&x| x == c).count();
        if run < 3 {
            continue;
        }
        match open {
            None => open = Some((c, run)),
            Some((o, n)) if o == c && run >= n && t[run..].trim().is_empty() => open = None,
            Some(_) => {}
        }
    }
    match open {
        Some((c, n)) => format!("{md}\n{}", c.to_string().repeat(n)),
        None => md.to_string(),
    }
}

/// The longest start of `text` that fits, at a character boundary.
fn hard_cut(text: &str, limit: Limit) -> String {
    let mut used = quote(text);
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let n = limit.unit.of(c);
        if used + n > limit.max {
            break;
        }
        used += n;
        end = i + c.len_utf8();
    }
    text[..end].to_string()
}

/// The warning for an entry's field that was shortened.
pub fn warning(entry: &Entry, s: &Shortened) -> Diagnostic {
    let (path, line, column) = &entry.origin;
    let mut d = Diagnostic::warning(
        "tracker-limit",
        path,
        format!(
            "the {} {} of `{}` is {} {}, over the {} it takes; shortened to {}, keeping its source link and id",
            s.limit.tracker,
            s.limit.field,
            entry.title,
            thousands(s.from),
            s.limit.unit.name(),
            thousands(s.limit.max),
            thousands(s.to)
        ),
    )
    .help("the backlog links to the source, which has the whole text; split the item in the docs to import all of it");
    d.line = *line;
    d.column = *column;
    d
}

/// `32767` as `32,767`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(md: &str) -> Part {
        Part {
            heading: None,
            markdown: md.to_string(),
        }
    }

    fn join(parts: &[Part]) -> String {
        parts
            .iter()
            .map(|p| p.markdown.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    #[test]
    fn units_count_as_trackers_do() {
        assert_eq!(Unit::Chars.len("a😀é"), 3);
        assert_eq!(Unit::Utf16.len("a😀é"), 4);
        assert_eq!(Unit::Bytes.len("a😀é"), 7);
        // The quote a spreadsheet-safe cell gets counts.
        assert_eq!(JIRA_DESCRIPTION.len("=x"), 3);
        assert_eq!(thousands(32_767), "32,767");
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn shortens_the_middle_and_keeps_the_tail() {
        let limit = Limit {
            tracker: "T",
            field: "body",
            max: 200,
            unit: Unit::Chars,
        };
        let rows: String = (0..40).map(|n| format!("| {n} | x |\n")).collect();
        let parts = [
            part("Intro."),
            part(&format!("| a | b |\n|---|---|\n{rows}")),
            part("### Source"),
            part("checkdown id: `1`"),
        ];
        let (text, short) = fit(&parts, limit, join);
        assert!(text.chars().count() <= 200, "{text}");
        // One more row would not fit.
        assert!(text.chars().count() + "| 3 | x |\n".len() > 200);
        assert_eq!(
            text,
            "Intro.\n\n| a | b |\n|---|---|\n| 0 | x |\n| 1 | x |\n| 2 | x |\n\n_The rest of this text is left out: T takes at most 200 characters in a body. The source below has all of it._\n\n### Source\n\ncheckdown id: `1`"
        );
        assert_eq!(
            short,
            Some(Shortened {
                limit,
                from: join(&parts).chars().count(),
                to: text.chars().count()
            })
        );
        // What fits is left alone.
        let (same, none) = fit(&parts[2..], limit, join);
        assert_eq!(
            (same.as_str(), none),
            ("### Source\n\ncheckdown id: `1`", None)
        );
    }

    #[test]
    fn a_fence_left_open_is_closed() {
        assert_eq!(close_fence("a\n```sh\nx"), "a\n```sh\nx\n```");
        assert_eq!(close_fence("````\nx\n```"), "````\nx\n```\n````");
        assert_eq!(close_fence("```\nx\n```"), "```\nx\n```");
    }

    #[test]
    fn a_tail_too_long_is_cut_at_the_limit() {
        let limit = Limit {
            tracker: "T",
            field: "body",
            max: 10,
            unit: Unit::Utf16,
        };
        let parts = [part("😀😀😀😀😀😀"), part("")];
        let (text, short) = fit(&parts, limit, join);
        assert_eq!(text, "😀😀😀😀😀");
        assert_eq!(short.map(|s| s.to), Some(10));
    }
}
