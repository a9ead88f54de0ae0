//! `yit comment`: add a comment to an issue.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::editor::{self, Outcome};
use super::new::read_body_file;
use super::{CommandError, Ctx, report_edits};

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
    /// Refuse (exit 4) unless the issue's claim is still the one with
    /// this fencing token (`claim --json` gives it)
    #[arg(long, value_name = "N")]
    token: Option<u64>,
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
            args.token,
        ),
    }
}

fn add(
    ctx: &mut Ctx,
    input: String,
    text: Option<String>,
    body_file: Option<PathBuf>,
    token: Option<u64>,
) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    super::fence(ctx, &tracker, std::slice::from_ref(&input), token)?;
    let body = match (text, &body_file) {
        (Some(text), _) => text,
        (None, Some(path)) => read_body_file(path, tracker.config().max_file_size)?,
        (None, None) => {
            let id = super::session(ctx, &tracker)
                .into_listing()?
                .resolve(&input)?;
            // left empty: the comment is not added (the editor says so)
            comment_in_editor(&tracker, &id, None)?.unwrap_or_default()
        }
    };
    let written = super::session(ctx, &tracker).comment(&input, body, ctx.clock())?;
    report_edits(ctx, &written.shorts, "commented", &written.edits, true)
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
    let mut session = super::session(ctx, &tracker);
    let (id, found) = session.find_comment(input, comment)?;
    let (written, verb) = match edit {
        None => (
            session.remove_comment(&id, &found.id, ctx.clock())?,
            "uncommented",
        ),
        Some((text, body_file)) => {
            let body = match (text, &body_file) {
                (Some(text), _) => text,
                (None, Some(path)) => read_body_file(path, tracker.config().max_file_size)?,
                (None, None) => match comment_in_editor(&tracker, &id, Some(&found))? {
                    Some(text) => text,
                    None => {
                        // saved as it was: nothing to do, as `yit edit` says
                        ctx.note("no changes");
                        return Ok(());
                    }
                },
            };
            (
                session.edit_comment(&id, &found.id, body, ctx.clock())?,
                "edited",
            )
        }
    };
    report_edits(ctx, &written.shorts, verb, &written.edits, true)
}

/// The text of a new comment (`current` is `None`) or of an edited one,
/// from the person's editor; `None` when it was saved unchanged.
fn comment_in_editor(
    tracker: &yit::store::Tracker,
    id: &yit::model::id::IssueId,
    current: Option<&yit::model::issue::Comment>,
) -> Result<Option<String>, CommandError> {
    let note = editor::NOTE;
    let initial = match current {
        None => format!(
            "\n{note}Write your comment on {id} above. Lines starting with \"{note}\" are removed.\n\
             {note}An empty comment adds nothing.\n"
        ),
        Some(comment) => format!(
            "{body}\n{note}You are editing comment {cid} on {id}{by}. Lines starting with \"{note}\" are removed.\n\
             {note}Saving it unchanged changes nothing; `yit comment rm {id} {cid}` removes it.\n",
            body = comment.body,
            cid = comment.id,
            by = comment
                .author
                .as_deref()
                .map(|a| format!(" by {}", yit::model::issue::person_short(a)))
                .unwrap_or_default(),
        ),
    };
    let name = format!("comment-{id}");
    let state = tracker.state_dir().to_owned();
    let mut draft = editor::Draft::new(&state, &name)?;
    let outcome = editor::edit_until_valid(&mut draft, &state, &name, &initial, |text| {
        Ok::<_, Vec<_>>(text.trim_end().to_owned())
    })?;
    Ok(match outcome {
        Outcome::Saved(_, text) => Some(text),
        Outcome::Unchanged => None,
    })
}
