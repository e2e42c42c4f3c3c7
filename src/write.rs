//! Write: output files into OUTPUT only, each one atomically (temporary file in the same
//! folder, then rename), so a reader never sees half a file.

use std::collections::BTreeMap;
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

/// The place of a relative output path inside `out`, refusing anything that would escape:
/// `..`, absolute paths, and paths that pass through a symbolic link inside `out`.
pub fn resolve(out: &Path, rel: &str) -> Result<PathBuf, Error> {
    let refuse = |why: &str| Error::Io {
        path: out.join(rel).display().to_string(),
        message: format!("refused: {why}"),
    };
    if !is_inside(rel) {
        return Err(refuse("the path would leave the output folder"));
    }
    let rel_path = Path::new(rel);
    // Every step on the way must be a real folder inside `out`, not a link out of it.
    let mut at = out.to_path_buf();
    let mut parts = rel_path.components().peekable();
    while let Some(part) = parts.next() {
        at.push(part);
        let last = parts.peek().is_none();
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refuse(
                    "a symbolic link is on the way; checkdown writes only inside the output folder",
                ));
            }
            Ok(meta) if !last && !meta.is_dir() => {
                return Err(refuse("a file is in the way of a folder"));
            }
            Ok(meta) if last && meta.is_dir() => {
                return Err(refuse("a folder is in the way of the file"));
            }
            Ok(_) => {}
            // Missing: created when written.
            Err(_) => break,
        }
    }
    Ok(out.join(rel_path))
}

/// Is `rel` a relative path made only of plain names (no `..`, `.`, root or prefix)?
fn is_inside(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// The name of the list of files checkdown wrote, kept in OUTPUT.
pub const MANIFEST: &str = ".checkdown-manifest";

const MANIFEST_HEADER: &str = "\
# checkdown manifest 1: the files checkdown wrote into this folder, each with a hash of
# what it wrote. A rebuild removes those it no longer writes, and only while they still
# hold what it wrote; it never removes any other file.
";

/// What checkdown wrote into a folder: relative path -> FNV-1a hash of the bytes.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest(pub BTreeMap<String, u64>);

impl Manifest {
    /// Reads `out/.checkdown-manifest`; a missing one is empty.
    pub fn read(out: &Path) -> Result<Manifest, Error> {
        let path = out.join(MANIFEST);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Manifest::parse(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(Error::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// Lines that are not `HASH PATH`, with a path that stays inside the folder, are
    /// ignored: nothing is ever done to what they name.
    pub fn parse(text: &str) -> Manifest {
        let mut entries = BTreeMap::new();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let Some((hash, path)) = line.split_once(' ') else {
                continue;
            };
            let Ok(hash) = u64::from_str_radix(hash, 16) else {
                continue;
            };
            if path != MANIFEST && is_inside(path) {
                entries.insert(path.to_string(), hash);
            }
        }
        Manifest(entries)
    }

    pub fn render(&self) -> String {
        let mut out = String::from(MANIFEST_HEADER);
        for (path, hash) in &self.0 {
            out.push_str(&format!("{hash:016x} {path}\n"));
        }
        out
    }

    fn write(&self, out: &Path) -> Result<(), Error> {
        atomic_write(&out.join(MANIFEST), self.render().as_bytes())
    }
}

/// FNV-1a, 64 bits: tells whether a file still holds what checkdown wrote.
pub fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// What a write did.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written (new, or with changed bytes).
    pub written: usize,
    /// Files an earlier build wrote that this one does not: removed.
    pub removed: Vec<String>,
    /// Such files left in place, because they no longer hold what checkdown wrote (or
    /// their path is no longer safe to touch).
    pub kept: Vec<String>,
}

/// Writes every file under `out` and removes stale files of earlier builds (see `write`).
/// Returns the number of files written.
pub fn write_all(out: &Path, files: &[OutputFile]) -> Result<usize, Error> {
    write(out, files).map(|r| r.written)
}

/// Writes every file under `out`, each atomically, leaving alone files whose bytes are
/// already there; records them in `out/.checkdown-manifest`; removes the files an earlier
/// build wrote and this one does not, while they still hold what it wrote.
///
/// Refused before anything is written: a path that would leave `out` (through `..` or a
/// symbolic link), and a file in the way that checkdown did not write.
pub fn write(out: &Path, files: &[OutputFile]) -> Result<Report, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::Io {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    let old = Manifest::read(out)?;
    let mut new = Manifest::default();
    let mut plan = Vec::with_capacity(files.len());
    for f in files {
        let path = resolve(out, &f.path)?;
        let existing = std::fs::read(&path).ok();
        let same = existing.as_deref() == Some(f.bytes.as_slice());
        if existing.is_some() && !same && !old.0.contains_key(&f.path) {
            return Err(Error::Io {
                path: path.display().to_string(),
                message: format!(
                    "refused: the file exists and checkdown did not write it (it is not in \
                     {MANIFEST}); move it away, or choose another output folder"
                ),
            });
        }
        new.0.insert(f.path.clone(), hash(&f.bytes));
        plan.push((path, f, same));
    }
    // List what is about to be written before writing it, so that an interrupted build
    // still knows its files.
    let mut both = old.clone();
    both.0.extend(new.0.iter().map(|(k, v)| (k.clone(), *v)));
    if both != old {
        both.write(out)?;
    }
    let mut report = Report::default();
    for (path, f, same) in plan {
        if !same {
            atomic_write(&path, &f.bytes)?;
            report.written += 1;
        }
    }
    for (rel, recorded) in &old.0 {
        if new.0.contains_key(rel) {
            continue;
        }
        let Ok(path) = resolve(out, rel) else {
            report.kept.push(rel.clone());
            continue;
        };
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => {}
            // Gone already, or something else now: nothing of ours to remove.
            _ => continue,
        }
        let ours = std::fs::read(&path).is_ok_and(|b| hash(&b) == *recorded);
        if ours && std::fs::remove_file(&path).is_ok() {
            report.removed.push(rel.clone());
            remove_empty_parents(out, &path);
        } else {
            report.kept.push(rel.clone());
        }
    }
    if new != both {
        new.write(out)?;
    }
    Ok(report)
}

/// Removes the folders between `file` and `out` that are now empty.
fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || !d.starts_with(out) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
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
