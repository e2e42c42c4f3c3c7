//! Watch mode: rebuild when INPUT (or the templates folder) changes, once the changes have
//! settled, so that an editor's save of several files, or a `git checkout`, gives one
//! rebuild. File events come from the notify crate (cargo feature `watch`, on by default).
//!
//! The decisions are plain functions of paths and instants ([`Filter`], [`Debounce`]) so
//! that they are tested without a clock; [`Watch::run`] only wires them to the events.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::Error;

/// How long the files must stay quiet before a rebuild.
pub const DELAY: Duration = Duration::from_millis(200);

/// Which changed paths call for a rebuild.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Watched folders.
    pub roots: Vec<PathBuf>,
    /// Paths whose changes are the build's own doing (OUTPUT when it lies inside INPUT, the
    /// lock file).
    pub ignore: Vec<PathBuf>,
}

impl Filter {
    /// A path inside a root, not hidden below it (editors' swap files, the build's own
    /// temporary files, `.git`), and not inside an ignored path.
    pub fn relevant(&self, path: &Path) -> bool {
        if self.ignore.iter().any(|i| path.starts_with(i)) {
            return false;
        }
        self.roots.iter().any(|root| {
            path.strip_prefix(root).is_ok_and(|rel| {
                !rel.components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            })
        })
    }
}

/// Is this kind of event a change (not a mere read)?
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// A trailing debounce: a rebuild is due once `delay` has passed since the last change.
#[derive(Debug, Clone)]
pub struct Debounce {
    delay: Duration,
    deadline: Option<Instant>,
}

impl Debounce {
    pub fn new(delay: Duration) -> Self {
        Debounce {
            delay,
            deadline: None,
        }
    }

    /// A change at `now` pushes the rebuild back.
    pub fn change(&mut self, now: Instant) {
        self.deadline = Some(now + self.delay);
    }

    /// How long to wait for more events: `None` when nothing is pending (wait for ever).
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(now))
    }

    /// True, once, when a rebuild is due at `now`.
    pub fn due(&mut self, now: Instant) -> bool {
        match self.deadline {
            Some(d) if now >= d => {
                self.deadline = None;
                true
            }
            _ => false,
        }
    }
}

/// A watch in place: events are collected from the moment [`start`] returns.
pub struct Watch {
    filter: Filter,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    // Dropping the watcher ends the watch.
    _watcher: notify::RecommendedWatcher,
}

/// Watches `filter.roots` recursively.
pub fn start(filter: Filter) -> Result<Watch, Error> {
    let failed = |path: &Path, e: notify::Error| Error::Io {
        path: path.display().to_string(),
        message: format!("cannot watch: {e}"),
    };
    let (tx, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| failed(Path::new("."), e))?;
    for root in &filter.roots {
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| failed(root, e))?;
    }
    Ok(Watch {
        filter,
        events,
        _watcher: watcher,
    })
}

impl Watch {
    /// Calls `rebuild` after each settled change, for as long as the process runs.
    pub fn run(self, delay: Duration, mut rebuild: impl FnMut()) -> Result<(), Error> {
        let mut debounce = Debounce::new(delay);
        loop {
            let received = match debounce.wait(Instant::now()) {
                None => self
                    .events
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
                Some(left) => self.events.recv_timeout(left),
            };
            match received {
                Ok(Ok(event)) => {
                    if is_change(&event.kind) && event.paths.iter().any(|p| self.filter.relevant(p))
                    {
                        debounce.change(Instant::now());
                    }
                }
                // Lost events (a queue overflow): rebuild to be sure.
                Ok(Err(_)) => debounce.change(Instant::now()),
                Err(RecvTimeoutError::Timeout) => {
                    if debounce.due(Instant::now()) {
                        rebuild();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(Error::Io {
                        path: ".".to_string(),
                        message: "the file watcher stopped".to_string(),
                    })
                }
            }
        }
    }
}
