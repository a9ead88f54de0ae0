//! Answering `list`: filters, order, limit, and the JSON records of issues.
//!
//! Shared by the CLI (over a scan of the files) and the daemon (over its
//! memory), so that both give the same answer byte for byte. Pure.

pub mod filter;
pub mod search;
pub mod stats;

use serde::{Deserialize, Serialize};

use crate::model::config::Config;
use crate::model::id::IssueId;
use crate::model::issue::Issue;
use crate::model::problem::Problem;
use crate::model::ready::Lookup;
use crate::model::record::Record;

/// Who an issue must be assigned to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssigneeFilter {
    /// An email, or a name as tables show it (`ann`, `Ann Lee`): see
    /// [`Issue::is_assigned_to`].
    Person(String),
    Nobody,
}

/// The order of `list`; ties fall back to priority, creation time, then id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
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
    /// The query language's terms (docs/query.md), AND-ed with the above.
    #[serde(default)]
    pub filter: Option<crate::query::filter::Filter>,
    /// Also count every match past the limit (`matched`: `board`).
    #[serde(default)]
    pub count: bool,
}

/// Why a query cannot be searched.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the query has no words to search for; `yit list QUERY` filters without them")]
    NoWords,
    #[error(
        "a search takes at most {} different words",
        crate::query::search::MAX_WORDS
    )]
    TooManyWords,
}

/// The answer to a [`ListQuery`].
/// (The daemon sends it as lines: `crate::daemon::protocol::encode`.)
#[derive(Clone, Debug, PartialEq)]
pub struct ListResult<'a> {
    /// The matching issues, in order.
    pub records: Vec<Record<'a>>,
    /// Problems of the files that could not be read.
    pub problems: Vec<Problem>,
    pub broken_files: usize,
    /// Every match, past the limit, when the query asks to `count`.
    pub matched: Option<usize>,
}

impl Default for ListQuery {
    /// Every issue that is not closed, by priority.
    fn default() -> ListQuery {
        ListQuery {
            statuses: Vec::new(),
            labels: Vec::new(),
            assignee: None,
            priorities: Vec::new(),
            kinds: Vec::new(),
            all: false,
            sort: SortKey::Priority,
            reverse: false,
            limit: None,
            details: false,
            filter: None,
            count: false,
        }
    }
}

impl ListQuery {
    /// What a query box asks for: the terms of `text` (docs/query.md; an
    /// unknown status or type is an error at its column) over the issues
    /// that are not closed unless it names a status, by priority.
    pub fn of_text(
        text: &str,
        cx: &crate::query::filter::Context,
    ) -> Result<ListQuery, crate::query::filter::QueryError> {
        let filter = match text.trim() {
            "" => None,
            text => Some(crate::query::filter::Filter::parse(text, cx)?),
        };
        Ok(ListQuery {
            filter,
            ..ListQuery::default()
        })
    }

    /// Whether the query can be searched: it has words or phrases (the
    /// rest filters), and no more different words than a search takes.
    pub fn check_search(&self) -> Result<(), SearchError> {
        let (words, phrases) = self.filter.as_ref().map(|f| f.text()).unwrap_or_default();
        if words.is_empty() && phrases.is_empty() {
            return Err(SearchError::NoWords);
        }
        let all: Vec<String> = words.into_iter().chain(phrases).collect();
        match crate::query::search::Words::new(&all) {
            Some(_) => Ok(()),
            None => Err(SearchError::TooManyWords),
        }
    }

    /// Whether `issue` passes the query's filters.
    pub fn matches(&self, issue: &Issue, config: &Config, lookup: Lookup) -> bool {
        let named = self.filter.as_ref().is_some_and(|f| f.names_status());
        let status = if self.statuses.is_empty() {
            self.all || named || !config.is_closed(&issue.status)
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
                Some(AssigneeFilter::Person(who)) => issue.is_assigned_to(who),
            }
            && self
                .filter
                .as_ref()
                .is_none_or(|f| f.matches(issue, config, lookup))
    }
}

