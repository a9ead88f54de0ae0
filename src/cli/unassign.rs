//! `yit unassign`: clear the assignee of several issues at once.

use clap::Args;
use yit::model::edit::Change;

use super::{CommandError, Ctx, report_edits};

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
    let written =
        super::session(ctx, &tracker).change(&args.ids, &[Change::Assignee(None)], ctx.clock())?;
    report_edits(ctx, &written.shorts, "unassigned", &written.edits, false)
}
