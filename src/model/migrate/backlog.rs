//! Backlog.md's task files (`backlog/tasks/*.md`, `drafts/`, `completed/`,
//! `archive/`): YAML front matter between `---` lines, then the Markdown
//! body with its sections (`## Description`, `## Acceptance Criteria`,
//! `## Implementation Plan`, `## Implementation Notes`), as
//! `src/markdown/serializer.ts` writes them (Backlog.md 1.x).
//!
//! Mapped: `title`, the body (whole, every section), `status`, `priority`
//! (`high`, `medium`, `low`), `assignee` (the first; the list is kept),
//! `reporter` (the author), `created_date`, `updated_date`, `labels`,
//! `dependencies` and `parent_task_id`. Every other key (`milestone`,
//! `ordinal`, `subtasks`, `references`, …) is kept under its own name.
//! Backlog.md's dates have no zone; they are read as UTC.

use std::path::Path;

use serde_json::Value;

use super::{Field, FromYit, Item, Keys, Object, Role, ToYit, scalar};
use crate::model::issue::Issue;
use crate::model::problem::{Pos, Problem};

/// Where an import finds the tasks from the repository's root.
pub const DEFAULT_PATH: &str = "backlog";

/// The folders of a Backlog.md project that hold tasks.
pub const FOLDERS: &[&str] = &[
    "tasks",
    "drafts",
    "completed",
    "archive/tasks",
    "archive/drafts",
];

const STATUSES: &[(&str, Role)] = &[
    ("To Do", Role::Initial),
    ("In Progress", Role::Active),
    ("Done", Role::Closed),
];

/// Whether `status` is one of Backlog.md's default statuses.
pub fn is_status_word(status: &str) -> bool {
    STATUSES.iter().any(|(word, _)| *word == status)
}

const PRIORITIES: &[(&str, u8)] = &[("high", 1), ("medium", 2), ("low", 3)];

/// The front matter of a Markdown file (as a JSON object) and its body;
/// problems carry the file's line and column. CRLF line breaks are read
/// as LF.
pub fn front_matter(text: &str, path: &Path) -> Result<(Object, String), Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");
    let at = |line: u64, message: &str| Problem::at(path, Pos { line, column: 1 }, message);
    let Some(rest) = text.strip_prefix("---\n") else {
        return Err(at(
            1,
            "no front matter: the file must start with a `---` line",
        ));
    };
    let (yaml, body) = if let Some(end) = rest.find("\n---\n") {
        (&rest[..end + 1], &rest[end + 5..])
    } else if let Some(yaml) = rest.strip_suffix("\n---") {
        (yaml, "")
    } else if rest.starts_with("---\n") || rest == "---" {
        ("", rest.get(4..).unwrap_or(""))
    } else {
        return Err(at(
            1,
            "the front matter is not closed: no `---` line after it",
        ));
    };
    let value: Value = if yaml.trim().is_empty() {
        Value::Object(Object::new())
    } else {
        serde_saphyr::from_str_with_options(yaml, crate::model::yaml::read_options()).map_err(
            |e| {
                let mut p = Problem::from_yaml_text(path, yaml, &e);
                // the front matter starts on the file's second line
                p.line = p.line.map(|l| l + 1);
                p.message = format!("front matter: {}", p.message);
                p
            },
        )?
    };
    let Value::Object(object) = value else {
        return Err(at(2, "the front matter is not a mapping of keys"));
    };
    let body = body.strip_prefix('\n').unwrap_or(body);
    let body = match body.trim_end() {
        "" => String::new(),
        b => format!("{b}\n"),
    };
    Ok((object, body))
}

