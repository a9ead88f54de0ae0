//! `yit close`: close issues, all of them or none.

use clap::Args;
use yit::model::config::Role;
use yit::model::edit::Change;
use yit::model::id::IdSource;
use yit::model::issue::Comment;

use super::{CommandError, Ctx, report_edits, with_ids};

/// Close issues (all of them or none)
///
/// Examples:
///   yit close 4k2f
///   yit close 4k2f q8zn --as wontfix --reason "Not planned"
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CloseArgs {
    /// Ids or unique prefixes
    #[arg(required = true)]
    ids: Vec<String>,
    /// The closed status to use (default: the config's first closed status)
    #[arg(long = "as", value_name = "STATUS")]
    status: Option<String>,
    /// Why: added as a comment
    #[arg(long)]
    reason: Option<String>,
}

pub fn cmd_close(ctx: &mut Ctx, args: CloseArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    let status = match args.status {
        Some(typed) => {
            let s = config.status_named(&typed).map_err(CommandError::user)?;
            match config.status(&s) {
                Some(def) if def.role == Role::Closed => s,
                _ => return Err(CommandError::user(format!("{s:?} is not a closed status"))),
            }
        }
        None => config.closed_status().to_owned(),
    };
    let author = match &args.reason {
        Some(_) => Some(tracker.author()?),
        None => None,
    };
    let mut rng = IdSource::new(ctx.seed);
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
    let (edits, listing) = with_ids(ctx, &tracker, &args.ids, |ids| {
        Ok(tracker.update_issues(&ids, timeout, now, |issue| {
            let mut changes = vec![Change::Status(status.clone())];
            if let Some(reason) = &args.reason
                && issue.status != status
            {
                let comment = Comment {
                    id: rng.token(10),
                    author: author.clone(),
                    created: now,
                    body: reason.clone(),
                };
                changes.push(Change::AddComment(comment));
            }
            Ok(changes)
        })?)
    })?;
    report_edits(ctx, &listing, "closed", &edits, false)
}
