//! The catalogue of bad input: each case is built in a fresh folder next to a good page,
//! then compiled by the binary. For each: the exact diagnostic, the good page still
//! compiled (and written), and the exit status the README documents. Big inputs are
//! generated here rather than committed; they must finish quickly (speed itself is
//! measured in benchmarks, not asserted in tests).

use std::path::{Path, PathBuf};

use crate::common::{fixture, run, stderr, temp_dir};

/// A folder with `in/good.md` (a clean one-item checklist) and the given files.
fn case(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = temp_dir(&format!("bad-{name}"));
    let good = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    write(&dir.join("in/good.md"), &good);
    for (path, bytes) in files {
        write(&dir.join("in").join(path), bytes);
    }
    dir
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

struct Outcome {
    code: i32,
    /// The diagnostics as printed, without the summary line.
    diagnostics: String,
    /// The summary line without its timing.
    summary: String,
    /// Paths of the documents in OUTPUT/checklist.json.
    documents: Vec<String>,
}

/// `checkdown build in -o out` in `dir`, with `extra` arguments.
fn build(dir: &Path, extra: &[&str]) -> Outcome {
    let mut args = vec!["build", "in", "-o", "out"];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    let err = stderr(&out);
    // The lock file's line (`checkdown: updated in/checkdown.lock`) is not a diagnostic.
    let mut lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("checkdown: updated "))
        .collect();
    let summary = lines.pop().unwrap_or("").to_string();
    let summary = summary.split(" in ").next().unwrap_or("").to_string();
    let documents = std::fs::read_to_string(dir.join("out/checklist.json"))
        .ok()
        .and_then(|j| serde_json::from_str::<checkdown::model::Catalog>(&j).ok())
        .map(|c| c.documents.into_iter().map(|d| d.path).collect())
        .unwrap_or_default();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        diagnostics: lines.join("\n"),
        summary,
        documents,
    }
}

/// The good page is always compiled and written, whatever its neighbour holds.
fn good_still_compiled(o: &Outcome) {
    assert!(
        o.documents.iter().any(|d| d == "good.md"),
        "good.md missing from the output: {:?}\n{}",
        o.documents,
        o.diagnostics
    );
}

const GOOD_SUMMARY_TAIL: &str = "files written";

#[test]
fn not_utf8() {
    let dir = case("not-utf8", &[("bad.md", b"# Title\n\nCaf\xe9 au lait\n")]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[not-utf8]: file is not valid UTF-8 (invalid byte at offset 12)
--> in/bad.md:3:4
 |
help: save the file as UTF-8"
    );
    good_still_compiled(&o);
}

#[test]
fn binary() {
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let dir = case("binary", &[("image.md", png)]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[binary]: file holds a NUL byte at offset 8: it is binary, not Markdown; skipped
--> in/image.md
 |
help: remove it from INPUT, or rename it so that it does not end in `.md`"
    );
    good_still_compiled(&o);
}

