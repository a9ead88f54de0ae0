//! `yit daemon`: run, start, stop, restart and inspect the watch daemon.

use std::time::Duration;

use clap::{Args, Subcommand};
use yit::daemon::protocol::{Request, Response};
use yit::daemon::{self, Client, Ended, Paths, ServeOptions, Started, Stopped};
use yit::store::Tracker;

use super::{CommandError, Ctx, ErrorKind, Format};

/// Manage the watch daemon, which keeps every issue in memory so that
/// queries are instant (every answer is the same without it)
///
/// A tracker of 5,000 issues or more starts it by itself (the command that
/// starts it answers from the files); `git config yit.autostart false`
/// (with --global: in every repository) keeps it from starting, `true`
/// starts it at any size.
///
/// Examples:
///   yit daemon start
///   yit daemon status --json
///   yit daemon stop
///   yit daemon gc               stop daemons whose worktree is gone
///   yit daemon gc --all         stop every one of your daemons
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct DaemonArgs {
    #[command(subcommand)]
    action: DaemonAction,
}

#[derive(Subcommand)]
enum DaemonAction {
    /// Run in the foreground, logging to stderr (YIT_LOG=error|info|debug)
    Run(RunArgs),
    /// Start in the background; returns once it answers
    Start(RunArgs),
    /// Stop it (SIGTERM, then SIGKILL); returns once the process is gone
    Stop(StopArgs),
    /// Stop, then start
    Restart(RunArgs),
    /// Pid, version, uptime, issues, last event, memory and descriptors;
    /// exits 1 when no daemon runs
    Status,
    /// List your yit daemons and stop those that serve no worktree
    Gc(GcArgs),
}

#[derive(Args)]
struct StopArgs {
    /// Seconds to wait after SIGTERM before SIGKILL
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    timeout: f64,
}

#[derive(Args)]
struct GcArgs {
    /// Stop every one of your yit daemons
    #[arg(long)]
    all: bool,
    /// Only daemons serving worktrees under DIR
    #[arg(long, value_name = "DIR")]
    under: Option<std::path::PathBuf>,
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Exit after this many seconds without a request (0: never)
    #[arg(long, value_name = "SECS", default_value_t = 3600.0)]
    idle_timeout: f64,
    /// Exit when this process exits
    #[arg(long, value_name = "PID")]
    exit_with_pid: Option<u32>,
    /// Detach from the terminal's session (used by `start`)
    #[arg(long, hide = true)]
    detach: bool,
}

impl RunArgs {
    /// The flags `start` passes on to `run`.
    fn to_args(&self) -> Vec<String> {
        let mut args = vec!["--idle-timeout".to_owned(), self.idle_timeout.to_string()];
        if let Some(pid) = self.exit_with_pid {
            args.extend(["--exit-with-pid".to_owned(), pid.to_string()]);
        }
        args
    }
}

pub fn cmd_daemon(ctx: &mut Ctx, args: DaemonArgs) -> Result<(), CommandError> {
    // gc needs no tracker: it may run anywhere
    if let DaemonAction::Gc(gc_args) = args.action {
        return gc(ctx, gc_args);
    }
    let tracker = Tracker::open(&ctx.cwd)?;
    let paths = Paths::new(tracker.state_dir());
    let root = tracker.root().to_owned();
    match args.action {
        DaemonAction::Run(run) => run_daemon(tracker, run),
        DaemonAction::Start(run) => start(ctx, &paths, &root, &run),
        DaemonAction::Stop(args) => stop(ctx, &paths, args.timeout),
        DaemonAction::Restart(run) => {
            stop(ctx, &paths, 5.0)?;
            start(ctx, &paths, &root, &run)
        }
        DaemonAction::Status => status(ctx, &paths, &root),
        DaemonAction::Gc(_) => unreachable!("handled above"),
    }
}

fn run_daemon(tracker: Tracker, run: RunArgs) -> Result<(), CommandError> {
    if !(run.idle_timeout.is_finite() && run.idle_timeout >= 0.0) {
        return Err(CommandError::usage(
            "--idle-timeout takes a number of seconds",
        ));
    }
    if run.detach {
        // its own session: a terminal's hangup or a test runner's process
        // group signal does not reach it; it ends by its own rules
        let _ = rustix::process::setsid();
    }
    let level = match std::env::var("YIT_LOG").as_deref() {
        Ok("off") => 0,
        Ok("error") => 1,
        Ok("debug") => 3,
        _ => 2,
    };
    // detached, stdout is the log and stderr the pipe `daemon start`
    // reads until the daemon serves (then nobody: writes to it fail
    // quietly); in the foreground, both are the person's
    let detached = run.detach;
    let log: std::sync::Arc<dyn Fn(&str) + Send + Sync> = std::sync::Arc::new(move |line: &str| {
        if level >= 2 {
            let stamp = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ");
            daemon_says(detached, &format!("{stamp} yit daemon: {line}"));
        }
    });
    let watchdog = Watchdog::new(level >= 1, detached);
    let options = ServeOptions {
        idle_timeout: (run.idle_timeout > 0.0).then(|| Duration::from_secs_f64(run.idle_timeout)),
        exit_with_pid: run.exit_with_pid,
        lifeline_fd: std::env::var("YIT_LIFELINE_FD")
            .ok()
            .and_then(|v| v.parse().ok()),
        debug: level >= 3,
        exiting: Some(watchdog.arm()),
        hang_on_exit: std::env::var_os("YIT_TEST_DAEMON_HANG_ON_EXIT").is_some(),
    };
    let served = daemon::serve(tracker, options, log);
    drop(watchdog);
    match served {
        Ok(_) => Ok(()),
        Err(e) => {
            if level >= 1 && detached {
                daemon_says(detached, &format!("yit daemon: {e}"));
            }
            Err(e.into())
        }
    }
}

