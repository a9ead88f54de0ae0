//! `yit rm`: move issues to the trash (restorable with `yit restore`).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;

use super::output::Paint;
use super::{CommandError, Ctx, Format, resolve_all};

/// Remove issues: moves their files to the trash in .git/yit (see `yit restore`)
///
/// On a terminal yit asks first; elsewhere it needs --force.
#[derive(Args)]
pub struct RmArgs {
    /// Ids or unique prefixes
    #[arg(required = true)]
    ids: Vec<String>,
    /// Do not ask
    #[arg(long, short = 'f')]
    force: bool,
}

pub fn cmd_rm(ctx: &mut Ctx, args: RmArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "rm",
        &[Format::Table, Format::Ids, Format::Json],
        Format::Table,
    )?;
    let tracker = ctx.open_tracker()?;
    let listing = tracker.load_listing()?;
    let ids = resolve_all(&listing, &args.ids)?;
    if !args.force {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return Err(CommandError::usage(
                "yit rm needs --force when not run on a terminal",
            ));
        }
        let mut err = std::io::stderr();
        for id in &ids {
            let title = match tracker.read_issue(id) {
                Ok(Some(issue)) => issue.title,
                _ => "(unreadable file)".to_owned(),
            };
            writeln!(
                err,
                "  {}  {title}",
                ctx.out.paint_stderr(Paint::Id, listing.short_id(id))
            )?;
        }
        write!(
            err,
            "Remove {} issue(s)? They can be restored with `yit restore`. [y/N] ",
            ids.len()
        )?;
        err.flush()?;
        let mut answer = String::new();
        stdin.lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            return Err(CommandError::user("nothing was removed"));
        }
    }
    let removed = tracker.trash_issues(&ids, ctx.lock_timeout, ctx.now)?;
    match format {
        Format::Json => {
            let records: Vec<_> = removed
                .iter()
                .map(|e| serde_json::json!({ "id": e.id, "short_id": listing.short_id(&e.id), "trash": e.path }))
                .collect();
            ctx.out
                .json(&serde_json::json!({ "schema_version": 1, "removed": records }))?;
        }
        Format::Ids => {
            for e in &removed {
                ctx.out.line(e.id.as_str())?;
            }
        }
        _ => {
            for e in &removed {
                let short = ctx.out.paint(Paint::Id, listing.short_id(&e.id));
                ctx.out.line(&format!(
                    "removed    {short}  (yit restore {short} brings it back)"
                ))?;
            }
        }
    }
    Ok(())
}
