//! tbd's issue files (`.tbd/data-sync/issues/is-<ulid>.md`, on the
//! `tbd-sync` branch's worktree `.tbd/data-sync-worktree/.tbd/data-sync/`):
//! YAML front matter as `packages/tbd/src/lib/schemas.ts` declares it
//! (format f01 and later), then the description and a `## Notes` section.
//! Display ids (`proj-a7k2`) are the `display.id_prefix` of
//! `.tbd/config.yml` and the short ids of `mappings/ids.yml`.
//!
//! Mapped: `title`, the body (description and notes, whole), `kind`,
//! `status`, `priority`, `assignee`, `labels`, `dependencies` (`blocks`),
//! `parent_id`, `created_by`, `created_at` and `updated_at`. Every other
//! key (`version`, `closed_at`, `close_reason`, `due_date`, `extensions`,
//! …) is kept under its own name, tbd's `type: is` as `tbd_type`.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::{Field, FromYit, Item, Keys, Object, Role, ToYit};
use crate::model::issue::Issue;
use crate::model::problem::{Pos, Problem};

/// Where an import looks, from the repository's root: the sync branch's
/// worktree first.
pub const DEFAULT_PATHS: &[&str] = &[".tbd/data-sync-worktree/.tbd/data-sync", ".tbd/data-sync"];

const STATUSES: &[(&str, Role)] = &[
    ("open", Role::Initial),
    ("in_progress", Role::Active),
    ("closed", Role::Closed),
];

/// The short ids of `mappings/ids.yml` by internal id (`is-<ulid>`).
pub fn short_ids(text: &str, path: &Path) -> Result<HashMap<String, String>, Problem> {
    if text.trim().is_empty() {
        return Ok(HashMap::new());
    }
    let value: Value =
        serde_saphyr::from_str_with_options(text, crate::model::yaml::read_options())
            .map_err(|e| Problem::from_yaml_text(path, text, &e))?;
    let Value::Object(map) = value else {
        return Err(Problem::at(
            path,
            Pos { line: 1, column: 1 },
            "expected a mapping of short ids to ULIDs",
        ));
    };
    // (a short id may read as a number: `100: 01hx…`)
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(map
        .iter()
        .map(|(short, ulid)| (format!("is-{}", text(ulid)), short.clone()))
        .collect())
}

/// The item of an issue file read from `path` (`file`: its name under the
/// data folder); `prefix` and `shorts` make its display id.
pub fn parse(
    text: &str,
    path: &Path,
    file: &str,
    prefix: Option<&str>,
    shorts: &HashMap<String, String>,
) -> Result<Item, Problem> {
    let (mut object, body) = super::backlog::front_matter(text, path)?;
    let Some(internal) = object
        .get("id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
    else {
        return Err(Problem::at(
            path,
            Pos { line: 2, column: 1 },
            "an issue needs an `id`",
        ));
    };
    let display = match (prefix, shorts.get(&internal)) {
        (Some(prefix), Some(short)) => Some(format!("{prefix}-{short}")),
        _ => None,
    };
    object.insert("body".into(), body.into());
    let (id, aliases) = match display {
        Some(d) => (d, vec![internal]),
        None => (internal, Vec::new()),
    };
    Ok(Item {
        id,
        path: path.to_owned(),
        line: Some(1),
        file: Some(file.to_owned()),
        object,
        aliases,
    })
}

pub fn field_of(key: &str) -> Field {
    match key {
        "id" => Field::Id,
        "title" => Field::Title,
        "body" => Field::Body,
        "kind" => Field::Kind,
        "status" => Field::Status,
        "priority" => Field::Priority,
        "assignee" => Field::Assignee,
        "labels" => Field::Labels,
        "dependencies" => Field::DependsOn,
        "parent_id" => Field::Parent,
        "created_by" => Field::Author,
        "created_at" => Field::Created,
        "updated_at" => Field::Updated,
        _ => Field::Own,
    }
}

const KEYS: Keys = Keys {
    body: "body",
    no_status: "open",
    statuses: STATUSES,
    priorities: &[],
    kind: Some("kind"),
    assignee: "assignee",
    author: "created_by",
    created: "created_at",
    updated: "updated_at",
};

pub fn to_issue(item: &Item, cx: &mut ToYit) -> Issue {
    let o = &item.object;
    let mut issue = super::common(item, cx, &KEYS);
    for dep in o
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(target) = dep.get("target").and_then(Value::as_str) else {
            cx.problem("a dependency has no target");
            continue;
        };
        if let Some(id) = cx.link(target, "depends on")
            && !issue.depends_on.contains(&id)
        {
            issue.depends_on.push(id);
        }
    }
    if let Some(parent) = item.str("parent_id").filter(|p| !p.trim().is_empty()) {
        issue.parent = cx.link(parent, "parent");
    }
    issue
}

pub fn object_of(issue: &Issue, cx: &FromYit) -> Object {
    let mut o = Object::new();
    o.insert("id".into(), cx.id(&issue.id).into());
    o.insert("title".into(), issue.title.clone().into());
    o.insert("kind".into(), issue.kind.clone().into());
    o.insert("status".into(), super::beads::status_word(issue, cx).into());
    o.insert("priority".into(), issue.priority.into());
    if let Some(a) = &issue.assignee {
        o.insert("assignee".into(), cx.person(a).into());
    }
    o.insert("labels".into(), issue.labels.clone().into());
    let deps: Vec<Value> = issue
        .depends_on
        .iter()
        .map(|d| serde_json::json!({ "type": "blocks", "target": cx.id(d) }))
        .collect();
    o.insert("dependencies".into(), deps.into());
    if let Some(p) = &issue.parent {
        o.insert("parent_id".into(), cx.id(p).into());
    }
    super::put_author_and_times(&mut o, issue, cx, &KEYS);
    for (key, value) in super::own_values(issue, cx.tool) {
        o.insert(key, value);
    }
    o.insert("body".into(), cx.unwrite(&issue.body).into());
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_may_read_as_numbers() {
        let text = "a7k2: 01hx5zzkbkactav9wevgemmvrz\n100: 01hx5zzkbkbctav9wevgemmvrz\n";
        let shorts = short_ids(text, Path::new("ids.yml")).expect("ids");
        assert_eq!(shorts["is-01hx5zzkbkactav9wevgemmvrz"], "a7k2");
        assert_eq!(shorts["is-01hx5zzkbkbctav9wevgemmvrz"], "100");
        let bad = short_ids("- a\n- b\n", Path::new("ids.yml")).expect_err("a list");
        assert_eq!(bad.line, Some(1));
    }
}
