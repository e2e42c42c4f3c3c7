//! Links: resolved to published URLs, and checked (relative targets missing from INPUT,
//! in-page anchors no heading has).

use std::collections::HashSet;

use crate::diag::Diagnostic;
use crate::parse::{Kind, Node};

/// Where pages are published: the base URL for relative pages and the site root for
/// site-root links (`/azure/...`).
#[derive(Debug, Clone)]
pub struct Site {
    /// Ends with `/`: `https://learn.microsoft.com/azure/well-architected/`.
    pub base: String,
    /// Scheme and host: `https://learn.microsoft.com`.
    pub root: String,
}

impl Site {
    /// A site published at `base`; an empty `base` (or `none`) is no site: pages get no
    /// URL and links stay as written.
    pub fn new(base: &str) -> Site {
        if base.trim().is_empty() || base.trim() == "none" {
            return Site {
                base: String::new(),
                root: String::new(),
            };
        }
        let mut base = base.trim().to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        let root = match base.split_once("://") {
            Some((scheme, rest)) => match rest.split_once('/') {
                Some((host, _)) => format!("{scheme}://{host}"),
                None => base.trim_end_matches('/').to_string(),
            },
            None => String::new(),
        };
        Site { base, root }
    }

    /// The published URL of a page at `path` (relative to INPUT).
    pub fn page_url(&self, path: &str) -> String {
        if self.base.is_empty() {
            return String::new();
        }
        let stem = strip_md(path);
        let stem = stem
            .strip_suffix("index")
            .filter(|s| s.is_empty() || s.ends_with('/'))
            .unwrap_or(stem);
        format!("{}{}", self.base, url_path(stem))
    }
}

/// A page's path as a URL path: every byte outside the unreserved characters and `/`
/// percent-encoded (`#`, `?`, `%`, spaces, `<`, quotes, line separators), and a segment of
/// dots only (`..`) written `%2E%2E`, so that a page's name can neither end the path nor
/// climb out of the site (RFC 3986, sections 2.3 and 5.2.4).
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let dots = !segment.is_empty() && segment.bytes().all(|b| b == b'.');
        for b in segment.bytes() {
            if !dots && (b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

impl Default for Site {
    fn default() -> Self {
        Site::new(DEFAULT_BASE)
    }
}

pub const DEFAULT_BASE: &str = "https://learn.microsoft.com/azure/well-architected/";

fn strip_md(path: &str) -> &str {
    path.strip_suffix(".mdx")
        .or_else(|| path.strip_suffix(".md"))
        .or_else(|| path.strip_suffix(".MD"))
        .unwrap_or(path)
}

/// Joins `dir` segments and a relative path, resolving `.` and `..`. Returns the segments
/// and how many `..` went above the start.
fn join(dir: &[&str], rel: &str) -> (Vec<String>, usize) {
    let mut out: Vec<String> = dir.iter().map(|s| s.to_string()).collect();
    let mut above = 0;
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.pop().is_none() {
                    above += 1;
                }
            }
            s => out.push(s.to_string()),
        }
    }
    (out, above)
}

/// What a link destination is.
#[derive(Debug, PartialEq)]
pub enum Target {
    /// `#anchor` on this page.
    InPage(String),
    /// A page path relative to INPUT (`None` when it leaves INPUT), and the URL.
    Relative {
        input_path: Option<String>,
        url: String,
    },
    /// `/azure/...`, resolved against the site root.
    SiteRoot(String),
    /// Absolute URLs, mailto and anything else: left alone.
    Other,
}

/// Classifies and resolves a destination found in the page at `page` (relative to INPUT).
pub fn resolve(site: &Site, page: &str, dest: &str) -> Target {
    let dest = dest.trim();
    if let Some(anchor) = dest.strip_prefix('#') {
        return Target::InPage(anchor.to_string());
    }
    if dest.starts_with("//")
        || dest.contains("://")
        || dest.starts_with("mailto:")
        || dest.is_empty()
    {
        return Target::Other;
    }
    if dest.contains(':') && !dest.contains('/') {
        return Target::Other;
    }
    if dest.starts_with('/') {
        return Target::SiteRoot(format!("{}{}", site.root, dest));
    }
    let (path, suffix) = dest
        .find(['#', '?'])
        .and_then(|p| Some((dest.get(..p)?, dest.get(p..)?)))
        .unwrap_or((dest, ""));
    let page_dir: Vec<&str> = page.split('/').collect();
    let page_dir = page_dir.split_last().map(|(_, dirs)| dirs).unwrap_or(&[]);
    let (segments, above) = join(page_dir, path);
    let input_path = (above == 0).then(|| segments.join("/"));
    // The URL: the base URL's path, then the page's folder, then the link.
    let base_path = site.base.strip_prefix(&site.root).unwrap_or("/");
    let base_dirs: Vec<&str> = base_path.split('/').filter(|s| !s.is_empty()).collect();
    let mut dirs: Vec<&str> = base_dirs.clone();
    dirs.extend_from_slice(page_dir);
    let (url_segments, _) = join(&dirs, path);
    let mut url_path = url_segments.join("/");
    if url_path.ends_with(".md") || url_path.ends_with(".MD") {
        url_path.truncate(url_path.len() - 3);
    }
    Target::Relative {
        input_path,
        url: format!("{}/{}{}", site.root, url_path, suffix),
    }
}

