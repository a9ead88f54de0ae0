//! The command line: clap definitions, the shared context, dispatch.
//!
//! One file per command (`cmd_xxx`); this module owns the global flags,
//! the output conventions and turning a `CommandError` into an exit code.

mod agents;
mod assign;
mod blocked;
mod board;
mod branches;
mod children;
mod claim;
mod close;
mod comment;
mod commit;
mod completions;
mod config;
mod daemon;
mod dep;
mod diff;
mod doctor;
mod edit;
mod editor;
mod export;
mod fmt;
mod help;
mod hooks;
mod import;
mod init;
mod label;
mod list;
mod log;
mod mcp;
mod merge_file;
mod new;
mod output;
mod ready;
mod reopen;
mod resolve;
mod restore;
mod rm;
mod search;
mod serve;
mod show;
mod stats;
mod unassign;
mod watch;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;

pub use crate::front::error::{CommandError, ErrorKind};
use crate::front::lifetime;
pub use output::Output;

/// An issue tracker that lives inside your git repository.
///
/// Each issue is one YAML file in `.issues/`, written by yit or by hand,
/// travelling with branches, merges and clones like the code it describes.
#[derive(Parser)]
#[command(
    name = "yit",
    version,
    max_term_width = 100,
    disable_help_subcommand = true
)]
#[command(
    after_help = "Help topics: `yit help query` (the query language), `yit help format` (the files and --json).\nExit codes: 0 success, 1 error, 2 usage, 3 partial result, 4 refused, 5 lock timeout, 70 internal error."
)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
#[command(next_help_heading = "Global options")]
struct GlobalArgs {
    /// Run as if yit was started in DIR
    #[arg(short = 'C', global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Output format; each command accepts the ones that fit it. YIT_FORMAT
    /// sets a default, which a command that cannot print it ignores
    #[arg(long, global = true, value_enum)]
    format: Option<Format>,
    /// Same as --format json (errors are JSON too, on stderr)
    #[arg(long, global = true)]
    json: bool,
    /// When to use colours (NO_COLOR turns off `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,
    /// Print only results: no notes on stderr
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Do not send long output to a pager (YIT_PAGER, PAGER, less) on a terminal
    #[arg(long, global = true)]
    no_pager: bool,
    /// Parse every issue file instead of using the index in .git/yit
    #[arg(long, global = true)]
    no_index: bool,
    /// Do not ask the daemon, even when one runs
    #[arg(long, global = true)]
    no_daemon: bool,
    /// Seconds to wait for an issue's lock before giving up (exit 5)
    #[arg(
        long,
        global = true,
        env = "YIT_LOCK_TIMEOUT",
        default_value_t = 10.0,
        value_name = "SECS"
    )]
    lock_timeout: f64,
}

