//! What changed between two versions of an issue, in words (`yit log`).
//! Pure.

use crate::model::issue::{self, Issue};

/// The changes from `before` to `after`, one phrase each:
/// `status: open → closed`, `+label crash`, `comment added by Ann`.
pub fn changes(before: &Issue, after: &Issue) -> Vec<String> {
    let mut out = Vec::new();
    let mut scalar = |name: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{name}: {a} → {b}"));
        }
    };
    let text = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".to_owned());
    scalar("title", quoted(&before.title), quoted(&after.title));
    scalar("status", before.status.clone(), after.status.clone());
    scalar(
        "priority",
        before.priority.to_string(),
        after.priority.to_string(),
    );
    scalar("type", before.kind.clone(), after.kind.clone());
    scalar("assignee", text(&before.assignee), text(&after.assignee));
    scalar(
        "parent",
        before
            .parent
            .as_ref()
            .map_or("-".to_owned(), ToString::to_string),
        after
            .parent
            .as_ref()
            .map_or("-".to_owned(), ToString::to_string),
    );
    for label in &after.labels {
        if !before.labels.contains(label) {
            out.push(format!("+label {label}"));
        }
    }
    for label in &before.labels {
        if !after.labels.contains(label) {
            out.push(format!("-label {label}"));
        }
    }
    for dep in &after.depends_on {
        if !before.depends_on.contains(dep) {
            out.push(format!("+depends on {dep}"));
        }
    }
    for dep in &before.depends_on {
        if !after.depends_on.contains(dep) {
            out.push(format!("-depends on {dep}"));
        }
    }
    if before.body != after.body {
        out.push("body changed".to_owned());
    }
    for comment in &after.comments {
        let by = comment
            .author
            .as_deref()
            .map(short_person)
            .unwrap_or("someone");
        match before.comments.iter().find(|c| c.id == comment.id) {
            None => out.push(format!("comment added by {by}")),
            Some(old) if old != comment => out.push(format!("comment {} edited", comment.id)),
            Some(_) => {}
        }
    }
    for comment in &before.comments {
        if !after.comments.iter().any(|c| c.id == comment.id) {
            out.push(format!("comment {} removed", comment.id));
        }
    }
    for (key, value) in &after.extra {
        match before.extra.get(key) {
            Some(old) if old == value => {}
            Some(old) => out.push(format!("{key}: {old} → {value}")),
            None => out.push(format!("+{key}: {value}")),
        }
    }
    for key in before.extra.keys() {
        if !after.extra.contains_key(key) {
            out.push(format!("-{key}"));
        }
    }
    if before.conflicts.is_empty() && !after.conflicts.is_empty() {
        out.push(format!(
            "{} merge conflict(s) recorded",
            after.conflicts.len()
        ));
    } else if !before.conflicts.is_empty() && after.conflicts.is_empty() {
        out.push("merge conflicts resolved".to_owned());
    }
    if out.is_empty() && issue::format_time(before.updated) != issue::format_time(after.updated) {
        out.push("touched".to_owned());
    }
    if out.is_empty() {
        out.push("reformatted".to_owned());
    }
    out
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

/// The name part of `Name <email>`.
fn short_person(person: &str) -> &str {
    match person.split_once('<') {
        Some((name, _)) if !name.trim().is_empty() => name.trim(),
        _ => person,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(extra: &str) -> Issue {
        let text = format!(
            "id: abcd123456\ntitle: T\nstatus: open\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n{extra}"
        );
        crate::model::issue::parse_for_test(&text)
    }

    #[test]
    fn changes_read_as_words() {
        let before = issue("labels: [a]\n");
        let after = issue(
            "labels: [b]\npriority: 0\ncomments:\n  - id: c1\n    author: Ann Lee <ann@example.com>\n    created: 2026-01-02T00:00:00Z\n    body: hi\n",
        );
        let mut after = after;
        after.status = "closed".to_owned();
        assert_eq!(
            changes(&before, &after),
            [
                "status: open → closed",
                "priority: 2 → 0",
                "+label b",
                "-label a",
                "comment added by Ann Lee"
            ]
        );
    }
}
