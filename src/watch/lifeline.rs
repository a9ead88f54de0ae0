//! Noticing that what a long-running process lives for is gone, and ending
//! the threads that wait for it.
//!
//! Two things to watch: an inherited lifeline pipe (when every write end is
//! closed, even by SIGKILL of the process that held it, reading it ends)
//! and a process id (through a pidfd, readable when that process exits).
//! Each watch is a thread that calls `gone` once and ends; the caller
//! decides what ending means (the daemon shuts down cleanly, `yit watch`
//! exits).
//!
//! Every such thread also waits on a [`Stop`]: a pipe whose write end its
//! owner holds. Dropping that end wakes every waiter at once, so an owner
//! can always end and join its threads, whatever the file system or the
//! watched process do. Nothing here waits without a way to be woken.

use std::io::{PipeReader, PipeWriter, Read};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};

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
    #[error("could not make a stop pipe")]
    StopPipe {
        #[source]
        source: std::io::Error,
    },
}

/// The owner's side of a stop signal: while it lives, [`Waiter`]s wait;
/// [`Stop::stop`] (or dropping it) wakes them all, for good.
pub struct Stop {
    writer: Option<PipeWriter>,
    reader: PipeReader,
}

/// A thread's side of a [`Stop`]: waits for a descriptor, a timeout, or the
/// stop, whichever comes first.
pub struct Waiter {
    reader: PipeReader,
}

/// What ended a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Woken {
    /// The descriptor waited for is ready (readable, or hung up).
    Ready,
    /// The stop was signalled.
    Stopped,
    TimedOut,
}

impl Stop {
    pub fn new() -> Result<Stop, LifelineError> {
        // both ends are close-on-exec: no child process keeps it open
        let (reader, writer) =
            std::io::pipe().map_err(|source| LifelineError::StopPipe { source })?;
        Ok(Stop {
            writer: Some(writer),
            reader,
        })
    }

    /// A waiter for one thread.
    pub fn waiter(&self) -> Result<Waiter, LifelineError> {
        let reader =
            (self.reader.try_clone()).map_err(|source| LifelineError::StopPipe { source })?;
        Ok(Waiter { reader })
    }

    /// Wakes every waiter; they stay woken.
    pub fn stop(&mut self) {
        // with no writer left, the read end is readable (end of file)
        drop(self.writer.take());
    }
}

impl Waiter {
    /// Waits until `fd` is readable (or hung up), the stop comes, or
    /// `timeout` passes (`None`: no timeout). Only an interrupted wait is
    /// retried; any other failure is returned.
    pub fn wait_for(
        &self,
        fd: BorrowedFd<'_>,
        timeout: Option<Duration>,
    ) -> std::io::Result<Woken> {
        self.wait(Some(fd), timeout)
    }

    /// Whether the stop came.
    pub fn is_stopped(&self) -> bool {
        !matches!(self.wait(None, Some(Duration::ZERO)), Ok(Woken::TimedOut))
    }

    /// Sleeps for `pause` unless the stop comes first; true if it came.
    pub fn sleep(&self, pause: Duration) -> bool {
        !matches!(self.wait(None, Some(pause)), Ok(Woken::TimedOut))
    }

    fn wait(
        &self,
        fd: Option<BorrowedFd<'_>>,
        timeout: Option<Duration>,
    ) -> std::io::Result<Woken> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let spec = deadline.map(|d| timespec(d.saturating_duration_since(Instant::now())));
            let mut fds = vec![PollFd::new(&self.reader, PollFlags::IN)];
            if let Some(fd) = fd {
                fds.push(PollFd::from_borrowed_fd(fd, PollFlags::IN));
            }
            match rustix::event::poll(&mut fds, spec.as_ref()) {
                Ok(0) => return Ok(Woken::TimedOut),
                Ok(_) => {
                    // a stop wins over a ready descriptor: the owner is ending
                    if !fds[0].revents().is_empty() {
                        return Ok(Woken::Stopped);
                    }
                    return Ok(Woken::Ready);
                }
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}

fn timespec(d: Duration) -> Timespec {
    Timespec {
        tv_sec: d.as_secs() as i64,
        tv_nsec: i64::from(d.subsec_nanos()),
    }
}

/// Whether `fd` becomes readable (or hangs up) within `within`; only an
/// interrupted wait is retried, and a failed one is `false`.
pub fn readable_within(fd: BorrowedFd<'_>, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        let timeout = timespec(deadline.saturating_duration_since(Instant::now()));
        let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
        match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(n) => return n > 0,
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return false,
        }
    }
}

