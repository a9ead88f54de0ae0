//! Finding a tracker, reading its issue files and writing new ones.
//!
//! The files in `.issues/` are the truth; the store reads them directly and
//! holds nothing between calls. Every write goes to a temporary file in the
//! same directory, is synced, then moved into place, so a reader sees the
//! old file or the new one, never a torn one. Readers take no locks.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;

use crate::git::{GitError, Repo};
use crate::model::config::Config;
use crate::model::id::{self, IdSource, IssueId};
use crate::model::issue::{self, Broken, Issue};
use crate::model::problem::Problem;

pub mod at;
pub mod atomic;
mod graph;
pub use graph::{GraphEdit, GraphLock, Reference, Removed};
pub mod history;
mod import;
pub use import::{GithubImported, Imported, UpstreamConflict};
pub mod index;
mod indexed;
pub mod lock;
pub mod plan;
mod update;
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

/// An open tracker: a worktree with `.issues/config.yaml`.
pub struct Tracker {
    repo: Repo,
    files: Files,
    state: PathBuf,
    /// What cached parses depend on: see [`crate::store::index::context`].
    context: u64,
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

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("no yit tracker in {}", root.display())]
    NotInitialized { root: PathBuf },
    #[error("revision {rev} has no yit tracker (.issues/config.yaml)")]
    NotInitializedAt { rev: String },
    #[error("{}", describe_problems(problems))]
    Config { problems: Vec<Problem> },
    #[error("{}", describe_problems(&broken.problems))]
    Broken { broken: Broken },
    #[error("{} on {}", action, path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{input:?} is not a valid issue id (ids use the letters 0-9 and a-z without i, l, o, u)"
    )]
    InvalidId { input: String },
    #[error("no issue matches {input:?}")]
    NotFound { input: String },
    #[error("{input:?} matches {} issues: {}", candidates.len(), candidates.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))]
    Ambiguous {
        input: String,
        candidates: Vec<IssueId>,
    },
    #[error(transparent)]
    Field(#[from] crate::model::field::FieldError),
    #[error("the new issue would be {size} bytes, over max_file_size ({max} bytes)")]
    TooLarge { size: u64, max: u64 },
    /// Every id drawn was taken (a broken random source, or a full space).
    #[error("could not find a free issue id after {draws} draws")]
    NoFreeId { draws: u32 },
    #[error(transparent)]
    Github(#[from] crate::model::github::GithubError),
    #[error(transparent)]
    Resolve(#[from] crate::model::merge::ResolveError),
    /// An import refused whole: the file and each of its problems.
    #[error("{}: {} problem(s); nothing was imported", path.display(), problems.len())]
    NothingImported {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    /// A plan refused whole.
    #[error("{}: {} problem(s) in the plan; nothing was created", path.display(), problems.len())]
    BadPlan {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    /// An imported id that exists here with other content (exit 4).
    #[error("issue {id} exists here with other content; nothing was imported")]
    Differs { id: IssueId },
    #[error("the query has no words to search for")]
    NothingToSearch,
    /// `log` of an issue no commit on the branch changed; `path` relative
    /// to the root.
    #[error("no commit on this branch changed {path} (uncommitted issues have no history yet)")]
    NoHistory { path: String },
    /// `dep rm` of an edge that is not there; the ids as the listing
    /// shortens them.
    #[error("{id} does not wait for {on}")]
    NotWaiting { id: String, on: String },
    #[error("no author identity: git has no user.name and user.email for this repository")]
    NoIdentity,
    #[error(transparent)]
    Issue(#[from] issue::IssueError),
    #[error(transparent)]
    Edit(#[from] crate::model::edit::EditError),
    #[error(transparent)]
    Lock(#[from] crate::store::lock::LockError),
    #[error("issue {id} changed on disk while it was being edited")]
    Changed { id: IssueId },
    #[error("issue {id} exists; it was not restored")]
    Exists { id: IssueId },
    #[error("no removed issue matches {input:?} in the trash")]
    NotInTrash { input: String },
    /// `known`: the issue's comment ids, for a hint.
    #[error("issue {id} has no comment {input:?}")]
    NoComment {
        id: IssueId,
        input: String,
        known: Vec<String>,
    },
    #[error("{input:?} names several comments of {id}: {}", candidates.join(", "))]
    AmbiguousComment {
        id: IssueId,
        input: String,
        candidates: Vec<String>,
    },
    /// A claim of an issue someone else holds (exit 4, as the other
    /// refusals below).
    #[error("issue {id} is held by {holder}")]
    Held { id: IssueId, holder: String },
    #[error("issue {id} is {status}; `yit reopen` it first")]
    Closed { id: IssueId, status: String },
    /// A strict claim of an issue that waits: `at` (it, or a parent)
    /// waits for the open `blockers`.
    #[error("issue {id} is not ready: {}", describe_wait(id, at, blockers, &|id| id.to_string()))]
    NotReady {
        id: IssueId,
        at: IssueId,
        blockers: Vec<Issue>,
    },
    /// A plan names an id that exists (exit 4).
    #[error("issue {id} exists already; nothing was created")]
    Taken { id: IssueId },
    /// Issues that stay refer to ones being removed (exit 4).
    #[error("{}", graph::describe_references(references))]
    Referred { references: Vec<Reference> },
    /// An edge that would close a cycle: the path from its source back to
    /// it, each id with its short form (exit 4).
    #[error("{}", graph::describe_cycle(*edge, path))]
    Cycle {
        edge: crate::query::deps::Edge,
        path: Vec<(IssueId, String)>,
    },
}

/// `text` (a `.gitattributes`) with yit's line added, or `None` when it
/// has it.
fn with_driver_line(text: &str) -> Option<String> {
    let present = text
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>() == [GITATTRIBUTES_PATTERN, "merge=yit"]);
    if present {
        return None;
    }
    let mut text = text.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(GITATTRIBUTES_PATTERN);
    text.push_str(" merge=yit\n");
    Some(text)
}

/// Whether `program` is a path to, or on PATH as, an executable file.
fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        return executable(Path::new(program));
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| executable(&dir.join(program))))
}

fn describe_problems(problems: &[Problem]) -> String {
    match problems {
        [] => "invalid file".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more problems)", rest.len()),
    }
}

fn io_err<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |source| StoreError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// What a name in `.issues/` is, wherever the directory is read from (the
/// worktree, a revision's tree).
pub enum EntryName {
    /// `<id>.yaml`.
    Issue(IssueId),
    /// Looks like an issue file (`.yaml`, `.yml`) but is not named by an id.
    Misnamed,
    /// `config.yaml`, a dotfile (yit's temporary files), anything else.
    Other,
}

impl EntryName {
    pub fn of(name: &str) -> EntryName {
        if name.starts_with('.') || name == CONFIG_FILE {
            return EntryName::Other;
        }
        match IssueId::from_file_name(name) {
            Some(id) => EntryName::Issue(id),
            None if name.ends_with(".yaml") || name.ends_with(".yml") => EntryName::Misnamed,
            None => EntryName::Other,
        }
    }
}

/// Lists the issue files; can be sent to another thread.
pub struct Lister<'a>(&'a Files);

impl Lister<'_> {
    pub fn load(&self) -> Result<Listing, StoreError> {
        self.0.listing()
    }
}

