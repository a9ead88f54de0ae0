//! `yit claim`: take an issue, in one locked step.

use clap::Args;
use yit::edit::Change;
use yit::issue;
use yit::store::StoreError;

use super::{CommandError, Ctx, report_edits, with_ids};

/// Take an issue: assign it to yourself and set the active status, in one locked step
///
/// Refused (exit 4) when someone else is assigned or the issue is closed:
/// two people (or agents) claiming the same issue cannot both get it.
///
/// Examples:
///   yit claim 4k2f
///   yit ready --assignee none --format ids -n 1 | xargs yit claim
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ClaimArgs {
    /// The issue
    id: String,
}

pub fn cmd_claim(ctx: &mut Ctx, args: ClaimArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let me = tracker.author()?;
    let email = issue::person_email(&me).unwrap_or(&me).to_owned();
    let config = tracker.config();
    let active = config.active_status().to_owned();
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
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
            // an assignment already yours keeps its wording
            let mut changes = vec![Change::Status(active.clone())];
            if issue.assignee.is_none() {
                changes.push(Change::Assignee(Some(me.clone())));
            }
            Ok(changes)
        })?)
    })?;
    report_edits(ctx, &shorts, "claimed", &edits, true)
}