/// What a listing's answer is made with besides its issues: the length of
/// an issue's short id, the problems of the files read (and how many were
/// broken), the config, and the issues by id (for filters on blockers).
pub struct Scope<'s> {
    pub short_len: &'s (dyn Fn(&IssueId) -> usize + Sync),
    pub problems: &'s [Problem],
    pub broken_files: usize,
    pub config: &'s Config,
    pub lookup: Lookup<'s>,
}

/// Answers `query` over valid `issues`.
pub fn run_list<'a>(
    issues: impl IntoIterator<Item = &'a Issue>,
    scope: &Scope,
    query: &ListQuery,
) -> ListResult<'a> {
    // sorted by a key computed once per issue (the comparisons then stay in
    // one array); with a limit, only the first `limit` are fully sorted
    let mut shown: Vec<(SortKeyOf<'a>, &Issue)> = issues
        .into_iter()
        .filter(|i| query.matches(i, scope.config, scope.lookup))
        .map(|i| (key_of(query.sort, i), i))
        .collect();
    let matched = query.count.then_some(shown.len());
    let order = |a: &(SortKeyOf, &Issue), b: &(SortKeyOf, &Issue)| {
        // keys end in the id: the order is total, so reversing the order
        // is the same as reversing the list
        if query.reverse {
            b.0.cmp(&a.0)
        } else {
            a.0.cmp(&b.0)
        }
    };
    match query.limit {
        Some(limit) if limit < shown.len() => {
            if limit > 0 {
                shown.select_nth_unstable_by(limit - 1, order);
            }
            shown.truncate(limit);
            shown.sort_unstable_by(order);
        }
        _ => shown.sort_unstable_by(order),
    }
    let shown = shown.into_iter().map(|(_, i)| i);
    records_of(shown, scope, query, matched)
}

/// [`run_list`] over every issue already in the order the query asks for
/// (as the daemon keeps them): nothing is sorted, and with a limit the walk
/// stops at the last issue shown.
pub fn run_list_ordered<'a>(
    ordered: impl Iterator<Item = &'a Issue>,
    scope: &Scope,
    query: &ListQuery,
) -> ListResult<'a> {
    let mut matching = ordered.filter(|i| query.matches(i, scope.config, scope.lookup));
    let shown: Vec<&Issue> = matching
        .by_ref()
        .take(query.limit.unwrap_or(usize::MAX))
        .collect();
    let matched = query.count.then(|| shown.len() + matching.count());
    records_of(shown.into_iter(), scope, query, matched)
}

/// The answer to a search: the ranked hits, and how many matched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResult<'a> {
    #[serde(borrow)]
    pub hits: Vec<SearchHit<'a>>,
    pub matched: usize,
    pub problems: Vec<Problem>,
    pub broken_files: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit<'a> {
    #[serde(borrow)]
    pub record: Record<'a>,
    pub score: f64,
    pub snippet: Option<crate::query::search::Snippet>,
    /// Byte ranges of the matched words in the title.
    pub title_highlights: Vec<(usize, usize)>,
}

/// Ranks the issues that pass `query` by its words and phrases
/// ([`crate::query::search::rank`], with the issues' total text length when not
/// every body is at hand); `None` when the query has no words.
pub fn run_search<'a>(
    (issues, text_total): (&[&'a Issue], Option<u64>),
    scope: &Scope,
    query: &ListQuery,
) -> Option<SearchResult<'a>> {
    let (mut words, phrases) = query.filter.as_ref()?.text();
    // a phrase's words rank too (the filter requires the phrase itself)
    words.extend(phrases);
    let words = crate::query::search::Words::new(&words)?;
    let keep = |i: &Issue| query.matches(i, scope.config, scope.lookup);
    let (hits, matched) =
        crate::query::search::rank(issues, &words, &keep, query.limit, text_total);
    Some(SearchResult {
        hits: hits
            .into_iter()
            .map(|h| SearchHit {
                record: Record::of(
                    h.issue,
                    &h.issue.id.as_str()[..(scope.short_len)(&h.issue.id)],
                    false,
                ),
                score: h.score,
                snippet: h.snippet,
                title_highlights: h.title_highlights,
            })
            .collect(),
        matched,
        problems: scope.problems.to_vec(),
        broken_files: scope.broken_files,
    })
}