/// A link destination's place in the source and what replaces it.
#[derive(Debug, Clone)]
pub struct Rewrite {
    pub start: usize,
    pub end: usize,
    pub with: String,
}

/// Finds the raw destination of an inline link or image inside its source range.
fn raw_dest(text: &str, node: &Node, dest: &str) -> Option<(usize, usize)> {
    let src = text.get(node.range.clone())?;
    let mut found = None;
    let mut from = 0;
    while let Some(p) = src.get(from..).and_then(|s| s.find("](")) {
        let at = from + p + 2;
        let rest = src.get(at..).unwrap_or("");
        let trimmed = rest.trim_start();
        let ws = rest.len() - trimmed.len();
        let (skip, body) = match trimmed.strip_prefix('<') {
            Some(b) => (1, b),
            None => (0, trimmed),
        };
        if !dest.is_empty() && body.starts_with(dest) {
            let start = node.range.start + at + ws + skip;
            found = Some((start, start + dest.len()));
        }
        from = at;
    }
    found
}

/// Everything links need: the rewrites applied to Markdown, and the diagnostics.
pub struct LinkCheck<'a> {
    pub site: &'a Site,
    pub page: &'a str,
    pub page_url: &'a str,
    /// Every Markdown path under INPUT, when known (a whole-folder compile).
    pub known: Option<&'a HashSet<String>>,
    pub anchors: &'a HashSet<String>,
}

impl LinkCheck<'_> {
    /// Walks every link and image of the tree: returns the rewrites, sorted, and pushes
    /// warnings for broken targets. `skip` holds anchors already reported elsewhere.
    pub fn run(
        &self,
        text: &str,
        blocks: &[Node],
        lines: &crate::parse::lines::LineIndex,
        skip: &HashSet<String>,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<Rewrite> {
        let mut out = Vec::new();
        let mut stack: Vec<&Node> = blocks.iter().rev().collect();
        while let Some(node) = stack.pop() {
            let dest = match &node.kind {
                Kind::Link(d) | Kind::Image(d) => Some(d.as_str()),
                _ => None,
            };
            if let Some(dest) = dest {
                self.check(text, node, dest, lines, skip, diags, &mut out);
            }
            stack.extend(node.children.iter().rev());
        }
        out.sort_by_key(|r| r.start);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        text: &str,
        node: &Node,
        dest: &str,
        lines: &crate::parse::lines::LineIndex,
        skip: &HashSet<String>,
        diags: &mut Vec<Diagnostic>,
        out: &mut Vec<Rewrite>,
    ) {
        let raw = raw_dest(text, node, dest);
        let at = raw.map(|(s, e)| s..e).unwrap_or(node.range.clone());
        let replacement = match resolve(self.site, self.page, dest) {
            Target::InPage(anchor) => {
                if anchor.starts_with("tab/") || skip.contains(&anchor) {
                    return;
                }
                if !anchor.is_empty() && !self.anchors.contains(&anchor) {
                    diags.push(
                        Diagnostic::warning(
                            "broken-link",
                            self.page,
                            format!("in-page link to `#{anchor}`, which no heading in this file has"),
                        )
                        .at(text, lines, at.clone())
                        .label("no heading has this anchor")
                        .help("fix the anchor (lowercase, spaces as `-`, punctuation dropped) or the heading"),
                    );
                }
                format!("{}#{}", self.page_url, anchor)
            }
            Target::Relative { input_path, url } => {
                let is_page = input_path
                    .as_deref()
                    .is_some_and(|p| p.ends_with(".md") || p.ends_with(".mdx"));
                if let (Some(known), true) = (
                    self.known,
                    dest.split(['#', '?'])
                        .next()
                        .is_some_and(|p| p.ends_with(".md") || p.ends_with(".mdx")),
                ) {
                    let present = is_page && input_path.as_ref().is_some_and(|p| known.contains(p));
                    if !present {
                        let target = dest.split(['#', '?']).next().unwrap_or(dest);
                        diags.push(
                            Diagnostic::warning(
                                "broken-link",
                                self.page,
                                format!("link target `{target}` is not in INPUT"),
                            )
                            .at(text, lines, at.clone())
                            .label("no such page under INPUT")
                            .help(if self.site.base.is_empty() {
                                "fix the path if that page does not exist".to_string()
                            } else {
                                format!("the published link will be {url}; fix the path if that page does not exist")
                            }),
                        );
                    }
                }
                url
            }
            Target::SiteRoot(url) => url,
            Target::Other => return,
        };
        // Without a site, links stay as the page writes them.
        if self.site.base.is_empty() {
            return;
        }
        if let Some((start, end)) = raw {
            out.push(Rewrite {
                start,
                end,
                with: replacement,
            });
        }
    }
}

