//! `yit claim`: take an issue, in one locked step.

use clap::Args;
use yit::ops::Written;
use yit::store::describe_wait;

use super::{CommandError, Ctx, report_edits};

/// Take an issue: assign it to yourself and set the active status, in one locked step
///
/// Refused (exit 4) when someone else is assigned or the issue is closed:
/// two people (or agents) claiming the same issue cannot both get it. An
/// issue that waits for an open one (itself or through a parent) is
/// claimed with a warning naming what it waits for; `--strict` refuses it.
///
/// Examples:
///   yit claim 4k2f
///   yit claim --strict 4k2f           refuse what is not ready
///   yit ready --assignee none --format ids -n 1 | xargs yit claim
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ClaimArgs {
    /// The issue
    id: String,
    /// Refuse (exit 4) an issue that waits for an open issue
    #[arg(long)]
    strict: bool,
}

pub fn cmd_claim(ctx: &mut Ctx, args: ClaimArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let claimed = super::session(ctx, &tracker).claim(&args.id, args.strict, ctx.clock())?;
    let Written { edits, shorts } = claimed.written;
    if let (Some((at, blockers)), Some(edit)) = (&claimed.waits, edits.first()) {
        let short = |id: &yit::model::id::IssueId| shorts.of(id).to_owned();
        ctx.warn(&format!(
            "claimed, but {}; `yit claim --strict` refuses this",
            describe_wait(&edit.issue.id, at, blockers, &short)
        ));
    }
    report_edits(ctx, &shorts, "claimed", &edits, true)
}
