//! The forms' answers: what a posted form asks for, mapped onto the typed
//! requests every front end shares (`front::request`), done, then back to
//! the issue; or refused, then the page again with the person's text kept
//! and why.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yit::model::config::Config;
use yit::model::issue::Issue;
use yit::ops::{Clock, Session};
use yit::store::StoreError;

use super::App;
use super::layout::page;
use super::pages::{EditForm, Kept, NewForm, issue_page, new_page};
use crate::front::Ctx;
use crate::front::error::{CommandError, ErrorKind};
use crate::front::request::{FieldEdit, NewIssue, person};

/// Labels as typed, comma-separated, without blanks.
fn labels_of(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}
/// `me`, nobody (empty), or a person as typed.
fn assignee_of(ctx: &Ctx, text: &str) -> Result<Option<String>, CommandError> {
    person(ctx.tracker, Some(text.trim()).filter(|t| !t.is_empty()))
}
/// The edit the fields form asks for: the fields whose value differs from
/// `current`'s (a form sends every field).
fn edit_of(ctx: &Ctx, current: &Issue, form: &EditForm) -> Result<FieldEdit, CommandError> {
    let differs = |given: &Option<String>, now: &str| {
        given
            .as_ref()
            .map(|g| g.trim())
            .filter(|g| *g != now)
            .map(str::to_owned)
    };
    let priority = match &form.priority {
        Some(p) => Some(Config::parse_priority(p)?).filter(|p| *p != current.priority),
        None => None,
    };
    let assignee = match &form.assignee {
        Some(a) => Some(assignee_of(ctx, a)?).filter(|a| *a != current.assignee),
        None => None,
    };
    let (add_labels, remove_labels) = match &form.labels {
        Some(l) => {
            let wanted = labels_of(l);
            let added = wanted.iter().filter(|l| !current.labels.contains(l));
            let removed = current.labels.iter().filter(|l| !wanted.contains(l));
            (added.cloned().collect(), removed.cloned().collect())
        }
        None => (Vec::new(), Vec::new()),
    };
    // browsers send text areas with CRLF line ends
    let body = (form.body.as_ref())
        .map(|b| b.replace("\r\n", "\n"))
        .filter(|b| b.trim_end() != current.body.trim_end());
    Ok(FieldEdit {
        id: current.id.to_string(),
        title: differs(&form.title, &current.title),
        status: differs(&form.status, &current.status),
        priority,
        kind: differs(&form.kind, &current.kind),
        body,
        add_labels,
        remove_labels,
        assignee,
        parent: None,
        version: Some(form.version.clone()),
    })
}
/// After a form: back to the issue, or its page again with the person's
/// text kept and why it was refused.
fn after(
    ctx: &mut Ctx,
    id: &str,
    done: Result<(), CommandError>,
    kept: impl FnOnce(CommandError) -> Kept,
) -> Result<Response, CommandError> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/issues/{id}")).into_response()),
        Err(err) if matches!(err.kind, ErrorKind::NotFound | ErrorKind::Ambiguous) => Err(err),
        Err(err) => issue_page(ctx, id, true, kept(err)),
    }
}
/// `POST /issues/ID/edit`: refused (409, the text kept) when the file
/// changed since the form was made. The page then shows the issue as it
/// is now above the person's text, and the form carries the new version:
/// saving again replaces it, knowingly.
pub async fn edit(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> Response {
    page(&app, true, move |ctx| {
        let resolved = ctx.session().resolve(&id)?;
        let (current, _) = ctx.tracker.load_with_text(&resolved)?;
        // a value refused is shown on the page, with the person's text
        let changes = edit_of(ctx, &current, &form).and_then(|edit| edit.changes(ctx.tracker));
        let done = match changes {
            Ok(changes) if changes.is_empty() => Ok(()),
            Ok(changes) => {
                let session = ctx.take_session();
                match session.change_at(resolved.as_str(), &form.version, changes, ctx.clock) {
                    Err(StoreError::Changed { .. }) => return stale(ctx, &id, form),
                    done => done.map(drop).map_err(CommandError::from),
                }
            }
            Err(e) => Err(e),
        };
        after(ctx, &id, done, |error| Kept {
            edit: Some(form),
            error: Some(error),
            ..Kept::default()
        })
    })
    .await
}
/// The page of an edit refused because the file changed since its form
/// was made (409): the issue as it is now, the person's text below it,
/// and the form at the version shown, so that saving again replaces it.
fn stale(ctx: &mut Ctx, id: &str, mut form: EditForm) -> Result<Response, CommandError> {
    let err = CommandError::new(
        ErrorKind::Refused,
        "this issue changed since the page was opened; nothing was saved, and your text is kept below",
    )
    .hint("the issue as it is now is shown above; saving again replaces it");
    // (an empty version: the page's own)
    form.version = String::new();
    let kept = Kept {
        edit: Some(form),
        error: Some(err),
        ..Kept::default()
    };
    issue_page(ctx, id, true, kept)
}
/// A change a button or a short form asks for: done, then back to the
/// issue; refused, then its page again with why (and `kept`, a comment's
/// text).
async fn act(
    app: &Arc<App>,
    id: String,
    kept: Option<String>,
    op: impl for<'t> FnOnce(Session<'t>, &str, Clock) -> Result<(), StoreError> + Send + 'static,
) -> Response {
    page(app, true, move |ctx| {
        let done = op(ctx.take_session(), &id, ctx.clock).map_err(CommandError::from);
        after(ctx, &id, done, |error| Kept {
            comment: kept,
            error: Some(error),
            ..Kept::default()
        })
    })
    .await
}
#[derive(Deserialize)]
pub struct CommentForm {
    body: String,
}
/// `POST /issues/ID/comment`.
pub async fn comment(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Response {
    // browsers send text areas with CRLF line ends
    let body = form.body.replace("\r\n", "\n");
    act(&app, id, Some(body.clone()), move |session, id, clock| {
        session.comment(id, body, clock).map(drop)
    })
    .await
}
#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    reason: String,
}
/// `POST /issues/ID/close`: the reason (if any) becomes a comment.
pub async fn close(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Form(form): Form<CloseForm>,
) -> Response {
    act(&app, id, None, move |session, id, clock| {
        let reason = Some(form.reason.trim()).filter(|r| !r.is_empty());
        session
            .close(&[id.to_owned()], None, reason, clock)
            .map(drop)
    })
    .await
}
/// `POST /issues/ID/reopen`.
pub async fn reopen(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    act(&app, id, None, |session, id, clock| {
        session.reopen(&[id.to_owned()], clock).map(drop)
    })
    .await
}
/// `POST /issues/ID/claim`: refused (409) when someone else holds it.
pub async fn claim(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    act(&app, id, None, |session, id, clock| {
        session.claim(id, false, false, clock).map(drop)
    })
    .await
}
/// `POST /new`: creates the issue and goes to its page; a refused form is
/// shown again with what was typed.
pub async fn create(State(app): State<Arc<App>>, Form(form): Form<NewForm>) -> Response {
    page(&app, true, move |ctx| {
        let created = (|| {
            let new = NewIssue {
                title: form.title.trim().to_owned(),
                body: form.body.replace("\r\n", "\n"),
                labels: labels_of(&form.labels),
                priority: match form.priority.trim() {
                    "" => None,
                    p => Some(Config::parse_priority(p)?),
                },
                kind: Some(form.kind.clone()).filter(|k| !k.is_empty()),
                assignee: Some(form.assignee.trim().to_owned()).filter(|a| !a.is_empty()),
                parent: Some(form.parent.trim().to_owned()).filter(|p| !p.is_empty()),
                ..NewIssue::default()
            };
            let created = new.create(ctx)?;
            Ok::<_, CommandError>(created.issue.id)
        })();
        match created {
            Ok(id) => Ok(Redirect::to(&format!("/issues/{id}")).into_response()),
            Err(err) => Ok(new_page(ctx, &form, Some(&err), true)),
        }
    })
    .await
}