fn records_of<'a>(
    shown: impl Iterator<Item = &'a Issue>,
    scope: &Scope,
    query: &ListQuery,
    matched: Option<usize>,
) -> ListResult<'a> {
    ListResult {
        matched,
        records: shown
            .map(|i| Record::of(i, &i.id.as_str()[..(scope.short_len)(&i.id)], query.details))
            .collect(),
        problems: scope.problems.to_vec(),
        broken_files: scope.broken_files,
    }
}

/// What an issue sorts by: a timestamp (negated for newest first), the
/// priority, the creation time, then the id, which makes the order total.
pub type SortKeyOf<'a> = (i128, u8, i128, &'a str);

/// The key `key` sorts `i` by, ascending.
pub fn key_of(key: SortKey, i: &Issue) -> SortKeyOf<'_> {
    let created = i.created.as_nanosecond();
    let id = i.id.as_str();
    match key {
        SortKey::Priority => (0, i.priority, created, id),
        SortKey::Created => (-created, i.priority, 0, id),
        SortKey::Updated => (-i.updated.as_nanosecond(), i.priority, created, id),
        SortKey::Id => (0, 0, 0, id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issues with colliding priorities and times, so that every tie-break
    /// is exercised.
    fn issues() -> Vec<Issue> {
        let config = Config::default();
        (0..60u32)
            .map(|n| {
                let id = format!("{:0>10}", n * 7 % 61);
                let text = format!(
                    "id: {id}\ntitle: Issue {n}\nstatus: {}\npriority: {}\ncreated: 2026-01-0{}T00:00:00Z\nupdated: 2026-02-0{}T00:00:00Z\n",
                    if n % 5 == 0 { "closed" } else { "open" },
                    n % 3,
                    1 + n % 4,
                    1 + n % 2,
                );
                let id = IssueId::parse_canonical(&id).expect("id");
                Issue::parse(text.as_bytes(), std::path::Path::new("x"), Some(&id), &config)
                    .expect("valid")
            })
            .collect()
    }

    /// The order as documented, compared field by field.
    fn reference(key: SortKey, a: &Issue, b: &Issue) -> std::cmp::Ordering {
        let default = || {
            a.priority
                .cmp(&b.priority)
                .then(a.created.cmp(&b.created))
                .then_with(|| a.id.cmp(&b.id))
        };
        match key {
            SortKey::Priority => default(),
            SortKey::Created => b
                .created
                .cmp(&a.created)
                .then(a.priority.cmp(&b.priority))
                .then_with(|| a.id.cmp(&b.id)),
            SortKey::Updated => b.updated.cmp(&a.updated).then_with(default),
            SortKey::Id => a.id.cmp(&b.id),
        }
    }

    #[test]
    fn orders_and_limits_agree_with_a_full_sort() {
        let issues = issues();
        let config = Config::default();
        for sort in [
            SortKey::Priority,
            SortKey::Created,
            SortKey::Updated,
            SortKey::Id,
        ] {
            for reverse in [false, true] {
                let mut expected: Vec<&Issue> = issues.iter().collect();
                expected.sort_by(|a, b| reference(sort, a, b));
                if reverse {
                    expected.reverse();
                }
                let expected: Vec<&str> = expected.iter().map(|i| i.id.as_str()).collect();
                for limit in [
                    None,
                    Some(0),
                    Some(1),
                    Some(7),
                    Some(59),
                    Some(60),
                    Some(99),
                ] {
                    let query = ListQuery {
                        statuses: Vec::new(),
                        labels: Vec::new(),
                        assignee: None,
                        priorities: Vec::new(),
                        kinds: Vec::new(),
                        all: true,
                        sort,
                        reverse,
                        limit,
                        details: false,
                        filter: None,
                        count: false,
                    };
                    let scope = Scope {
                        short_len: &|id| id.as_str().len(),
                        problems: &[],
                        broken_files: 0,
                        config: &config,
                        lookup: &|_| None,
                    };
                    let got = run_list(&issues, &scope, &query);
                    let got: Vec<&str> = got.records.iter().map(|r| &*r.id).collect();
                    let want = &expected[..limit.unwrap_or(60).min(60)];
                    assert_eq!(got, want, "{sort:?} reverse={reverse} limit={limit:?}");
                }
            }
        }
    }
}
