//! `yit claim`: take an issue, in one locked step.

use clap::Args;
use yit::model::edit::Change;
use yit::model::issue;
use yit::store::StoreError;

use super::{CommandError, Ctx, report_edits, with_ids};

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
    let me = tracker.author()?;
    let email = issue::person_email(&me).unwrap_or(&me).to_owned();
    let config = tracker.config();
    let active = config.active_status().to_owned();
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
    let mut waits = None;
    let (edits, shorts) = with_ids(ctx, &tracker, std::slice::from_ref(&args.id), |ids| {
        Ok(tracker.update_issues(&ids, timeout, now, |issue| {
            if let Some(holder) = &issue.assignee
                && !issue.is_assigned_to(&email)
            {
                return Err(StoreError::Refused {
                    message: format!("issue {} is held by {holder}", issue.id),
                });
            }
            if config.is_closed(&issue.status) {
                return Err(StoreError::Refused {
                    message: format!(
                        "issue {} is {}; `yit reopen` it first",
                        issue.id, issue.status
                    ),
                });
            }
            // checked under the issue's lock, with the claim
            waits = tracker.held_back_by(issue);
            if let Some((at, blockers)) = &waits
                && args.strict
            {
                return Err(StoreError::Refused {
                    message: format!(
                        "issue {} is not ready: {}",
                        issue.id,
                        describe_wait(&issue.id, at, blockers, &|id| id.to_string())
                    ),
                });
            }
            // an assignment already yours keeps its wording
            let mut changes = vec![Change::Status(active.clone())];
            if issue.assignee.is_none() {
                changes.push(Change::Assignee(Some(me.clone())));
            }
            Ok(changes)
        })?)
    })?;
    if let (Some((at, blockers)), Some(edit)) = (&waits, edits.first()) {
        let short = |id: &yit::model::id::IssueId| shorts.of(id).to_owned();
        ctx.warn(&format!(
            "claimed, but {}; `yit claim --strict` refuses this",
            describe_wait(&edit.issue.id, at, blockers, &short)
        ));
    }
    report_edits(ctx, &shorts, "claimed", &edits, true)
}

/// `4k2f waits for q8zn "Fix the build" (open)`, or `its parent ... waits
/// for ...`.
fn describe_wait(
    id: &yit::model::id::IssueId,
    at: &yit::model::id::IssueId,
    blockers: &[issue::Issue],
    short: &dyn Fn(&yit::model::id::IssueId) -> String,
) -> String {
    let list = blockers
        .iter()
        .map(|b| format!("{} {:?} ({})", short(&b.id), b.title, b.status))
        .collect::<Vec<_>>()
        .join(", ");
    if at == id {
        format!("{} waits for {list}", short(id))
    } else {
        format!("{}'s parent {} waits for {list}", short(id), short(at))
    }
}
