//! `yit serve`'s accept loop: axum's router served over hyper's HTTP/1
//! connections with the bounds a server on a shared machine needs.
//!
//! - A client has [`Limits::header_timeout`] to send a request's headers,
//!   and a kept-alive connection as long to start its next request: slow
//!   or idle connections are closed, not kept forever.
//! - At most [`Limits::connections`] connections are served at once (kept
//!   well under the descriptor limit, so the server can always open its
//!   files); past that, a connection is answered `503` at once and closed.
//! - On a stop, no connection is accepted, every open one finishes the
//!   request it is in and closes, and after [`Limits::grace`] the rest
//!   (a client holding a half-sent request) are dropped: the server ends.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;

use crate::front::error::{CommandError, ErrorKind};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// The bounds of one server.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub connections: usize,
    pub header_timeout: Duration,
    /// How long a request may take to arrive and be answered (408).
    pub request: Duration,
    pub grace: Duration,
}

/// Connections at most: half the descriptors this process may open (the
/// rest are for its files, its watcher and git), at most 512.
pub fn default_connections() -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .current
        .unwrap_or(1024);
    usize::try_from(limit / 2).unwrap_or(512).clamp(16, 512)
}

impl Limits {
    /// The defaults: 10 s for headers and idle keep-alives (the test hook
    /// `YIT_TEST_HEADER_TIMEOUT_MS` shortens it), three times that for a
    /// whole request, 2 s to finish on a stop.
    pub fn new(connections: usize) -> Limits {
        let header_timeout = std::env::var("YIT_TEST_HEADER_TIMEOUT_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(Duration::from_secs(10), Duration::from_millis);
        Limits {
            connections,
            header_timeout,
            request: header_timeout * 3,
            grace: Duration::from_secs(2),
        }
    }
}

/// Connections answered `503` (and given a moment to read it) while at the
/// cap; past this many at the same moment, a connection is given the
/// answer only if its socket takes it at once, and closed.
const SHEDDING: usize = 64;

/// The answer to a connection past the cap: the `busy` error every front
/// end gives.
fn busy_answer() -> Vec<u8> {
    let err = CommandError::new(
        ErrorKind::Busy,
        "the server has as many connections as it serves at once",
    )
    .hint("try again in a moment");
    let body = err.json().to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `router` on `listener` until `stop` resolves, then ends within
/// the grace period.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.connections));
    let shedding = Arc::new(Semaphore::new(SHEDDING));
    let (closing, closed) = watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let builder = Arc::new(builder);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            () = &mut stop => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // out of descriptors (or a connection reset before it
                    // was accepted): wait, rather than spin
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            if let Ok(slot) = Arc::clone(&shedding).try_acquire_owned() {
                connections.spawn(async move {
                    let _slot = slot;
                    shed(stream).await;
                });
            } else {
                // the answer, if the socket takes it at once, and closed
                let _ = stream.try_write(&busy_answer());
            }
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let builder = Arc::clone(&builder);
        let mut closed = closed.clone();
        connections.spawn(async move {
            let _permit = permit;
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = closed.wait_for(|closed| *closed) => connection.as_mut().graceful_shutdown(),
            }
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let finished = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(limits.grace, finished).await;
    // what is left (a client holding a half-sent request) is dropped here
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

/// Answers `503` to a connection past the cap, and closes it once the
/// client has had a moment to read the answer.
async fn shed(mut stream: TcpStream) {
    let answer = async {
        stream.write_all(&busy_answer()).await?;
        stream.shutdown().await?;
        // read what the client sent until it closes, so the close is not
        // a reset that loses the answer
        let mut sink = [0u8; 4096];
        loop {
            if tokio::io::AsyncReadExt::read(&mut stream, &mut sink).await? == 0 {
                return Ok::<(), std::io::Error>(());
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(500), answer).await;
}

/// The bytes of answers made and not yet sent (a slow client's): new work
/// waits while they pass [`UNSENT_BUDGET`], so answers waiting for their
/// clients cost bounded memory.
#[derive(Default)]
pub struct Unsent {
    bytes: std::sync::atomic::AtomicUsize,
    sent: tokio::sync::Notify,
}

/// Answer bytes held for clients at most before new work waits.
const UNSENT_BUDGET: usize = 16 << 20;

impl Unsent {
    /// Waits until the answers not yet sent are under the budget; `false`
    /// when they stayed over it for `patience`.
    pub async fn room(&self, patience: Duration) -> bool {
        let waited = async {
            loop {
                let sent = self.sent.notified();
                if self.bytes.load(std::sync::atomic::Ordering::Acquire) < UNSENT_BUDGET {
                    return;
                }
                sent.await;
            }
        };
        tokio::time::timeout(patience, waited).await.is_ok()
    }
}

/// An answer's body, counted in [`Unsent`] until it is sent or its client
/// is gone.
struct Counted {
    inner: axum::body::Body,
    len: usize,
    unsent: Arc<Unsent>,
}

impl axum::body::HttpBody for Counted {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.unsent
            .bytes
            .fetch_sub(self.len, std::sync::atomic::Ordering::AcqRel);
        self.unsent.sent.notify_waiters();
    }
}

/// The middleware that counts every answer of a known length in
/// [`Unsent`] until it is sent.
pub async fn count_unsent(
    axum::extract::State(app): axum::extract::State<Arc<super::App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::body::HttpBody;
    let response = next.run(request).await;
    let Some(len) = response.body().size_hint().exact() else {
        return response;
    };
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    app.unsent
        .bytes
        .fetch_add(len, std::sync::atomic::Ordering::AcqRel);
    response.map(|inner| {
        axum::body::Body::new(Counted {
            inner,
            len,
            unsent: Arc::clone(&app.unsent),
        })
    })
}
