//! Reading an issue file: the YAML as serde-saphyr hands it over, every
//! field with its position, then each field checked against the config.

use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use jiff::Timestamp;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

use super::{Broken, Comment, Issue, check_label, check_person, check_title};
use crate::model::config::{Config, LOWEST_PRIORITY};
use crate::model::id::IssueId;
use crate::model::problem::{Pos, Problem};

/// The file as serde-saphyr hands it over: every field with its position.
#[derive(Default)]
pub(super) struct RawIssue {
    id: Option<Spanned<Option<String>>>,
    title: Option<Spanned<Option<String>>>,
    status: Option<Spanned<Option<String>>>,
    priority: Option<Spanned<Option<String>>>,
    kind: Option<Spanned<Option<String>>>,
    labels: Option<Spanned<Option<Vec<Spanned<String>>>>>,
    assignee: Option<Spanned<Option<String>>>,
    author: Option<Spanned<Option<String>>>,
    created: Option<Spanned<Option<String>>>,
    updated: Option<Spanned<Option<String>>>,
    body: Option<Spanned<Option<String>>>,
    comments: Option<Spanned<Option<Vec<Spanned<RawComment>>>>>,
    parent: Option<Spanned<Option<String>>>,
    depends_on: Option<Spanned<Option<Vec<Spanned<String>>>>>,
    github: Option<Spanned<serde_json::Value>>,
    conflicts: Option<Spanned<serde_json::Value>>,
    extra: IndexMap<String, serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct RawComment {
    id: Option<Spanned<String>>,
    author: Option<Spanned<Option<String>>>,
    created: Option<Spanned<String>>,
    body: Option<Spanned<Option<String>>>,
}

impl<'de> Deserialize<'de> for RawIssue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RawIssue, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = RawIssue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping of issue fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawIssue, A::Error> {
                let mut raw = RawIssue::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "id" => raw.id = Some(map.next_value()?),
                        "title" => raw.title = Some(map.next_value()?),
                        "status" => raw.status = Some(map.next_value()?),
                        "priority" => raw.priority = Some(map.next_value()?),
                        "type" => raw.kind = Some(map.next_value()?),
                        "labels" => raw.labels = Some(map.next_value()?),
                        "assignee" => raw.assignee = Some(map.next_value()?),
                        "author" => raw.author = Some(map.next_value()?),
                        "created" => raw.created = Some(map.next_value()?),
                        "updated" => raw.updated = Some(map.next_value()?),
                        "body" => raw.body = Some(map.next_value()?),
                        "comments" => raw.comments = Some(map.next_value()?),
                        "parent" => raw.parent = Some(map.next_value()?),
                        "depends_on" => raw.depends_on = Some(map.next_value()?),
                        "github" => raw.github = Some(map.next_value()?),
                        "conflicts" => raw.conflicts = Some(map.next_value()?),
                        _ => {
                            let value = map.next_value()?;
                            raw.extra.insert(key, value);
                        }
                    }
                }
                Ok(raw)
            }
        }
        deserializer.deserialize_map(RawVisitor)
    }
}

fn at<T>(s: &Spanned<T>) -> Pos {
    Pos::of_location(&s.referenced)
}

fn parse_time(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>()
        .map_err(|_| format!("{text:?} is not an RFC 3339 timestamp (e.g. 2026-01-31T09:30:00Z)"))
}

/// A text field as read: absent, null/empty, or text at a position.
enum Field {
    Absent,
    Null(Pos),
    Text(String, Pos),
}

impl Field {
    fn of(field: Option<Spanned<Option<String>>>) -> Field {
        match field {
            None => Field::Absent,
            Some(Spanned {
                value: None,
                referenced,
                ..
            }) => Field::Null(Pos::of_location(&referenced)),
            Some(Spanned {
                value: Some(text),
                referenced,
                ..
            }) => Field::Text(text, Pos::of_location(&referenced)),
        }
    }
}

/// Collects the problems of one file while its fields are checked.
struct Checker<'a> {
    path: &'a Path,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn bad(&mut self, pos: Pos, message: String) {
        self.problems.push(Problem::at(self.path, pos, message));
    }

    /// A field that must be present and not null.
    fn required(
        &mut self,
        field: Option<Spanned<Option<String>>>,
        name: &str,
    ) -> Option<(String, Pos)> {
        match Field::of(field) {
            Field::Text(text, pos) => Some((text, pos)),
            // a missing field is reported at the start of the file
            Field::Absent => {
                self.bad(Pos::START, format!("missing field {name}"));
                None
            }
            Field::Null(pos) => {
                self.bad(pos, format!("{name} is empty"));
                None
            }
        }
    }

    /// An optional field checked by `check`; a failed check is reported
    /// and yields `None`.
    fn optional<T>(
        &mut self,
        field: Option<Spanned<Option<String>>>,
        name: &str,
        check: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match Field::of(field) {
            Field::Text(text, pos) => check(&text)
                .map_err(|why| self.bad(pos, format!("{name}: {why}")))
                .ok(),
            Field::Absent | Field::Null(_) => None,
        }
    }

    fn person(&mut self, field: Option<Spanned<Option<String>>>, name: &str) -> Option<String> {
        self.optional(field, name, |p| {
            check_person(p)
                .map(|()| p.to_owned())
                .map_err(|e| e.to_string())
        })
    }

    fn time(&mut self, field: Option<Spanned<Option<String>>>, name: &str) -> Option<Timestamp> {
        match Field::of(field) {
            Field::Text(text, pos) => parse_time(&text)
                .map_err(|why| self.bad(pos, format!("{name}: {why}")))
                .ok(),
            Field::Null(pos) => {
                self.bad(pos, format!("{name} is empty"));
                None
            }
            Field::Absent => None,
        }
    }

    fn issue_id(&mut self, text: &str, pos: Pos, what: &str) -> Option<IssueId> {
        let id = IssueId::parse_canonical(text);
        if id.is_none() {
            self.bad(pos, format!("{what}{text:?} is not an issue id (4 to 32 characters of lowercase Crockford base32)"));
        }
        id
    }
}

