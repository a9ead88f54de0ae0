//! `yit comment`: add a comment to an issue.

use std::path::PathBuf;

use clap::Args;
use yit::edit::Change;
use yit::id::IdSource;
use yit::issue::Comment;

use super::editor::{self, Outcome};
use super::new::read_body_file;
use super::{CommandError, Ctx, check_changes, report_edits, with_ids};

/// Add a comment (from TEXT, --body-file, or $EDITOR)
///
/// Examples:
///   yit comment 4k2f "Seen on 1.2 too"
///   yit comment 4k2f --body-file notes.md
///   yit comment 4k2f      opens $VISUAL or $EDITOR
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CommentArgs {
    /// The issue's id or a unique prefix of it
    id: String,
    /// The comment
    #[arg(conflicts_with = "body_file")]
    text: Option<String>,
    /// Read the comment from a file (`-` reads standard input)
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
}

pub fn cmd_comment(ctx: &mut Ctx, args: CommentArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let author = tracker.author()?;
    let body = match (args.text, &args.body_file) {
        (Some(text), _) => text,
        (None, Some(path)) => read_body_file(path)?,
        (None, None) => {
            let id = tracker.load_listing()?.resolve(&args.id)?;
            comment_in_editor(&tracker, &id)?
        }
    };
    if body.trim().is_empty() {
        return Err(CommandError::user("empty comment; nothing was added"));
    }
    let comment = Comment {
        id: IdSource::new(ctx.seed).token(10),
        author: Some(author),
        created: ctx.now,
        body,
    };
    let changes = [Change::AddComment(comment)];
    check_changes(&tracker, &changes)?;
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
    let (edits, listing) = with_ids(ctx, &tracker, std::slice::from_ref(&args.id), |ids| {
        Ok(tracker.update_issues(&ids, timeout, now, |_| Ok(changes.to_vec()))?)
    })?;
    report_edits(ctx, &listing, "commented", &edits, true)
}

fn comment_in_editor(
    tracker: &yit::store::Tracker,
    id: &yit::id::IssueId,
) -> Result<String, CommandError> {
    let note = editor::NOTE;
    let initial = format!(
        "\n{note}Write your comment on {id} above. Lines starting with \"{note}\" are removed.\n\
         {note}An empty comment adds nothing.\n"
    );
    let state = tracker.state_dir().to_owned();
    let mut draft = editor::Draft::new(&state, &format!("comment-{id}"))?;
    let outcome = editor::edit_until_valid(
        &mut draft,
        &state,
        &format!("comment-{id}"),
        &initial,
        |text| Ok::<_, Vec<_>>(text.trim_end().to_owned()),
    )?;
    Ok(match outcome {
        Outcome::Saved(_, text) => text,
        Outcome::Unchanged => String::new(),
    })
}
