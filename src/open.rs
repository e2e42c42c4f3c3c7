//! Opening files in folders that others write into (INPUT, OUTPUT, the lock's folder) for
//! reading: never through a symbolic link, never waiting on a FIFO, and only when what was
//! opened is a regular file.
//!
//! On Unix the file is opened with `O_NOFOLLOW` (a link at the last step of the path is
//! refused, not followed) and `O_NONBLOCK` (opening a FIFO returns at once instead of
//! waiting for a writer), and the handle is checked with `fstat`, so what is read is the
//! file that was checked, even if the path is swapped in between. Elsewhere the path is
//! checked with `symlink_metadata` before it is opened, and the handle after.

use std::fs::File;
use std::io::Read as _;
use std::path::Path;

/// Why a file was not opened.
#[derive(Debug)]
pub enum Refused {
    /// There is no such file.
    NotFound,
    /// The path is a symbolic link.
    Link,
    /// A folder, FIFO, socket or device.
    NotRegular,
    /// Any other failure.
    Io(std::io::Error),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotFound => f.write_str("no such file"),
            Refused::Link => f.write_str("a symbolic link, which checkdown does not follow"),
            Refused::NotRegular => {
                f.write_str("not a regular file (a folder, FIFO, socket or device)")
            }
            Refused::Io(e) => write!(f, "{e}"),
        }
    }
}

/// The line (from 1) of the first byte that is not UTF-8 in a file read whole: what an
/// error about a text file of ours (the lock, the settings) names, never the bytes.
pub fn invalid_utf8_line(e: &std::string::FromUtf8Error) -> usize {
    let valid = e.utf8_error().valid_up_to();
    1 + memchr::memchr_iter(b'\n', e.as_bytes().get(..valid).unwrap_or_default()).count()
}

/// Opens `path` for reading when it is a regular file, and returns it with its size.
pub fn regular(path: &Path) -> Result<(File, u64), Refused> {
    let file = open_no_follow(path)?;
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotRegular);
    }
    Ok((file, meta.len()))
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> Result<File, Refused> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| refused(path, e))
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> Result<File, Refused> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| refused(path, e))?;
    if meta.file_type().is_symlink() {
        return Err(Refused::Link);
    }
    if !meta.is_file() {
        return Err(Refused::NotRegular);
    }
    File::open(path).map_err(|e| refused(path, e))
}

/// What a failed open means. The errno of `O_NOFOLLOW` on a link differs between systems
/// (`ELOOP`, `EMLINK`, `EFTYPE`), so a failure is looked at again without following.
fn refused(path: &Path, e: std::io::Error) -> Refused {
    if e.kind() == std::io::ErrorKind::NotFound {
        return Refused::NotFound;
    }
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Refused::Link,
        _ => Refused::Io(e),
    }
}

/// What [`read`] found.
#[derive(Debug)]
pub enum Read {
    /// The whole file.
    Bytes(Vec<u8>),
    /// The file holds more than the limit (at least this many bytes); nothing more was read.
    TooLarge(u64),
}

/// Reads a whole regular file (see [`regular`]), at most `limit` bytes of it whatever its
/// size claims.
pub fn read(path: &Path, limit: u64) -> Result<Read, Refused> {
    let (file, size) = regular(path)?;
    if size > limit {
        return Ok(Read::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() as u64 > limit {
        return Ok(Read::TooLarge(bytes.len() as u64));
    }
    Ok(Read::Bytes(bytes))
}

/// Creates `path` for writing, new: `create_new` (`O_CREAT | O_EXCL`) never follows a
/// symbolic link and never opens a file that is already there. An entry already at `path`
/// (a temporary file of ours left by a killed build with the same process id, or a link
/// planted there) is removed, never written through, and the file created again.
pub fn create_new(path: &Path) -> std::io::Result<File> {
    let open = || {
        std::fs::OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(path)
    };
    match open() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            open()
        }
        other => other,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_fifos_and_folders_are_refused() {
        let dir = std::env::temp_dir().join(format!("checkdown-open-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("file"), b"12345").expect("write");
        std::os::unix::fs::symlink("file", dir.join("link")).expect("link");
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero")).expect("link");
        std::os::unix::fs::symlink("missing", dir.join("dangling")).expect("link");
        let fifo = std::process::Command::new("mkfifo")
            .arg(dir.join("fifo"))
            .status()
            .is_ok_and(|s| s.success());
        assert!(matches!(regular(&dir.join("file")), Ok((_, 5))));
        assert!(matches!(regular(&dir.join("link")), Err(Refused::Link)));
        assert!(matches!(regular(&dir.join("zero")), Err(Refused::Link)));
        assert!(matches!(regular(&dir.join("dangling")), Err(Refused::Link)));
        assert!(matches!(regular(&dir.join("none")), Err(Refused::NotFound)));
        assert!(matches!(regular(&dir), Err(Refused::NotRegular)));
        assert!(matches!(
            regular(Path::new("/dev/null")),
            Err(Refused::NotRegular)
        ));
        if fifo {
            // Returns at once: no writer is waited for.
            assert!(matches!(
                regular(&dir.join("fifo")),
                Err(Refused::NotRegular)
            ));
        }
        assert!(matches!(read(&dir.join("file"), 5), Ok(Read::Bytes(b)) if b == b"12345"));
        assert!(matches!(read(&dir.join("file"), 4), Ok(Read::TooLarge(5))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
