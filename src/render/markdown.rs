//! Markdown to sanitized HTML, and to plain text, for renderers.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::safe_html;
use super::view::{code_span, md_escape_piece};
use crate::parse::options;
use crate::text::Collapsed;
pub use crate::text::{collapse_whitespace, sentence, title_plain, to_plain};

/// Renders Markdown to HTML and sanitizes it: nothing from the docs can run in a page.
///
/// Markdown without raw HTML takes a direct path ([`safe_html`]) that writes the same bytes
/// as rendering with pulldown-cmark and cleaning with ammonia, which the rest takes.
pub fn to_html(markdown: &str) -> String {
    if let Some(html) = fast_html(markdown) {
        return html;
    }
    cleaned_html(markdown)
}

/// [`to_html`] and [`first_sentence`] of the same Markdown, from one parse.
pub fn to_html_and_first_sentence(markdown: &str) -> (String, String) {
    let d = digest_with(markdown, false);
    (d.html, d.first_sentence)
}

/// The [`Digest`] of a fragment without its plain text (`plain_start` is empty): its HTML
/// and its first sentence, plain and as Markdown.
pub fn digest_sentence(markdown: &str) -> Digest {
    digest_with(markdown, false)
}

/// What renderers and the lock take from one Markdown fragment, from one parse: its
/// sanitized HTML ([`to_html`]), the first sentence of its first paragraph
/// ([`first_sentence`]) and the start of its plain text ([`to_plain`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digest {
    pub html: String,
    pub first_sentence: String,
    /// The first sentence as Markdown that renders as that text: text escaped
    /// ([`md_escape`]), code spans kept as code spans.
    pub first_sentence_md: String,
    /// The plain text, or a start of it at least [`PLAIN_START_BYTES`] bytes long.
    pub plain_start: String,
}

/// How much of a fragment's plain text a [`Digest`] keeps at least.
pub const PLAIN_START_BYTES: usize = 1024;

/// The [`Digest`] of a fragment: the events that make its HTML also make its text.
pub fn digest(markdown: &str) -> Digest {
    digest_with(markdown, true)
}

/// [`digest`]; without `plain`, its `plain_start` is left empty.
fn digest_with(markdown: &str, plain: bool) -> Digest {
    if markdown.is_empty() {
        return Digest::default();
    }
    let fresh = || Tap {
        plain_wanted: plain,
        ..Tap::default()
    };
    let mut tap = fresh();
    let fast = match safe_html::plain_input(markdown) {
        true => safe_html::render(
            page_events(markdown, Some(&mut tap)),
            markdown.len() * 3 / 2,
            &mut |_| {},
        ),
        false => None,
    };
    let html = match fast {
        Some(html) => html,
        None => {
            // The direct path gave up part way: its text is partial.
            tap = fresh();
            let mut raw = String::with_capacity(markdown.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut raw, page_events(markdown, Some(&mut tap)));
            SANITIZER.clean(&raw).to_string()
        }
    };
    let first_sentence = sentence(&tap.para.out).to_string();
    let first_sentence_md = match first_sentence.len() == tap.para.out.len() {
        true => tap.para_md.out,
        false => sentence_md(&tap.para_md.out).to_string(),
    };
    Digest {
        html,
        first_sentence,
        first_sentence_md,
        plain_start: tap.plain.out,
    }
}

/// The text of a fragment's events as [`to_plain`] and [`first_sentence`] take it,
/// whitespace collapsed as it comes.
#[derive(Default)]
struct Tap {
    /// Whether the plain text is kept at all.
    plain_wanted: bool,
    plain: Collapsed,
    para: Collapsed,
    /// The first paragraph as Markdown that shows the same text.
    para_md: Collapsed,
    depth: usize,
    /// The first paragraph with text has ended.
    para_done: bool,
}

