//! What the daemon serves from: every issue file as last read, kept in
//! memory in each `list` order with its answer row encoded once, and the
//! answers to requests computed from it.
//!
//! This module reads files only when told which (`State::read_updates`) and
//! knows nothing of sockets, threads or the reasons to exit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};

use super::DaemonError;
use super::protocol::{self, Answer, Request, Response};
use crate::model::config::Config;
use crate::model::id::IssueId;
use crate::model::issue::{Broken, Issue};
use crate::model::problem::Problem;
use crate::query::{self, ListQuery, SortKey};
use crate::store::{FileResult, ScanMode, Tracker};
use rayon::prelude::*;

/// Hashes ids by their leading bytes: they are random already, and the
/// daemon looks one up for every record it sends.
#[derive(Clone, Copy, Default)]
struct IdHash;

impl std::hash::BuildHasher for IdHash {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// What queries are answered from: the files as last read (shared, not
/// copied: a change to one file costs one file), and their problems.
pub(super) struct Served {
    pub(super) state: State,
    problems: Vec<Problem>,
    broken_files: usize,
    config: Config,
}

impl Served {
    pub(super) fn new(state: State, tracker: &Tracker) -> Served {
        let mut served = Served {
            state,
            problems: Vec::new(),
            broken_files: 0,
            config: tracker.config().clone(),
        };
        served.recount(tracker);
        served
    }

    /// Problems change only with the broken or misnamed files (looked at
    /// alone: a walk of 100,000 files took half of a daemon's work for a
    /// `new`).
    pub(super) fn recount(&mut self, tracker: &Tracker) {
        let files = &self.state.files;
        let broken = (self.state.broken.iter())
            .filter_map(|id| files.get(id).and_then(|r| r.as_ref().err()));
        let (problems, broken_files) =
            tracker.problems_of(broken, |id| files.contains_key(id), &self.state.misnamed);
        self.problems = problems;
        self.broken_files = broken_files;
    }

    /// The valid issue `id` names.
    fn lookup(&self, id: &IssueId) -> Option<&Issue> {
        match self.state.files.get(id) {
            Some(Ok(k)) => Some(&k.issue),
            _ => None,
        }
    }

