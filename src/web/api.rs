//! The JSON API under `/api`: the same records and envelope as the command
//! line's `--json` (docs/format.md, "The web API"), errors as its JSON
//! errors with an HTTP status for their kind. Writes need the server's
//! token (`X-Yit-Token` or `Authorization: Bearer`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yit::model::record::envelope;
use yit::ops::Written;

use super::{App, status_of};
use crate::front::Ctx;
use crate::front::error::CommandError;
use crate::front::request::{FieldEdit, List, NewIssue, listed_json, shown};

fn answer(result: Result<serde_json::Value, CommandError>) -> Response {
    match result {
        Ok(fields) => Json(envelope(fields)).into_response(),
        Err(err) => (status_of(err.kind), Json(err.json())).into_response(),
    }
}

async fn run(
    app: &Arc<App>,
    f: impl FnOnce(&mut Ctx) -> Result<serde_json::Value, CommandError> + Send + 'static,
) -> Response {
    answer(app.with_session(f).await)
}

/// A JSON body; one that cannot be read is a usage error in JSON with the
/// rejection's status (400, 413 too large, 415 not JSON, 422 wrong fields).
pub struct Body<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Response> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(t)) => Ok(Body(t)),
            Err(rejection) => {
                let err =
                    CommandError::usage(format!("the request body: {}", rejection.body_text()));
                Err((rejection.status(), Json(err.json())).into_response())
            }
        }
    }
}

/// Query parameters; ones that cannot be read are a usage error in JSON.
pub struct Params<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Response> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(t)) => Ok(Params(t)),
            Err(e) => Err(answer(Err(CommandError::usage(e.body_text())))),
        }
    }
}

/// The query a `q` parameter holds.
fn query_of(ctx: &Ctx, text: &str) -> Result<yit::query::ListQuery, CommandError> {
    Ok(ctx.query(text)?)
}

/// `GET /api/issues?q=QUERY`: as `yit list QUERY --json`.
pub async fn list(State(app): State<Arc<App>>, Params(list): Params<List>) -> Response {
    let answer = app
        .with_session(move |ctx| {
            let mut query = list.query(ctx, "")?;
            query.details = true;
            listed_json(ctx, &query)
        })
        .await;
    match answer {
        Ok(bytes) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response(),
        Err(err) => (status_of(err.kind), Json(err.json())).into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /api/board?q=QUERY&limit=N`: as `yit board QUERY -n N --json`.
pub async fn board(State(app): State<Arc<App>>, Params(params): Params<BoardParams>) -> Response {
    run(&app, move |ctx| {
        let mut query = query_of(ctx, &params.q)?;
        query.limit = Some(params.limit.unwrap_or(20));
        let mut answers = yit::ops::Answers::default();
        let mode = ctx.mode;
        let columns = ctx.session().board(&query, mode, &mut answers)?;
        Ok(yit::ops::board_json(&columns))
    })
    .await
}

/// `GET /api/issues/ID`: as `yit show ID --json`, and the file's
/// `version` (send it back with an edit to have it refused if the file
/// changed meanwhile).
pub async fn show(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    run(&app, move |ctx| shown(ctx, &id)).await
}

fn issue_of(written: Written) -> serde_json::Value {
    yit::ops::json::edits(&written.edits, &written.shorts, true)
}

/// `POST /api/issues`: as `yit new --json`.
pub async fn create(State(app): State<Arc<App>>, Body(new): Body<NewIssue>) -> Response {
    run(&app, move |ctx| new.create_json(ctx)).await
}

/// `PATCH /api/issues/ID`: as `yit edit ID ... --json` (the body's keys
/// are `edit`'s, the id is the path's); 409 when `version` is given and
/// the file changed since.
pub async fn edit(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Body(body): Body<serde_json::Map<String, serde_json::Value>>,
) -> Response {
    let mut body = body;
    if body.contains_key("id") {
        return answer(Err(CommandError::usage(
            "the request body: the issue is the path's, not an `id` key",
        )));
    }
    body.insert("id".to_owned(), id.into());
    let edit: FieldEdit = match serde_json::from_value(serde_json::Value::Object(body)) {
        Ok(edit) => edit,
        Err(e) => {
            let err = CommandError::usage(format!("the request body: {e}"));
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(err.json())).into_response();
        }
    };
    run(&app, move |ctx| edit.apply_json(ctx)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    body: String,
}

/// `POST /api/issues/ID/comments`: as `yit comment ID TEXT --json`.
pub async fn comment(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Body(c): Body<NewComment>,
) -> Response {
    run(&app, move |ctx| {
        let written = ctx.take_session().comment(&id, c.body, ctx.clock)?;
        Ok(issue_of(written))
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Closing {
    #[serde(default)]
    reason: Option<String>,
    /// A closed status other than the configuration's first.
    #[serde(default, rename = "as")]
    status: Option<String>,
}

/// `POST /api/issues/ID/close`: as `yit close ID --json` (an empty body
/// is no reason).
pub async fn close(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    given: Option<Json<Closing>>,
) -> Response {
    let c = given.map(|Json(c)| c).unwrap_or_default();
    run(&app, move |ctx| {
        let written = ctx.take_session().close(
            std::slice::from_ref(&id),
            c.status.as_deref(),
            c.reason.as_deref(),
            ctx.clock,
        )?;
        Ok(issue_of(written))
    })
    .await
}

/// `POST /api/issues/ID/reopen`.
pub async fn reopen(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    run(&app, move |ctx| {
        let written = ctx
            .take_session()
            .reopen(std::slice::from_ref(&id), ctx.clock)?;
        Ok(issue_of(written))
    })
    .await
}

/// `POST /api/issues/ID/claim`: as `yit claim ID --json`; 409 naming the
/// holder when someone else holds it.
pub async fn claim(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    run(&app, move |ctx| {
        let claimed = ctx.take_session().claim(&id, false, false, ctx.clock)?;
        let mut value = issue_of(claimed.written);
        value["lease"] = yit::ops::json::lease(&claimed.taken.lease, ctx.clock.now);
        Ok(value)
    })
    .await
}
