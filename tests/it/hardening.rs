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

/// A page `index.md` at INPUT's root (MkDocs' home page) that holds a checklist would be
/// written over the generated indexes: it is named and skipped, and the indexes list the
/// other pages. One without a checklist (most home pages) is no error. `index.md` in a
/// folder is an ordinary page.
#[test]
fn a_root_index_page_never_overwrites_the_generated_indexes() {
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let dir = case(
        "index-page",
        &[("index.md", &page), ("guide/index.md", &page)],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[file-name]: this page holds a checklist, but its outputs would be `checklists/index.md` and `html/index.html`, the generated indexes of every document; skipped
--> in/index.md
 |
help: move the page into a folder or rename it (`home.md`, say); or leave it out with `--exclude '/index.md'` (its checklist is then not compiled)"
    );
    assert_eq!(documents(&dir), ["good.md", "guide/index.md"]);
    let index = std::fs::read_to_string(dir.join("out/checklists/index.md")).expect("index");
    assert!(index.contains("](./good.md)"), "{index}");
    assert!(index.contains("](./guide/index.md)"), "{index}");
    let html = std::fs::read_to_string(dir.join("out/html/index.html")).expect("index");
    assert!(html.contains("<title>Checklists</title>"), "{html}");
    assert!(html.contains("href=\"./guide/index.html\""), "{html}");

    // A home page without a checklist writes nothing and is fine.
    write(&dir.join("in/index.md"), b"# Home\n\nWelcome.\n");
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0, "{}", o.diagnostics);
    assert_eq!(o.diagnostics, "");
    // And so is the checklist page, left out.
    write(&dir.join("in/index.md"), &page);
    let o = build(&dir, &["--exclude", "/index.md"]);
    assert_eq!((o.code, o.diagnostics.as_str()), (0, ""));
    assert_eq!(documents(&dir), ["good.md", "guide/index.md"]);
}

/// `a.MD` and `a.md` (two files on a case-sensitive file system) would be written to one
/// `checklists/a.md` and one `html/a.html`: the second in path order is named and skipped.
#[test]
fn two_pages_with_one_output_name_are_not_merged_silently() {
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let dir = case("same-output", &[("a.MD", &page), ("a.md", &page)]);
    if std::fs::read_dir(dir.join("in")).expect("ls").count() < 3 {
        return; // a case-insensitive file system holds one of the two
    }
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[file-name]: its output files `checklists/a.md` and `html/a.html` clash with another's: `checklists/a.md` is a file of `a.MD`; skipped
--> in/a.md
 |
help: rename the page or the folder that holds it"
    );
    assert_eq!(documents(&dir), ["a.MD", "good.md"]);
}

/// A page's output file can be another page's output folder: `a.md` gives `html/a.html`,
/// `a.html/b.md` needs a folder `html/a.html/`; `a.mdx` gives `checklists/a.mdx.md`,
/// `a.mdx.md/b.md` a folder of that name; `index.html/c.md` needs a folder where the HTML
/// index is. The later page in the walk's order (a folder's pages before a page of the
/// same name with another extension: `a.html/` sorts before `a.md`) is named and skipped,
/// and the build goes on.
#[test]
fn a_page_whose_output_file_is_another_pages_folder_is_skipped() {
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let dir = case(
        "file-folder",
        &[
            ("a.md", &page),
            ("a.html/b.md", &page),
            ("m.mdx.md/b.md", &page),
            ("m.mdx", &page),
            ("index.html/c.md", &page),
        ],
    );
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1, "{}", o.diagnostics);
    assert_eq!(
        o.diagnostics,
        "error[file-name]: its output files `checklists/a.md` and `html/a.html` clash with another's: `html/a.html` is a folder of `a.html/b.md`'s files; skipped
--> in/a.md
 |
help: rename the page or the folder that holds it
error[file-name]: its output files `checklists/index.html/c.md` and `html/index.html/c.html` clash with another's: `html/index.html` is a file of the generated index; skipped
--> in/index.html/c.md
 |
help: rename the page or the folder that holds it
error[file-name]: its output files `checklists/m.mdx.md/b.md` and `html/m.mdx.md/b.html` clash with another's: `checklists/m.mdx.md` is a file of `m.mdx`; skipped
--> in/m.mdx.md/b.md
 |
help: rename the page or the folder that holds it"
    );
    assert_eq!(documents(&dir), ["a.html/b.md", "good.md", "m.mdx"]);
}

