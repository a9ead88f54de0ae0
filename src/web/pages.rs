//! The HTML pages: the board, the list, an issue and the new-issue form
//! (their frame is `layout`'s; the forms' answers are `forms`'). Every
//! page reads without JavaScript (forms post and redirect); the script
//! only adds live updates and dragging cards. maud escapes every value;
//! bodies and comments go through [`super::markdown::render`].

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use yit::model::config::Config;
use yit::model::deps::Link;
use yit::model::issue::{self, Issue};
use yit::model::record::Record;
use yit::ops::{Column, IssueLog, Shown};
use yit::query::SortKey;

use super::layout::{
    Frame, error_box, error_page, frame, page, problems_box, query_error_box, respond, writable,
};
use super::{App, status_of};
use crate::front::Ctx;
use crate::front::error::{CommandError, ErrorKind};
use crate::front::request::List;

/// Cards a board column shows (the column says how many it holds).
const CARDS: usize = 100;
/// Rows the list shows at most (it says how many matched).
const ROWS: usize = 500;

const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// `GET /assets/NAME`: the script and the style sheet, from the binary.
pub async fn asset(Path(name): Path<String>) -> Response {
    let (body, kind) = match name.as_str() {
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        _ => return not_found().await,
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub async fn not_found() -> Response {
    let err = CommandError::new(ErrorKind::NotFound, "no such page");
    error_page(&err, false, 0)
}

#[derive(Deserialize, Default)]
pub struct BoardParams {
    #[serde(default)]
    q: String,
}

/// `GET /`: a column per status, cards by priority (closed: newest first).
pub async fn board(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(p): Query<BoardParams>,
) -> Response {
    let w = writable(&app, &headers);
    page(&app, w, move |ctx| {
        let f = Frame {
            title: "Board",
            version: ctx.version,
            writable: w,
            query: &p.q,
        };
        let mut query = match ctx.query(&p.q) {
            Ok(q) => q,
            Err(e) => {
                let content = html! { h1 { "Board" } (query_error_box(&p.q, &e)) };
                return Ok(respond(StatusCode::BAD_REQUEST, frame(&f, content)));
            }
        };
        query.limit = Some(CARDS);
        let mut answers = yit::ops::Answers::default();
        let mode = ctx.mode;
        let columns = ctx.session().board(&query, mode, &mut answers)?;
        let (problems, broken) = columns
            .first()
            .map(|c| (c.result.problems.as_slice(), c.result.broken_files))
            .unwrap_or_default();
        let content = html! {
            h1.visually-hidden { "Board" }
            (problems_box(problems, broken))
            div.board #board data-live data-writable=(w) {
                @for c in &columns { (column(c)) }
            }
            @if w {
                p.help { "Drag a card to another column, or focus it and press Shift+← / Shift+→, to change its status." }
            } @else {
                p.help { "Read-only: open the address `yit serve` printed (with its token) to change statuses here." }
            }
        };
        Ok(respond(StatusCode::OK, frame(&f, content)))
    })
    .await
}

fn column(c: &Column) -> Markup {
    let count = c.result.matched.unwrap_or(c.result.records.len());
    let more = count.saturating_sub(c.result.records.len());
    html! {
        section.column data-status=(c.status) data-role=(c.role) aria-label=(c.status) {
            h2 { (c.status) " " span.count { (count) } }
            ol.cards {
                @for r in &c.result.records { li { (card(r)) } }
            }
            @if more > 0 {
                a.more href={ "/issues?q=status:" (c.status) } { (more) " more" }
            }
        }
    }
}

fn card(r: &Record) -> Markup {
    html! {
        a.card href={ "/issues/" (r.id) } data-id=(r.id) data-status=(r.status) draggable="false" {
            span.id { (r.short_id) }
            " "
            span class={ "pri p" (r.priority) } { "P" (r.priority) }
            " "
            span.title { (r.title) }
            @if r.labels.iter().next().is_some() {
                span.labels { @for l in r.labels.iter() { span.label { (l) } } }
            }
            @if let Some(a) = &r.assignee { span.assignee { (issue::person_short(a)) } }
        }
    }
}

/// The list page's query string, read into a [`List`] request (the box
/// unchecked when `reverse` is absent: a form sends no unchecked box).
#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    /// Read as every front end reads an order's name (a bad one is refused).
    #[serde(default)]
    sort: Option<SortKey>,
    #[serde(default)]
    reverse: Option<String>,
}

