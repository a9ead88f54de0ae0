//! The canonical form of an issue file, as yit writes new files.

use indexmap::IndexMap;
use serde::Serialize;

use super::{Comment, Issue, format_time};
use crate::model::id::IssueId;
use crate::model::yaml;

/// The canonical layout of an issue file, for serde-saphyr.
#[derive(Serialize)]
pub(super) struct Canonical<'a> {
    id: &'a IssueId,
    title: &'a str,
    status: &'a str,
    priority: u8,
    #[serde(rename = "type")]
    kind: &'a str,
    labels: &'a [String],
    assignee: Option<&'a str>,
    author: Option<&'a str>,
    created: String,
    updated: String,
    body: Text<'a>,
    comments: Vec<CanonicalComment<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a IssueId>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    depends_on: &'a [IssueId],
    #[serde(skip_serializing_if = "Option::is_none")]
    github: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    conflicts: &'a [serde_json::Value],
    #[serde(flatten)]
    extra: &'a IndexMap<String, serde_json::Value>,
}

#[derive(Serialize)]
pub(crate) struct CanonicalComment<'a> {
    id: &'a str,
    author: Option<&'a str>,
    created: String,
    body: Text<'a>,
}

/// Multi-line text: a literal block scalar, or serde-saphyr's quoted form.
enum Text<'a> {
    Literal(&'a str),
    Quoted(&'a str),
}

impl Text<'_> {
    /// A literal block when it reads back as exactly `text`; YAML cannot
    /// hold some texts that way (carriage returns, some leading spaces).
    fn choose(text: &str) -> Text<'_> {
        if text.is_empty() {
            return Text::Quoted(text);
        }
        let block = yaml::to_string(&serde_saphyr::LitStr(text));
        let back = block.ok().and_then(|b| {
            serde_saphyr::from_str_with_options::<String>(&b, yaml::read_options()).ok()
        });
        if back.as_deref() == Some(text) {
            Text::Literal(text)
        } else {
            Text::Quoted(text)
        }
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Text::Literal(t) => serde_saphyr::LitStr(t).serialize(s),
            Text::Quoted(t) => t.serialize(s),
        }
    }
}

/// The canonical form of one comment, for serialization.
pub(crate) fn canonical_comment(c: &Comment) -> CanonicalComment<'_> {
    CanonicalComment {
        id: &c.id,
        author: c.author.as_deref(),
        created: format_time(c.created),
        body: Text::choose(&c.body),
    }
}

impl<'a> Canonical<'a> {
    pub(super) fn of(issue: &'a Issue) -> Canonical<'a> {
        Canonical {
            id: &issue.id,
            title: &issue.title,
            status: &issue.status,
            priority: issue.priority,
            kind: &issue.kind,
            labels: &issue.labels,
            assignee: issue.assignee.as_deref(),
            author: issue.author.as_deref(),
            created: format_time(issue.created),
            updated: format_time(issue.updated),
            body: Text::choose(&issue.body),
            comments: issue.comments.iter().map(canonical_comment).collect(),
            parent: issue.parent.as_ref(),
            depends_on: &issue.depends_on,
            github: issue.github.as_ref(),
            conflicts: &issue.conflicts,
            extra: &issue.extra,
        }
    }
}
