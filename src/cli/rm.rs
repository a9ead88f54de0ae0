//! `yit rm`: move issues to the trash (restorable with `yit restore`).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;

use super::output::Paint;
use super::{CommandError, Ctx, Format};

/// Remove issues: moves their files to the trash in .git/yit (see `yit restore`)
///
/// On a terminal yit asks first; elsewhere it needs --yes (do not ask) or
/// --force. An issue that others wait for (or are children of) is not
/// removed, unless --force, which also removes those references.
///
/// Examples:
///   yit rm 4k2f
///   yit rm --yes 4k2f                 in a script: no question, references kept
///   yit rm --force 4k2f q8zn
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct RmArgs {
    /// Ids or unique prefixes
    #[arg(required = true)]
    ids: Vec<String>,
    /// Do not ask, and remove references to the removed issues
    #[arg(long, short = 'f')]
    force: bool,
    /// Do not ask; an issue others refer to is still refused
    #[arg(long, short = 'y')]
    yes: bool,
}

pub fn cmd_rm(ctx: &mut Ctx, args: RmArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "rm",
        &[Format::Table, Format::Ids, Format::Json],
        Format::Table,
    )?;
    let tracker = ctx.open_tracker()?;
    // asked before any lock is taken: no lock waits on a person; the
    // removal checks (again, after a question) under the graph lock
    if !args.force {
        let removal = tracker.removal(&args.ids, ctx.scan_mode(false))?;
        if !args.yes {
            confirm(ctx, &removal)?;
        }
    }
    let removed = tracker.remove_issues(
        &args.ids,
        args.force,
        ctx.scan_mode(false),
        ctx.lock_timeout,
        ctx.now,
    )?;
    let listing = &removed.scan.listing;
    for e in removed.dropped.iter().filter(|e| e.changed) {
        ctx.note(&format!(
            "updated    {}  (references to removed issues dropped)",
            listing.short_id(&e.issue.id)
        ));
    }
    let removed = &removed.trashed;
    match format {
        Format::Json => {
            let records: Vec<_> = removed
                .iter()
                .map(|e| serde_json::json!({ "id": e.id, "short_id": listing.short_id(&e.id), "trash": e.path }))
                .collect();
            ctx.out.json(&super::output::envelope(
                serde_json::json!({ "removed": records }),
            ))?;
        }
        Format::Ids => {
            for e in removed {
                ctx.out.line(e.id.as_str())?;
            }
        }
        _ => {
            for e in removed {
                let short = ctx.out.paint(Paint::Id, listing.short_id(&e.id));
                ctx.out.line(&format!(
                    "removed    {short}  (yit restore {short} brings it back)"
                ))?;
            }
        }
    }
    Ok(())
}

/// Asks on the terminal whether to remove `ids`; an error unless the
/// answer is yes (or when there is no terminal to ask on).
fn confirm(ctx: &Ctx, removal: &[(String, String)]) -> Result<(), CommandError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CommandError::usage(
            "yit rm asks on a terminal only; pass --yes (or --force, which also drops references to the issues)",
        ));
    }
    let mut err = std::io::stderr();
    for (short, title) in removal {
        writeln!(err, "  {}  {title}", ctx.out.paint_stderr(Paint::Id, short))?;
    }
    write!(
        err,
        "Remove {} issue(s)? They can be restored with `yit restore`. [y/N] ",
        removal.len()
    )?;
    err.flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
        return Err(CommandError::user("nothing was removed"));
    }
    Ok(())
}
