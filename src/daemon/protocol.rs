//! The socket protocol: JSON lines, one request and one response each.
//!
//! On connecting, the daemon sends a [`Hello`] line; a client that finds an
//! incompatible protocol or version, or another worktree, does not use it.
//! Then each line the client sends is a [`Request`] and gets one
//! [`Response`] line. A line that is not a request gets `Error` and the
//! connection goes on; lines longer than [`MAX_LINE`] end the connection.

use serde::{Deserialize, Serialize};

use crate::query::{ListQuery, ListResult, SearchResult};

/// Bumped on any change a client of the previous version would misread.
pub const PROTOCOL_VERSION: u32 = 2;
/// The longest request line a daemon reads.
pub const MAX_LINE: u64 = 1 << 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub version: String,
    pub pid: u32,
    pub worktree: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Answer a `list`, after seeing every change made before the request.
    List {
        query: ListQuery,
    },
    /// Answer a `search` (the query's words ranked), after the same
    /// synchronization.
    Search {
        query: ListQuery,
    },
    /// The short ids of these issues, after the same synchronization.
    ShortIds {
        ids: Vec<String>,
    },
    /// What each input (a complete id or a prefix) names: the full id, or
    /// none when it names no issue or several.
    Resolve {
        inputs: Vec<String>,
    },
    Status,
    Stop,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response<'a> {
    List(#[serde(borrow)] ListResult<'a>),
    Search(#[serde(borrow)] SearchResult<'a>),
    ShortIds(Vec<String>),
    Resolved(Vec<Option<String>>),
    Status(StatusInfo),
    Stopping,
    Error { message: String },
}

/// What `yit daemon status` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusInfo {
    pub pid: u32,
    pub version: String,
    pub worktree: String,
    pub started: i64,
    pub issues: usize,
    /// Seconds since the epoch of the last file event, if any.
    pub last_event: Option<i64>,
    pub resident_bytes: u64,
    pub open_fds: usize,
}

impl Response<'_> {
    /// The same response, owning its text.
    pub fn into_owned(self) -> Response<'static> {
        match self {
            Response::List(result) => Response::List(ListResult {
                records: result.records.into_iter().map(|r| r.into_owned()).collect(),
                problems: result.problems,
                broken_files: result.broken_files,
                matched: result.matched,
            }),
            Response::Search(result) => Response::Search(SearchResult {
                hits: result
                    .hits
                    .into_iter()
                    .map(|h| crate::query::SearchHit {
                        record: h.record.into_owned(),
                        score: h.score,
                        snippet: h.snippet,
                        title_highlights: h.title_highlights,
                    })
                    .collect(),
                matched: result.matched,
                problems: result.problems,
                broken_files: result.broken_files,
            }),
            Response::ShortIds(ids) => Response::ShortIds(ids),
            Response::Resolved(ids) => Response::Resolved(ids),
            Response::Status(info) => Response::Status(info),
            Response::Stopping => Response::Stopping,
            Response::Error { message } => Response::Error { message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every term of the query language reaches the daemon as it was
    /// parsed: a request that does not read back would be answered from
    /// the files instead, silently slower.
    #[test]
    fn every_query_term_survives_the_wire() {
        let cx = crate::filter::Context {
            me: &|| Some("ann@example.com".to_owned()),
            now: "2026-03-05T00:00:00Z".parse().expect("time"),
        };
        let filter = crate::filter::Filter::parse(
            "status:open,closed label:bug -label:docs assignee:me,none priority:<=1 type:bug \
             created:>2026-01-01 created:2026-02-03 updated:<7d has:body,comments is:blocked,ready \
             parent:4k2f \"exact phrase\" word",
            &cx,
        )
        .expect("query");
        let query = ListQuery {
            statuses: vec!["open".to_owned()],
            labels: Vec::new(),
            assignee: None,
            priorities: vec![1],
            kinds: Vec::new(),
            all: false,
            sort: crate::query::SortKey::Updated,
            reverse: true,
            limit: Some(5),
            details: false,
            filter: Some(filter),
            count: true,
        };
        for request in [
            Request::List {
                query: query.clone(),
            },
            Request::Search { query },
        ] {
            let line = serde_json::to_string(&request).expect("encode");
            let back: Request = serde_json::from_str(&line).expect("the daemon reads it");
            assert_eq!(back, request);
        }
    }
}
