//! The requests of every front end, typed once: the command line's flags,
//! a web form, a web API body and an MCP tool's arguments are each mapped
//! onto these, which read names against the configuration, `me` as a
//! person, and what they change. As JSON they have their schema (for MCP),
//! refuse unknown keys, and answer as the CLI's `--json` does.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use yit::model::config::Config;
use yit::model::edit::Change;
use yit::ops::{Clock, Created, Session, Written};
use yit::query::filter::QueryError;
use yit::query::{ListQuery, SortKey};
use yit::store::{Draft, ScanMode, Tracker};

use super::Ctx;
use crate::front::error::CommandError;

/// A new issue, as `yit new` takes it: every front end maps its own
/// syntax onto this (flags, a form, a JSON body or tool's arguments).
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NewIssue {
    /// One line.
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// 0 (most urgent) to 4.
    #[serde(default)]
    pub priority: Option<u8>,
    #[serde(default)]
    pub labels: Vec<String>,
    /// `me`, `Name <email>` or an email.
    #[serde(default)]
    pub assignee: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// An existing issue's id or prefix.
    #[serde(default)]
    pub parent: Option<String>,
    /// Existing issues this one waits for.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

impl NewIssue {
    /// The issue to create: `me` read, the parent and dependencies found.
    pub fn draft(self, session: &mut Session, tracker: &Tracker) -> Result<Draft, CommandError> {
        let draft = Draft {
            title: self.title,
            body: self.body,
            labels: self.labels,
            priority: self.priority,
            kind: self.kind,
            assignee: person(tracker, self.assignee.as_deref())?,
            status: self.status,
            ..Draft::default()
        };
        Ok(session.draft(draft, self.parent.as_deref(), &self.depends_on)?)
    }

    /// Creates it.
    pub fn create(self, ctx: &mut Ctx) -> Result<Created, CommandError> {
        let tracker = ctx.tracker;
        let draft = self.draft(ctx.session(), tracker)?;
        let author = tracker.author()?;
        Ok(ctx.take_session().create(draft, author, ctx.clock)?)
    }

    /// Creates it: the `new --json` answer.
    pub fn create_json(self, ctx: &mut Ctx) -> Result<Value, CommandError> {
        let created = self.create(ctx)?;
        Ok(yit::ops::json::created(&created.issue, &created.shorts))
    }
}

/// Changes to one issue's fields, as `yit edit` takes them: every front
/// end maps its own syntax onto this.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct FieldEdit {
    /// The issue's id or a unique prefix of it.
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// 0 (most urgent) to 4.
    #[serde(default)]
    pub priority: Option<u8>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The new body (Markdown), replacing the old one.
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub add_labels: Vec<String>,
    #[serde(default)]
    pub remove_labels: Vec<String>,
    /// `me`, a person, or null to unassign; leave out to keep.
    #[serde(default, deserialize_with = "present")]
    pub assignee: Option<Option<String>>,
    /// The new parent's id or prefix, or null for none; leave out to keep.
    #[serde(default, deserialize_with = "present")]
    pub parent: Option<Option<String>>,
    /// `version` from `show`: refuse the edit, writing nothing, if the
    /// file changed since.
    #[serde(default)]
    pub version: Option<String>,
}

/// A key that is present, even as null.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `me` as who makes the changes, or a person as given.
pub fn person(tracker: &Tracker, given: Option<&str>) -> Result<Option<String>, CommandError> {
    // (`--as` made the tracker's author, and so `me`, the agent's)
    Ok(given.map(|g| tracker.person(g)).transpose()?)
}

impl FieldEdit {
    /// Whether it asks for no change at all (`yit edit ID` then opens the
    /// editor; the other front ends refuse it).
    pub fn is_empty(&self) -> bool {
        self.changes_asked() == 0 && self.parent.is_none()
    }

    fn changes_asked(&self) -> usize {
        [
            self.title.is_some(),
            self.status.is_some(),
            self.priority.is_some(),
            self.kind.is_some(),
            self.body.is_some(),
            self.assignee.is_some(),
        ]
        .into_iter()
        .filter(|&asked| asked)
        .count()
            + self.add_labels.len()
            + self.remove_labels.len()
    }

    /// The changes to the issue's own fields (the parent is changed
    /// through the graph, [`FieldEdit::apply`]), read against the
    /// configuration.
    pub fn changes(&self, tracker: &Tracker) -> Result<Vec<Change>, CommandError> {
        let config = tracker.config();
        let mut changes = Vec::new();
        if let Some(t) = &self.title {
            changes.push(Change::Title(t.clone()));
        }
        if let Some(s) = &self.status {
            changes.push(Change::Status(config.status_named(s)?));
        }
        if let Some(p) = self.priority {
            Config::check_priority(p)?;
            changes.push(Change::Priority(p));
        }
        if let Some(k) = &self.kind {
            changes.push(Change::Kind(config.type_named(k)?));
        }
        if let Some(b) = &self.body {
            changes.push(Change::Body(b.clone()));
        }
        changes.extend(self.add_labels.iter().cloned().map(Change::AddLabel));
        changes.extend(self.remove_labels.iter().cloned().map(Change::RemoveLabel));
        if let Some(given) = &self.assignee {
            changes.push(Change::Assignee(person(tracker, given.as_deref())?));
        }
        if let Some(None) = &self.parent {
            changes.push(Change::Parent(None));
        }
        Ok(changes)
    }

