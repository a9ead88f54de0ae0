//! The command line: clap definitions and dispatch (the context every
//! command gets is in `context`, the arguments before clap in `argv`).
//!
//! One file per command (`cmd_xxx`); this module owns the global flags,
//! the output conventions and turning a `CommandError` into an exit code.

mod agents;
mod argv;
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
mod context;
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
mod release;
mod reopen;
mod resolve;
mod restore;
mod rm;
mod search;
mod serve;
mod show;
mod stats;
mod sync;
mod unassign;
mod watch;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::front::error::{CommandError, ErrorKind};
use crate::front::lifetime;
pub use context::{
    Ctx, crash_hook, exit_without_freeing, fence, partial, report_edits, resolve_all, session,
    this_program,
};
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
    /// Make changes, claim and be `me` as this person (`Name <email>`),
    /// not as git's user.name and user.email: several agents on one
    /// machine are distinct holders of their claims
    #[arg(long = "as", global = true, env = "YIT_AS", value_name = "PERSON")]
    acting_as: Option<String>,
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
    Release(release::ReleaseArgs),
    Sync(sync::SyncArgs),
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

/// Runs yit with the process's arguments and returns the exit code.
pub fn main() -> i32 {
    let args = argv::negated_terms_to_query(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && argv::wants_json(&args) => {
            let _ = std::io::stderr().write_all(argv::usage_json(&e).as_bytes());
            return ErrorKind::Usage.exit_code();
        }
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let json_errors = argv::wants_json(&args);
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
                | Command::Release(_)
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
            Command::Release(args) => release::cmd_release(ctx, args),
            Command::Sync(args) => sync::cmd_sync(ctx, args),
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

/// With `yit.autocommit = true` in the clone's git config, commits the
/// issue files a command just changed (`yit commit` without a message).
fn autocommit(ctx: &Ctx) -> Result<(), CommandError> {
    // (read when the command opened its tracker: no second open otherwise)
    if !ctx.autocommits() {
        return Ok(());
    }
    let tracker = yit::store::Tracker::open(&ctx.cwd)?;
    commit::commit_changes(&tracker, None).map(|_| ())
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
