//! POSIX shell scripts of a tracker's own CLI: every value in single quotes.

/// `s` as one shell word: in single quotes, each `'` written `'\''`.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The first lines of every script: the shebang, what it does, how to run it, `set -eu`.
pub fn head(about: &[String]) -> String {
    let mut s = String::from("#!/bin/sh\n");
    for line in about {
        s.push_str("# ");
        s.push_str(line);
        s.push('\n');
    }
    s.push_str("set -eu\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's $HOME `x`"), "'it'\\''s $HOME `x`'");
    }
}
