//! `yit edit`: change fields with flags, or the whole file in an editor.

use std::path::PathBuf;

use clap::Args;
use yit::model::issue::Issue;
use yit::store::{StoreError, Tracker};

use super::editor::{self, Outcome};
use super::new::read_body_file;
use super::output::Shorts;
use super::{CommandError, Ctx, ErrorKind, report_edits};
use crate::front::request::FieldEdit;

/// Change an issue: fields with flags (one change), or the file in $EDITOR
///
/// Examples:
///   yit edit 4k2f --status in_progress --priority 1
///   yit edit 4k2f --add-label crash --rm-label triage --assignee me
///   yit edit 4k2f --parent q8zn      (refused if it would close a cycle)
///   yit edit 4k2f        opens the YAML in $VISUAL or $EDITOR
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct EditArgs {
    /// The issue's id or a unique prefix of it
    id: String,
    /// New title
    #[arg(long)]
    title: Option<String>,
    /// New status
    #[arg(long, short = 's')]
    status: Option<String>,
    /// New priority, 0 (highest) to 4
    #[arg(long, short = 'p', value_parser = yit::model::config::Config::parse_priority)]
    priority: Option<u8>,
    /// New type
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    kind: Option<String>,
    /// New body
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// Read the new body from a file (`-` reads standard input)
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// Add a label (repeatable)
    #[arg(long, value_name = "LABEL")]
    add_label: Vec<String>,
    /// Remove a label (repeatable)
    #[arg(long, value_name = "LABEL")]
    rm_label: Vec<String>,
    /// Assign to PERSON: `me`, `Name <email>` or an email
    #[arg(long, short = 'a', value_name = "PERSON", conflicts_with = "unassign")]
    assignee: Option<String>,
    /// Remove the assignee
    #[arg(long)]
    unassign: bool,
    /// Make ID a child of PARENT (see `yit children`)
    #[arg(long, value_name = "PARENT", conflicts_with = "no_parent")]
    parent: Option<String>,
    /// Remove the parent
    #[arg(long)]
    no_parent: bool,
    /// Refuse (exit 4) unless the issue's claim is still the one with
    /// this fencing token (`claim --json` gives it)
    #[arg(long, value_name = "N")]
    token: Option<u64>,
}

impl EditArgs {
    /// The edit the flags ask for (the one every front end makes).
    fn edit(self, max_file_size: u64) -> Result<FieldEdit, CommandError> {
        let body = match (self.body, &self.body_file) {
            (Some(b), _) => Some(b),
            (None, Some(path)) => Some(read_body_file(path, max_file_size)?),
            (None, None) => None,
        };
        let assignee = match (self.assignee, self.unassign) {
            (Some(a), _) => Some(Some(a)),
            (None, true) => Some(None),
            (None, false) => None,
        };
        let parent = match (self.parent, self.no_parent) {
            (Some(p), _) => Some(Some(p)),
            (None, true) => Some(None),
            (None, false) => None,
        };
        Ok(FieldEdit {
            id: self.id,
            title: self.title,
            status: self.status,
            priority: self.priority,
            kind: self.kind,
            body,
            add_labels: self.add_label,
            remove_labels: self.rm_label,
            assignee,
            parent,
            version: None,
        })
    }
}

pub fn cmd_edit(ctx: &mut Ctx, args: EditArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let token = args.token;
    let edit = args.edit(tracker.config().max_file_size)?;
    super::fence(ctx, &tracker, std::slice::from_ref(&edit.id), token)?;
    if edit.is_empty() {
        let listing = super::session(ctx, &tracker).into_listing()?;
        let id = listing.resolve(&edit.id)?;
        return edit_in_editor(ctx, &tracker, listing, &id);
    }
    let session = super::session(ctx, &tracker);
    let written = edit.apply(session, &tracker, ctx.scan_mode(false), ctx.clock())?;
    report_edits(ctx, &written.shorts, "edited", &written.edits, true)
}

fn edit_in_editor(
    ctx: &mut Ctx,
    tracker: &Tracker,
    listing: yit::store::Listing,
    id: &yit::model::id::IssueId,
) -> Result<(), CommandError> {
    let original = tracker
        .read_issue_bytes(id)
        .map_err(|broken| StoreError::Broken { broken })?
        .ok_or_else(|| StoreError::NotFound {
            input: id.to_string(),
        })?;
    // a broken file can be opened too: the editor is how a person fixes it
    let initial = String::from_utf8(original.clone()).map_err(|_| {
        CommandError::user(format!("issue {id} is not UTF-8; fix it with another tool"))
    })?;
    let state = tracker.state_dir().to_owned();
    let mut draft = editor::Draft::new(&state, id.as_str())?;
    let shown = tracker.shown(&tracker.issues_dir().join(id.file_name()));
    let config = tracker.config().clone();
    let outcome = editor::edit_until_valid(&mut draft, &state, id.as_str(), &initial, |text| {
        Issue::parse(text.as_bytes(), &shown, Some(id), &config).map_err(|broken| {
            broken
                .problems
                .into_iter()
                .map(|p| (p.line, p.column, p.message))
                .collect()
        })
    })?;
    let text = match outcome {
        Outcome::Unchanged => {
            ctx.note("no changes");
            return Ok(());
        }
        Outcome::Saved(text, _) => text,
    };
    match tracker.save_edited_merging(id, &original, &text, ctx.lock_timeout, ctx.now) {
        Ok((issue, merged)) => {
            if merged {
                ctx.note(&format!(
                    "{id} changed while you edited it, in other fields: both changes were kept"
                ));
            }
            let edited = yit::model::edit::Edited {
                issue,
                text,
                changed: true,
            };
            report_edits(
                ctx,
                &Shorts::Listing(listing),
                "edited",
                std::slice::from_ref(&edited),
                true,
            )
        }
        Err(e @ (StoreError::Changed { .. } | StoreError::Clash { .. })) => {
            let kept = draft.keep_as_recovery(&state, id.as_str())?;
            let mut err =
                CommandError::new(ErrorKind::Refused, format!("{e}; your edit was not saved"));
            err.hints
                .push(format!("your text is kept in {}", kept.display()));
            err.hints.push(format!(
                "compare it with `yit show {id} --raw`, then edit again"
            ));
            Err(err)
        }
        Err(e) => {
            let kept = draft.keep_as_recovery(&state, id.as_str())?;
            Err(CommandError::from(e).hint(format!("your text is kept in {}", kept.display())))
        }
    }
}