impl Tap {
    fn see(&mut self, event: &Event) {
        let full = !self.plain_wanted || self.plain.out.len() >= PLAIN_START_BYTES;
        match event {
            _ if full => {}
            Event::Text(t) | Event::Code(t) => self.plain.push(t),
            Event::SoftBreak | Event::HardBreak => self.plain.push(" "),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => self.plain.push(" "),
            _ => {}
        }
        if self.para_done {
            return;
        }
        match event {
            Event::Start(Tag::Paragraph) => self.depth += 1,
            Event::End(TagEnd::Paragraph) => {
                if !self.para.out.is_empty() {
                    self.para_done = true;
                }
                self.depth = self.depth.saturating_sub(1);
            }
            Event::Text(t) if self.depth > 0 => {
                self.para.push(t);
                self.para_md.push(&md_escape_piece(t));
            }
            Event::Code(t) if self.depth > 0 => {
                self.para.push(t);
                self.para_md.push(&code_span(t));
            }
            Event::SoftBreak | Event::HardBreak if self.depth > 0 => {
                self.para.push(" ");
                self.para_md.push(" ");
            }
            _ => {}
        }
    }
}

/// Both ways to HTML, for tests: the direct path (when it applies) and the cleaned one.
#[doc(hidden)]
pub fn to_html_both_ways(markdown: &str) -> (Option<String>, String) {
    (fast_html(markdown), cleaned_html(markdown))
}

/// The direct path; `None` when it does not apply.
fn fast_html(markdown: &str) -> Option<String> {
    if markdown.is_empty() {
        return Some(String::new());
    }
    if !safe_html::plain_input(markdown) {
        return None;
    }
    safe_html::render(
        page_events(markdown, None),
        markdown.len() * 3 / 2,
        &mut |_| {},
    )
}

/// pulldown-cmark's HTML cleaned by ammonia.
fn cleaned_html(markdown: &str) -> String {
    if markdown.is_empty() {
        return String::new();
    }
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, page_events(markdown, None));
    SANITIZER.clean(&raw).to_string()
}

/// The events a page shows: nesting bounded, GFM alerts as quotes that open with their
/// label (the sanitizer drops the alert classes), and Learn's `:::image …:::` directives,
/// which Markdown does not know, replaced by their alt text (icons by nothing).
fn page_events<'a>(
    markdown: &'a str,
    mut tap: Option<&'a mut Tap>,
) -> impl Iterator<Item = Event<'a>> {
    use pulldown_cmark::{BlockQuoteKind, CowStr};
    let events = crate::parse::limit::events(markdown).inspect(move |e| {
        if let Some(tap) = tap.as_mut() {
            tap.see(e);
        }
    });
    coalesce_text(events).flat_map(|event| match event {
        Event::Start(Tag::BlockQuote(Some(kind))) => {
            let label = match kind {
                BlockQuoteKind::Note => "Note",
                BlockQuoteKind::Tip => "Tip",
                BlockQuoteKind::Important => "Important",
                BlockQuoteKind::Warning => "Warning",
                BlockQuoteKind::Caution => "Caution",
            };
            Expanded::Label { label, at: 0 }
        }
        Event::End(TagEnd::BlockQuote(Some(_))) => {
            Expanded::One(Some(Event::End(TagEnd::BlockQuote(None))))
        }
        Event::Text(t) if has_directive(&t) => Expanded::One(Some(Event::Text(CowStr::Boxed(
            without_directives(&t).into_boxed_str(),
        )))),
        other => Expanded::One(Some(other)),
    })
}

/// One event as the page shows it: itself, or an alert's opening: a quote that starts
/// with its label in bold.
enum Expanded<'a> {
    One(Option<Event<'a>>),
    Label { label: &'static str, at: u8 },
}

impl<'a> Iterator for Expanded<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        match self {
            Expanded::One(e) => e.take(),
            Expanded::Label { label, at } => {
                let event = match at {
                    0 => Event::Start(Tag::BlockQuote(None)),
                    1 => Event::Start(Tag::Paragraph),
                    2 => Event::Start(Tag::Strong),
                    3 => Event::Text(pulldown_cmark::CowStr::Borrowed(label)),
                    4 => Event::End(TagEnd::Strong),
                    5 => Event::End(TagEnd::Paragraph),
                    _ => return None,
                };
                *at += 1;
                Some(event)
            }
        }
    }
}