/// A line of the daemon's log: detached, its stdout is the log (its
/// stderr is the pipe `daemon start` reads until the daemon serves); in
/// the foreground, stderr.
fn daemon_says(detached: bool, line: &str) {
    use std::io::Write as _;
    if detached {
        let _ = writeln!(std::io::stdout(), "{line}");
    } else {
        crate::front::say!("{line}");
    }
}

/// How long a daemon may take to exit cleanly once it decided to.
const WATCHDOG: Duration = Duration::from_secs(3);

/// Ends the process if a clean exit, once decided, has not finished
/// within [`WATCHDOG`]: whatever wedged it, a daemon never outlives its
/// decision to go. Dropped, it is disarmed and its thread joined.
struct Watchdog {
    disarm: Option<std::sync::mpsc::Sender<()>>,
    armed: Option<std::sync::mpsc::Sender<daemon::Exit>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    fn new(log: bool, detached: bool) -> Watchdog {
        let (disarm, disarmed) = std::sync::mpsc::channel::<()>();
        let (armed, arming) = std::sync::mpsc::channel::<daemon::Exit>();
        let thread = std::thread::spawn(move || {
            // waits for the decision (or for the serve loop to end without one)
            let Ok(exit) = arming.recv() else { return };
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = disarmed.recv_timeout(WATCHDOG)
            {
                if log {
                    daemon_says(
                        detached,
                        &format!(
                            "{} yit daemon: the clean exit ({exit:?}) did not finish within {} s; the watchdog ends the process",
                            jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                            WATCHDOG.as_secs()
                        ),
                    );
                }
                std::process::exit(1);
            }
        });
        Watchdog {
            disarm: Some(disarm),
            armed: Some(armed),
            thread: Some(thread),
        }
    }

    /// The hook the serve loop calls with its decision to exit.
    fn arm(&self) -> Box<dyn FnOnce(daemon::Exit) + Send> {
        let armed = self.armed.clone();
        Box::new(move |exit| {
            if let Some(armed) = armed {
                let _ = armed.send(exit);
            }
        })
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.disarm.take());
        drop(self.armed.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn start(
    ctx: &mut Ctx,
    paths: &Paths,
    root: &std::path::Path,
    run: &RunArgs,
) -> Result<(), CommandError> {
    let format = ctx.format(
        "daemon start",
        &[Format::Table, Format::Json],
        Format::Table,
    )?;
    let exe = std::env::current_exe()?;
    let started = daemon::start(paths, &exe, root, &run.to_args())?;
    if format == Format::Json {
        let (pid, new) = match started {
            Started::Started { pid } => (pid, true),
            Started::AlreadyRunning { pid } => (pid, false),
        };
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "pid": pid,
            "started": new,
        })))?);
    }
    match started {
        Started::Started { pid } => ctx.out.line(&format!("started the daemon (pid {pid})"))?,
        Started::AlreadyRunning { pid } => ctx
            .out
            .line(&format!("the daemon is already running (pid {pid})"))?,
    }
    Ok(())
}

fn stop(ctx: &mut Ctx, paths: &Paths, timeout: f64) -> Result<(), CommandError> {
    if !(timeout.is_finite() && timeout >= 0.0) {
        return Err(CommandError::usage("--timeout takes a number of seconds"));
    }
    let format = ctx.format("daemon stop", &[Format::Table, Format::Json], Format::Table)?;
    let patience = Duration::from_secs_f64(timeout);
    let stopped = daemon::stop(paths, patience)?;
    if format == Format::Json {
        let (pid, signal) = match &stopped {
            Stopped::NotRunning => (None, None),
            Stopped::Stopped { pid, how } => (
                Some(*pid),
                Some(match how {
                    Ended::Terminated => "TERM",
                    Ended::Killed => "KILL",
                }),
            ),
        };
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "pid": pid,
            "signal": signal,
        })))?);
    }
    match stopped {
        Stopped::NotRunning => ctx.out.line("no daemon is running")?,
        Stopped::Stopped {
            pid,
            how: Ended::Terminated,
        } => ctx
            .out
            .line(&format!("stopped the daemon (pid {pid}) with SIGTERM"))?,
        Stopped::Stopped {
            pid,
            how: Ended::Killed,
        } => ctx.out.line(&format!(
            "the daemon (pid {pid}) did not exit within {timeout} s of SIGTERM; killed it with SIGKILL"
        ))?,
    }
    Ok(())
}