#[derive(Subcommand)]
enum Command {
    Init(init::InitArgs),
    New(new::NewArgs),
    List(list::ListArgs),
    Search(search::SearchArgs),
    Show(show::ShowArgs),
    Edit(edit::EditArgs),
    Close(close::CloseArgs),
    Reopen(reopen::ReopenArgs),
    Comment(comment::CommentArgs),
    Label(label::LabelArgs),
    Assign(assign::AssignArgs),
    Unassign(unassign::UnassignArgs),
    Claim(claim::ClaimArgs),
    Dep(dep::DepArgs),
    Ready(ready::ReadyArgs),
    Blocked(blocked::BlockedArgs),
    Children(children::ChildrenArgs),
    Board(board::BoardArgs),
    Export(export::ExportArgs),
    Stats(stats::StatsArgs),
    Import(import::ImportArgs),
    Rm(rm::RmArgs),
    Restore(restore::RestoreArgs),
    Fmt(fmt::FmtArgs),
    Watch(watch::WatchArgs),
    Daemon(daemon::DaemonArgs),
    Serve(serve::ServeArgs),
    Mcp(mcp::McpArgs),
    Doctor(doctor::DoctorArgs),
    Config(config::ConfigArgs),
    #[command(name = "merge-file")]
    MergeFile(merge_file::MergeFileArgs),
    Resolve(resolve::ResolveArgs),
    Commit(commit::CommitArgs),
    Log(log::LogArgs),
    Diff(diff::DiffArgs),
    Branches(branches::BranchesArgs),
    Hooks(hooks::HooksArgs),
    Completions(completions::CompletionsArgs),
    Man(completions::ManArgs),
    Agents(agents::AgentsArgs),
    Help(help::HelpArgs),
    #[command(name = "__complete", hide = true)]
    Complete(completions::CompleteArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Ids,
    Json,
    Jsonl,
    Csv,
    Markdown,
    Yaml,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Ids => "ids",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Yaml => "yaml",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What every command gets: where to run, how to print, the clock and the
/// random seed (fixed by `YIT_NOW`/`YIT_SEED` in tests).
pub struct Ctx {
    pub cwd: PathBuf,
    format: Option<Format>,
    /// The format is YIT_FORMAT's default rather than asked for.
    format_from_env: bool,
    pub quiet: bool,
    no_index: bool,
    no_daemon: bool,
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
        if self.no_index {
            yit::store::ScanMode::Files
        } else {
            yit::store::ScanMode::Index { details }
        }
    }

    /// How to reach the daemon of a worktree: when one runs, is
    /// compatible, and neither `--no-daemon` nor `--no-index` says
    /// otherwise. One that is there but does not answer in time is warned
    /// about once, and the command answers from the files. It owns what it
    /// needs: a session may hold it while the command prints.
    fn connector(&self) -> impl FnOnce(&yit::store::Tracker) -> Option<yit::ops::Daemon> + 'static {
        let allowed = !(self.no_daemon || self.no_index);
        let given = std::rc::Rc::clone(&self.daemon_warned);
        let paint = self.out.paint_stderr(output::Paint::Warning, "warning:");
        move |tracker| {
            if !allowed {
                return None;
            }
            let on_trouble: yit::ops::OnTrouble = std::rc::Rc::new(move |trouble| match trouble {
                // once per command
                yit::ops::Trouble::NotAnswering(e) if !given.replace(true) => {
                    eprintln!("{paint} {e}; answering from the files (`yit daemon stop` ends it)");
                }
                yit::ops::Trouble::NotAnswering(_) => {}
                yit::ops::Trouble::Autostart(e) => eprintln!("{paint} yit.autostart: {e}"),
            });
            yit::ops::Daemon::connect(tracker, on_trouble)
        }
    }

