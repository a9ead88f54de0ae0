//! The socket protocol: JSON lines, one request and one response each.
//!
//! On connecting, the daemon sends a [`Hello`] line; a client that finds an
//! incompatible protocol or version, or another worktree, does not use it.
//! Then each line the client sends is a [`Request`] and gets one
//! [`Response`], preceded by a line with its length in bytes, so that a
//! large answer is read into a buffer of its size. A response is one JSON
//! line, except a `list`'s: a head line (`{"list":{"records":N,...}}`),
//! then a line per record, which a client reads on every core ([`encode`],
//! [`parse`]). A line that is not a request gets `Error` and the connection
//! goes on; lines longer than [`MAX_LINE`] end the connection.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::problem::Problem;
use crate::model::record::Record;
use crate::query::{ListQuery, ListResult, SearchResult};

/// Bumped on any change a client of the previous version would misread.
pub const PROTOCOL_VERSION: u32 = 6;
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
    /// The issues around one (`show`): its parent, what it waits for, what
    /// waits for it and its children, after the same synchronization.
    Related {
        id: String,
    },
    Status,
    Stop,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response<'a> {
    /// Framed apart: a head line and a line per record ([`encode`]).
    #[serde(skip)]
    List(ListResult<'a>),
    Search(#[serde(borrow)] SearchResult<'a>),
    ShortIds(Vec<String>),
    Resolved(Vec<Option<String>>),
    /// The issue's short id, and the issues around it.
    Related(Box<(String, crate::model::deps::Related)>),
    Status(StatusInfo),
    Stopping,
    Error {
        message: String,
    },
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

/// The head line of a `list` answer, which `records` lines follow.
#[derive(Serialize, Deserialize)]
struct ListHead<'p> {
    records: usize,
    #[serde(borrow)]
    problems: std::borrow::Cow<'p, [Problem]>,
    broken_files: usize,
    matched: Option<usize>,
}

#[derive(Serialize, Deserialize)]
struct Head<'p> {
    #[serde(borrow)]
    list: ListHead<'p>,
}

/// The head line of a `list` answer of `records` records (which follow it,
/// a line each, as [`record_line`] writes them).
pub fn list_head(
    records: usize,
    problems: &[Problem],
    broken_files: usize,
    matched: Option<usize>,
) -> Vec<u8> {
    let head = Head {
        list: ListHead {
            records,
            problems: problems.into(),
            broken_files,
            matched,
        },
    };
    let mut line = serde_json::to_vec(&head).unwrap_or_default();
    line.push(b'\n');
    line
}

/// Appends `record`'s line of a `list` answer.
fn record_line(record: &Record<'_>, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, &crate::model::record::Compact(record));
    out.push(b'\n');
}

/// One response, in the pieces it was encoded in (a long `list` is never
/// joined into one buffer).
pub(crate) struct Answer(pub(crate) Vec<Vec<u8>>);

impl Answer {
    pub(crate) fn of(response: &Response) -> Answer {
        Answer(encode(response))
    }

    /// Writes the response's length in bytes on a line of its own, then
    /// the response (the protocol's framing).
    pub(crate) fn write_to(&self, mut writer: impl std::io::Write) -> std::io::Result<()> {
        let len: usize = self.0.iter().map(Vec::len).sum();
        writer.write_all(format!("{len}\n").as_bytes())?;
        for piece in &self.0 {
            writer.write_all(piece)?;
        }
        Ok(())
    }
}

/// `response` as the lines the daemon sends, in pieces to write one after
/// another.
pub fn encode(response: &Response) -> Vec<Vec<u8>> {
    let Response::List(result) = response else {
        let mut line = serde_json::to_vec(response).unwrap_or_default();
        line.push(b'\n');
        return vec![line];
    };
    let mut lines = Vec::with_capacity(result.records.len() * 128);
    for record in &result.records {
        record_line(record, &mut lines);
    }
    let head = list_head(
        result.records.len(),
        &result.problems,
        result.broken_files,
        result.matched,
    );
    vec![head, lines]
}

