//! Ending `yit watch` when what it lives for is gone: its inherited
//! lifeline pipe (`YIT_LIFELINE_FD`) or the process given by
//! `--exit-with-pid` (see `yit::lifeline`).

use super::CommandError;

/// Ends this process when its lifeline closes or the process `pid` exits.
pub fn bind(exit_with_pid: Option<u32>) -> Result<(), CommandError> {
    let exit = || std::process::exit(0);
    let failed = |e: yit::lifeline::LifelineError| CommandError::user(e.to_string());
    if let Some(fd) = std::env::var("YIT_LIFELINE_FD")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        yit::lifeline::watch_pipe(fd, exit).map_err(failed)?;
    }
    if let Some(pid) = exit_with_pid {
        yit::lifeline::watch_process(pid, exit).map_err(failed)?;
    }
    Ok(())
}
