//! Byte offsets to line and column numbers, from a table of line starts.

/// Line starts of one file, built once, queried by binary search.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line and column (column counted in characters) of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = text
            .get(start..offset)
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
}
