//! Ending `yit watch`, `yit serve` and `yit mcp` when what they live for
//! is gone: an inherited lifeline pipe (`YIT_LIFELINE_FD`) or the process
//! given by `--exit-with-pid` (see `yit::watch::lifeline`).

use std::thread::JoinHandle;

use yit::watch::lifeline::{LifelineError, Stop};

use super::error::CommandError;

/// The threads that end this process when what it lives for is gone;
/// dropped, it stops and joins them.
pub struct Lifetime {
    stop: Stop,
    threads: Vec<JoinHandle<()>>,
}

impl Drop for Lifetime {
    fn drop(&mut self) {
        self.stop.stop();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Ends this process when its lifeline closes or the process `pid` exits,
/// for as long as the returned guard lives.
pub fn bind(exit_with_pid: Option<u32>) -> Result<Lifetime, CommandError> {
    bind_to(exit_with_pid, || std::process::exit(0))
}

/// Calls `gone` (once for each watch that ends) when this process's
/// lifeline closes or the process `pid` exits, for as long as the returned
/// guard lives: a long-running front end stops cleanly instead of exiting.
pub fn bind_to(
    exit_with_pid: Option<u32>,
    gone: impl FnOnce() + Clone + Send + 'static,
) -> Result<Lifetime, CommandError> {
    let exit = gone;
    let failed = |e: LifelineError| CommandError::user(e.to_string());
    let mut lifetime = Lifetime {
        stop: Stop::new().map_err(failed)?,
        threads: Vec::new(),
    };
    if let Some(fd) = std::env::var("YIT_LIFELINE_FD")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        let waiter = lifetime.stop.waiter().map_err(failed)?;
        let thread = yit::watch::lifeline::watch_pipe(fd, waiter, exit.clone()).map_err(failed)?;
        lifetime.threads.push(thread);
    }
    if let Some(pid) = exit_with_pid {
        let waiter = lifetime.stop.waiter().map_err(failed)?;
        let thread = yit::watch::lifeline::watch_process(pid, waiter, exit).map_err(failed)?;
        lifetime.threads.push(thread);
    }
    Ok(lifetime)
}
