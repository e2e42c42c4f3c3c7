//! The streamed build (`checkdown build`, a document at a time) writes byte for byte what
//! the reference path writes: the library's `lock::compile` over the whole catalog, then
//! `render::render` of it, and the lock's `to_text`. Its diagnostics are the ones the
//! whole-catalog build prints (the path a tracker profile takes), in the same order.
//! Every build here writes into a temporary folder, its lock included.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use checkdown::lock::{self, Lock};
use checkdown::render::{render, Format};
use checkdown::Options;

use crate::common::{build_into, corpus, fixture, repo, stderr, temp_dir};

/// Every file under `dir` but the manifest, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk output");
        if entry.file_type().is_file() {
            let rel = checkdown::load::relative(dir, entry.path());
            if rel != checkdown::write::MANIFEST {
                out.insert(rel, std::fs::read(entry.path()).expect("read output"));
            }
        }
    }
    out
}

/// The diagnostics a build printed: standard error without checkdown's own lines (the
/// summary, the lock's update).
fn diagnostics(o: &Output) -> String {
    stderr(o)
        .lines()
        .filter(|l| !l.starts_with("checkdown: "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the reference path writes for `input` with the lock `lock_text` (none: empty).
fn reference(input: &Path, lock_text: Option<&str>) -> (BTreeMap<String, Vec<u8>>, String) {
    let old = match lock_text {
        Some(t) => Lock::parse(t).expect("the lock parses"),
        None => Lock::default(),
    };
    let (compiled, applied) = lock::compile(input, None, &Options::default(), &old);
    let files = render(&compiled.catalog, &Format::ALL, None).expect("renders");
    let files = files.into_iter().map(|f| (f.path, f.bytes)).collect();
    (files, applied.lock.to_text())
}

/// Builds `input` streamed with `--jobs 1` and `--jobs 2` and the whole-catalog way, each
/// starting from the lock `lock_text`, and compares them with the reference. Returns the
/// streamed build's diagnostics.
fn same_as_reference(input: &Path, name: &str, lock_text: Option<&str>) -> String {
    let dir = temp_dir(&format!("stream-{name}"));
    let (want, want_lock) = reference(input, lock_text);
    let start = |lock: &Path| match lock_text {
        Some(t) => std::fs::write(lock, t).expect("write lock"),
        None => {
            let _ = std::fs::remove_file(lock);
        }
    };
    let whole_lock = dir.join("whole.lock");
    start(&whole_lock);
    let whole = build_into(
        input,
        &dir.join("whole"),
        &whole_lock,
        &["--tracker", "generic,jira"],
    );
    assert!(
        whole.status.code().is_some_and(|c| c < 2),
        "{}",
        stderr(&whole)
    );
    let mut printed = None;
    for jobs in ["1", "2"] {
        let out = dir.join(format!("out-{jobs}"));
        let lock = dir.join(format!("jobs-{jobs}.lock"));
        start(&lock);
        let o = build_into(input, &out, &lock, &["--jobs", jobs]);
        assert_eq!(o.status.code(), whole.status.code(), "{}", stderr(&o));
        let got = files(&out);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{name}: the files written (--jobs {jobs})"
        );
        for (path, bytes) in &want {
            assert!(
                got[path] == *bytes,
                "{name}: {path} differs from the reference (--jobs {jobs})"
            );
        }
        let lock_now = std::fs::read_to_string(&lock).expect("lock written");
        assert_eq!(lock_now, want_lock, "{name}: the lock (--jobs {jobs})");
        assert_eq!(
            diagnostics(&o),
            diagnostics(&whole),
            "{name}: diagnostics differ from the whole-catalog build (--jobs {jobs})"
        );
        // Nothing is left behind: no staging folder, no temporary file.
        let names: Vec<String> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names
                .iter()
                .any(|n| n.contains(".tmp") || n.starts_with(checkdown::write::STAGING_PREFIX)),
            "{name}: left behind: {names:?}"
        );
        // Built again from the lock it wrote: nothing changes.
        let again = build_into(input, &out, &lock, &["--jobs", jobs]);
        assert!(
            stderr(&again).contains(", 0 files written in "),
            "{}",
            stderr(&again)
        );
        assert_eq!(std::fs::read_to_string(&lock).expect("lock"), want_lock);
        let check = build_into(input, &out, &lock, &["--jobs", jobs, "--check"]);
        assert!(
            stderr(&check).contains(", 0 files out of date in "),
            "{}",
            stderr(&check)
        );
        printed = Some(diagnostics(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
    printed.unwrap_or_default()
}

#[test]
fn input_streams_like_the_reference() {
    same_as_reference(&repo().join("input"), "input", None);
    let lock = std::fs::read_to_string(repo().join("input").join(lock::FILE_NAME)).expect("lock");
    same_as_reference(&repo().join("input"), "input-locked", Some(&lock));
}

#[test]
fn fixtures_stream_like_the_reference() {
    for (name, path) in [
        ("fixtures", fixture("")),
        ("diag", fixture("diag")),
        ("dialect", fixture("dialect")),
        ("regen-old", fixture("regen/old")),
        ("trackers", fixture("trackers")),
    ] {
        same_as_reference(&path, name, None);
    }
}

#[test]
fn corpus_streams_like_the_reference() {
    let Some(root) = corpus() else {
        return;
    };
    same_as_reference(&root, "corpus", None);
}

/// The lock written for one folder, read as text.
fn lock_of(input: &Path, name: &str) -> String {
    let dir = temp_dir(&format!("stream-lock-{name}"));
    let lock = dir.join("checkdown.lock");
    let o = build_into(input, &dir.join("out"), &lock, &[]);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", stderr(&o));
    let text = std::fs::read_to_string(&lock).expect("lock");
    let _ = std::fs::remove_dir_all(&dir);
    text
}

/// Renames, removals, documents gone from INPUT: the notes and the lock are the same.
#[test]
fn a_lock_of_another_edition_streams_like_the_reference() {
    // The older edition's lock applied to the seed: one rename, one removal.
    let old = lock_of(&fixture("regen/old"), "old");
    let seed: PathBuf = temp_dir("stream-seed");
    std::fs::create_dir_all(seed.join("security")).expect("mkdir");
    std::fs::copy(
        repo().join("input/security/maturity-model.md"),
        seed.join("security/maturity-model.md"),
    )
    .expect("copy");
    let printed = same_as_reference(&seed, "renamed", Some(&old));
    assert!(printed.contains("note[renamed-item]"), "{printed}");
    assert!(printed.contains("note[removed-item]"), "{printed}");
    // The lock of every fixture applied to input/: documents that are gone are settled at
    // the end, each reported in its place among the others.
    let all = lock_of(&fixture(""), "fixtures");
    let printed = same_as_reference(&repo().join("input"), "gone", Some(&all));
    assert!(
        printed.contains("note[removed-item]: `dialect/leads.md#"),
        "{printed}"
    );
}

const PAGE: &str = "# Page\n\n> [!div class=\"checklist\"]\n> - [Alpha](#-alpha)\n> - [Beta](#-beta)\n\n#### &#10003; Alpha\nAlpha's body says one thing.\n\n#### &#10003; Beta\nBeta's body says another.\n";

/// Files with errors keep their vanished entries: in a compiled document, and in one that
/// no longer reads at all (settled at the end, merged into the lock in its place).
#[test]
fn kept_entries_stream_like_the_reference() {
    let dir = temp_dir("stream-kept");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::write(input.join("a.md"), PAGE).expect("write");
    std::fs::write(input.join("b.md"), PAGE).expect("write");
    std::fs::write(input.join("c.md"), PAGE).expect("write");
    let lock = lock_of(&input, "kept");
    // a.md loses Beta and gains a link to a missing anchor; b.md no longer reads; c.md
    // loses Beta cleanly.
    let broken = PAGE
        .replace("> - [Beta](#-beta)\n", "> - [Gamma](#-gamma)\n")
        .replace("#### &#10003; Beta\nBeta's body says another.\n", "");
    std::fs::write(input.join("a.md"), &broken).expect("write");
    std::fs::write(input.join("b.md"), b"\xff\xfe not UTF-8").expect("write");
    std::fs::write(
        input.join("c.md"),
        PAGE.replace("> - [Beta](#-beta)\n", "")
            .replace("#### &#10003; Beta\nBeta's body says another.\n", ""),
    )
    .expect("write");
    let printed = same_as_reference(&input, "kept-after", Some(&lock));
    assert!(
        printed.contains("note[kept-item]: `a.md#-beta`"),
        "{printed}"
    );
    assert!(
        printed.contains("note[kept-item]: `b.md#-alpha`"),
        "{printed}"
    );
    assert!(
        printed.contains("note[removed-item]: `c.md#-beta`"),
        "{printed}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An entry filed by hand under another document's section keeps its item's id (found by
/// key), in both paths.
#[test]
fn a_misfiled_lock_entry_streams_like_the_reference() {
    let dir = temp_dir("stream-misfiled");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::write(input.join("a.md"), PAGE).expect("write");
    std::fs::write(input.join("b.md"), PAGE).expect("write");
    let lock = lock_of(&input, "misfiled");
    let id = Lock::parse(&lock)
        .expect("parses")
        .get("b.md#-alpha")
        .expect("entry")
        .id
        .clone();
    // Move b.md's Alpha under [a.md], with another id.
    let mut moved = String::new();
    let mut entry = String::new();
    for block in lock.split("\n\n") {
        if block.starts_with("key b.md#-alpha\n") {
            entry = block.replace(&id, "0badc0de-0000-5000-8000-000000000001");
        } else {
            moved.push_str(block);
            moved.push_str("\n\n");
        }
    }
    let moved = moved.replacen("[b.md]", &format!("{}\n\n[b.md]", entry.trim_end()), 1);
    let parsed = Lock::parse(&moved).expect("the edited lock parses");
    assert_eq!(
        parsed.get("b.md#-alpha").map(|e| e.document.as_str()),
        Some("a.md")
    );
    same_as_reference(&input, "misfiled-after", Some(&moved));
    let (files, lock_text) = reference(&input, Some(&moved));
    let json = String::from_utf8(files["checklist.json"].clone()).expect("utf-8");
    assert!(json.contains("0badc0de-0000-5000-8000-000000000001"));
    assert!(lock_text.contains("[b.md]\n\nkey b.md#-alpha\nid 0badc0de-"));
    let _ = std::fs::remove_dir_all(&dir);
}
