//! `yit serve`: the web front end. A board, a list with the query language,
//! issue pages with forms, a JSON API under `/api`, and pages that follow
//! every change to the files live (server-sent events fed by the watcher).
//!
//! The async runtime (tokio, axum) lives here only, at the edge: every
//! request opens the tracker and calls the synchronous library on a
//! blocking thread, through the same [`yit::ops::Session`] the command
//! line uses, so a page answers exactly what `yit list` or `yit show`
//! would. The server owns its watcher thread, its runtime and its
//! listener; it ends cleanly on SIGINT, SIGTERM or its lifeline, joining
//! what it started.

mod api;
mod events;
mod forms;
mod guard;
mod layout;
mod listen;
mod markdown;
mod pages;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::front::error::{CommandError, ErrorKind};
use crate::front::live::{Live, Watch};
use crate::front::stop::{Stopping, runtime};
use crate::front::{Ctx, Front};
use axum::Router;
use axum::routing::{get, post};

/// What `yit serve` was asked for.
pub struct Options {
    pub front: crate::front::Options,
    pub bind: IpAddr,
    pub port: u16,
    /// Connections served at once (`--max-connections`); `None`: half the
    /// descriptors this process may open, at most 512.
    pub max_connections: Option<usize>,
}

/// What every request shares.
pub struct App {
    front: Arc<Front>,
    /// The secret that writes need (`?token=` once, then a cookie, or a
    /// header from a program).
    token: String,
    /// `Host` values this server answers to.
    hosts: Vec<String>,
    live: Live,
    /// Its timeouts (a request's deadline, the patience of new work).
    limits: listen::Limits,
    /// Answers made and not yet sent to their clients.
    unsent: Arc<listen::Unsent>,
}

/// The largest request body accepted (a form or JSON): an issue file is at
/// most config.yaml's `max_file_size` (1 MiB by default).
const BODY_LIMIT: usize = 2 << 20;

impl App {
    /// Calls `f` on a blocking thread with a session on the tracker
    /// ([`Front::run`]).
    async fn with_session<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Ctx) -> Result<T, CommandError> + Send + 'static,
    ) -> Result<T, CommandError> {
        // no new answer while those made wait for slow clients past the
        // budget (their memory is what a burst would grow)
        if !self.unsent.room(self.limits.header_timeout).await {
            return Err(CommandError::new(
                ErrorKind::Busy,
                "the server is busy: its answers wait for their clients",
            )
            .hint("try again in a moment"));
        }
        self.front.run_blocking(self.live.version(), f).await
    }
}

/// Serves until SIGINT, SIGTERM or the lifeline ends it; `started` hears
/// the address first (the URL to open is printed from it).
pub fn serve(options: Options, started: impl FnOnce(&str)) -> Result<(), CommandError> {
    // the tracker must open here and now, before anything listens
    let front = Arc::new(Front::start(options.front)?);
    let runtime = runtime("yit-serve")?;
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| {
            CommandError::user(format!("cannot listen on {addr}"))
                .because(&e)
                .hint("pass another --port, or --port 0 for any free one")
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| CommandError::new(ErrorKind::Internal, "no local address").because(&e))?;
    let limits = listen::Limits::new(
        options
            .max_connections
            .unwrap_or_else(listen::default_connections),
    );
    let watcher = Watch::start(front.issues_dir())?;
    let app = Arc::new(App {
        limits,
        unsent: Arc::default(),
        token: guard::new_token()?,
        hosts: guard::hosts_of(addr),
        live: watcher.live(),
        front,
    });
    started(&format!(
        "http://{}/?token={}",
        guard::host_of(addr),
        app.token
    ));
    let served = runtime.block_on(async move {
        let stopping = Stopping::new()?;
        // event streams end with the stop, so the graceful end can finish
        let router = router(app, stopping.receiver());
        listen::serve(listener, router, limits, stopping.wait()).await;
        Ok(())
    });
    // the watcher's thread is joined before the runtime's go
    watcher.stop();
    runtime.shutdown_timeout(Duration::from_secs(5));
    served
}

fn router(app: Arc<App>, stop: tokio::sync::watch::Receiver<bool>) -> Router {
    Router::new()
        .route("/", get(pages::board))
        .route("/issues", get(pages::list))
        .route("/new", get(pages::new_form).post(forms::create))
        .route("/issues/{id}", get(pages::issue))
        .route("/issues/{id}/edit", post(forms::edit))
        .route("/issues/{id}/comment", post(forms::comment))
        .route("/issues/{id}/close", post(forms::close))
        .route("/issues/{id}/reopen", post(forms::reopen))
        .route("/issues/{id}/claim", post(forms::claim))
        .route("/assets/{name}", get(pages::asset))
        .route("/events", get(events::events))
        .route("/api/issues", get(api::list).post(api::create))
        .route("/api/board", get(api::board))
        .route("/api/issues/{id}", get(api::show).patch(api::edit))
        .route("/api/issues/{id}/comments", post(api::comment))
        .route("/api/issues/{id}/close", post(api::close))
        .route("/api/issues/{id}/reopen", post(api::reopen))
        .route("/api/issues/{id}/claim", post(api::claim))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            listen::count_unsent,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            guard::check,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::Extension(stop))
        .with_state(app)
}

/// The HTTP status of a command's error.
fn status_of(kind: ErrorKind) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    match kind {
        ErrorKind::User | ErrorKind::Usage | ErrorKind::Ambiguous => StatusCode::BAD_REQUEST,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Refused => StatusCode::CONFLICT,
        ErrorKind::LockTimeout | ErrorKind::Busy => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::NotInitialized
        | ErrorKind::Partial
        | ErrorKind::Internal
        | ErrorKind::BrokenPipe => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
