//! What every command gets ([`Ctx`]: where to run, how to print, the
//! clock, the daemon) and the helpers commands share: a session on the
//! tracker, partial results, reports of what changed, test hooks.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use jiff::Timestamp;

use super::{ColorChoice, CommandError, ErrorKind, Format, GlobalArgs, Output, output};

/// What every command gets: where to run, how to print, the clock and the
/// random seed (fixed by `YIT_NOW`/`YIT_SEED` in tests).
pub struct Ctx {
    pub cwd: PathBuf,
    format: Option<Format>,
    /// The format is YIT_FORMAT's default rather than asked for.
    format_from_env: bool,
    pub quiet: bool,
    access: crate::front::Access,
    /// `--as`: who acts, instead of git's identity.
    acting_as: Option<String>,
    pub lock_timeout: Duration,
    pub now: Timestamp,
    pub seed: Option<u64>,
    pub out: Output,
    /// The clone's `yit.autocommit`, read when a command opens its tracker.
    autocommit: std::cell::Cell<bool>,
    /// Whether a daemon that did not answer was warned about already.
    daemon_warned: std::rc::Rc<std::cell::Cell<bool>>,
}

impl Ctx {
    /// The format asked for, if the command accepts it; `default` otherwise.
    pub fn format(
        &self,
        command: &str,
        accepted: &[Format],
        default: Format,
    ) -> Result<Format, CommandError> {
        match self.format {
            None => Ok(default),
            Some(f) if accepted.contains(&f) => Ok(f),
            Some(_) if self.format_from_env => Ok(default),
            Some(f) => Err(CommandError::usage(format!(
                "`yit {command}` does not support --format {}; it accepts {}",
                f.name(),
                accepted
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// How to read every issue: through the index unless `--no-index`;
    /// `details` when bodies, comments and other keys are needed.
    pub fn scan_mode(&self, details: bool) -> yit::store::ScanMode {
        self.access.scan_mode(details)
    }

    /// How to reach the daemon of a worktree: when one runs, is
    /// compatible, and neither `--no-daemon` nor `--no-index` says
    /// otherwise. One that is there but does not answer in time is warned
    /// about once, and the command answers from the files. It owns what it
    /// needs: a session may hold it while the command prints.
    fn connector(&self) -> impl FnOnce(&yit::store::Tracker) -> Option<yit::ops::Daemon> + 'static {
        let allowed = self.access.asks_daemon();
        let given = std::rc::Rc::clone(&self.daemon_warned);
        let paint = self.out.paint_stderr(output::Paint::Warning, "warning:");
        let quiet = self.quiet;
        move |tracker| {
            if !allowed {
                return None;
            }
            let state = tracker.state_dir().to_owned();
            let on_trouble: yit::ops::OnTrouble = std::rc::Rc::new(move |trouble| match trouble {
                // once per command
                yit::ops::Trouble::NotAnswering(e) if !given.replace(true) => {
                    crate::front::say!(
                        "{paint} {e}; answering from the files (`yit daemon stop` ends it)"
                    );
                }
                yit::ops::Trouble::NotAnswering(_) => {}
                yit::ops::Trouble::Autostart(e) => crate::front::say!("{paint} yit.autostart: {e}"),
                // said once per worktree, to someone who hears notes
                yit::ops::Trouble::Started { files } => {
                    if !quiet && yit::daemon::first_autostart(&yit::daemon::Paths::new(&state)) {
                        crate::front::say!("{}", autostart_notice(files));
                    }
                }
            });
            yit::ops::Daemon::connect(tracker, on_trouble)
        }
    }

    /// A note for a person on stderr, unless `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            crate::front::say!("{text}");
        }
    }

    /// Opens the tracker of the working directory as every front end does
    /// (`front::open`), and says what a person should hear of it.
    pub fn open_tracker(&self) -> Result<yit::store::Tracker, CommandError> {
        let (mut tracker, notices) = crate::front::open::open_tracker(&self.cwd)?;
        if std::env::var_os("YIT_TEST_CRASH_AFTER_FILES").is_some() {
            tracker.set_before_file(std::sync::Arc::new(crash_hook()));
        }
        if let Some(person) = &self.acting_as {
            tracker
                .set_author(person.clone())
                .map_err(|e| CommandError::from(e).hint("--as (or YIT_AS) takes `Name <email>`"))?;
        }
        for notice in notices {
            match notice {
                n if n.is_warning() => self.warn(&n.to_string()),
                n => self.note(&n.to_string()),
            }
        }
        self.autocommit
            .set(tracker.repo().config_bool("yit.autocommit") == Some(true));
        Ok(tracker)
    }

    pub fn warn(&self, text: &str) {
        crate::front::say!(
            "{}",
            self.out
                .paint_stderr(output::Paint::Warning, &format!("warning: {text}"))
        );
    }
}

/// Resolves every id a person typed; all must resolve.
pub fn resolve_all(
    listing: &yit::store::Listing,
    inputs: &[String],
) -> Result<Vec<yit::model::id::IssueId>, CommandError> {
    inputs
        .iter()
        .map(|input| Ok(listing.resolve(input)?))
        .collect()
}

impl Ctx {
    /// What a long-running front end (`serve`, `mcp`) runs with: this
    /// command's directory, flags and test hooks (`YIT_NOW` fixes the time
    /// of every change, `YIT_SEED` seeds ids), and who makes the changes when not git's identity.
    pub fn front_options(&self) -> crate::front::Options {
        let author = self.acting_as.clone();
        crate::front::Options {
            root: self.cwd.clone(),
            now: std::env::var_os("YIT_NOW").map(|_| self.now),
            seed: self.seed,
            lock_timeout: self.lock_timeout,
            access: self.access,
            author,
            session: None,
        }
    }

    /// The clock, randomness and patience of a change.
    pub fn clock(&self) -> yit::ops::Clock {
        yit::ops::Clock {
            now: self.now,
            seed: self.seed,
            lock_timeout: self.lock_timeout,
        }
    }
}

/// A session on `tracker` with the daemon, as `--no-daemon` and
/// `--no-index` allow.
pub fn session<'a>(ctx: &Ctx, tracker: &'a yit::store::Tracker) -> yit::ops::Session<'a> {
    let connect = ctx.connector();
    yit::ops::Session::new(tracker, move || connect(tracker)).at(ctx.now)
}

