//! `yit assign`: set the assignee of several issues at once.

use clap::Args;
use yit::model::edit::Change;

use super::{CommandError, Ctx, report_edits};
use crate::front::request::person;

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
    let given = args.args.pop().expect("clap requires two arguments");
    let changes = [Change::Assignee(person(&tracker, Some(&given))?)];
    let written = super::session(ctx, &tracker).change(&args.args, &changes, ctx.clock())?;
    report_edits(ctx, &written.shorts, "assigned", &written.edits, false)
}
