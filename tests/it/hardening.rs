//! Hostile names and files around the pages: paths that would break checkdown's line-based
//! files, and the lock and manifest replaced by symbolic links, FIFOs or huge files. Each
//! case is run by the binary in a fresh folder next to a good page, with the exact
//! diagnostics and exit status the README documents.

use std::path::{Path, PathBuf};

use crate::common::{fixture, run, stderr, temp_dir};

/// A folder with `in/good.md` (a clean one-item checklist) and the given files.
fn case(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = temp_dir(&format!("hard-{name}"));
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
    /// Standard error without the summary line and the lock's `updated` line.
    diagnostics: String,
    /// The summary line without its timing.
    summary: String,
    stdout: String,
}

/// `checkdown ARGS` in `dir`.
fn checkdown(dir: &Path, args: &[&str]) -> Outcome {
    let out = run(dir, args);
    let err = stderr(&out);
    let mut lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("checkdown: updated "))
        .collect();
    let summary = lines.pop().unwrap_or("").to_string();
    let summary = summary.split(" in ").next().unwrap_or("").to_string();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        diagnostics: lines.join("\n"),
        summary,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// `checkdown build in -o out` in `dir`, with `extra` arguments.
fn build(dir: &Path, extra: &[&str]) -> Outcome {
    let mut args = vec!["build", "in", "-o", "out"];
    args.extend_from_slice(extra);
    checkdown(dir, &args)
}

/// The document paths of OUTPUT/checklist.json.
fn documents(dir: &Path) -> Vec<String> {
    let json = std::fs::read_to_string(dir.join("out/checklist.json")).expect("checklist.json");
    let catalog: checkdown::model::Catalog = serde_json::from_str(&json).expect("json");
    catalog.documents.into_iter().map(|d| d.path).collect()
}

/// The lines of OUTPUT/.checkdown-manifest that name files.
fn manifest_paths(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("out").join(checkdown::write::MANIFEST))
        .expect("manifest");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split_once(' ').expect("HASH PATH").1.to_string())
        .collect()
}

const GOOD_FILES: [&str; 6] = [
    "checklist.json",
    "backlog.csv",
    "checklists/good.md",
    "checklists/index.md",
    "html/good.html",
    "html/index.html",
];

fn sorted(paths: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = paths.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// A folder whose name holds line breaks and a manifest line: the page in it is refused at
/// walk time, so its path never reaches the manifest, and the next build removes nothing
/// it did not write.
#[cfg(unix)]
#[test]
fn a_line_break_in_a_path_never_reaches_the_manifest() {
    let victim = b"precious, not written by checkdown\n";
    let hash = checkdown::write::hash(victim);
    let folder = format!("x\n{hash:016x} victim.txt\ny");
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let dir = case("newline-path", &[(&format!("{folder}/page.md"), &page)]);
    write(&dir.join("out/victim.txt"), victim);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    let expected = format!(
        "error[file-name]: the page's path holds a control character (a line break, tab or other), so checkdown cannot name it in what it writes; skipped
--> in/x\\n{hash:016x} victim.txt\\ny/page.md
 |
help: rename the file (or the folder that holds it)"
    );
    assert_eq!(o.diagnostics, expected);
    assert_eq!(
        o.summary,
        "checkdown: 1 document, 1 item, 0 skipped, 1 error, 0 warnings, 6 files written"
    );
    assert_eq!(documents(&dir), ["good.md"]);
    assert_eq!(manifest_paths(&dir), sorted(&GOOD_FILES));
    // The next build (the page renamed away) removes only what checkdown wrote.
    std::fs::remove_dir_all(dir.join("in").join(&folder)).expect("rm");
    let again = build(&dir, &[]);
    assert_eq!(again.code, 0, "{}", again.diagnostics);
    assert_eq!(
        std::fs::read(dir.join("out/victim.txt")).expect("kept"),
        victim
    );
    let lock = std::fs::read_to_string(dir.join("in/checkdown.lock")).expect("lock");
    assert!(!lock.contains("victim"), "{lock}");
}

/// Every control character, a backslash and a byte that is not UTF-8: each such page is
/// named (escaped) and skipped, in every message format, and the others are compiled.
#[cfg(unix)]
#[test]
fn unnameable_paths_are_refused_and_named_escaped() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let dir = case("unnameable", &[]);
    let names: [&[u8]; 5] = [
        b"a\rb.md",
        b"tab\t.md",
        b"esc\x1b[31m.md",
        b"back\\slash.md",
        b"latin\xe9.md",
    ];
    for name in names {
        std::fs::write(dir.join("in").join(OsStr::from_bytes(name)), &page).expect("write");
    }
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    let control = "the page's path holds a control character (a line break, tab or other), so checkdown cannot name it in what it writes; skipped";
    let help = "help: rename the file (or the folder that holds it)";
    assert_eq!(
        o.diagnostics,
        format!(
            "error[file-name]: {control}
--> in/a\\rb.md
 |
{help}
error[file-name]: the page's path holds a backslash `\\`, a folder separator on Windows; skipped
--> in/back\\\\slash.md
 |
{help}
error[file-name]: {control}
--> in/esc\\u{{1b}}[31m.md
 |
{help}
error[file-name]: the page's path is not valid UTF-8, so checkdown cannot name it in what it writes; skipped
--> in/latin\\xE9.md
 |
{help}
error[file-name]: {control}
--> in/tab\\t.md
 |
{help}"
        )
    );
    assert_eq!(documents(&dir), ["good.md"]);
    assert_eq!(manifest_paths(&dir), sorted(&GOOD_FILES));

    let json = checkdown(&dir, &["check", "in", "--message-format", "json"]);
    assert_eq!(json.code, 1);
    let first = json.stdout.lines().next().expect("a line");
    assert_eq!(
        first,
        format!(
            r#"{{"severity":"error","code":"file-name","path":"in/a\\rb.md","line":0,"column":0,"message":"{control}","help":"rename the file (or the folder that holds it)"}}"#
        )
    );
    let github = checkdown(&dir, &["check", "in", "--message-format", "github"]);
    assert_eq!(github.code, 1);
    assert_eq!(github.stdout.lines().count(), 5, "{}", github.stdout);
    assert_eq!(
        github.stdout.lines().nth(2).expect("a line"),
        format!("::error file=in/esc\\u{{1b}}[31m.md,title=file-name::{control}%0A{help}")
    );
}

/// A 255-byte page name is a legal name, but its HTML page's is 257 bytes: that page is
/// named and skipped, and the build goes on.
#[cfg(unix)]
#[test]
fn a_page_whose_output_name_is_too_long_is_skipped() {
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let long = format!("{}.md", "n".repeat(252));
    let fits = format!("{}.md", "f".repeat(250));
    let dir = case("long-name", &[(&long, &page), (&fits, &page)]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        format!(
            "error[file-name]: its HTML page's file name would be 257 bytes, over the 255 bytes a file name may have; skipped
--> in/{long}
 |
help: rename the file (or the folder that holds it)"
        )
    );
    assert_eq!(documents(&dir), [fits.clone(), "good.md".to_string()]);
    assert!(dir
        .join("out/html")
        .join(format!("{}.html", "f".repeat(250)))
        .is_file());
}
