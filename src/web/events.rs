//! `GET /events`: the pages' stream of changes (server-sent events): first
//! the number the server is at, then each batch of changes as it comes; it
//! ends when the server stops, so open pages never hold it up.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::{broadcast, watch};

use super::App;
use crate::front::live::Changed;

/// `GET /events`: the stream of changes, starting with the current number.
pub async fn events(
    State(app): State<Arc<App>>,
    Extension(stop): Extension<watch::Receiver<bool>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = app.live.tx.subscribe();
    let hello = Event::default()
        .event("hello")
        .data(app.live.version().to_string());
    let stream = futures_util::stream::unfold(
        (rx, stop, Some(hello)),
        |(mut rx, mut stop, first)| async move {
            if let Some(hello) = first {
                return Some((Ok(hello), (rx, stop, None)));
            }
            let changed = tokio::select! {
                received = rx.recv() => match received {
                    Ok(changed) => changed,
                    // this page fell behind: it looks at everything again
                    Err(broadcast::error::RecvError::Lagged(_)) => Arc::new(Changed {
                        version: u64::MAX,
                        ids: Vec::new(),
                        all: true,
                    }),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = stop.wait_for(|stopping| *stopping) => return None,
            };
            let data = serde_json::to_string(&*changed).unwrap_or_default();
            let event = Event::default().event("change").data(data);
            Some((Ok(event), (rx, stop, None)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
