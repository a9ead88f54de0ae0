//! What is in `.issues/` by name (a [`Listing`], short ids, resolving
//! prefixes) and the issues read from it (a [`Scan`]).

use std::path::PathBuf;

use crate::model::config::Config;
use crate::model::id::{self, IssueId};
use crate::model::issue::{Broken, Issue};
use crate::model::problem::Problem;

use super::{CONFIG_FILE, Files, StoreError};

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
pub struct Lister<'a>(pub(super) &'a Files);

impl Lister<'_> {
    pub fn load(&self) -> Result<Listing, StoreError> {
        self.0.listing()
    }
}

/// The issue files present, by name, without reading them.
pub struct Listing {
    /// Ids of the `<id>.yaml` files, in directory order until [`Listing::sort`].
    pub ids: Vec<IssueId>,
    /// Files in `.issues` that look like issue files but are not named by an id.
    pub misnamed: Vec<PathBuf>,
    /// Temporary files that interrupted writes left (a writer killed
    /// between its write and its rename), removed by this listing.
    pub swept: Vec<PathBuf>,
    pub(super) sorted: bool,
}

impl Listing {
    pub(super) fn new(ids: Vec<IssueId>, misnamed: Vec<PathBuf>) -> Listing {
        Listing {
            ids,
            misnamed,
            swept: Vec::new(),
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
    pub fn related(&self, issue: &Issue) -> crate::model::deps::Related {
        crate::model::deps::Related::of(
            issue,
            self.issues.iter().map(|i| &**i),
            &|id| self.find(id),
            &|id| self.listing.short_id(id).to_owned(),
        )
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