/// Why an answer of the daemon could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("the daemon closed the connection")]
    Closed,
    #[error("not a response length: {0:?}")]
    Length(String),
    #[error("more than one line")]
    Lines,
    #[error("{announced} records were announced, {came} lines came")]
    Count { announced: usize, came: usize },
    #[error("malformed JSON")]
    Json(#[from] serde_json::Error),
    #[error("the connection failed")]
    Io(#[source] std::io::Error),
}

/// Reads a response as [`encode`] wrote it, in place: text without escapes
/// is borrowed from `answer`. The records of a `list` are read on every
/// core.
pub fn parse(answer: &[u8]) -> Result<Response<'_>, ProtocolError> {
    let (first, rest) = match memchr::memchr(b'\n', answer) {
        Some(end) => (&answer[..end], &answer[end + 1..]),
        None => (answer, &answer[answer.len()..]),
    };
    if !first.starts_with(b"{\"list\":") {
        if !rest.is_empty() {
            return Err(ProtocolError::Lines);
        }
        return Ok(serde_json::from_slice(first)?);
    }
    let Head { list } = serde_json::from_slice(first)?;
    let mut lines = Vec::with_capacity(list.records.min(MAX_RESERVED));
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', rest) {
        lines.push(&rest[start..end]);
        start = end + 1;
    }
    if start != rest.len() || lines.len() != list.records {
        return Err(ProtocolError::Count {
            announced: list.records,
            came: lines.len(),
        });
    }
    // into their places on both cores (a failed line leaves an empty
    // record, and the answer is refused)
    let failed = std::sync::OnceLock::new();
    let mut records = Vec::with_capacity(lines.len());
    lines
        .par_iter()
        .map(|line| {
            serde_json::from_slice::<Record>(line).unwrap_or_else(|e| {
                let _ = failed.set(e);
                Record::default()
            })
        })
        .collect_into_vec(&mut records);
    if let Some(error) = failed.into_inner() {
        return Err(error.into());
    }
    Ok(Response::List(ListResult {
        records,
        problems: list.problems.into_owned(),
        broken_files: list.broken_files,
        matched: list.matched,
    }))
}

/// The most records room is made for before they are counted.
const MAX_RESERVED: usize = 1 << 20;

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
            Response::Related(related) => Response::Related(related),
            Response::Status(info) => Response::Status(info),
            Response::Stopping => Response::Stopping,
            Response::Error { message } => Response::Error { message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<Record<'static>> {
        let path = std::path::Path::new("fixtures/issues/valid-hand-written.yaml");
        let bytes = include_bytes!("../../fixtures/issues/valid-hand-written.yaml");
        let config = crate::model::config::Config::default();
        let mut issue =
            crate::model::issue::Issue::parse(bytes, path, None, &config).expect("valid");
        let mut records = Vec::new();
        for (n, title) in ["plain", "a \"quote\", a\nnewline and ü", ""]
            .iter()
            .enumerate()
        {
            issue.title = (*title).to_owned();
            issue.assignee = (n == 1).then(|| "Bob <bob@example.com>".to_owned());
            records.push(Record::of(&issue, &issue.id.as_str()[..4], n == 2).into_owned());
        }
        records
    }

    /// A `list` answer (its head, a line per record, with and without
    /// details, escapes included) reads back as it was.
    #[test]
    fn a_list_answer_reads_back_as_it_was() {
        for records in [records(), Vec::new()] {
            let sent = Response::List(ListResult {
                records,
                problems: Vec::new(),
                broken_files: 2,
                matched: Some(7),
            });
            let answer = encode(&sent).concat();
            assert_eq!(
                answer.iter().filter(|&&b| b == b'\n').count(),
                1 + match &sent {
                    Response::List(result) => result.records.len(),
                    _ => unreachable!(),
                }
            );
            assert_eq!(parse(&answer).expect("reads back"), sent);
        }
        let other = Response::ShortIds(vec!["4k2f".to_owned()]);
        assert_eq!(parse(&encode(&other).concat()).expect("reads back"), other);
    }

    /// A damaged `list` answer is refused, never read as fewer records.
    #[test]
    fn a_damaged_list_answer_is_refused() {
        let sent = Response::List(ListResult {
            records: records(),
            problems: Vec::new(),
            broken_files: 0,
            matched: None,
        });
        let answer = encode(&sent).concat();
        let lines: Vec<&[u8]> = answer.split_inclusive(|&b| b == b'\n').collect();
        let without_last = &answer[..answer.len() - lines[lines.len() - 1].len()];
        let mut garbled = answer.clone();
        let at = lines[0].len() + 1;
        garbled[at] = b'x';
        let mut extra = answer.clone();
        extra.extend_from_slice(b"[]\n");
        for bad in [without_last, &answer[..answer.len() - 1], &garbled, &extra] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    /// Every term of the query language reaches the daemon as it was
    /// parsed: a request that does not read back would be answered from
    /// the files instead, silently slower.
    #[test]
    fn every_query_term_survives_the_wire() {
        let config = crate::model::config::Config::default();
        let cx = crate::query::filter::Context {
            me: &|| Some("ann@example.com".to_owned()),
            now: "2026-03-05T00:00:00Z".parse().expect("time"),
            config: &config,
            claims: &|| vec![("4k2f0c3v5b".to_owned(), "Ann <ann@example.com>".to_owned())],
        };
        let filter = crate::query::filter::Filter::parse(
            "status:open,closed label:bug -label:docs assignee:me,none priority:<=1 type:bug \
             created:>2026-01-01 created:2026-02-03 updated:<7d has:body,comments is:blocked,ready \
             parent:4k2f claimed:me \"exact phrase\" word",
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
