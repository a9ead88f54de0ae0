//! `yit claim`: take an issue, in one locked step.

use clap::Args;
use yit::ops::Written;
use yit::store::describe_wait;

use super::output::Paint;
use super::{CommandError, Ctx, Format};

/// Take an issue: a lease that every worktree of this clone sees, and the
/// issue assigned to you with the active status
///
/// The lease is a ref in the repository's common git dir, taken by
/// compare-and-swap: of any number of worktrees and processes claiming one
/// issue, exactly one wins and the others are refused (exit 4) with the
/// holder, where it was taken and when it expires. It lasts `claim_ttl`
/// (config.yaml, 2h by default) unless renewed, and carries a fencing
/// token that grows with every claim: a write with `--token N` is refused
/// once someone else claimed the issue since. An expired lease is taken
/// over, and you are told whose it was. An issue never claimed but
/// assigned to someone else, or closed, is refused too. An issue that
/// waits for an open one is claimed with a warning; `--strict` refuses it.
///
/// With a remote for issues (`git config yit.remote`, else `origin`), the
/// lease is taken on the remote too, by a push with a lease, so that two
/// clones racing for an issue give one winner; when it cannot be reached
/// the claim is refused, unless `--offline`.
///
/// Examples:
///   yit claim 4k2f
///   yit claim 4k2f --json            the lease and its token
///   yit claim 4k2f --offline         no remote reachable: this clone only
///   yit claim --renew 4k2f           another claim_ttl from now
///   yit --as "Agent 2 <a2@example.com>" claim 4k2f
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
    /// Only renew your lease (refused when it is not yours)
    #[arg(long, conflicts_with = "strict")]
    renew: bool,
    /// Take the lease in this clone only, without its remote (`yit.remote`,
    /// else `origin`), which settles claims between clones otherwise
    #[arg(long)]
    offline: bool,
}

pub fn cmd_claim(ctx: &mut Ctx, args: ClaimArgs) -> Result<(), CommandError> {
    let format = ctx.format("claim", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let now = ctx.now;
    if args.renew {
        let taken = super::session(ctx, &tracker).renew(&args.id, args.offline, ctx.clock())?;
        return match format {
            Format::Json => ctx.out.json(&super::output::envelope(serde_json::json!({
                "lease": yit::ops::json::lease(&taken.lease, now),
            }))),
            _ => {
                let ids = [taken.lease.issue.clone()];
                let shorts = super::session(ctx, &tracker).shorts(&ids)?;
                let short = ctx.out.paint(Paint::Id, shorts.of(&ids[0]));
                ctx.out.line(&format!(
                    "renewed    {short}  (token {}, {})",
                    taken.lease.token,
                    until(&taken.lease)
                ))
            }
        }
        .map_err(Into::into);
    }
    let claimed =
        super::session(ctx, &tracker).claim(&args.id, args.strict, args.offline, ctx.clock())?;
    let Written { edits, shorts } = claimed.written;
    let lease = &claimed.taken.lease;
    if let (Some((at, blockers)), Some(edit)) = (&claimed.waits, edits.first()) {
        let short = |id: &yit::model::id::IssueId| shorts.of(id).to_owned();
        ctx.warn(&format!(
            "claimed, but {}; `yit claim --strict` refuses this",
            describe_wait(&edit.issue.id, at, blockers, &short)
        ));
    }
    if let Some(before) = &lease.replaced {
        ctx.note(&format!("took over the expired claim of {before}"));
    }
    match format {
        Format::Json => {
            let mut value = yit::ops::json::edits(&edits, &shorts, true);
            value["lease"] = yit::ops::json::lease(lease, now);
            ctx.out.json(&super::output::envelope(value))?;
        }
        _ => {
            let verb = if claimed.taken.renewed {
                "renewed"
            } else {
                "claimed"
            };
            for e in &edits {
                let short = ctx.out.paint(Paint::Id, shorts.of(&e.issue.id));
                ctx.out.line(&format!(
                    "{verb:<10} {short}  {}  (token {}, {})",
                    e.issue.title,
                    lease.token,
                    until(lease)
                ))?;
            }
        }
    }
    Ok(())
}

/// When a lease ends, in words.
fn until(lease: &yit::model::lease::Lease) -> String {
    match lease.expires {
        Some(at) => format!("until {at}"),
        None => "until released".to_owned(),
    }
}
