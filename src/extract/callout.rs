//! Callouts: icon callouts (`> :::image type="icon" source="…/trade-off.svg"::: **Label:** …`)
//! classified by their icon file, and GFM alerts (`> [!NOTE]`).

use crate::model::{Callout, CalloutKind};
use crate::parse::{Alert, Kind, Node};

use super::text::unquote;

/// The callout a block is, if it is one. `md` gives the Markdown of a source range (links
/// resolved).
pub fn recognize<F>(node: &Node, _text: &str, md: F) -> Option<Callout>
where
    F: Fn(std::ops::Range<usize>) -> String,
{
    from_markdown(node, md(node.range.clone()))
}

/// Is this blockquote an icon callout (`> :::image type="icon" …:::`)? GFM alerts are not.
pub fn is_icon_callout(node: &Node) -> bool {
    matches!(node.kind, Kind::BlockQuote(None))
        && node
            .children
            .first()
            .filter(|p| p.kind == Kind::Paragraph)
            .and_then(|p| p.children.first())
            .is_some_and(
                |t| matches!(&t.kind, Kind::Text(s) if icon_directive(s.trim_start()).is_some()),
            )
}

/// The callout a blockquote is, given its Markdown with its own `>` markers (and any
/// enclosing ones already removed).
pub fn from_markdown(node: &Node, quoted: String) -> Option<Callout> {
    let Kind::BlockQuote(alert) = &node.kind else {
        return None;
    };
    let inner = unquote(quoted);
    if let Some(alert) = alert {
        let kind = match alert {
            Alert::Note => CalloutKind::Note,
            Alert::Tip => CalloutKind::Tip,
            Alert::Important => CalloutKind::Important,
            Alert::Warning => CalloutKind::Warning,
            Alert::Caution => CalloutKind::Caution,
        };
        // Drop the `[!NOTE]` line itself.
        let body = match inner.trim_start().split_once('\n') {
            Some((first, rest)) if first.trim_start().starts_with("[!") => rest,
            _ if inner.trim_start().starts_with("[!") => "",
            _ => inner.as_str(),
        };
        return Some(Callout {
            kind,
            label: kind.default_label().to_string(),
            text: body.trim().to_string(),
        });
    }
    let first = node.children.first()?;
    if first.kind != Kind::Paragraph {
        return None;
    }
    let trimmed = inner.trim_start();
    let directive = icon_directive(trimmed)?;
    let kind = classify(directive);
    let rest = trimmed.get(directive.len()..).unwrap_or("").trim_start();
    let (label, text) = split_label(rest, kind);
    Some(Callout {
        kind,
        label,
        text: text.trim().to_string(),
    })
}

/// The leading `:::image type="icon" …:::` directive of `s`, if it starts with one.
pub fn icon_directive(s: &str) -> Option<&str> {
    let rest = s.strip_prefix(":::image")?;
    let end = rest.find(":::")?;
    let directive = s.get(..":::image".len() + end + 3)?;
    let attrs = directive.to_ascii_lowercase();
    let is_icon = attrs.contains("type=\"icon\"") || attrs.contains("type='icon'");
    is_icon.then_some(directive)
}

/// The value of `source="…"` in a directive.
fn source_attr(directive: &str) -> Option<&str> {
    let start = directive.find("source=")? + "source=".len();
    let rest = directive.get(start..)?;
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let rest = rest.get(1..)?;
    rest.find(quote).and_then(|end| rest.get(..end))
}

/// Icon file name to callout kind; the label's spelling never matters.
fn classify(directive: &str) -> CalloutKind {
    let file = source_attr(directive)
        .and_then(|s| s.rsplit(['/', '\\']).next())
        .unwrap_or("")
        .to_ascii_lowercase();
    match file.as_str() {
        "trade-off.svg" | "tradeoff.svg" => CalloutKind::TradeOff,
        "risk.svg" => CalloutKind::Risk,
        "ai.svg" => CalloutKind::Ai,
        _ => CalloutKind::Other,
    }
}

/// Splits `**Label:** text` (or `**Label**: text`) into label and text. A bold topic
/// sentence that is not a label (`**Security requires intentional action.** …`) stays in
/// the text and the kind's default label is used.
fn split_label(rest: &str, kind: CalloutKind) -> (String, &str) {
    let default = || (kind.default_label().to_string(), rest);
    let Some(after_open) = rest.strip_prefix("**").or_else(|| rest.strip_prefix("__")) else {
        return default();
    };
    let marker = if rest.starts_with("**") { "**" } else { "__" };
    let Some((bold, after)) = after_open.split_once(marker) else {
        return default();
    };
    let bold = bold.trim();
    if let Some(label) = bold.strip_suffix(':') {
        (label.trim().to_string(), after)
    } else if let Some(after) = after.strip_prefix(':') {
        (bold.to_string(), after)
    } else {
        default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let k = CalloutKind::TradeOff;
        assert_eq!(
            split_label("**Trade-off:** x", k),
            ("Trade-off".into(), " x")
        );
        assert_eq!(
            split_label("**Tradeoffs**: x", k),
            ("Tradeoffs".into(), " x")
        );
        assert_eq!(
            split_label("**Security requires action.** x", CalloutKind::Risk),
            ("Risk".into(), "**Security requires action.** x")
        );
    }

    #[test]
    fn icons() {
        assert_eq!(
            classify(r#":::image type="icon" source="../_images/trade-off.svg":::"#),
            CalloutKind::TradeOff
        );
        assert_eq!(
            classify(r#":::image type="icon" source="../_images/risk.svg":::"#),
            CalloutKind::Risk
        );
        assert_eq!(
            classify(r#":::image type="icon" source="../_images/ai.svg":::"#),
            CalloutKind::Ai
        );
        assert_eq!(
            classify(r#":::image type="icon" source="../_images/idea.svg":::"#),
            CalloutKind::Other
        );
    }
}
