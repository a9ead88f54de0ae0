//! `yit label add|rm`: labels on several issues at once.

use clap::{Args, Subcommand};
use yit::model::edit::Change;

use super::{CommandError, Ctx, report_edits};

/// Add or remove labels on issues (all of them or none)
///
/// Examples:
///   yit label add 4k2f crash ui
///   yit label add 4k2f q8zn -- 4k2f-followup   a label that looks like an id
///   yit label rm 4k2f ui
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct LabelArgs {
    #[command(subcommand)]
    action: LabelAction,
}

#[derive(Subcommand)]
enum LabelAction {
    /// Add labels: yit label add ID... LABEL... (use -- before the labels if one looks like an id)
    Add(Targets),
    /// Remove labels: yit label rm ID... LABEL...
    Rm(Targets),
}

#[derive(Args)]
struct Targets {
    /// Issue ids, then labels
    #[arg(required = true, num_args = 1.., value_name = "ID... LABEL", allow_hyphen_values = false)]
    args: Vec<String>,
    /// Labels after `--`, for labels that look like ids
    #[arg(last = true, value_name = "LABEL")]
    labels: Vec<String>,
}

/// Splits `ID... LABEL...`: ids come first, as long as they resolve;
/// the rest are labels. Labels after `--` are always labels.
fn split(
    resolver: &mut yit::ops::Session,
    targets: Targets,
) -> Result<(Vec<yit::model::id::IssueId>, Vec<String>), CommandError> {
    let mut ids = Vec::new();
    let mut rest = targets.args.into_iter().peekable();
    while let Some(arg) = rest.peek() {
        // with explicit labels after `--`, every argument is an id
        let must_be_id = !targets.labels.is_empty();
        if must_be_id || ids.is_empty() {
            // this one must be an id: its error, worded, if it is not
            ids.push(resolver.resolve(arg)?);
            rest.next();
            continue;
        }
        match resolver.find(arg)? {
            Some(id) => {
                ids.push(id);
                rest.next();
            }
            None => break,
        }
    }
    let mut labels: Vec<String> = rest.collect();
    labels.extend(targets.labels);
    if labels.is_empty() {
        return Err(CommandError::usage(
            "no labels given: yit label add ID... LABEL... (or ID... -- LABEL...)",
        ));
    }
    Ok((ids, labels))
}

pub fn cmd_label(ctx: &mut Ctx, args: LabelArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let mut resolver = super::session(ctx, &tracker);
    let (verb, targets, add) = match args.action {
        LabelAction::Add(t) => ("labelled", t, true),
        LabelAction::Rm(t) => ("unlabelled", t, false),
    };
    let (ids, labels) = split(&mut resolver, targets)?;
    let changes: Vec<Change> = labels
        .into_iter()
        .map(|l| {
            if add {
                Change::AddLabel(l)
            } else {
                Change::RemoveLabel(l)
            }
        })
        .collect();
    let written = resolver.change_ids(&ids, &changes, ctx.clock())?;
    report_edits(ctx, &written.shorts, verb, &written.edits, false)
}
