//! How a long-running front end ends: SIGINT, SIGTERM, or its lifeline
//! (`YIT_LIFELINE_FD`, the test that started it gone), each heard once and
//! told to everything that waits on the [`Stopping`]'s channel (event
//! streams, the graceful end of the server).

use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::watch;

use crate::front::error::{CommandError, ErrorKind};
use crate::front::lifetime::{Lifetime, bind_to};

/// The runtime of a front end: two workers for the protocol, blocking
/// threads for calls into the library.
pub fn runtime(name: &str) -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(16)
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|e| {
            CommandError::new(ErrorKind::Internal, "could not start the runtime").because(&e)
        })
}

/// The reasons to stop, and the channel that says it is time; the
/// lifeline's watch is joined on drop.
pub struct Stopping {
    tx: watch::Sender<bool>,
    interrupt: Signal,
    terminate: Signal,
    _lifetime: Lifetime,
}

impl Stopping {
    /// Listens for the signals and the lifeline (in the runtime).
    pub fn new() -> Result<Stopping, CommandError> {
        let (tx, _) = watch::channel(false);
        let gone = tx.clone();
        let handle = |e: std::io::Error| {
            CommandError::new(ErrorKind::Internal, "cannot handle signals").because(&e)
        };
        Ok(Stopping {
            interrupt: signal(SignalKind::interrupt()).map_err(handle)?,
            terminate: signal(SignalKind::terminate()).map_err(handle)?,
            _lifetime: bind_to(None, move || {
                let _ = gone.send(true);
            })?,
            tx,
        })
    }

    /// Whether it is time to stop, for whatever must end with the front end.
    pub fn receiver(&self) -> watch::Receiver<bool> {
        self.tx.subscribe()
    }

    /// Resolves at the first reason to stop, once every receiver was told.
    pub async fn wait(mut self) {
        let mut stopped = self.tx.subscribe();
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
            _ = stopped.wait_for(|stop| *stop) => {}
        }
        let _ = self.tx.send(true);
    }
}
