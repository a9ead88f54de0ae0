//! What the binary's front ends share: the error every one of them gives
//! (kinds, exit codes, hints: [`error`]) and how a process ends with its
//! owner ([`lifetime`]); and for the long-running ones (`yit serve`, `yit
//! mcp`), how a request reaches the library (on a blocking thread, with
//! the tracker opened anew and a [`yit::ops::Session`] on it, exactly as a
//! command of the CLI would), the clock and identity of their changes, and
//! the watcher that tells them what changed ([`live`]).

pub mod error;
pub mod lifetime;
pub mod live;
pub mod open;
pub mod request;
pub mod stop;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
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
    /// Read every file instead of the index, ask no daemon.
    pub no_index: bool,
    pub no_daemon: bool,
    /// Who makes the changes (`yit mcp --as`), instead of git's identity.
    pub author: Option<String>,
}

impl Options {
    /// The tracker, changed as `author` when one is given.
    fn open(&self) -> Result<Tracker, CommandError> {
        let mut tracker = Tracker::open(&self.root)?;
        if let Some(author) = &self.author {
            tracker.set_author(author.clone())?;
        }
        Ok(tracker)
    }

    /// Opens the tracker once, before anything listens, as every front
    /// end does ([`open::open_tracker`]: an interrupted plan completed, a
    /// missing tracker or a bad `--as` said at once; the notices go to
    /// stderr): its issues directory.
    pub fn issues_dir(&self) -> Result<PathBuf, CommandError> {
        let (_, notices) = open::open_tracker(&self.root)?;
        for notice in notices {
            let prefix = if notice.is_warning() { "warning: " } else { "" };
            eprintln!("{prefix}{notice}");
        }
        Ok(self.open()?.issues_dir().to_owned())
    }
}

/// A front end's requests: the options and a counter (each request its
/// own seed).
pub struct Front {
    pub options: Options,
    requests: AtomicU64,
}

impl Front {
    pub fn new(options: Options) -> Front {
        Front {
            options,
            requests: AtomicU64::new(0),
        }
    }

    /// Opens the tracker (the configuration may have changed since the
    /// last request) and calls `f` with a session on it; on the calling
    /// thread, which must be one that may block.
    pub fn run<T>(
        &self,
        version: u64,
        f: impl FnOnce(&mut Ctx) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let opened = self.options.open()?;
        let tracker = &opened;
        let allowed = !(self.options.no_daemon || self.options.no_index);
        let session = Session::new(tracker, move || {
            // a daemon's trouble is the answer from the files: said nowhere
            allowed
                .then(|| Daemon::connect(tracker, std::rc::Rc::new(|_| {})))
                .flatten()
        });
        let mut ctx = Ctx {
            clock: self.clock(),
            mode: self.scan_mode(),
            tracker,
            session: Some(session),
            version,
        };
        f(&mut ctx)
    }

    /// [`Front::run`] on a blocking thread of the runtime.
    pub async fn run_blocking<T: Send + 'static>(
        self: &std::sync::Arc<Front>,
        version: u64,
        f: impl FnOnce(&mut Ctx) -> Result<T, CommandError> + Send + 'static,
    ) -> Result<T, CommandError> {
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

    fn scan_mode(&self) -> ScanMode {
        if self.options.no_index {
            ScanMode::Files
        } else {
            ScanMode::Index { details: false }
        }
    }
}

/// A request's view of the tracker, on its blocking thread.
pub struct Ctx<'t> {
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
            .get_or_insert_with(|| Session::new(tracker, || None))
    }

    /// The session, for an operation that consumes it.
    pub fn take_session(&mut self) -> Session<'t> {
        self.session();
        self.session.take().expect("just made")
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
                .map(|m| yit::model::issue::person_email(&m).unwrap_or(&m).to_owned())
        };
        let cx = yit::query::filter::Context {
            me: &me,
            now: self.clock.now,
            config: self.tracker.config(),
        };
        yit::query::ListQuery::of_text(text, &cx)
    }
}
