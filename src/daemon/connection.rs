//! Connections: the accept loop, one thread per connection, and the
//! synchronization that makes every answer exact.
//!
//! Answers are exact: a request first creates a cookie file in a directory
//! the daemon's watcher watches, and waits until the event loop has applied
//! every event up to that cookie's, so every change completed before the
//! request is in the answer (Watchman's technique; one inotify instance
//! keeps events in order).
//!
//! Nothing here waits without an end: the accept loop polls the listener
//! and the server's stop; a connection has read and write timeouts, and is
//! hung up (its blocked reads and writes return at once) when the server
//! shuts down; the number of connections is bounded, and a failing accept
//! (too many open files) backs off instead of spinning.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::protocol::{Answer, Hello, MAX_LINE, Request, Response, StatusInfo};
use super::server::{Control, Exit};
use super::state::Served;
use crate::watch::lifeline::{Waiter, Woken};

/// How long a request waits for its cookie before it gives up (the client
/// then answers without the daemon).
const SYNC_PATIENCE: Duration = Duration::from_secs(5);

/// How long a connection may wait for the next request, or for the client
/// to take an answer, before the daemon hangs up.
pub(super) const CONNECTION_PATIENCE: Duration = Duration::from_secs(10);

/// Connections served at once; one more is hung up at once (its client
/// answers from the files).
pub(super) const MAX_CONNECTIONS: usize = 64;

/// How long the accept loop pauses after an accept failed for lack of
/// descriptors or memory (a pending connection would make it fail again
/// at once).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What the event loop and the connections share.
pub(super) struct Shared {
    pub(super) served: RwLock<Served>,
    pub(super) cookies_seen: Mutex<HashSet<String>>,
    pub(super) synced: Condvar,
    pub(super) cookie_counter: AtomicU64,
    pub(super) last_request: Mutex<Instant>,
    pub(super) last_event: Mutex<Option<i64>>,
    pub(super) hello: Hello,
    pub(super) started: i64,
    pub(super) shutting_down: AtomicBool,
    /// To the event loop (a `stop` request).
    pub(super) control: Sender<Control>,
}

impl Shared {
    /// From now on requests get no answer, and waits for a cookie end.
    pub(super) fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        // taken so that no waiter misses the notification between its
        // check and its wait
        drop(self.cookies_seen.lock());
        self.synced.notify_all();
    }
}

/// The live connections: their streams (to hang up) and threads (to join).
#[derive(Default)]
pub(super) struct Connections {
    live: Mutex<Vec<(UnixStream, JoinHandle<()>)>>,
}

impl Connections {
    /// Joins the threads of connections that ended; the number still live.
    fn reap(&self) -> usize {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        let (ended, running): (Vec<_>, Vec<_>) =
            live.drain(..).partition(|(_, thread)| thread.is_finished());
        *live = running;
        drop(live);
        for (_, thread) in ended {
            let _ = thread.join();
        }
        self.live.lock().map(|l| l.len()).unwrap_or_default()
    }

