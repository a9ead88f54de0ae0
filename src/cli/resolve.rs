//! `yit resolve`: settle the merge conflicts recorded in an issue.

use clap::Args;
use yit::model::issue::Issue;
use yit::model::merge::{Side, Take};

use super::{CommandError, Ctx, Format};

/// Settle the merge conflicts recorded in an issue's `conflicts:` list
///
/// Without --take, opens $VISUAL or $EDITOR on the fields in conflict: each
/// holds our value, with the other sides' values above it; make each what
/// it should be and save. A side is taken whole with --take SIDE (every
/// conflict) or --take FIELD=SIDE, SIDE being ours, theirs or base; a value
/// of your own is --take FIELD:=VALUE (read as YAML).
///
/// Examples:
///   yit resolve 4k2f                      edit the conflicting fields
///   yit resolve 4k2f --take theirs        every conflict: the other side
///   yit resolve 4k2f --take body=theirs --take status=ours
///   yit resolve 4k2f --take status:=closed --take priority:=1
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ResolveArgs {
    /// The issue's id or a unique prefix of it
    id: String,
    /// ours, theirs or base (every conflict), FIELD=ours|theirs|base (one
    /// field), or FIELD:=VALUE (one field, this YAML value); repeatable
    #[arg(long, value_name = "SIDE|FIELD=SIDE|FIELD:=VALUE")]
    take: Vec<String>,
}

/// One `--take` as typed.
fn take_of(typed: &str) -> Result<Take, CommandError> {
    if let Some(side) = Side::named(typed) {
        return Ok(Take::All(side));
    }
    if let Some((field, value)) = typed.split_once(":=")
        && !field.is_empty()
    {
        let value = yit::model::merge::value_of_yaml(value).map_err(|e| {
            CommandError::user(format!("--take {typed}: the value is not YAML")).because(&e)
        })?;
        return Ok(Take::Value {
            field: field.to_owned(),
            value,
        });
    }
    match typed.split_once('=') {
        Some((field, side)) if !field.is_empty() => match Side::named(side) {
            Some(side) => Ok(Take::Field {
                field: field.to_owned(),
                side,
            }),
            None => Err(CommandError::usage(format!(
                "--take {typed}: {side:?} is not a side (ours, theirs or base)"
            ))
            .hint(format!(
                "a value of your own is written FIELD:=VALUE: --take '{field}:={side}'"
            ))),
        },
        _ => Err(CommandError::usage(format!(
            "--take {typed:?}: expected ours, theirs, base, FIELD=SIDE or FIELD:=VALUE"
        ))),
    }
}

pub fn cmd_resolve(ctx: &mut Ctx, args: ResolveArgs) -> Result<(), CommandError> {
    let format = ctx.format("resolve", &[Format::Table, Format::Json], Format::Table)?;
    let mut takes: Vec<Take> = args
        .take
        .iter()
        .map(|t| take_of(t))
        .collect::<Result<_, _>>()?;
    let tracker = ctx.open_tracker()?;
    let id = super::session(ctx, &tracker).resolve(&args.id)?;
    if takes.is_empty() {
        let issue = tracker.load_issue(&id)?;
        if issue.conflicts.is_empty() {
            ctx.note(&format!("{id} has no conflicts to resolve"));
            return report(ctx, format, &tracker, &issue);
        }
        match in_editor(&tracker, &issue)? {
            Some(edited) => takes = edited,
            None => {
                ctx.note("no changes; the conflicts stay");
                return report(ctx, format, &tracker, &issue);
            }
        }
    }
    let Some(saved) = tracker.resolve_conflicts(&id, &takes, ctx.lock_timeout, ctx.now)? else {
        ctx.note(&format!("{id} has no conflicts to resolve"));
        return report(ctx, format, &tracker, &tracker.load_issue(&id)?);
    };
    if saved.conflicts.is_empty() {
        ctx.note(&format!(
            "resolved {id}; `git add` the file to finish the merge"
        ));
    } else {
        ctx.note(&format!(
            "{id} still has {} conflict(s)",
            saved.conflicts.len()
        ));
    }
    report(ctx, format, &tracker, &saved)
}

/// The fields in conflict as the person settles them in the editor; `None`
/// when saved unchanged.
fn in_editor(
    tracker: &yit::store::Tracker,
    issue: &Issue,
) -> Result<Option<Vec<Take>>, CommandError> {
    let note = super::editor::NOTE;
    let id = &issue.id;
    let listing = yit::ops::Session::without_daemon(tracker).into_listing()?;
    let short = listing.short_id(id);
    let initial = format!(
        "{note}Resolve the conflicts a merge recorded in {short} {title:?}.\n\
         {note}Each field below holds ours; the other sides are in the comments above it.\n\
         {note}Make each field what it should be, then save and quit. A field you delete\n\
         {note}stays in conflict; saving unchanged changes nothing.\n\
         {note}Lines starting with \"{note}\" are removed.\n\n{body}",
        title = issue.title,
        body = yit::model::merge::resolution_text(issue),
    );
    let state = tracker.state_dir().to_owned();
    let name = format!("resolve-{id}");
    let mut draft = super::editor::Draft::new(&state, &name)?;
    let outcome = super::editor::edit_until_valid(&mut draft, &state, &name, &initial, |text| {
        yit::model::merge::read_resolution(issue, text)
    })?;
    Ok(match outcome {
        super::editor::Outcome::Saved(_, takes) => Some(takes),
        super::editor::Outcome::Unchanged => None,
    })
}

/// With `--json`, the issue as it is now (`conflicts`: what is left).
fn report(
    ctx: &mut Ctx,
    format: Format,
    tracker: &yit::store::Tracker,
    issue: &Issue,
) -> Result<(), CommandError> {
    if format == Format::Json {
        let listing = super::session(ctx, tracker).into_listing()?;
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "issue": super::output::issue_json(issue, &listing),
        })))?;
    }
    Ok(())
}
