//! What every page is made of: the frame around its content, the boxes
//! that say what went wrong, and how a page's work reaches the library (on
//! a blocking thread, writable or not).

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use yit::model::problem::Problem;
use yit::query::filter::QueryError;

use super::{App, guard, status_of};
use crate::front::Ctx;
use crate::front::error::CommandError;

/// What every page needs besides its content.
pub(super) struct Frame<'a> {
    pub(super) title: &'a str,
    /// The live version the page was made at.
    pub(super) version: u64,
    /// The request carries the token: forms are shown enabled.
    pub(super) writable: bool,
    /// The query box's text.
    pub(super) query: &'a str,
}
pub(super) fn frame(f: &Frame, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (f.title) " · yit" }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body data-version=(f.version) {
                a.skip href="#main" { "Skip to content" }
                header {
                    nav aria-label="yit" {
                        a href="/" { "Board" }
                        a href="/issues" { "Issues" }
                        a href="/new" { "New issue" }
                    }
                    form.search action="/issues" method="get" role="search" {
                        label.visually-hidden for="q" { "Query" }
                        input #q type="search" name="q" value=(f.query)
                            placeholder="label:bug priority:<=1 words…" autocomplete="off";
                    }
                    span #live-state aria-live="polite" {}
                }
                @if !f.writable {
                    p.notice { "Read only: open the address " code { "yit serve" } " printed to make changes." }
                }
                main #main { (content) }
            }
        }
    }
}
pub(super) fn respond(status: StatusCode, page: Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page.into_string(),
    )
        .into_response()
}
pub(super) fn problems_box(problems: &[Problem], broken: usize) -> Markup {
    html! {
        @if broken > 0 {
            section.problems data-live #problems aria-label="Files that could not be read" {
                h2 { (broken) " issue file(s) could not be read" }
                ul {
                    @for p in problems { li { code { (p.to_string()) } } }
                }
                p { code { "yit doctor" } " lists every problem." }
            }
        }
    }
}
pub(super) fn error_box(err: &CommandError) -> Markup {
    html! {
        div.error role="alert" {
            p { strong { "Error: " } (err.message) }
            @for p in err.problems.iter().filter(|p| p.to_string() != err.message) { p { code { (p.to_string()) } } }
            @for c in &err.causes { p.cause { "caused by: " (c) } }
            @for h in &err.hints { p.hint { "hint: " (h) } }
        }
    }
}
pub(super) fn error_page(err: &CommandError, writable: bool, version: u64) -> Response {
    let f = Frame {
        title: "Error",
        version,
        writable,
        query: "",
    };
    respond(
        status_of(err.kind),
        frame(&f, html! { h1 { "Something went wrong" } (error_box(err)) }),
    )
}
/// A query that could not be read, with a caret under its column.
pub(super) fn query_error_box(text: &str, e: &QueryError) -> Markup {
    let caret = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
    html! {
        div.error role="alert" {
            p { strong { "Query error, column " (e.column) ": " } (e.message) }
            pre.caret { (text) "\n" (caret) }
            p { "The query language is described in " code { "docs/query.md" } "." }
        }
    }
}
pub(super) fn writable(app: &App, headers: &HeaderMap) -> bool {
    guard::token_of(headers).is_some_and(|t| t == app.token)
}
/// Runs `render` on a blocking thread; an error becomes an error page.
pub(super) async fn page(
    app: &Arc<App>,
    writable: bool,
    render: impl FnOnce(&mut Ctx) -> Result<Response, CommandError> + Send + 'static,
) -> Response {
    match app.with_session(render).await {
        Ok(response) => response,
        Err(err) => error_page(&err, writable, app.live.version()),
    }
}
