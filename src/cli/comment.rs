//! `yit comment`: add a comment to an issue.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use yit::model::edit::Change;
use yit::model::id::IdSource;
use yit::model::issue::Comment;

use super::editor::{self, Outcome};
use super::new::read_body_file;
use super::{CommandError, Ctx, ErrorKind, report_edits, with_ids};

/// Add a comment (from TEXT, --body-file, or $EDITOR); edit or remove one
///
/// Examples:
///   yit comment 4k2f "Seen on 1.2 too"
///   yit comment 4k2f --body-file notes.md
///   yit comment 4k2f      opens $VISUAL or $EDITOR
///   yit comment edit 4k2f c0mm "Seen on 1.2 and 1.3"
///   yit comment rm 4k2f c0mm
///
/// A comment is named by its id (`yit show` prints it) or a unique prefix.
#[derive(Args)]
#[command(
    verbatim_doc_comment,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct CommentArgs {
    #[command(subcommand)]
    action: Option<CommentAction>,
    /// The issue's id or a unique prefix of it
    #[arg(required = true)]
    id: Option<String>,
    /// The comment
    #[arg(conflicts_with = "body_file")]
    text: Option<String>,
    /// Read the comment from a file (`-` reads standard input)
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum CommentAction {
    /// Replace a comment's text (from TEXT, --body-file, or $EDITOR on it)
    Edit {
        /// The issue's id or a unique prefix of it
        id: String,
        /// The comment's id or a unique prefix of it
        comment: String,
        /// The new text
        #[arg(conflicts_with = "body_file")]
        text: Option<String>,
        /// Read the new text from a file (`-` reads standard input)
        #[arg(long, value_name = "FILE")]
        body_file: Option<PathBuf>,
    },
    /// Remove a comment
    Rm {
        /// The issue's id or a unique prefix of it
        id: String,
        /// The comment's id or a unique prefix of it
        comment: String,
    },
}

pub fn cmd_comment(ctx: &mut Ctx, args: CommentArgs) -> Result<(), CommandError> {
    match args.action {
        Some(CommentAction::Edit {
            id,
            comment,
            text,
            body_file,
        }) => change_comment(ctx, &id, &comment, Some((text, body_file))),
        Some(CommentAction::Rm { id, comment }) => change_comment(ctx, &id, &comment, None),
        None => add(
            ctx,
            args.id.expect("clap requires it"),
            args.text,
            args.body_file,
        ),
    }
}

fn add(
    ctx: &mut Ctx,
    input: String,
    text: Option<String>,
    body_file: Option<PathBuf>,
) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let author = tracker.author()?;
    let body = match (text, &body_file) {
        (Some(text), _) => text,
        (None, Some(path)) => read_body_file(path)?,
        (None, None) => {
            let id = tracker.load_listing()?.resolve(&input)?;
            comment_in_editor(&tracker, &id, "")?
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
    tracker.check_changes(&changes)?;
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
    let (edits, listing) = with_ids(ctx, &tracker, std::slice::from_ref(&input), |ids| {
        Ok(tracker.update_issues(&ids, timeout, now, |_| Ok(changes.to_vec()))?)
    })?;
    report_edits(ctx, &listing, "commented", &edits, true)
}

/// Edits (`Some(new text)`) or removes (`None`) one comment of an issue,
/// in place: the rest of the file as it was.
fn change_comment(
    ctx: &mut Ctx,
    input: &str,
    comment: &str,
    edit: Option<(Option<String>, Option<PathBuf>)>,
) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let id = super::session(ctx, &tracker).resolve(input)?;
    let issue = tracker.load_issue(&id)?;
    let wanted = comment.to_lowercase();
    let matching: Vec<&Comment> = issue
        .comments
        .iter()
        .filter(|c| c.id.to_lowercase().starts_with(&wanted))
        .collect();
    let found = match matching[..] {
        [one] => one,
        [] => {
            let mut err = CommandError::new(
                ErrorKind::NotFound,
                format!("issue {id} has no comment {comment:?}"),
            );
            if !issue.comments.is_empty() {
                let ids: Vec<&str> = issue.comments.iter().map(|c| c.id.as_str()).collect();
                err = err.hint(format!("its comments: {}", ids.join(", ")));
            }
            return Err(err);
        }
        _ => {
            let ids: Vec<&str> = matching.iter().map(|c| c.id.as_str()).collect();
            return Err(CommandError::new(
                ErrorKind::Ambiguous,
                format!(
                    "{comment:?} names several comments of {id}: {}",
                    ids.join(", ")
                ),
            ));
        }
    };
    let (change, verb) = match edit {
        None => (Change::RemoveComment(found.id.clone()), "uncommented"),
        Some((text, body_file)) => {
            let body = match (text, &body_file) {
                (Some(text), _) => text,
                (None, Some(path)) => read_body_file(path)?,
                (None, None) => comment_in_editor(&tracker, &id, &found.body)?,
            };
            if body.trim().is_empty() {
                return Err(CommandError::user(
                    "empty comment; nothing was changed (`yit comment rm` removes one)",
                ));
            }
            (
                Change::EditComment {
                    id: found.id.clone(),
                    body,
                },
                "edited",
            )
        }
    };
    let changes = [change];
    tracker.check_changes(&changes)?;
    let (timeout, now) = (ctx.lock_timeout, ctx.now);
    let edits = tracker.update_issues(std::slice::from_ref(&id), timeout, now, |_| {
        Ok(changes.to_vec())
    })?;
    let shorts = super::output::Shorts::Listing(tracker.load_listing()?);
    report_edits(ctx, &shorts, verb, &edits, true)
}

fn comment_in_editor(
    tracker: &yit::store::Tracker,
    id: &yit::model::id::IssueId,
    current: &str,
) -> Result<String, CommandError> {
    let note = editor::NOTE;
    let initial = format!(
        "{current}\n{note}Write your comment on {id} above. Lines starting with \"{note}\" are removed.\n\
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
