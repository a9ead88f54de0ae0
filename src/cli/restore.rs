//! `yit restore`: bring a removed issue back from the trash.

use clap::Args;

use super::output::{Cell, Paint, Table, issue_json};
use super::{CommandError, Ctx, Format};

/// Bring back an issue removed with `yit rm` (without ID: list the trash)
///
/// Examples:
///   yit restore              what the trash holds
///   yit restore 4k2f
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct RestoreArgs {
    /// The removed issue's id or a unique prefix of it
    id: Option<String>,
}

pub fn cmd_restore(ctx: &mut Ctx, args: RestoreArgs) -> Result<(), CommandError> {
    let format = ctx.format("restore", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let Some(input) = args.id else {
        let trash = tracker.load_trash()?;
        if format == Format::Json {
            let records: Vec<_> = trash
                .iter()
                .map(|e| {
                    let removed = yit::model::issue::format_unix(e.removed);
                    serde_json::json!({ "id": e.id, "removed": removed, "path": e.path })
                })
                .collect();
            return Ok(ctx.out.json(&super::output::envelope(
                serde_json::json!({ "trash": records }),
            ))?);
        }
        if trash.is_empty() {
            ctx.note("the trash is empty");
            return Ok(());
        }
        let table = Table::new(["ID", "REMOVED"], 1);
        let when: Vec<String> = trash
            .iter()
            .map(|e| ctx.out.when_unix(e.removed, ctx.now))
            .collect();
        let rows: Vec<_> = trash.iter().zip(&when).collect();
        return Ok(table.write(&mut ctx.out, &rows, |(e, when)| {
            [
                Cell::painted(e.id.as_str(), Paint::Id),
                Cell::new(when.as_str()),
            ]
        })?);
    };
    let issue = tracker.restore_issue(&input, ctx.lock_timeout)?;
    let listing = super::session(ctx, &tracker).into_listing()?;
    if format == Format::Json {
        return Ok(ctx.out.json(&super::output::envelope(
            serde_json::json!({ "issue": issue_json(&issue, &listing) }),
        ))?);
    }
    let short = ctx.out.paint(Paint::Id, listing.short_id(&issue.id));
    ctx.out
        .line(&format!("restored   {short}  {}", issue.title))?;
    Ok(())
}