/// `GET /issues`: the issues a query finds, sorted as asked.
pub async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(p): Query<ListParams>,
) -> Response {
    let w = writable(&app, &headers);
    page(&app, w, move |ctx| {
        let f = Frame {
            title: "Issues",
            version: ctx.version,
            writable: w,
            query: &p.q,
        };
        let sort = p.sort.unwrap_or(SortKey::Priority);
        let controls = html! {
            form.list-controls action="/issues" method="get" {
                label { "Query " input type="search" name="q" value=(p.q) size="40"; }
                label { "Sort "
                    select name="sort" {
                        @for (key, value, name) in [(SortKey::Priority, "priority", "priority"), (SortKey::Created, "created", "newest"), (SortKey::Updated, "updated", "recently updated"), (SortKey::Id, "id", "id")] {
                            option value=(value) selected[sort == key] { (name) }
                        }
                    }
                }
                label { input type="checkbox" name="reverse" value="1" checked[p.reverse.is_some()]; " reversed" }
                button type="submit" { "Apply" }
            }
        };
        let list = List {
            query: p.q.clone(),
            sort: Some(sort),
            reverse: p.reverse.is_some(),
            limit: Some(ROWS),
            all: false,
        };
        let mut query = match list.query(ctx, "") {
            Ok(q) => q,
            Err(e) => {
                let content = html! { h1 { "Issues" } (controls) (query_error_box(&p.q, &e)) };
                return Ok(respond(StatusCode::BAD_REQUEST, frame(&f, content)));
            }
        };
        query.count = true;
        let mut answers = yit::ops::Answers::default();
        let mode = ctx.mode;
        let result = ctx.session().list(&query, mode, &mut answers)?;
        let matched = result.matched.unwrap_or(result.records.len());
        let content = html! {
            h1 { "Issues" }
            (controls)
            (problems_box(&result.problems, result.broken_files))
            div #results data-live {
                p.count { (matched) " issue(s)" @if matched > result.records.len() { ", the first " (result.records.len()) " shown" } }
                @if !result.records.is_empty() {
                    table.issues {
                        thead { tr { th { "ID" } th { "Pri" } th { "Status" } th { "Type" } th { "Assignee" } th { "Title" } th { "Labels" } } }
                        tbody {
                            @for r in &result.records {
                                tr data-id=(r.id) {
                                    td { a.id href={ "/issues/" (r.id) } { (r.short_id) } }
                                    td { span class={ "pri p" (r.priority) } { "P" (r.priority) } }
                                    td { (r.status) }
                                    td { (r.kind) }
                                    td { (r.assignee.as_deref().map_or("-", issue::person_short)) }
                                    td { a href={ "/issues/" (r.id) } { (r.title) } }
                                    td { @for l in r.labels.iter() { span.label { (l) } " " } }
                                }
                            }
                        }
                    }
                }
            }
        };
        Ok(respond(StatusCode::OK, frame(&f, content)))
    })
    .await
}

/// What a refused form keeps: the person's text, and why it was refused.
#[derive(Default)]
pub(super) struct Kept {
    pub(super) edit: Option<EditForm>,
    pub(super) comment: Option<String>,
    pub(super) error: Option<CommandError>,
}

/// `GET /issues/ID`.
pub async fn issue(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let w = writable(&app, &headers);
    page(&app, w, move |ctx| issue_page(ctx, &id, w, Kept::default())).await
}

pub(super) fn issue_page(
    ctx: &mut Ctx,
    input: &str,
    w: bool,
    kept: Kept,
) -> Result<Response, CommandError> {
    let mode = ctx.mode;
    let shown = ctx.session().show(input, mode)?;
    let log = ctx.session().log(shown.issue.id.as_str(), true).ok();
    let status = match &kept.error {
        Some(err) => status_of(err.kind),
        None => StatusCode::OK,
    };
    let f = Frame {
        title: &shown.issue.title,
        version: ctx.version,
        writable: w,
        query: "",
    };
    let content = issue_content(ctx.tracker.config(), &shown, log.as_ref(), w, &kept);
    Ok(respond(status, frame(&f, content)))
}

fn when(t: jiff::Timestamp) -> Markup {
    html! { time datetime=(t.to_string()) { (t.strftime("%Y-%m-%d %H:%M UTC").to_string()) } }
}

fn link_list(title: &str, links: &[Link]) -> Markup {
    html! {
        @if !links.is_empty() {
            h3 { (title) }
            ul.links {
                @for l in links {
                    li {
                        a.id href={ "/issues/" (l.id) } { (l.short_id) }
                        " "
                        @match (&l.title, &l.status) {
                            (Some(t), Some(s)) => { span.status { (s) } " " (t) }
                            _ => { em { "(no valid issue has this id)" } }
                        }
                    }
                }
            }
        }
    }
}

