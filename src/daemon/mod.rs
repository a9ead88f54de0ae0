//! The watch daemon: keeps every issue in memory, watched, and answers
//! `list` over a Unix socket, exactly.
//!
//! It is only an accelerator: every answer is the one `yit` computes from
//! the files without it. One daemon per worktree by construction (it holds
//! an exclusive lock on its pidfile for its whole life), it never writes to
//! git or outside `<git dir>/yit/`, never restarts itself, and ends as soon
//! as a reason to exist is gone: `stop`, SIGTERM/SIGINT, an idle timeout,
//! its worktree, `.issues`, state dir, pidfile or socket removed, moved or
//! replaced, or the process it was told to live for gone. This module owns
//! the paths, starting and stopping, and finding daemons; `client` the
//! connection a command makes; `server` the event loop; `lifecycle` the
//! resources and threads; `connection` the socket's side; `state` the
//! in-memory issues and answers.

mod client;
mod connection;
mod engine;
mod lifecycle;
pub mod protocol;
mod server;
mod state;

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use client::{ANSWER_PATIENCE, Client, parse};
pub use engine::Engine;
pub use server::{Exit, ServeOptions, serve};

/// The daemon's files in the state dir.
#[derive(Clone, Debug)]
pub struct Paths {
    pub state: PathBuf,
    pub pidfile: PathBuf,
    pub socket: PathBuf,
    pub log: PathBuf,
    pub cookies: PathBuf,
}

