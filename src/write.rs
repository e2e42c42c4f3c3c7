//! Write: output files into OUTPUT only, each one atomically (temporary file in the same
//! folder, then rename), so a reader never sees half a file.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::render::OutputFile;
use crate::Error;

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// The place of a relative output path inside `out`, refusing anything that would escape.
pub fn resolve(out: &Path, rel: &str) -> Result<PathBuf, Error> {
    let rel_path = Path::new(rel);
    let safe = !rel.is_empty()
        && rel_path
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !safe {
        return Err(Error::Io {
            path: rel.to_string(),
            message: "output path would leave the output folder".to_string(),
        });
    }
    Ok(out.join(rel_path))
}

/// Writes every file under `out`. Files whose bytes are already there are left alone.
pub fn write_all(out: &Path, files: &[OutputFile]) -> Result<usize, Error> {
    let mut written = 0;
    for f in files {
        let path = resolve(out, &f.path)?;
        if std::fs::read(&path).is_ok_and(|old| old == f.bytes) {
            continue;
        }
        atomic_write(&path, &f.bytes)?;
        written += 1;
    }
    Ok(written)
}

/// Output files that differ from what is in `out` (missing or different bytes).
pub fn stale(out: &Path, files: &[OutputFile]) -> Vec<String> {
    files
        .iter()
        .filter(|f| {
            resolve(out, &f.path)
                .ok()
                .and_then(|p| std::fs::read(p).ok())
                .is_none_or(|old| old != f.bytes)
        })
        .map(|f| f.path.clone())
        .collect()
}