fn status(ctx: &mut Ctx, paths: &Paths, root: &std::path::Path) -> Result<(), CommandError> {
    let format = ctx.format(
        "daemon status",
        &[Format::Table, Format::Json],
        Format::Table,
    )?;
    let info = match daemon::running(paths) {
        None => None,
        // started (by a command, which did not wait) and still reading
        Some(pid) if !paths.socket.exists() => {
            if format == Format::Json {
                let starting = serde_json::json!({ "running": true, "starting": true, "daemon": { "pid": pid } });
                return Ok(ctx.out.json(&super::output::envelope(starting))?);
            }
            return Ok(ctx.out.line(&format!(
                "a daemon (pid {pid}) is starting: it serves once it has read the issues"
            ))?);
        }
        Some(pid) => match Client::connect(paths, root).map(|mut c| c.request(&Request::Status)) {
            Some(Ok(Response::Status(info))) => Some(info),
            _ => {
                return Err(CommandError::user(format!(
                    "a daemon (pid {pid}) holds the pidfile but does not answer; `yit daemon stop` ends it"
                )));
            }
        },
    };
    if format == Format::Json {
        let value = match &info {
            Some(info) => {
                // times as RFC 3339, like every other time yit prints
                let rfc3339 = yit::model::issue::format_unix;
                let mut daemon = serde_json::to_value(info).map_err(std::io::Error::other)?;
                daemon["started"] = serde_json::json!(rfc3339(info.started));
                daemon["last_event"] = serde_json::json!(info.last_event.map(rfc3339));
                super::output::envelope(serde_json::json!({ "running": true, "daemon": daemon }))
            }
            None => super::output::envelope(serde_json::json!({ "running": false })),
        };
        ctx.out.json(&value)?;
        return match info {
            Some(_) => Ok(()),
            None => Err(CommandError::silent(ErrorKind::User)),
        };
    }
    let Some(info) = info else {
        // like `systemctl status`: a script can ask the exit code
        ctx.out.line("no daemon is running")?;
        return Err(CommandError::silent(ErrorKind::User));
    };
    let now = jiff::Timestamp::now().as_second();
    let ago = |t: i64| format!("{}s ago", (now - t).max(0));
    let lines = [
        ("pid", info.pid.to_string()),
        ("version", info.version.clone()),
        ("worktree", info.worktree.clone()),
        ("uptime", format!("{}s", (now - info.started).max(0))),
        ("issues", info.issues.to_string()),
        (
            "last event",
            info.last_event.map_or_else(|| "none".to_owned(), ago),
        ),
        (
            "memory",
            format!(
                "{:.1} MiB resident",
                info.resident_bytes as f64 / (1024.0 * 1024.0)
            ),
        ),
        ("open fds", info.open_fds.to_string()),
    ];
    for (name, value) in lines {
        ctx.out.line(&format!("{name:<11} {value}"))?;
    }
    Ok(())
}

fn gc(ctx: &mut Ctx, args: GcArgs) -> Result<(), CommandError> {
    let format = ctx.format("daemon gc", &[Format::Table, Format::Json], Format::Table)?;
    let under = args.under.map(|dir| ctx.cwd.join(dir));
    let found = daemon::find_daemons(under.as_deref());
    let mut rows = Vec::new();
    for f in found {
        let reason = match (&f.stale, args.all) {
            (Some(why), _) => Some(why.clone()),
            (None, true) => Some("--all".to_owned()),
            (None, false) => None,
        };
        let action = match &reason {
            None => "serving".to_owned(),
            Some(why) => {
                let how = match daemon::end_process(f.pid, Duration::from_secs(5)) {
                    Ok(Some(Ended::Terminated)) => "stopped",
                    Ok(Some(Ended::Killed)) => "killed",
                    Ok(None) => "gone",
                    Err(_) => "survived",
                };
                format!("{how} ({why})")
            }
        };
        rows.push((f, action));
    }
    if format == Format::Json {
        let records: Vec<_> = rows
            .iter()
            .map(|(f, action)| serde_json::json!({ "pid": f.pid, "worktree": f.worktree, "action": action }))
            .collect();
        return Ok(ctx.out.json(&super::output::envelope(
            serde_json::json!({ "daemons": records }),
        ))?);
    }
    if rows.is_empty() {
        ctx.out.line("no yit daemons are running")?;
    }
    for (f, action) in rows {
        let worktree = f
            .worktree
            .map(|w| w.display().to_string())
            .unwrap_or_else(|| "?".to_owned());
        ctx.out
            .line(&format!("{:<8} {action:<12} {worktree}", f.pid))?;
    }
    Ok(())
}
