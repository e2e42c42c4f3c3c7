//! Source slices as Markdown: line endings normalized, blockquote markers removed.

/// Removes one level of blockquote markers (`>`, `> `, up to three leading spaces) from
/// each line; lazy continuation lines, which carry no marker, are kept as they are.
pub fn unquote(markdown: String) -> String {
    let mut out = String::with_capacity(markdown.len());
    for (i, line) in markdown.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let stripped = if indent <= 3 {
            line.trim_start_matches(' ').strip_prefix('>')
        } else {
            None
        };
        match stripped {
            Some(rest) => {
                let rest = rest
                    .strip_prefix(' ')
                    .or_else(|| rest.strip_prefix('\t'))
                    .unwrap_or(rest);
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Removes the first line's indentation from every line (less where a line has less).
pub fn dedent(md: &str) -> String {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let first = md.lines().next().map(indent).unwrap_or(0);
    md.split('\n')
        .map(|l| &l[indent(l).min(first)..])
        .collect::<Vec<_>>()
        .join("\n")
}

/// Joins Markdown blocks with one blank line between them.
pub fn join_blocks<I: IntoIterator<Item = String>>(blocks: I) -> String {
    let parts: Vec<String> = blocks
        .into_iter()
        .filter(|b| !b.trim().is_empty())
        .collect();
    parts.join("\n\n")
}

/// `:::image …:::` directives removed and whitespace collapsed: for titles.
pub fn strip_directives(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((before, after)) = rest.split_once(":::") {
        out.push_str(before);
        match after.split_once(":::") {
            Some((_, tail)) => rest = tail,
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    crate::text::collapse_whitespace(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_keeps_lazy_lines() {
        assert_eq!(unquote("> a\n>b\n  > c\nlazy".into()), "a\nb\nc\nlazy");
    }

    #[test]
    fn directives() {
        assert_eq!(
            strip_directives(r#":::image type="icon" source="x.svg"::: Level 1"#),
            "Level 1"
        );
    }
}