    /// A note for a person on stderr, unless `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// Opens the tracker of the working directory as every front end does
    /// (`front::open`), and says what a person should hear of it.
    pub fn open_tracker(&self) -> Result<yit::store::Tracker, CommandError> {
        let (tracker, notices) = crate::front::open::open_tracker(&self.cwd)?;
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
        eprintln!(
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
    pub fn front_options(&self, author: Option<String>) -> crate::front::Options {
        crate::front::Options {
            root: self.cwd.clone(),
            now: std::env::var_os("YIT_NOW").map(|_| self.now),
            seed: self.seed,
            lock_timeout: self.lock_timeout,
            no_index: self.no_index,
            no_daemon: self.no_daemon,
            author,
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
    yit::ops::Session::new(tracker, move || connect(tracker))
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

/// The test hook of an interrupted plan (`YIT_TEST_CRASH_AFTER_FILES=N`):
/// called before the n-th file of a plan or import is created, it exits
/// as a crash would before the N-th.
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

/// The commands whose positional QUERY takes the query language.
const QUERY_COMMANDS: [&str; 8] = [
    "list", "search", "board", "export", "stats", "ready", "blocked", "children",
];

/// Global options that take a value in the next argument.
const GLOBAL_VALUES: [&str; 4] = ["-C", "--format", "--color", "--lock-timeout"];

/// `yit list -label:cli` is a negated query term, not `-l abel:cli`: in the
/// arguments of a command that takes a query, a `-KEY:VALUE` term whose KEY
/// is a query key moves behind `--`, where clap reads it as QUERY. (The
/// terms of a query are all ANDed, so their order does not matter.)
fn negated_terms_to_query(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut i = 1;
    // the subcommand: the first argument that is neither an option nor
    // the value of a global option
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        if GLOBAL_VALUES.contains(&arg) {
            i += 2;
        } else if arg.starts_with('-') && arg != "--" {
            i += 1;
        } else {
            break;
        }
    }
    if !args
        .get(i)
        .and_then(|a| a.to_str())
        .is_some_and(|c| QUERY_COMMANDS.contains(&c))
    {
        return args;
    }
    let is_term = |arg: &std::ffi::OsString| {
        arg.to_str()
            .and_then(|a| a.strip_prefix('-'))
            .and_then(|a| a.split_once(':'))
            .is_some_and(|(key, _)| yit::query::filter::KEYS.contains(&key))
    };
    let end = args[i..]
        .iter()
        .position(|a| a == "--")
        .map_or(args.len(), |p| i + p);
    let (mut before, after) = (args[..end].to_vec(), args[end..].to_vec());
    let terms: Vec<_> = before.extract_if(i.., |a| is_term(a)).collect();
    if terms.is_empty() {
        return args;
    }
    before.push("--".into());
    before.extend(terms);
    // what followed a `--` of the user's was positional already
    before.extend(after.into_iter().skip(1));
    before
}

/// A usage error from clap, as `--json` prints errors (kind `usage`).
fn usage_json(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let message = lines
        .next()
        .map(|l| l.trim_start_matches("error: ").to_owned())
        .unwrap_or_default();
    let mut err = CommandError::usage(message);
    for line in lines {
        let line = line.trim();
        if let Some(tip) = line.strip_prefix("tip: ") {
            err = err.hint(tip);
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            err = err.hint(format!("usage: {usage}"));
        }
    }
    err.render_json()
}

/// Whether the arguments (or YIT_FORMAT) ask for JSON: then even a usage
/// error is printed as JSON.
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    let mut format = std::env::var("YIT_FORMAT").ok();
    let mut json = false;
    let mut args = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(arg) = args.next() {
        match arg {
            "--" => break,
            "--json" => json = true,
            "--format" => format = args.next().map(str::to_owned),
            _ => {
                if let Some(f) = arg.strip_prefix("--format=") {
                    format = Some(f.to_owned());
                }
            }
        }
    }
    json || format.as_deref() == Some("json")
}

/// Runs yit with the process's arguments and returns the exit code.
pub fn main() -> i32 {
    let args = negated_terms_to_query(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && wants_json(&args) => {
            let _ = std::io::stderr().write_all(usage_json(&e).as_bytes());
            return ErrorKind::Usage.exit_code();
        }
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let json_errors = wants_json(&args);
    let result = run(cli);
    match result {
        Ok(()) => 0,
        Err(err) if err.kind == ErrorKind::BrokenPipe => 0,
        Err(err) if err.message.is_empty() => err.kind.exit_code(),
        Err(err) => {
            let text = if json_errors {
                err.render_json()
            } else {
                err.render_text()
            };
            let _ = std::io::stderr().write_all(text.as_bytes());
            err.kind.exit_code()
        }
    }
}

fn run(cli: Cli) -> Result<(), CommandError> {
    let page = !cli.global.no_pager && cli.command.pages();
    let writes = cli.command.writes();
    let mut ctx = Ctx::new(cli.global, page)?;
    let result = cli.command.dispatch(&mut ctx);
    let result = result.and_then(|()| if writes { autocommit(&ctx) } else { Ok(()) });
    let flushed = ctx.out.finish();
    match (result, flushed) {
        (Err(e), _) => Err(e),
        (Ok(()), Err(e)) => Err(e.into()),
        (Ok(()), Ok(())) => Ok(()),
    }
}

impl Command {
    /// Commands whose output can be long read well in a pager.
    fn pages(&self) -> bool {
        matches!(
            self,
            Command::List(_)
                | Command::Search(_)
                | Command::Show(_)
                | Command::Log(_)
                | Command::Board(_)
                | Command::Ready(_)
                | Command::Blocked(_)
                | Command::Children(_)
                | Command::Dep(_)
                | Command::Export(_)
                | Command::Diff(_)
                | Command::Branches(_)
                | Command::Doctor(_)
                | Command::Stats(_)
                | Command::Config(_)
                | Command::Help(_)
        )
    }

    /// Commands that change issue files (for `yit.autocommit`).
    fn writes(&self) -> bool {
        matches!(
            self,
            Command::New(_)
                | Command::Edit(_)
                | Command::Close(_)
                | Command::Reopen(_)
                | Command::Comment(_)
                | Command::Label(_)
                | Command::Assign(_)
                | Command::Unassign(_)
                | Command::Rm(_)
                | Command::Restore(_)
                | Command::Fmt(_)
                | Command::Resolve(_)
                | Command::Claim(_)
                | Command::Dep(_)
                | Command::Import(_)
        )
    }

    fn dispatch(self, ctx: &mut Ctx) -> Result<(), CommandError> {
        match self {
            Command::Init(args) => init::cmd_init(ctx, args),
            Command::New(args) => new::cmd_new(ctx, args),
            Command::List(args) => list::cmd_list(ctx, args),
            Command::Show(args) => show::cmd_show(ctx, args),
            Command::Doctor(args) => doctor::cmd_doctor(ctx, args),
            Command::Config(args) => config::cmd_config(ctx, args),
            Command::MergeFile(args) => merge_file::cmd_merge_file(ctx, args),
            Command::Resolve(args) => resolve::cmd_resolve(ctx, args),
            Command::Commit(args) => commit::cmd_commit(ctx, args),
            Command::Log(args) => log::cmd_log(ctx, args),
            Command::Diff(args) => diff::cmd_diff(ctx, args),
            Command::Branches(args) => branches::cmd_branches(ctx, args),
            Command::Hooks(args) => hooks::cmd_hooks(ctx, args),
            Command::Search(args) => search::cmd_search(ctx, args),
            Command::Stats(args) => stats::cmd_stats(ctx, args),
            Command::Export(args) => export::cmd_export(ctx, args),
            Command::Import(args) => import::cmd_import(ctx, args),
            Command::Board(args) => board::cmd_board(ctx, args),
            Command::Claim(args) => claim::cmd_claim(ctx, args),
            Command::Dep(args) => dep::cmd_dep(ctx, args),
            Command::Ready(args) => ready::cmd_ready(ctx, args),
            Command::Blocked(args) => blocked::cmd_blocked(ctx, args),
            Command::Children(args) => children::cmd_children(ctx, args),
            Command::Completions(args) => completions::cmd_completions(ctx, args),
            Command::Man(args) => completions::cmd_man(ctx, args),
            Command::Help(args) => help::cmd_help(ctx, args),
            Command::Agents(args) => agents::cmd_agents(ctx, args),
            Command::Complete(args) => completions::cmd_complete(ctx, args),
            Command::Edit(args) => edit::cmd_edit(ctx, args),
            Command::Close(args) => close::cmd_close(ctx, args),
            Command::Reopen(args) => reopen::cmd_reopen(ctx, args),
            Command::Comment(args) => comment::cmd_comment(ctx, args),
            Command::Label(args) => label::cmd_label(ctx, args),
            Command::Assign(args) => assign::cmd_assign(ctx, args),
            Command::Unassign(args) => unassign::cmd_unassign(ctx, args),
            Command::Rm(args) => rm::cmd_rm(ctx, args),
            Command::Restore(args) => restore::cmd_restore(ctx, args),
            Command::Fmt(args) => fmt::cmd_fmt(ctx, args),
            Command::Watch(args) => watch::cmd_watch(ctx, args),
            Command::Daemon(args) => daemon::cmd_daemon(ctx, args),
            Command::Serve(args) => serve::cmd_serve(ctx, args),
            Command::Mcp(args) => mcp::cmd_mcp(ctx, args),
        }
    }
}

impl Ctx {
    /// The context the global options and the environment (YIT_FORMAT,
    /// NO_COLOR, TERM, YIT_NOW, YIT_SEED) describe.
    fn new(g: GlobalArgs, page: bool) -> Result<Ctx, CommandError> {
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
            no_index: g.no_index,
            no_daemon: g.no_daemon,
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

/// With `yit.autocommit = true` in the clone's git config, commits the
/// issue files a command just changed (`yit commit` without a message).
fn autocommit(ctx: &Ctx) -> Result<(), CommandError> {
    // (read when the command opened its tracker: no second open otherwise)
    if !ctx.autocommit.get() {
        return Ok(());
    }
    let tracker = yit::store::Tracker::open(&ctx.cwd)?;
    commit::commit_changes(&tracker, None).map(|_| ())
}

/// Lets the process end without freeing `value` piece by piece: a command
/// calls this on what it read just before it returns, and the operating
/// system takes the memory back at once on exit (freeing a scan of 100,000
/// issues allocation by allocation takes ~40 ms). Only for plain memory:
/// nothing that owns a descriptor, a lock or a child process.
pub fn exit_without_freeing<T>(value: T) {
    std::mem::forget(value);
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn every_command_shows_examples_in_its_help() {
        let cli = super::Cli::command();
        let missing: Vec<&str> = cli
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .filter(|c| {
                let about = c.get_long_about().or(c.get_about()).map(|a| a.to_string());
                !about.is_some_and(|a| a.contains("Example"))
            })
            .map(|c| c.get_name())
            .collect();
        assert!(missing.is_empty(), "no examples: {missing:?}");
    }
}
