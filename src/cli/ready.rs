//! `yit ready`: what can be started now.

use clap::Args;

use super::list::{self, ListArgs};
use super::{CommandError, Ctx};

/// Issues that can be started now: not closed, not started, and waiting for no open issue
///
/// Highest priority first, then oldest. Takes every flag and query of
/// `yit list` (it is `yit list is:ready`).
///
/// Examples:
///   yit ready
///   yit ready --assignee none -n 5     unclaimed work, the top five
///   yit ready label:bug --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ReadyArgs {
    #[command(flatten)]
    list: ListArgs,
}

pub fn cmd_ready(ctx: &mut Ctx, args: ReadyArgs) -> Result<(), CommandError> {
    list::cmd_list(ctx, args.list.and_term("is:ready".to_owned()))
}