/// `--token N`: refuses (exit 4, naming the holder) when any issue of
/// `inputs` was claimed by anyone since the lease that token is.
pub fn fence(
    ctx: &Ctx,
    tracker: &yit::store::Tracker,
    inputs: &[String],
    token: Option<u64>,
) -> Result<(), CommandError> {
    let Some(token) = token else {
        return Ok(());
    };
    let mut session = session(ctx, tracker);
    for input in inputs {
        session.check_fence(input, token)?;
    }
    Ok(())
}

/// After a result that left out files that could not be read: a warning
/// for each (its first problem), and exit 3 (`the other issues were
/// {done}`); nothing when none was left out.
pub fn partial(
    ctx: &Ctx,
    problems: Vec<yit::model::problem::Problem>,
    broken_files: usize,
    done: &str,
) -> Result<(), CommandError> {
    if broken_files == 0 {
        return Ok(());
    }
    let mut warned = std::collections::HashSet::new();
    for problem in &problems {
        if warned.insert(problem.path.clone()) {
            ctx.warn(&problem.to_string());
        }
    }
    let mut err = CommandError::new(
        ErrorKind::Partial,
        format!("{broken_files} issue file(s) could not be read; the other issues were {done}"),
    );
    err.problems = problems;
    Err(err.hint("`yit doctor` lists every problem"))
}

/// Prints what a change command did: a line per issue for people, the
/// records for programs (`issue` for one, `issues` for several).
pub fn report_edits(
    ctx: &mut Ctx,
    shorts: &output::Shorts,
    verb: &str,
    edits: &[yit::model::edit::Edited],
    single: bool,
) -> Result<(), CommandError> {
    let format = ctx.format(
        verb,
        &[Format::Table, Format::Ids, Format::Json],
        Format::Table,
    )?;
    match format {
        Format::Json => {
            ctx.out.json(&output::envelope(yit::ops::json::edits(
                edits, shorts, single,
            )))?;
        }
        Format::Ids => {
            for e in edits {
                ctx.out.line(e.issue.id.as_str())?;
            }
        }
        _ => {
            // one column for the verb, however long (`uncommented`)
            let width = verb.len().max("unchanged".len()) + 1;
            for e in edits {
                let short = ctx.out.paint(output::Paint::Id, shorts.of(&e.issue.id));
                let what = if e.changed { verb } else { "unchanged" };
                ctx.out
                    .line(&format!("{what:<width$} {short}  {}", e.issue.title))?;
            }
        }
    }
    Ok(())
}

/// The test hook of an interrupted plan or change
/// (`YIT_TEST_CRASH_AFTER_FILES=N`): called before the n-th file of a
/// plan or import is created (or of a change to several issues is
/// replaced), it exits as a crash would before the N-th.
pub fn crash_hook() -> impl Fn(usize) {
    let crash_after = std::env::var("YIT_TEST_CRASH_AFTER_FILES")
        .ok()
        .and_then(|n| n.parse::<usize>().ok());
    move |n| {
        if crash_after == Some(n) {
            std::process::exit(86);
        }
    }
}

