//! What can go wrong in the store, each error with the path, issue id or
//! revision it concerns.

use std::path::{Path, PathBuf};

use crate::git::GitError;
use crate::model::id::IssueId;
use crate::model::issue::{self, Broken, Issue};
use crate::model::problem::Problem;

use super::describe_wait;
use super::graph::{self, Reference};

/// Short ids of the issues an error names, as the rest of the output
/// names them.
#[derive(Clone, Debug, Default)]
pub struct ShortNames(pub std::collections::HashMap<IssueId, String>);

impl ShortNames {
    /// The short id of `id`, or the whole id when it is not known.
    pub fn name<'a>(&'a self, id: &'a IssueId) -> &'a str {
        self.0.get(id).map_or(id.as_str(), String::as_str)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Git(#[from] GitError),
    /// A file that is not read: a link, a special file, too large.
    #[error(transparent)]
    Guarded(#[from] super::guarded::GuardedError),
    #[error(transparent)]
    Markers(#[from] super::agents::MarkerError),
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
    /// A change that would make an issue file larger than yit reads.
    #[error("{} would be {size} bytes, over max_file_size ({max} bytes); nothing was written", path.display())]
    WouldBeTooLarge { path: PathBuf, size: u64, max: u64 },
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
    /// An export refused because issue files could not be read (an export
    /// that silently missed them would lose them).
    #[error("{broken} issue file(s) could not be read; nothing was exported")]
    NothingExported {
        broken: usize,
        problems: Vec<Problem>,
    },
    /// An issue the target format cannot be written for.
    #[error("cannot export {id}: {why}")]
    ExportFailed { id: String, why: String },
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
    /// An edit that changed the same fields as a change made meanwhile.
    #[error("issue {id} changed on disk while you were editing it, in the same field(s) as your edit: {}", fields.join(", "))]
    Clash { id: IssueId, fields: Vec<String> },
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
    /// A claim of an issue whose lease another holds, in force (exit 4).
    #[error("issue {} is claimed by {} (from {}, token {}) {}", shorts.name(id), lease.holder, lease.taken_at, lease.token, until(lease))]
    Leased {
        id: IssueId,
        lease: Box<crate::model::lease::Lease>,
        shorts: ShortNames,
    },
    /// A renewal or release of a lease that is not the claimant's.
    #[error("issue {}: {}", shorts.name(id), not_holder(lease.as_deref()))]
    NotHolder {
        id: IssueId,
        lease: Option<Box<crate::model::lease::Lease>>,
        shorts: ShortNames,
    },
    /// A write fenced with a token that is not the lease's any more.
    #[error("issue {}: token {token} is not its claim's any more: {} holds it with token {}", shorts.name(id), lease.holder, lease.token)]
    Fenced {
        id: IssueId,
        token: u64,
        lease: Box<crate::model::lease::Lease>,
        shorts: ShortNames,
    },
    /// The remote that settles claims could not be reached or refused the
    /// exchange for another reason than a lost race.
    #[error("could not reach remote {remote:?} to settle the claim")]
    Remote {
        remote: String,
        #[source]
        source: crate::git::GitError,
    },
    /// The lease's ref moved under every one of a claim's rounds.
    #[error("issue {id}: its lease kept changing while it was claimed; try again")]
    LeaseBusy { id: IssueId },
    /// A claim of an issue someone else holds (exit 4, as the other
    /// refusals below).
    /// `shorts` names the issues as the rest of the output does (by their
    /// short ids; an id it lacks is shown whole), here and below.
    #[error("issue {} is held by {holder}", shorts.name(id))]
    Held {
        id: IssueId,
        holder: String,
        shorts: ShortNames,
    },
    #[error("issue {} is {status}; `yit reopen` it first", shorts.name(id))]
    Closed {
        id: IssueId,
        status: String,
        shorts: ShortNames,
    },
    /// A strict claim of an issue that waits: `at` (it, or a parent)
    /// waits for the open `blockers`.
    #[error("issue {} is not ready: {}", shorts.name(id), describe_wait(id, at, blockers, &|id| shorts.name(id).to_owned()))]
    NotReady {
        id: IssueId,
        at: IssueId,
        blockers: Vec<Issue>,
        shorts: ShortNames,
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
        edge: crate::model::deps::Edge,
        path: Vec<(IssueId, String)>,
    },
}

fn describe_problems(problems: &[Problem]) -> String {
    match problems {
        [] => "invalid file".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more problems)", rest.len()),
    }
}

pub(super) fn io_err<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |source| StoreError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

impl StoreError {
    /// The same refusal, naming its issues by the short ids `listing`
    /// gives them (a claim's refusals are found under a lock, before
    /// anything is listed).
    pub fn named_by(mut self, listing: &super::Listing) -> StoreError {
        let (ids, shorts): (Vec<&IssueId>, &mut ShortNames) = match &mut self {
            StoreError::Held { id, shorts, .. }
            | StoreError::Closed { id, shorts, .. }
            | StoreError::Leased { id, shorts, .. }
            | StoreError::NotHolder { id, shorts, .. }
            | StoreError::Fenced { id, shorts, .. } => (vec![&*id], shorts),
            StoreError::NotReady {
                id,
                at,
                blockers,
                shorts,
            } => (
                std::iter::once(&*id)
                    .chain(std::iter::once(&*at))
                    .chain(blockers.iter().map(|b| &b.id))
                    .collect(),
                shorts,
            ),
            _ => return self,
        };
        let named = ids
            .into_iter()
            .map(|id| (id.clone(), listing.short_id(id).to_owned()))
            .collect();
        shorts.0 = named;
        self
    }
}

/// When a lease ends, in words.
fn until(lease: &crate::model::lease::Lease) -> String {
    match lease.expires {
        Some(at) => format!("until {at}"),
        None => "until released".to_owned(),
    }
}

/// Why a lease is not the claimant's to renew or release.
fn not_holder(lease: Option<&crate::model::lease::Lease>) -> String {
    match lease {
        None => "it is not claimed".to_owned(),
        Some(l) if l.state == crate::model::lease::State::Released => {
            format!("its lease was released (by {})", l.holder)
        }
        Some(l) => format!(
            "its lease is {}'s (from {}, token {})",
            l.holder, l.taken_at, l.token
        ),
    }
}
