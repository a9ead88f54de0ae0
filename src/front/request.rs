//! The requests the long-running front ends take as JSON (a web API body,
//! an MCP tool's arguments), typed once: their schema (for MCP), the
//! refusal of unknown keys, and what they change, with the same answers as
//! the CLI's `--json`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use yit::model::config::Config;
use yit::model::edit::Change;
use yit::store::Draft;

use super::Ctx;
use crate::front::error::CommandError;

/// A new issue, as `yit new` takes it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIssue {
    /// One line.
    title: String,
    /// Markdown.
    #[serde(default)]
    body: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    /// 0 (most urgent) to 4.
    #[serde(default)]
    priority: Option<u8>,
    #[serde(default)]
    labels: Vec<String>,
    /// `me`, `Name <email>` or an email.
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    status: Option<String>,
    /// An existing issue's id or prefix.
    #[serde(default)]
    parent: Option<String>,
    /// Existing issues this one waits for.
    #[serde(default)]
    depends_on: Vec<String>,
}

impl NewIssue {
    /// Creates it: the `new --json` answer.
    pub fn create(self, ctx: &mut Ctx) -> Result<Value, CommandError> {
        let draft = Draft {
            title: self.title,
            body: self.body,
            labels: self.labels,
            priority: self.priority,
            kind: self.kind,
            assignee: person(ctx, self.assignee.as_deref())?,
            status: self.status,
            ..Draft::default()
        };
        let draft = ctx
            .session()
            .draft(draft, self.parent.as_deref(), &self.depends_on)?;
        let author = ctx.author()?;
        let created = ctx.take_session().create(draft, author, ctx.clock)?;
        Ok(yit::ops::json::created(&created.issue, &created.shorts))
    }
}

/// Changes to one issue's fields, as `yit edit` takes them.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldEdit {
    /// The issue's id or a unique prefix of it.
    pub id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    status: Option<String>,
    /// 0 (most urgent) to 4.
    #[serde(default)]
    priority: Option<u8>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    /// The new body (Markdown), replacing the old one.
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    add_labels: Vec<String>,
    #[serde(default)]
    remove_labels: Vec<String>,
    /// `me`, a person, or null to unassign; leave out to keep.
    #[serde(default, deserialize_with = "present")]
    assignee: Option<Option<String>>,
    /// The new parent's id or prefix.
    #[serde(default)]
    parent: Option<String>,
    /// `version` from `show`: refuse the edit, writing nothing, if the
    /// file changed since.
    #[serde(default)]
    version: Option<String>,
}

/// A key that is present, even as null.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `me` as who makes the changes, or a person as given.
pub fn person(ctx: &Ctx, given: Option<&str>) -> Result<Option<String>, CommandError> {
    // (`--as` made the tracker's author, and so `me`, the agent's)
    Ok(given.map(|g| ctx.tracker.person(g)).transpose()?)
}

impl FieldEdit {
    /// Applies it: the `edit --json` answer.
    pub fn apply(self, ctx: &mut Ctx) -> Result<Value, CommandError> {
        let config = ctx.tracker.config();
        let mut changes = Vec::new();
        if let Some(t) = self.title {
            changes.push(Change::Title(t));
        }
        if let Some(s) = self.status {
            changes.push(Change::Status(config.status_named(&s)?));
        }
        if let Some(p) = self.priority {
            Config::check_priority(p)?;
            changes.push(Change::Priority(p));
        }
        if let Some(k) = self.kind {
            changes.push(Change::Kind(config.type_named(&k)?));
        }
        if let Some(b) = self.body {
            changes.push(Change::Body(b));
        }
        changes.extend(self.add_labels.into_iter().map(Change::AddLabel));
        changes.extend(self.remove_labels.into_iter().map(Change::RemoveLabel));
        if let Some(given) = self.assignee {
            changes.push(Change::Assignee(person(ctx, given.as_deref())?));
        }
        if changes.is_empty() && self.parent.is_none() {
            return Err(CommandError::usage(
                "nothing to change: give at least one field",
            ));
        }
        let (mode, clock) = (ctx.mode, ctx.clock);
        let session = ctx.take_session();
        let written = match (&self.version, &self.parent) {
            (Some(_), Some(_)) => {
                return Err(CommandError::usage(
                    "`version` and `parent` cannot go together: change the parent in an edit of its own",
                ));
            }
            (Some(version), None) => session.change_at(&self.id, version, changes, clock)?,
            (None, parent) => session.edit(&self.id, changes, parent.as_deref(), mode, clock)?,
        };
        Ok(yit::ops::json::edits(&written.edits, &written.shorts, true))
    }
}

/// The `list --json` answer to `query` (details asked by the query), and
/// the problems of files that could not be read, if any.
pub fn listed(ctx: &mut Ctx, query: &yit::query::ListQuery) -> Result<Value, CommandError> {
    let mut answers = yit::ops::Answers::default();
    let mode = ctx.mode;
    let result = ctx.session().list(query, mode, &mut answers)?;
    let mut value = serde_json::json!({ "issues": result.records });
    if result.broken_files > 0 {
        value["problems"] = serde_json::json!(result.problems);
    }
    Ok(value)
}

/// The `show --json` answer for `id`, and the file's `version` (sent back
/// with an edit, it has the edit refused if the file changed meanwhile).
pub fn shown(ctx: &mut Ctx, id: &str) -> Result<Value, CommandError> {
    let mode = ctx.mode;
    let shown = ctx.session().show(id, mode)?;
    let mut value =
        yit::ops::shown_json(&shown.issue, &shown.shorts, &shown.related, &shown.commits);
    value["version"] = yit::store::version_of(shown.text.as_bytes()).into();
    Ok(value)
}