/// Does text hold `:::` (where a directive may be)?
fn has_directive(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| b.get(i + 1..i + 3) == Some(b"::"))
}

/// Adjacent text events as one (pulldown-cmark splits text at characters that might have
/// been markup, so a directive can arrive in pieces).
fn coalesce_text<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut events = events.peekable();
    std::iter::from_fn(move || {
        let first = events.next()?;
        let Event::Text(text) = first else {
            return Some(first);
        };
        if !matches!(events.peek(), Some(Event::Text(_))) {
            return Some(Event::Text(text));
        }
        let mut joined = text.into_string();
        while let Some(Event::Text(next)) = events.next_if(|e| matches!(e, Event::Text(_))) {
            joined.push_str(&next);
        }
        Some(Event::Text(pulldown_cmark::CowStr::Boxed(
            joined.into_boxed_str(),
        )))
    })
}

/// Text with `:::image …:::` directives replaced by their `alt-text` (icons: removed).
fn without_directives(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, after)) = rest.split_once(":::image") {
        let Some((attrs, tail)) = after.split_once(":::") else {
            break;
        };
        out.push_str(before);
        let alt = attrs
            .split_once("alt-text=\"")
            .and_then(|(_, a)| a.split_once('"'))
            .map(|(a, _)| a.trim());
        if let Some(alt) = alt.filter(|a| !a.is_empty() && !attrs.contains("type=\"icon\"")) {
            out.push_str("[Image: ");
            out.push_str(alt);
            out.push(']');
        }
        rest = tail.trim_start_matches(' ');
    }
    out.push_str(rest);
    out
}

/// Built once: a builder's allow-lists are hash sets, costlier to build than most
/// fragments are to clean.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(sanitizer);

fn sanitizer() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("th", ["align"]);
    b
}

/// The first sentence of Markdown's first paragraph, as plain text.
pub fn first_sentence(markdown: &str) -> String {
    let mut para = String::new();
    let mut depth = 0usize;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) => depth += 1,
            Event::End(TagEnd::Paragraph) => {
                if !para.trim().is_empty() {
                    break;
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) | Event::Code(t) if depth > 0 => para.push_str(&t),
            Event::SoftBreak | Event::HardBreak if depth > 0 => para.push(' '),
            _ => {}
        }
    }
    sentence(&collapse_whitespace(&para)).to_string()
}

