//! Answering `list`: filters, order, limit, and the JSON records of issues.
//!
//! Shared by the CLI (over a scan of the files) and the daemon (over its
//! memory), so that both give the same answer byte for byte. Pure.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::id::IssueId;
use crate::issue::{self, Issue};
use crate::problem::Problem;

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
pub struct ListResult {
    /// The matching issues as JSON records, in order.
    pub records: Vec<serde_json::Value>,
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

/// Answers `query` over valid `issues`, with short ids from `short_id`.
pub fn run_list<'a>(
    issues: impl IntoIterator<Item = &'a Issue>,
    short_id: &dyn Fn(&IssueId) -> String,
    problems: &[Problem],
    broken_files: usize,
    config: &Config,
    query: &ListQuery,
) -> ListResult {
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
            .iter()
            .map(|i| record(i, &short_id(&i.id), query.details))
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

/// The JSON record of one issue (schema_version 1, docs/format.md). Without
/// `details`, the record has the fields a table shows and no more.
pub fn record(issue: &Issue, short_id: &str, details: bool) -> serde_json::Value {
    let mut record = serde_json::json!({
        "id": issue.id,
        "short_id": short_id,
        "title": issue.title,
        "status": issue.status,
        "priority": issue.priority,
        "type": issue.kind,
        "labels": issue.labels,
        "assignee": issue.assignee,
    });
    if details {
        let comments: Vec<serde_json::Value> = issue
            .comments
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "author": c.author,
                    "created": issue::format_time(c.created),
                    "body": c.body,
                })
            })
            .collect();
        let fields = serde_json::json!({
            "author": issue.author,
            "created": issue::format_time(issue.created),
            "updated": issue::format_time(issue.updated),
            "body": issue.body,
            "comments": comments,
            "parent": issue.parent,
            "depends_on": issue.depends_on,
            "github": issue.github,
            "conflicts": issue.conflicts,
            "extra": issue.extra,
        });
        if let (Some(map), serde_json::Value::Object(more)) = (record.as_object_mut(), fields) {
            map.extend(more);
        }
    }
    record
}
