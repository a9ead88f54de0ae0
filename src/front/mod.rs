//! What the binary's front ends share: the error every one of them gives
//! (kinds, exit codes, hints: [`error`]) and how a process ends with its
//! owner ([`lifetime`]); and for the long-running ones (`yit serve`, `yit
//! mcp`), how a request reaches the library (on a blocking thread, with
//! the tracker kept open on that thread and a [`yit::ops::Session`] on it
//! whose daemon is the front end's own engine), the clock and identity of
//! their changes, and the watcher that tells them what changed ([`live`]).

/// A line for a person on stderr, as `eprintln!` writes it, except that a
/// line that cannot be written (stderr closed, or on a full disk) is
/// dropped instead of ending the process with a panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use say;

pub mod error;
pub mod lifetime;
pub mod live;
pub mod open;
pub mod request;
pub mod stop;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use yit::daemon::Engine;
use yit::ops::{Clock, Daemon, Session};
use yit::store::{ScanMode, Tracker};

use error::{CommandError, ErrorKind};

/// What a front end was started with.
pub struct Options {
    /// The worktree whose tracker is served.
    pub root: PathBuf,
    /// `YIT_NOW` (tests): the time of every change.
    pub now: Option<Timestamp>,
    /// `YIT_SEED` (tests): ids are seeded from it and a request counter.
    pub seed: Option<u64>,
    pub lock_timeout: Duration,
    pub access: Access,
    /// Who makes the changes (`--as`), instead of git's identity.
    pub author: Option<String>,
    /// The agent session claims are made in (`yit mcp`'s): its leases are
    /// kept, fenced, renewed and released by the front end.
    pub session: Option<String>,
}

/// How a front end reads the issues, the same for every front end: through
/// the index and a daemon (or, for a long-running one, its own engine),
/// unless `--no-index` (every file read, no daemon) or `--no-daemon` says
/// otherwise.
#[derive(Clone, Copy, Debug, Default)]
pub struct Access {
    pub no_index: bool,
    pub no_daemon: bool,
}

impl Access {
    /// How a scan reads: `details` asks the index for bodies and comments
    /// too.
    pub fn scan_mode(self, details: bool) -> ScanMode {
        if self.no_index {
            ScanMode::Files
        } else {
            ScanMode::Index { details }
        }
    }

    /// Whether a daemon (or an engine) may be asked.
    pub fn asks_daemon(self) -> bool {
        !(self.no_daemon || self.no_index)
    }
}

impl Options {
    /// The tracker, changed as `author` when one is given.
    fn open(&self) -> Result<Tracker, CommandError> {
        let mut tracker = Tracker::open(&self.root)?;
        if let Some(author) = &self.author {
            tracker.set_author(author.clone())?;
        }
        if let Some(session) = &self.session {
            tracker.set_session(session.clone());
        }
        Ok(tracker)
    }
}

/// A long-running front end's requests: the options, a counter (each
/// request its own seed), and, unless told to read the files, the engine
/// that keeps every issue warm ([`yit::daemon::Engine`]).
pub struct Front {
    pub options: Options,
    /// The leases this session holds, by issue id, with their tokens.
    pub held: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
    requests: AtomicU64,
    admission: Admission,
    engine: Option<Arc<Engine>>,
    issues_dir: PathBuf,
    /// What the tracker's opening depends on: `config.yaml` and the
    /// repository's git config (identity, the merge driver).
    depends_on: [PathBuf; 2],
}

thread_local! {
    /// The tracker as last opened on this thread (a git repository handle
    /// stays on its thread; tokio keeps its blocking threads a while), and
    /// what it was opened from.
    static WARM: RefCell<Option<Warm>> = const { RefCell::new(None) };
}

struct Warm {
    root: PathBuf,
    stamps: [Option<Stamp>; 2],
    tracker: Tracker,
}

/// A file as it was: a change to it (or its replacement) changes this.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(Stamp {
            inode: m.ino(),
            len: m.len(),
            modified: (m.mtime(), m.mtime_nsec()),
            changed: (m.ctime(), m.ctime_nsec()),
        })
    }
}

