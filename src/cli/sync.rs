//! `yit sync`: share the issues with the branch's upstream.

use std::collections::BTreeSet;

use clap::Args;
use yit::git::{GitError, Integrated, Pushed};

use super::{CommandError, Ctx, ErrorKind, Format};

/// Share the issues with the branch's upstream: commit, fetch, merge, push
///
/// In order: fetch the upstream and the claims' leases (a remote that
/// cannot be reached stops it here, with nothing changed), and publish the
/// claims taken here with `--offline` (one that someone claimed on the
/// remote meanwhile is named as lost); commit the
/// changed issue files (as `yit commit`: nothing else is committed); merge
/// the upstream, or rebase onto it when `pull.rebase` says so, with yit's
/// field merge driver and your other uncommitted work set aside; push. A
/// push that lost a race (the remote moved on) fetches, merges and pushes
/// again, up to `--retries` times. Two edits of the same field of an issue
/// are recorded in its `conflicts:` list, committed and pushed, and named
/// for `yit resolve`; a conflict in any other file stops it, with the merge
/// undone. A push that fails for another reason undoes the merge; your
/// issue changes stay committed.
///
/// Examples:
///   yit sync
///   yit sync --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct SyncArgs {
    /// How many times to fetch, merge and push again when a push loses a race
    #[arg(long, default_value_t = 5, value_name = "N")]
    retries: u32,
}

fn git(e: GitError) -> CommandError {
    CommandError::new(ErrorKind::Refused, e.to_string())
}

