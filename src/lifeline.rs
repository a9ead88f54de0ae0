//! Noticing that what a long-running process lives for is gone: an
//! inherited lifeline pipe (when every write end is closed, even by SIGKILL
//! of the process that held it, reading it ends) and a process id (through
//! a pidfd, readable when that process exits).
//!
//! Each watch is a thread that calls `gone` once and ends; the caller
//! decides what ending means (the daemon shuts down cleanly, `yit watch`
//! exits).

use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LifelineError {
    #[error("could not open the lifeline {}", path.display())]
    Lifeline {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot watch process {pid}")]
    Process {
        pid: u32,
        #[source]
        source: std::io::Error,
    },
}

/// Calls `gone` (from a thread of its own) when the pipe whose read end this
/// process inherited as descriptor `fd` loses its last writer.
pub fn watch_pipe(fd: u32, gone: impl FnOnce() + Send + 'static) -> Result<(), LifelineError> {
    let path = PathBuf::from(format!("/proc/self/fd/{fd}"));
    // reopening the inherited descriptor by path needs no unsafe code
    let mut pipe =
        std::fs::File::open(&path).map_err(|source| LifelineError::Lifeline { path, source })?;
    std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        while matches!(pipe.read(&mut buf), Ok(n) if n > 0) {}
        gone();
    });
    Ok(())
}

/// Calls `gone` (from a thread of its own) when process `pid` exits.
pub fn watch_process(pid: u32, gone: impl FnOnce() + Send + 'static) -> Result<(), LifelineError> {
    let raw = rustix::process::Pid::from_raw(pid as i32).ok_or_else(|| LifelineError::Process {
        pid,
        source: std::io::Error::other("not a process id"),
    })?;
    let fd =
        rustix::process::pidfd_open(raw, rustix::process::PidfdFlags::empty()).map_err(|e| {
            LifelineError::Process {
                pid,
                source: e.into(),
            }
        })?;
    std::thread::spawn(move || {
        let mut fds = [rustix::event::PollFd::new(
            &fd,
            rustix::event::PollFlags::IN,
        )];
        // readable when the process has exited
        while rustix::event::poll(&mut fds, None).is_err() {}
        gone();
    });
    Ok(())
}
