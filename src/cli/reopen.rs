//! `yit reopen`: back to the initial status, all of them or none.

use clap::Args;

use super::{CommandError, Ctx, report_edits};

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
    let written = super::session(ctx, &tracker).reopen(&args.ids, ctx.clock())?;
    report_edits(ctx, &written.shorts, "reopened", &written.edits, false)
}
