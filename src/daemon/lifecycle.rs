//! The daemon's resources and their one owner: the pidfile lock, the
//! listening socket, every thread the daemon starts, and the watch over
//! the paths it exists for.
//!
//! [`Server`] owns the threads (signals, owner and lifeline watches, the
//! accept loop and through it every connection). Each waits on the
//! server's [`Stop`] as well as on what it is for, so ending them never
//! depends on the file system: [`Server::shutdown`] (also run by `Drop`,
//! so a start-up that fails half way ends what it started) signals the
//! stop, hangs up every connection and joins every thread, then removes
//! the socket and the pidfile, each only if it is still this daemon's.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::connection::{self, Connections, Shared};
use super::server::{Control, Exit, ServeOptions};
use super::{DaemonError, Paths, io, socket_address};
use crate::watch::lifeline::Stop;

/// A file's identity: device and inode. A path whose identity changed was
/// removed, replaced or moved, even if something else now has its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Identity {
    dev: u64,
    ino: u64,
}

impl Identity {
    fn of_path(path: &Path) -> Option<Identity> {
        std::fs::symlink_metadata(path).ok().map(|m| Identity {
            dev: m.dev(),
            ino: m.ino(),
        })
    }

    /// The identity of `path`, which must exist.
    fn required(path: &Path) -> Result<Identity, DaemonError> {
        Identity::of_path(path).ok_or_else(|| {
            io("could not read", path)(std::io::Error::from(std::io::ErrorKind::NotFound))
        })
    }

    fn of_file(file: &File) -> std::io::Result<Identity> {
        file.metadata().map(|m| Identity {
            dev: m.dev(),
            ino: m.ino(),
        })
    }
}

/// The state directory as opened at the start: the daemon's files are
/// found through it even after the worktree was moved or renamed.
#[derive(Clone)]
pub(super) struct StateDir(Arc<File>);

impl StateDir {
    pub(super) fn open(path: &Path) -> Result<StateDir, DaemonError> {
        File::open(path)
            .map(|f| StateDir(Arc::new(f)))
            .map_err(io("could not open", path))
    }

    /// A path to `name` in the directory, wherever it is now.
    pub(super) fn at(&self, name: &std::ffi::OsStr) -> PathBuf {
        use std::os::fd::AsRawFd;
        Path::new(&format!("/proc/self/fd/{}", self.0.as_raw_fd())).join(name)
    }

    /// Removes `path`'s file from the directory if it is still `identity`.
    fn remove_if(&self, path: &Path, identity: Identity) {
        let Some(name) = path.file_name() else { return };
        let here = self.at(name);
        if Identity::of_path(&here) == Some(identity) {
            let _ = std::fs::remove_file(here);
        }
    }
}

/// The pidfile, exclusively locked for the daemon's whole life and removed
/// (while still locked, and only if it is still this one) when it ends.
pub(super) struct Pidfile {
    // the lock lives as long as this descriptor
    _file: File,
    path: PathBuf,
    identity: Identity,
    dir: StateDir,
}