/// What `yit init` did.
pub enum InitOutcome {
    Created,
    AlreadyThere,
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

/// The issue files present, by name, without reading them.
pub struct Listing {
    /// Ids of the `<id>.yaml` files, in directory order until [`Listing::sort`].
    pub ids: Vec<IssueId>,
    /// Files in `.issues` that look like issue files but are not named by an id.
    pub misnamed: Vec<PathBuf>,
    sorted: bool,
}

impl Listing {
    fn new(ids: Vec<IssueId>, misnamed: Vec<PathBuf>) -> Listing {
        Listing {
            ids,
            misnamed,
            sorted: false,
        }
    }

    /// The listing of these ids (issues of other revisions, say), sorted.
    pub fn of_ids(ids: impl IntoIterator<Item = IssueId>) -> Listing {
        Listing::new(Vec::new(), Vec::new()).including(ids)
    }

    /// This listing and `ids` (issues that are gone from the worktree but
    /// shown), sorted: short ids unique among both.
    pub fn including(mut self, ids: impl IntoIterator<Item = IssueId>) -> Listing {
        self.ids.extend(ids);
        self.ids.sort_unstable();
        self.ids.dedup();
        self.sorted = true;
        self
    }

    /// Sorts the ids, which makes [`Listing::short_id`] logarithmic; worth
    /// it when many short ids are shown, not for one.
    pub fn sort(&mut self) {
        if !self.sorted {
            self.ids.sort_unstable();
            self.sorted = true;
        }
    }

