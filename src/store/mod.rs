//! Finding a tracker, reading its issue files and writing new ones.
//!
//! The files in `.issues/` are the truth; the store reads them directly and
//! holds nothing between calls. Every write goes to a temporary file in the
//! same directory, is synced, then moved into place, so a reader sees the
//! old file or the new one, never a torn one. Readers take no locks.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;

use crate::git::Repo;
use crate::model::config::Config;
use crate::model::id::{self, IdSource, IssueId};
use crate::model::issue::{self, Broken, Issue};
use crate::model::problem::Problem;

pub mod agents;
pub mod at;
pub mod atomic;
mod error;
use error::io_err;
pub use error::{ShortNames, StoreError};
mod graph;
pub mod guarded;
pub use graph::{GraphEdit, GraphLock, Reference, Removed};
pub mod history;
mod import;
pub use import::{GithubImported, Imported, UpstreamConflict};
mod changes;
pub mod index;
mod indexed;
pub mod lease;
mod links;
mod listing;
pub mod migrate;
pub use listing::{EntryName, Lister, Listing, Scan, ScanMode, problems_of};
pub mod lock;
pub mod plan;
mod setup;
pub use setup::InitOutcome;
mod update;
pub use update::version_of;
pub mod words;
mod write;

pub use write::TrashEntry;
use write::write_new_file;

/// Name of the directory that holds the issue files.
pub const ISSUES_DIR: &str = ".issues";
/// The `.gitattributes` pattern that sends issue files to yit's merge driver.
pub const GITATTRIBUTES_PATTERN: &str = ".issues/*.yaml";
/// Name of the configuration file inside it.
pub const CONFIG_FILE: &str = "config.yaml";

/// The tracker size from which the daemon starts by itself when
/// `yit.autostart` is unset: where its answers begin to save time a person
/// notices (docs/performance.md, "When the daemon starts by itself").
pub const AUTOSTART_FILES: u64 = 5_000;

/// Whether commands start the daemon ([`Tracker::autostart`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Autostart {
    /// `yit.autostart = false`, or unset and the tracker is small.
    No,
    /// `yit.autostart = true`.
    Asked,
    /// Unset, and the tracker is large: `files` issue files.
    Large { files: u64 },
}

/// An open tracker: a worktree with `.issues/config.yaml`.
pub struct Tracker {
    repo: Repo,
    files: Files,
    state: PathBuf,
    /// What cached parses depend on: see [`crate::store::index::context`].
    context: u64,
    /// Who makes changes, when not the repository's git identity (an
    /// agent claiming as itself).
    author: Option<String>,
    /// The agent session that claims through this tracker (an MCP
    /// server's), if any: a claimant is a person and a session.
    session: Option<String>,
    /// Called before the n-th file of a change to several files is
    /// replaced (a test hook: a front end's crash, `YIT_TEST_CRASH_AFTER_FILES`).
    before_file: Option<std::sync::Arc<dyn Fn(usize) + Send + Sync>>,
}

/// The part of a tracker that reads issue files; shared across the threads
/// of a parallel scan (the git repository handle is not).
struct Files {
    root: PathBuf,
    dir: PathBuf,
    config: Config,
}

/// When a change is made and how long to wait for a lock: the front end's
/// clock (`YIT_NOW` in tests), randomness (`YIT_SEED`) and patience.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    pub now: Timestamp,
    pub seed: Option<u64>,
    pub lock_timeout: std::time::Duration,
}

/// A new issue as requested, before it has an id or a file.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub priority: Option<u8>,
    pub kind: Option<String>,
    pub assignee: Option<String>,
    pub status: Option<String>,
    /// Existing issues (the caller checks that they exist).
    pub parent: Option<IssueId>,
    pub depends_on: Vec<IssueId>,
}

/// What reading one file gave: an issue, nothing (the file is gone), or
/// why it is broken.
pub type FileResult = Result<Option<Box<Issue>>, Broken>;