/// Calls `gone` (from a thread of its own) when the pipe whose read end this
/// process inherited as descriptor `fd` loses its last writer; the thread
/// ends without calling it when `waiter`'s stop comes first. The caller
/// owns (and joins) the thread.
pub fn watch_pipe(
    fd: u32,
    waiter: Waiter,
    gone: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, LifelineError> {
    let path = PathBuf::from(format!("/proc/self/fd/{fd}"));
    // reopening the inherited descriptor by path needs no unsafe code
    let mut pipe =
        std::fs::File::open(&path).map_err(|source| LifelineError::Lifeline { path, source })?;
    Ok(std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        loop {
            match waiter.wait_for(pipe.as_fd(), None) {
                Ok(Woken::Stopped) => return,
                Ok(Woken::TimedOut) => continue,
                Ok(Woken::Ready) => match pipe.read(&mut buf) {
                    // someone wrote: not an end
                    Ok(n) if n > 0 => continue,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    // end of file: the last writer is gone; an error: the
                    // pipe cannot tell any more, which must not keep us alive
                    _ => break,
                },
                Err(_) => break,
            }
        }
        gone();
    }))
}

/// Calls `gone` (from a thread of its own) when process `pid` exits; the
/// thread ends without calling it when `waiter`'s stop comes first. The
/// caller owns (and joins) the thread.
pub fn watch_process(
    pid: u32,
    waiter: Waiter,
    gone: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, LifelineError> {
    let fd = pidfd(pid)?;
    Ok(std::thread::spawn(move || {
        // readable when the process has exited; a failed wait cannot tell
        // any more, which must not keep us alive either
        if !matches!(waiter.wait_for(fd.as_fd(), None), Ok(Woken::Stopped)) {
            gone();
        }
    }))
}

/// A descriptor that becomes readable when process `pid` exits.
pub fn pidfd(pid: u32) -> Result<std::os::fd::OwnedFd, LifelineError> {
    let raw = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .ok_or_else(|| LifelineError::Process {
            pid,
            source: std::io::Error::other("not a process id"),
        })?;
    rustix::process::pidfd_open(raw, rustix::process::PidfdFlags::empty()).map_err(|e| {
        LifelineError::Process {
            pid,
            source: e.into(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_wakes_every_waiter_and_stays() {
        let mut stop = Stop::new().expect("stop");
        let waiters: Vec<Waiter> = (0..3).map(|_| stop.waiter().expect("waiter")).collect();
        assert!(!waiters[0].is_stopped());
        assert!(!waiters[0].sleep(Duration::from_millis(5)), "no stop yet");
        let (reader, _writer) = std::io::pipe().expect("pipe");
        let threads: Vec<_> = waiters
            .into_iter()
            .map(|w| {
                let reader = reader.try_clone().expect("clone");
                std::thread::spawn(move || w.wait_for(reader.as_fd(), None).expect("wait"))
            })
            .collect();
        stop.stop();
        for t in threads {
            assert_eq!(t.join().expect("joined"), Woken::Stopped);
        }
        let late = stop.waiter().expect("waiter");
        assert!(late.is_stopped(), "a stop stays signalled");
    }

    #[test]
    fn a_ready_descriptor_and_a_timeout_are_told_apart() {
        let stop = Stop::new().expect("stop");
        let waiter = stop.waiter().expect("waiter");
        let (reader, mut writer) = std::io::pipe().expect("pipe");
        let waited = waiter
            .wait_for(reader.as_fd(), Some(Duration::from_millis(10)))
            .expect("wait");
        assert_eq!(waited, Woken::TimedOut);
        std::io::Write::write_all(&mut writer, b"x").expect("write");
        let waited = waiter.wait_for(reader.as_fd(), None).expect("wait");
        assert_eq!(waited, Woken::Ready);
    }

    #[test]
    fn a_process_watch_ends_with_the_process_or_the_stop() {
        let mut child = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .expect("sleep");
        let mut stop = Stop::new().expect("stop");
        let (tx, rx) = std::sync::mpsc::channel();
        let watch = watch_process(child.id(), stop.waiter().expect("waiter"), move || {
            let _ = tx.send(());
        })
        .expect("watch");
        child.kill().expect("kill");
        child.wait().expect("reap");
        rx.recv_timeout(Duration::from_secs(5))
            .expect("gone was called");
        watch.join().expect("joined");

        let mut other = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .expect("sleep");
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let watch = watch_process(other.id(), stop.waiter().expect("waiter"), move || {
            let _ = tx.send(());
        })
        .expect("watch");
        stop.stop();
        watch.join().expect("the stop ends the watch");
        assert!(rx.try_recv().is_err(), "gone is not called on a stop");
        other.kill().expect("kill");
        other.wait().expect("reap");
    }
}
