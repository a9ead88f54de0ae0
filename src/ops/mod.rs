//! Operations as every front end (the command line, a web page, an MCP
//! server) needs them: a session on a tracker that asks the daemon when
//! one runs and answers, and reads the files otherwise, with the same
//! answer either way. It resolves what a person typed to ids, names issues
//! by short ids, finds what is around an issue, and changes issues named by
//! what was typed. Nothing here prints: a daemon's trouble goes to the
//! front end's callback, which may warn.

mod answer;
mod board;
mod change;
mod create;
mod history;
pub mod json;
mod show;

pub use crate::store::Clock;
pub use answer::{Answers, list_over, scan_for};
pub use board::{Column, board_json};
pub use change::{Claimed, Written};
pub use create::Created;
pub use history::{IssueLog, LogEntry};
pub use show::{Shown, shown_json};

use std::rc::Rc;

use crate::daemon::protocol::{Request, Response};
use crate::daemon::{Client, DaemonError, Engine, Paths};
use crate::model::deps::Related;
use crate::model::id::IssueId;
use crate::store::at::{AtRevision, IssueBytes};
use crate::store::{Autostart, FileResult, Listing, Scan, ScanMode, StoreError, Tracker};

/// What a front end hears about the daemon: it did not answer in time (the
/// answer then comes from the files), a command started one (with the
/// tracker's size when it was started for being large rather than because
/// `yit.autostart` asks), or it could not start one.
pub enum Trouble<'e> {
    NotAnswering(&'e DaemonError),
    Started { files: Option<u64> },
    Autostart(&'e DaemonError),
}

/// The front end's ear for [`Trouble`].
pub type OnTrouble = Rc<dyn Fn(Trouble)>;

/// A connection to the daemon that reports its failures to the front end:
/// a daemon process's socket, or the engine of a long-running front end.
pub struct Daemon {
    link: Link,
    on_trouble: OnTrouble,
}

enum Link {
    Socket(Client),
    Engine(std::sync::Arc<Engine>),
}

impl Daemon {
    /// The daemon of `tracker`'s worktree, when one runs, serves and is
    /// compatible. When none runs and [`Tracker::autostart`] says so, one
    /// is started without waiting for it (one starter at a time): this
    /// command answers from the files, and the next gets the daemon.
    pub fn connect(tracker: &Tracker, on_trouble: OnTrouble) -> Option<Daemon> {
        let paths = Paths::new(tracker.state_dir());
        let connect = || match Client::try_connect(&paths, tracker.root()) {
            Ok(client) => client.map(|client| Daemon {
                link: Link::Socket(client),
                on_trouble: Rc::clone(&on_trouble),
            }),
            Err(e) => {
                if matches!(e, DaemonError::NotAnswering { .. }) {
                    on_trouble(Trouble::NotAnswering(&e));
                }
                None
            }
        };
        if crate::daemon::running(&paths).is_some() {
            return connect();
        }
        let files = match tracker.autostart() {
            Autostart::No => return None,
            Autostart::Asked => None,
            Autostart::Large { files } => Some(files),
        };
        // one start at a time: the lock passes to the daemon started, for
        // its life; a start under way (or a daemon started by an older yit
        // that is still loading) is left to itself
        let lock = std::fs::create_dir_all(&paths.state)
            .and_then(|()| {
                crate::store::lock::open_lock_file(&paths.state.join("daemon.start.lock"))
            })
            .ok()?;
        if lock.try_lock().is_err() || crate::daemon::running(&paths).is_some() {
            return None;
        }
        let started = std::env::current_exe()
            .map_err(|source| DaemonError::Spawn {
                exe: "yit".into(),
                source,
            })
            .and_then(|exe| crate::daemon::spawn(&paths, &exe, tracker.root(), lock));
        match started {
            Ok(()) => on_trouble(Trouble::Started { files }),
            Err(e) => on_trouble(Trouble::Autostart(&e)),
        }
        // this command answers from the files; the next gets the daemon
        None
    }

    /// The answers of `engine`, kept by the front end (it is never slow
    /// to answer, so nobody hears of trouble).
    pub fn engine(engine: std::sync::Arc<Engine>) -> Daemon {
        Daemon {
            link: Link::Engine(engine),
            on_trouble: Rc::new(|_| {}),
        }
    }

    /// The answer to `request` handed to `f` in place, when this is a
    /// front end's engine (`None` for a daemon process, whose answers come
    /// as bytes).
    pub fn with_answer<T>(&self, request: &Request, f: impl FnOnce(&Response) -> T) -> Option<T> {
        match &self.link {
            Link::Engine(engine) => engine.with_answer(request, f),
            Link::Socket(_) => None,
        }
    }

    /// One request and its answer.
    pub fn request(&mut self, request: &Request) -> Result<Response<'static>, DaemonError> {
        let answer = self.exchange(request)?;
        crate::daemon::parse(&answer).map(Response::into_owned)
    }

    /// One request and its answer's bytes, for a caller that reads them in
    /// place (`daemon::parse`).
    pub fn exchange(&mut self, request: &Request) -> Result<Vec<u8>, DaemonError> {
        let answer = match &mut self.link {
            Link::Socket(client) => client.exchange(request),
            Link::Engine(engine) => engine.exchange(request),
        };
        self.heard(answer)
    }

    fn heard<T>(&self, answer: Result<T, DaemonError>) -> Result<T, DaemonError> {
        if let Err(e @ DaemonError::NotAnswering { .. }) = &answer {
            (self.on_trouble)(Trouble::NotAnswering(e));
        }
        answer
    }
}

