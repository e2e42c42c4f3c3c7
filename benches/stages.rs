//! Per-stage figures on the shared corpus, in one process: load, parse, extract, render
//! (each format alone, then all four as a build renders them), write, and the in-process
//! floor (pulldown-cmark to HTML, no I/O). Markdown and HTML share the per-document view
//! (item bodies as sanitized HTML), so each of those two rows includes it.
//!
//!     cargo bench --bench stages [-- --runs N] [-- --corpus DIR]
//!
//! Each stage runs `--runs` times (default 21) over every file; the median is printed with
//! its throughput over the corpus's Markdown bytes. The stages run one after another on one
//! core, each on the previous stage's result computed once beforehand, so a figure is the
//! cost of that stage alone.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use checkdown::diag::Diagnostic;
use checkdown::extract::{self, links::Site, Env};
use checkdown::load::{self, SourceFile};
use checkdown::model::{Catalog, FORMAT};
use checkdown::parse::{self, Node};
use checkdown::render::{self, Format};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = flag(&args, "--runs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(21);
    let corpus = flag(&args, "--corpus")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/waf"));
    if !corpus.is_dir() {
        eprintln!("stages: no corpus at {}", corpus.display());
        std::process::exit(2);
    }
    let corpus = corpus.canonicalize().unwrap_or(corpus);
    // Rendering and writing run on rayon's pool: one thread, so each figure is one core's.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();

    let mut diags: Vec<Diagnostic> = Vec::new();
    let paths = load::walk(&corpus, None, &load::Pages::default(), &mut diags);
    let files: Vec<SourceFile> = paths
        .iter()
        .filter_map(|(abs, rel)| load::read(abs, rel, u64::MAX, &mut diags))
        .collect();
    let bytes: usize = files.iter().map(|f| f.text.len()).sum();
    let env = Env {
        site: Site::default(),
        known: Some(paths.iter().map(|(_, rel)| rel.clone()).collect()),
        root: None,
    };
    let trees: Vec<Vec<Node>> = files
        .iter()
        .map(|f| parse::parse(&f.text, f.body_start))
        .collect();
    let catalog = Catalog {
        format: FORMAT,
        documents: files
            .iter()
            .zip(&trees)
            .filter_map(|(f, t)| extract::extract(f, t, &env).0)
            .collect(),
    };
    let all = render::render(&catalog, &Format::ALL, None).expect("renders");
    let out_bytes: usize = all.iter().map(|f| f.bytes.len()).sum();
    println!(
        "corpus: {} ({} files, {:.2} MB of Markdown; {} documents, {} output files, {:.2} MB)",
        corpus.display(),
        files.len(),
        mb(bytes),
        catalog.documents.len(),
        all.len(),
        mb(out_bytes)
    );
    println!("median of {runs} runs, one core; MB/s over the Markdown bytes");
    println!("{:<16} {:>10} {:>10}", "stage", "ms", "MB/s");

    let report = |name: &str, f: &mut dyn FnMut()| {
        let t = median(runs, f);
        println!(
            "{:<16} {:>10.3} {:>10.1}",
            name,
            t.as_secs_f64() * 1e3,
            mb(bytes) / t.as_secs_f64()
        );
    };

    report("load", &mut || {
        let mut d = Vec::new();
        let n: usize = paths
            .iter()
            .filter_map(|(abs, rel)| load::read(abs, rel, u64::MAX, &mut d))
            .map(|f| f.text.len())
            .sum();
        assert_eq!(n, bytes);
    });
    report("parse", &mut || {
        for f in &files {
            std::hint::black_box(parse::parse(&f.text, f.body_start));
        }
    });
    report("extract", &mut || {
        for (f, t) in files.iter().zip(&trees) {
            std::hint::black_box(extract::extract(f, t, &env));
        }
    });
    for format in Format::ALL {
        report(&format!("render {}", format.name()), &mut || {
            std::hint::black_box(render::render(&catalog, &[format], None).expect("renders"));
        });
    }
    report("render (all)", &mut || {
        std::hint::black_box(render::render(&catalog, &Format::ALL, None).expect("renders"));
    });
    let out = std::env::temp_dir().join(format!("checkdown-stages-{}", std::process::id()));
    report("write", &mut || {
        let _ = std::fs::remove_dir_all(&out);
        checkdown::write::write_all(&out, &all).expect("writes");
    });
    let _ = std::fs::remove_dir_all(&out);
    let options = parse::options();
    report("floor (no I/O)", &mut || {
        let mut html = String::new();
        for f in &files {
            html.clear();
            pulldown_cmark::html::push_html(
                &mut html,
                pulldown_cmark::Parser::new_ext(&f.text, options),
            );
            std::hint::black_box(&html);
        }
    });
}

fn flag(args: &[String], name: &str) -> Option<String> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).cloned()
}

fn median(runs: usize, f: &mut dyn FnMut()) -> Duration {
    f(); // warm-up
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}
