//! `yit close`: close issues, all of them or none.

use clap::Args;

use super::{CommandError, Ctx, report_edits};

/// Close issues (all of them or none)
///
/// Examples:
///   yit close 4k2f
///   yit close 4k2f q8zn --status wontfix --reason "Not planned"
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CloseArgs {
    /// Ids or unique prefixes
    #[arg(required = true)]
    ids: Vec<String>,
    /// The closed status to use (default: the config's first closed status)
    #[arg(long, short = 's', value_name = "STATUS")]
    status: Option<String>,
    /// Why: added as a comment
    #[arg(long)]
    reason: Option<String>,
    /// Refuse (exit 4) unless the issue's claim is still the one with
    /// this fencing token (`claim --json` gives it)
    #[arg(long, value_name = "N")]
    token: Option<u64>,
}

pub fn cmd_close(ctx: &mut Ctx, args: CloseArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    super::fence(ctx, &tracker, &args.ids, args.token)?;
    let written = super::session(ctx, &tracker).close(
        &args.ids,
        args.status.as_deref(),
        args.reason.as_deref(),
        ctx.clock(),
    )?;
    if args.reason.is_some() {
        for e in written.edits.iter().filter(|e| !e.changed) {
            let short = written.shorts.of(&e.issue.id);
            ctx.warn(&format!(
                "{short} was already {}: the reason was not added (`yit comment {short} TEXT` adds it)",
                e.issue.status
            ));
        }
    }
    report_edits(ctx, &written.shorts, "closed", &written.edits, false)
}
