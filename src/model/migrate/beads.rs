//! beads' JSONL (`.beads/issues.jsonl`, and what `bd export` writes): one
//! JSON object per line, as `internal/types/types.go` declares them from
//! v0.9 through v0.50 (the JSONL era) and as `bd export` still writes them.
//!
//! Mapped: `title`, `description` (the body), `status`, `priority`,
//! `issue_type`, `labels`, `assignee`, `created_by`, `created_at`,
//! `updated_at`, `comments` and `dependencies` (`blocks`: yit's
//! `depends_on`; `parent-child`: its `parent`; the other types are kept
//! under `beads_dependencies`). Every other key (`design`,
//! `acceptance_criteria`, `notes`, `closed_at`, `external_ref`, …) is kept
//! under its own name.

use std::path::Path;

use serde_json::Value;

use super::{Field, FromYit, Item, Keys, Object, Role, ToYit, text};
use crate::model::id::IssueId;
use crate::model::issue::{self, Issue};
use crate::model::problem::{Pos, Problem};

/// Where an import finds the issues from the repository's root.
pub const DEFAULT_PATH: &str = ".beads/issues.jsonl";

/// The key of an exported comment that keeps a yit comment's own id (bd
/// reads the number in `id` and passes over it).
pub const YIT_ID: &str = "yit_id";

/// The number a comment made in yit has in beads: from its id, positive,
/// within JSON's exact integers.
fn comment_number(id: &str) -> i64 {
    let n = xxhash_rust::xxh3::xxh3_64(id.as_bytes()) & ((1 << 53) - 1);
    n.max(1) as i64
}

/// The key yit keeps the dependencies of types it has no link for under.
pub const OTHER_LINKS: &str = "beads_dependencies";

/// The statuses beads has without `status.custom`.
pub const STATUS_WORDS: &[&str] = &[
    "open",
    "in_progress",
    "blocked",
    "deferred",
    "closed",
    "tombstone",
];

/// The issue types beads has.
pub const TYPES: &[&str] = &["bug", "feature", "task", "epic", "chore"];

const STATUSES: &[(&str, Role)] = &[
    ("open", Role::Initial),
    ("in_progress", Role::Active),
    ("closed", Role::Closed),
];

/// The items of a JSONL text read from `path`: every malformed line is a
/// problem with its line and column.
pub fn parse(text: &str, path: &Path) -> Result<Vec<Item>, Vec<Problem>> {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        let line_no = n as u64 + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let at = |column: u64, message: String| {
            Problem::at(
                path,
                Pos {
                    line: line_no,
                    column,
                },
                message,
            )
        };
        let object = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                problems.push(at(1, "a line of beads JSONL is one JSON object".into()));
                continue;
            }
            Err(e) => {
                problems.push(at(e.column() as u64, format!("not a JSON object: {e}")));
                continue;
            }
        };
        let Some(id) = object
            .get("id")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|id| !id.is_empty())
        else {
            problems.push(at(1, "an issue needs an `id`".into()));
            continue;
        };
        items.push(Item {
            id: id.to_owned(),
            path: path.to_owned(),
            line: Some(line_no),
            file: None,
            object,
            aliases: Vec::new(),
        });
    }
    if problems.is_empty() {
        Ok(items)
    } else {
        Err(problems)
    }
}

pub fn field_of(key: &str) -> Field {
    match key {
        "id" => Field::Id,
        "title" => Field::Title,
        "description" => Field::Body,
        "status" => Field::Status,
        "priority" => Field::Priority,
        "issue_type" => Field::Kind,
        "labels" => Field::Labels,
        "assignee" => Field::Assignee,
        "created_by" => Field::Author,
        "created_at" => Field::Created,
        "updated_at" => Field::Updated,
        "comments" => Field::Comments,
        "dependencies" => Field::Links,
        _ => Field::Own,
    }
}

const KEYS: Keys = Keys {
    body: "description",
    no_status: "open",
    statuses: STATUSES,
    priorities: &[],
    kind: Some("issue_type"),
    assignee: "assignee",
    author: "created_by",
    created: "created_at",
    updated: "updated_at",
};

pub fn to_issue(item: &Item, cx: &mut ToYit) -> Issue {
    let o = &item.object;
    let mut issue = super::common(item, cx, &KEYS);
    issue.comments = comments(o.get("comments"), cx);
    let mut others = Vec::new();
    for dep in o
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let target = dep.get("depends_on_id").and_then(Value::as_str);
        let kind = dep.get("type").and_then(Value::as_str).unwrap_or("blocks");
        let Some(target) = target else {
            cx.problem("a dependency has no depends_on_id");
            continue;
        };
        if let Some(own) = dep.get("issue_id").and_then(Value::as_str)
            && own != item.id
        {
            cx.problem(format!("a dependency of {own} is listed under it"));
        }
        match kind {
            "blocks" => {
                if let Some(id) = cx.link(target, "depends on")
                    && !issue.depends_on.contains(&id)
                {
                    issue.depends_on.push(id);
                }
            }
            "parent-child" => {
                let parent = cx.link(target, "parent");
                if issue.parent.is_some() && parent.is_some() && parent != issue.parent {
                    cx.problem("has two parents");
                }
                issue.parent = parent.or(issue.parent.take());
            }
            _ => others.push(dep.clone()),
        }
    }
    if !others.is_empty() {
        issue
            .extra
            .insert(OTHER_LINKS.to_owned(), Value::Array(others));
    }
    issue
}

