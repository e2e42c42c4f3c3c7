//! Byte offsets to line and column numbers, from a table of line starts.

/// Line starts of one file, built once, queried by binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// Inside long lines, every `CHECKPOINT` bytes or so: (byte offset on a character
    /// boundary, characters from its line's start). A column is then counted from the
    /// nearest checkpoint, not from the start of a multi-megabyte line.
    checkpoints: Vec<(usize, usize)>,
}

const CHECKPOINT: usize = 4096;

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 40 + 1);
        starts.push(0);
        let mut checkpoints = Vec::new();
        let mut line_start = 0;
        for nl in memchr::memchr_iter(b'\n', bytes) {
            if nl - line_start >= CHECKPOINT {
                Self::checkpoint_line(bytes, line_start, nl + 1, &mut checkpoints);
            }
            starts.push(nl + 1);
            line_start = nl + 1;
        }
        if bytes.len() - line_start > CHECKPOINT {
            Self::checkpoint_line(bytes, line_start, bytes.len(), &mut checkpoints);
        }
        LineIndex {
            starts,
            checkpoints,
        }
    }

    /// Checkpoints inside one long line `start..end`: at the first character boundary at
    /// least `CHECKPOINT` bytes past the line's start or the last checkpoint.
    fn checkpoint_line(
        bytes: &[u8],
        start: usize,
        end: usize,
        checkpoints: &mut Vec<(usize, usize)>,
    ) {
        let mut chars = 0;
        let mut last = start;
        for (i, &b) in bytes.iter().enumerate().take(end).skip(start) {
            // Count characters by their first byte.
            if b & 0xC0 != 0x80 {
                if i - start >= CHECKPOINT && i - last >= CHECKPOINT {
                    checkpoints.push((i, chars));
                    last = i;
                }
                chars += 1;
            }
        }
    }

    /// 1-based line and column (column counted in characters) of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let nearest = match self
            .checkpoints
            .binary_search_by(|&(at, _)| at.cmp(&offset))
        {
            Ok(i) => self.checkpoints.get(i),
            Err(i) => i.checked_sub(1).and_then(|i| self.checkpoints.get(i)),
        };
        let (from, before) = match nearest {
            Some(&(at, chars)) if at >= start => (at, chars),
            _ => (start, 0),
        };
        let column = before
            + text
                .get(from..offset)
                .map(|s| s.chars().count())
                .unwrap_or(0);
        (line + 1, column + 1)
    }

    /// The byte range of a 1-based line, without its line ending.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(text.len());
        let end = self
            .starts
            .get(line)
            .map(|&n| n.saturating_sub(1))
            .unwrap_or(text.len())
            .max(start);
        let mut end = end.min(text.len());
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end
    }

    /// Start offsets of every line.
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "ab\r\n✓x\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(idx.position(text, 4), (2, 1));
        assert_eq!(idx.position(text, 7), (2, 2));
        assert_eq!(idx.position(text, 9), (3, 1));
        assert_eq!(&text[idx.line_range(text, 1)], "ab");
        assert_eq!(&text[idx.line_range(text, 2)], "✓x");
        assert_eq!(&text[idx.line_range(text, 3)], "last");
    }

    #[test]
    fn long_lines_count_from_checkpoints() {
        let text = format!("x\n{}\n{}", "é".repeat(10_000), "ab".repeat(5_000));
        let idx = LineIndex::new(&text);
        for offset in (0..text.len())
            .filter(|&o| text.is_char_boundary(o))
            .step_by(97)
        {
            let line = text[..offset].matches('\n').count();
            let start = text[..offset].rfind('\n').map_or(0, |p| p + 1);
            let column = text[start..offset].chars().count();
            assert_eq!(
                idx.position(&text, offset),
                (line + 1, column + 1),
                "{offset}"
            );
        }
    }
}