    /// The one issue `input` names, as `Listing::resolve` would find it.
    fn resolve(&self, input: &str) -> Option<String> {
        let prefix = crate::model::id::normalize_prefix(input)?;
        // the ids starting with the prefix follow it in sorted order
        let matches: Vec<&IssueId> = self
            .state
            .files
            .range::<str, _>((
                std::ops::Bound::Included(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .map(|(id, _)| id)
            .take_while(|id| id.as_str().starts_with(&prefix))
            .take(2)
            .collect();
        match matches[..] {
            [one] => Some(one.to_string()),
            _ => matches
                .iter()
                .find(|id| id.as_str() == prefix)
                .map(ToString::to_string),
        }
    }

    /// The length of the shortest unique prefix of `id` among all files.
    fn short_len(&self, id: &IssueId) -> usize {
        match self.state.short_lens.get(id) {
            Some(&len) => len,
            None => self.state.short_len_among_files(id),
        }
    }

    /// The answer to a request about the issues (after `sync`), encoded. A
    /// `list` of every match without details is assembled from the rows
    /// the daemon keeps, on both cores, into the bytes `protocol::encode`
    /// would give, in pieces that are written one after another (never
    /// joined: 10 MB at 100,000 issues).
    pub(super) fn encoded_answer(&self, request: Request) -> Answer {
        let query = match request {
            Request::List { query }
                if query.limit.is_none()
                    && !query.details
                    && !query.count
                    && !reads_text(&query) =>
            {
                query
            }
            other => return Answer::of(&self.answer(other)),
        };
        let order = self.state.order(query.sort);
        let rows = |chunk: &[Arc<Kept>]| {
            let mut out = Vec::with_capacity(chunk.len() * 128);
            let mut count = 0;
            let mut write = |k: &Arc<Kept>| {
                if !query.matches(&k.issue, &self.config, &|id| self.lookup(id)) {
                    return;
                }
                count += 1;
                let short = match k.short.load(Ordering::Relaxed) {
                    0 => self.short_len(&k.id),
                    n => usize::from(n),
                };
                k.write_row(&mut out, short);
                out.push(b'\n');
            };
            if query.reverse {
                chunk.iter().rev().for_each(&mut write);
            } else {
                chunk.iter().for_each(&mut write);
            }
            (count, out)
        };
        let (counts, mut pieces): (Vec<usize>, Vec<Vec<u8>>) = if query.reverse {
            order.par_chunks(PARALLEL_ENCODING).rev().map(rows).unzip()
        } else {
            order.par_chunks(PARALLEL_ENCODING).map(rows).unzip()
        };
        // each piece is record lines (`protocol::record_line`)
        let count = counts.iter().sum();
        let head = protocol::list_head(count, &self.problems, self.broken_files, None);
        pieces.insert(0, head);
        Answer(pieces)
    }

    /// The answer to a request about the issues (after `sync`).
    pub(super) fn answer<'s>(&'s self, request: Request) -> Response<'s> {
        let lookup = |id: &IssueId| self.lookup(id);
        let short_len = |id: &IssueId| self.short_len(id);
        let scope = query::Scope {
            short_len: &short_len,
            problems: &self.problems,
            broken_files: self.broken_files,
            config: &self.config,
            lookup: &lookup,
        };
        match request {
            Request::List { query } if reads_text(&query) => {
                // every body is read: in id order, the order the issues
                // were loaded in and lie in memory (in priority order the
                // same scan is 2.5 times slower at 100,000 issues), on
                // both cores; the few that match are sorted after
                let matching: Vec<&Issue> = self
                    .state
                    .order(SortKey::Id)
                    .par_iter()
                    .map(|k| &k.issue)
                    .filter(|i| query.matches(i, &self.config, &lookup))
                    .collect();
                Response::List(query::run_list(matching, &scope, &query))
            }
            Request::List { query } => {
                let order = self.state.order(query.sort);
                let ordered = order.iter().map(|k| &k.issue);
                let ordered: Box<dyn Iterator<Item = &Issue>> = if query.reverse {
                    Box::new(ordered.rev())
                } else {
                    Box::new(ordered)
                };
                Response::List(query::run_list_ordered(ordered, &scope, &query))
            }
            Request::Search { query } => {
                let issues: Vec<&Issue> = self
                    .state
                    .order(SortKey::Id)
                    .iter()
                    .map(|k| &k.issue)
                    .collect();
                match query::run_search((&issues, None), &scope, &query) {
                    Some(result) => Response::Search(result),
                    None => Response::Error {
                        message: crate::store::StoreError::NothingToSearch.to_string(),
                    },
                }
            }
            Request::Resolve { inputs } => {
                Response::Resolved(inputs.iter().map(|i| self.resolve(i)).collect())
            }
            Request::Related { id } => match IssueId::parse_canonical(&id)
                .as_ref()
                .and_then(|id| self.lookup(id))
            {
                Some(issue) => {
                    // the few issues that name it, looked up
                    let naming: Vec<&Issue> = self.state.naming(&issue.id).collect();
                    let short = |id: &IssueId| id.as_str()[..self.short_len(id)].to_owned();
                    let related = crate::model::deps::Related::of(
                        issue,
                        naming,
                        &|id| self.lookup(id),
                        &short,
                    );
                    Response::Related(Box::new((short(&issue.id), related)))
                }
                None => Response::Error {
                    message: format!("no valid issue {id}"),
                },
            },
            Request::ShortIds { ids } => Response::ShortIds(
                ids.into_iter()
                    .map(|i| match IssueId::parse_canonical(&i) {
                        Some(id) => id.as_str()[..self.short_len(&id)].to_owned(),
                        None => i,
                    })
                    .collect(),
            ),
            Request::Status | Request::Stop => Response::Error {
                message: "not a question about the issues".to_owned(),
            },
        }
    }
}

/// What the daemon holds of one file: the issue (shared with the orders
/// below), or why it is broken.
type Held = Result<Arc<Kept>, Broken>;

/// An issue as the daemon keeps it: parsed, and its row in a `list`
/// answer encoded once, around the short id length (which changes as
/// other files come and go), so that a long answer is mostly copying.
struct Kept {
    issue: Issue,
    /// `["<id>",` and `,"<title>","<status>",<priority>,"<type>","<labels>",<assignee>]`,
    /// in one allocation: the record without the short id's length, which
    /// goes at `row_split`.
    row: Box<[u8]>,
    row_split: usize,
    /// The short id's length, as `State::short_lens` has it (0: not yet
    /// set): rows are assembled without a lookup per issue in a map of
    /// 100,000 ids (half of a full list's time when they were looked up).
    short: AtomicU8,
}

impl Kept {
    fn new(issue: Issue) -> Kept {
        let (head, tail) = crate::model::record::compact_row_parts(&issue);
        let row_split = head.len();
        let mut row = head.into_bytes();
        row.extend_from_slice(tail.as_bytes());
        Kept {
            issue,
            row: row.into_boxed_slice(),
            row_split,
            short: AtomicU8::new(0),
        }
    }

