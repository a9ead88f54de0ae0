//! `yit diff`: what happened to the issues between two revisions.

use std::collections::BTreeMap;
use std::path::Path;

use clap::Args;
use rayon::prelude::*;
use yit::model::config::Config;
use yit::model::id::IssueId;
use yit::model::issue::Issue;

use super::output::Paint;
use super::{CommandError, Ctx, Format};

/// The issues created, closed, reopened, changed or removed between two revisions
///
/// REV2 defaults to the worktree (uncommitted changes included). Files that
/// are byte for byte equal on both sides are not even parsed.
///
/// Examples:
///   yit diff v1.2                 since the tag, up to the worktree
///   yit diff main feature --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct DiffArgs {
    /// The older revision (commit, branch, tag)
    from: String,
    /// The newer revision (default: the worktree)
    to: Option<String>,
}

/// One issue's change between the two sides.
struct Changed {
    id: IssueId,
    title: String,
    what: &'static str,
    details: Vec<String>,
}

pub fn cmd_diff(ctx: &mut Ctx, args: DiffArgs) -> Result<(), CommandError> {
    let format = ctx.format("diff", &[Format::Table, Format::Json], Format::Table)?;
    let (old_config, old) = yit::ops::files_at(&ctx.cwd, &args.from)?;
    let (new_config, new) = match &args.to {
        Some(rev) => yit::ops::files_at(&ctx.cwd, rev)?,
        None => {
            let tracker = ctx.open_tracker()?;
            let files = super::session(ctx, &tracker).file_bytes()?;
            (tracker.config().clone(), files)
        }
    };
    let old: BTreeMap<&IssueId, &[u8]> = old.iter().map(|(id, b)| (id, b.as_slice())).collect();
    let new: BTreeMap<&IssueId, &[u8]> = new.iter().map(|(id, b)| (id, b.as_slice())).collect();
    let mut ids: Vec<&IssueId> = old.keys().chain(new.keys()).copied().collect();
    ids.sort();
    ids.dedup();
    let parse = |id: &IssueId, bytes: Option<&&[u8]>, config: &Config| {
        bytes.and_then(|b| {
            Issue::parse(
                b,
                &Path::new(".issues").join(id.file_name()),
                Some(id),
                config,
            )
            .ok()
        })
    };
    let mut changes: Vec<Changed> = ids
        .par_iter()
        .filter_map(|id| {
            let (before, after) = (old.get(id), new.get(id));
            if before == after {
                return None;
            }
            let (b, a) = (
                parse(id, before, &old_config),
                parse(id, after, &new_config),
            );
            let (what, details, title) = match (&b, &a) {
                (None, Some(a)) => ("created", Vec::new(), a.title.clone()),
                (Some(b), None) if after.is_none() => ("removed", Vec::new(), b.title.clone()),
                (Some(b), Some(a)) => {
                    let details = yit::model::history::changes(b, a);
                    let closed_before = old_config.is_closed(&b.status);
                    let closed_after = new_config.is_closed(&a.status);
                    let what = match (closed_before, closed_after) {
                        (false, true) => "closed",
                        (true, false) => "reopened",
                        _ => "changed",
                    };
                    (what, details, a.title.clone())
                }
                // a side that is not a valid issue
                _ => (
                    "changed",
                    vec!["not a valid issue on one side".to_owned()],
                    String::new(),
                ),
            };
            Some(Changed {
                id: (*id).clone(),
                title,
                what,
                details,
            })
        })
        .collect();
    // the order people read: what appeared, what ended, what came back,
    // what moved, what went
    let rank = |w: &str| {
        ["created", "closed", "reopened", "changed", "removed"]
            .iter()
            .position(|x| *x == w)
    };
    changes.sort_by(|a, b| {
        rank(a.what)
            .cmp(&rank(b.what))
            .then_with(|| a.id.cmp(&b.id))
    });
    // short ids unique among the issues of both sides
    let listing = yit::store::Listing::of_ids(ids.iter().map(|id| (*id).clone()));
    if format == Format::Json {
        let records: Vec<serde_json::Value> = changes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id,
                    "short_id": listing.short_id(&c.id),
                    "title": c.title,
                    "change": c.what,
                    "details": c.details,
                })
            })
            .collect();
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "from": args.from,
            "to": args.to.as_deref().unwrap_or("worktree"),
            "changes": records,
        })))?);
    }
    if changes.is_empty() {
        ctx.note("no issue changed");
        return Ok(());
    }
    let mut text = String::new();
    for c in &changes {
        text.push_str(&format!(
            "{:<9} {}  {}\n",
            c.what,
            ctx.out.paint(Paint::Id, listing.short_id(&c.id)),
            c.title
        ));
        for d in &c.details {
            text.push_str(&format!("          {d}\n"));
        }
    }
    ctx.out.write_str(&text)?;
    Ok(())
}
