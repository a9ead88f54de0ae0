//! The three-way merge of one issue, field by field: what `yit merge-file`
//! (the git merge driver) computes. Pure: no files, no git.
//!
//! Rules (docs/format.md, "Merges"):
//! - a field changed on one side only takes that side's value;
//! - `updated` takes the later value;
//! - labels and `depends_on` merge as sets (an addition on either side is
//!   kept, a removal on either side is applied);
//! - comments merge as the union by their ids, in time order; a comment
//!   removed on one side and untouched on the other is removed; the same
//!   comment (author and text) added on both sides is kept once;
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
        // the same comment added on both sides (the same words by the same
        // person, as a hook in two clones writes it) is kept once: ours
        let new = |c: &Comment| base.is_none_or(|b| !b.iter().any(|x| x.id == c.id));
        let twice: Vec<String> = theirs
            .iter()
            .filter(|t| new(t) && !ours.iter().any(|o| o.id == t.id))
            .filter(|t| {
                ours.iter()
                    .any(|o| new(o) && o.author == t.author && o.body == t.body)
            })
            .map(|t| t.id.clone())
            .collect();
        merged.retain(|c| !twice.contains(&c.id));
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

/// One side of a recorded conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Ours,
    Theirs,
    Base,
}

impl Side {
    /// `ours`, `theirs` or `base`, as typed.
    pub fn named(name: &str) -> Option<Side> {
        match name {
            "ours" => Some(Side::Ours),
            "theirs" => Some(Side::Theirs),
            "base" => Some(Side::Base),
            _ => None,
        }
    }

    /// Its key in a conflict record.
    pub fn key(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Theirs => "theirs",
            Side::Base => "base",
        }
    }
}

/// How a conflict is settled by `yit resolve`.
#[derive(Clone, Debug, PartialEq)]
pub enum Take {
    /// Every recorded conflict, from one side (`--take theirs`).
    All(Side),
    /// One field's conflict, from one side (`--take body=theirs`).
    Field { field: String, side: Side },
    /// One field set to a value of the person's (`--take status:=closed`,
    /// or the field as edited in `yit resolve ID`'s editor).
    Value { field: String, value: Value },
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("no conflict on field {field:?} (the conflicts: {})", known.join(", "))]
    NoSuchConflict { field: String, known: Vec<String> },
    #[error("field {field:?}: {expected}")]
    BadValue { field: String, expected: String },
    #[error("field {field:?} has no base value: both sides created the issue")]
    NoBase { field: String },
}

/// The fields a base value of `null` cannot be given to: there was no
/// base (both sides created the file).
const NEVER_NULL: [&str; 6] = ["title", "status", "type", "body", "priority", "created"];

/// Settles the recorded conflicts of `issue` as `takes` say; conflicts no
/// take names stay.
pub fn resolve(issue: &Issue, takes: &[Take]) -> Result<Issue, ResolveError> {
    let mut out = issue.clone();
    let field_of = |c: &Value| c["field"].as_str().unwrap_or_default().to_owned();
    let side_value = |conflict: &Value, side: Side| -> Result<Value, ResolveError> {
        let field = field_of(conflict);
        let value = conflict[side.key()].clone();
        if side == Side::Base && value.is_null() && NEVER_NULL.contains(&field.as_str()) {
            return Err(ResolveError::NoBase { field });
        }
        Ok(value)
    };
    for take in takes {
        match take {
            // the file holds ours: the record goes
            Take::All(Side::Ours) => out.conflicts.clear(),
            Take::All(side) => {
                for conflict in std::mem::take(&mut out.conflicts) {
                    let value = side_value(&conflict, *side)?;
                    set_field(&mut out, &field_of(&conflict), &value)?;
                }
            }
            Take::Field { field, side } => {
                let conflict = take_conflict(&mut out, field)?;
                let value = side_value(&conflict, *side)?;
                set_field(&mut out, field, &value)?;
            }
            Take::Value { field, value } => {
                take_conflict(&mut out, field)?;
                set_field(&mut out, field, value)?;
            }
        }
    }
    Ok(out)
}

