//! `yit resolve`: settle the merge conflicts recorded in an issue.

use clap::Args;
use yit::model::issue::Issue;
use yit::model::merge::Take;

use super::{CommandError, Ctx, Format};

/// Settle the merge conflicts recorded in an issue's `conflicts:` list
///
/// Examples:
///   yit resolve 4k2f --take ours          keep every value as it is now
///   yit resolve 4k2f --take theirs        take the other side's values
///   yit resolve 4k2f --take status=closed --take priority=1
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ResolveArgs {
    /// The issue's id or a unique prefix of it
    id: String,
    /// `ours`, `theirs`, or FIELD=VALUE for one field (repeatable)
    #[arg(long, value_name = "ours|theirs|FIELD=VALUE", required = true)]
    take: Vec<String>,
}

pub fn cmd_resolve(ctx: &mut Ctx, args: ResolveArgs) -> Result<(), CommandError> {
    let format = ctx.format("resolve", &[Format::Table, Format::Json], Format::Table)?;
    let takes: Vec<Take> = args
        .take
        .iter()
        .map(|t| match t.as_str() {
            "ours" => Ok(Take::Ours),
            "theirs" => Ok(Take::Theirs),
            other => match other.split_once('=') {
                Some((field, value)) if !field.is_empty() => Ok(Take::Value {
                    field: field.to_owned(),
                    value: value.to_owned(),
                }),
                _ => Err(CommandError::user(format!(
                    "--take {other:?}: expected ours, theirs or FIELD=VALUE"
                ))),
            },
        })
        .collect::<Result<_, _>>()?;
    let tracker = ctx.open_tracker()?;
    let id = super::session(ctx, &tracker).resolve(&args.id)?;
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

/// With `--json`, the issue as it is now (`conflicts`: what is left).
fn report(
    ctx: &mut Ctx,
    format: Format,
    tracker: &yit::store::Tracker,
    issue: &Issue,
) -> Result<(), CommandError> {
    if format == Format::Json {
        let listing = tracker.load_listing()?;
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "issue": super::output::issue_json(issue, &listing),
        })))?;
    }
    Ok(())
}