#[test]
fn empty_file_is_skipped_without_a_diagnostic() {
    let dir = case("empty", &[("empty.md", b"")]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    assert_eq!(o.diagnostics, "");
    assert_eq!(
        o.summary,
        "checkdown: 1 document, 1 item, 1 skipped, 0 errors, 0 warnings, 6 files written"
    );
    good_still_compiled(&o);
}

#[test]
fn front_matter_never_closed() {
    let dir = case(
        "fm-unclosed",
        &[(
            "bad.md",
            b"---\ntitle: Open\n\n# Never closed\n\n- [ ] A task\n",
        )],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[front-matter]: front matter is never closed
 --> in/bad.md:1:1
  |
1 | ---
  | ^^^ opened here
  |
help: add a line `---` after the last front matter key; the file is read as Markdown without front matter"
    );
    good_still_compiled(&o);
}

#[test]
fn front_matter_yaml_syntax_error() {
    let dir = case(
        "fm-syntax",
        &[(
            "bad.md",
            b"---\ntitle: A\ntags: [one, two\n---\n# T\n\n- [ ] A task\n",
        )],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.diagnostics, "error[front-matter]: front matter does not parse: did not find expected ',' or ']'
 --> in/bad.md:4:1
  |
4 | ---
  | ^^^
  |
help: front matter is flat YAML: `key: value` lines, or lists of strings; quote values that contain `: ` or start with a special character");
    good_still_compiled(&o);
}

/// The "billion laughs": nine levels of nine aliases each. yaml_serde alone would stop it
/// at 100 alias jumps per event, after building what they expand to; the front matter
/// reader stops it as soon as it grows past twice its size.
#[test]
fn front_matter_alias_bomb() {
    let mut yaml = String::from(
        "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        yaml.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    yaml.push_str("---\n");
    let mut page = yaml.into_bytes();
    page.extend(std::fs::read(fixture("diag/clean/page.md")).expect("clean"));
    let dir = case("fm-bomb", &[("bomb.md", &page)]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.diagnostics, "error[front-matter]: front matter grows past twice its size through YAML aliases (`*name`)
 --> in/bomb.md:5:1
  |
5 | d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  | ^ this value expands past the limit
  |
help: write the values out instead of using anchors (`&name`) and aliases (`*name`); the page is compiled without its front matter");
    good_still_compiled(&o);
    // The page itself is compiled, without its front matter.
    assert!(o.documents.iter().any(|d| d == "bomb.md"));
}

#[test]
fn front_matter_duplicate_keys() {
    let dir = case(
        "fm-dup",
        &[(
            "bad.md",
            b"---\ntitle: First\nms.date: 01/01/2025\ntitle: Second\n---\n# [L](#tab/l)\n\n> [!div class=\"checklist\"]\n> - [A](#-a)\n\n#### &#10003; A\n\n---\n",
        )],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[front-matter]: front matter has the key `title` twice
 --> in/bad.md:4:1
  |
4 | title: Second
  | ^^^^^ repeated here
  |
help: remove one of the two; the first value is kept"
    );
    good_still_compiled(&o);
    let json = std::fs::read_to_string(dir.join("out/checklist.json")).expect("json");
    assert!(
        json.contains("\"title\": \"First\""),
        "the first value is kept"
    );
    assert!(!json.contains("Second"));
}

#[test]
fn unclosed_tab_group() {
    let page = std::fs::read(fixture("diag/unclosed-tab/page.md")).expect("fixture");
    let dir = case("unclosed-tab", &[("bad.md", &page)]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[unclosed-tab-group]: tab group is never closed
 --> in/bad.md:3:1
  |
3 | # [Level 1: Start](#tab/level1)
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ the group opens here
  |
help: end the last tab with a line that is exactly `---`; its content runs to the end of the file"
    );
    good_still_compiled(&o);
}

#[test]
fn nested_tab_groups() {
    let dir = case(
        "nested-tabs",
        &[(
            "bad.md",
            b"# Nested\n\n# [Level 1](#tab/l1)\n\n> [!div class=\"checklist\"]\n> - [One](#-one)\n\n#### &#10003; One\n\n## [Inner](#tab/inner)\n\nText.\n\n---\n",
        )],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    assert_eq!(o.diagnostics, "warning[nested-tab-group]: tab `Inner` is a level 2 heading inside the tab group of level 1 headings opened on line 3
  --> in/bad.md:10:1
   |
10 | ## [Inner](#tab/inner)
   | ^^^^^^^^^^^^^^^^^^^^^^ read as one more tab of the open group
   |
help: tab groups do not nest: close the open group with a `---` line first, or give this tab the level of the others");
    good_still_compiled(&o);
}

#[test]
fn checklist_with_no_items() {
    let dir = case(
        "empty-checklist",
        &[(
            "bad.md",
            b"# Empty\n\n# [Level 1](#tab/l1)\n\n> [!div class=\"checklist\"]\n\n---\n",
        )],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.diagnostics,
        "warning[empty-checklist]: checklist block has no items
 --> in/bad.md:5:1
  |
5 | > [!div class=\"checklist\"]
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^ no `> - ` item follows this marker
  |
help: list the items under the marker (`> - [Title](#anchor)`, or `> - **Lead** text`), or remove the block"
    );
    good_still_compiled(&o);
}

#[test]
fn link_to_a_missing_anchor() {
    let page = std::fs::read(fixture("diag/missing-anchor/page.md")).expect("fixture");
    let dir = case("missing-anchor", &[("bad.md", &page)]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.diagnostics, "error[missing-anchor]: checklist item links to `#-encrypt-data-at-rst`, which no heading in this file has
  --> in/bad.md:10:28
   |
10 | > - [Encrypt data at rest](#-encrypt-data-at-rst)
   |                            ^^^^^^^^^^^^^^^^^^^^^ no heading has this anchor
   |
help: did you mean `#-encrypt-data-at-rest`?
warning[unlisted-heading]: heading `✓ Encrypt data at rest` is not listed by any checklist
  --> in/bad.md:12:1
   |
12 | #### &#10003; Encrypt data at rest
   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ no checklist links here
   |
help: add `> - [Encrypt data at rest](#-encrypt-data-at-rest)` to the checklist block above it, or remove the check mark");
    good_still_compiled(&o);
}

/// Equal headings get `-1`, `-2` (the docs platform's rule), so they are not a problem;
/// one anchor listed twice is: both items would get one id.
#[test]
fn duplicate_anchors() {
    let dir = case(
        "dup-anchors",
        &[(
            "bad.md",
            b"# Dup\n\n# [Level 1](#tab/l1)\n\n> [!div class=\"checklist\"]\n> - [One](#-one)\n> - [One again](#-one)\n> - [Second one](#-one-1)\n\n#### &#10003; One\n\nA.\n\n#### &#10003; One\n\nB.\n\n---\n",
        )],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.diagnostics, "error[duplicate-item]: checklist lists `#-one` again (first on line 6)
 --> in/bad.md:7:1
  |
7 | > - [One again](#-one)
  | ^^^^^^^^^^^^^^^^^^^^^^ the same item twice
  |
help: remove the repeated link: an item is known by the heading it links to, so both would get one id");
    good_still_compiled(&o);
}

#[test]
fn very_deep_blockquotes() {
    let page = format!("# Deep\n\n{} deep\n", ">".repeat(50_000));
    let dir = case("deep-quotes", &[("deep.md", page.as_bytes())]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.diagnostics, "error[nesting-too-deep]: Markdown nests 50001 levels deep, over the limit of 128
--> in/deep.md:3:129
 |
help: quotes, lists and emphasis nested past the limit are read as text of the level above; flatten them, or raise the limit with --max-nesting");
    good_still_compiled(&o);
}

#[test]
fn very_deep_lists() {
    let page = format!("# Deep\n\n{}x\n", "- ".repeat(50_000));
    let dir = case("deep-lists", &[("deep.md", page.as_bytes())]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(o.diagnostics, "error[nesting-too-deep]: Markdown nests 100000 levels deep, over the limit of 128
--> in/deep.md:3:129
 |
help: quotes, lists and emphasis nested past the limit are read as text of the level above; flatten them, or raise the limit with --max-nesting");
    good_still_compiled(&o);
}

/// Deep nesting inside an item's body reaches the HTML renderer and its sanitizer: capped
/// there too, so the page renders, with the text kept.
#[test]
fn very_deep_nesting_inside_an_item() {
    let page = format!(
        "# [L](#tab/l)\n\n> [!div class=\"checklist\"]\n> - [A](#-a)\n\n#### &#10003; A\n\n{} quote\n\n{} html\n\n---\n",
        ">".repeat(20_000),
        "<div>".repeat(20_000)
    );
    let dir = case("deep-item", &[("deep.md", page.as_bytes())]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    good_still_compiled(&o);
    let html = std::fs::read_to_string(dir.join("out/html/deep.html")).expect("page");
    assert!(html.contains("quote") && html.contains("html"));
    assert!(html.matches("<blockquote>").count() <= checkdown::parse::DEFAULT_MAX_NESTING);
}

#[test]
fn multi_megabyte_single_line() {
    let good = std::fs::read_to_string(fixture("diag/clean/page.md")).expect("clean");
    let line = format!("Body {}â€” end.", "word ".repeat(800_000));
    let page = good.replace("Body.", &line);
    let dir = case("long-line", &[("long.md", page.as_bytes())]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.diagnostics,
        "warning[mojibake]: `â€”` looks like UTF-8 text decoded as Windows-1252
--> in/long.md:10:4000006
 |
help: replace `â€”` with `—`"
    );
    good_still_compiled(&o);
}

#[test]
fn tens_of_thousands_of_items() {
    let n = 20_000;
    let mut page = String::from("# Many\n\n# [Level 1](#tab/l1)\n\n> [!div class=\"checklist\"]\n");
    for i in 0..n {
        page.push_str(&format!("> - [Item {i}](#-item-{i})\n"));
    }
    page.push('\n');
    for i in 0..n {
        page.push_str(&format!("#### &#10003; Item {i}\n\nBody {i}.\n\n"));
    }
    page.push_str("---\n");
    let dir = case("many-items", &[("many.md", page.as_bytes())]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0, "{}", o.diagnostics);
    assert_eq!(
        o.summary,
        format!("checkdown: 2 documents, {} items, 0 skipped, 0 errors, 0 warnings, 8 {GOOD_SUMMARY_TAIL}", n + 1)
    );
    good_still_compiled(&o);
}

/// Twenty thousand equal headings: anchors `same`, `same-1`, ... `same-19999`.
#[test]
fn tens_of_thousands_of_equal_headings() {
    let page = "## Same\n\n".repeat(20_000);
    let dir = case("same-headings", &[("same.md", page.as_bytes())]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    assert_eq!(o.diagnostics, "");
    good_still_compiled(&o);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_input() {
    use std::os::unix::fs::symlink;
    let dir = case("symlinks", &[]);
    let input = dir.join("in");
    symlink("loop.md", input.join("loop.md")).expect("self loop");
    symlink("b.md", input.join("a.md")).expect("a -> b");
    symlink("a.md", input.join("b.md")).expect("b -> a");
    std::fs::create_dir_all(input.join("sub")).expect("sub");
    symlink("..", input.join("sub/again")).expect("folder loop");
    write(&dir.join("outside/secret.md"), b"# Secret\n");
    symlink("../outside/secret.md", input.join("secret.md")).expect("link out");
    symlink("../outside", input.join("elsewhere")).expect("folder link out");
    symlink("missing.md", input.join("dangling.md")).expect("dangling");
    symlink("good.md", input.join("alias.md")).expect("link inside");
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[symlink]: symbolic link loops: following `b.md` never reaches a file
--> in/a.md
 |
help: point the link at a real file or folder, or remove it; it is skipped
error[symlink]: symbolic link loops: following `a.md` never reaches a file
--> in/b.md
 |
help: point the link at a real file or folder, or remove it; it is skipped
error[symlink]: symbolic link points to `missing.md`, which does not exist
--> in/dangling.md
 |
help: fix the link's target, or remove it; it is skipped
warning[symlink]: symbolic link points outside INPUT (to `../outside`); not followed
--> in/elsewhere
 |
help: copy the pages into INPUT, or pass their folder as INPUT; checkdown never reads outside INPUT
error[symlink]: symbolic link loops: following `loop.md` never reaches a file
--> in/loop.md
 |
help: point the link at a real file or folder, or remove it; it is skipped
warning[symlink]: symbolic link points outside INPUT (to `../outside/secret.md`); not followed
--> in/secret.md
 |
help: copy the pages into INPUT, or pass their folder as INPUT; checkdown never reads outside INPUT
warning[symlink]: symbolic link loops: it points to `..`, a folder that contains it; not followed
--> in/sub/again
 |
help: remove the link; the folder's pages are compiled where they are"
    );
    assert_eq!(o.documents, ["good.md"]);
}

/// Root reads a mode-000 file anyway: the permission assertion is skipped (and says so)
/// when the test runs as root, and the rest of the case still runs.
#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = case("unreadable", &[("locked.md", b"# Locked\n")]);
    let locked = dir.join("in/locked.md");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable_anyway = std::fs::read(&locked).is_ok();
    let o = build(&dir, &[]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).expect("chmod back");
    good_still_compiled(&o);
    if readable_anyway {
        eprintln!("skipped: running as root, which reads mode-000 files; the `io` diagnostic is not checked");
        assert_eq!(o.code, 0);
        return;
    }
    assert_eq!(o.code, 1);
    assert_eq!(o.diagnostics, "UNREADABLE");
}

#[cfg(unix)]
#[test]
fn fifo_named_like_a_page_is_never_opened() {
    let dir = case("fifo", &[]);
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join("in/pipe.md"))
        .status();
    if !status.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[io]: not a regular file (a FIFO, socket or device); skipped
--> in/pipe.md
 |
help: remove it from INPUT; checkdown reads only regular files"
    );
    good_still_compiled(&o);
}

#[test]
fn file_over_the_size_limit() {
    let big = format!("# Big\n\n{}\n", "x".repeat(5_000));
    let dir = case("too-large", &[("big.md", big.as_bytes())]);
    let o = build(&dir, &["--max-file-size", "4096"]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[file-too-large]: file is 5008 bytes, over the limit of 4096 bytes; skipped
--> in/big.md
 |
help: split the page, or raise the limit with --max-file-size"
    );
    good_still_compiled(&o);
}

// Output safety: OUTPUT/.checkdown-manifest lists what checkdown wrote; a rebuild removes
// only those files, and only while they still hold what it wrote.

fn manifest(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("out").join(checkdown::write::MANIFEST)).expect("manifest")
}

#[test]
fn rebuild_removes_only_its_own_stale_files() {
    let dir = case(
        "stale",
        &[(
            "second.md",
            &std::fs::read(fixture("diag/clean/page.md")).expect("clean"),
        )],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    assert!(manifest(&dir).contains(" html/second.html\n"));
    write(&dir.join("out/notes.txt"), b"mine");
    write(&dir.join("out/html/extra.html"), b"mine too");
    std::fs::remove_file(dir.join("in/second.md")).expect("rm");
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.summary,
        "checkdown: 1 document, 1 item, 0 skipped, 0 errors, 0 warnings, 4 files written, 2 stale files removed"
    );
    assert!(!dir.join("out/html/second.html").exists());
    assert!(!dir.join("out/checklists/second.md").exists());
    assert!(
        dir.join("out/notes.txt").exists(),
        "a file checkdown did not write stays"
    );
    assert!(dir.join("out/html/extra.html").exists());
    assert!(!manifest(&dir).contains("second"));
}

/// FNV-1a, the hash of manifests written before version 2.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h: u64, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[test]
fn a_manifest_of_an_earlier_version_still_tells_its_files() {
    let dir = case("manifest-v1", &[]);
    write(
        &dir.join("out/html/gone.html"),
        b"written by an earlier build",
    );
    write(&dir.join("out/html/edited.html"), b"edited since");
    write(&dir.join("out/backlog.csv"), b"old rows");
    let v1 = format!(
        "# checkdown manifest 1: the files checkdown wrote into this folder, each with a hash of\n\
         # what it wrote. A rebuild removes those it no longer writes, and only while they still\n\
         # hold what it wrote; it never removes any other file.\n\
         {:016x} backlog.csv\n{:016x} html/edited.html\n{:016x} html/gone.html\n",
        fnv1a(b"old rows"),
        fnv1a(b"as written"),
        fnv1a(b"written by an earlier build"),
    );
    write(
        &dir.join("out").join(checkdown::write::MANIFEST),
        v1.as_bytes(),
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0, "{}", o.diagnostics);
    assert_eq!(
        o.diagnostics,
        "note: `out/html/edited.html` was written by an earlier build and is no longer; left in place because it changed since"
    );
    assert!(
        !dir.join("out/html/gone.html").exists(),
        "still ours: removed"
    );
    assert_eq!(
        std::fs::read(dir.join("out/html/edited.html")).expect("kept"),
        b"edited since"
    );
    // Listed, so overwritten.
    assert_ne!(
        std::fs::read(dir.join("out/backlog.csv")).expect("csv"),
        b"old rows"
    );
    let m = manifest(&dir);
    assert!(m.starts_with("# checkdown manifest 2:"), "{m}");
    let csv = std::fs::read(dir.join("out/backlog.csv")).expect("csv");
    assert!(
        m.contains(&format!(
            "{:016x} backlog.csv\n",
            checkdown::write::hash(&csv)
        )),
        "{m}"
    );
    assert!(!m.contains("gone") && !m.contains("edited"), "{m}");
}

#[test]
fn a_manifest_of_an_earlier_version_is_rewritten_even_when_nothing_changes() {
    let dir = case("manifest-v1-same", &[]);
    assert_eq!(build(&dir, &[]).code, 0);
    let v2 = manifest(&dir);
    let mut v1 = String::from("# checkdown manifest 1: the files checkdown wrote\n");
    for line in v2.lines().filter(|l| !l.starts_with('#')) {
        let (_, rel) = line.split_once(' ').expect("hash and path");
        let bytes = std::fs::read(dir.join("out").join(rel)).expect("listed file");
        v1.push_str(&format!("{:016x} {rel}\n", fnv1a(&bytes)));
    }
    write(
        &dir.join("out").join(checkdown::write::MANIFEST),
        v1.as_bytes(),
    );
    let o = build(&dir, &[]);
    assert_eq!((o.code, o.diagnostics.as_str()), (0, ""));
    assert!(o.summary.contains(" 0 files written"), "{}", o.summary);
    assert_eq!(manifest(&dir), v2);
}

#[test]
fn a_stale_file_changed_since_it_was_written_is_kept() {
    let dir = case("stale-changed", &[]);
    assert_eq!(build(&dir, &[]).code, 0);
    write(&dir.join("out/checklist.json"), b"edited by hand");
    let o = build(&dir, &["--format", "md"]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.diagnostics,
        "note: `out/checklist.json` was written by an earlier build and is no longer; left in place because it changed since"
    );
    assert_eq!(
        std::fs::read(dir.join("out/checklist.json")).expect("kept"),
        b"edited by hand"
    );
    assert!(!dir.join("out/backlog.csv").exists());
    assert!(!manifest(&dir).contains("checklist.json"), "no longer ours");
}

#[test]
fn refuses_to_overwrite_a_file_it_did_not_write() {
    let dir = case("clobber", &[]);
    write(
        &dir.join("out/backlog.csv"),
        b"a spreadsheet someone keeps here",
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 2);
    assert!(
        o.summary.starts_with(
            "error: out/backlog.csv: refused: the file exists and checkdown did not write it"
        ),
        "{}",
        o.summary
    );
    assert_eq!(
        std::fs::read(dir.join("out/backlog.csv")).expect("kept"),
        b"a spreadsheet someone keeps here"
    );
    assert!(
        !dir.join("out/checklist.json").exists(),
        "nothing is written"
    );
}

#[cfg(unix)]
#[test]
fn never_writes_through_a_symlink_out_of_output() {
    let dir = case("out-link", &[]);
    std::fs::create_dir_all(dir.join("elsewhere")).expect("mkdir");
    std::fs::create_dir_all(dir.join("out")).expect("mkdir");
    std::os::unix::fs::symlink("../elsewhere", dir.join("out/html")).expect("link");
    let o = build(&dir, &[]);
    assert_eq!(o.code, 2);
    assert!(
        o.summary.contains("refused: a symbolic link is on the way"),
        "{}",
        o.summary
    );
    assert_eq!(
        std::fs::read_dir(dir.join("elsewhere"))
            .expect("ls")
            .count(),
        0
    );
}

#[test]
fn a_hostile_manifest_removes_nothing_outside_output() {
    let dir = case("hostile-manifest", &[]);
    write(&dir.join("victim.txt"), b"precious");
    let hash = checkdown::write::hash(b"precious");
    let lines = format!(
        "{hash:016x} ../victim.txt\n{hash:016x} {}\n{hash:016x} ./../victim.txt\n",
        dir.join("victim.txt").display()
    );
    write(
        &dir.join("out").join(checkdown::write::MANIFEST),
        lines.as_bytes(),
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    assert_eq!(
        std::fs::read(dir.join("victim.txt")).expect("kept"),
        b"precious"
    );
    assert!(!manifest(&dir).contains("victim"));
}

#[test]
fn refuses_output_that_is_or_contains_input() {
    let dir = case("output-is-input", &[]);
    for out in ["in", "."] {
        let o = run(&dir, &["build", "in", "-o", out]);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            stderr(&o).trim_end(),
            format!("error: output folder `{out}` is the input folder or contains it; choose another with -o")
        );
    }
    let listing: Vec<_> = std::fs::read_dir(dir.join("in"))
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(listing.len(), 1, "nothing written into INPUT: {listing:?}");
}

/// A multi-megabyte line full of problems: each diagnostic costs the same whatever the
/// column (no snippet for lines over 4 KiB, columns counted from checkpoints), and at most
/// 100 of one code are shown per file.
#[test]
fn multi_megabyte_line_of_mojibake() {
    let page = format!("# Title\n\n{}\n", "caf\u{e9} â€” ".repeat(300_000));
    let dir = case("long-mojibake", &[("moji.md", page.as_bytes())]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0);
    let warnings: Vec<&str> = o
        .diagnostics
        .lines()
        .filter(|l| l.starts_with("warning[mojibake]"))
        .collect();
    assert_eq!(warnings.len(), 101);
    assert_eq!(
        warnings[0],
        "warning[mojibake]: `â€”` looks like UTF-8 text decoded as Windows-1252"
    );
    assert!(
        o.diagnostics.contains("--> in/moji.md:3:6\n"),
        "{}",
        &o.diagnostics[..400]
    );
    assert!(o.diagnostics.contains("--> in/moji.md:3:897\n"));
    assert!(o.diagnostics.contains(
        "warning[mojibake]: 299900 more `mojibake` diagnostics in this file are not shown (only the first 100 are)"
    ));
    good_still_compiled(&o);
}

/// Thousands of links to missing anchors beside thousands of headings: each is an error,
/// "did you mean" is offered for the first hundred only, and the run stays linear.
#[test]
fn thousands_of_links_to_missing_anchors() {
    let n = 3_000;
    let mut page =
        String::from("# Broken\n\n# [Level 1](#tab/l1)\n\n> [!div class=\"checklist\"]\n");
    for i in 0..n {
        page.push_str(&format!("> - [Item {i}](#item-{i}x)\n"));
    }
    page.push('\n');
    for i in 0..n {
        page.push_str(&format!("#### Item {i}\n\nBody {i}.\n\n"));
    }
    page.push_str("---\n");
    let dir = case("many-missing", &[("many.md", page.as_bytes())]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    // The first hundred are shown, then one error that counts the rest.
    assert!(
        o.summary
            .contains(&format!("{} items, 0 skipped, 101 errors", n + 1)),
        "{}",
        o.summary
    );
    assert_eq!(o.diagnostics.matches("help: did you mean").count(), 100);
    assert!(o
        .diagnostics
        .contains("2900 more `missing-anchor` diagnostics in this file are not shown"));
    good_still_compiled(&o);
}
