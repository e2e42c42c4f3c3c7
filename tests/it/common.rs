//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use checkdown::model::{CalloutKind, Document};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// ../shared/corpus/waf, or `None` (and a printed note) when this clone has no ../shared.
pub fn corpus() -> Option<PathBuf> {
    let p = repo().join("../shared/corpus/waf");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "skipped: {} is absent (it comes with the docs checkout in CI)",
            p.display()
        );
        None
    }
}

/// Compiles one file of the corpus in place, with the path it has there.
pub fn corpus_doc(rel: &str) -> Option<(Option<Document>, Vec<checkdown::diag::Diagnostic>)> {
    let root = corpus()?;
    let text = std::fs::read_to_string(root.join(rel)).expect("corpus file is readable");
    Some(checkdown::compile_text(rel, &text))
}

pub fn seed_text() -> String {
    std::fs::read_to_string(repo().join("input/security/maturity-model.md")).expect("seed")
}

pub fn seed() -> Document {
    let (doc, diags) = checkdown::compile_text("security/maturity-model.md", &seed_text());
    assert_eq!(
        diags.len(),
        1,
        "the seed has exactly one diagnostic (mojibake): {diags:?}"
    );
    doc.expect("the seed is a checklist")
}

/// Runs the binary in `dir` with `args`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .current_dir(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("checkdown runs")
}

/// `checkdown build INPUT -o OUT --lock LOCK` with `extra` arguments, from the repository,
/// with the library's default base URL (the bundled pages' site, as `Options::default()`)
/// unless `extra` gives `--base-url`.
pub fn build_into(input: &Path, out: &Path, lock: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        input.to_str().expect("path"),
        "-o",
        out.to_str().expect("path"),
        "--lock",
        lock.to_str().expect("path"),
    ];
    if !extra.contains(&"--base-url") {
        args.extend(["--base-url", checkdown::extract::links::DEFAULT_BASE]);
    }
    args.extend_from_slice(extra);
    run(&repo(), &args)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn count(callouts: &[checkdown::model::Callout], kind: CalloutKind) -> usize {
    callouts.iter().filter(|c| c.kind == kind).count()
}

/// A fresh empty folder under the target dir (no extra crate needed).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A description without the ` rev …` that ends its id line, checked to be eight hex digits
/// in a code span (Markdown `` `…` `` or Jira `{{…}}`).
pub fn without_rev(s: &str) -> String {
    let at = s.rfind(" rev ").expect("the id line has a revision");
    let rev = &s[at + 5..];
    let hex = rev
        .strip_prefix('`')
        .and_then(|r| r.strip_suffix('`'))
        .or_else(|| rev.strip_prefix("{{").and_then(|r| r.strip_suffix("}}")))
        .expect("the revision is in a code span");
    assert!(
        hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()),
        "{rev}"
    );
    s[..at].to_string()
}
