//! The serve loop: watch, keep every issue in memory, answer on the socket,
//! and end when any reason to exist is gone.
//!
//! Threads, all owned by one [`Server`] (`lifecycle`) that ends and joins
//! them: the calling thread runs the event loop, which applies file events
//! to the in-memory state (`state`) and checks the reasons to exit; one
//! thread accepts connections and one serves each connection
//! (`connection`); one waits for SIGTERM/SIGINT; optional ones wait for the
//! owner process or the lifeline to go. Every reason to exit reaches the
//! event loop, which decides, tells `ServeOptions::exiting` (the caller's
//! watchdog), shuts the server down and returns.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::connection::Shared;
use super::lifecycle::{Server, StateDir, Vigil};
use super::protocol::{Hello, PROTOCOL_VERSION};
use super::state::{Served, State};
use super::{DaemonError, Paths, io};
use crate::store::{ScanMode, Tracker};
use crate::watch::{Batch, Watcher};

/// How often the event loop looks at the reasons to exit when no event
/// comes (and so the longest it takes to notice one).
const CHECK_EVERY: Duration = Duration::from_millis(50);

pub struct ServeOptions {
    /// Exit after this long without a request.
    pub idle_timeout: Option<Duration>,
    /// Exit when this process exits.
    pub exit_with_pid: Option<u32>,
    /// Exit when this inherited pipe's writers are all gone.
    pub lifeline_fd: Option<u32>,
    /// Log every batch of events.
    pub debug: bool,
    /// Told the reason as soon as the daemon decides to exit, before it
    /// cleans up (the caller arms a watchdog there).
    pub exiting: Option<Box<dyn FnOnce(Exit) + Send>>,
    /// A test hook: the clean exit hangs after the decision, as a wedged
    /// one would, so that the watchdog can be tested.
    pub hang_on_exit: bool,
}

/// Why the daemon ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A `stop` request.
    Stopped,
    /// SIGTERM or SIGINT.
    Signal,
    /// No request within the idle timeout.
    Idle,
    /// The worktree was removed, moved or renamed.
    WorktreeGone,
    /// The `.issues` directory was removed or replaced.
    IssuesGone,
    /// The state directory (`<git dir>/yit`, the git dir with it) or the
    /// pidfile was removed or replaced.
    StateGone,
    /// The socket file was removed or replaced: no client can reach it.
    SocketGone,
    /// The `--exit-with-pid` process exited, or the lifeline closed.
    OwnerGone,
}

pub(super) enum Control {
    Exit(Exit),
}

/// Serves `tracker` until one of the reasons to exit; `log` gets one line
/// per notable event.
pub fn serve(
    tracker: Tracker,
    mut options: ServeOptions,
    log: Arc<dyn Fn(&str) + Send + Sync>,
) -> Result<Exit, DaemonError> {
    let paths = Paths::new(tracker.state_dir());
    let (control, controls) = mpsc::channel::<Control>();
    // dropped on every return, so a start that fails half way ends what it
    // started; signals first, so that none in start-up is left unhandled
    let mut server = Server::new()?;
    server.handle_signals(control.clone(), &paths)?;
    server.watch_owner(&options, &control)?;
    let dir = claim_state(&mut server, &paths, &tracker)?;
    // watch first, then read: nothing that happens in between is missed
    let watcher = Watcher::new(&[tracker.issues_dir(), &paths.cookies])?;
    let state = State::load(&tracker)?;
    let loaded = state.len();
    let shared = Arc::new(shared(state, &tracker, control));
    server.listen(&paths, &dir, Arc::clone(&shared), Arc::clone(&log))?;
    // what it exists for, as it is now: any of them gone or replaced ends it
    let vigil = Vigil::new(&[
        (Exit::WorktreeGone, tracker.root()),
        (Exit::IssuesGone, tracker.issues_dir()),
        (Exit::StateGone, &paths.state),
        (Exit::StateGone, &paths.pidfile),
        (Exit::SocketGone, &paths.socket),
    ])?;
    log(&format!(
        "serving {} (pid {}), {} issue files",
        tracker.root().display(),
        std::process::id(),
        loaded
    ));

    let mut events = EventLoop {
        tracker,
        shared: &shared,
        log: &*log,
        debug: options.debug,
    };
    let (exit, why) = events.run(&watcher, &controls, &vigil, options.idle_timeout);
    log(&format!("exiting: {exit:?}{why}"));
    if let Some(exiting) = options.exiting.take() {
        exiting(exit);
    }
    if options.hang_on_exit {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    server.shutdown();
    drop(watcher);
    leave(server, exit, events.tracker.root(), &dir);
    log("exited cleanly");
    Ok(exit)
}

/// Makes the state directory this daemon's: created, opened as a
/// directory handle, the pidfile locked, and the cookies of an earlier
/// life (of no use now) removed.
fn claim_state(
    server: &mut Server,
    paths: &Paths,
    tracker: &Tracker,
) -> Result<StateDir, DaemonError> {
    std::fs::create_dir_all(&paths.state).map_err(io("could not create", &paths.state))?;
    let dir = StateDir::open(&paths.state)?;
    server.lock_pidfile(paths, &dir, tracker.root())?;
    let _ = std::fs::remove_dir_all(&paths.cookies);
    std::fs::create_dir_all(&paths.cookies).map_err(io("could not create", &paths.cookies))?;
    Ok(dir)
}

/// What the event loop shares with the connections, at the start.
pub(super) fn shared(state: State, tracker: &Tracker, control: mpsc::Sender<Control>) -> Shared {
    Shared {
        served: RwLock::new(Served::new(state, tracker)),
        cookies_seen: Mutex::new(HashSet::new()),
        synced: Condvar::new(),
        cookie_counter: AtomicU64::new(0),
        last_request: Mutex::new(Instant::now()),
        last_event: Mutex::new(None),
        hello: Hello {
            protocol: PROTOCOL_VERSION,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            pid: std::process::id(),
            worktree: tracker.root().to_string_lossy().into_owned(),
        },
        started: jiff::Timestamp::now().as_second(),
        shutting_down: AtomicBool::new(false),
        control,
    }
}

/// The last of a daemon that has shut its server down: the index left as
/// fresh as its view (where there still is a worktree to write it for),
/// its cookies removed, then the pidfile released with the server.
fn leave(server: Server, exit: Exit, root: &std::path::Path, dir: &StateDir) {
    if matches!(
        exit,
        Exit::Stopped | Exit::Signal | Exit::Idle | Exit::OwnerGone
    ) && let Ok(fresh) = Tracker::open(root)
    {
        let _ = fresh.scan(ScanMode::Index { details: true });
    }
    // (found through the directory itself, wherever the worktree went)
    let _ = std::fs::remove_dir_all(dir.at(std::ffi::OsStr::new("cookies")));
    // the pidfile goes last, once nothing of this daemon runs
    drop(server);
}

/// The event loop's state: the tracker as last opened, and what it shares
/// with the connections.
pub(super) struct EventLoop<'a> {
    pub(super) tracker: Tracker,
    pub(super) shared: &'a Shared,
    pub(super) log: &'a (dyn Fn(&str) + Sync),
    pub(super) debug: bool,
}