fn issue_content(
    config: &Config,
    shown: &Shown,
    log: Option<&IssueLog>,
    w: bool,
    kept: &Kept,
) -> Markup {
    let i = &shown.issue;
    let short = shown.shorts.of(&i.id);
    let version = yit::store::version_of(shown.text.as_bytes());
    let closed = config.is_closed(&i.status);
    let edit = kept.edit.as_ref();
    let labels = i.labels.join(", ");
    let related = &shown.related;
    html! {
        article.issue {
            div #view data-live data-file-version=(version) {
                h1 { span.id { (short) } " " span.title { (i.title) } " " span class={ "badge " @if closed { "closed" } @else { "open" } } { (i.status) } }
                dl.fields {
                    dt { "Priority" } dd { span class={ "pri p" (i.priority) } { "P" (i.priority) } }
                    dt { "Type" } dd { (i.kind) }
                    dt { "Labels" } dd { @if i.labels.is_empty() { "-" } @for l in &i.labels { span.label { (l) } " " } }
                    dt { "Assignee" } dd.assignee { (i.assignee.as_deref().unwrap_or("-")) }
                    @if let Some(l) = shown.lease.as_ref().filter(|l| l.state == yit::model::lease::State::Held) {
                        dt { "Claimed by" }
                        dd.claim {
                            (l.holder) " (token " (l.token) ", from " (l.taken_at)
                            @if l.offline { ", offline" }
                            ", "
                            @match l.expires { Some(at) => { "until " (when(at)) }, None => { "until released" } }
                            ")"
                        }
                    }
                    dt { "Author" } dd { (i.author.as_deref().unwrap_or("-")) }
                    dt { "Created" } dd { (when(i.created)) }
                    dt { "Updated" } dd { (when(i.updated)) }
                    dt { "Id" } dd { code { (i.id) } }
                    @if let Some(n) = yit::model::github::number_of(i) {
                        dt { "GitHub" } dd { "#" (n) }
                    }
                    // keys a person or another tool added, as `yit show` lists them
                    @for (key, value) in &i.extra {
                        dt.extra { (key) }
                        dd.extra { @match value { serde_json::Value::String(s) => (s), other => code { (other.to_string()) } } }
                    }
                }
                section.body aria-label="Description" {
                    @if i.body.trim().is_empty() { p.empty { "No description." } }
                    @else { (PreEscaped(super::markdown::render(&i.body))) }
                }
                section.related aria-label="Related issues" {
                    @if let Some(p) = &related.parent { (link_list("Parent", std::slice::from_ref(p))) }
                    (link_list("Waits for", &related.depends_on))
                    (link_list("Blocks", &related.blocks))
                    (link_list("Children", &related.children))
                }
                section.comments aria-label="Comments" {
                    h2 { "Comments (" (i.comments.len()) ")" }
                    @for c in &i.comments {
                        article.comment #{ "comment-" (c.id) } {
                            header { strong { (c.author.as_deref().map_or("?", issue::person_short)) } " " (when(c.created)) }
                            (PreEscaped(super::markdown::render(&c.body)))
                        }
                    }
                }
                @if !shown.commits.is_empty() {
                    section.commits aria-label="Commits that mention it" {
                        h2 { "Commits that mention it" }
                        ul { @for c in &shown.commits { li { code { (c.id.get(..10).unwrap_or(&c.id)) } " " (c.kind.word()) " " (c.summary) } } }
                    }
                }
                @if let Some(log) = log {
                    @if !log.entries.is_empty() {
                        section.history aria-label="History" {
                            h2 { "History" }
                            ol {
                                @for e in &log.entries {
                                    li {
                                        code { (e.commit.get(..10).unwrap_or(&e.commit)) } " "
                                        (issue::person_short(&e.author)) " "
                                        @if let Some(t) = jiff::Timestamp::from_second(e.time).ok() { (when(t)) } " "
                                        (e.summary)
                                        @if !e.changes.is_empty() { ul { @for c in &e.changes { li { (c) } } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p #stale.stale hidden role="status" {
                "This issue changed since this page was opened. Saving an edit now is refused, and your text stays in the form; "
                a href={ "/issues/" (i.id) } { "reload" } " to edit the new version."
            }
            @if let Some(err) = &kept.error { (error_box(err)) }
            @if w { (issue_forms(config, i, &version, closed, edit, kept.comment.as_deref(), &labels)) }
        }
    }
}

fn issue_forms(
    config: &Config,
    i: &Issue,
    version: &str,
    closed: bool,
    edit: Option<&EditForm>,
    comment: Option<&str>,
    labels: &str,
) -> Markup {
    // a refused edit keeps what the person wrote, and the version it was
    // made from (unless the file changed: then the version shown above)
    let version = edit
        .map(|e| e.version.as_str())
        .filter(|v| !v.is_empty())
        .unwrap_or(version);
    let pick = |kept: Option<&String>, now: &str| kept.cloned().unwrap_or_else(|| now.to_owned());
    let title = pick(edit.and_then(|e| e.title.as_ref()), &i.title);
    let status = pick(edit.and_then(|e| e.status.as_ref()), &i.status);
    let kind = pick(edit.and_then(|e| e.kind.as_ref()), &i.kind);
    let priority = pick(
        edit.and_then(|e| e.priority.as_ref()),
        &i.priority.to_string(),
    );
    let assignee = pick(
        edit.and_then(|e| e.assignee.as_ref()),
        i.assignee.as_deref().unwrap_or(""),
    );
    let labels = pick(edit.and_then(|e| e.labels.as_ref()), labels);
    let body = pick(edit.and_then(|e| e.body.as_ref()), &i.body);
    let action = format!("/issues/{}", i.id);
    html! {
        section.forms aria-label="Change this issue" {
            div.actions {
                @if closed {
                    form method="post" action={ (action) "/reopen" } { button type="submit" { "Reopen" } }
                } @else {
                    form method="post" action={ (action) "/claim" } { button type="submit" { "Claim" } }
                    form.close method="post" action={ (action) "/close" } {
                        label { "Reason " input type="text" name="reason" placeholder="optional"; }
                        button type="submit" { "Close" }
                    }
                }
            }
            form.edit #edit-fields method="post" action={ (action) "/edit" } {
                h2 { "Edit" }
                input type="hidden" name="version" value=(version);
                label { "Title" input type="text" name="title" value=(title) required; }
                label { "Status"
                    select name="status" { @for s in &config.statuses { option selected[s.name == status] { (s.name) } } }
                }
                label { "Priority"
                    select name="priority" { @for p in 0..=yit::model::config::LOWEST_PRIORITY { option value=(p) selected[p.to_string() == priority] { "P" (p) } } }
                }
                label { "Type"
                    select name="kind" { @for t in &config.types { option selected[*t == kind] { (t) } } }
                }
                label { "Assignee" input type="text" name="assignee" value=(assignee) placeholder="me, Name <email>, or empty"; }
                label { "Labels" input type="text" name="labels" value=(labels) placeholder="comma-separated"; }
                label { "Description" textarea name="body" rows="10" { (body) } }
                button type="submit" { "Save" }
            }
            form.comment #comment-form method="post" action={ (action) "/comment" } {
                h2 { "Comment" }
                label.visually-hidden for="comment-body" { "Comment" }
                textarea #comment-body name="body" rows="5" required { (comment.unwrap_or("")) }
                button type="submit" { "Comment" }
            }
        }
    }
}

/// The fields form of an issue page: every field, and the version of the
/// file it was made from.
#[derive(Deserialize, Default, Clone)]
pub(super) struct EditForm {
    pub(super) version: String,
    pub(super) title: Option<String>,
    pub(super) status: Option<String>,
    pub(super) priority: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) assignee: Option<String>,
    pub(super) labels: Option<String>,
    pub(super) body: Option<String>,
}

/// The new-issue form's fields.
#[derive(Deserialize, Default)]
pub(super) struct NewForm {
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) body: String,
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) priority: String,
    #[serde(default)]
    pub(super) labels: String,
    #[serde(default)]
    pub(super) assignee: String,
    #[serde(default)]
    pub(super) parent: String,
}

pub(super) fn new_page(
    ctx: &Ctx,
    form: &NewForm,
    error: Option<&CommandError>,
    w: bool,
) -> Response {
    let config = ctx.tracker.config();
    let f = Frame {
        title: "New issue",
        version: ctx.version,
        writable: w,
        query: "",
    };
    let priority = if form.priority.is_empty() {
        config.default_priority.to_string()
    } else {
        form.priority.clone()
    };
    let kind = if form.kind.is_empty() {
        config.default_type.clone()
    } else {
        form.kind.clone()
    };
    let content = html! {
        h1 { "New issue" }
        @if let Some(err) = error { (error_box(err)) }
        form.edit #new-issue method="post" action="/new" {
            label { "Title" input type="text" name="title" value=(form.title) required autofocus; }
            label { "Type" select name="kind" { @for t in &config.types { option selected[*t == kind] { (t) } } } }
            label { "Priority" select name="priority" { @for p in 0..=yit::model::config::LOWEST_PRIORITY { option value=(p) selected[p.to_string() == priority] { "P" (p) } } } }
            label { "Labels" input type="text" name="labels" value=(form.labels) placeholder="comma-separated"; }
            label { "Assignee" input type="text" name="assignee" value=(form.assignee) placeholder="me, Name <email>, or empty"; }
            label { "Parent" input type="text" name="parent" value=(form.parent) placeholder="an id or prefix"; }
            label { "Description" textarea name="body" rows="12" { (form.body) } }
            button type="submit" disabled[!w] { "Create" }
        }
    };
    let status = error.map_or(StatusCode::OK, |e| status_of(e.kind));
    respond(status, frame(&f, content))
}

/// `GET /new`.
pub async fn new_form(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let w = writable(&app, &headers);
    page(&app, w, move |ctx| {
        Ok(new_page(ctx, &NewForm::default(), None, w))
    })
    .await
}