    /// Applies it, as every front end does.
    pub fn apply(
        self,
        session: Session,
        tracker: &Tracker,
        mode: ScanMode,
        clock: Clock,
    ) -> Result<Written, CommandError> {
        if self.is_empty() {
            return Err(CommandError::usage(
                "nothing to change: give at least one field",
            ));
        }
        let changes = self.changes(tracker)?;
        let parent = self.parent.flatten();
        Ok(match (&self.version, &parent) {
            (Some(_), Some(_)) => {
                return Err(CommandError::usage(
                    "`version` and `parent` cannot go together: change the parent in an edit of its own",
                ));
            }
            (Some(version), None) => session.change_at(&self.id, version, changes, clock)?,
            (None, parent) => session.edit(&self.id, changes, parent.as_deref(), mode, clock)?,
        })
    }

    /// Applies it: the `edit --json` answer.
    pub fn apply_json(self, ctx: &mut Ctx) -> Result<Value, CommandError> {
        let (tracker, mode, clock) = (ctx.tracker, ctx.mode, ctx.clock);
        let written = self.apply(ctx.take_session(), tracker, mode, clock)?;
        Ok(yit::ops::json::edits(&written.edits, &written.shorts, true))
    }
}

/// `list` as the long-running front ends take it (a query box or
/// parameter, a tool's arguments): the query in yit's query language and
/// how to order and cut its answer. The command line maps its flags onto
/// the same [`ListQuery`].
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct List {
    /// A query in yit's query language; empty lists every issue that is not closed.
    #[serde(default, alias = "q")]
    pub query: String,
    /// The order: priority (default), created (newest first), updated (most recent first) or id.
    #[serde(default)]
    pub sort: Option<SortKey>,
    /// Reverse the order.
    #[serde(default)]
    pub reverse: bool,
    /// At most this many issues.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Include closed issues.
    #[serde(default)]
    pub all: bool,
}

impl List {
    /// The query it asks, ` extra` (`is:ready`) added to its text.
    pub fn query(&self, ctx: &Ctx, extra: &str) -> Result<ListQuery, QueryError> {
        let text = format!("{} {extra}", self.query);
        let mut query = ctx.query(text.trim())?;
        query.sort = self.sort.unwrap_or(SortKey::Priority);
        query.reverse = self.reverse;
        query.limit = self.limit;
        query.all |= self.all;
        Ok(query)
    }
}

/// The `list --json` answer to `query` (details asked by the query), and
/// the problems of files that could not be read, if any.
/// `{"schema_version": 1, "issues": [...]}` (and `problems` when files
/// could not be read), written without building a tree: 10,000 issues with
/// their bodies are 17 MB of JSON, and five times that as a tree.
#[derive(serde::Serialize)]
pub struct ListAnswer<'r, 'a> {
    pub schema_version: u32,
    #[serde(rename = "issues")]
    pub records: &'r [yit::model::record::Record<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<&'r [yit::model::problem::Problem]>,
}

impl<'r, 'a> ListAnswer<'r, 'a> {
    /// The answer of `result`.
    pub fn of(result: &'r yit::query::ListResult<'a>) -> ListAnswer<'r, 'a> {
        ListAnswer {
            schema_version: yit::model::record::SCHEMA_VERSION,
            records: &result.records,
            problems: (result.broken_files > 0).then_some(result.problems.as_slice()),
        }
    }
}

fn unwritable(e: serde_json::Error) -> CommandError {
    CommandError::new(
        crate::front::error::ErrorKind::Internal,
        "could not write the answer",
    )
    .because(&e)
}

/// [`listed`] as the bytes of its JSON, written straight from the
/// records.
pub fn listed_json(ctx: &mut Ctx, query: &yit::query::ListQuery) -> Result<Vec<u8>, CommandError> {
    let mode = ctx.mode;
    ctx.session()
        .list_with(query, mode, |result| {
            // (the records' text, and a little for the keys and quotes)
            let guess: usize = result
                .records
                .iter()
                .map(|r| {
                    let details = r.details.as_deref().map_or(0, |d| {
                        d.body.len() + d.comments.iter().map(|c| c.body.len() + 128).sum::<usize>()
                    });
                    r.title.len() + details + 256
                })
                .sum();
            let mut out = Vec::with_capacity(guess);
            serde_json::to_writer(&mut out, &ListAnswer::of(result)).map(|()| out)
        })?
        .map_err(unwritable)
}

pub fn listed(ctx: &mut Ctx, query: &yit::query::ListQuery) -> Result<Value, CommandError> {
    let mode = ctx.mode;
    ctx.session()
        .list_with(query, mode, |result| {
            serde_json::to_value(ListAnswer::of(result))
        })?
        .map_err(unwritable)
}

/// The `show --json` answer for `id`, and the file's `version` (sent back
/// with an edit, it has the edit refused if the file changed meanwhile).
pub fn shown(ctx: &mut Ctx, id: &str) -> Result<Value, CommandError> {
    let mode = ctx.mode;
    let shown = ctx.session().show(id, mode)?;
    let mut value = yit::ops::shown_json(
        &shown.issue,
        &shown.shorts,
        &shown.related,
        &shown.commits,
        shown.lease.as_ref(),
        ctx.clock.now,
    );
    value["version"] = yit::store::version_of(shown.text.as_bytes()).into();
    Ok(value)
}
