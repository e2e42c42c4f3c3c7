//! Text-level checks that need no Markdown structure: mojibake.

use crate::diag::Diagnostic;
use crate::load::SourceFile;

/// Windows-1252 bytes 0x80..=0x9F as the characters they decode to.
const CP1252_HIGH: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

/// The byte a character stood for when UTF-8 was misread as Windows-1252.
fn cp1252_byte(c: char) -> Option<u8> {
    let code = c as u32;
    if (0xA0..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    CP1252_HIGH.iter().find(|(ch, _)| *ch == c).map(|&(_, b)| b)
}

/// Finds runs such as `â€”` (UTF-8 read as Windows-1252) and warns with the repair.
pub fn mojibake(file: &SourceFile, diags: &mut Vec<Diagnostic>) {
    mojibake_outside(file, &[], diags);
}

/// [`mojibake`], leaving out the byte ranges of `code` (code blocks and code spans, sorted
/// by start): a sample of mojibake in code is what the page means to show.
pub fn mojibake_outside(
    file: &SourceFile,
    code: &[std::ops::Range<usize>],
    diags: &mut Vec<Diagnostic>,
) {
    let in_code = |offset: usize| {
        let k = code.partition_point(|r| r.start <= offset);
        k > 0 && code.get(k - 1).is_some_and(|r| r.contains(&offset))
    };
    let text = &file.text;
    let body = text.get(file.body_start..).unwrap_or("");
    // Every lead character is in U+00C2..=U+00F4, which UTF-8 writes as 0xC3 and one more
    // byte: only those places are looked at.
    let mut from = 0;
    while let Some(found) = memchr::memchr(0xC3, body.as_bytes().get(from..).unwrap_or(&[])) {
        let at = from + found;
        let Some(mut chars) = body.get(at..).map(str::char_indices) else {
            from = at + 1;
            continue;
        };
        let Some((_, c)) = chars.next() else { break };
        from = at + c.len_utf8();
        let offset = at + file.body_start;
        let lead = cp1252_byte(c);
        let need = match lead {
            Some(0xC2..=0xDF) => 1,
            Some(0xE0..=0xEF) => 2,
            Some(0xF0..=0xF4) => 3,
            _ => 0,
        };
        if need == 0 {
            continue;
        }
        let mut ahead = chars.clone();
        let mut bytes = vec![lead.unwrap_or(0)];
        for _ in 0..need {
            match ahead.next().and_then(|(_, next)| cp1252_byte(next)) {
                Some(b @ 0x80..=0xBF) => bytes.push(b),
                _ => break,
            }
        }
        if bytes.len() == need + 1 && !in_code(offset) {
            if let Ok(fixed) = std::str::from_utf8(&bytes) {
                let end = ahead
                    .clone()
                    .next()
                    .map(|(o, _)| at + o + file.body_start)
                    .unwrap_or(text.len());
                let found = text.get(offset..end).unwrap_or("");
                diags.push(
                    Diagnostic::warning(
                        "mojibake",
                        &file.path,
                        format!("`{found}` looks like UTF-8 text decoded as Windows-1252"),
                    )
                    .at(text, &file.lines, offset..end)
                    .label(format!("probably `{fixed}`"))
                    .help(format!("replace `{found}` with `{fixed}`")),
                );
                from = ahead.next().map_or(body.len(), |(o, _)| at + o);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_em_dash() {
        let mut d = Vec::new();
        let f = crate::load::from_bytes(
            "x.md",
            "a componentsâ€\u{201d}all b é ok\n".as_bytes().to_vec(),
            &mut d,
        )
        .unwrap();
        mojibake(&f, &mut d);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "`â€\u{201d}` looks like UTF-8 text decoded as Windows-1252"
        );
        assert_eq!(d[0].help.as_deref(), Some("replace `â€\u{201d}` with `—`"));
        assert_eq!((d[0].line, d[0].column), (1, 13));
    }
}