/// [`sentence`] of Markdown whose text is escaped and whose code is in code spans (what
/// [`Digest::first_sentence_md`] holds): a stop inside a code span ends nothing.
fn sentence_md(md: &str) -> &str {
    let b = md.as_bytes();
    let mut masked = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => {
                let run = b[i..].iter().take_while(|&&c| c == b'`').count();
                // The closing run: the next run of the same length.
                let mut j = i + run;
                let mut close = None;
                while j < b.len() {
                    let n = b[j..].iter().take_while(|&&c| c == b'`').count();
                    if n == run {
                        close = Some(j);
                        break;
                    }
                    j += n.max(1);
                }
                let Some(close) = close else {
                    i += run;
                    continue;
                };
                // Stops inside become letters of the same length.
                for k in i + run..close {
                    match masked[k] {
                        b'.' | b'!' | b'?' => masked[k] = b'x',
                        0xE3 if masked.get(k + 1..k + 3) == Some(&[0x80, 0x82]) => {
                            masked[k + 2] = 0x87; // 。 -> 〇
                        }
                        0xEF if matches!(
                            masked.get(k + 1..k + 3),
                            Some([0xBC, 0x8E | 0x81 | 0x9F])
                        ) =>
                        {
                            masked[k + 2] = 0xA1; // ．！？ -> Ａ
                        }
                        _ => {}
                    }
                }
                i = close + run;
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes and whole characters of the same length were replaced.
    let masked = String::from_utf8(masked).unwrap_or_default();
    let end = sentence(&masked).len();
    md.get(..end).unwrap_or(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes() {
        let html = to_html(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<iframe src=\"https://e.test\"></iframe>",
        );
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("onerror"));
        assert!(!html.contains("<iframe"));
        assert!(
            html.contains("<a rel=\"noopener noreferrer\">x</a>"),
            "{html}"
        );
    }

    #[test]
    fn collapsed_in_pieces_is_collapsed_whole() {
        let pieces = [
            "",
            " ",
            "a",
            "  lead  ",
            "x\u{a0}y",
            "\t\n",
            "é\u{2003}",
            "b",
            "\u{202f}",
            "end ",
            "z",
        ];
        // Every run of three pieces, in every order the window gives.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let mut col = Collapsed::default();
                    for p in [a, b, c] {
                        col.push(p);
                    }
                    let whole = format!("{a}{b}{c}");
                    let want = whole.split_whitespace().collect::<Vec<_>>().join(" ");
                    assert_eq!(col.out, want, "{whole:?}");
                    assert_eq!(collapse_whitespace(&whole), want);
                }
            }
        }
    }

    #[test]
    fn sentences() {
        assert_eq!(
            first_sentence("Use TLS 1.2 everywhere. Then more."),
            "Use TLS 1.2 everywhere."
        );
        assert_eq!(
            first_sentence("**Bold** lead, e.g. this"),
            "Bold lead, e.g. this"
        );
        assert_eq!(
            sentence("**Choose the right size.** Identify the best."),
            "**Choose the right size.**"
        );
        assert_eq!(
            sentence("He said \"stop.\" Then left."),
            "He said \"stop.\""
        );
    }

    #[test]
    fn markdown_sentences_skip_stops_in_code_spans() {
        assert_eq!(sentence_md("Run `a. B` now. Next one."), "Run `a. B` now.");
        assert_eq!(
            sentence_md("Use ``x`。y`` here。次。"),
            "Use ``x`。y`` here。"
        );
        assert_eq!(sentence_md("Escaped \\` tick. Next."), "Escaped \\` tick.");
        let d = digest("Run `a. B` now. Next one.");
        assert_eq!(d.first_sentence, "Run a.");
        assert_eq!(d.first_sentence_md, "Run `a. B` now.");
    }

    #[test]
    fn full_width_stops_end_sentences() {
        assert_eq!(
            sentence("キーを定期的に更新します。古いキーは無効にします。"),
            "キーを定期的に更新します。"
        );
        assert_eq!(sentence("本当ですか？はい。"), "本当ですか？");
        assert_eq!(sentence("注意！すぐに。"), "注意！");
        assert_eq!(sentence("値は１．５です。次。"), "値は１．５です。");
        assert_eq!(sentence("「終わり。」次の文。"), "「終わり。」");
        // A stop at the end, or only closers after it, is the whole text.
        assert_eq!(sentence("一つの文。"), "一つの文。");
        assert_eq!(sentence("一つの文。」"), "一つの文。」");
        // The earlier stop wins, whichever kind.
        assert_eq!(sentence("Use TLS. 次に。"), "Use TLS.");
        assert_eq!(sentence("まず。 Then more."), "まず。");
        assert_eq!(
            first_sentence("**手順1：複製します。** 彼らは…"),
            "手順1：複製します。"
        );
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn alerts_show_their_label_and_directives_their_alt_text() {
        let html = to_html("> [!CAUTION]\n> Mind the gap.\n");
        assert_eq!(
            html,
            "<blockquote>\n<p><strong>Caution</strong></p>\n<p>Mind the gap.</p>\n</blockquote>\n"
        );
        let html = to_html(
            ":::image type=\"content\" source=\"a.png\" alt-text=\"A diagram.\":::\n\nText.",
        );
        assert_eq!(html, "<p>[Image: A diagram.]</p>\n<p>Text.</p>\n");
        let html =
            to_html("> :::image type=\"icon\" source=\"../_images/risk.svg\"::: **Risk:** x");
        assert_eq!(
            html,
            "<blockquote>\n<p><strong>Risk:</strong> x</p>\n</blockquote>\n"
        );
        let (fast, cleaned) = to_html_both_ways("> [!NOTE]\n> Both ways.\n");
        assert_eq!(fast.as_deref(), Some(cleaned.as_str()));
    }
}
