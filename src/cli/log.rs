//! `yit log`: one issue's history, from git.

use clap::Args;

use super::output::Paint;
use super::{CommandError, Ctx, Format};

/// The commits that changed an issue, newest first, and what each changed
///
/// Read from git (the current branch's history), so it works for an issue
/// that was since removed (give its full id).
///
/// Examples:
///   yit log 4k2f
///   yit log 4k2f --patch      with each commit's diff of the file
///   yit log 4k2f9x1c0a --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct LogArgs {
    /// The id or a unique prefix of it (a full id for a removed issue)
    id: String,
    /// Show each commit's diff of the issue file too
    #[arg(long, short = 'p')]
    patch: bool,
    /// Include the commits whose messages mention the issue (`Fixes: ID`...)
    #[arg(long)]
    commits: bool,
}

pub fn cmd_log(ctx: &mut Ctx, args: LogArgs) -> Result<(), CommandError> {
    let format = ctx.format("log", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let mut session = super::session(ctx, &tracker);
    let log = session.log(&args.id, args.commits)?;
    if log.shallow {
        ctx.note("note: this is a shallow clone; the history stops at its depth");
    }
    if format == Format::Json {
        return Ok(ctx
            .out
            .json(&super::output::envelope(yit::ops::json::log(&log)))?);
    }
    // the issue under its short id (the session's: a listing read to
    // resolve a prefix is not read again)
    let shorts = session.shorts(std::slice::from_ref(&log.id))?;
    let mut text = format!(
        "{}  {}\n\n",
        ctx.out.paint(Paint::Id, shorts.of(&log.id)),
        log.title
    );
    for e in &log.entries {
        text.push_str(&format!(
            "{}  {}  {}  {}\n",
            ctx.out
                .paint(Paint::Id, &e.commit[..10.min(e.commit.len())]),
            ctx.out.when_unix(e.time, ctx.now),
            e.author,
            e.summary
        ));
        for change in &e.changes {
            text.push_str(&format!("    {change}\n"));
        }
        if args.patch && e.changed_file {
            let patch = tracker
                .repo()
                .patch(&e.commit, &log.path)
                .map_err(yit::store::StoreError::from)?;
            text.push_str(&patch);
        }
    }
    ctx.out.write_str(&text)?;
    Ok(())
}
