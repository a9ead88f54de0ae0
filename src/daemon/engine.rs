//! The daemon's engine inside another process: the watcher, the event loop
//! on a thread of its own, and exact answers, for a long-running front end
//! (`yit serve`, `yit mcp`) that keeps its issues warm without a daemon
//! process, so that a request never decodes the whole index.
//!
//! It answers the daemon's requests with the daemon's code and its
//! exactness (a cookie per request, `connection::sync`), from a cookie
//! directory of its own, `<state>/engines/<n>/`, held by a lock for the
//! engine's life: one left by a process that was killed is removed by the
//! next engine that starts. Dropping the engine stops and joins its thread
//! and removes its directory.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::connection::{Shared, sync};
use super::lifecycle::Vigil;
use super::protocol::{Answer, Request, Response};
use super::server::{Control, EventLoop, Exit, shared};
use super::state::State;
use super::{DaemonError, io};
use crate::store::Tracker;
use crate::watch::Watcher;

/// A running engine; see the module's description.
pub struct Engine {
    shared: Arc<Shared>,
    control: mpsc::Sender<Control>,
    thread: Option<JoinHandle<()>>,
    /// The cookie directory, and the lock that says it is in use.
    dir: PathBuf,
    _held: File,
}

impl Engine {
    /// Watches `tracker`'s issues, reads them all, and keeps them fresh on
    /// a thread (with a tracker of its own, opened there) until dropped.
    pub fn start(tracker: &Tracker) -> Result<Engine, DaemonError> {
        let engines = tracker.state_dir().join("engines");
        std::fs::create_dir_all(&engines).map_err(io("could not create", &engines))?;
        sweep(&engines);
        let (dir, held) = claim(&engines)?;
        let started = Self::run(tracker, &dir, held);
        if started.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        started
    }

    fn run(tracker: &Tracker, dir: &Path, held: File) -> Result<Engine, DaemonError> {
        let (control, controls) = mpsc::channel::<Control>();
        // watch first, then read: nothing that happens in between is missed
        let watcher = Watcher::new(&[tracker.issues_dir(), dir])?;
        let vigil = Vigil::new(&[(Exit::IssuesGone, tracker.issues_dir())])?;
        let (ready, started) = mpsc::channel();
        let root = tracker.root().to_owned();
        let thread = {
            let control = control.clone();
            std::thread::Builder::new()
                .name("yit-engine".to_owned())
                .spawn(move || {
                    // (a git repository handle stays on its thread)
                    let loaded = Tracker::open(&root)
                        .map_err(DaemonError::from)
                        .and_then(|tracker| Ok((State::load(&tracker)?, tracker)));
                    let (state, tracker) = match loaded {
                        Ok(loaded) => loaded,
                        Err(e) => {
                            let _ = ready.send(Err(e));
                            return;
                        }
                    };
                    let shared = Arc::new(shared(state, &tracker, control));
                    if ready.send(Ok(Arc::clone(&shared))).is_err() {
                        return;
                    }
                    let mut events = EventLoop {
                        tracker,
                        shared: &shared,
                        log: &|_| {},
                        debug: false,
                    };
                    events.run(&watcher, &controls, &vigil, None);
                    // gone or stopped: no request waits for a cookie now
                    shared.begin_shutdown();
                })
                .map_err(io("could not start a thread for", dir))?
        };
        let shared = match started.recv() {
            Ok(Ok(shared)) => shared,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => {
                let _ = thread.join();
                return Err(DaemonError::Io {
                    action: "the engine's thread ended while reading",
                    path: dir.to_owned(),
                    source: std::io::Error::other("it panicked"),
                });
            }
        };
        Ok(Engine {
            shared,
            control,
            thread: Some(thread),
            dir: dir.to_owned(),
            _held: held,
        })
    }

    /// The answer to `request` as the daemon would send it (without the
    /// length line), after every change made before the call.
    pub fn exchange(&self, request: &Request) -> Result<Vec<u8>, DaemonError> {
        let answer = match request {
            Request::Stop | Request::Status => Answer::of(&Response::Error {
                message: "not a request for an engine".to_owned(),
            }),
            request => match sync(&self.shared, &self.dir) {
                Err(message) => Answer::of(&Response::Error { message }),
                Ok(()) => {
                    let served = (self.shared.served.read()).unwrap_or_else(|e| e.into_inner());
                    served.encoded_answer(request.clone())
                }
            },
        };
        Ok(answer.0.concat())
    }

    /// The answer to `request` handed to `f` in place, borrowed from the
    /// issues the engine holds: nothing is encoded, copied or parsed (a
    /// list of every issue with its body would be, several times over).
    /// `None` when the engine could not catch up with the files.
    pub fn with_answer<T>(
        &self,
        request: &Request,
        f: impl FnOnce(&crate::daemon::protocol::Response) -> T,
    ) -> Option<T> {
        if matches!(request, Request::Stop | Request::Status) {
            return None;
        }
        sync(&self.shared, &self.dir).ok()?;
        let served = (self.shared.served.read()).unwrap_or_else(|e| e.into_inner());
        let response = served.answer(request.clone());
        Some(f(&response))
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.control.send(Control::Exit(Exit::Stopped));
        self.shared.begin_shutdown();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A new cookie directory under `engines`, locked for this engine's life:
/// made and locked under a hidden name, then renamed, so that a sweep
/// never sees it unlocked.
fn claim(engines: &Path) -> Result<(PathBuf, File), DaemonError> {
    let pid = std::process::id();
    for n in 0u32.. {
        let making = engines.join(format!(".{pid}-{n}.new"));
        match std::fs::create_dir(&making) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io("could not create", &making)(e)),
        }
        let lock = making.join("lock");
        let held =
            crate::store::lock::open_lock_file(&lock).map_err(io("could not open", &lock))?;
        held.try_lock().map_err(|e| DaemonError::Io {
            action: "could not lock",
            path: lock.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let dir = engines.join(format!("{pid}-{n}"));
        std::fs::rename(&making, &dir).map_err(io("could not rename", &making))?;
        return Ok((dir, held));
    }
    unreachable!("a free name among 2^32")
}

/// Removes the cookie directories of engines whose process is gone (their
/// lock is free); names being made (hidden) are left alone.
fn sweep(engines: &Path) {
    let Ok(entries) = std::fs::read_dir(engines) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let dir = entry.path();
        let Ok(lock) = File::open(dir.join("lock")) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