pub fn cmd_sync(ctx: &mut Ctx, args: SyncArgs) -> Result<(), CommandError> {
    let format = ctx.format("sync", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let repo = tracker.repo();
    if repo.merging() {
        return Err(CommandError::new(
            ErrorKind::Refused,
            "a merge, rebase or cherry-pick is in progress: finish it first",
        )
        .hint("`yit doctor` names the unmerged issue files; `yit resolve ID` settles one"));
    }
    let branch = repo.current_branch();
    let Some(up) = repo.upstream() else {
        let name = branch.unwrap_or_else(|| "HEAD".to_owned());
        return Err(
            CommandError::user(format!("{name} has no upstream branch to sync with"))
                .hint(format!("`git push -u origin {name}` sets one")),
        );
    };
    let mut refspecs = vec![format!("+{}:{}", up.merge, up.tracking)];
    let leases = format!("+{0}*:{0}*", yit::store::lease::LEASES);
    let lease_remote = repo.issue_remote();
    if lease_remote.as_deref() == Some(up.remote.as_str()) {
        refspecs.push(leases.clone());
    }
    // leases taken offline here, read before the remote's replace them
    let offline = tracker.offline_leases(ctx.now);
    // the remote first: when it cannot be reached, nothing has changed
    repo.fetch(&up.remote, &refspecs).map_err(|e| {
        CommandError::new(
            ErrorKind::Refused,
            format!("could not fetch from {:?}", up.remote),
        )
        .because(&e)
        .hint("nothing was changed; `yit commit` commits the issue changes locally")
    })?;
    if let Some(other) = lease_remote.as_ref().filter(|r| **r != up.remote) {
        repo.fetch(other, std::slice::from_ref(&leases))
            .map_err(git)?;
    }
    // ...then published there, or named as lost to a claim made there
    let mut published = Vec::new();
    let mut lost = Vec::new();
    if let Some(remote) = &lease_remote {
        for mine in &offline {
            match tracker.publish_offline(mine, remote, ctx.now)? {
                yit::store::lease::Published::Published(lease) => published.push(lease),
                yit::store::lease::Published::Lost { mine, theirs } => lost.push((mine, theirs)),
            }
        }
    }
    let committed = super::commit::commit_changes(&tracker, None)?;
    let before = repo.head_now().map_err(git)?;
    let rebase = repo.pulls_by_rebase(&up.branch);
    let mut conflicted = BTreeSet::new();
    let mut integrated = false;
    let mut retries = 0;
    loop {
        let mut state = repo.integrate(&up.tracking, rebase).map_err(|e| {
            repo.abort_integration(rebase);
            git(e)
        })?;
        while let Integrated::Conflicts(paths) = state {
            let issues = settled_by_the_driver(&tracker, &paths);
            let Some(ids) = issues else {
                repo.abort_integration(rebase);
                let _ = repo.reset_keep(&before);
                return Err(CommandError::new(
                    ErrorKind::Refused,
                    format!(
                        "the upstream conflicts with this branch in {}: nothing was pushed, and the merge was undone",
                        paths.join(", ")
                    ),
                )
                .hint("merge it by hand (`git pull`), then `yit sync` again"));
            };
            conflicted.extend(ids);
            state = repo.conclude(&paths, rebase).map_err(|e| {
                repo.abort_integration(rebase);
                git(e)
            })?;
        }
        integrated |= state == Integrated::Done;
        match repo.push_head(&up.remote, &up.merge) {
            Ok(Pushed::Done) => break,
            Ok(Pushed::Rejected) if retries < args.retries => {
                retries += 1;
                // someone pushed first: their work in, then ours again
                if let Err(e) = repo.fetch(&up.remote, &refspecs) {
                    let _ = repo.reset_keep(&before);
                    return Err(undone(&up.remote, &e, committed.as_deref()));
                }
            }
            Ok(Pushed::Rejected) => {
                let _ = repo.reset_keep(&before);
                return Err(CommandError::new(
                    ErrorKind::Refused,
                    format!(
                        "{} pushes to {:?} lost the race to others; the merge was undone",
                        retries + 1,
                        up.remote
                    ),
                )
                .hint("`yit sync` again, or `--retries N`"));
            }
            Err(e) => {
                let _ = repo.reset_keep(&before);
                return Err(undone(&up.remote, &e, committed.as_deref()));
            }
        }
    }
    let pushed = repo.head_now().map_err(git)?;
    let conflicted: Vec<String> = conflicted.into_iter().collect();
    if format == Format::Json {
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "committed": committed,
            "integrated": integrated.then_some(if rebase { "rebase" } else { "merge" }),
            "conflicts": conflicted,
            "pushed": pushed,
            "retries": retries,
            "claims_published": published.iter().map(|l| l.issue.to_string()).collect::<Vec<_>>(),
            "claims_lost": lost.iter().map(|(mine, theirs)| serde_json::json!({
                "id": mine.issue.to_string(),
                "holder": theirs.holder,
            })).collect::<Vec<_>>(),
        })))?);
    }
    if let Some(summary) = &committed {
        ctx.out.line(&format!("committed  {summary}"))?;
    }
    if integrated {
        let how = if rebase { "rebased onto" } else { "merged" };
        ctx.out.line(&format!("{how:<10} {}", up.tracking))?;
    }
    ctx.out.line(&format!(
        "pushed     {} to {} {}{}",
        &pushed[..pushed.len().min(12)],
        up.remote,
        up.merge.trim_start_matches("refs/heads/"),
        match retries {
            0 => String::new(),
            n => format!(" (after {n} lost race(s))"),
        }
    ))?;
    for lease in &published {
        ctx.out.line(&format!(
            "published  the offline claim of {} (token {})",
            lease.issue, lease.token
        ))?;
    }
    for (mine, theirs) in &lost {
        ctx.warn(&format!(
            "your offline claim of {} lost: {} claimed it on the remote first",
            mine.issue, theirs.holder
        ));
    }
    for id in &conflicted {
        ctx.warn(&format!(
            "{id}: both sides changed the same field; both are kept in its `conflicts:` list (`yit resolve {id}`)"
        ));
    }
    Ok(())
}

/// The ids of the issue files among `paths` when every one of them is an
/// issue file the merge driver left valid, its conflicts recorded in it;
/// `None` when any is not (another file, or markers git wrote).
fn settled_by_the_driver(tracker: &yit::store::Tracker, paths: &[String]) -> Option<Vec<String>> {
    let dir = format!("{}/", yit::store::ISSUES_DIR);
    paths
        .iter()
        .map(|path| {
            let name = path.strip_prefix(&dir)?.strip_suffix(".yaml")?;
            let id = yit::model::id::IssueId::parse_canonical(name)?;
            match tracker.read_issue(&id) {
                Ok(Some(issue)) if !issue.conflicts.is_empty() => Some(id.to_string()),
                _ => None,
            }
        })
        .collect()
}

/// The error of a sync whose push failed: the merge undone, the issue
/// changes committed.
fn undone(remote: &str, e: &GitError, committed: Option<&str>) -> CommandError {
    let mut err = CommandError::new(
        ErrorKind::Refused,
        format!("could not push to {remote:?}; the merge was undone"),
    )
    .because(e);
    if let Some(summary) = committed {
        err = err.hint(format!("your issue changes stay committed: {summary}"));
    }
    err.hint("`yit sync` again when the remote answers")
}