/// The path of this yit, for what runs it later (git's merge driver,
/// hooks, a client's MCP configuration).
pub fn this_program() -> Result<PathBuf, CommandError> {
    std::env::current_exe()
        .map_err(|e| CommandError::new(ErrorKind::Internal, "cannot find this program").because(&e))
}

fn env_now() -> Result<Timestamp, CommandError> {
    match std::env::var("YIT_NOW") {
        Ok(text) => text.parse().map_err(|_| {
            CommandError::usage(format!("YIT_NOW={text:?} is not an RFC 3339 timestamp"))
        }),
        Err(_) => Ok(yit::model::issue::now_in_seconds()),
    }
}

fn env_seed() -> Result<Option<u64>, CommandError> {
    match std::env::var("YIT_SEED") {
        Ok(text) => text.parse().map(Some).map_err(|_| {
            CommandError::usage(format!("YIT_SEED={text:?} is not an unsigned integer"))
        }),
        Err(_) => Ok(None),
    }
}

impl Ctx {
    /// The context the global options and the environment (YIT_FORMAT,
    /// NO_COLOR, TERM, YIT_NOW, YIT_SEED) describe.
    /// Whether `yit.autocommit` is on in the clone whose tracker the
    /// command opened.
    pub(super) fn autocommits(&self) -> bool {
        self.autocommit.get()
    }

    pub(super) fn new(g: GlobalArgs, page: bool) -> Result<Ctx, CommandError> {
        let (format, format_from_env) = output_format(&g)?;
        let cwd = working_dir(g.dir)?;
        if !(g.lock_timeout.is_finite() && (0.0..=86_400.0).contains(&g.lock_timeout)) {
            return Err(CommandError::usage(
                "--lock-timeout takes a number of seconds from 0 to 86400",
            ));
        }
        Ok(Ctx {
            cwd,
            format,
            format_from_env,
            quiet: g.quiet,
            acting_as: g.acting_as.clone(),
            access: crate::front::Access {
                no_index: g.no_index,
                no_daemon: g.no_daemon,
            },
            lock_timeout: Duration::from_secs_f64(g.lock_timeout),
            now: env_now()?,
            seed: env_seed()?,
            out: Output::stdout(colored(g.color), page),
            autocommit: std::cell::Cell::new(false),
            daemon_warned: Default::default(),
        })
    }
}

/// The format asked for (`--json`, `--format`, else YIT_FORMAT) and whether
/// it came from the environment.
fn output_format(g: &GlobalArgs) -> Result<(Option<Format>, bool), CommandError> {
    if g.json && g.format.is_some_and(|f| f != Format::Json) {
        return Err(CommandError::usage(
            "--json and --format disagree; use one of them",
        ));
    }
    if g.json {
        return Ok((Some(Format::Json), false));
    }
    if g.format.is_some() {
        return Ok((g.format, false));
    }
    match std::env::var("YIT_FORMAT") {
        Ok(text) if !text.is_empty() => {
            let format = Format::from_str(&text, true).map_err(|_| {
                CommandError::usage(format!(
                    "YIT_FORMAT={text:?} is not a format (table, ids, json, jsonl, csv, markdown, yaml)"
                ))
            })?;
            Ok((Some(format), true))
        }
        _ => Ok((None, false)),
    }
}

/// The directory to run in: `-C DIR` against the current one.
fn working_dir(dir: Option<PathBuf>) -> Result<PathBuf, CommandError> {
    let base = std::env::current_dir()?;
    let Some(dir) = dir else {
        return Ok(base);
    };
    let dir = base.join(dir);
    if !dir.is_dir() {
        return Err(CommandError::user(format!(
            "-C {}: no such directory",
            dir.display()
        )));
    }
    Ok(dir)
}

/// Whether to color: `--color`, else a terminal without NO_COLOR or a
/// dumb TERM.
fn colored(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// Lets the process end without freeing `value` piece by piece: a command
/// calls this on what it read just before it returns, and the operating
/// system takes the memory back at once on exit (freeing a scan of 100,000
/// issues allocation by allocation takes ~40 ms). Only for plain memory:
/// nothing that owns a descriptor, a lock or a child process.
pub fn exit_without_freeing<T>(value: T) {
    std::mem::forget(value);
}

/// The one line said when a command first starts the daemon of a
/// worktree: what started, why, and how to stop it or turn it off.
fn autostart_notice(files: Option<u64>) -> String {
    let why = match files {
        Some(files) => format!("this tracker has {files} issues"),
        None => "yit.autostart is true".to_owned(),
    };
    format!(
        "yit: started a daemon for this worktree ({why}); from the next command on it answers reads from memory. \
         `yit daemon stop` stops it; `git config yit.autostart false` (with --global: in every repository) keeps it from starting"
    )
}