    /// Hangs up every connection (a blocked read or write returns at once)
    /// and joins its thread.
    pub(super) fn close_all(&self) {
        let live = std::mem::take(&mut *self.live.lock().unwrap_or_else(|e| e.into_inner()));
        for (stream, _) in &live {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        for (_, thread) in live {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until `waiter`'s stop, serving each on a thread of
/// its own, at most [`MAX_CONNECTIONS`] at once.
pub(super) fn accept_loop(
    listener: &UnixListener,
    waiter: &Waiter,
    connections: &Connections,
    shared: &Arc<Shared>,
    cookies: &Path,
    log: &(dyn Fn(&str) + Sync),
) {
    let mut failing = false;
    loop {
        match waiter.wait_for(listener.as_fd(), None) {
            Ok(Woken::Ready) => {}
            Ok(Woken::TimedOut) => continue,
            // stopped, or the poll itself failed: nothing more to accept
            Ok(Woken::Stopped) | Err(_) => return,
        }
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(e) => {
                // out of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
                // ENOMEM): the pending connection stays pending, so pause
                if !failing {
                    log(&format!("could not accept a connection: {e}; pausing"));
                }
                failing = true;
                if waiter.sleep(ACCEPT_BACKOFF) {
                    return;
                }
                continue;
            }
        };
        failing = false;
        if connections.reap() >= MAX_CONNECTIONS {
            // hung up before the greeting: its client answers from the files
            drop(stream);
            continue;
        }
        let timeouts = stream
            .set_nonblocking(false)
            .and_then(|()| stream.set_read_timeout(Some(CONNECTION_PATIENCE)))
            .and_then(|()| stream.set_write_timeout(Some(CONNECTION_PATIENCE)));
        let Ok(hangup) = timeouts.and_then(|()| stream.try_clone()) else {
            continue;
        };
        let shared = Arc::clone(shared);
        let cookies = cookies.to_owned();
        let thread = std::thread::spawn(move || {
            let closing = stream.try_clone();
            let _ = serve_connection(stream, &shared, &cookies);
            // the list keeps a descriptor of it until reaped: hang up now,
            // or a client still writing would wait for a reader forever
            if let Ok(closing) = closing {
                let _ = closing.shutdown(std::net::Shutdown::Both);
            }
        });
        (connections.live.lock().unwrap_or_else(|e| e.into_inner())).push((hangup, thread));
    }
}

fn serve_connection(stream: UnixStream, shared: &Shared, cookies: &Path) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    writeln!(
        writer,
        "{}",
        serde_json::to_string(&shared.hello).unwrap_or_default()
    )?;
    loop {
        let mut line = String::new();
        let read = (&mut reader).take(MAX_LINE).read_line(&mut line)?;
        if read == 0 || shared.shutting_down.load(Ordering::SeqCst) {
            return Ok(());
        }
        if !line.ends_with('\n') && read as u64 >= MAX_LINE {
            // an endless line: hang up rather than buffer it
            let error = Response::Error {
                message: format!("request longer than {MAX_LINE} bytes"),
            };
            return Answer::of(&error).write_to(&writer);
        }
        if let Ok(mut last) = shared.last_request.lock() {
            *last = Instant::now();
        }
        // encoded while the state is borrowed, written after it is released
        let mut stopping = false;
        let answer = match serde_json::from_str::<Request>(&line) {
            Err(e) => Answer::of(&Response::Error {
                message: format!("not a request: {e}"),
            }),
            Ok(Request::Stop) => {
                let _ = shared.control.send(Control::Exit(Exit::Stopped));
                stopping = true;
                Answer::of(&Response::Stopping)
            }
            Ok(Request::Status) => Answer::of(&Response::Status(status(shared))),
            Ok(request) => match sync(shared, cookies) {
                Err(message) => Answer::of(&Response::Error { message }),
                Ok(()) => {
                    let served = shared.served.read().unwrap_or_else(|e| e.into_inner());
                    served.encoded_answer(request)
                }
            },
        };
        answer.write_to(&writer)?;
        if stopping {
            return Ok(());
        }
    }
}

/// Waits until the event loop has applied every event that happened before
/// now, by creating a cookie file and waiting for its event.
pub(super) fn sync(shared: &Shared, cookies: &Path) -> Result<(), String> {
    let name = format!(
        "{}-{}",
        std::process::id(),
        shared.cookie_counter.fetch_add(1, Ordering::SeqCst)
    );
    let path = cookies.join(&name);
    std::fs::File::create(&path).map_err(|e| format!("could not create a cookie: {e}"))?;
    let deadline = Instant::now() + SYNC_PATIENCE;
    let mut seen = shared
        .cookies_seen
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let result = loop {
        if seen.remove(&name) {
            break Ok(());
        }
        if shared.shutting_down.load(Ordering::SeqCst) {
            break Err("the daemon is exiting".to_owned());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break Err("the daemon did not see its own cookie in time".to_owned());
        }
        seen = shared
            .synced
            .wait_timeout(seen, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    };
    drop(seen);
    let _ = std::fs::remove_file(&path);
    // the removal's own event may mark it seen again
    if let Ok(mut seen) = shared.cookies_seen.lock() {
        seen.remove(&name);
    }
    result
}

fn status(shared: &Shared) -> StatusInfo {
    let issues = shared
        .served
        .read()
        .map(|s| s.state.len())
        .unwrap_or_default();
    let pid = std::process::id();
    let resident_bytes = sysinfo::System::new()
        .map(|mut sys| {
            let id = sysinfo::Pid::from_u32(pid);
            sys.refresh_processes_specifics(
                sysinfo::ProcessesToUpdate::Some(&[id]),
                true,
                sysinfo::ProcessRefreshKind::nothing().with_memory(),
            );
            sys.process(id).map(|p| p.memory()).unwrap_or_default()
        })
        .unwrap_or_default();
    StatusInfo {
        pid,
        version: shared.hello.version.clone(),
        worktree: shared.hello.worktree.clone(),
        started: shared.started,
        issues,
        last_event: shared.last_event.lock().ok().and_then(|l| *l),
        resident_bytes,
        open_fds: std::fs::read_dir("/proc/self/fd")
            .map(|d| d.count())
            .unwrap_or_default(),
    }
}