/// A value as a person types it after `FIELD:=` (YAML: `closed`, `1`,
/// `null`, `"a: b"`).
pub fn value_of_yaml(text: &str) -> Result<Value, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, crate::model::yaml::read_options())
}

/// Removes the conflict recorded on `field` from `issue` and returns it.
fn take_conflict(issue: &mut Issue, field: &str) -> Result<Value, ResolveError> {
    let at = issue
        .conflicts
        .iter()
        .position(|c| c["field"].as_str() == Some(field))
        .ok_or_else(|| ResolveError::NoSuchConflict {
            field: field.to_owned(),
            known: issue
                .conflicts
                .iter()
                .filter_map(|c| c["field"].as_str().map(str::to_owned))
                .collect(),
        })?;
    Ok(issue.conflicts.remove(at))
}

/// The text `yit resolve ID` opens in the editor: each conflicting field
/// as a YAML key holding our value, with the other sides' values in YAML
/// comments above it, each side named as the merge recorded it.
pub fn resolution_text(issue: &Issue) -> String {
    let mut out = String::new();
    for c in &issue.conflicts {
        let field = c["field"].as_str().unwrap_or_default();
        out.push_str(&format!("# {field}: ours is the value below\n"));
        for side in [Side::Theirs, Side::Base] {
            out.push_str(&format!("#   {}{}:\n", side.key(), from_of(c, side)));
            let value = &c[side.key()];
            let shown = match (side, value) {
                (Side::Base, Value::Null) => "(none)\n".to_owned(),
                _ => yaml_of(value),
            };
            for line in shown.lines() {
                out.push_str("#     ");
                out.push_str(line);
                out.push('\n');
            }
        }
        let mut one = serde_json::Map::new();
        one.insert(field.to_owned(), c["ours"].clone());
        out.push_str(&yaml_of(&Value::Object(one)));
        out.push('\n');
    }
    out
}

/// A recorded conflict in words, as `show`, `doctor` and the merge driver
/// say it: `status: ours (HEAD: 1a2b3c4 by Ann Lee) "closed", theirs (b:
/// 5d6e7f8 by Bob Stone) "open", base "open"`; a long value by its size.
pub fn describe_conflict(conflict: &Value) -> String {
    let shown = |v: &Value| {
        let json = v.to_string();
        match v.as_str() {
            Some(text) if json.chars().count() > 62 || text.contains('\n') => format!(
                "({} lines, {} chars)",
                text.lines().count(),
                text.chars().count()
            ),
            _ => json,
        }
    };
    format!(
        "{}: ours{} {}, theirs{} {}, base {}",
        conflict["field"].as_str().unwrap_or_default(),
        from_of(conflict, Side::Ours),
        shown(&conflict["ours"]),
        from_of(conflict, Side::Theirs),
        shown(&conflict["theirs"]),
        shown(&conflict["base"]),
    )
}

/// How to settle the conflicts of the issue `id` names.
pub fn resolve_hint(id: &str) -> String {
    format!(
        "settle with `yit resolve {id}` (both sides in your editor), or --take ours|theirs|FIELD=SIDE|FIELD:=VALUE"
    )
}

/// ` (main, 1a2b3c4 by Ann Lee)`: where a side came from, when the merge
/// recorded it.
pub fn from_of(conflict: &Value, side: Side) -> String {
    match conflict["from"][side.key()].as_str() {
        Some(from) if !from.is_empty() => format!(" ({from})"),
        _ => String::new(),
    }
}

fn yaml_of(value: &Value) -> String {
    crate::model::yaml::to_string(value).unwrap_or_else(|_| format!("{value}\n"))
}

/// A problem in a text a person edited: line and column (counted in that
/// text) when known, and what is wrong.
pub type TextProblem = (Option<u64>, Option<u64>, String);

