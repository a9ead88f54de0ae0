//! The three-way merge of one issue, field by field: what `yit merge-file`
//! (the git merge driver) computes. Pure: no files, no git.
//!
//! Rules (docs/format.md, "Merges"):
//! - a field changed on one side only takes that side's value;
//! - `updated` takes the later value;
//! - labels and `depends_on` merge as sets (an addition on either side is
//!   kept, a removal on either side is applied);
//! - comments merge as the union by their ids, in time order; a comment
//!   removed on one side and untouched on the other is removed;
//! - keys yit does not know merge like fields, key by key;
//! - the same field changed to two different values is a conflict: the
//!   result keeps ours, and records `{field, ours, theirs, base}` in the
//!   reserved `conflicts:` list until `yit resolve` settles it.

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::issue::{Comment, Issue};

/// The merged issue and how many conflicts it records.
#[derive(Debug)]
pub struct Merged {
    pub issue: Issue,
    /// Conflicts found by this merge (conflicts recorded earlier and still
    /// unresolved are in `issue.conflicts` too).
    pub conflicts: Vec<Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("the two sides are different issues ({ours} and {theirs})")]
    DifferentIds { ours: String, theirs: String },
}

/// Merges `ours` and `theirs`, which both changed `base` (`None` when both
/// sides created the file).
pub fn merge(base: Option<&Issue>, ours: &Issue, theirs: &Issue) -> Result<Merged, MergeError> {
    if ours.id != theirs.id {
        return Err(MergeError::DifferentIds {
            ours: ours.id.to_string(),
            theirs: theirs.id.to_string(),
        });
    }
    let mut m = Merger {
        conflicts: Vec::new(),
    };
    let time = |t: jiff::Timestamp| t.to_string();
    // the three-way choice of a field (`$key` as the file names it), and
    // the merge of a set
    macro_rules! pick {
        ($field:ident, $key:literal) => {
            m.pick($key, base.map(|b| &b.$field), &ours.$field, &theirs.$field)
        };
    }
    macro_rules! union {
        ($field:ident) => {
            merge_set(
                base.map_or(&[][..], |b| &b.$field),
                &ours.$field,
                &theirs.$field,
            )
        };
    }
    let issue = Issue {
        id: ours.id.clone(),
        title: pick!(title, "title"),
        status: pick!(status, "status"),
        priority: pick!(priority, "priority"),
        kind: pick!(kind, "type"),
        labels: union!(labels),
        assignee: pick!(assignee, "assignee"),
        author: pick!(author, "author"),
        created: {
            let (b, o, t) = (
                base.map(|b| time(b.created)),
                time(ours.created),
                time(theirs.created),
            );
            let chosen = m.pick("created", b.as_ref(), &o, &t);
            if chosen == t {
                theirs.created
            } else {
                ours.created
            }
        },
        updated: ours.updated.max(theirs.updated),
        body: pick!(body, "body"),
        comments: m.comments(
            base.map(|b| &b.comments[..]),
            &ours.comments,
            &theirs.comments,
        ),
        parent: pick!(parent, "parent"),
        depends_on: union!(depends_on),
        github: pick!(github, "github"),
        conflicts: Vec::new(),
        extra: {
            let mut keys: Vec<&String> = ours.extra.keys().collect();
            keys.extend(theirs.extra.keys().filter(|k| !ours.extra.contains_key(*k)));
            let mut extra = indexmap::IndexMap::new();
            for key in keys {
                let b = base.map(|b| b.extra.get(key).cloned());
                let chosen = m.pick(
                    key,
                    b.as_ref(),
                    &ours.extra.get(key).cloned(),
                    &theirs.extra.get(key).cloned(),
                );
                if let Some(value) = chosen {
                    extra.insert(key.clone(), value);
                }
            }
            extra
        },
    };
    // earlier unresolved conflicts stay, once each, then the new ones
    let mut all: Vec<Value> = ours.conflicts.clone();
    for c in theirs.conflicts.iter().chain(&m.conflicts) {
        if !all.contains(c) {
            all.push(c.clone());
        }
    }
    Ok(Merged {
        issue: Issue {
            conflicts: all,
            ..issue
        },
        conflicts: m.conflicts,
    })
}

struct Merger {
    conflicts: Vec<Value>,
}