impl Front {
    /// Opens the tracker once, before anything listens, as every front
    /// end does ([`open::open_tracker`]: an interrupted plan completed, a
    /// missing tracker or a bad `--as` said at once; the notices go to
    /// stderr), and starts the engine unless told to read the files or
    /// ask no daemon.
    pub fn start(options: Options) -> Result<Front, CommandError> {
        let (_, notices) = open::open_tracker(&options.root)?;
        for notice in notices {
            let prefix = if notice.is_warning() { "warning: " } else { "" };
            say!("{prefix}{notice}");
        }
        let tracker = options.open()?;
        let engine = if !options.access.asks_daemon() {
            None
        } else {
            let engine = Engine::start(&tracker).map_err(|e| {
                CommandError::new(ErrorKind::Internal, "could not read the issues").because(&e)
            })?;
            Some(Arc::new(engine))
        };
        Ok(Front {
            held: Default::default(),
            requests: AtomicU64::new(0),
            admission: Admission::new(),
            engine,
            issues_dir: tracker.issues_dir().to_owned(),
            depends_on: [
                tracker.issues_dir().join(yit::store::CONFIG_FILE),
                tracker.repo().common_dir().join("config"),
            ],
            options,
        })
    }

    pub fn issues_dir(&self) -> &Path {
        &self.issues_dir
    }

    /// The tracker as this thread last opened it, or opened now when
    /// `config.yaml` or the git config changed since (or there was none).
    fn warm(&self) -> Result<Warm, CommandError> {
        let stamps = self.depends_on.clone().map(|p| Stamp::of(&p));
        let kept = WARM.with_borrow_mut(Option::take);
        if let Some(warm) = kept
            && warm.root == self.options.root
            && warm.stamps == stamps
        {
            return Ok(warm);
        }
        Ok(Warm {
            root: self.options.root.clone(),
            stamps,
            tracker: self.options.open()?,
        })
    }

    /// Calls `f` with a session on the tracker (kept warm between
    /// requests; see [`Front::warm`]); on the calling thread, which must
    /// be one that may block.
    pub fn run<T>(
        &self,
        version: u64,
        f: impl FnOnce(&mut Ctx) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let warm = self.warm()?;
        let result = {
            let tracker = &warm.tracker;
            let engine = self.engine.clone();
            let has_engine = engine.is_some();
            let allowed = self.options.access.asks_daemon();
            let session = Session::new(tracker, move || match engine {
                Some(engine) => Some(Daemon::engine(engine)),
                // a daemon's trouble is the answer from the files: said nowhere
                None => allowed
                    .then(|| Daemon::connect(tracker, std::rc::Rc::new(|_| {})))
                    .flatten(),
            });
            let clock = self.clock();
            let mut ctx = Ctx {
                held: self.options.session.as_ref().map(|_| &self.held),
                clock,
                mode: self.options.access.scan_mode(false),
                tracker,
                session: Some(match has_engine {
                    true => session.at(clock.now).lists_from_daemon(),
                    false => session.at(clock.now),
                }),
                version,
            };
            f(&mut ctx)
        };
        WARM.with_borrow_mut(|kept| *kept = Some(warm));
        result
    }

    /// [`Front::run`] on a blocking thread of the runtime.
    pub async fn run_blocking<T: Send + 'static>(
        self: &std::sync::Arc<Front>,
        version: u64,
        f: impl FnOnce(&mut Ctx) -> Result<T, CommandError> + Send + 'static,
    ) -> Result<T, CommandError> {
        let _running = self.admission.enter().await?;
        let front = std::sync::Arc::clone(self);
        tokio::task::spawn_blocking(move || front.run(version, f))
            .await
            .map_err(|e| CommandError::new(ErrorKind::Internal, format!("a request failed: {e}")))?
    }

    fn clock(&self) -> Clock {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        Clock {
            now: self
                .options
                .now
                .unwrap_or_else(yit::model::issue::now_in_seconds),
            seed: self.options.seed.map(|s| s.wrapping_add(n)),
            lock_timeout: self.options.lock_timeout,
        }
    }
}

