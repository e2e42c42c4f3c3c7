//! The scale corpus: N copies of a folder of Markdown pages under distinct paths, to show
//! how time per MB and peak memory grow with the work.
//!
//!     cargo run --release --example scale -- SOURCE DEST N
//!
//! writes DEST/copy-001/..., DEST/copy-002/..., ... (every file of SOURCE, hidden entries
//! skipped). DEST is emptied first. Prints the number of files and bytes written.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (source, dest, n) = match args.as_slice() {
        [s, d, n] => match n.parse::<usize>() {
            Ok(n) if n > 0 => (Path::new(s), Path::new(d), n),
            _ => {
                eprintln!("scale: N must be a positive number, got `{n}`");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: scale SOURCE DEST N");
            return ExitCode::from(2);
        }
    };
    match generate(source, dest, n) {
        Ok((files, bytes)) => {
            println!("{files} files, {bytes} bytes in {}", dest.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scale: {e}");
            ExitCode::from(2)
        }
    }
}

/// Writes `n` copies of `source` under `dest` and returns the files and bytes written.
fn generate(source: &Path, dest: &Path, n: usize) -> std::io::Result<(usize, u64)> {
    if dest.exists() {
        std::fs::remove_dir_all(dest)?;
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(source)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(source).unwrap_or(entry.path());
            files.push((rel.to_path_buf(), std::fs::read(entry.path())?));
        }
    }
    let width = n.to_string().len().max(3);
    let mut count = 0;
    let mut bytes = 0;
    for copy in 1..=n {
        let root = dest.join(format!("copy-{copy:0width$}"));
        for (rel, content) in &files {
            let path = root.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&path, content)?;
            count += 1;
            bytes += content.len() as u64;
        }
    }
    Ok((count, bytes))
}