    /// Appends the record, with `short` as the short id's length.
    fn write_row(&self, out: &mut Vec<u8>, short: usize) {
        let (head, tail) = self.row.split_at(self.row_split);
        out.extend_from_slice(head);
        if short >= 10 {
            out.extend_from_slice(short.to_string().as_bytes());
        } else {
            out.push(b'0' + short as u8);
        }
        out.extend_from_slice(tail);
    }
}

impl std::ops::Deref for Kept {
    type Target = Issue;
    fn deref(&self) -> &Issue {
        &self.issue
    }
}

/// Every issue file as last read, and the misnamed ones.
#[derive(Default)]
pub(super) struct State {
    files: BTreeMap<IssueId, Held>,
    /// The ids of the broken files among `files`.
    broken: BTreeSet<IssueId>,
    misnamed: Vec<std::path::PathBuf>,
    /// The valid issues in each `list` order, built when first asked for
    /// and then kept up to date file by file, so that a `list --limit 50`
    /// looks at about 50 issues.
    orders: [OnceLock<Vec<Arc<Kept>>>; 4],
    /// The short id length of every file, kept up to date as files come and
    /// go (only the neighbours of an id in sorted order can change).
    short_lens: HashMap<IssueId, usize, IdHash>,
    /// For each id, the valid issues that name it as their parent or a
    /// dependency (the reverse edges), kept up to date file by file: what
    /// `show` lists around an issue is looked up, not found by a walk of
    /// every issue.
    naming: HashMap<IssueId, BTreeSet<IssueId>, IdHash>,
}

/// Whether a query reads bodies and comments (words, phrases).
fn reads_text(query: &ListQuery) -> bool {
    query.filter.as_ref().is_some_and(|f| f.needs_details())
}

/// Above this many changed files in one batch, the orders are built again
/// rather than updated.
const REORDER_LIMIT: usize = 256;

const SORTS: [SortKey; 4] = [
    SortKey::Priority,
    SortKey::Created,
    SortKey::Updated,
    SortKey::Id,
];

fn slot(sort: SortKey) -> usize {
    match sort {
        SortKey::Priority => 0,
        SortKey::Created => 1,
        SortKey::Updated => 2,
        SortKey::Id => 3,
    }
}

fn held(read: FileResult) -> Option<Held> {
    match read {
        Ok(Some(issue)) => Some(Ok(Arc::new(Kept::new(*issue)))),
        Ok(None) => None,
        Err(broken) => Some(Err(broken)),
    }
}

impl State {
    /// The number of issue files, valid or broken.
    pub(super) fn len(&self) -> usize {
        self.files.len()
    }