impl Merger {
    /// The three-way choice for one field.
    fn pick<T: PartialEq + Clone + Serialize>(
        &mut self,
        field: &str,
        base: Option<&T>,
        ours: &T,
        theirs: &T,
    ) -> T {
        self.pick_with(field, base, ours, theirs, |v| {
            serde_json::to_value(v).unwrap_or_default()
        })
    }

    /// [`Self::pick`] with the values' JSON form for the conflict record.
    fn pick_with<T: PartialEq + Clone>(
        &mut self,
        field: &str,
        base: Option<&T>,
        ours: &T,
        theirs: &T,
        to_json: impl Fn(&T) -> Value,
    ) -> T {
        if ours == theirs || base == Some(theirs) {
            return ours.clone();
        }
        if base == Some(ours) {
            return theirs.clone();
        }
        self.conflicts.push(json!({
            "field": field,
            "ours": to_json(ours),
            "theirs": to_json(theirs),
            "base": base.map_or(Value::Null, &to_json),
        }));
        ours.clone()
    }

    /// Comments: the union by id, in time order.
    fn comments(
        &mut self,
        base: Option<&[Comment]>,
        ours: &[Comment],
        theirs: &[Comment],
    ) -> Vec<Comment> {
        let find = |list: &[Comment], id: &str| list.iter().find(|c| c.id == id).cloned();
        let mut ids: Vec<&str> = ours.iter().map(|c| c.id.as_str()).collect();
        for c in theirs {
            if !ids.contains(&c.id.as_str()) {
                ids.push(&c.id);
            }
        }
        let mut merged = Vec::new();
        for id in ids {
            let b = base.and_then(|b| find(b, id));
            let (o, t) = (find(ours, id), find(theirs, id));
            // a side without the comment either never had it (an addition
            // on the other side) or removed it (when the base had it)
            let kept = self.pick_with(&format!("comments.{id}"), Some(&b), &o, &t, |c| {
                c.as_ref().map_or(Value::Null, |c| {
                    json!({
                        "id": c.id,
                        "author": c.author,
                        "created": c.created.to_string(),
                        "body": c.body,
                    })
                })
            });
            merged.extend(kept);
        }
        merged.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
        merged
    }
}

/// A set merge that keeps the order of `ours`: additions on either side
/// are kept, removals on either side applied.
fn merge_set<T: PartialEq + Clone>(base: &[T], ours: &[T], theirs: &[T]) -> Vec<T> {
    let mut out: Vec<T> = ours
        .iter()
        .filter(|x| !base.contains(x) || theirs.contains(x))
        .cloned()
        .collect();
    for x in theirs {
        if !base.contains(x) && !out.contains(x) {
            out.push(x.clone());
        }
    }
    out
}

