//! `yit branches`: issues whose state differs between local branches.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use clap::Args;
use rayon::prelude::*;
use yit::git::Oid;
use yit::model::id::IssueId;
use yit::model::issue::Issue;

use super::output::Paint;
use super::{CommandError, Ctx, Format};

/// Issues whose status differs between local branches, with their status on each
///
/// Answered from the branches' trees: files with the same content on every
/// branch are not read, and each distinct version is parsed once.
///
/// Examples:
///   yit branches
///   yit branches --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct BranchesArgs {}

pub fn cmd_branches(ctx: &mut Ctx, _args: BranchesArgs) -> Result<(), CommandError> {
    let format = ctx.format("branches", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let repo = tracker.repo();
    let found = repo
        .differing_files_on_branches(yit::store::ISSUES_DIR)
        .map_err(yit::store::StoreError::from)?;
    let branches = &found.branches;
    // id -> blob on each branch (None: absent)
    let mut blobs: BTreeMap<IssueId, Vec<Option<Oid>>> = BTreeMap::new();
    for (name, on) in &found.files {
        let Some(id) = IssueId::from_file_name(name) else {
            continue;
        };
        blobs.insert(id, on.clone());
    }
    blobs.retain(|_, on| on.iter().any(|b| *b != on[0]));
    // each distinct version that matters, parsed once
    let mut distinct: Vec<(Oid, &IssueId)> = blobs
        .iter()
        .flat_map(|(id, on)| on.iter().flatten().map(move |b| (*b, id)))
        .collect();
    distinct.sort();
    distinct.dedup_by(|a, b| a.0 == b.0);
    let config = tracker.config();
    // (objects are read on this thread: the repository handle is not shared)
    let read: Vec<(Oid, &IssueId, Option<Vec<u8>>)> = distinct
        .iter()
        .map(|(blob, id)| (*blob, *id, repo.blob(blob)))
        .collect();
    let parsed: HashMap<Oid, Option<Issue>> = read
        .par_iter()
        .map(|(blob, id, bytes)| {
            let issue = bytes.as_ref().and_then(|bytes| {
                let path = Path::new(yit::store::ISSUES_DIR).join(id.file_name());
                Issue::parse(bytes, &path, Some(id), config).ok()
            });
            (*blob, issue)
        })
        .collect();
    let state = |blob: &Option<Oid>| -> Option<String> {
        blob.map(|b| match parsed.get(&b) {
            Some(Some(issue)) => issue.status.clone(),
            _ => "invalid".to_owned(),
        })
    };
    let mut rows: Vec<(IssueId, String, Vec<Option<String>>)> = Vec::new();
    for (id, on) in &blobs {
        let states: Vec<Option<String>> = on.iter().map(state).collect();
        if states.iter().all(|s| *s == states[0]) {
            continue; // other fields differ, the status does not
        }
        let title = on
            .iter()
            .flatten()
            .find_map(|b| parsed.get(b).and_then(Option::as_ref))
            .map(|i| i.title.clone())
            .unwrap_or_default();
        rows.push((id.clone(), title, states));
    }
    // short ids unique among the worktree's issues and these
    let listing = super::session(ctx, &tracker)
        .into_listing()?
        .including(rows.iter().map(|(id, _, _)| id.clone()));
    if format == Format::Json {
        let issues: Vec<serde_json::Value> = rows
            .iter()
            .map(|(id, title, states)| {
                let on: serde_json::Map<String, serde_json::Value> = branches
                    .iter()
                    .zip(states)
                    .map(|(b, s)| (b.clone(), serde_json::json!(s)))
                    .collect();
                serde_json::json!({
                    "id": id,
                    "short_id": listing.short_id(id),
                    "title": title,
                    "status": on,
                })
            })
            .collect();
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "branches": branches,
            "issues": issues,
        })))?);
    }
    if rows.is_empty() {
        ctx.note(&format!(
            "every issue has the same status on all {} local branch(es)",
            branches.len()
        ));
        return Ok(());
    }
    let mut text = String::new();
    for (id, title, states) in &rows {
        text.push_str(&format!(
            "{}  {title}\n",
            ctx.out.paint(Paint::Id, listing.short_id(id))
        ));
        for (branch, state) in branches.iter().zip(states) {
            text.push_str(&format!(
                "    {:<20} {}\n",
                branch,
                state.as_deref().unwrap_or("-")
            ));
        }
    }
    ctx.out.write_str(&text)?;
    Ok(())
}