    /// Reads every file, through the index (which it also refreshes).
    pub(super) fn load(tracker: &Tracker) -> Result<State, DaemonError> {
        let (listing, results) = tracker.read_all(ScanMode::Index { details: true })?;
        let files: BTreeMap<IssueId, Held> = listing
            .ids
            .iter()
            .cloned()
            .zip(results)
            .filter_map(|(id, r)| held(r).map(|h| (id, h)))
            .collect();
        let broken = (files.iter())
            .filter(|(_, h)| h.is_err())
            .map(|(id, _)| id.clone())
            .collect();
        let mut state = State {
            files,
            broken,
            misnamed: listing.misnamed,
            orders: Default::default(),
            short_lens: HashMap::default(),
            naming: HashMap::default(),
        };
        for kept in state.files.values().filter_map(|h| h.as_ref().ok()) {
            link(&mut state.naming, kept, true);
        }
        let ids: Vec<IssueId> = state.files.keys().cloned().collect();
        state.short_lens.reserve(ids.len());
        for id in ids {
            let len = state.short_len_among_files(&id);
            state.set_short(id, len);
        }
        Ok(state)
    }

    /// The valid issues that name `id` as their parent or a dependency.
    fn naming(&self, id: &IssueId) -> impl Iterator<Item = &Issue> {
        (self.naming.get(id).into_iter().flatten()).filter_map(|source| {
            match self.files.get(source) {
                Some(Ok(k)) => Some(&k.issue),
                _ => None,
            }
        })
    }

    /// Records the short id length of `id`, in the map and in its issue.
    fn set_short(&mut self, id: IssueId, len: usize) {
        if let Some(Ok(k)) = self.files.get(&id) {
            k.short
                .store(u8::try_from(len).unwrap_or(0), Ordering::Relaxed);
        }
        self.short_lens.insert(id, len);
    }

    /// The files next to `id` in sorted order (whether or not it has one).
    fn neighbours(&self, id: &IssueId) -> impl Iterator<Item = &IssueId> {
        use std::ops::Bound::{Excluded, Unbounded};
        let before = self
            .files
            .range::<IssueId, _>((Unbounded, Excluded(id)))
            .next_back();
        let after = self
            .files
            .range::<IssueId, _>((Excluded(id), Unbounded))
            .next();
        before.into_iter().chain(after).map(|(k, _)| k)
    }

    /// The short id length of `id` among the files, from its neighbours.
    fn short_len_among_files(&self, id: &IssueId) -> usize {
        crate::model::id::short_len(id.as_str(), self.neighbours(id).map(IssueId::as_str))
    }

    /// Updates the short ids after `id`'s file came or went: its own and
    /// its neighbours'.
    fn reshort(&mut self, id: &IssueId) {
        let mut touched: Vec<IssueId> = Vec::with_capacity(3);
        if self.files.contains_key(id) {
            touched.push(id.clone());
        } else {
            self.short_lens.remove(id);
        }
        touched.extend(self.neighbours(id).cloned());
        for id in touched {
            let len = self.short_len_among_files(&id);
            self.set_short(id, len);
        }
    }

    /// The valid issues, ascending in `sort`'s order.
    fn order(&self, sort: SortKey) -> &[Arc<Kept>] {
        self.orders[slot(sort)].get_or_init(|| {
            let mut order: Vec<Arc<Kept>> = self
                .files
                .values()
                .filter_map(|h| h.as_ref().ok().cloned())
                .collect();
            order.sort_unstable_by(|a, b| query::key_of(sort, a).cmp(&query::key_of(sort, b)));
            order
        })
    }

    /// Moves one issue in the orders that are built: out of its old place,
    /// into its new one.
    fn reorder(&mut self, old: Option<&Arc<Kept>>, new: Option<&Arc<Kept>>) {
        for sort in SORTS {
            let Some(order) = self.orders[slot(sort)].get_mut() else {
                continue;
            };
            let find = |order: &[Arc<Kept>], issue: &Issue| {
                let key = query::key_of(sort, issue);
                order.binary_search_by(|x| query::key_of(sort, x).cmp(&key))
            };
            if let Some(old) = old
                && let Ok(at) = find(order, old)
            {
                order.remove(at);
            }
            if let Some(new) = new
                && let Err(at) = find(order, new)
            {
                order.insert(at, Arc::clone(new));
            }
        }
    }

