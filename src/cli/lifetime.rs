//! Ending a long-running command when what it lives for is gone: an
//! inherited lifeline pipe (`YIT_LIFELINE_FD`: when every write end is
//! closed, even by SIGKILL of the process that made it, yit exits) and
//! `--exit-with-pid PID` (through a pidfd).

use std::io::Read;

use super::CommandError;

/// Starts the threads that end this process when its lifeline closes or
/// the process `pid` exits.
pub fn bind(exit_with_pid: Option<u32>) -> Result<(), CommandError> {
    if let Some(fd) = std::env::var("YIT_LIFELINE_FD")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        // reopening the inherited descriptor by path needs no unsafe code
        let mut pipe = std::fs::File::open(format!("/proc/self/fd/{fd}"))
            .map_err(|e| CommandError::user(format!("YIT_LIFELINE_FD={fd}: {e}")))?;
        std::thread::spawn(move || {
            let mut buf = [0u8; 64];
            while matches!(pipe.read(&mut buf), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    if let Some(pid) = exit_with_pid {
        let pid = rustix::process::Pid::from_raw(pid as i32).ok_or_else(|| {
            CommandError::usage(format!("--exit-with-pid {pid}: not a process id"))
        })?;
        let fd = rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty())
            .map_err(|e| CommandError::user(format!("--exit-with-pid {pid:?}: {e}")))?;
        std::thread::spawn(move || {
            let mut fds = [rustix::event::PollFd::new(
                &fd,
                rustix::event::PollFlags::IN,
            )];
            // readable when the process has exited
            while rustix::event::poll(&mut fds, None).is_err() {}
            std::process::exit(0);
        });
    }
    Ok(())
}