impl Tracker {
    /// Opens the tracker of the repository containing `start`.
    pub fn open(start: &Path) -> Result<Tracker, StoreError> {
        let repo = Repo::discover(start)?;
        let root = repo.workdir()?.to_owned();
        let dir = root.join(ISSUES_DIR);
        let config_path = dir.join(CONFIG_FILE);
        // a clone's config.yaml may be a link to /dev/zero or a FIFO:
        // read as every file a clone brings is, bounded
        let text = match guarded::read(&config_path, CONFIG_LIMIT)? {
            Some(bytes) => bytes,
            None => return Err(StoreError::NotInitialized { root }),
        };
        let shown = Path::new(ISSUES_DIR).join(CONFIG_FILE);
        let text = String::from_utf8(text).map_err(|_| StoreError::Config {
            problems: vec![Problem::new(&shown, "config.yaml is not valid UTF-8")],
        })?;
        let config =
            Config::parse(&text, &shown).map_err(|problems| StoreError::Config { problems })?;
        let state = repo.git_dir().join("yit");
        let context = crate::store::index::context(&text);
        Ok(Tracker {
            repo,
            files: Files { root, dir, config },
            state,
            context,
            author: None,
            session: None,
            before_file: None,
        })
    }

    /// Whether this clone's git config names yit's merge driver (a fresh
    /// clone has the `.gitattributes` line but not the config).
    pub fn config(&self) -> &Config {
        &self.files.config
    }

    /// The worktree root.
    /// Every issue file of the worktree by id, unparsed (read in
    /// parallel, through the guarded reader); files that cannot be read
    /// (links, FIFOs, files over max_file_size) are left out.
    pub fn files_by_id(&self) -> Result<Vec<(IssueId, Vec<u8>)>, StoreError> {
        let mut listing = self.load_listing()?;
        listing.sort();
        let files = &self.files;
        Ok(listing
            .ids
            .par_iter()
            .filter_map(|id| {
                // as every issue file is read: no link, no FIFO, bounded
                let path = files.issue_path(id);
                let bytes = guarded::read(&path, files.config.max_file_size).ok()??;
                Some((id.clone(), bytes))
            })
            .collect())
    }

    /// The git repository the tracker lives in.
    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    pub fn root(&self) -> &Path {
        &self.files.root
    }

    /// The `.issues` directory.
    pub fn issues_dir(&self) -> &Path {
        &self.files.dir
    }

    /// This worktree's uncommitted state: `<git dir>/yit`.
    pub fn state_dir(&self) -> &Path {
        &self.state
    }

    /// Whether a command that would ask the daemon starts one: as
    /// `yit.autostart` says (git's configuration: the clone's, else the
    /// user's), and when it is unset, once the tracker holds
    /// [`AUTOSTART_FILES`] issue files or more (as its index last counted
    /// them: a tracker never read through the index is not judged large).
    pub fn autostart(&self) -> Autostart {
        match self.repo.config_bool("yit.autostart") {
            Some(true) => Autostart::Asked,
            Some(false) => Autostart::No,
            None => match index::files_in(&self.index_dir()) {
                Some(files) if files >= AUTOSTART_FILES => Autostart::Large { files },
                _ => Autostart::No,
            },
        }
    }

    /// The short id of `issue` (just read from its file) and what surrounds
    /// it, from the index's links and the files changed since (exact, like
    /// any read through the index), unless `mode` reads every file; `None`
    /// when there are no links or too many files changed: then a scan.
    pub fn around(
        &self,
        issue: &Issue,
        mode: ScanMode,
    ) -> Option<(
        std::collections::HashMap<IssueId, String>,
        crate::model::deps::Related,
    )> {
        match mode {
            ScanMode::Index { .. } => self.around_from_links(issue),
            _ => None,
        }
    }

    /// The author identity from git, as `Name <email>`.
    pub fn author(&self) -> Result<String, StoreError> {
        match &self.author {
            Some(author) => Ok(author.clone()),
            None => self.repo.author().ok_or(StoreError::NoIdentity),
        }
    }

    /// The person a front end was given: `me` is [`Tracker::author`],
    /// anything else as typed (checked where it is written). The one
    /// reading of `me` as a person; a query reads it as an email.
    pub fn person(&self, typed: &str) -> Result<String, StoreError> {
        match typed {
            "me" => self.author(),
            other => Ok(other.to_owned()),
        }
    }

    /// Changes made through this tracker are `author`'s (`Name <email>`,
    /// checked), not the repository's git identity's; `me` is them too.
    /// Claims made through this tracker are `session`'s (with the author's).
    /// Calls `hook` before the n-th file of a change to several files is
    /// written (tests interrupt a change there).
    pub fn set_before_file(&mut self, hook: std::sync::Arc<dyn Fn(usize) + Send + Sync>) {
        self.before_file = Some(hook);
    }