    /// Reads the touched files again.
    pub(super) fn read_updates(
        tracker: &Tracker,
        names: &std::collections::BTreeSet<std::ffi::OsString>,
    ) -> Result<Updates, DaemonError> {
        let mut updates = Updates::default();
        let mut relist = false;
        for name in names {
            let id = name.to_str().and_then(IssueId::from_file_name);
            match id {
                Some(id) => {
                    let read = tracker.read_issue(&id).map(|i| i.map(Box::new));
                    updates.files.push((id, held(read)));
                }
                // a dotfile (temporary file) changes nothing; anything else
                // may be a misnamed file coming or going
                None if name.to_str().is_some_and(|n| n.starts_with('.')) => {}
                None => relist = true,
            }
        }
        if relist {
            updates.misnamed = Some(tracker.load_listing()?.misnamed);
        }
        Ok(updates)
    }

    /// Applies what was read; true when the broken or misnamed files (and
    /// so the problems) may have changed.
    pub(super) fn apply(&mut self, updates: Updates) -> bool {
        let mut problems_changed = false;
        if updates.files.len() > REORDER_LIMIT {
            self.orders = Default::default();
        }
        for (id, read) in updates.files {
            let was_broken = self.files.get(&id).is_some_and(Result::is_err);
            problems_changed |= was_broken || read.as_ref().is_some_and(Result::is_err);
            let new = read.as_ref().and_then(|r| r.as_ref().ok().cloned());
            if read.as_ref().is_some_and(Result::is_err) {
                self.broken.insert(id.clone());
            } else {
                self.broken.remove(&id);
            }
            let old = match read {
                None => {
                    // a removed file may have been another's duplicate id
                    problems_changed = true;
                    let old = self.files.remove(&id);
                    if old.is_some() {
                        self.reshort(&id);
                    }
                    old
                }
                Some(read) => {
                    let old = self.files.insert(id.clone(), read);
                    if old.is_none() {
                        problems_changed = true;
                        self.reshort(&id);
                    } else if let Some(&len) = self.short_lens.get(&id) {
                        // a new version of a file: the same short id
                        self.set_short(id.clone(), len);
                    }
                    old
                }
            };
            // out of the old place first: the new one may have the same key
            let old = old.and_then(Result::ok);
            if let Some(old) = &old {
                link(&mut self.naming, old, false);
            }
            if let Some(new) = &new {
                link(&mut self.naming, new, true);
            }
            self.reorder(old.as_ref(), new.as_ref());
        }
        if let Some(misnamed) = updates.misnamed {
            self.misnamed = misnamed;
            problems_changed = true;
        }
        problems_changed
    }
}

/// Adds (or removes) in `naming` the reverse edges of `issue`'s parent
/// and dependencies.
fn link(naming: &mut HashMap<IssueId, BTreeSet<IssueId>, IdHash>, issue: &Issue, add: bool) {
    for target in issue.parent.iter().chain(&issue.depends_on) {
        if add {
            (naming.entry(target.clone()).or_default()).insert(issue.id.clone());
        } else if let Some(sources) = naming.get_mut(target) {
            sources.remove(&issue.id);
            if sources.is_empty() {
                naming.remove(target);
            }
        }
    }
}

/// Files read after events, to apply under the lock.
#[derive(Default)]
pub(super) struct Updates {
    /// `None`: the file is gone.
    files: Vec<(IssueId, Option<Held>)>,
    misnamed: Option<Vec<std::path::PathBuf>>,
}

/// Records per chunk when a `list` answer is encoded in parallel.
const PARALLEL_ENCODING: usize = 2048;