/// `text` with the people of `assignee:` and `reporter:` lines quoted, as
/// Backlog.md reads them (`assignee: @alice`, `assignee: [@alice, bob]`:
/// a plain YAML scalar cannot start with `@`). Nothing else changes, and
/// no line is added or removed: problems keep their lines.
fn people_quoted(text: &str) -> String {
    let quote = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_front = false;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        let ending = &line[bare.len()..];
        if bare == "---" {
            in_front = n == 0;
            out.push_str(line);
            continue;
        }
        let key = ["assignee:", "reporter:"]
            .into_iter()
            .find(|k| bare.trim_start().starts_with(k));
        match key {
            Some(key) if in_front => {
                let at = bare.find(key).expect("found") + key.len();
                let (head, value) = bare.split_at(at);
                let value = value.trim();
                let fixed =
                    if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                        let items: Vec<String> = list
                            .split(',')
                            .map(str::trim)
                            .filter(|i| !i.is_empty())
                            .map(|i| {
                                if i.starts_with('@') {
                                    quote(i)
                                } else {
                                    i.to_owned()
                                }
                            })
                            .collect();
                        format!("[{}]", items.join(", "))
                    } else if value.is_empty() || value.starts_with(['[', '\'', '"', '-']) {
                        value.to_owned()
                    } else {
                        quote(value)
                    };
                out.push_str(head);
                if !fixed.is_empty() {
                    out.push(' ');
                    out.push_str(&fixed);
                }
                out.push_str(ending);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The item of a task file read from `path` (`file`: where it is under
/// the project's folder).
pub fn parse(text: &str, path: &Path, file: &str) -> Result<Item, Problem> {
    let (mut object, body) = front_matter(&people_quoted(text), path)?;
    let from_name = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.split(" - ").next())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let id = match object.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => match from_name {
            Some(name) => name.to_owned(),
            None => {
                return Err(Problem::at(
                    path,
                    Pos { line: 2, column: 1 },
                    "a task needs an `id`",
                ));
            }
        },
    };
    object.insert("body".into(), body.into());
    Ok(Item {
        id,
        path: path.to_owned(),
        line: Some(1),
        file: Some(file.to_owned()),
        object,
        aliases: Vec::new(),
    })
}

pub fn field_of(key: &str) -> Field {
    match key {
        "id" => Field::Id,
        "title" => Field::Title,
        "body" => Field::Body,
        "status" => Field::Status,
        "priority" => Field::Priority,
        "labels" => Field::Labels,
        "assignee" => Field::Assignee,
        "reporter" => Field::Author,
        "created_date" => Field::Created,
        "updated_date" => Field::Updated,
        "dependencies" => Field::DependsOn,
        "parent_task_id" => Field::Parent,
        _ => Field::Own,
    }
}

/// The strings of a list (or of one string).
pub(super) fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

const KEYS: Keys = Keys {
    body: "body",
    no_status: "To Do",
    statuses: STATUSES,
    priorities: PRIORITIES,
    kind: None,
    assignee: "assignee",
    author: "reporter",
    created: "created_date",
    updated: "updated_date",
};

pub fn to_issue(item: &Item, cx: &mut ToYit) -> Issue {
    let o = &item.object;
    let mut issue = super::common(item, cx, &KEYS);
    for dep in strings(o.get("dependencies")) {
        if let Some(id) = cx.link(&dep, "depends on")
            && !issue.depends_on.contains(&id)
        {
            issue.depends_on.push(id);
        }
    }
    if let Some(parent) = scalar(o.get("parent_task_id")).filter(|p| !p.trim().is_empty()) {
        issue.parent = cx.link(&parent, "parent");
    }
    issue
}

/// Backlog.md's date: `2025-06-08 14:22`, UTC.
fn date(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M").to_string()
}

pub fn object_of(issue: &Issue, cx: &FromYit) -> Object {
    let config = cx.config;
    let mut o = Object::new();
    o.insert("id".into(), cx.id(&issue.id).into());
    o.insert("title".into(), issue.title.clone().into());
    let status = if issue.status == config.initial_status() {
        "To Do".to_owned()
    } else if issue.status == config.active_status() {
        "In Progress".to_owned()
    } else if issue.status == config.closed_status() {
        "Done".to_owned()
    } else {
        issue.status.clone()
    };
    o.insert("status".into(), status.into());
    let assignees: Vec<String> = issue.assignee.iter().map(|a| cx.person(a)).collect();
    o.insert("assignee".into(), assignees.into());
    if let Some(a) = &issue.author {
        o.insert("reporter".into(), cx.person(a).into());
    }
    o.insert("created_date".into(), date(issue.created).into());
    o.insert("updated_date".into(), date(issue.updated).into());
    o.insert("labels".into(), issue.labels.clone().into());
    for (key, value) in super::own_values(issue, cx.tool) {
        o.insert(key, value);
    }
    let deps: Vec<String> = issue.depends_on.iter().map(|d| cx.id(d)).collect();
    o.insert("dependencies".into(), deps.into());
    if let Some(p) = &issue.parent {
        o.insert("parent_task_id".into(), cx.id(p).into());
    }
    let word = match issue.priority {
        0 | 1 => "high",
        2 => "medium",
        _ => "low",
    };
    o.insert("priority".into(), word.into());
    o.insert("body".into(), cx.unwrite(&issue.body).into());
    o
}

/// The text of a task file for `object` (as [`object_of`] makes it).
pub fn file_text(object: &Object) -> Result<String, String> {
    let mut front = object.clone();
    let body = match front.shift_remove("body") {
        Some(Value::String(b)) => b,
        _ => String::new(),
    };
    let yaml = crate::model::yaml::to_string(&front).map_err(|e| e.to_string())?;
    let mut out = format!("---\n{yaml}");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("---\n");
    if !body.is_empty() {
        out.push('\n');
        out.push_str(&body);
    }
    Ok(out)
}

/// Where a new task file goes: `tasks/<id> - <Title>.md` (the id and
/// title with characters a file name cannot hold left out: never a path).
pub fn file_name(id: &str, title: &str) -> String {
    // an id is the source's text: no path in it
    let id: String = id
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let id = id.trim_start_matches('.');
    let slug: String = title
        .chars()
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(80)
        .collect();
    let slug = slug.trim_matches(['-', '.']);
    format!("tasks/{id} - {slug}.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_read_as_backlog_md_reads_them() {
        let text = "---\nid: task-1\nassignee: @alice\nreporter: @bob # lead\nlabels: [a]\n---\n\nassignee: @body stays\n";
        let quoted = people_quoted(text);
        assert_eq!(
            quoted,
            "---\nid: task-1\nassignee: \"@alice\"\nreporter: \"@bob # lead\"\nlabels: [a]\n---\n\nassignee: @body stays\n"
        );
        let list = people_quoted("---\nassignee: [@alice, \"bob\", carol]\n---\n");
        assert_eq!(list, "---\nassignee: [\"@alice\", \"bob\", carol]\n---\n");
        let item = parse(text, Path::new("t.md"), "tasks/t.md").expect("parses");
        assert_eq!(item.object["assignee"], "@alice");
        // quoted and block forms are left as they are
        let kept = "---\nassignee:\n  - '@alice'\nreporter: '@bob'\n---\n";
        assert_eq!(people_quoted(kept), kept);
    }

    #[test]
    fn a_file_name_is_never_a_path() {
        assert_eq!(
            file_name("task-1", "Set up CI"),
            "tasks/task-1 - Set-up-CI.md"
        );
        assert_eq!(
            file_name("../../etc/passwd", "x/../y"),
            "tasks/etcpasswd - x..y.md"
        );
        assert!(!file_name("..", "..").contains("/.."));
    }
}
