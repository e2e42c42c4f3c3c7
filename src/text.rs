//! Plain text of Markdown, for titles and matching: markup removed, whitespace collapsed,
//! the first sentence. Shared by extract (titles) and render (summaries), so it belongs to
//! neither.

use pulldown_cmark::{Event, Parser, TagEnd};

use crate::parse::options;

/// Words separated by single spaces: `s.split_whitespace()` joined with `" "`.
pub fn collapse_whitespace(s: &str) -> String {
    let mut c = Collapsed {
        out: String::with_capacity(s.len()),
        ..Collapsed::default()
    };
    c.push(s);
    c.out
}

/// Plain text of Markdown: markup removed, blocks separated by one space.
pub fn to_plain(markdown: &str) -> String {
    plain_events(Parser::new_ext(markdown, options()))
}

/// [`to_plain`] for a title cut from a page: the slice lacks the page's link reference
/// definitions, so `[text][1]`, `[text][label]` and `[text]` are read as links, and their
/// text stays while the brackets go.
pub fn title_plain(markdown: &str) -> String {
    let mut as_link = |_: pulldown_cmark::BrokenLink<'_>| {
        Some((
            pulldown_cmark::CowStr::Borrowed(""),
            pulldown_cmark::CowStr::Borrowed(""),
        ))
    };
    plain_events(Parser::new_with_broken_link_callback(
        markdown,
        options(),
        Some(&mut as_link),
    ))
}

fn plain_events<'a>(events: impl Iterator<Item = Event<'a>>) -> String {
    let mut out = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => out.push(' '),
            _ => {}
        }
    }
    collapse_whitespace(&out)
}

/// Does `before` end with an abbreviation whose `.` ends no sentence (`e.g`, `i.e`, `vs`)?
fn abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '*' || c == '_')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        word.as_str(),
        "e.g" | "i.e" | "vs" | "cf" | "approx" | "incl" | "fig" | "al" | "mr" | "dr"
    )
}

/// Whether `before` a stop is only a number that opens the text (`1. Enable MFA`, a step
/// written as text in a table cell): its stop numbers the step and ends no sentence.
fn ordinal(before: &str) -> bool {
    let word = before.trim_start().trim_start_matches(['*', '_']);
    (1..=3).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_digit())
}

/// Up to and including the first `.`, `!` or `?` that is followed by a space and a word
/// that does not start lowercase (so `e.g. this` does not end a sentence) and does not
/// close a number that opens the text (`1. Enable MFA. Then…`), or the first
/// full-width stop (`。`, `．`, `！`, `？`) that more text follows: languages written
/// without spaces put none after their stops.
/// Closing markup and quotes after the stop belong to the sentence (`**Done.** Next`,
/// `「終わり。」次`).
pub fn sentence(text: &str) -> &str {
    let b = text.as_bytes();
    let mut end = text.len();
    for stop in memchr::memchr3_iter(b'.', b'!', b'?', b) {
        // Closing markup and quotes after the stop.
        let mut rest = text[stop + 1..].chars();
        let mut after = stop + 1;
        let space = loop {
            match rest.next() {
                Some(c) if closes(c) => after += c.len_utf8(),
                Some(' ') => break true,
                _ => break false,
            }
        };
        let next_ok = rest.next().is_some_and(|c| !c.is_lowercase());
        if space && next_ok && !abbreviation(&text[..stop]) && !ordinal(&text[..stop]) {
            end = after;
            break;
        }
    }
    // A full-width stop before that: its lead bytes are 0xE3 (`。`) and 0xEF (`．！？`).
    for lead in memchr::memchr2_iter(0xE3, 0xEF, &b[..end]) {
        let Some(c) = text.get(lead..).and_then(|t| t.chars().next()) else {
            continue;
        };
        if !matches!(c, '。' | '．' | '！' | '？') {
            continue;
        }
        let mut after = lead + c.len_utf8();
        // `１．５`: a decimal point, not a stop.
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_numeric());
        if c == '．'
            && digit(text[..lead].chars().next_back())
            && digit(text[after..].chars().next())
        {
            continue;
        }
        for c in text[after..].chars() {
            if !(closes(c) || matches!(c, '。' | '．' | '！' | '？')) {
                break;
            }
            after += c.len_utf8();
        }
        if text[after..].trim().is_empty() {
            break;
        }
        return &text[..after];
    }
    &text[..end]
}

/// Closing markup, brackets and quotes that stay with the stop before them.
pub(crate) fn closes(c: char) -> bool {
    matches!(
        c,
        '*' | '_'
            | '`'
            | ')'
            | '"'
            | '\''
            | '\u{2019}'
            | '\u{201d}'
            | '」'
            | '』'
            | '）'
            | '】'
            | '〕'
            | '》'
            | '〉'
    )
}

/// Text pushed in pieces, kept as [`collapse_whitespace`] would make of the whole.
#[derive(Default)]
pub(crate) struct Collapsed {
    pub(crate) out: String,
    /// Whitespace came after the last word.
    pending: bool,
    /// The last byte pushed belongs to a word.
    in_word: bool,
}

const WORD: u8 = 0;
const ASCII_BLANK: u8 = 1;
const MAYBE_BLANK: u8 = 2;

/// Bytes by what they may start: ASCII whitespace, a character that may be whitespace
/// (lead bytes of U+0085, U+00A0, U+1680, U+2000-U+205F and U+3000), or part of a word.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [WORD; 256];
    t[b' ' as usize] = ASCII_BLANK;
    let mut b = b'\t';
    while b <= b'\r' {
        t[b as usize] = ASCII_BLANK;
        b += 1;
    }
    t[0xC2] = MAYBE_BLANK;
    t[0xE1] = MAYBE_BLANK;
    t[0xE2] = MAYBE_BLANK;
    t[0xE3] = MAYBE_BLANK;
    t
};

impl Collapsed {
    pub(crate) fn push(&mut self, text: &str) {
        let b = text.as_bytes();
        let n = b.len();
        // A run of words separated by single spaces, copied whole.
        let mut run: Option<usize> = None;
        let mut i = 0;
        while i < n {
            let class = BYTE_CLASS[b[i] as usize];
            if class == WORD {
                run.get_or_insert(i);
                i += 1;
                while i < n && BYTE_CLASS[b[i] as usize] == WORD {
                    i += 1;
                }
                continue;
            }
            if b[i] == b' '
                && run.is_some()
                && b.get(i + 1)
                    .is_some_and(|&c| c < 0x80 && BYTE_CLASS[c as usize] == WORD)
            {
                i += 2;
                continue;
            }
            let (blank, len) = match class {
                ASCII_BLANK => (true, 1),
                _ => match text[i..].chars().next() {
                    Some(c) => (c.is_whitespace(), c.len_utf8()),
                    None => (true, 1),
                },
            };
            if !blank {
                run.get_or_insert(i);
                i += len;
                continue;
            }
            if let Some(start) = run.take() {
                self.run(&text[start..i]);
            }
            self.pending = true;
            self.in_word = false;
            i += len;
        }
        if let Some(start) = run {
            self.run(&text[start..]);
        }
    }

    /// Appends words separated by single spaces (starting and ending with a word's
    /// character): after a blank, the first one is a new word.
    fn run(&mut self, run: &str) {
        if self.in_word {
            self.out.push_str(run);
        } else {
            self.in_word = true;
            self.word(run);
        }
    }

    fn word(&mut self, word: &str) {
        if self.pending && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.pending = false;
        self.out.push_str(word);
    }
}