/// How much library work a long-running front end does at once: a few
/// requests run on blocking threads (more would only share the cores and
/// each hold its answer in memory), a bounded queue waits for them, and a
/// request past the queue is told the server is busy at once, so a burst
/// of requests costs bounded memory and a client a clear answer.
struct Admission {
    running: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
}

/// Requests run at once: one per core, at least two. Most requests are
/// work for a core (a lock waited for is bounded by the lock timeout),
/// and each running one holds its answer in memory (a list of 10,000
/// issues with their bodies: ~80 MB while it is made).
fn running_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
}

/// Requests that wait for a turn before the rest are turned away.
const QUEUED: usize = 64;

impl Admission {
    fn new() -> Admission {
        Admission {
            running: tokio::sync::Semaphore::new(running_at_once()),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// A turn to run, after waiting in the queue, or `Busy` when the queue
    /// is full.
    async fn enter(&self) -> Result<tokio::sync::SemaphorePermit<'_>, CommandError> {
        if let Ok(permit) = self.running.try_acquire() {
            return Ok(permit);
        }
        let queued = Queued(&self.waiting);
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= QUEUED {
            return Err(CommandError::new(
                ErrorKind::Busy,
                format!("the server is busy: {QUEUED} requests are already waiting"),
            )
            .hint("try again in a moment"));
        }
        // out of the queue however the wait ends (a client that leaves
        // drops this future)
        let _queued = queued;
        self.running
            .acquire()
            .await
            .map_err(|_| CommandError::new(ErrorKind::Internal, "the server is stopping"))
    }
}

struct Queued<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A request's view of the tracker, on its blocking thread.
pub struct Ctx<'t> {
    /// The leases of the session, when the front end keeps them.
    pub held: Option<&'t std::sync::Mutex<std::collections::BTreeMap<String, u64>>>,
    pub clock: Clock,
    pub mode: ScanMode,
    pub tracker: &'t Tracker,
    session: Option<Session<'t>>,
    /// The live version when the request began (pages carry it, so that
    /// a change between the answer and the event stream is not missed).
    pub version: u64,
}

impl<'t> Ctx<'t> {
    /// The session (after an operation took it, a new one, without a
    /// daemon).
    pub fn session(&mut self) -> &mut Session<'t> {
        let tracker = self.tracker;
        self.session
            .get_or_insert_with(|| Session::without_daemon(tracker).at(self.clock.now))
    }

    /// The session, for an operation that consumes it.
    pub fn take_session(&mut self) -> Session<'t> {
        self.session();
        self.session.take().expect("just made")
    }

    /// Refuses a write to the issue `input` names when this session
    /// claimed it and its lease has been claimed by anyone since (the
    /// session's token is fenced).
    pub fn fence(&mut self, input: &str) -> Result<(), CommandError> {
        let Some(held) = self.held else {
            return Ok(());
        };
        // (nothing claimed in this session: nothing to resolve or read)
        if held.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
            return Ok(());
        }
        let id = self.session().resolve(input)?.to_string();
        let token = held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .copied();
        if let Some(token) = token {
            self.session().check_fence(&id, token)?;
        }
        Ok(())
    }

    /// Notes a lease this session took (or gave up: `None`).
    pub fn hold(&self, id: &str, token: Option<u64>) {
        if let Some(held) = self.held {
            let mut held = held.lock().unwrap_or_else(|e| e.into_inner());
            match token {
                Some(token) => held.insert(id.to_owned(), token),
                None => held.remove(id),
            };
        }
    }

    /// Who makes a change.
    pub fn author(&self) -> Result<String, CommandError> {
        Ok(self.tracker.author()?)
    }

    /// The query of a query box or parameter (docs/query.md), `me` being
    /// who makes the changes.
    pub fn query(
        &self,
        text: &str,
    ) -> Result<yit::query::ListQuery, yit::query::filter::QueryError> {
        let me = || {
            self.tracker
                .author()
                .ok()
                .map(|m| yit::model::issue::identity_of(&m))
        };
        let claims = || self.tracker.claims_in_force(self.clock.now);
        let cx = yit::query::filter::Context {
            me: &me,
            now: self.clock.now,
            config: self.tracker.config(),
            claims: &claims,
        };
        yit::query::ListQuery::of_text(text, &cx)
    }
}
