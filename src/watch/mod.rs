//! Watching the issue files: notify (inotify on Linux) events, coalesced
//! into batches of touched names.
//!
//! Events are only hints about *which* files to look at: the consumer reads
//! the directory and the files again to learn what they are now. The
//! watcher watches directories, never single files (an editor's save by
//! rename would orphan a watch on the file), and asks for a full rescan when
//! the kernel's queue overflowed, the watcher reported an error, or a
//! directory appeared (files written right after a mkdir are missed). This
//! module starts no process and owns only its watcher, released on drop.

pub mod lifeline;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

/// Watches directories and hands out batches of changes.
pub struct Watcher {
    // dropped before the receiver: stops the event thread
    inner: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    /// Set when events were dropped because the queue was full.
    overflowed: Arc<AtomicBool>,
    dirs: Vec<PathBuf>,
}

/// Events queued at most; beyond, they are dropped and the next batch asks
/// for a rescan: memory stays bounded however fast files change.
const QUEUE: usize = 8192;

/// What changed since the last batch.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// File names touched, per watched directory (in the order given).
    pub names: Vec<BTreeSet<OsString>>,
    /// Events may have been lost, or a directory appeared or went away:
    /// look at everything again.
    pub rescan: bool,
    /// A watched directory was removed.
    pub gone: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("could not watch {}", path.display())]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
}

impl Watcher {
    /// Watches each directory of `dirs` (not recursively).
    pub fn new(dirs: &[&Path]) -> Result<Watcher, WatchError> {
        let (tx, events) = mpsc::sync_channel(QUEUE);
        let overflowed = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&overflowed);
        let first = dirs.first().map(|d| d.to_path_buf()).unwrap_or_default();
        let mut inner = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            // reads (ours included: the daemon reads every file) are not
            // changes; queueing them would flood the queue
            if let Ok(e) = &event
                && matches!(e.kind, EventKind::Access(kind) if kind != notify::event::AccessKind::Close(notify::event::AccessMode::Write))
            {
                return;
            }
            if tx.try_send(event).is_err() {
                flag.store(true, Ordering::SeqCst);
            }
        })
        .map_err(|source| WatchError::Watch {
            path: first,
            source,
        })?;
        for dir in dirs {
            inner
                .watch(dir, RecursiveMode::NonRecursive)
                .map_err(|source| WatchError::Watch {
                    path: dir.to_path_buf(),
                    source,
                })?;
        }
        Ok(Watcher {
            inner,
            events,
            overflowed,
            dirs: dirs.iter().map(|d| d.to_path_buf()).collect(),
        })
    }

    /// Waits up to `timeout` for a change, then keeps collecting until the
    /// events pause for `settle` (a `git checkout` that rewrites thousands of
    /// files is one batch), but never longer than `settle * 20`. `None`
    /// when nothing happened; `Some` with `gone` when the watcher stopped.
    pub fn next_batch(&self, timeout: Duration, settle: Duration) -> Option<Batch> {
        let mut batch = Batch {
            names: vec![BTreeSet::new(); self.dirs.len()],
            ..Batch::default()
        };
        match self.events.recv_timeout(timeout) {
            Ok(event) => self.add(&mut batch, event),
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => {
                batch.gone = true;
                return Some(batch);
            }
        }
        // everything already queued belongs to this batch
        self.drain(&mut batch);
        let deadline = Instant::now() + settle * 20;
        while !settle.is_zero() && Instant::now() < deadline {
            match self.events.recv_timeout(settle) {
                Ok(event) => self.add(&mut batch, event),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    batch.gone = true;
                    break;
                }
            }
        }
        if self.overflowed.swap(false, Ordering::SeqCst) {
            batch.rescan = true;
        }
        Some(batch)
    }

    /// Takes every event already queued, without waiting.
    pub fn drain(&self, batch: &mut Batch) {
        while let Ok(event) = self.events.try_recv() {
            self.add(batch, event);
        }
    }

    fn add(&self, batch: &mut Batch, event: notify::Result<notify::Event>) {
        let event = match event {
            Ok(event) => event,
            Err(_) => {
                batch.rescan = true;
                return;
            }
        };
        if event.need_rescan() {
            batch.rescan = true;
        }
        match event.kind {
            EventKind::Access(kind)
                if kind != notify::event::AccessKind::Close(notify::event::AccessMode::Write) =>
            {
                return;
            }
            EventKind::Create(notify::event::CreateKind::Folder) => batch.rescan = true,
            _ => {}
        }
        for path in &event.paths {
            if self.dirs.iter().any(|d| d == path) {
                // the watched directory itself changed (removed, renamed)
                if !path.is_dir() {
                    batch.gone = true;
                }
                batch.rescan = true;
                continue;
            }
            let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
                continue;
            };
            if let Some(i) = self.dirs.iter().position(|d| d == parent) {
                batch.names[i].insert(name.to_owned());
            }
        }
    }

    /// Stops watching; the event thread ends asynchronously (its
    /// descriptors are released a few milliseconds later).
    pub fn stop(self) {
        drop(self.inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_files_is_no_change_and_queues_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "x").expect("write");
        let watcher = Watcher::new(&[dir.path()]).expect("watch");
        // the daemon reads every file; those reads must not flood the queue
        for _ in 0..(QUEUE * 2) {
            std::fs::read(&file).expect("read");
        }
        assert_eq!(
            watcher.next_batch(Duration::from_millis(200), Duration::ZERO),
            None
        );
        std::fs::write(&file, "y").expect("write");
        let batch = watcher
            .next_batch(Duration::from_secs(5), Duration::from_millis(20))
            .expect("a change");
        assert!(!batch.rescan);
        assert!(batch.names[0].contains(std::ffi::OsStr::new("a.yaml")));
        watcher.stop();
    }
}
