//! `yit unassign`: clear the assignee of several issues at once.

use clap::Args;
use yit::model::edit::Change;

use super::{CommandError, Ctx, report_edits, with_ids};

/// Remove the assignee of issues (all of them or none)
///
/// Examples:
///   yit unassign 4k2f
///   yit unassign 4k2f q8zn
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct UnassignArgs {
    /// Ids or unique prefixes
    #[arg(required = true)]
    ids: Vec<String>,
}

pub fn cmd_unassign(ctx: &mut Ctx, args: UnassignArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
    let (edits, listing) = with_ids(ctx, &tracker, &args.ids, |ids| {
        Ok(tracker.update_issues(&ids, timeout, now, |_| Ok(vec![Change::Assignee(None)]))?)
    })?;
    report_edits(ctx, &listing, "unassigned", &edits, false)
}