    pub fn set_session(&mut self, session: String) {
        self.session = Some(session);
    }

    /// The session claims are made in, if any.
    pub fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }

    pub fn set_author(&mut self, author: String) -> Result<(), StoreError> {
        crate::model::field::check_person(&author)?;
        self.author = Some(author);
        Ok(())
    }

    /// A path as shown to people: relative to the worktree root.
    pub fn shown(&self, path: &Path) -> PathBuf {
        self.files.shown(path)
    }

    fn issue_path(&self, id: &IssueId) -> PathBuf {
        self.files.issue_path(id)
    }

    /// Lists the issue files by name, reading none of them.
    pub fn load_listing(&self) -> Result<Listing, StoreError> {
        self.files.listing()
    }

    /// A handle that lists the issue files from another thread (the git
    /// repository handle is not shared across threads; this is).
    pub fn lister(&self) -> Lister<'_> {
        Lister(&self.files)
    }

    /// The id of an existing issue file when `input` is a complete id, found
    /// without listing the directory.
    pub fn exact_id(&self, input: &str) -> Option<IssueId> {
        let id = IssueId::parse_canonical(&id::normalize_prefix(input)?)?;
        let path = self.issue_path(&id);
        std::fs::symlink_metadata(path).is_ok().then_some(id)
    }

    /// Reads and validates every issue file, in parallel.
    pub fn scan(&self, mode: ScanMode) -> Result<Scan, StoreError> {
        let (listing, results) = self.read_all(mode)?;
        Ok(self.assemble(listing, results))
    }

    /// A scan through the index for a query whose only text terms are
    /// `words` (lowercase, as search splits them): bodies and comments are
    /// read only for the files the word cache cannot rule out (every issue
    /// has its title and the fields `list` shows), and the scan knows the
    /// issues' total text length. Words with letters beyond ASCII read
    /// every body.
    pub fn scan_text(&self, words: &[String]) -> Result<Scan, StoreError> {
        if !words.iter().all(|w| w.is_ascii()) {
            return self.scan(ScanMode::Index { details: true });
        }
        let asked: Vec<u64> = words.iter().map(|w| words::word_hash(w)).collect();
        let (listing, results, total) = self.scan_words(&asked)?;
        let mut scan = self.assemble(listing, results);
        scan.text_total = Some(total);
        Ok(scan)
    }

    /// Lists and reads every issue file: the sorted listing and what each
    /// listed file read to, in the same order.
    pub fn read_all(&self, mode: ScanMode) -> Result<(Listing, Vec<FileResult>), StoreError> {
        Ok(match mode {
            ScanMode::Files => {
                let mut listing = self.load_listing()?;
                listing.sort();
                let files = &self.files;
                let read = |id: &IssueId| files.read_issue(id).map(|i| i.map(Box::new));
                let results = if listing.ids.len() < 64 {
                    listing.ids.iter().map(read).collect()
                } else {
                    listing.ids.par_iter().map(read).collect()
                };
                (listing, results)
            }
            ScanMode::Index { details } => self.scan_through_index(details)?,
        })
    }

    /// Turns what each listed file read to (in listing order) into a scan:
    /// valid issues, and the problems of the rest, with duplicate ids and
    /// misnamed files.
    pub fn assemble(&self, listing: Listing, results: Vec<FileResult>) -> Scan {
        let mut issues = Vec::with_capacity(results.len());
        let mut broken = Vec::new();
        for result in results {
            match result {
                Ok(Some(issue)) => issues.push(issue),
                Ok(None) => {} // removed while we were reading
                Err(b) => broken.push(b),
            }
        }
        let (problems, broken_files) =
            self.problems_of(broken.iter(), |id| listing.contains(id), &listing.misnamed);
        Scan {
            listing,
            issues,
            problems,
            broken_files,
            text_total: None,
        }
    }

    /// The problems to report for broken files (with duplicate ids, when
    /// `exists` says the claimed id's file exists) and misnamed files, in
    /// path order, and how many files they concern.
    pub fn problems_of<'a>(
        &self,
        broken: impl Iterator<Item = &'a Broken>,
        exists: impl Fn(&IssueId) -> bool,
        misnamed: &[PathBuf],
    ) -> (Vec<Problem>, usize) {
        problems_of(broken, exists, misnamed, |id| {
            self.shown(&self.issue_path(id))
        })
    }

    /// Reads one issue file. `Ok(None)` when the file does not exist.
    pub fn read_issue(&self, id: &IssueId) -> Result<Option<Issue>, Broken> {
        self.files.read_issue(id)
    }

    /// The bytes of an issue file as stored, with the same checks as a read
    /// (no symlinks, size limit). `Ok(None)` when the file does not exist.
    pub fn read_issue_bytes(&self, id: &IssueId) -> Result<Option<Vec<u8>>, Broken> {
        let path = self.issue_path(id);
        self.files.read_bytes(&path, &self.shown(&path))
    }

    /// What holds `issue` back, read from the files: the issue that waits
    /// (itself, or the nearest open parent that does) and the open issues
    /// it waits for; `None` when nothing does (see
    /// [`crate::model::ready::blocked_at`]). Reads only the issues on the way.
    pub fn held_back_by(&self, issue: &Issue) -> Option<(IssueId, Vec<Issue>)> {
        let config = &self.files.config;
        let mut known: std::collections::HashMap<IssueId, Issue> = Default::default();
        let load = |known: &mut std::collections::HashMap<IssueId, Issue>, id: &IssueId| {
            if !known.contains_key(id)
                && *id != issue.id
                && let Ok(found) = self.load_issue(id)
            {
                known.insert(id.clone(), found);
            }
        };
        for d in &issue.depends_on {
            load(&mut known, d);
        }
        // the parents up the chain (each once), and what each waits for
        let mut parents: std::collections::HashSet<IssueId> = Default::default();
        let mut next = issue.parent.clone();
        while let Some(id) = next.take() {
            if id == issue.id || !parents.insert(id.clone()) {
                break;
            }
            load(&mut known, &id);
            let Some(parent) = known.get(&id) else { break };
            let (deps, up) = (parent.depends_on.clone(), parent.parent.clone());
            for d in &deps {
                load(&mut known, d);
            }
            next = up;
        }
        let lookup = |id: &IssueId| known.get(id);
        let at = crate::model::ready::blocked_at(issue, config, &lookup)?;
        let blockers = at
            .depends_on
            .iter()
            .filter_map(|d| known.get(d))
            .filter(|b| !config.is_closed(&b.status))
            .cloned()
            .collect();
        Some((at.id.clone(), blockers))
    }

    pub fn load_issue(&self, id: &IssueId) -> Result<Issue, StoreError> {
        match self.read_issue(id) {
            Ok(Some(issue)) => Ok(issue),
            Ok(None) => Err(StoreError::NotFound {
                input: id.to_string(),
            }),
            Err(broken) => Err(StoreError::Broken { broken }),
        }
    }

    /// Checks a draft against the configuration without writing anything.
    pub fn check_draft(&self, draft: &Draft) -> Result<(), StoreError> {
        let config = &self.files.config;
        issue::check_title(&draft.title)?;
        if let Some(status) = &draft.status {
            config.check_status(status)?;
        }
        if let Some(kind) = &draft.kind {
            config.check_type(kind)?;
        }
        if let Some(p) = draft.priority {
            crate::model::config::Config::check_priority(p)?;
        }
        for label in &draft.labels {
            config.check_issue_label(label)?;
        }
        if let Some(assignee) = &draft.assignee {
            issue::check_person(assignee)
                .map_err(|e| e.in_field(crate::model::field::FieldName::Assignee))?;
        }
        Ok(())
    }

    /// Creates a new issue file with a fresh id, and lists the issue files
    /// meanwhile (for its short id: the listing overlaps the fsyncs). The
    /// file is created exclusively: an existing file is never overwritten.
    pub fn create_issue(
        &self,
        draft: Draft,
        author: String,
        now: Timestamp,
        ids: &mut IdSource,
    ) -> Result<(Issue, Listing), StoreError> {
        // refused before any listing (the second check, cheap, finds the
        // same)
        self.check_draft(&draft)?;
        let files = &self.files;
        std::thread::scope(|s| {
            let listing = s.spawn(|| files.listing());
            let issue = self.create_issue_unlisted(draft, author, now, ids)?;
            let mut listing = listing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            if !listing.contains(&issue.id) {
                listing.ids.push(issue.id.clone());
                listing.sorted = false;
            }
            Ok((issue, listing))
        })
    }

    /// Creates a new issue file with a fresh id, without listing the
    /// directory (when short ids come from elsewhere: the daemon).
    pub fn create_issue_unlisted(
        &self,
        draft: Draft,
        author: String,
        now: Timestamp,
        ids: &mut IdSource,
    ) -> Result<Issue, StoreError> {
        self.check_draft(&draft)?;
        // files keep whole seconds
        let now = issue::whole_seconds(now);
        let mut issue = self.issue_of_draft(draft, ids.issue_id(), author, now);
        for _ in 0..16 {
            let text = issue.to_yaml(self.config())?;
            self.check_size(&text)?;
            match write_new_file(
                &self.files.dir,
                &self.issue_path(&issue.id),
                text.as_bytes(),
            ) {
                Ok(()) => {
                    self.journal(&[(&issue, text.as_bytes())]);
                    return Ok(issue);
                }
                Err(StoreError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists =>
                {
                    issue.id = ids.issue_id();
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::NoFreeId { draws: 16 })
    }
}

/// The largest config.yaml read (far more than any configuration needs).
const CONFIG_LIMIT: u64 = 1 << 20;

/// How old a temporary file of a write must be before it is taken for one
/// that an interrupted writer left: a write holds its own for milliseconds.
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes `entry`, a temporary file of a write, if it is old enough to be
/// an interrupted writer's; whether it did.
pub(crate) fn sweep_leftover(entry: &std::fs::DirEntry) -> bool {
    let old = entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > LEFTOVER_AGE);
    // (a regular file only: nothing a person made a directory of)
    old && entry.file_type().is_ok_and(|t| t.is_file())
        && std::fs::remove_file(entry.path()).is_ok()
}

impl Files {
    fn listing(&self) -> Result<Listing, StoreError> {
        let dir = &self.dir;
        let entries = std::fs::read_dir(dir).map_err(io_err("could not list", dir))?;
        let mut ids = Vec::new();
        let mut misnamed = Vec::new();
        let mut swept = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_err("could not list", dir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                misnamed.push(self.shown(&entry.path()));
                continue;
            };
            match EntryName::of(name) {
                EntryName::Issue(id) => ids.push(id),
                EntryName::Misnamed => misnamed.push(self.shown(&entry.path())),
                EntryName::Other if name.starts_with(atomic::TMP_PREFIX) => {
                    if sweep_leftover(&entry) {
                        swept.push(self.shown(&entry.path()));
                    }
                }
                EntryName::Other => {}
            }
        }
        misnamed.sort();
        let mut listing = Listing::new(ids, misnamed);
        listing.swept = swept;
        Ok(listing)
    }

    fn shown(&self, path: &Path) -> PathBuf {
        path.strip_prefix(&self.root)
            .map(Path::to_owned)
            .unwrap_or_else(|_| path.to_owned())
    }

    fn issue_path(&self, id: &IssueId) -> PathBuf {
        self.dir.join(id.file_name())
    }

    fn read_issue(&self, id: &IssueId) -> Result<Option<Issue>, Broken> {
        let path = self.issue_path(id);
        let shown = self.shown(&path);
        let Some(bytes) = self.read_bytes(&path, &shown)? else {
            return Ok(None);
        };
        Issue::parse(&bytes, &shown, Some(id), &self.config).map(Some)
    }

    fn read_bytes(&self, path: &Path, shown: &Path) -> Result<Option<Vec<u8>>, Broken> {
        use guarded::GuardedError;
        let problem = |msg: String| Broken::from(Problem::new(shown, msg));
        let limit = self.config.max_file_size;
        guarded::read(path, limit).map_err(|e| {
            problem(match e {
                GuardedError::Symlink { .. } => {
                    let target = std::fs::canonicalize(path).ok();
                    let root =
                        std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
                    match target {
                        Some(t) if !t.starts_with(&root) => format!(
                            "is a symlink leading out of the repository (to {}); refused",
                            t.display()
                        ),
                        _ => "is a symlink; issue files must be regular files".to_owned(),
                    }
                }
                GuardedError::NotRegular { .. } => "is not a regular file".to_owned(),
                GuardedError::TooLarge {
                    size: Some(size), ..
                } => format!(
                    "file is {size} bytes, over the limit of {limit} bytes (max_file_size in config.yaml); refused unread"
                ),
                GuardedError::TooLarge { size: None, .. } => {
                    format!("file is over the limit of {limit} bytes (max_file_size); refused")
                }
                GuardedError::Io { source, .. } => format!("cannot read: {source}"),
            })
        })
    }
}