/// `text[range]` with the rewrites that fall inside it applied.
pub fn apply(text: &str, range: std::ops::Range<usize>, rewrites: &[Rewrite]) -> String {
    let mut out = String::with_capacity(range.len() + 64);
    let mut pos = range.start;
    let first = rewrites.partition_point(|r| r.start < range.start);
    for r in rewrites.get(first..).unwrap_or(&[]) {
        if r.end > range.end {
            break;
        }
        out.push_str(text.get(pos..r.start).unwrap_or(""));
        out.push_str(&r.with);
        pos = r.end;
    }
    out.push_str(text.get(pos..range.end).unwrap_or(""));
    out
}

/// Anchors longer than this are neither given a "did you mean" nor suggested: a heading of
/// over 256 characters is not one a link is typed to by hand, and comparing two anchors
/// costs the product of their lengths.
pub const SUGGEST_MAX_CHARS: usize = 256;

/// How much one "did you mean" may compare: the sum, over the anchors compared, of the
/// product of the two lengths (the steps of a Levenshtein distance). About a millisecond.
const SUGGEST_BUDGET: usize = 1 << 20;

/// The anchor among `anchors` closest to `missing`, when it is close enough to be a typo:
/// at most a third of the longer one's characters (and at least 2) apart, the nearest
/// first, then the first in byte order. Only anchors whose length is within that distance
/// are compared, for at most [`SUGGEST_BUDGET`] steps: those nearest in length first, and
/// of those, the ones that share the longest start and end with `missing` (a typo leaves
/// both). Anchors of more than [`SUGGEST_MAX_CHARS`] characters are left out. A suggestion
/// thus costs a bounded amount whatever the page holds.
pub fn closest_anchor<'a>(
    anchors: impl IntoIterator<Item = &'a str>,
    missing: &str,
) -> Option<&'a str> {
    closest_anchor_counted(anchors, missing).0
}