    pub fn contains(&self, id: &IssueId) -> bool {
        if self.sorted {
            self.ids.binary_search(id).is_ok()
        } else {
            self.ids.contains(id)
        }
    }

    /// The shortest unique prefix of `id` among all issue files (at least 4).
    pub fn short_id<'a>(&self, id: &'a IssueId) -> &'a str {
        let len = if self.sorted {
            // only the neighbours in sorted order can share a longer prefix
            let at = self.ids.partition_point(|other| other < id);
            let lo = at.saturating_sub(1);
            let hi = (at + 2).min(self.ids.len());
            id::short_len(id.as_str(), self.ids[lo..hi].iter().map(IssueId::as_str))
        } else {
            id::short_len(id.as_str(), self.ids.iter().map(IssueId::as_str))
        };
        &id.as_str()[..len]
    }

    /// Resolves what a person typed to exactly one issue id.
    pub fn resolve(&self, input: &str) -> Result<IssueId, StoreError> {
        let prefix = id::normalize_prefix(input).ok_or_else(|| StoreError::InvalidId {
            input: input.to_owned(),
        })?;
        let mut matches: Vec<&IssueId> = self
            .ids
            .iter()
            .filter(|id| id.as_str().starts_with(&prefix))
            .collect();
        matches.sort_unstable();
        match matches[..] {
            [] => Err(StoreError::NotFound {
                input: input.to_owned(),
            }),
            [one] => Ok(one.clone()),
            _ => match matches.iter().find(|id| id.as_str() == prefix) {
                Some(exact) => Ok((*exact).clone()),
                None => Err(StoreError::Ambiguous {
                    input: input.to_owned(),
                    candidates: matches.into_iter().cloned().collect(),
                }),
            },
        }
    }
}

/// What reading one file gave: an issue, nothing (the file is gone), or
/// why it is broken.
pub type FileResult = Result<Option<Box<Issue>>, Broken>;

/// How a scan reads the issue files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanMode {
    /// Parse every file (`--no-index`).
    Files,
    /// Reuse the index's parse of every file that has not changed. Without
    /// `details`, issues come without bodies, comments and other keys.
    Index { details: bool },
}

impl ScanMode {
    /// This way of reading, with or without the details.
    pub fn with_details(self, details: bool) -> ScanMode {
        match self {
            ScanMode::Files => ScanMode::Files,
            ScanMode::Index { .. } => ScanMode::Index { details },
        }
    }
}

/// Every issue file read: the valid issues and the problems of the rest.
pub struct Scan {
    pub listing: Listing,
    /// Valid issues, in id order (boxed as they were read: 100,000 issues
    /// are not moved again).
    pub issues: Vec<Box<Issue>>,
    /// Problems, grouped by file in path order.
    pub problems: Vec<Problem>,
    /// How many files had problems.
    pub broken_files: usize,
    /// The issues' total [`Issue::text_len`], when not every body was read
    /// ([`Tracker::scan_text`]).
    pub text_total: Option<u64>,
}

impl Scan {
    /// Whether the issue `id` names was read and is not closed (an open
    /// blocker).
    pub fn is_open(&self, id: &IssueId, config: &Config) -> bool {
        self.find(id).is_some_and(|i| !config.is_closed(&i.status))
    }

    /// The valid issue `id` names.
    pub fn find(&self, id: &IssueId) -> Option<&Issue> {
        self.issues
            .binary_search_by(|i| i.id.cmp(id))
            .ok()
            .map(|n| &*self.issues[n])
    }

    /// The issues around `issue` among these (`show`): its parent, what it
    /// waits for, what waits for it and its children.
    pub fn related(&self, issue: &Issue) -> crate::query::deps::Related {
        crate::query::deps::Related::of(
            issue,
            self.issues.iter().map(|i| &**i),
            &|id| self.find(id),
            &|id| self.listing.short_id(id).to_owned(),
        )
    }
}

