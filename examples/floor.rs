//! The floor: what any Markdown compiler must at least do with INPUT. It walks INPUT for
//! `*.md` (sorted, hidden folders skipped, as checkdown does), reads each file once, renders
//! it to HTML with pulldown-cmark (checkdown's Markdown options) and writes the result under
//! OUTPUT. checkdown's whole-process time is reported as a ratio to this program's.
//!
//!     cargo run --release --example floor -- INPUT OUTPUT

use std::path::Path;
use std::process::ExitCode;

use pulldown_cmark::{html, Options, Parser};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: floor INPUT OUTPUT");
        return ExitCode::from(2);
    };
    match run(Path::new(input), Path::new(output)) {
        Ok(n) => {
            eprintln!("floor: {n} files written");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(input: &Path, output: &Path) -> std::io::Result<usize> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_GFM
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut written = 0;
    let mut html_out = String::new();
    let walker = walkdir::WalkDir::new(input)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry?;
        let path = entry.path();
        let is_md = path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("md"));
        if !entry.file_type().is_file() || !is_md {
            continue;
        }
        let text = std::fs::read_to_string(path)?;
        html_out.clear();
        html::push_html(&mut html_out, Parser::new_ext(&text, options));
        let rel = path.strip_prefix(input).unwrap_or(path);
        let dest = output.join(rel).with_extension("html");
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(dest, &html_out)?;
        written += 1;
    }
    Ok(written)
}
