//! Following the files: the watcher (the daemon's, `yit::watch`) runs on a
//! thread of the front end's, and every batch of changes becomes a
//! numbered [`Changed`] sent on a broadcast channel (to each open page of
//! `yit serve`, to the resource subscriptions of `yit mcp`).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::broadcast;

use crate::front::error::{CommandError, ErrorKind};

/// One batch of changes to `.issues/`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Changed {
    pub version: u64,
    /// The ids whose files changed (empty with `all`).
    pub ids: Vec<String>,
    /// Anything may have changed (the configuration, a lost event, a
    /// checkout of another branch).
    pub all: bool,
}

/// The changes so far, and the channel each page's stream listens on.
#[derive(Clone)]
pub struct Live {
    version: Arc<AtomicU64>,
    pub tx: broadcast::Sender<Arc<Changed>>,
}

impl Live {
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    fn publish(&self, ids: Vec<String>, all: bool) {
        let version = self.version.fetch_add(1, Ordering::SeqCst) + 1;
        // no page open: nobody to tell
        let _ = self.tx.send(Arc::new(Changed { version, ids, all }));
    }
}

/// The watcher's thread; stopped and joined by [`Watch::stop`] or on drop.
pub struct Watch {
    live: Live,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How long the watcher waits before looking at its stop flag again.
const TICK: Duration = Duration::from_millis(50);
/// How long events must pause to end a batch (a checkout is one batch).
const SETTLE: Duration = Duration::from_millis(5);

impl Watch {
    pub fn start(issues: &Path) -> Result<Watch, CommandError> {
        let watcher = yit::watch::Watcher::new(&[issues])
            .map_err(|e| CommandError::new(ErrorKind::Internal, e.to_string()))?;
        let (tx, _) = broadcast::channel(256);
        let live = Live {
            version: Arc::new(AtomicU64::new(0)),
            tx,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (live, stop) = (live.clone(), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("yit-serve-watch".to_owned())
                .spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let Some(batch) = watcher.next_batch(TICK, SETTLE) else {
                            continue;
                        };
                        let names = batch.names.into_iter().flatten();
                        let mut ids = Vec::new();
                        let mut all = batch.rescan || batch.gone;
                        for name in names {
                            let name = name.to_string_lossy();
                            match yit::store::EntryName::of(&name) {
                                yit::store::EntryName::Issue(id) => ids.push(id.to_string()),
                                _ if name == yit::store::CONFIG_FILE => all = true,
                                // temporary files, .gitignore
                                _ => {}
                            }
                        }
                        if all || !ids.is_empty() {
                            live.publish(if all { Vec::new() } else { ids }, all);
                        }
                        if batch.gone {
                            break;
                        }
                    }
                    watcher.stop();
                })
                .map_err(|e| {
                    CommandError::new(ErrorKind::Internal, "cannot start the watcher").because(&e)
                })?
        };
        Ok(Watch {
            live,
            stop,
            thread: Some(thread),
        })
    }

    pub fn live(&self) -> Live {
        self.live.clone()
    }

    pub fn stop(mut self) {
        self.end();
    }

    fn end(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.end();
    }
}