/// What the person made of [`resolution_text`]: a take of each field left
/// in it (a field taken out stays in conflict), or the problems as
/// `(line, column, message)`.
pub fn read_resolution(issue: &Issue, text: &str) -> Result<Vec<Take>, Vec<TextProblem>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let fields: indexmap::IndexMap<String, Value> =
        serde_saphyr::from_str_with_options(text, crate::model::yaml::read_options()).map_err(
            |e| {
                let p = crate::model::problem::Problem::from_yaml(std::path::Path::new(""), &e);
                vec![(p.line, p.column, p.message)]
            },
        )?;
    let known: Vec<&str> = issue
        .conflicts
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    let strangers: Vec<TextProblem> = fields
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| {
            (
                None,
                None,
                format!(
                    "{k:?} is not in conflict (the conflicts: {})",
                    known.join(", ")
                ),
            )
        })
        .collect();
    if !strangers.is_empty() {
        return Err(strangers);
    }
    let takes: Vec<Take> = fields
        .into_iter()
        .map(|(field, value)| Take::Value { field, value })
        .collect();
    // a value the issue cannot hold is a problem to fix in the editor
    resolve(issue, &takes).map_err(|e| vec![(None, None, e.to_string())])?;
    Ok(takes)
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
    fn the_same_comment_added_on_both_sides_is_kept_once() {
        let c = |id: &str, author: &str, body: &str| {
            format!(
                "  - id: {id}\n    author: {author}\n    created: 2026-01-02T00:00:00Z\n    body: {body}\n"
            )
        };
        let base = issue("");
        let ours = issue(&format!(
            "comments:\n{}{}",
            c("o1", "Ann <a@x>", "Fixed by 1a2b"),
            c("o2", "Ann <a@x>", "+1")
        ));
        let theirs = issue(&format!(
            "comments:\n{}{}",
            c("t1", "Ann <a@x>", "Fixed by 1a2b"),
            c("t2", "Bob <b@x>", "+1")
        ));
        let merged = merge(Some(&base), &ours, &theirs).expect("same issue");
        let ids: Vec<&str> = merged
            .issue
            .comments
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(ids, ["o1", "o2", "t2"], "Bob's +1 is his own");
        assert!(merged.conflicts.is_empty());
    }

    #[test]
    fn without_a_base_equal_fields_agree_and_different_ones_conflict() {
        let ours = issue("priority: 1\n");
        let theirs = issue("priority: 3\n");
        let merged = merge(None, &ours, &theirs).expect("same issue");
        assert_eq!(merged.issue.priority, 1);
        assert_eq!(merged.conflicts.len(), 1);
        assert_eq!(merged.conflicts[0]["base"], Value::Null);
        let resolved = resolve(&merged.issue, &[Take::All(Side::Theirs)]).expect("resolves");
        assert_eq!((resolved.priority, resolved.conflicts.len()), (3, 0));
        // no base to take
        let err = resolve(
            &merged.issue,
            &[Take::Field {
                field: "priority".to_owned(),
                side: Side::Base,
            }],
        )
        .expect_err("no base");
        assert!(matches!(err, ResolveError::NoBase { .. }), "{err}");
    }

    #[test]
    fn a_side_is_taken_whole_and_a_value_is_taken_as_given() {
        let base = issue("body: the base text\npriority: 2\n");
        let ours = issue("body: our text\npriority: 1\n");
        let theirs = issue("body: a long description, theirs\npriority: 3\n");
        let merged = merge(Some(&base), &ours, &theirs).expect("same issue");
        assert_eq!(merged.conflicts.len(), 2);
        let field = |f: &str, side| Take::Field {
            field: f.to_owned(),
            side,
        };
        let resolved = resolve(&merged.issue, &[field("body", Side::Theirs)]).expect("resolves");
        assert_eq!(resolved.body, "a long description, theirs");
        assert_eq!(resolved.conflicts.len(), 1, "priority is left");
        let resolved = resolve(&merged.issue, &[field("body", Side::Base)]).expect("resolves");
        assert_eq!(resolved.body, "the base text");
        let resolved = resolve(
            &merged.issue,
            &[Take::Value {
                field: "body".to_owned(),
                value: Value::String("theirs".to_owned()),
            }],
        )
        .expect("resolves");
        assert_eq!(resolved.body, "theirs", "a value is the value");
        let err = resolve(&merged.issue, &[field("title", Side::Theirs)]).expect_err("none");
        assert_eq!(
            err.to_string(),
            "no conflict on field \"title\" (the conflicts: priority, body)"
        );
    }
}