/// Short ids for output: from a listing of the files, or as the daemon
/// computed them (it knows every id without listing the directory).
pub enum Shorts {
    Listing(Listing),
    Known(std::collections::HashMap<IssueId, String>),
}

impl Shorts {
    pub fn of<'a>(&'a self, id: &'a IssueId) -> &'a str {
        match self {
            Shorts::Listing(listing) => listing.short_id(id),
            Shorts::Known(known) => known.get(id).map_or(id.as_str(), String::as_str),
        }
    }
}

/// A tracker and, when one answers, its daemon: ids are resolved one at a
/// time, complete ids from the file system, others through the daemon,
/// else through a listing (read once).
pub struct Session<'t> {
    tracker: &'t Tracker,
    /// How to reach the daemon, until it is first needed (a command that
    /// needs no answer from it neither connects nor starts one).
    connect: Option<Box<dyn FnOnce() -> Option<Daemon> + 't>>,
    daemon: Option<Daemon>,
    listing: Option<Listing>,
    /// The time leases are judged at (the front end's clock).
    now: Option<jiff::Timestamp>,
    /// Every list is asked of the daemon, bodies and all (a front end's
    /// engine, which holds every issue already).
    lists_from_daemon: bool,
}

impl<'t> Session<'t> {
    /// A session whose daemon is `connect`'s, asked for when first needed.
    pub fn new(tracker: &'t Tracker, connect: impl FnOnce() -> Option<Daemon> + 't) -> Session<'t> {
        Session {
            tracker,
            connect: Some(Box::new(connect)),
            daemon: None,
            listing: None,
            now: None,
            lists_from_daemon: false,
        }
    }

    /// The session, asking its daemon for every list, bodies and all: for
    /// a long-running front end's engine, which holds every issue already,
    /// where a scan would read them all again into the request's memory
    /// (~60 MB at 10,000 issues with their bodies, against the answer's 17).
    pub fn lists_from_daemon(mut self) -> Session<'t> {
        self.lists_from_daemon = true;
        self
    }

    /// The session, with leases judged at `now` (the front end's clock)
    /// rather than the system's.
    pub fn at(mut self, now: jiff::Timestamp) -> Session<'t> {
        self.now = Some(now);
        self
    }

    /// The time leases are judged at.
    pub fn now(&self) -> jiff::Timestamp {
        self.now.unwrap_or_else(jiff::Timestamp::now)
    }

    /// A session that asks no daemon (reads of the files themselves).
    pub fn without_daemon(tracker: &'t Tracker) -> Session<'t> {
        Session::new(tracker, || None)
    }

    /// The daemon, connecting now if not yet done.
    fn daemon(&mut self) -> Option<&mut Daemon> {
        if let Some(connect) = self.connect.take() {
            self.daemon = connect();
        }
        self.daemon.as_mut()
    }

    /// What the daemon says `input` names (`Some(None)`: nothing, or
    /// several); `None` when no daemon answers.
    fn ask_resolve(&mut self, input: &str) -> Option<Option<IssueId>> {
        let request = Request::Resolve {
            inputs: vec![input.to_owned()],
        };
        match self.daemon()?.request(&request) {
            Ok(Response::Resolved(found)) => Some(
                found
                    .into_iter()
                    .next()
                    .flatten()
                    .and_then(|id| IssueId::parse_canonical(&id)),
            ),
            _ => None,
        }
    }

    /// Every issue file's id (for short ids and prefixes), read once per
    /// session.
    pub fn listing(&mut self) -> Result<&Listing, StoreError> {
        if self.listing.is_none() {
            self.listing = Some(self.tracker.load_listing()?);
        }
        Ok(self.listing.as_ref().expect("just loaded"))
    }

    /// [`Session::listing`], kept by the caller.
    pub fn into_listing(mut self) -> Result<Listing, StoreError> {
        self.listing()?;
        Ok(self.listing.take().expect("loaded"))
    }

    /// Every issue, read as `mode` says: from the index (kept fresh on the
    /// way) or from every file. The daemon keeps answers, not issues, so a
    /// front end that needs every issue itself (what waits for what, a
    /// tree, statistics, an export, a check) reads them here.
    pub fn scan(&mut self, mode: ScanMode) -> Result<Scan, StoreError> {
        self.tracker.scan(mode)
    }

    /// Every issue file as read, unparsed where it could not be (a check
    /// of the files themselves: `doctor`, `watch`).
    pub fn read_files(&mut self, mode: ScanMode) -> Result<(Listing, Vec<FileResult>), StoreError> {
        self.tracker.read_all(mode)
    }

    /// Every issue file's bytes by id, in id order (a comparison with
    /// another revision's).
    pub fn file_bytes(&mut self) -> Result<Vec<IssueBytes>, StoreError> {
        self.tracker.files_by_id()
    }

    pub fn has_daemon(&mut self) -> bool {
        self.daemon().is_some()
    }

    /// The issue `input` names, or `None` (without the error's details, and
    /// without a listing when the daemon answered).
    pub fn find(&mut self, input: &str) -> Result<Option<IssueId>, StoreError> {
        // shorter than any id yit prints (a label such as `ui`): not an id
        if input.chars().count() < crate::model::id::MIN_SHORT_LEN {
            return Ok(None);
        }
        if let Some(id) = self.tracker.exact_id(input) {
            return Ok(Some(id));
        }
        if let Some(number) = github_number(input) {
            return Ok(self.imported_from_github(input, number).ok());
        }
        if let Some((tool, id)) = crate::model::migrate::origin_term(input) {
            return Ok(self.imported_from(input, Some(tool), id).ok());
        }
        if let Some(answer) = self.ask_resolve(input) {
            return Ok(answer);
        }
        Ok(self.listing()?.resolve(input).ok())
    }

    /// The issue `input` names: its id, a unique prefix, or where it was
    /// imported from (`github:249`, as the query term).
    pub fn resolve(&mut self, input: &str) -> Result<IssueId, StoreError> {
        if let Some(id) = self.tracker.exact_id(input) {
            return Ok(id);
        }
        if let Some(number) = github_number(input) {
            return self.imported_from_github(input, number);
        }
        if let Some((tool, id)) = crate::model::migrate::origin_term(input) {
            return self.imported_from(input, Some(tool), id);
        }
        if let Some(Some(id)) = self.ask_resolve(input) {
            return Ok(id);
        }
        // `bd-a1b2`, `task-12`: never a yit id (no `-` in its alphabet),
        // maybe an id an issue was imported from
        if input.contains('-')
            && let Ok(id) = self.imported_from(input, None, input)
        {
            return Ok(id);
        }
        // not found and ambiguous, as the listing words them
        self.listing()?.resolve(input)
    }

    /// The issue imported from another tracker's issue `id` (of `tool`, or
    /// of any; `input` as typed).
    fn imported_from(
        &mut self,
        input: &str,
        tool: Option<crate::model::migrate::Tool>,
        id: &str,
    ) -> Result<IssueId, StoreError> {
        use crate::model::migrate::{Tool, is_from};
        self.the_one_imported(input, |i| match tool {
            Some(tool) => is_from(i, tool, id),
            None => Tool::ALL.iter().any(|t| is_from(i, *t, id)),
        })
    }

    /// The issue imported from GitHub issue `number` (`input` as typed).
    fn imported_from_github(&mut self, input: &str, number: u64) -> Result<IssueId, StoreError> {
        self.the_one_imported(input, |i| {
            crate::model::github::number_of(i) == Some(number)
        })
    }

    /// The one issue `from` says `input` names (`NotFound` for none,
    /// `Ambiguous` for several): what an import recorded is read with the
    /// bodies.
    fn the_one_imported(
        &mut self,
        input: &str,
        from: impl Fn(&crate::model::issue::Issue) -> bool,
    ) -> Result<IssueId, StoreError> {
        let scan = self
            .tracker
            .scan(crate::store::ScanMode::Index { details: true })?;
        let mut found: Vec<IssueId> = scan
            .issues
            .iter()
            .filter(|i| from(i))
            .map(|i| i.id.clone())
            .collect();
        match found.len() {
            0 => Err(StoreError::NotFound {
                input: input.to_owned(),
            }),
            1 => Ok(found.remove(0)),
            _ => Err(StoreError::Ambiguous {
                input: input.to_owned(),
                candidates: found,
            }),
        }
    }

    /// The short id of `issue` and the issues around it, when the daemon
    /// answers.
    pub fn related(&mut self, issue: &crate::model::issue::Issue) -> Option<(Shorts, Related)> {
        let request = Request::Related {
            id: issue.id.to_string(),
        };
        match self.daemon()?.request(&request) {
            Ok(Response::Related(answer)) => {
                let (short, related) = *answer;
                let shorts = Shorts::Known([(issue.id.clone(), short)].into_iter().collect());
                Some((shorts, related))
            }
            _ => None,
        }
    }

    /// Short ids for the output.
    pub fn shorts(mut self, ids: &[IssueId]) -> Result<Shorts, StoreError> {
        if let Some(daemon) = self.daemon() {
            let request = Request::ShortIds {
                ids: ids.iter().map(ToString::to_string).collect(),
            };
            if let Ok(Response::ShortIds(shorts)) = daemon.request(&request)
                && shorts.len() == ids.len()
            {
                return Ok(Shorts::Known(ids.iter().cloned().zip(shorts).collect()));
            }
        }
        self.listing()?;
        Ok(Shorts::Listing(self.listing.take().expect("loaded")))
    }

    /// Resolves `inputs` and runs `work` on the ids, returning its result
    /// with short ids for the output. When every input is a complete id and
    /// no daemon answers, the directory is listed in a second thread while
    /// `work` runs: at 10,000 issues the listing costs about as much as an
    /// edit.
    pub fn with_ids<T, E: From<StoreError>>(
        mut self,
        inputs: &[String],
        work: impl FnOnce(Vec<IssueId>) -> Result<T, E>,
    ) -> Result<(T, Shorts), E> {
        let tracker = self.tracker;
        let exact: Option<Vec<_>> = inputs.iter().map(|i| tracker.exact_id(i)).collect();
        match exact {
            Some(ids) if self.daemon().is_none() => {
                let lister = tracker.lister();
                std::thread::scope(|s| {
                    let listing = s.spawn(move || lister.load());
                    let result = work(ids);
                    let listing = listing.join().unwrap_or_else(|panic| {
                        // the lister panicked: the same panic here
                        std::panic::resume_unwind(panic)
                    })?;
                    Ok((result?, Shorts::Listing(listing)))
                })
            }
            _ => {
                let ids = inputs
                    .iter()
                    .map(|i| self.resolve(i))
                    .collect::<Result<Vec<_>, _>>()?;
                let result = work(ids.clone())?;
                Ok((result, self.shorts(&ids)?))
            }
        }
    }
}

/// The issues at revision `rev` (a commit, branch or tag) of the
/// repository around `cwd`, read from git's objects: no worktree, index or
/// daemon is involved (`list --at`, `show --at`).
pub fn read_at(cwd: &std::path::Path, rev: &str) -> Result<AtRevision, StoreError> {
    crate::store::at::read_at(cwd, rev)
}

/// The issue files at revision `rev`, unparsed, and its configuration
/// (`diff`).
pub fn files_at(
    cwd: &std::path::Path,
    rev: &str,
) -> Result<(crate::model::config::Config, Vec<IssueBytes>), StoreError> {
    crate::store::at::files_at(cwd, rev)
}

/// The GitHub issue number `input` names as the query term does
/// (`github:249`, `github:#249`).
fn github_number(input: &str) -> Option<u64> {
    let (key, number) = input.split_once(':')?;
    if !key.eq_ignore_ascii_case("github") {
        return None;
    }
    number.trim_start_matches('#').parse().ok()
}