impl Tracker {
    /// Opens the tracker of the repository containing `start`.
    pub fn open(start: &Path) -> Result<Tracker, StoreError> {
        let repo = Repo::discover(start)?;
        let root = repo.workdir()?.to_owned();
        let dir = root.join(ISSUES_DIR);
        let config_path = dir.join(CONFIG_FILE);
        let text = match std::fs::read(&config_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotInitialized { root });
            }
            Err(e) => return Err(io_err("could not read", &config_path)(e)),
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
        })
    }

    /// Whether this clone's git config names yit's merge driver (a fresh
    /// clone has the `.gitattributes` line but not the config).
    pub fn merge_driver_configured(&self) -> bool {
        self.repo
            .config_string(crate::git::MERGE_DRIVER_KEY)
            .is_some()
    }

    /// Sets up yit's merge driver: the clone's git config, and the line
    /// `.issues/*.yaml merge=yit` in the worktree's `.gitattributes`.
    /// Returns whether anything changed.
    pub fn register_merge_driver(&self) -> Result<bool, StoreError> {
        let configured = self.repo.register_merge_driver()?;
        let path = self.root().join(".gitattributes");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io_err("could not read", &path)(e)),
        };
        match with_driver_line(&text) {
            None => Ok(configured),
            Some(text) => {
                std::fs::write(&path, text).map_err(io_err("could not write", &path))?;
                Ok(true)
            }
        }
    }

    /// Whether `.gitattributes` differs from HEAD's by yit's line alone (as
    /// [`Tracker::register_merge_driver`] adds it): `yit commit` commits
    /// that, and leaves a file a person changed otherwise to them.
    pub fn attributes_changed_by_yit(&self) -> bool {
        let Ok(now) = std::fs::read_to_string(self.root().join(".gitattributes")) else {
            return false;
        };
        let before = self.committed_attributes().unwrap_or_default();
        with_driver_line(&before).is_some_and(|with| with == now)
    }

    /// HEAD's `.gitattributes`, if HEAD has one.
    fn committed_attributes(&self) -> Option<String> {
        self.repo
            .read_head(".gitattributes")
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// How git would merge issue files in this clone, as `doctor` warns
    /// about it: each thing that would keep the field-aware merge from
    /// running, in words.
    pub fn merge_setup_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let driver = self.repo.config_string(crate::git::MERGE_DRIVER_KEY);
        if driver.is_none() {
            out.push(
                "this clone has no merge driver for issue files (git config merge.yit.driver): a merge would treat them as text; run `yit init`"
                    .to_owned(),
            );
        }
        let probe = format!("{ISSUES_DIR}/probe.yaml");
        match self.repo.attribute(&probe, "merge").as_deref() {
            Some("yit") => {}
            other => out.push(format!(
                "git does not send {GITATTRIBUTES_PATTERN} to the merge driver (merge attribute: {}); run `yit init` to add `{GITATTRIBUTES_PATTERN} merge=yit` to .gitattributes",
                other.unwrap_or("unspecified")
            )),
        }
        let committed = self
            .committed_attributes()
            .is_some_and(|text| with_driver_line(&text).is_none());
        if !committed && self.repo.head_commit_id().is_some() {
            out.push(format!(
                "`{GITATTRIBUTES_PATTERN} merge=yit` is not in the committed .gitattributes: clones will not get the field-aware merge; `yit commit` commits it"
            ));
        }
        if let Some(program) = driver.as_deref().and_then(|d| d.split_whitespace().next())
            && !on_path(program)
        {
            out.push(format!(
                "`{program}` (the registered merge driver) is not on PATH: git could not run it, and a merge of an issue file changed on both sides would stop as a conflict with only this side's version in the file"
            ));
        }
        out
    }

    /// Creates `.issues/config.yaml` in the worktree containing `start`,
    /// unless it is already there.
    pub fn init(start: &Path) -> Result<(Tracker, InitOutcome), StoreError> {
        let repo = Repo::discover(start)?;
        let root = repo.workdir()?.to_owned();
        let dir = root.join(ISSUES_DIR);
        std::fs::create_dir_all(&dir).map_err(io_err("could not create", &dir))?;
        let config_path = dir.join(CONFIG_FILE);
        let outcome = if config_path.exists() {
            InitOutcome::AlreadyThere
        } else {
            write_new_file(&dir, &config_path, Config::initial_text().as_bytes())?;
            let ignore = dir.join(".gitignore");
            if !ignore.exists() {
                let text = "# temporary files of interrupted yit writes\n.yit-tmp-*\n";
                write_new_file(&dir, &ignore, text.as_bytes())?;
            }
            InitOutcome::Created
        };
        drop(repo);
        Ok((Tracker::open(start)?, outcome))
    }

    pub fn config(&self) -> &Config {
        &self.files.config
    }

    /// The worktree root.
    /// Every issue file of the worktree by id, unparsed (read in
    /// parallel); files that cannot be read are left out.
    pub fn files_by_id(&self) -> Result<Vec<(IssueId, Vec<u8>)>, StoreError> {
        let mut listing = self.load_listing()?;
        listing.sort();
        let files = &self.files;
        Ok(listing
            .ids
            .par_iter()
            .filter_map(|id| {
                let bytes = std::fs::read(files.issue_path(id)).ok()?;
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

    /// Whether this clone's git config asks for the daemon to be started by
    /// any command that would use it (`yit.autostart = true`).
    pub fn autostart(&self) -> bool {
        self.repo.config_bool("yit.autostart").unwrap_or(false)
    }

    /// The author identity from git, as `Name <email>`.
    pub fn author(&self) -> Result<String, StoreError> {
        self.repo.author().ok_or(StoreError::NoIdentity)
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
    /// [`crate::query::filter::blocked_at`]). Reads only the issues on the way.
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
        let at = crate::query::filter::blocked_at(issue, config, &lookup)?;
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
        let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
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

impl Files {
    fn listing(&self) -> Result<Listing, StoreError> {
        let dir = &self.dir;
        let entries = std::fs::read_dir(dir).map_err(io_err("could not list", dir))?;
        let mut ids = Vec::new();
        let mut misnamed = Vec::new();
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
                EntryName::Other => {}
            }
        }
        misnamed.sort();
        Ok(Listing::new(ids, misnamed))
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
        let problem = |msg: String| Broken::from(Problem::new(shown, msg));
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(problem(format!("cannot read: {e}"))),
        };
        if meta.file_type().is_symlink() {
            let target = std::fs::canonicalize(path).ok();
            let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
            return Err(problem(match target {
                Some(t) if !t.starts_with(&root) => {
                    format!(
                        "is a symlink leading out of the repository (to {}); refused",
                        t.display()
                    )
                }
                _ => "is a symlink; issue files must be regular files".to_owned(),
            }));
        }
        if !meta.is_file() {
            return Err(problem("is not a regular file".to_owned()));
        }
        let limit = self.config.max_file_size;
        if meta.len() > limit {
            return Err(problem(format!(
                "file is {} bytes, over the limit of {limit} bytes (max_file_size in config.yaml); refused unread",
                meta.len()
            )));
        }
        let file = match open_no_follow(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(problem(format!("cannot read: {e}"))),
        };
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        // bounded even if the file grows between stat and read
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| problem(format!("cannot read: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(problem(format!(
                "file is over the limit of {limit} bytes (max_file_size); refused"
            )));
        }
        Ok(Some(bytes))
    }
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> std::io::Result<File> {
    File::open(path)
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
        if text.len() as u64 > self.config().max_file_size {
            return Err(StoreError::TooLarge {
                size: text.len() as u64,
                max: self.config().max_file_size,
            });
        }
        Ok(())
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
        Issue {
            id,
            title: draft.title,
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

/// The problems to report for broken files (with duplicate ids, when
/// `exists` says the claimed id's file exists; `shown` names that file) and
/// misnamed files, in path order, and how many files they concern: the
/// same for the worktree and for a revision's tree.
pub fn problems_of<'a>(
    broken: impl Iterator<Item = &'a Broken>,
    exists: impl Fn(&IssueId) -> bool,
    misnamed: &[PathBuf],
    shown: impl Fn(&IssueId) -> PathBuf,
) -> (Vec<Problem>, usize) {
    let mut problems = Vec::new();
    let mut broken_files = 0;
    let mut claims = Vec::new();
    for broken in broken {
        broken_files += 1;
        if let Some((claimed, pos)) = &broken.claimed_id
            && exists(claimed)
            && let Some(first) = broken.problems.first()
        {
            claims.push(Problem::at(
                &first.path,
                *pos,
                format!(
                    "duplicate id: {claimed} is also the id of {}",
                    shown(claimed).display()
                ),
            ));
        }
        problems.extend(broken.problems.iter().cloned());
    }
    for path in misnamed {
        broken_files += 1;
        problems.push(Problem::new(
            path,
            "file name is not an issue id (expected <id>.yaml with a lowercase Crockford base32 id)",
        ));
    }
    problems.extend(claims);
    problems.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    (problems, broken_files)
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