impl Pidfile {
    /// Takes the pidfile's lock, or fails with `AlreadyRunning`.
    pub(super) fn acquire(
        paths: &Paths,
        dir: &StateDir,
        worktree: &Path,
    ) -> Result<Pidfile, DaemonError> {
        let path = paths.pidfile.clone();
        // a moment's shared lock by `status` must not look like a daemon
        let deadline = Instant::now() + Duration::from_secs(1);
        let (mut file, identity) = loop {
            let file =
                crate::store::lock::open_lock_file(&path).map_err(io("could not open", &path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(DaemonError::AlreadyRunning {
                        pid: super::running(paths).unwrap_or_default(),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(io("could not lock", &path)(e));
                }
            }
            // the daemon that held it removes it before letting go: a lock
            // on a file that is no longer at the path locks nothing
            let identity = Identity::of_file(&file).map_err(io("could not read", &path))?;
            if Identity::of_path(&path) == Some(identity) {
                break (file, identity);
            }
        };
        let info = serde_json::json!({
            "pid": std::process::id(),
            "version": env!("CARGO_PKG_VERSION"),
            "started": jiff::Timestamp::now().as_second(),
            "worktree": worktree,
        });
        let _ = file.set_len(0);
        let _ = file.write_all(format!("{info}\n").as_bytes());
        Ok(Pidfile {
            _file: file,
            path,
            identity,
            dir: dir.clone(),
        })
    }
}

impl Drop for Pidfile {
    fn drop(&mut self) {
        self.dir.remove_if(&self.path, self.identity);
        // the lock goes with the descriptor (the field), after the file
    }
}

/// The listening socket (non-blocking: the accept loop polls it); its file
/// is removed on drop if it is still this one.
pub(super) struct Listener {
    pub(super) inner: UnixListener,
    path: PathBuf,
    identity: Identity,
    dir: StateDir,
}

impl Listener {
    pub(super) fn bind(paths: &Paths, dir: &StateDir) -> Result<Listener, DaemonError> {
        let path = paths.socket.clone();
        // only the pidfile's holder gets here: a socket file left by a
        // daemon that was killed is stale
        let _ = std::fs::remove_file(&path);
        let (address, _dir) = socket_address(&path).map_err(io("could not listen on", &path))?;
        let inner = UnixListener::bind(&address).map_err(io("could not listen on", &path))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(io("could not restrict", &path))?;
        inner
            .set_nonblocking(true)
            .map_err(io("could not listen on", &path))?;
        let identity = Identity::required(&path)?;
        Ok(Listener {
            inner,
            path,
            identity,
            dir: dir.clone(),
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.dir.remove_if(&self.path, self.identity);
    }
}

/// The paths the daemon exists for, each with the identity it had at the
/// start: a path that is gone, replaced or moved away is a reason to exit.
pub(super) struct Vigil {
    watched: Vec<(Exit, PathBuf, Identity)>,
}

impl Vigil {
    /// Watches each path of `paths` (for the exit reason given with it),
    /// as it is now.
    pub(super) fn new(paths: &[(Exit, &Path)]) -> Result<Vigil, DaemonError> {
        let watched = paths
            .iter()
            .map(|&(exit, path)| Ok((exit, path.to_owned(), Identity::required(path)?)))
            .collect::<Result<_, DaemonError>>()?;
        Ok(Vigil { watched })
    }

    /// The first path that is no longer what it was, and its exit reason.
    pub(super) fn check(&self) -> Option<(Exit, &Path)> {
        self.watched
            .iter()
            .find(|(_, path, identity)| Identity::of_path(path) != Some(*identity))
            .map(|(exit, path, _)| (*exit, path.as_path()))
    }
}

/// Owns everything the daemon starts; see the module's description.
pub(super) struct Server {
    stop: Stop,
    /// The accept loop, joined first (no connection comes after it).
    accept: Option<JoinHandle<()>>,
    /// The signal, owner and lifeline watches.
    threads: Vec<JoinHandle<()>>,
    signals: Option<signal_hook::iterator::Handle>,
    connections: Arc<Connections>,
    shared: Option<Arc<Shared>>,
    listener: Option<Listener>,
    /// Released last, once nothing of this daemon runs.
    pidfile: Option<Pidfile>,
}

impl Server {
    pub(super) fn new() -> Result<Server, DaemonError> {
        Ok(Server {
            stop: Stop::new()?,
            accept: None,
            threads: Vec::new(),
            signals: None,
            connections: Arc::new(Connections::default()),
            shared: None,
            listener: None,
            pidfile: None,
        })
    }

    /// Sends `Exit::Signal` on SIGTERM or SIGINT, from now on.
    pub(super) fn handle_signals(
        &mut self,
        control: Sender<Control>,
        paths: &Paths,
    ) -> Result<(), DaemonError> {
        let mut signals = signal_hook::iterator::Signals::new([
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGINT,
        ])
        .map_err(io("could not handle signals for", &paths.pidfile))?;
        self.signals = Some(signals.handle());
        self.threads.push(std::thread::spawn(move || {
            // ends with `None` when the handle is closed
            if signals.forever().next().is_some() {
                let _ = control.send(Control::Exit(Exit::Signal));
            }
        }));
        Ok(())
    }

    /// Sends `Exit::OwnerGone` when the owner process (`--exit-with-pid`)
    /// or the lifeline pipe is gone.
    pub(super) fn watch_owner(
        &mut self,
        options: &ServeOptions,
        control: &Sender<Control>,
    ) -> Result<(), DaemonError> {
        let owner_gone = || {
            let control = control.clone();
            move || {
                let _ = control.send(Control::Exit(Exit::OwnerGone));
            }
        };
        if let Some(fd) = options.lifeline_fd {
            let thread = crate::watch::lifeline::watch_pipe(fd, self.stop.waiter()?, owner_gone())?;
            self.threads.push(thread);
        }
        if let Some(pid) = options.exit_with_pid {
            let thread =
                crate::watch::lifeline::watch_process(pid, self.stop.waiter()?, owner_gone())?;
            self.threads.push(thread);
        }
        Ok(())
    }

    /// Takes the pidfile lock for the rest of the server's life.
    pub(super) fn lock_pidfile(
        &mut self,
        paths: &Paths,
        dir: &StateDir,
        worktree: &Path,
    ) -> Result<(), DaemonError> {
        self.pidfile = Some(Pidfile::acquire(paths, dir, worktree)?);
        Ok(())
    }

    /// Binds the socket and accepts connections on it, each served by a
    /// thread of its own.
    pub(super) fn listen(
        &mut self,
        paths: &Paths,
        dir: &StateDir,
        shared: Arc<Shared>,
        log: Arc<dyn Fn(&str) + Send + Sync>,
    ) -> Result<(), DaemonError> {
        let listener = Listener::bind(paths, dir)?;
        let inner =
            (listener.inner.try_clone()).map_err(io("could not listen on", &paths.socket))?;
        self.listener = Some(listener);
        self.shared = Some(Arc::clone(&shared));
        let waiter = self.stop.waiter()?;
        let connections = Arc::clone(&self.connections);
        let cookies = paths.cookies.clone();
        self.accept = Some(std::thread::spawn(move || {
            connection::accept_loop(&inner, &waiter, &connections, &shared, &cookies, &*log)
        }));
        Ok(())
    }

    /// Ends every thread and connection and removes the socket file; the
    /// pidfile stays locked until the server is dropped. Idempotent.
    pub(super) fn shutdown(&mut self) {
        if let Some(shared) = &self.shared {
            shared.begin_shutdown();
        }
        self.stop.stop();
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
        self.connections.close_all();
        if let Some(signals) = self.signals.take() {
            signals.close();
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        drop(self.listener.take());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
        drop(self.pidfile.take());
    }
}