/// How a conflict is settled by `yit resolve`.
#[derive(Clone, Debug, PartialEq)]
pub enum Take {
    Ours,
    Theirs,
    /// This field gets this value (as written in YAML).
    Value {
        field: String,
        value: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no conflict on field {0:?}")]
    NoSuchConflict(String),
    #[error("field {field:?}: {expected}")]
    BadValue { field: String, expected: String },
    #[error("field {field:?}: not YAML")]
    Yaml {
        field: String,
        #[source]
        source: Box<serde_saphyr::Error>,
    },
}

/// Settles the recorded conflicts of `issue` as `takes` say; conflicts no
/// take names stay.
pub fn resolve(issue: &Issue, takes: &[Take]) -> Result<Issue, ResolveError> {
    let mut out = issue.clone();
    let field_of = |c: &Value| c["field"].as_str().unwrap_or_default().to_owned();
    for take in takes {
        match take {
            Take::Ours => out.conflicts.clear(),
            Take::Theirs => {
                for conflict in std::mem::take(&mut out.conflicts) {
                    set_field(&mut out, &field_of(&conflict), &conflict["theirs"])?;
                }
            }
            Take::Value { field, value } => {
                let before = out.conflicts.len();
                out.conflicts.retain(|c| field_of(c) != *field);
                if out.conflicts.len() == before {
                    return Err(ResolveError::NoSuchConflict(field.clone()));
                }
                let value: Value =
                    serde_saphyr::from_str(value).map_err(|source| ResolveError::Yaml {
                        field: field.clone(),
                        source: Box::new(source),
                    })?;
                set_field(&mut out, field, &value)?;
            }
        }
    }
    Ok(out)
}

/// Sets one field of `issue` from a JSON value (a conflict's side).
fn set_field(issue: &mut Issue, field: &str, value: &Value) -> Result<(), ResolveError> {
    let bad = |expected: &str| ResolveError::BadValue {
        field: field.to_owned(),
        expected: expected.to_owned(),
    };
    let text = || {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad("expected text"))
    };
    let maybe_text = || match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(bad("expected text or null")),
    };
    match field {
        "title" => issue.title = text()?,
        "status" => issue.status = text()?,
        "type" => issue.kind = text()?,
        "body" => issue.body = text()?,
        "priority" => {
            issue.priority = value
                .as_u64()
                .and_then(|p| u8::try_from(p).ok())
                .filter(|p| *p <= crate::model::config::LOWEST_PRIORITY)
                .ok_or_else(|| {
                    bad(&format!(
                        "expected a priority from 0 to {}",
                        crate::model::config::LOWEST_PRIORITY
                    ))
                })?;
        }
        "assignee" => issue.assignee = maybe_text()?,
        "author" => issue.author = maybe_text()?,
        "created" => {
            issue.created = text()?
                .parse()
                .map_err(|_| bad("expected an RFC 3339 time"))?;
        }
        "parent" => {
            issue.parent = match maybe_text()? {
                None => None,
                Some(p) => Some(
                    crate::model::id::IssueId::parse_canonical(&p)
                        .ok_or_else(|| bad("expected an id"))?,
                ),
            }
        }
        "github" => issue.github = (!value.is_null()).then(|| value.clone()),
        comment if comment.starts_with("comments.") => {
            let id = &comment["comments.".len()..];
            issue.comments.retain(|c| c.id != id);
            if !value.is_null() {
                let get = |key: &str| value[key].as_str().map(str::to_owned);
                issue.comments.push(Comment {
                    id: id.to_owned(),
                    author: get("author"),
                    created: get("created")
                        .and_then(|t| t.parse().ok())
                        .ok_or_else(|| bad("expected a comment"))?,
                    body: get("body").ok_or_else(|| bad("expected a comment"))?,
                });
                issue
                    .comments
                    .sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
            }
        }
        key => {
            if value.is_null() {
                issue.extra.shift_remove(key);
            } else {
                issue.extra.insert(key.to_owned(), value.clone());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(extra_yaml: &str) -> Issue {
        let text = format!(
            "id: abcd123456\ntitle: T\nstatus: open\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n{extra_yaml}"
        );
        crate::model::issue::parse_for_test(&text)
    }

    #[test]
    fn sets_keep_additions_and_apply_removals_from_both_sides() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            merge_set(
                &s(&["a", "b", "c"]),
                &s(&["a", "c", "o"]),
                &s(&["b", "c", "t"])
            ),
            s(&["c", "o", "t"])
        );
    }

    #[test]
    fn a_comment_removed_on_one_side_goes_and_unknown_keys_merge_by_key() {
        let comment = "comments:\n  - id: c1\n    created: 2026-01-01T00:00:00Z\n    body: hi\n";
        let base = issue(&format!("estimate: 1\nteam: a\n{comment}"));
        let ours = issue("estimate: 2\nteam: a\n");
        let theirs = issue(&format!("estimate: 1\nteam: a\nrisk: low\n{comment}"));
        let merged = merge(Some(&base), &ours, &theirs).expect("same issue");
        assert!(merged.conflicts.is_empty(), "{:?}", merged.conflicts);
        assert!(merged.issue.comments.is_empty(), "ours removed it");
        assert_eq!(merged.issue.extra["estimate"], 2);
        assert_eq!(merged.issue.extra["risk"], "low");
    }

    #[test]
    fn without_a_base_equal_fields_agree_and_different_ones_conflict() {
        let ours = issue("priority: 1\n");
        let theirs = issue("priority: 3\n");
        let merged = merge(None, &ours, &theirs).expect("same issue");
        assert_eq!(merged.issue.priority, 1);
        assert_eq!(merged.conflicts.len(), 1);
        assert_eq!(merged.conflicts[0]["base"], Value::Null);
        let resolved = resolve(&merged.issue, &[Take::Theirs]).expect("resolves");
        assert_eq!((resolved.priority, resolved.conflicts.len()), (3, 0));
    }
}