/// A page path over 1,024 bytes (each name legal, the whole too long to be written under
/// OUTPUT's staging folder on every file system) is named and skipped; `Index.md` at the
/// root holding a checklist is refused as `index.md` is (on macOS or Windows it would be
/// written over `html/index.html`).
#[test]
fn a_page_path_too_long_to_write_and_a_root_index_in_another_case_are_skipped() {
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let deep = format!("{}/p.md", vec!["d".repeat(250); 5].join("/"));
    let dir = case("long-path", &[(&deep, &page), ("Index.md", &page)]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 1, "{}", o.diagnostics);
    assert_eq!(
        o.diagnostics,
        format!(
            "error[file-name]: this page holds a checklist, but its outputs would be `checklists/Index.md` and `html/Index.html`, the generated indexes of every document; skipped
--> in/Index.md
 |
help: move the page into a folder or rename it (`home.md`, say); or leave it out with `--exclude '/Index.md'` (its checklist is then not compiled)
error[file-name]: the page's path is 1259 bytes, over the 1024 bytes a page's path may have (its output files' paths, under OUTPUT's staging folder, would pass what a file system accepts); skipped
--> in/{deep}
 |
help: rename the file (or the folder that holds it)"
        )
    );
    assert_eq!(documents(&dir), ["good.md"]);
}

/// Titles from the docs reach standard output in `status`'s table and `diff --format md`:
/// escape sequences, C1 controls and bidirectional overrides in them are shown escaped,
/// so a heading can neither drive the terminal nor reorder a line.
#[test]
fn reports_on_standard_output_escape_control_characters() {
    let page = "# T\n\n## Sec\u{1b}]0;owned\u{7}tion \u{9b}2J\u{202e}x\n\n- [ ] Task \u{1b}[31mred\u{2028}one\n";
    let dir = case("report-controls", &[("c.md", page.as_bytes())]);
    let o = checkdown(&dir, &["status", "in"]);
    assert_eq!(o.code, 0, "{}", o.diagnostics);
    assert!(
        o.stdout
            .contains("  Sec\\u{1b}]0;owned\\u{7}tion \\u{9b}2J\\u{202e}x "),
        "{}",
        o.stdout
    );
    assert!(
        !o.stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{:?}",
        o.stdout
    );
    std::fs::create_dir_all(dir.join("old")).expect("old");
    std::fs::copy(fixture("diag/clean/page.md"), dir.join("old/good.md")).expect("copy");
    let o = checkdown(&dir, &["diff", "old", "in", "--format", "md"]);
    assert!(
        o.stdout.contains("- **Task \\u{1b}\\[31mred one** (c.md, Sec\\u{1b}\\]0;owned\\u{7}tion \\u{9b}2J\\u{202e}x)"),
        "{}",
        o.stdout
    );
    assert!(
        !o.stdout
            .chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{2028}' || c == '\u{202e}'),
        "{:?}",
        o.stdout
    );
}

/// A lock saved by a Windows editor or checked out with `core.autocrlf` (a byte order
/// mark, CRLF line ends) is read as the lock and is current: `--check` passes, a build
/// keeps every id and leaves the file alone.
#[test]
fn a_lock_saved_with_a_byte_order_mark_and_crlf_keeps_its_ids() {
    let dir = case("lock-bom", &[]);
    assert_eq!(build(&dir, &[]).code, 0);
    let lock = dir.join("in/checkdown.lock");
    let written = std::fs::read_to_string(&lock).expect("lock");
    let json = std::fs::read(dir.join("out/checklist.json")).expect("json");
    let windows = format!("\u{feff}{}", written.replace('\n', "\r\n"));
    std::fs::write(&lock, &windows).expect("write");
    for args in [&["--check"][..], &[]] {
        let o = build(&dir, args);
        assert_eq!((o.code, o.diagnostics.as_str()), (0, ""), "{args:?}");
    }
    assert_eq!(std::fs::read_to_string(&lock).expect("lock"), windows);
    assert_eq!(
        std::fs::read(dir.join("out/checklist.json")).expect("json"),
        json
    );
    // A real change is still one.
    std::fs::write(&lock, windows.replace("key ", "key x")).expect("write");
    let o = build(&dir, &["--check"]);
    assert_eq!(o.code, 1, "{}", o.diagnostics);
    assert!(
        o.diagnostics.contains("\nerror[stale-lock]: the lock is out of date with INPUT (1 new, 0 renamed, 1 removed items;"),
        "{}",
        o.diagnostics
    );
}

