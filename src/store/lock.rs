//! Advisory per-issue locks as guard values.
//!
//! A lock is `flock(2)` through std's `File::lock` family on a dedicated
//! file `<state>/locks/<id>.lock`, never on the issue file itself. The
//! kernel releases it when the holder exits, however it exits, so a lock is
//! never stale. Lock files are left in place: removing them would race with
//! a waiter that already opened the old file.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::model::id::IssueId;

/// Opens (creating, never truncating) a file to `flock`: the one way yit
/// opens a lock file (issue and graph locks, the index's writer lock, the
/// daemon's pidfile and autostart lock). Read and write: flock over NFS is
/// emulated with fcntl locks, which need both.
pub fn open_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// Holds the lock on one issue (or on the dependency graph) until dropped.
#[derive(Debug)]
pub struct IssueLock {
    // the flock lives as long as this descriptor
    _file: File,
}

/// The lock file name of changes to the dependency graph (`dep add`,
/// `new --parent`, plans): held while the graph is checked for cycles and
/// the change written, so that two changes cannot close a cycle together.
/// Ids never contain `-`.
const GRAPH: &str = "dependency-graph";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("could not open lock file {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("timed out after {:.1}s waiting for the lock on {what}{}", waited.as_secs_f64(), holder.map(|p| format!(" (held by process {p})")).unwrap_or_default())]
    Timeout {
        /// `issue ID`, or `the dependency graph`.
        what: String,
        holder: Option<u32>,
        waited: Duration,
    },
}

impl IssueLock {
    /// Takes the lock on `id`, waiting up to `timeout`.
    pub fn acquire(
        state_dir: &Path,
        id: &IssueId,
        timeout: Duration,
    ) -> Result<IssueLock, LockError> {
        IssueLock::acquire_file(state_dir, id.as_str(), &format!("issue {id}"), timeout)
    }

    /// Takes the lock on the dependency graph, waiting up to `timeout`.
    pub fn acquire_graph(state_dir: &Path, timeout: Duration) -> Result<IssueLock, LockError> {
        IssueLock::acquire_file(state_dir, GRAPH, "the dependency graph", timeout)
    }

    fn acquire_file(
        state_dir: &Path,
        name: &str,
        what: &str,
        timeout: Duration,
    ) -> Result<IssueLock, LockError> {
        let dir = state_dir.join("locks");
        let path = dir.join(format!("{name}.lock"));
        let open_err = |source| LockError::Open {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(open_err)?;
        let mut file = open_lock_file(&path).map_err(open_err)?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
                    std::thread::sleep(pause.min(timeout.saturating_sub(start.elapsed())));
                    pause = (pause * 2).min(Duration::from_millis(10));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Timeout {
                        what: what.to_owned(),
                        holder: holder_of(&mut file),
                        waited: start.elapsed(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(open_err(e)),
            }
        }
        // the pid is only a hint for the timeout message; the lock is the flock
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = write!(file, "{}", std::process::id());
        Ok(IssueLock { _file: file })
    }
}

/// The process that holds the flock on `file`: the kernel's own record
/// (`/proc/locks`, matched by device and inode), else the pid the holder
/// wrote into the file when that process is alive. A pid left by an
/// earlier holder that is gone is never named.
fn holder_of(file: &mut File) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata().ok()?;
    let dev = meta.dev();
    let wanted = format!(
        "{:02x}:{:02x}:{}",
        rustix::fs::major(dev),
        rustix::fs::minor(dev),
        meta.ino()
    );
    let mut locks = String::new();
    let _ = File::open("/proc/locks").and_then(|f| f.take(4 << 20).read_to_string(&mut locks));
    // `1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF`; waiters are `->`
    let from_kernel = locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(1) == Some(&"FLOCK") && fields.get(5) == Some(&wanted.as_str()))
            .then(|| fields.get(4)?.parse::<u32>().ok())
            .flatten()
    });
    let alive = |pid: u32| Path::new(&format!("/proc/{pid}")).exists();
    if let Some(pid) = from_kernel.filter(|p| alive(*p)) {
        return Some(pid);
    }
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = (&mut *file).take(32).read_to_string(&mut text);
    text.trim().parse().ok().filter(|p| alive(*p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_times_out_naming_the_first_and_drop_releases() {
        let dir = tempfile::tempdir().expect("tempdir");
        let id = IssueId::parse_canonical("abcd0123").expect("id");
        let first = IssueLock::acquire(dir.path(), &id, Duration::ZERO).expect("free");
        // two open file descriptions conflict even within one process
        let err = IssueLock::acquire(dir.path(), &id, Duration::from_millis(30)).expect_err("held");
        match err {
            LockError::Timeout { holder, waited, .. } => {
                assert_eq!(holder, Some(std::process::id()));
                assert!(waited >= Duration::from_millis(30));
            }
            other => panic!("unexpected {other}"),
        }
        drop(first);
        IssueLock::acquire(dir.path(), &id, Duration::ZERO).expect("released on drop");
    }

    #[test]
    fn a_stale_pid_in_the_file_is_not_named_as_the_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let id = IssueId::parse_canonical("abcd0123").expect("id");
        let _held = IssueLock::acquire(dir.path(), &id, Duration::ZERO).expect("free");
        // an earlier holder's pid, long gone (pids stop below 2^22)
        std::fs::write(dir.path().join("locks/abcd0123.lock"), "4194304").expect("write");
        let err = IssueLock::acquire(dir.path(), &id, Duration::from_millis(10)).expect_err("held");
        match err {
            LockError::Timeout { holder, .. } => assert_eq!(holder, Some(std::process::id())),
            other => panic!("unexpected {other}"),
        }
    }
}
