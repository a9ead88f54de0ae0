//! A client's connection to the daemon, which never hangs on it.
//!
//! Connecting does not wait (a full backlog is an answer), the greeting and
//! every read and write of an answer have [`ANSWER_PATIENCE`], and a client
//! that once waited in vain asks no more: a stopped or wedged daemon costs
//! a command one such wait, after which it answers from the files.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use super::protocol::{self, Hello, PROTOCOL_VERSION, ProtocolError, Request, Response};
use super::{DaemonError, Paths, socket_address};

/// How long a client waits for the daemon's greeting, and for each read or
/// write of an exchange, before it gives up on the daemon.
pub const ANSWER_PATIENCE: Duration = Duration::from_secs(1);

/// The longest greeting a client reads.
const MAX_HELLO: u64 = 1 << 15;
/// The longest response-length line a client reads.
const MAX_HEADER: u64 = 32;
/// The largest response a client accepts (a `list` of 100,000 issues is
/// about 10 MB).
const MAX_RESPONSE: u64 = 1 << 32;

/// A connection to a running, compatible daemon.
pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    pub hello: Hello,
    /// Set once the daemon did not answer in time: it is not asked again.
    unresponsive: bool,
}

impl Client {
    /// Connects to the daemon of `worktree`; `None` when none runs, it is
    /// not compatible (another protocol or version), or it does not answer:
    /// then the caller answers without it.
    pub fn connect(paths: &Paths, worktree: &Path) -> Option<Client> {
        Client::try_connect(paths, worktree).ok().flatten()
    }

    /// Like [`Client::connect`], but tells a daemon that is there and does
    /// not answer (stopped, wedged, its backlog full) from none:
    /// `Err(NotAnswering)`.
    pub fn try_connect(paths: &Paths, worktree: &Path) -> Result<Option<Client>, DaemonError> {
        if !paths.socket.exists() {
            return Ok(None);
        }
        let Ok((address, _dir)) = socket_address(&paths.socket) else {
            return Ok(None);
        };
        let stream = match connect_now(&address) {
            Ok(stream) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Err(not_answering()),
            // refused (a stale socket), gone: no daemon
            Err(_) => return Ok(None),
        };
        let timeouts = stream
            .set_read_timeout(Some(ANSWER_PATIENCE))
            .and_then(|()| stream.set_write_timeout(Some(ANSWER_PATIENCE)));
        let Ok(writer) = timeouts.and_then(|()| stream.try_clone()) else {
            return Ok(None);
        };
        // large answers (a `list` of thousands) in few reads
        let mut reader = BufReader::with_capacity(1 << 18, stream);
        let mut line = String::new();
        match (&mut reader).take(MAX_HELLO).read_line(&mut line) {
            Err(e) if timed_out(&e) => return Err(not_answering()),
            Err(_) => return Ok(None),
            Ok(_) => {}
        }
        let Ok(hello) = serde_json::from_str::<Hello>(&line) else {
            return Ok(None);
        };
        let compatible = hello.protocol == PROTOCOL_VERSION
            && hello.version == env!("CARGO_PKG_VERSION")
            && Path::new(&hello.worktree) == worktree;
        Ok(compatible.then_some(Client {
            reader,
            writer,
            hello,
            unresponsive: false,
        }))
    }

    pub fn request(&mut self, request: &Request) -> Result<Response<'static>, DaemonError> {
        let answer = self.exchange(request)?;
        parse(&answer).map(Response::into_owned)
    }

    /// Sends `request` and returns the response, for a caller that reads it
    /// in place with [`parse`] (a large `list` need not copy its text). Its
    /// length comes first: it is read straight into a buffer of that size,
    /// without a copy as the buffer grows.
    pub fn exchange(&mut self, request: &Request) -> Result<Vec<u8>, DaemonError> {
        if self.unresponsive {
            return Err(not_answering());
        }
        let answer = self.exchange_once(request);
        if matches!(answer, Err(DaemonError::NotAnswering { .. })) {
            self.unresponsive = true;
        }
        answer
    }

    fn exchange_once(&mut self, request: &Request) -> Result<Vec<u8>, DaemonError> {
        let io = |e: std::io::Error| {
            if timed_out(&e) {
                not_answering()
            } else {
                ProtocolError::Io(e).into()
            }
        };
        let mut line = serde_json::to_string(request).map_err(ProtocolError::from)?;
        line.push('\n');
        self.writer.write_all(line.as_bytes()).map_err(io)?;
        let mut header = String::new();
        (&mut self.reader)
            .take(MAX_HEADER)
            .read_line(&mut header)
            .map_err(io)?;
        if header.is_empty() {
            return Err(ProtocolError::Closed.into());
        }
        let len = header
            .trim_end()
            .parse::<u64>()
            .ok()
            .filter(|&n| n <= MAX_RESPONSE)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| ProtocolError::Length(header.clone()))?;
        let mut answer = Vec::with_capacity(len);
        (&mut self.reader)
            .take(len as u64)
            .read_to_end(&mut answer)
            .map_err(io)?;
        if answer.len() < len {
            return Err(ProtocolError::Closed.into());
        }
        Ok(answer)
    }
}

/// Connects without waiting: a Unix socket connects at once, or fails with
/// `WouldBlock` when the listener's backlog is full (a daemon that does not
/// accept).
fn connect_now(address: &Path) -> std::io::Result<UnixStream> {
    use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};
    let fd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
        None,
    )?;
    rustix::net::connect(&fd, &SocketAddrUnix::new(address)?)?;
    let stream = UnixStream::from(fd);
    stream.set_nonblocking(false)?;
    Ok(stream)
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn not_answering() -> DaemonError {
    DaemonError::NotAnswering {
        waited: ANSWER_PATIENCE,
    }
}

/// A response, read in place ([`protocol::parse`]).
pub fn parse(answer: &[u8]) -> Result<Response<'_>, DaemonError> {
    Ok(protocol::parse(answer)?)
}
