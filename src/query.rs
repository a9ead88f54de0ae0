//! Answering `list`: filters, order, limit, and the JSON records of issues.
//!
//! Shared by the CLI (over a scan of the files) and the daemon (over its
//! memory), so that both give the same answer byte for byte. Pure.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::id::IssueId;
use crate::issue::Issue;
use crate::problem::Problem;
use crate::record::Record;

/// Who an issue must be assigned to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssigneeFilter {
    /// The assignee's email, compared case-insensitively.
    Email(String),
    Nobody,
}

/// The order of `list`; ties fall back to priority, creation time, then id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// Highest priority first, then oldest, then id.
    Priority,
    /// Newest first.
    Created,
    /// Most recently updated first.
    Updated,
    /// By id.
    Id,
}

/// What `list` asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Any of these statuses; empty means every status that is not closed
    /// (or every status with `all`).
    pub statuses: Vec<String>,
    /// All of these labels.
    pub labels: Vec<String>,
    pub assignee: Option<AssigneeFilter>,
    /// Any of these priorities.
    pub priorities: Vec<u8>,
    /// Any of these types.
    pub kinds: Vec<String>,
    pub all: bool,
    pub sort: SortKey,
    pub reverse: bool,
    pub limit: Option<usize>,
    /// Records with bodies, comments and other keys (`--json`).
    pub details: bool,
}

/// The answer to a [`ListQuery`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListResult<'a> {
    /// The matching issues, in order.
    #[serde(serialize_with = "crate::record::serialize_compact", borrow)]
    pub records: Vec<Record<'a>>,
    /// Problems of the files that could not be read.
    pub problems: Vec<Problem>,
    pub broken_files: usize,
}

impl ListQuery {
    fn matches(&self, issue: &Issue, config: &Config) -> bool {
        let status = if self.statuses.is_empty() {
            self.all || !config.is_closed(&issue.status)
        } else {
            self.statuses.contains(&issue.status)
        };
        status
            && self.labels.iter().all(|l| issue.labels.contains(l))
            && (self.priorities.is_empty() || self.priorities.contains(&issue.priority))
            && (self.kinds.is_empty() || self.kinds.contains(&issue.kind))
            && match &self.assignee {
                None => true,
                Some(AssigneeFilter::Nobody) => issue.assignee.is_none(),
                Some(AssigneeFilter::Email(email)) => issue.is_assigned_to(email),
            }
    }
}

/// Answers `query` over valid `issues`; `short_len` gives the length of
/// an issue's short id.
pub fn run_list<'a>(
    issues: impl IntoIterator<Item = &'a Issue>,
    short_len: &dyn Fn(&IssueId) -> usize,
    problems: &[Problem],
    broken_files: usize,
    config: &Config,
    query: &ListQuery,
) -> ListResult<'a> {
    let mut shown: Vec<&Issue> = issues
        .into_iter()
        .filter(|i| query.matches(i, config))
        .collect();
    shown.sort_by(|a, b| compare(query.sort, a, b));
    if query.reverse {
        shown.reverse();
    }
    if let Some(limit) = query.limit {
        shown.truncate(limit);
    }
    ListResult {
        records: shown
            .into_iter()
            .map(|i| Record::of(i, &i.id.as_str()[..short_len(&i.id)], query.details))
            .collect(),
        problems: problems.to_vec(),
        broken_files,
    }
}

fn compare(key: SortKey, a: &Issue, b: &Issue) -> Ordering {
    let default = || {
        a.priority
            .cmp(&b.priority)
            .then(a.created.cmp(&b.created))
            .then_with(|| a.id.cmp(&b.id))
    };
    match key {
        SortKey::Priority => default(),
        SortKey::Created => b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)),
        SortKey::Updated => b.updated.cmp(&a.updated).then_with(default),
        SortKey::Id => a.id.cmp(&b.id),
    }
}
