//! `yit reopen`: back to the initial status, all of them or none.

use clap::Args;
use yit::model::edit::Change;

use super::{CommandError, Ctx, report_edits, with_ids};

/// Reopen issues: back to the config's initial status (all of them or none)
///
/// Examples:
///   yit reopen 4k2f
///   yit reopen 4k2f q8zn --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ReopenArgs {
    /// Ids or unique prefixes
    #[arg(required = true)]
    ids: Vec<String>,
}

pub fn cmd_reopen(ctx: &mut Ctx, args: ReopenArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let status = tracker.config().initial_status().to_owned();
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
    let (edits, listing) = with_ids(ctx, &tracker, &args.ids, |ids| {
        Ok(tracker.update_issues(&ids, timeout, now, |_| {
            Ok(vec![Change::Status(status.clone())])
        })?)
    })?;
    report_edits(ctx, &listing, "reopened", &edits, false)
}
