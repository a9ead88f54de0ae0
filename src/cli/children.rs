//! `yit children`: the issues whose parent is an issue.

use clap::Args;

use super::list::{self, ListArgs};
use super::{CommandError, Ctx};

/// The issues whose parent is ID, closed ones included
///
/// Takes every flag and query of `yit list` (it is `yit list --all
/// parent:ID`). Set a parent with `yit new --parent ID`.
///
/// Examples:
///   yit children 4k2f
///   yit children 4k2f is:open --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ChildrenArgs {
    /// The parent issue
    id: String,
    #[command(flatten)]
    list: ListArgs,
}

pub fn cmd_children(ctx: &mut Ctx, args: ChildrenArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let id = super::session(ctx, &tracker).resolve(&args.id)?;
    let query = args.list.include_closed().and_term(format!("parent:{id}"));
    list::cmd_list_in(ctx, Some(tracker), query)
}