/// [`closest_anchor`], and how many anchors it compared.
fn closest_anchor_counted<'a>(
    anchors: impl IntoIterator<Item = &'a str>,
    missing: &str,
) -> (Option<&'a str>, usize) {
    let len = missing.chars().count();
    if len > SUGGEST_MAX_CHARS {
        return (None, 0);
    }
    // Anchors within reach by length alone, in the order they are compared: length
    // difference, then the longest shared start and end first, then byte order.
    let mut near: Vec<(usize, std::cmp::Reverse<usize>, &'a str, usize)> = anchors
        .into_iter()
        .filter_map(|a| {
            // More bytes than the cap has 4-byte characters is over it: not counted.
            if a.len() > 4 * SUGGEST_MAX_CHARS {
                return None;
            }
            let alen = a.chars().count();
            let allowed = (alen.max(len) / 3).max(2);
            if alen > SUGGEST_MAX_CHARS || alen.abs_diff(len) > allowed {
                return None;
            }
            let start = a
                .chars()
                .zip(missing.chars())
                .take_while(|(x, y)| x == y)
                .count();
            let end = a
                .chars()
                .rev()
                .zip(missing.chars().rev())
                .take_while(|(x, y)| x == y)
                .count();
            Some((
                alen.abs_diff(len),
                std::cmp::Reverse(start + end),
                a,
                allowed,
            ))
        })
        .collect();
    near.sort_unstable();
    near.dedup();
    let mut budget = SUGGEST_BUDGET;
    let mut compared = 0;
    let mut best: Option<(usize, &'a str)> = None;
    for (diff, _, a, allowed) in near {
        // An anchor further in length is at least that far: it cannot beat a distance found.
        if best.is_some_and(|(d, _)| d < diff) {
            break;
        }
        let cost = (len + diff).max(1) * len.max(1);
        if cost > budget {
            break;
        }
        budget -= cost;
        compared += 1;
        let d = strsim::levenshtein(a, missing);
        if d <= allowed && best.is_none_or(|b| (d, a) < b) {
            best = Some((d, a));
        }
    }
    (best.map(|(_, a)| a), compared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls_encode_what_a_name_may_hold() {
        let site = Site::new("https://docs.example.com/guide/");
        let cases = [
            ("#hash.md", "https://docs.example.com/guide/%23hash"),
            ("?q.md", "https://docs.example.com/guide/%3Fq"),
            ("%2e%2e.md", "https://docs.example.com/guide/%252e%252e"),
            ("a/../..md", "https://docs.example.com/guide/a/%2E%2E/%2E"),
            ("<script>.md", "https://docs.example.com/guide/%3Cscript%3E"),
            (
                "caf\u{e9} \u{2028}x.md",
                "https://docs.example.com/guide/caf%C3%A9%20%E2%80%A8x",
            ),
            (
                "ops/release-checklist.md",
                "https://docs.example.com/guide/ops/release-checklist",
            ),
            ("ops/index.md", "https://docs.example.com/guide/ops/"),
        ];
        for (path, url) in cases {
            assert_eq!(site.page_url(path), url, "{path}");
        }
    }

    #[test]
    fn resolves() {
        let site = Site::default();
        assert_eq!(site.root, "https://learn.microsoft.com");
        assert_eq!(
            site.page_url("security/maturity-model.md"),
            "https://learn.microsoft.com/azure/well-architected/security/maturity-model"
        );
        let page = "service-guides/azure-firewall.md";
        assert_eq!(
            resolve(&site, page, "../security/networking.md#apply-firewalls-at-the-edge"),
            Target::Relative {
                input_path: Some("security/networking.md".into()),
                url: "https://learn.microsoft.com/azure/well-architected/security/networking#apply-firewalls-at-the-edge".into()
            }
        );
        assert_eq!(
            resolve(&site, "security/checklist.md", "./establish-baseline.md"),
            Target::Relative {
                input_path: Some("security/establish-baseline.md".into()),
                url:
                    "https://learn.microsoft.com/azure/well-architected/security/establish-baseline"
                        .into()
            }
        );
        assert_eq!(
            resolve(&site, "a.md", "../../x/y.md"),
            Target::Relative {
                input_path: None,
                url: "https://learn.microsoft.com/x/y".into()
            }
        );
        assert_eq!(
            resolve(&site, page, "/azure/firewall/overview"),
            Target::SiteRoot("https://learn.microsoft.com/azure/firewall/overview".into())
        );
        assert_eq!(
            resolve(&site, page, "https://example.com/a.md"),
            Target::Other
        );
        assert_eq!(resolve(&site, page, "#x"), Target::InPage("x".into()));
    }

    #[test]
    fn closest_anchor_is_a_near_typo() {
        let anchors = [
            "-encrypt-data-at-rest",
            "-encrypt-data-in-transit",
            "x",
            "ab",
        ];
        assert_eq!(
            closest_anchor(anchors, "-encrypt-data-at-rst"),
            Some("-encrypt-data-at-rest")
        );
        assert_eq!(closest_anchor(anchors, "-something-else"), None);
        // At least two edits are allowed; equal distances go to the first in byte order.
        assert_eq!(closest_anchor(["ba", "ab"], "aa"), Some("ab"));
        assert_eq!(closest_anchor(anchors, "y"), Some("x"));
        assert_eq!(closest_anchor([], "y"), None);
    }

    #[test]
    fn closest_anchor_leaves_out_long_anchors() {
        let long = "a".repeat(SUGGEST_MAX_CHARS);
        let longer = "a".repeat(SUGGEST_MAX_CHARS + 1);
        let typo = format!("{}b", "a".repeat(SUGGEST_MAX_CHARS - 1));
        assert_eq!(closest_anchor([long.as_str()], &typo), Some(long.as_str()));
        assert_eq!(closest_anchor([longer.as_str()], &typo), None);
        assert_eq!(closest_anchor([long.as_str()], &longer), None);
        // Multi-byte characters count as one each.
        let wide = "é".repeat(SUGGEST_MAX_CHARS);
        let wide_typo = format!("{}e", "é".repeat(SUGGEST_MAX_CHARS - 1));
        assert_eq!(
            closest_anchor([wide.as_str()], &wide_typo),
            Some(wide.as_str())
        );
    }

    #[test]
    fn closest_anchor_stops_at_its_budget() {
        // 200 anchors of 250 characters, all within reach by length: comparing one costs
        // 62,500 steps, so the budget compares 16 and stops. Those that share the longest
        // start and end with the missing anchor come first.
        let anchors: Vec<String> = (0..200)
            .map(|i| format!("{i:03}{}", "x".repeat(247)))
            .collect();
        let all = || anchors.iter().map(String::as_str);
        let typo = format!("1990{}", "x".repeat(246));
        assert_eq!(
            closest_anchor_counted(all(), &typo),
            (Some(anchors[199].as_str()), 16)
        );
        let far = "y".repeat(250);
        assert_eq!(closest_anchor_counted(all(), &far), (None, 16));
        // Nothing in reach by length: nothing compared.
        assert_eq!(closest_anchor_counted(all(), "x"), (None, 0));
    }
}