impl Paths {
    pub fn new(state: &Path) -> Paths {
        Paths {
            state: state.to_owned(),
            pidfile: state.join("daemon.pid"),
            socket: state.join("daemon.sock"),
            log: state.join("daemon.log"),
            cookies: state.join("cookies"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("a daemon already serves this worktree (pid {pid})")]
    AlreadyRunning { pid: u32 },
    #[error("{action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the daemon did not start: could not run {}", exe.display())]
    Spawn {
        exe: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `log`: the end of its log, as `; its log says: ...`, or empty.
    #[error("the daemon did not start: it exited with {status}{log}")]
    Exited {
        status: std::process::ExitStatus,
        log: String,
    },
    #[error("the daemon did not start: it did not answer within {} s{log}", waited.as_secs())]
    StartTimeout { waited: Duration, log: String },
    #[error("process {pid} survived SIGKILL")]
    Unkillable { pid: u32 },
    #[error("the daemon did not answer within {} ms", waited.as_millis())]
    NotAnswering { waited: Duration },
    #[error("the daemon's answer could not be read")]
    Protocol(#[from] protocol::ProtocolError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Watch(#[from] crate::watch::WatchError),
    #[error(transparent)]
    Lifeline(#[from] crate::watch::lifeline::LifelineError),
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> DaemonError + 'a {
    move |source| DaemonError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

/// Paths longer than this do not fit a Unix socket address (108 bytes on
/// Linux, with its terminating NUL); such sockets are reached through the
/// state dir's descriptor in /proc/self/fd.
const SOCKET_PATH_MAX: usize = 100;

/// A path under which `socket` can be bound or reached, and the directory
/// handle that must stay open while it is used.
fn socket_address(socket: &Path) -> std::io::Result<(PathBuf, Option<File>)> {
    if socket.as_os_str().len() <= SOCKET_PATH_MAX {
        return Ok((socket.to_owned(), None));
    }
    let dir = File::open(socket.parent().unwrap_or(Path::new(".")))?;
    use std::os::fd::AsRawFd;
    let name = socket.file_name().unwrap_or_default();
    Ok((
        Path::new(&format!("/proc/self/fd/{}", dir.as_raw_fd())).join(name),
        Some(dir),
    ))
}

/// Whether a daemon holds the pidfile lock, and its pid when it does.
pub fn running(paths: &Paths) -> Option<u32> {
    let mut file = OpenOptions::new().read(true).open(&paths.pidfile).ok()?;
    match file.try_lock_shared() {
        Ok(()) => None,
        Err(_) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            let info: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            Some(info["pid"].as_u64().unwrap_or_default() as u32)
        }
    }
}

/// What `start` did.
pub enum Started {
    Started { pid: u32 },
    AlreadyRunning { pid: u32 },
}

/// Starts `yit daemon run --detach` for `worktree` with `exe`, its output
/// going to the size-capped log, and returns once it answers.
pub fn start(
    paths: &Paths,
    exe: &Path,
    worktree: &Path,
    run_args: &[String],
) -> Result<Started, DaemonError> {
    if let Some(pid) = running(paths) {
        return Ok(Started::AlreadyRunning { pid });
    }
    let (said, said_in) = std::io::pipe().map_err(io("could not make a pipe for", &paths.log))?;
    // what the daemon says on stderr before it serves (why it could not
    // start) comes back through a pipe: its log may be what failed (a
    // full disk); the pipe's other end is the child's alone (the command
    // is dropped once spawned), so its exit ends the pipe
    let mut child = run_detached(
        paths,
        exe,
        worktree,
        run_args,
        std::process::Stdio::null(),
        Some(said_in.into()),
    )?;
    let patience = Duration::from_secs(10);
    let deadline = Instant::now() + patience;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let tail = match what_it_said(said) {
                Some(said) => format!("; it said: {said}"),
                None => log_tail(&paths.log),
            };
            return match running(paths) {
                // another start won the race
                Some(pid) => Ok(Started::AlreadyRunning { pid }),
                None => Err(DaemonError::Exited { status, log: tail }),
            };
        }
        if let Some(client) = Client::connect(paths, worktree) {
            let pid = client.hello.pid;
            if pid == child.id() {
                return Ok(Started::Started { pid });
            }
            // another start won the race: ours holds nothing and would go
            // by itself within a second; it goes now, before we return
            let _ = child.kill();
            let _ = child.wait();
            return Ok(Started::AlreadyRunning { pid });
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(DaemonError::StartTimeout {
                waited: patience,
                log: log_tail(&paths.log),
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Spawns `yit daemon run --detach` for `worktree` with `stdin`, its
/// stdout the log (opened for appending; moved aside first when past
/// 1 MiB) and its stderr `stderr`, else the log too.
fn run_detached(
    paths: &Paths,
    exe: &Path,
    worktree: &Path,
    run_args: &[String],
    stdin: std::process::Stdio,
    stderr: Option<std::process::Stdio>,
) -> Result<std::process::Child, DaemonError> {
    std::fs::create_dir_all(&paths.state).map_err(io("could not create", &paths.state))?;
    // keep the log under 1 MiB: the previous run's log moves aside
    if std::fs::metadata(&paths.log).is_ok_and(|m| m.len() > 1 << 20) {
        let _ = std::fs::rename(&paths.log, paths.log.with_extension("log.1"));
    }
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&paths.log)
        .map_err(io("could not open", &paths.log))?;
    let mut command = std::process::Command::new(exe);
    // mimalloc returns freed memory to the system only on later allocator
    // activity, which an idle daemon does not have, and commits its arenas
    // eagerly: without these, a daemon keeps what its load and its largest
    // answer ever needed (at 10,000 issues, 77 MiB right after starting and
    // 129 MiB after 60 lists, against 34 and 40 MiB with them)
    for (key, value) in [
        ("MIMALLOC_PURGE_DELAY", "0"),
        ("MIMALLOC_ARENA_EAGER_COMMIT", "0"),
    ] {
        if std::env::var_os(key).is_none() {
            command.env(key, value);
        }
    }
    command
        .arg("-C")
        .arg(worktree)
        .args(["daemon", "run", "--detach"])
        .args(run_args)
        .current_dir(worktree);
    let stderr = match stderr {
        Some(stderr) => stderr,
        None => log
            .try_clone()
            .map_err(io("could not open", &paths.log))?
            .into(),
    };
    command
        .stdin(stdin)
        .stdout(log)
        .stderr(stderr)
        .spawn()
        .map_err(|source| DaemonError::Spawn {
            exe: exe.to_owned(),
            source,
        })
}

/// Starts a daemon of `worktree` without waiting for it to serve (a
/// command's autostart: it answers from the files meanwhile). `start_lock`
/// (the autostart lock, held) becomes the daemon's stdin, so the lock is
/// held for as long as the daemon lives, by it alone: no other command
/// starts one meanwhile, and the lock is free again when it ends. What it
/// says goes to its log. Its exit status is collected by a thread of this
/// process, so a long-running front end keeps no zombie.
pub fn spawn(
    paths: &Paths,
    exe: &Path,
    worktree: &Path,
    start_lock: File,
) -> Result<(), DaemonError> {
    let mut child = run_detached(paths, exe, worktree, &[], start_lock.into(), None)?;
    let _ = std::thread::Builder::new()
        .name("yit-daemon-reaper".to_owned())
        .spawn(move || child.wait());
    Ok(())
}

/// Whether this is the first daemon a command started in the worktree of
/// `paths` (its notice is said once): the first call makes a marker in the
/// state dir, later ones find it.
pub fn first_autostart(paths: &Paths) -> bool {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(paths.state.join("daemon.autostarted"))
        .is_ok()
}

/// The last lines a daemon that exited wrote on stderr (at most 64 KiB
/// read), or `None` when it said nothing.
fn what_it_said(said: std::io::PipeReader) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    let _ = said.take(64 << 10).read_to_string(&mut text);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = &lines[lines.len().saturating_sub(3)..];
    (!last.is_empty()).then(|| last.join(" / "))
}

/// The last lines of the daemon's log, as `; its log says: …` (a log that
/// is not a regular file, or past 1 MiB, is not read).
fn log_tail(log: &Path) -> String {
    let text = crate::store::guarded::read(log, 1 << 20)
        .ok()
        .flatten()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(3).collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!(
            "; its log says: {}",
            lines.into_iter().rev().collect::<Vec<_>>().join(" / ")
        )
    }
}

/// How a daemon was ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// It exited after SIGTERM.
    Terminated,
    /// It did not exit within the patience given and was killed (SIGKILL).
    Killed,
}

/// What `stop` did.
pub enum Stopped {
    NotRunning,
    Stopped { pid: u32, how: Ended },
}

/// Stops the daemon of `paths`: SIGTERM (and SIGCONT, so that a stopped
/// one can act on it), then SIGKILL if it has not exited within
/// `patience`. Returns only when its process is gone and its lock free.
pub fn stop(paths: &Paths, patience: Duration) -> Result<Stopped, DaemonError> {
    loop {
        let Some(pid) = running(paths) else {
            return Ok(Stopped::NotRunning);
        };
        // a pidfd pins the process: the signals reach it and no other, and
        // it is still the lock's holder after the pidfd was taken
        let Ok(pidfd) = crate::watch::lifeline::pidfd(pid) else {
            // gone already (or not ours to see): wait for its lock
            wait_unlocked(paths, Duration::from_secs(1));
            continue;
        };
        if running(paths) != Some(pid) {
            continue;
        }
        let how = end(pid, &pidfd, patience)?;
        wait_unlocked(paths, Duration::from_secs(1));
        return Ok(Stopped::Stopped { pid, how });
    }
}

/// Ends a yit daemon process of this user (`gc`): SIGTERM, then SIGKILL
/// after `patience`. `None` when it was gone already.
pub fn end_process(pid: u32, patience: Duration) -> Result<Option<Ended>, DaemonError> {
    match crate::watch::lifeline::pidfd(pid) {
        Ok(pidfd) => end(pid, &pidfd, patience).map(Some),
        Err(_) => Ok(None),
    }
}

fn end(pid: u32, pidfd: &std::os::fd::OwnedFd, patience: Duration) -> Result<Ended, DaemonError> {
    use rustix::process::{Signal, pidfd_send_signal};
    let _ = pidfd_send_signal(pidfd, Signal::TERM);
    let _ = pidfd_send_signal(pidfd, Signal::CONT);
    if exited(pidfd, patience) {
        return Ok(Ended::Terminated);
    }
    let _ = pidfd_send_signal(pidfd, Signal::KILL);
    if exited(pidfd, Duration::from_secs(5)) {
        Ok(Ended::Killed)
    } else {
        Err(DaemonError::Unkillable { pid })
    }
}

/// Whether the process behind `pidfd` exits within `within`.
fn exited(pidfd: &std::os::fd::OwnedFd, within: Duration) -> bool {
    use std::os::fd::AsFd;
    crate::watch::lifeline::readable_within(pidfd.as_fd(), within)
}

/// Waits (up to `within`) until no process holds the pidfile's lock.
fn wait_unlocked(paths: &Paths, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if running(paths).is_none() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    running(paths).is_none()
}

/// One daemon process of this user, as `gc` sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Found {
    pub pid: u32,
    /// The worktree it serves, from its command line or working directory.
    pub worktree: Option<PathBuf>,
    /// Why it should go, or `None` when it serves a live worktree.
    pub stale: Option<String>,
}

/// The yit daemon processes of the calling user (any build of yit), and
/// whether each still serves a worktree: its worktree exists, it holds that
/// worktree's pidfile lock, and it is of this yit's version.
pub fn find_daemons(under: Option<&Path>) -> Vec<Found> {
    use sysinfo::{ProcessRefreshKind, ProcessStatus, ProcessesToUpdate, System, UpdateKind};
    let Ok(mut sys) = System::new() else {
        return Vec::new();
    };
    sys.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing()
            .with_cmd(UpdateKind::Always)
            .with_cwd(UpdateKind::Always)
            .with_user(UpdateKind::Always)
            .without_tasks(),
    );
    let me = sys
        .process(sysinfo::Pid::from_u32(std::process::id()))
        .and_then(|p| p.user_id().cloned());
    let mut found = Vec::new();
    for (pid, p) in sys.processes() {
        if p.thread_kind().is_some()
            || p.status() == ProcessStatus::Zombie
            || p.user_id().cloned() != me
        {
            continue;
        }
        let cmd: Vec<String> = p
            .cmd()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let is_yit = cmd
            .first()
            .is_some_and(|c| Path::new(c).file_name().is_some_and(|n| n == "yit"));
        let runs = cmd.windows(2).any(|w| w[0] == "daemon" && w[1] == "run");
        if !is_yit || !runs {
            continue;
        }
        let worktree = cmd
            .windows(2)
            .find(|w| w[0] == "-C")
            .map(|w| PathBuf::from(&w[1]))
            .or_else(|| p.cwd().map(Path::to_owned));
        if let (Some(under), Some(w)) = (under, &worktree)
            && !w.starts_with(under)
        {
            continue;
        }
        let pid = pid.as_u32();
        let stale = match &worktree {
            None => Some("its worktree is unknown".to_owned()),
            Some(w) if !w.join(crate::store::ISSUES_DIR).is_dir() => {
                Some("its worktree is gone".to_owned())
            }
            Some(w) => match crate::git::Repo::discover(w) {
                Err(_) => Some("its worktree is no git repository".to_owned()),
                Ok(repo) => {
                    let paths = Paths::new(&repo.git_dir().join("yit"));
                    if running(&paths) != Some(pid) {
                        Some("it does not hold its worktree's lock".to_owned())
                    } else {
                        match Client::connect(&paths, w) {
                            Some(_) => None,
                            None => Some("it is of another version, or does not answer".to_owned()),
                        }
                    }
                }
            },
        };
        found.push(Found {
            pid,
            worktree,
            stale,
        });
    }
    found.sort_by_key(|f| f.pid);
    found
}
