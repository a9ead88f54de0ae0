//! `yit daemon`: run, start, stop, restart and inspect the watch daemon.

use std::time::Duration;

use clap::{Args, Subcommand};
use yit::daemon::protocol::{Request, Response};
use yit::daemon::{self, Client, Paths, ServeOptions, Started, Stopped};
use yit::store::Tracker;

use super::{CommandError, Ctx, ErrorKind, Format};

/// Manage the watch daemon, which keeps every issue in memory so that
/// queries are instant (every answer is the same without it)
///
/// Examples:
///   yit daemon start
///   yit daemon status --json
///   yit daemon stop
///   yit daemon gc --all         stop daemons whose worktree is gone
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
    /// Stop it; returns once the process is gone
    Stop,
    /// Stop, then start
    Restart(RunArgs),
    /// Pid, version, uptime, issues, last event, memory and descriptors
    Status,
    /// List your yit daemons and stop those that serve no worktree
    Gc(GcArgs),
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
        DaemonAction::Stop => stop(ctx, &paths, &root),
        DaemonAction::Restart(run) => {
            stop(ctx, &paths, &root)?;
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
    let log = move |line: &str| {
        if level >= 2 {
            eprintln!(
                "{} yit daemon: {line}",
                jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ")
            );
        }
    };
    let options = ServeOptions {
        idle_timeout: (run.idle_timeout > 0.0).then(|| Duration::from_secs_f64(run.idle_timeout)),
        exit_with_pid: run.exit_with_pid,
        lifeline_fd: std::env::var("YIT_LIFELINE_FD")
            .ok()
            .and_then(|v| v.parse().ok()),
    };
    match daemon::serve(tracker, options, &log) {
        Ok(_) => Ok(()),
        Err(e) => {
            if level >= 1 {
                eprintln!("yit daemon: {e}");
            }
            Err(daemon_error(e))
        }
    }
}

fn daemon_error(e: daemon::DaemonError) -> CommandError {
    match e {
        daemon::DaemonError::Store(e) => e.into(),
        other => {
            let kind = match other {
                daemon::DaemonError::AlreadyRunning { .. } => ErrorKind::Refused,
                _ => ErrorKind::User,
            };
            CommandError::new(kind, other.to_string())
        }
    }
}

fn start(
    ctx: &mut Ctx,
    paths: &Paths,
    root: &std::path::Path,
    run: &RunArgs,
) -> Result<(), CommandError> {
    let exe = std::env::current_exe()?;
    match daemon::start(paths, &exe, root, &run.to_args()).map_err(daemon_error)? {
        Started::Started { pid } => ctx.out.line(&format!("started the daemon (pid {pid})"))?,
        Started::AlreadyRunning { pid } => ctx
            .out
            .line(&format!("the daemon is already running (pid {pid})"))?,
    }
    Ok(())
}

fn stop(ctx: &mut Ctx, paths: &Paths, root: &std::path::Path) -> Result<(), CommandError> {
    match daemon::stop(paths, root, Duration::from_secs(5)).map_err(daemon_error)? {
        Stopped::NotRunning => ctx.out.line("no daemon is running")?,
        Stopped::Stopped { pid } => ctx.out.line(&format!("stopped the daemon (pid {pid})"))?,
        Stopped::Killed { pid } => ctx.out.line(&format!(
            "the daemon (pid {pid}) did not exit within 5 s; killed it"
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
                serde_json::json!({ "schema_version": 1, "running": true, "daemon": info })
            }
            None => serde_json::json!({ "schema_version": 1, "running": false }),
        };
        return Ok(ctx.out.json(&value)?);
    }
    let Some(info) = info else {
        ctx.out.line("no daemon is running")?;
        return Ok(());
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
                let graceful = daemon::end_process(f.pid, Duration::from_secs(5));
                format!("{} ({why})", if graceful { "stopped" } else { "killed" })
            }
        };
        rows.push((f, action));
    }
    if format == Format::Json {
        let records: Vec<_> = rows
            .iter()
            .map(|(f, action)| serde_json::json!({ "pid": f.pid, "worktree": f.worktree, "action": action }))
            .collect();
        return Ok(ctx
            .out
            .json(&serde_json::json!({ "schema_version": 1, "daemons": records }))?);
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
