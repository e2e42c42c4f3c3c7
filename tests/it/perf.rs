//! `--jobs`: the output is the same bytes for any number of jobs, and the same as the
//! in-memory renderer's. (Speed is measured by the benches, never asserted in tests.)

use std::collections::BTreeMap;
use std::path::Path;

use checkdown::render::{render, Format};

use crate::common::{build_into, corpus, repo, run, stderr, temp_dir};

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk output");
        if entry.file_type().is_file() {
            out.insert(
                checkdown::load::relative(dir, entry.path()),
                std::fs::read(entry.path()).expect("read output"),
            );
        }
    }
    out
}

/// Builds `input` with `--jobs 1` and `--jobs 2` and compares every byte. The lock goes to
/// a temporary file (each build starts from none), never into INPUT.
fn same_output_for_any_jobs(input: &Path, name: &str) {
    let mut built = Vec::new();
    for jobs in ["1", "2"] {
        let dir = temp_dir(&format!("perf-{name}-jobs{jobs}"));
        let out = dir.join("out");
        let lock = dir.join("checkdown.lock");
        let o = build_into(input, &out, &lock, &["--jobs", jobs]);
        assert!(o.status.code() == Some(0), "{}", stderr(&o));
        // Each build has a folder of its own: its path is named the same in both.
        let summary = stderr(&o).replace(dir.to_str().expect("path"), "DIR");
        let diagnostics = summary
            .rsplit_once("checkdown: ")
            .map(|(d, s)| {
                (
                    d.to_string(),
                    s.split(" in ").next().unwrap_or("").to_string(),
                )
            })
            .expect("summary line");
        let lock_text = std::fs::read(&lock).expect("lock written");
        built.push((files(&out), diagnostics, lock_text));
        // A second build finds every file current and writes nothing.
        let again = build_into(input, &out, &lock, &["--jobs", jobs]);
        assert!(
            stderr(&again).contains(", 0 files written in "),
            "{}",
            stderr(&again)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    let (one, two) = (&built[0], &built[1]);
    assert_eq!(
        one.0.keys().collect::<Vec<_>>(),
        two.0.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one.0 {
        assert!(
            two.0[path] == *bytes,
            "{path} differs between --jobs 1 and 2"
        );
    }
    assert_eq!(one.1, two.1, "diagnostics and summary differ");
    assert!(one.2 == two.2, "the lock differs between --jobs 1 and 2");
    assert!(
        !one.0.keys().any(|p| p.contains(".tmp")),
        "temporary files left behind"
    );
}

#[test]
fn input_builds_the_same_with_any_jobs() {
    same_output_for_any_jobs(&repo().join("input"), "input");
}

#[test]
fn corpus_builds_the_same_with_any_jobs() {
    let Some(root) = corpus() else {
        return;
    };
    same_output_for_any_jobs(&root, "corpus");
}

/// The in-memory renderer gives the same files on one thread and on two.
#[test]
fn render_is_the_same_with_any_jobs() {
    let Some(root) = corpus() else {
        return;
    };
    let compiled = checkdown::compile_dir(&root, None, &checkdown::Options::default());
    let with = |jobs| {
        let options = checkdown::Options {
            jobs,
            ..checkdown::Options::default()
        };
        options
            .pool()
            .install(|| render(&compiled.catalog, &Format::ALL, None).expect("renders"))
    };
    assert!(with(1) == with(2), "render differs between 1 and 2 threads");
}

#[test]
fn compile_dir_is_the_same_with_any_jobs() {
    let Some(root) = corpus() else {
        return;
    };
    let with = |jobs| {
        checkdown::compile_dir(
            &root,
            None,
            &checkdown::Options {
                jobs,
                ..checkdown::Options::default()
            },
        )
    };
    let (one, two) = (with(1), with(2));
    assert_eq!(one.catalog, two.catalog);
    assert_eq!(one.diagnostics, two.diagnostics);
    assert_eq!((one.files, one.skipped), (two.files, two.skipped));
}

#[test]
fn jobs_zero_is_refused() {
    let o = run(&repo(), &["check", "input", "--jobs", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Every Markdown fragment the renderers turn into HTML.
fn fragments(docs: &[checkdown::model::Document]) -> Vec<String> {
    let mut out = Vec::new();
    for d in docs {
        out.push(d.intro.clone());
        out.extend(d.callouts.iter().map(|c| c.text.clone()));
        for s in &d.sections {
            out.push(s.intro.clone());
            out.extend(s.callouts.iter().map(|c| c.text.clone()));
            for i in &s.items {
                out.push(i.body.clone());
                out.extend(i.benefit.clone());
                out.extend(i.callouts.iter().map(|c| c.text.clone()));
            }
        }
    }
    out
}

/// The direct HTML path writes what pulldown-cmark + ammonia write, wherever it applies.
fn direct_html_matches(fragments: &[String]) -> (usize, usize) {
    use checkdown::render::markdown::PLAIN_START_BYTES;
    use checkdown::render::markdown::{digest, first_sentence, to_html, to_plain};
    let mut direct = 0;
    for md in fragments {
        // One parse gives what three separate ones give.
        let d = digest(md);
        assert_eq!(d.html, to_html(md), "digest differs for:\n{md}");
        assert_eq!(d.first_sentence, first_sentence(md), "{md}");
        assert_eq!(
            checkdown::render::markdown::to_html_and_first_sentence(md),
            (d.html.clone(), d.first_sentence.clone())
        );
        let plain = to_plain(md);
        assert!(plain.starts_with(&d.plain_start), "{md}");
        assert!(
            d.plain_start.len() >= plain.len().min(PLAIN_START_BYTES),
            "{md}"
        );
        assert_eq!(
            checkdown::lock::excerpt_of_plain(&d.plain_start),
            checkdown::lock::excerpt(md)
        );
        let (fast, cleaned) = checkdown::render::markdown::to_html_both_ways(md);
        if let Some(fast) = fast {
            assert_eq!(fast, cleaned, "direct HTML differs for:\n{md}");
            direct += 1;
        }
    }
    (direct, fragments.len())
}

#[test]
fn direct_html_is_the_cleaned_html() {
    let cases = [
        "Plain *em* **strong** ~~del~~ `code <b>` & \"quotes\" 'single' a\u{a0}b <>",
        "# H1\n\n## H2 with `code`\n\nPara\nsoft break  \nhard break\n\n---\n\ntext\n***",
        "- a\n- b\n  1. c\n  2. d\n\n3. three\n4. four\n\n* loose\n\n* list",
        "> quote\n>\n> > nested\n\n> [!NOTE]\n> alert\n\n> [!WARNING]\n> careful",
        "```rust\nfn main() {}\n```\n\n    indented <code>\n\n~~~\n\n~~~",
        "| a | b | c |\n|:--|:-:|--:|\n| 1 | *2* | `3` |\n| x |\n\n| only | head |\n|---|---|",
        "[rel](page.md#x) [abs](https://e.test/a?b=1&c='2'#f \"T & \\\"q\\\"\") [js](javascript:alert(1)) [ftp](ftp://e.test) [data](data:text/html,x)",
        "<https://e.test/auto> <me@e.test> [sp](<a b.md>) [uni](https://e.test/ü?q=ä) [bad](http://[::1)",
        "![alt *em* `c`](img.png \"title\") ![x](javascript:x) [![inner](i.svg)](https://e.test)",
        "[ref]\n\n[ref]: https://e.test/ref \"Ref title\"",
        "Entities: &copy; &nbsp; &amp; &lt;tag&gt; &#10003; &#x27;",
        "text with trailing spaces   \nnext\n\n\\* escaped \\<",
        "- item\n\n  ## heading in item\n\n  > quote in item\n\n  ```\n  code in item\n  ```",
        "[e]() [f](#frag) [q](https://e.test/a\"b<c>d) [amp](https://e.test/?a=1&amp;b=2) [^1]",
        "> | t | u |\n> |---|---|\n> | 1 | 2 |\n\n`a\u{a0}b` \u{a0}\u{a0} ]]> &quot;",
        "1) one\n2) two\n\n7. seven\n\n- [link **bold** `code`](https://e.test/x_y) after",
        "**[Title](../guide.md)** – dash — and ✓ emoji 🙂\n\n> [!TIP]\n> - tip list\n>\n> ```\n> code\n> ```",
    ];
    let cases: Vec<String> = cases.iter().map(|s| s.to_string()).collect();
    let (direct, all) = direct_html_matches(&cases);
    assert_eq!(direct, all, "every case should take the direct path");
    let fallback = [
        "<b>raw html</b>",
        "comment x<!--y-->",
        "<div>\nblock\n</div>",
        "- [ ] task\n- [x] done",
        "line\r\nwith CRLF",
    ];
    for md in fallback {
        let (fast, _) = checkdown::render::markdown::to_html_both_ways(md);
        assert!(fast.is_none(), "{md}");
    }
    let fallback: Vec<String> = fallback.iter().map(|s| s.to_string()).collect();
    assert_eq!(direct_html_matches(&fallback), (0, fallback.len()));
}

#[test]
fn direct_html_is_the_cleaned_html_on_the_corpus() {
    let Some(root) = corpus() else {
        return;
    };
    let compiled = checkdown::compile_dir(&root, None, &checkdown::Options::default());
    let (direct, all) = direct_html_matches(&fragments(&compiled.catalog.documents));
    eprintln!("direct path: {direct} of {all} fragments");
    assert!(
        direct * 2 > all,
        "the direct path should apply to most fragments"
    );
    let compiled =
        checkdown::compile_dir(&repo().join("input"), None, &checkdown::Options::default());
    direct_html_matches(&fragments(&compiled.catalog.documents));
}
