//! Ending `yit watch` when what it lives for is gone: its inherited
//! lifeline pipe (`YIT_LIFELINE_FD`) or the process given by
//! `--exit-with-pid` (see `yit::watch::lifeline`).

use std::thread::JoinHandle;

use yit::watch::lifeline::{LifelineError, Stop};

use super::CommandError;

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
    let exit = || std::process::exit(0);
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
        let thread = yit::watch::lifeline::watch_pipe(fd, waiter, exit).map_err(failed)?;
        lifetime.threads.push(thread);
    }
    if let Some(pid) = exit_with_pid {
        let waiter = lifetime.stop.waiter().map_err(failed)?;
        let thread = yit::watch::lifeline::watch_process(pid, waiter, exit).map_err(failed)?;
        lifetime.threads.push(thread);
    }
    Ok(lifetime)
}
