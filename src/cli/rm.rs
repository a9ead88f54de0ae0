//! `yit rm`: move issues to the trash (restorable with `yit restore`).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;

use yit::model::edit::Change;
use yit::model::id::IssueId;
use yit::query::deps::{Edge, Graph};
use yit::store::{Scan, StoreError};

use super::output::Paint;
use super::{CommandError, Ctx, Format, resolve_all};

/// The references to `ids` from issues that stay: (from, to, field).
fn referrers(scan: &Scan, ids: &[IssueId]) -> Vec<(IssueId, IssueId, Edge)> {
    let graph = Graph::new(scan.issues.iter().map(|i| &**i));
    let mut out = Vec::new();
    for id in ids {
        for (edge, from) in graph
            .dependents(id)
            .iter()
            .map(|f| (Edge::DependsOn, f))
            .chain(graph.children(id).iter().map(|f| (Edge::Parent, f)))
        {
            if !ids.contains(from) {
                out.push(((*from).clone(), id.clone(), edge));
            }
        }
    }
    out
}

/// Remove issues: moves their files to the trash in .git/yit (see `yit restore`)
///
/// On a terminal yit asks first; elsewhere it needs --yes (do not ask) or
/// --force. An issue that others wait for (or are children of) is not
/// removed, unless --force, which also removes those references.
///
/// Examples:
///   yit rm 4k2f
///   yit rm --yes 4k2f                 in a script: no question, references kept
///   yit rm --force 4k2f q8zn
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct RmArgs {
    /// Ids or unique prefixes
    #[arg(required = true)]
    ids: Vec<String>,
    /// Do not ask, and remove references to the removed issues
    #[arg(long, short = 'f')]
    force: bool,
    /// Do not ask; an issue others refer to is still refused
    #[arg(long, short = 'y')]
    yes: bool,
}

pub fn cmd_rm(ctx: &mut Ctx, args: RmArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "rm",
        &[Format::Table, Format::Ids, Format::Json],
        Format::Table,
    )?;
    let tracker = ctx.open_tracker()?;
    // asked before any lock is taken: no lock waits on a person
    let asked = if args.force {
        None
    } else {
        let scan = tracker.scan(ctx.scan_mode(false))?;
        let ids = resolve_all(&scan.listing, &args.ids)?;
        refuse_referred(&scan, &ids, false)?;
        if !args.yes {
            confirm(ctx, &tracker, &scan, &ids)?;
        }
        Some(ids)
    };
    // then the graph cannot change between the check and the removal: the
    // check is made (again, after a question) under the lock
    let _graph = tracker.lock_graph(ctx.lock_timeout)?;
    let scan = tracker.scan(ctx.scan_mode(false))?;
    let listing = &scan.listing;
    let ids = match asked {
        Some(ids) => ids,
        None => resolve_all(listing, &args.ids)?,
    };
    let referrers = refuse_referred(&scan, &ids, args.force)?;
    if !referrers.is_empty() {
        let from: Vec<IssueId> = referrers.iter().map(|(from, _, _)| from.clone()).collect();
        let edits = tracker.update_issues(&from, ctx.lock_timeout, ctx.now, |issue| {
            let mut changes: Vec<Change> = issue
                .depends_on
                .iter()
                .filter(|d| ids.contains(d))
                .cloned()
                .map(Change::RemoveDependency)
                .collect();
            if issue.parent.as_ref().is_some_and(|p| ids.contains(p)) {
                changes.push(Change::Parent(None));
            }
            Ok(changes)
        })?;
        for e in edits.iter().filter(|e| e.changed) {
            ctx.note(&format!(
                "updated    {}  (references to removed issues dropped)",
                listing.short_id(&e.issue.id)
            ));
        }
    }
    let removed = tracker.trash_issues(&ids, ctx.lock_timeout, ctx.now)?;
    match format {
        Format::Json => {
            let records: Vec<_> = removed
                .iter()
                .map(|e| serde_json::json!({ "id": e.id, "short_id": listing.short_id(&e.id), "trash": e.path }))
                .collect();
            ctx.out
                .json(&serde_json::json!({ "schema_version": 1, "removed": records }))?;
        }
        Format::Ids => {
            for e in &removed {
                ctx.out.line(e.id.as_str())?;
            }
        }
        _ => {
            for e in &removed {
                let short = ctx.out.paint(Paint::Id, listing.short_id(&e.id));
                ctx.out.line(&format!(
                    "removed    {short}  (yit restore {short} brings it back)"
                ))?;
            }
        }
    }
    Ok(())
}

/// The references to `ids` from issues that stay; an error naming them
/// unless `force` (which removes them).
fn refuse_referred(
    scan: &Scan,
    ids: &[IssueId],
    force: bool,
) -> Result<Vec<(IssueId, IssueId, Edge)>, CommandError> {
    let referrers = referrers(scan, ids);
    if referrers.is_empty() || force {
        return Ok(referrers);
    }
    let named: Vec<String> = referrers
        .iter()
        .map(|(from, to, edge)| {
            let how = match edge {
                Edge::DependsOn => "waits for",
                Edge::Parent => "is a child of",
            };
            let listing = &scan.listing;
            format!("{} {how} {}", listing.short_id(from), listing.short_id(to))
        })
        .collect();
    Err(CommandError::from(StoreError::Refused {
        message: format!("other issues refer to it: {}", named.join("; ")),
    })
    .hint("`yit rm --force` removes the issues and these references"))
}

/// Asks on the terminal whether to remove `ids`; an error unless the
/// answer is yes (or when there is no terminal to ask on).
fn confirm(
    ctx: &Ctx,
    tracker: &yit::store::Tracker,
    scan: &Scan,
    ids: &[IssueId],
) -> Result<(), CommandError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CommandError::usage(
            "yit rm asks on a terminal only; pass --yes (or --force, which also drops references to the issues)",
        ));
    }
    let mut err = std::io::stderr();
    for id in ids {
        let title = match tracker.read_issue(id) {
            Ok(Some(issue)) => issue.title,
            _ => "(unreadable file)".to_owned(),
        };
        writeln!(
            err,
            "  {}  {title}",
            ctx.out.paint_stderr(Paint::Id, scan.listing.short_id(id))
        )?;
    }
    write!(
        err,
        "Remove {} issue(s)? They can be restored with `yit restore`. [y/N] ",
        ids.len()
    )?;
    err.flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
        return Err(CommandError::user("nothing was removed"));
    }
    Ok(())
}
