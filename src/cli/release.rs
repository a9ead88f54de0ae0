//! `yit release`: give up a claim's lease.

use clap::Args;

use super::output::Paint;
use super::{CommandError, Ctx, Format};

/// Give up your claim of an issue: its lease released in every worktree,
/// and the issue back to the initial status, unassigned
///
/// Refused (exit 4) when the lease is someone else's. With `--token N`,
/// only the lease that token is: a holder whose expired lease was taken
/// over since cannot release the new holder's.
///
/// `--expired` clears what `yit doctor` warns of instead: claims that
/// expired unrenewed are released (their token kept), and claims of issues
/// no file here has are removed.
///
/// Examples:
///   yit release 4k2f
///   yit release 4k2f --token 3
///   yit release --expired
///   yit --as "Agent 2 <a2@example.com>" release 4k2f
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ReleaseArgs {
    /// The issue
    #[arg(required_unless_present = "expired", conflicts_with = "expired")]
    id: Option<String>,
    /// Release every expired claim, and remove the claims of issues that
    /// have no file
    #[arg(long)]
    expired: bool,
    /// The fencing token of the lease to release (`claim --json` gives it)
    #[arg(long, value_name = "N")]
    token: Option<u64>,
}

pub fn cmd_release(ctx: &mut Ctx, args: ReleaseArgs) -> Result<(), CommandError> {
    let format = ctx.format("release", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let now = ctx.now;
    if args.expired {
        let listing = super::session(ctx, &tracker).into_listing()?;
        let known = |id: &yit::model::id::IssueId| listing.ids.contains(id);
        let cleared = tracker.clear_stale_leases(now, &known)?;
        if format == Format::Json {
            let cleared: Vec<String> = cleared.iter().map(ToString::to_string).collect();
            return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
                "cleared": cleared,
            })))?);
        }
        for stale in &cleared {
            ctx.out.line(&format!("cleared    {stale}"))?;
        }
        if cleared.is_empty() {
            ctx.note("no expired claims");
        }
        return Ok(());
    }
    let id = args.id.expect("clap requires it without --expired");
    let (lease, written) = super::session(ctx, &tracker).release(&id, args.token, ctx.clock())?;
    match format {
        Format::Json => {
            let mut value = yit::ops::json::edits(&written.edits, &written.shorts, true);
            value["lease"] = yit::ops::json::lease(&lease, now);
            ctx.out.json(&super::output::envelope(value))?;
        }
        _ => {
            for e in &written.edits {
                let short = ctx.out.paint(Paint::Id, written.shorts.of(&e.issue.id));
                ctx.out
                    .line(&format!("released   {short}  {}", e.issue.title))?;
            }
        }
    }
    Ok(())
}