impl Draft {
    /// The labels without repeats, in order.
    fn unique_labels(&mut self) -> Vec<String> {
        let mut labels: Vec<String> = Vec::new();
        for label in std::mem::take(&mut self.labels) {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels
    }
}

impl Tracker {
    /// The text of a new issue may not exceed the configured size.
    fn check_size(&self, text: &str) -> Result<(), StoreError> {
        check_size(self.config(), text)
    }

    /// The issue a draft describes, with the given id, created now.
    fn issue_of_draft(
        &self,
        mut draft: Draft,
        id: IssueId,
        author: String,
        now: Timestamp,
    ) -> Issue {
        let labels = draft.unique_labels();
        let mut depends_on: Vec<IssueId> = Vec::new();
        for d in std::mem::take(&mut draft.depends_on) {
            if !depends_on.contains(&d) {
                depends_on.push(d);
            }
        }
        // a title keeps no spaces around it, as typed or pasted
        let title = match draft.title.trim() {
            trimmed if trimmed.len() == draft.title.len() => draft.title,
            trimmed => trimmed.to_owned(),
        };
        Issue {
            id,
            title,
            status: draft
                .status
                .unwrap_or_else(|| self.config().initial_status().to_owned()),
            priority: draft.priority.unwrap_or(self.config().default_priority),
            kind: draft
                .kind
                .unwrap_or_else(|| self.config().default_type.clone()),
            labels,
            assignee: draft.assignee,
            author: Some(author),
            created: now,
            updated: now,
            body: draft.body,
            comments: Vec::new(),
            parent: draft.parent,
            depends_on,
            github: None,
            conflicts: Vec::new(),
            extra: Default::default(),
        }
    }
}

/// `4k2f waits for q8zn "Fix the build" (open)`, or `its parent ... waits
/// for ...`, with ids as `short` names them.
pub fn describe_wait(
    id: &IssueId,
    at: &IssueId,
    blockers: &[Issue],
    short: &dyn Fn(&IssueId) -> String,
) -> String {
    let list = blockers
        .iter()
        .map(|b| format!("{} {:?} ({})", short(&b.id), b.title, b.status))
        .collect::<Vec<_>>()
        .join(", ");
    if at == id {
        format!("{} waits for {list}", short(id))
    } else {
        format!("{}'s parent {} waits for {list}", short(id), short(at))
    }
}

/// A new file's text within `max_file_size`, or `TooLarge`.
fn check_size(config: &Config, text: &str) -> Result<(), StoreError> {
    if text.len() as u64 > config.max_file_size {
        return Err(StoreError::TooLarge {
            size: text.len() as u64,
            max: config.max_file_size,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(ids: &[&str]) -> Listing {
        let ids = ids
            .iter()
            .map(|i| IssueId::parse_canonical(i).expect("valid"))
            .collect();
        Listing::new(ids, Vec::new())
    }

    #[test]
    fn short_ids_are_unique_at_least_four_and_independent_of_sorting() {
        let expected = [
            ("zz00000000", "zz00"),
            ("bcdef00000", "bcdef"),
            ("aaaa000001", "aaaa000001"),
            ("bcdeg00000", "bcdeg"),
            ("aaaa000002", "aaaa000002"),
        ];
        let mut list = listing(&expected.map(|(id, _)| id));
        for sorted in [false, true] {
            if sorted {
                list.sort();
            }
            for (id, short) in expected {
                let id = IssueId::parse_canonical(id).expect("valid");
                assert_eq!(list.short_id(&id), short, "sorted: {sorted}");
            }
        }
    }

    #[test]
    fn resolve_by_prefix() {
        let list = listing(&["aaaa000001", "aaaa000002", "bbbb000000"]);
        assert_eq!(
            list.resolve("B").map(|i| i.to_string()).ok().as_deref(),
            Some("bbbb000000")
        );
        assert!(
            matches!(list.resolve("aaaa"), Err(StoreError::Ambiguous { candidates, .. }) if candidates.len() == 2)
        );
        assert!(matches!(
            list.resolve("cc"),
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            list.resolve("a/b"),
            Err(StoreError::InvalidId { .. })
        ));
    }
}