fn comments(value: Option<&Value>, cx: &mut ToYit) -> Vec<issue::Comment> {
    let mut out = Vec::new();
    for (n, c) in value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        // a comment made in yit and exported carries its own id along
        let id = match (c.get(YIT_ID).and_then(Value::as_str), c.get("id")) {
            (Some(own), _) if !own.trim().is_empty() => own.to_owned(),
            (_, Some(Value::Number(n))) => n.to_string(),
            (_, Some(Value::String(s))) if !s.trim().is_empty() => s.clone(),
            _ => format!("c{}", n + 1),
        };
        let created = cx.time(
            c.get("created_at").and_then(Value::as_str),
            "comment created_at",
        );
        if c.get("created_at").is_none() {
            cx.problem(format!("comment {id} has no created_at"));
        }
        let author = c
            .get("author")
            .and_then(Value::as_str)
            .and_then(|a| cx.person(a));
        let body = cx.rewrite(&text(c.get("text")));
        out.push(super::comment(
            id,
            author,
            created.unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            &body,
        ));
    }
    out
}

/// The status as beads writes it: the configured name when it is one of
/// beads' own, else the word for its role.
pub(super) fn status_word(issue: &Issue, cx: &FromYit) -> String {
    let config = cx.config;
    if STATUS_WORDS.contains(&issue.status.as_str()) {
        return issue.status.clone();
    }
    if issue.status == config.initial_status() {
        "open".into()
    } else if issue.status == config.active_status() {
        "in_progress".into()
    } else if config.is_closed(&issue.status) {
        "closed".into()
    } else {
        issue.status.clone()
    }
}

pub fn object_of(issue: &Issue, cx: &FromYit) -> Object {
    let mut o = Object::new();
    let id = cx.id(&issue.id);
    o.insert("id".into(), id.clone().into());
    o.insert("title".into(), issue.title.clone().into());
    o.insert("description".into(), cx.unwrite(&issue.body).into());
    o.insert("status".into(), status_word(issue, cx).into());
    o.insert("priority".into(), issue.priority.into());
    o.insert("issue_type".into(), issue.kind.clone().into());
    if let Some(a) = &issue.assignee {
        o.insert("assignee".into(), cx.person(a).into());
    }
    super::put_author_and_times(&mut o, issue, cx, &KEYS);
    for (key, value) in super::own_values(issue, cx.tool) {
        if key != OTHER_LINKS {
            o.insert(key, value);
        }
    }
    if !issue.labels.is_empty() {
        o.insert("labels".into(), issue.labels.clone().into());
    }
    let dep = |target: &IssueId, kind: &str| serde_json::json!({ "issue_id": id, "depends_on_id": cx.id(target), "type": kind });
    let mut deps: Vec<Value> = issue.depends_on.iter().map(|d| dep(d, "blocks")).collect();
    if let Some(p) = &issue.parent {
        deps.push(dep(p, "parent-child"));
    }
    if let Some(Value::Array(others)) = issue.extra.get(OTHER_LINKS) {
        deps.extend(others.iter().cloned());
    }
    if !deps.is_empty() {
        o.insert("dependencies".into(), Value::Array(deps));
    }
    if !issue.comments.is_empty() {
        let comments: Vec<Value> = issue
            .comments
            .iter()
            .map(|c| {
                // bd reads comment ids as numbers: one made in yit gets a
                // number from its id, and keeps its id beside it
                let (cid, own) = match c.id.parse::<i64>() {
                    Ok(n) => (n, None),
                    Err(_) => (comment_number(&c.id), Some(c.id.clone())),
                };
                let mut v = serde_json::json!({
                    "id": cid,
                    "issue_id": id,
                    "author": c.author.as_deref().map(|a| cx.person(a)).unwrap_or_default(),
                    "text": cx.unwrite(&c.body),
                    "created_at": issue::format_time(c.created),
                });
                if let Some(m) = v.as_object_mut() {
                    if c.author.is_none() {
                        m.shift_remove("author");
                    }
                    if let Some(own) = own {
                        m.insert(YIT_ID.into(), own.into());
                    }
                }
                v
            })
            .collect();
        o.insert("comments".into(), Value::Array(comments));
    }
    o
}