impl EventLoop<'_> {
    /// Applies events until a reason to exit; returns it, and the path
    /// behind it (as text to log) when a path is.
    pub(super) fn run(
        &mut self,
        watcher: &Watcher,
        controls: &Receiver<Control>,
        vigil: &Vigil,
        idle_timeout: Option<Duration>,
    ) -> (Exit, String) {
        let gone = |vigil: &Vigil| {
            vigil
                .check()
                .map(|(exit, path)| (exit, format!(" ({} is gone or replaced)", path.display())))
        };
        loop {
            if let Ok(Control::Exit(exit)) = controls.try_recv() {
                return (exit, String::new());
            }
            if let Some(idle) = idle_timeout
                && (self.shared.last_request.lock()).is_ok_and(|t| t.elapsed() > idle)
            {
                return (Exit::Idle, String::new());
            }
            if let Some(found) = gone(vigil) {
                return found;
            }
            let Some(batch) = watcher.next_batch(CHECK_EVERY, Duration::ZERO) else {
                continue;
            };
            if batch.gone
                && let Some(found) = gone(vigil)
            {
                return found;
            }
            self.apply(batch);
        }
    }

    /// Brings the in-memory state up to date with one batch of events, and
    /// marks the cookies in it seen.
    fn apply(&mut self, batch: Batch) {
        let shared = self.shared;
        if self.debug {
            (self.log)(&format!(
                "batch: {} issue names, {} cookies, rescan {}, gone {}",
                batch.names[0].len(),
                batch.names[1].len(),
                batch.rescan,
                batch.gone
            ));
        }
        if !batch.names[0].is_empty() || batch.rescan {
            if let Ok(mut last) = shared.last_event.lock() {
                *last = Some(jiff::Timestamp::now().as_second());
            }
            let config_changed = batch.names[0]
                .iter()
                .any(|n| n == crate::store::CONFIG_FILE);
            // files are read outside the lock; queries wait only for the swap
            let refreshed = if batch.rescan || config_changed {
                // read everything again, with the config as it is now
                self.reload()
            } else {
                State::read_updates(&self.tracker, &batch.names[0]).map(|updates| {
                    let mut served = shared.served.write().unwrap_or_else(|e| e.into_inner());
                    if served.state.apply(updates) {
                        served.recount(&self.tracker);
                    }
                })
            };
            if let Err(e) = refreshed {
                // a broken config or a worktree going away: the next batch
                // or the vigil decides
                (self.log)(&format!("could not refresh: {e}"));
            }
        }
        if !batch.names[1].is_empty() {
            if let Ok(mut seen) = shared.cookies_seen.lock() {
                seen.extend(
                    batch.names[1]
                        .iter()
                        .filter_map(|n| n.to_str().map(str::to_owned)),
                );
            }
            shared.synced.notify_all();
        }
    }

    /// Opens the tracker again and reads every file.
    fn reload(&mut self) -> Result<(), DaemonError> {
        let root = self.tracker.root().to_owned();
        self.tracker = Tracker::open(&root)?;
        let state = State::load(&self.tracker)?;
        let served = Served::new(state, &self.tracker);
        *self
            .shared
            .served
            .write()
            .unwrap_or_else(|e| e.into_inner()) = served;
        Ok(())
    }
}