/// `checkdown ARGS` in `dir`, killed after 60 s (a build that waits on a FIFO, or reads an
/// endless file, fails the test instead of hanging it).
fn checkdown_in_time(dir: &Path, args: &[&str]) -> Outcome {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("checkdown runs");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("checkdown {args:?} did not finish in 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let err = stderr(&out);
    let mut lines: Vec<&str> = err.lines().collect();
    let summary = lines.pop().unwrap_or("").to_string();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        diagnostics: lines.join("\n"),
        summary,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

fn mkfifo(path: &Path) -> bool {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
    }
    made
}

const SECRET: &[u8] = b"AWS_SECRET_ACCESS_KEY=hunter2\n";

/// The lock (or the manifest) replaced by a link to a secret, to an endless device, or by
/// a FIFO: refused at once with a message that names the file, and nothing is written.
#[cfg(unix)]
#[test]
fn a_lock_that_is_a_link_or_a_fifo_is_refused_and_never_read() {
    use std::os::unix::fs::symlink;
    let lock_link = "error: in/checkdown.lock: refused: the lock is a symbolic link, which checkdown does not follow; put the lock file itself there, or name it with --lock FILE";
    for (name, target) in [("secret", "../secret.txt"), ("zero", "/dev/zero")] {
        let dir = case(&format!("lock-link-{name}"), &[]);
        write(&dir.join("secret.txt"), SECRET);
        symlink(target, dir.join("in/checkdown.lock")).expect("link");
        for extra in [&[][..], &["--check"][..], &["--tracker", "jira"][..]] {
            let o = checkdown_in_time(&dir, &[&["build", "in", "-o", "out"][..], extra].concat());
            assert_eq!((o.code, o.summary.as_str()), (2, lock_link), "{extra:?}");
            assert_eq!(o.diagnostics, "");
            assert!(!dir.join("out").exists(), "{extra:?}");
        }
        let o = checkdown_in_time(&dir, &["check", "in"]);
        assert_eq!((o.code, o.summary.as_str()), (2, lock_link));
        let o = checkdown_in_time(&dir, &["diff", "in", "in"]);
        assert_eq!((o.code, o.summary.as_str()), (2, lock_link));
    }
    let dir = case("lock-fifo", &[]);
    if !mkfifo(&dir.join("in/checkdown.lock")) {
        return;
    }
    let o = checkdown_in_time(&dir, &["build", "in", "-o", "out"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.summary,
        "error: in/checkdown.lock: refused: the lock is not a regular file (a folder, FIFO, socket or device); remove it, or name another lock with --lock FILE"
    );
    assert!(!dir.join("out").exists());
}

#[cfg(unix)]
#[test]
fn a_manifest_that_is_a_link_or_a_fifo_is_refused_and_never_read() {
    use std::os::unix::fs::symlink;
    let dir = case("manifest-link", &[]);
    write(&dir.join("secret.txt"), SECRET);
    std::fs::create_dir_all(dir.join("out")).expect("mkdir");
    let manifest = dir.join("out").join(checkdown::write::MANIFEST);
    symlink("../secret.txt", &manifest).expect("link");
    let o = checkdown_in_time(&dir, &["build", "in", "-o", "out"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.summary,
        "error: out/.checkdown-manifest: refused: the manifest is a symbolic link, which checkdown does not follow; move it away and build again"
    );
    assert_eq!(
        std::fs::read(dir.join("secret.txt")).expect("secret"),
        SECRET
    );
    assert!(std::fs::symlink_metadata(&manifest)
        .expect("link")
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_dir(dir.join("out")).expect("ls").count(), 1);

    std::fs::remove_file(&manifest).expect("rm");
    if !mkfifo(&manifest) {
        return;
    }
    let o = checkdown_in_time(&dir, &["build", "in", "-o", "out"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.summary,
        "error: out/.checkdown-manifest: refused: the manifest is not a regular file (a folder, FIFO, socket or device); move it away and build again"
    );
    assert_eq!(std::fs::read_dir(dir.join("out")).expect("ls").count(), 1);
}

/// A lock that is not one is refused at its line, and what the line holds is never shown.
#[test]
fn lock_errors_never_show_what_the_file_holds() {
    let secret = String::from_utf8_lossy(SECRET).trim_end().to_string();
    let cases = [
        (format!("{secret}\n").into_bytes(), "1: expected `checkdown-lock 1` as the first line that is not a comment (not a checkdown lock, or a newer one)"),
        (format!("checkdown-lock 1\n{secret}\n").into_bytes(), "2: not a line of a lock: a line is `key`, `id`, `title`, `heading` or `body` and its value, a `[document]` line, or a `#` comment"),
        (format!("checkdown-lock 1\n[a.md]\nkey a.md#x\n{secret} x\n").into_bytes(), "4: not a line of a lock: a line is `key`, `id`, `title`, `heading` or `body` and its value, a `[document]` line, or a `#` comment"),
        (format!("checkdown-lock 1\n[a.md]\nkey a.md#x\nid {secret} x\n").into_bytes(), "4: the id is empty or holds a space"),
        (format!("checkdown-lock 1\n[a.md]\nkey {secret}\nid 1\nkey {secret}\nid 2\n").into_bytes(), "5: this key is listed twice (also on line 3)"),
        (format!("checkdown-lock 1\n[a.md]\nkey {secret}\n").into_bytes(), "3: this entry (its `key` line) has no `id` line"),
        (b"checkdown-lock 1\n[a.md]\nkey a\xff\n".to_vec(), "3: the line is not valid UTF-8"),
    ];
    for (i, (text, message)) in cases.iter().enumerate() {
        let dir = case(
            &format!("lock-echo-{i}"),
            &[("checkdown.lock", text.as_slice())],
        );
        let text = String::from_utf8_lossy(text.as_slice());
        for extra in [&[][..], &["--tracker", "jira"][..]] {
            let o = checkdown_in_time(&dir, &[&["build", "in", "-o", "out"][..], extra].concat());
            assert_eq!(o.code, 2, "{text}");
            assert_eq!(
                o.summary,
                format!("error: in/checkdown.lock:{message}"),
                "{text} {extra:?}"
            );
        }
    }
}

/// A lock with a line longer than 64 MiB, or a file over 1 GiB, is refused without being
/// read whole (sparse files: they take no room).
#[test]
fn a_huge_lock_is_refused_without_being_read() {
    let dir = case("lock-huge", &[("checkdown.lock", b"checkdown-lock 1\n")]);
    let lock = dir.join("in/checkdown.lock");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock)
        .expect("open");
    file.set_len((64 << 20) + 100).expect("grow");
    drop(file);
    let o = checkdown_in_time(&dir, &["build", "in", "-o", "out"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.summary,
        "error: in/checkdown.lock:2: the line is longer than 64 MiB: not a lock checkdown wrote"
    );
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock)
        .expect("open");
    file.set_len((1 << 30) + 1).expect("grow");
    drop(file);
    let o = checkdown_in_time(&dir, &["build", "in", "-o", "out"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.summary,
        "error: in/checkdown.lock: refused: the lock is 1073741825 bytes, over the limit of 1024 MiB: not a lock checkdown wrote"
    );
    assert!(!dir.join("out").exists());
}

/// `load::read` on a thread, given up after 30 s (a read that waits on a FIFO fails the
/// test instead of hanging it).
fn read_in_time(abs: &Path, rel: &str) -> (bool, Vec<String>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let (abs, rel) = (abs.to_path_buf(), rel.to_string());
    std::thread::spawn(move || {
        let mut diags = Vec::new();
        let file = checkdown::load::read(&abs, &rel, 1 << 20, &mut diags);
        let _ = tx.send((
            file.is_some(),
            diags.iter().map(|d| d.render(false)).collect(),
        ));
    });
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .expect("load::read returned in 30 s")
}

/// A page swapped for a symbolic link or a FIFO after the walk listed it: the read neither
/// follows the link (a file outside INPUT would be published) nor waits on the FIFO.
#[cfg(unix)]
#[test]
fn a_page_swapped_after_the_walk_is_neither_followed_nor_waited_on() {
    let dir = case("swapped", &[]);
    write(
        &dir.join("outside/secret.md"),
        b"# Secret\n\n> [!div class=\"checklist\"]\n> - [x](#x)\n",
    );
    let page = dir.join("in/page.md");
    std::os::unix::fs::symlink("../outside/secret.md", &page).expect("link");
    let (read, diags) = read_in_time(&page, "page.md");
    assert!(!read);
    assert_eq!(
        diags,
        ["error[symlink]: the page became a symbolic link while INPUT was read; not followed, skipped
--> page.md
 |
help: build again once INPUT stops changing; checkdown never follows a link to a page"]
    );
    std::fs::remove_file(&page).expect("rm");
    if !mkfifo(&page) {
        return;
    }
    let (read, diags) = read_in_time(&page, "page.md");
    assert!(!read);
    assert_eq!(
        diags,
        [
            "error[io]: not a regular file (a FIFO, socket or device); skipped
--> page.md
 |
help: remove it from INPUT; checkdown reads only regular files"
        ]
    );
}

/// `build --check` compares with what OUTPUT holds: a FIFO at an output file's place is out
/// of date, not waited on.
#[cfg(unix)]
#[test]
fn build_check_never_waits_on_a_fifo_in_output() {
    let dir = case("check-fifo", &[]);
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0, "{}", o.diagnostics);
    for rel in ["checklist.json", "html/good.html"] {
        let path = dir.join("out").join(rel);
        std::fs::remove_file(&path).expect("rm");
        if !mkfifo(&path) {
            return;
        }
    }
    let o = checkdown_in_time(&dir, &["build", "in", "-o", "out", "--check"]);
    assert_eq!(o.code, 1);
    assert_eq!(
        o.diagnostics,
        "error[stale-output]: `checklist.json` is out of date with INPUT
--> out/checklist.json
 |
help: run `checkdown build` and commit the result
error[stale-output]: `html/good.html` is out of date with INPUT
--> out/html/good.html
 |
help: run `checkdown build` and commit the result"
    );
}

/// `build --check` writes nothing, not even scratch files: it runs with TMPDIR pointing at
/// a regular file, where nothing can be created.
#[test]
fn build_check_writes_nothing_into_the_temporary_folder() {
    let dir = case("check-tmpdir", &[]);
    assert_eq!(build(&dir, &[]).code, 0);
    write(&dir.join("not-a-folder"), b"x");
    for tmp in [dir.join("not-a-folder"), dir.join("missing/folder")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_checkdown"))
            .current_dir(&dir)
            .args(["build", "in", "-o", "out", "--check"])
            .env("TMPDIR", &tmp)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(dir.join("not-a-folder")).expect("kept"), b"x");
}

/// The temporary files beside the lock and the manifest are created new (`O_EXCL`): a link
/// planted at a temporary file's name (the process id is easy to guess in CI) is replaced,
/// never written through. In process, so that the process id is known.
#[cfg(unix)]
#[test]
fn temporary_files_are_never_written_through_a_planted_link() {
    use checkdown::render::Format;
    let dir = case("planted-tmp", &[]);
    let victim = dir.join("victim.txt");
    write(&victim, b"precious");
    let pid = std::process::id();
    let input = dir.join("in");
    let lock = input.join("checkdown.lock");
    std::os::unix::fs::symlink(&victim, input.join(format!(".checkdown.lock.{pid}.tmp")))
        .expect("link");
    std::fs::create_dir_all(dir.join("out")).expect("mkdir");
    std::os::unix::fs::symlink(
        &victim,
        dir.join(format!("out/..checkdown-manifest.{pid}.tmp")),
    )
    .expect("link");
    let options = checkdown::Options {
        jobs: 1,
        ..checkdown::Options::default()
    };
    let backlogs = checkdown::render::tracker::Options::default();
    let out = dir.join("out");
    let built = checkdown::build::build(&checkdown::build::Request {
        input: &input,
        skip: None,
        options: &options,
        lock: &lock,
        output: Some(&out),
        formats: &[Format::Json],
        templates: None,
        backlogs: &backlogs,
        check: false,
        progress: None,
    })
    .expect("builds");
    assert_eq!(built.documents, 1);
    assert!(built.lock.written);
    assert_eq!(std::fs::read(&victim).expect("victim"), b"precious");
    for written in [lock, out.join(checkdown::write::MANIFEST)] {
        let meta = std::fs::symlink_metadata(&written).expect("written");
        assert!(meta.is_file(), "{}", written.display());
    }
    // The same for any file written through `atomic_write`.
    let target = dir.join("file.txt");
    std::os::unix::fs::symlink(&victim, dir.join(format!(".file.txt.{pid}.tmp"))).expect("link");
    checkdown::write::atomic_write(&target, b"new").expect("written");
    assert_eq!(std::fs::read(&victim).expect("victim"), b"precious");
    assert_eq!(std::fs::read(&target).expect("target"), b"new");
    assert!(std::fs::symlink_metadata(&target)
        .expect("target")
        .is_file());
}

/// Every file and folder under `dir` (links not followed), with the bytes of each file.
fn snapshot(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    fn walk(root: &Path, at: &Path, into: &mut Vec<(String, Option<Vec<u8>>)>) {
        let Ok(entries) = std::fs::read_dir(at) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("inside")
                .display()
                .to_string();
            let meta = std::fs::symlink_metadata(&path).expect("meta");
            if meta.is_dir() {
                into.push((rel, None));
                walk(root, &path, into);
            } else {
                into.push((rel, Some(std::fs::read(&path).unwrap_or_default())));
            }
        }
    }
    let mut all = Vec::new();
    walk(dir, dir, &mut all);
    all.sort();
    all
}

/// `chattr +i` / `-i` (immutable: even root cannot rename over it or into it). False when
/// the file system or the container does not allow it.
#[cfg(target_os = "linux")]
fn immutable(path: &Path, on: bool) -> bool {
    let done = std::process::Command::new("chattr")
        .arg(if on { "+i" } else { "-i" })
        .arg(path)
        .output()
        .is_ok_and(|o| o.status.success());
    if !done && on {
        eprintln!("skipped: chattr +i is not available here");
    }
    done
}

/// A build that fails once it has started to commit (the lock cannot be replaced, or a
/// rename into OUTPUT fails halfway) exits 2 and leaves OUTPUT and the lock exactly as they
/// were: the lock is put in place first, and every change is undone on failure.
#[cfg(target_os = "linux")]
#[test]
fn a_build_that_fails_while_committing_leaves_output_and_the_lock_as_they_were() {
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let dir = case("commit-fails", &[("gone.md", &page)]);
    assert_eq!(build(&dir, &[]).code, 0);
    // The next build changes the lock (one more item), rewrites files, adds one, removes
    // the stale ones of `gone.md`.
    let more = String::from_utf8(page).expect("utf-8").replace(
        "> - [Listed](#-listed)",
        "> - [Listed](#-listed)\n> - [Added](#-added)",
    ) + "\n#### &#10003; Added\n\nMore.\n";
    write(&dir.join("in/good.md"), more.as_bytes());
    write(&dir.join("in/new/page.md"), more.as_bytes());
    std::fs::remove_file(dir.join("in/gone.md")).expect("rm");
    let lock = dir.join("in/checkdown.lock");
    let before = (snapshot(&dir.join("out")), snapshot(&dir.join("in")));

    if !immutable(&lock, true) {
        return;
    }
    for extra in [&[][..], &["--tracker", "jira"][..]] {
        let o = checkdown_in_time(&dir, &[&["build", "in", "-o", "out"][..], extra].concat());
        assert_eq!(o.code, 2, "{extra:?}: {}", o.summary);
        assert!(
            o.summary
                .starts_with("error: cannot write the lock file `in/checkdown.lock`"),
            "{}",
            o.summary
        );
        let after = (snapshot(&dir.join("out")), snapshot(&dir.join("in")));
        assert!(after == before, "{extra:?}: OUTPUT or INPUT changed");
    }
    assert!(immutable(&lock, false));

    // A rename into OUTPUT that fails after others succeeded: all of them are undone.
    let html = dir.join("out/html");
    assert!(immutable(&html, true));
    for extra in [&[][..], &["--tracker", "jira"][..]] {
        let o = checkdown_in_time(&dir, &[&["build", "in", "-o", "out"][..], extra].concat());
        let after = (snapshot(&dir.join("out")), snapshot(&dir.join("in")));
        assert_eq!(o.code, 2, "{extra:?}: {}", o.summary);
        assert!(o.summary.contains("out/html/"), "{}", o.summary);
        assert!(after == before, "{extra:?}: OUTPUT or INPUT changed");
    }
    assert!(immutable(&html, false));
    let o = build(&dir, &[]);
    assert_eq!(o.code, 0, "{}", o.diagnostics);
    assert_eq!(
        o.summary,
        "checkdown: 2 documents, 4 items, 0 skipped, 0 errors, 0 warnings, 8 files written, 2 stale files removed"
    );
}

/// The documents' paths in `out/checklist.json`, and whether OUTPUT holds exactly what its
/// manifest lists, the HTML page of each document and nothing else.
fn consistent(out: &Path) -> Result<Vec<String>, String> {
    let json = std::fs::read_to_string(out.join("checklist.json")).map_err(|e| e.to_string())?;
    let catalog: checkdown::model::Catalog =
        serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let docs: Vec<String> = catalog.documents.into_iter().map(|d| d.path).collect();
    let manifest =
        std::fs::read_to_string(out.join(checkdown::write::MANIFEST)).map_err(|e| e.to_string())?;
    let mut listed: Vec<String> = manifest
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(' ').map(|(_, p)| p.to_string()))
        .collect();
    listed.sort();
    let mut present: Vec<String> = snapshot(out)
        .into_iter()
        .filter(|(rel, bytes)| bytes.is_some() && !rel.starts_with('.'))
        .map(|(rel, _)| rel)
        .collect();
    present.sort();
    if listed != present {
        return Err(format!("listed {listed:?}\npresent {present:?}"));
    }
    for d in &docs {
        let html = format!("html/{}", d.replace(".md", ".html"));
        if !present.contains(&html) {
            return Err(format!("{html} missing"));
        }
    }
    let pages = present.iter().filter(|p| p.starts_with("html/")).count();
    if pages != docs.len() + 1 {
        return Err(format!("{pages} HTML pages for {} documents", docs.len()));
    }
    Ok(docs)
}

/// Two builds of different INPUTs into one OUTPUT at once: both succeed, one after the
/// other, and OUTPUT is the whole site of one of them. And a build that finds OUTPUT locked
/// says so and waits.
#[test]
fn two_builds_into_one_output_commit_one_after_the_other() {
    use std::process::{Command, Stdio};
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    let dir = case("concurrent", &[]);
    std::fs::remove_dir_all(dir.join("in")).expect("rm");
    for (input, prefix, n) in [("a", "alpha", 150), ("b", "beta", 90)] {
        for i in 0..n {
            write(&dir.join(input).join(format!("{prefix}-{i:03}.md")), &page);
        }
    }
    let spawn = |input: &str| {
        Command::new(env!("CARGO_BIN_EXE_checkdown"))
            .current_dir(&dir)
            .args(["build", input, "-o", "out", "--jobs", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs")
    };
    for round in 0..6 {
        let (first, second) = if round % 2 == 0 {
            ("a", "b")
        } else {
            ("b", "a")
        };
        let one = spawn(first);
        let two = spawn(second);
        for child in [one, two] {
            let o = child.wait_with_output().expect("waits");
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        }
        let docs = consistent(&dir.join("out")).unwrap_or_else(|e| panic!("round {round}: {e}"));
        let n = docs.len();
        assert!(
            (docs.iter().all(|d| d.starts_with("alpha")) && n == 150)
                || (docs.iter().all(|d| d.starts_with("beta")) && n == 90),
            "round {round}: {n} documents"
        );
    }

    // The lock file is there only while a build commits.
    let lock_file = dir.join("out").join(checkdown::write::OUTPUT_LOCK);
    assert!(!lock_file.exists());
    // OUTPUT held by another: the build says so and waits for it.
    let held = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_file)
        .expect("the lock file");
    held.lock().expect("locks");
    write(&dir.join("c/gamma.md"), &page);
    let mut child = spawn("c");
    std::thread::sleep(std::time::Duration::from_millis(3000));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "the build did not wait for the lock on OUTPUT"
    );
    held.unlock().expect("unlocks");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        assert!(started.elapsed().as_secs() < 60, "the build never finished");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let o = child.wait_with_output().expect("output");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("checkdown: out/.checkdown-lock: another build is writing into this output folder; waiting for it to finish\n"),
        "{err}"
    );
    assert_eq!(
        consistent(&dir.join("out")),
        Ok(vec!["gamma.md".to_string()])
    );
}

/// The temporary files and staging folders of builds that were killed are removed by the
/// next build: only names checkdown uses, only of processes that have ended, and never a
/// staging folder whose build still holds its lock (a build in another PID namespace).
#[cfg(target_os = "linux")]
#[test]
fn a_killed_build_leaves_nothing_the_next_build_keeps() {
    let dir = case("leftovers", &[]);
    assert_eq!(build(&dir, &[]).code, 0);
    let mut gone = std::process::Command::new("true").spawn().expect("true");
    let dead = gone.id();
    gone.wait().expect("waits");
    let mut alive = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("sleep");
    let live = alive.id();
    let (input, out) = (dir.join("in"), dir.join("out"));
    let removed = [
        input.join(format!(".checkdown.lock.{dead}.tmp")),
        input.join(format!(".checkdown.lock.{dead}.old")),
        out.join(format!("..checkdown-manifest.{dead}.tmp")),
        out.join(format!(".checkdown-staging-{dead}/html/good.html")),
        out.join(format!(".checkdown-staging-{dead}-1/checklist.json")),
    ];
    let kept = [
        input.join(format!(".checkdown.lock.{live}.tmp")),
        input.join(format!(".checkdown.lock.{dead}.tmp.keep")),
        input.join(format!(".other.{dead}.tmp")),
        out.join(format!("..checkdown-manifest.{live}.tmp")),
        out.join(format!(".checkdown-staging-{live}/checklist.json")),
        out.join(format!(".checkdown-staging-{dead}x/checklist.json")),
        out.join(".checkdown-staging-held/checklist.json"),
    ];
    for f in removed.iter().chain(&kept) {
        write(f, b"x");
    }
    // A staging folder of a process this one cannot see, whose build holds its lock.
    let held_dir = out.join(format!(".checkdown-staging-{}", dead + 1_000_000));
    write(&held_dir.join("checklist.json"), b"x");
    write(&held_dir.join(".owner"), b"");
    let owner = std::fs::File::open(held_dir.join(".owner")).expect("owner");
    owner.lock().expect("locks");

    let o = build(&dir, &[]);
    let _ = alive.kill();
    let _ = alive.wait();
    assert_eq!(o.code, 0, "{}", o.diagnostics);
    for f in &removed {
        assert!(!f.exists(), "{} is left", f.display());
    }
    assert!(!out.join(format!(".checkdown-staging-{dead}")).exists());
    for f in &kept {
        assert!(f.exists(), "{} was removed", f.display());
    }
    assert!(held_dir.join("checklist.json").exists());
    drop(owner);

    // A build killed at any point: the next one leaves no staging folder and no temporary.
    let page = std::fs::read(fixture("diag/clean/page.md")).expect("clean fixture");
    for i in 0..300 {
        write(&input.join(format!("p{i:03}.md")), &page);
    }
    for delay in [30, 120, 400] {
        std::fs::remove_file(input.join("checkdown.lock")).expect("rm");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_checkdown"))
            .current_dir(&dir)
            .args(["build", "in", "-o", "out"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("runs");
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let o = build(&dir, &[]);
        assert_eq!(o.code, 0, "{}", o.diagnostics);
        let mine = |d: &Path, pid: u32| {
            std::fs::read_dir(d)
                .expect("ls")
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(&pid.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(mine(&input, child.id()), Vec::<String>::new());
        assert_eq!(mine(&out, child.id()), Vec::<String>::new());
    }
}

/// `watch`: an edit that changes the lock gives one rebuild, not two; and once INPUT is
/// replaced (renamed away and another folder put at its path, or removed and created
/// again), edits of the new folder are still built.
#[cfg(all(feature = "watch", unix))]
#[test]
fn watch_builds_once_per_edit_and_follows_a_replaced_input() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let dir = case("watch-replaced", &[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_checkdown"))
        .current_dir(&dir)
        .args(["watch", "in", "-o", "out"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("watch starts");
    let (tx, rx) = std::sync::mpsc::channel();
    let err = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The builds (summary lines) seen within `wait`, stopping at the first when `first`.
    let builds = |wait: Duration, first: bool| -> usize {
        let deadline = Instant::now() + wait;
        let mut n = 0;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(" files written") || line.contains(" file written") => {
                    n += 1;
                    if first {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        n
    };
    let result = (|| -> Result<(), String> {
        if builds(Duration::from_secs(60), true) != 1 {
            return Err("no first build".into());
        }
        std::thread::sleep(Duration::from_millis(300));
        let page = dir.join("in/good.md");
        let text = std::fs::read_to_string(&page).expect("page");
        let edited = text.replace(
            "> - [Listed](#-listed)",
            "> - [Listed](#-listed)\n> - [Added](#-added)",
        ) + "\n#### &#10003; Added\n\nMore.\n";
        std::fs::write(&page, &edited).expect("edit");
        let n = builds(Duration::from_secs(4), false);
        if n != 1 {
            return Err(format!("{n} builds after one edit that changed the lock"));
        }
        // Replaced: renamed away, a copy put in its place, then edited.
        std::fs::rename(dir.join("in"), dir.join("in-old")).expect("mv");
        std::fs::create_dir(dir.join("in")).expect("mkdir");
        for name in ["good.md", "checkdown.lock"] {
            std::fs::copy(dir.join("in-old").join(name), dir.join("in").join(name)).expect("cp");
        }
        builds(Duration::from_secs(3), false);
        std::fs::write(
            dir.join("in/good.md"),
            edited.replace("# Clean", "# Replaced"),
        )
        .expect("edit");
        if builds(Duration::from_secs(30), true) != 1 {
            return Err("no build after an edit of the replaced folder".into());
        }
        // Removed, then created again.
        std::fs::remove_dir_all(dir.join("in")).expect("rm");
        std::thread::sleep(Duration::from_millis(1200));
        write(
            &dir.join("in/good.md"),
            edited.replace("# Clean", "# Again").as_bytes(),
        );
        if builds(Duration::from_secs(30), true) != 1 {
            return Err("no build once the folder came back".into());
        }
        Ok(())
    })();
    let _ = child.kill();
    let _ = child.wait();
    result.unwrap_or_else(|e| panic!("{e}"));
    let json = std::fs::read_to_string(dir.join("out/checklist.json")).expect("json");
    assert!(json.contains("\"Again\""), "{json}");
}
