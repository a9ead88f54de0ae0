//! `yit assign`: set the assignee of several issues at once.

use clap::Args;
use yit::model::edit::Change;

use super::new::resolve_person;
use super::{CommandError, Ctx, report_edits, with_ids};

/// Assign issues to a person (all of them or none)
///
/// Examples:
///   yit assign 4k2f me
///   yit assign 4k2f q8zn "Bob Stone <bob@example.com>"
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct AssignArgs {
    /// Issue ids, then the person: `me`, `Name <email>` or an email
    #[arg(required = true, num_args = 2.., value_name = "ID... PERSON")]
    args: Vec<String>,
}

pub fn cmd_assign(ctx: &mut Ctx, mut args: AssignArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let person = args.args.pop().expect("clap requires two arguments");
    let person = resolve_person(&tracker, person)?;
    let changes = [Change::Assignee(Some(person))];
    tracker.check_changes(&changes)?;
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
    let (edits, listing) = with_ids(ctx, &tracker, &args.args, |ids| {
        Ok(tracker.update_issues(&ids, timeout, now, |_| Ok(changes.to_vec()))?)
    })?;
    report_edits(ctx, &listing, "assigned", &edits, false)
}