impl RawIssue {
    pub(super) fn validate(
        self,
        path: &Path,
        file_id: Option<&IssueId>,
        config: &Config,
    ) -> Result<Issue, Broken> {
        let mut c = Checker {
            path,
            problems: Vec::new(),
        };
        let mut claimed_id = None;

        let id = c.required(self.id, "id").and_then(|(text, pos)| {
            let id = c.issue_id(&text, pos, "id ")?;
            if let Some(file_id) = file_id.filter(|f| **f != id) {
                claimed_id = Some((id.clone(), pos));
                c.bad(
                    pos,
                    format!(
                        "id {text:?} does not match the file name ({})",
                        file_id.file_name()
                    ),
                );
            }
            Some(id)
        });

        let title = c
            .required(self.title, "title")
            .map_or_else(String::new, |(title, pos)| {
                if let Err(why) = check_title(&title) {
                    c.bad(pos, why.to_string());
                }
                title
            });

        let status = c
            .required(self.status, "status")
            .map_or_else(String::new, |(status, pos)| {
                if let Err(why) = config.check_status(&status) {
                    c.bad(pos, why.to_string());
                }
                status
            });

        let priority = match Field::of(self.priority) {
            Field::Text(p, pos) => match p.trim().parse::<u8>() {
                Ok(n) if n <= LOWEST_PRIORITY => n,
                _ => {
                    c.bad(pos, format!("priority must be an integer from 0 (highest) to {LOWEST_PRIORITY}, found {p:?}"));
                    config.default_priority
                }
            },
            Field::Absent | Field::Null(_) => config.default_priority,
        };

        let kind = match Field::of(self.kind) {
            Field::Text(kind, pos) => {
                if let Err(why) = config.check_type(&kind) {
                    c.bad(pos, why.to_string());
                }
                kind
            }
            Field::Absent | Field::Null(_) => config.default_type.clone(),
        };

        let mut labels: Vec<String> = Vec::new();
        for label in self.labels.and_then(|l| l.value).unwrap_or_default() {
            let pos = at(&label);
            if let Err(why) = check_label(&label.value) {
                c.bad(pos, why.to_string());
            } else if labels.contains(&label.value) {
                c.bad(pos, format!("label {:?} is listed twice", label.value));
            } else if let Err(why) = config.check_issue_label(&label.value) {
                c.bad(pos, why.to_string());
            }
            labels.push(label.value);
        }

        let assignee = c.person(self.assignee, "assignee");
        let author = c.person(self.author, "author");
        let created = if self.created.is_none() {
            c.bad(Pos::START, "missing field created".to_owned());
            None
        } else {
            c.time(self.created, "created")
        };
        let updated = c.time(self.updated, "updated");
        let body = self.body.and_then(|b| b.value).unwrap_or_default();

        let mut comments = Vec::new();
        for comment in self.comments.and_then(|c| c.value).unwrap_or_default() {
            let pos = at(&comment);
            let raw = comment.value;
            let id = match raw.id {
                Some(id) if !id.value.trim().is_empty() => Some(id.value),
                Some(id) => {
                    c.bad(at(&id), "comment id is empty".to_owned());
                    None
                }
                None => {
                    c.bad(pos, "comment has no id".to_owned());
                    None
                }
            };
            let author = c.person(raw.author, "comment author");
            let created = match raw.created {
                Some(t) => parse_time(&t.value)
                    .map_err(|why| c.bad(at(&t), format!("comment created: {why}")))
                    .ok(),
                None => {
                    c.bad(pos, "comment has no created time".to_owned());
                    None
                }
            };
            let body = raw.body.and_then(|b| b.value).unwrap_or_default();
            if let (Some(id), Some(created)) = (id, created) {
                comments.push(Comment {
                    id,
                    author,
                    created,
                    body,
                });
            }
        }

        let parent = match Field::of(self.parent) {
            Field::Text(text, pos) => c.issue_id(&text, pos, "parent: "),
            Field::Absent | Field::Null(_) => None,
        };
        let depends_on = self
            .depends_on
            .and_then(|d| d.value)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|dep| c.issue_id(&dep.value, at(&dep), "depends_on: "))
            .collect();

        let github = match self.github {
            Some(g) if g.value.is_object() => Some(g.value),
            Some(g) if !g.value.is_null() => {
                c.bad(
                    at(&g),
                    "github must be a mapping (number, url, ...)".to_owned(),
                );
                None
            }
            _ => None,
        };

        let conflicts = match self.conflicts.map(|s| (at(&s), s.value)) {
            Some((_, serde_json::Value::Array(items)))
                if items
                    .iter()
                    .all(|i| i.get("field").is_some_and(|f| f.is_string())) =>
            {
                items
            }
            Some((pos, value)) if !value.is_null() => {
                c.bad(
                    pos,
                    "conflicts must be a list of mappings with a `field` key".to_owned(),
                );
                Vec::new()
            }
            _ => Vec::new(),
        };

        match (id, created) {
            (Some(id), Some(created)) if c.problems.is_empty() => Ok(Issue {
                id,
                title,
                status,
                priority,
                kind,
                labels,
                assignee,
                author,
                created,
                updated: updated.unwrap_or(created),
                body,
                comments,
                parent,
                depends_on,
                github,
                conflicts,
                extra: self.extra,
            }),
            _ => Err(Broken {
                problems: c.problems,
                claimed_id,
            }),
        }
    }
}
