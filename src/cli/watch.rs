//! `yit watch`: changes to issues as JSON lines, for UIs and agents.

use std::collections::HashMap;
use std::time::Duration;

use clap::Args;
use yit::model::id::IssueId;
use yit::model::issue::{Broken, Issue};
use yit::store::{Listing, ScanMode, Tracker};
use yit::watch::Watcher;

use super::output::issue_json;
use super::{CommandError, Ctx, ErrorKind, Format, lifetime};

/// Print changes to issues as JSON lines as they happen (see docs/format.md)
///
/// The first line is a `ready` event; then one line per created, changed,
/// removed or broken issue file, whoever changed it (yit, an editor, git).
///
/// With `--remote`, it watches the branch's upstream and the claims on the
/// remote instead (`git ls-remote` every `--interval` seconds; a fetch
/// only when something changed): a `remote` line names the issues whose
/// files the upstream changed and the issues whose claims changed, so an
/// idle agent learns that new work exists.
///
/// Examples:
///   yit watch
///   yit watch --count 1          wait for the next change
///   yit watch --exit-with-pid $$
///   yit watch --remote --interval 30
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct WatchArgs {
    /// Exit when this process exits
    #[arg(long, value_name = "PID")]
    exit_with_pid: Option<u32>,
    /// Exit after printing N change events
    #[arg(long, value_name = "N")]
    count: Option<usize>,
    /// Watch the upstream branch and the claims on the remote, not the files
    #[arg(long)]
    remote: bool,
    /// Seconds between two looks at the remote
    #[arg(long, value_name = "S", default_value_t = 30, requires = "remote", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    interval: u64,
}

type Known = HashMap<IssueId, Result<Issue, Broken>>;

pub fn cmd_watch(ctx: &mut Ctx, args: WatchArgs) -> Result<(), CommandError> {
    ctx.format("watch", &[Format::Jsonl, Format::Json], Format::Jsonl)?;
    let _lifetime = lifetime::bind(args.exit_with_pid)?;
    if args.remote {
        return watch_remote(ctx, &args);
    }
    let mut tracker = ctx.open_tracker()?;
    // watch first, then read: nothing that happens in between is missed
    let watcher = Watcher::new(&[tracker.issues_dir()])
        .map_err(|e| CommandError::new(ErrorKind::Internal, e.to_string()).because(&e))?;
    let (mut known, listing) = snapshot(&tracker)?;
    emit(
        ctx,
        super::output::envelope(
            serde_json::json!({ "event": "ready", "issues": listing.ids.len() }),
        ),
    )?;
    let mut printed = 0;
    loop {
        if args.count.is_some_and(|n| printed >= n) {
            return Ok(());
        }
        let Some(batch) = watcher.next_batch(Duration::from_secs(1), Duration::from_millis(20))
        else {
            if !tracker.issues_dir().is_dir() {
                return Ok(());
            }
            continue;
        };
        if batch.gone || !tracker.issues_dir().is_dir() {
            return Ok(());
        }
        let config_touched = batch.names[0].iter().any(|n| n == "config.yaml");
        if config_touched {
            tracker = Tracker::open(&ctx.cwd)?;
        }
        if batch.rescan || config_touched {
            let (now, listing) = snapshot(&tracker)?;
            let ids: Vec<IssueId> = known.keys().chain(now.keys()).cloned().collect();
            printed += report(ctx, &listing, &known, &now, ids)?;
            known = now;
            continue;
        }
        // only the touched files: no copy of every issue per event
        let listing = super::session(ctx, &tracker).into_listing()?;
        let mut before: Known = HashMap::new();
        let mut now: Known = HashMap::new();
        let mut touched = Vec::new();
        for name in &batch.names[0] {
            let Some(id) = name.to_str().and_then(IssueId::from_file_name) else {
                continue;
            };
            if let Some(old) = known.remove(&id) {
                before.insert(id.clone(), old);
            }
            match tracker.read_issue(&id) {
                Ok(Some(issue)) => now.insert(id.clone(), Ok(issue)),
                Ok(None) => None,
                Err(broken) => now.insert(id.clone(), Err(broken)),
            };
            touched.push(id);
        }
        printed += report(ctx, &listing, &before, &now, touched)?;
        known.extend(now);
    }
}

fn snapshot(tracker: &Tracker) -> Result<(Known, Listing), CommandError> {
    let (listing, results) =
        yit::ops::Session::without_daemon(tracker).read_files(ScanMode::Files)?;
    let known = listing
        .ids
        .iter()
        .cloned()
        .zip(results)
        .filter_map(|(id, read)| match read {
            Ok(Some(issue)) => Some((id, Ok(*issue))),
            Ok(None) => None,
            Err(broken) => Some((id, Err(broken))),
        })
        .collect();
    Ok((known, listing))
}

/// Prints the differences between two states; returns how many.
fn report(
    ctx: &mut Ctx,
    listing: &Listing,
    before: &Known,
    now: &Known,
    mut ids: Vec<IssueId>,
) -> Result<usize, CommandError> {
    ids.sort();
    ids.dedup();
    let mut printed = 0;
    for id in &ids {
        let short = listing.short_id(id);
        let event = match (before.get(id), now.get(id)) {
            (None, Some(Ok(issue))) => Some(("created", Some(issue_json(issue, listing)), None)),
            (Some(_), None) => Some(("removed", None, None)),
            (Some(old), Some(Ok(issue))) if old.as_ref().ok() != Some(issue) => {
                Some(("changed", Some(issue_json(issue, listing)), None))
            }
            (old, Some(Err(broken))) if old.and_then(|o| o.as_ref().err()) != Some(broken) => {
                Some(("broken", None, Some(&broken.problems)))
            }
            _ => None,
        };
        if let Some((kind, issue, problems)) = event {
            let mut record = super::output::envelope(
                serde_json::json!({ "event": kind, "id": id, "short_id": short }),
            );
            if let Some(issue) = issue {
                record["issue"] = issue;
            }
            if let Some(problems) = problems {
                record["problems"] = serde_json::json!(problems);
            }
            emit(ctx, record)?;
            printed += 1;
        }
    }
    Ok(printed)
}

fn emit(ctx: &mut Ctx, record: serde_json::Value) -> Result<(), CommandError> {
    ctx.out.line(&record.to_string())?;
    ctx.out.flush()?;
    Ok(())
}

/// `yit watch --remote`: a `remote` line each time the upstream's branch or
/// the remote's claims change, read with `git ls-remote` and fetched only
/// then.
fn watch_remote(ctx: &mut Ctx, args: &WatchArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let repo = tracker.repo();
    let Some(up) = repo.upstream() else {
        return Err(CommandError::user("this branch has no upstream to watch")
            .hint("`git push -u origin BRANCH` sets one"));
    };
    let leases = yit::store::lease::LEASES;
    let patterns = vec![up.merge.clone(), format!("{leases}*")];
    let refspecs = vec![
        format!("+{}:{}", up.merge, up.tracking),
        format!("+{leases}*:{leases}*"),
    ];
    let git = |e: yit::git::GitError| CommandError::new(ErrorKind::Refused, e.to_string());
    let mut seen = repo.ls_remote(&up.remote, &patterns).map_err(git)?;
    emit(
        ctx,
        super::output::envelope(serde_json::json!({
            "event": "ready",
            "remote": up.remote,
            "branch": up.merge,
        })),
    )?;
    let mut printed = 0;
    while args.count.is_none_or(|n| printed < n) {
        std::thread::sleep(Duration::from_secs(args.interval));
        // a remote that does not answer now may answer next time
        let Ok(now) = repo.ls_remote(&up.remote, &patterns) else {
            continue;
        };
        if now == seen {
            continue;
        }
        let before = repo.head_of(&up.tracking);
        repo.fetch(&up.remote, &refspecs).map_err(git)?;
        let after = now.get(&up.merge).cloned();
        let issues: Vec<String> = match (&before, &after) {
            (Some(old), Some(new)) if old != new => repo
                .files_between(old, new, yit::store::ISSUES_DIR)
                .map_err(git)?
                .iter()
                .filter_map(|path| {
                    let name = path.rsplit('/').next()?;
                    IssueId::from_file_name(name).map(|id| id.to_string())
                })
                .collect(),
            _ => Vec::new(),
        };
        let claims: Vec<String> = now
            .iter()
            .chain(seen.iter())
            .filter(|(name, _)| name.starts_with(leases) && now.get(*name) != seen.get(*name))
            .filter_map(|(name, _)| name.strip_prefix(leases).map(str::to_owned))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        emit(
            ctx,
            super::output::envelope(serde_json::json!({
                "event": "remote",
                "branch": up.merge,
                "head": after,
                "issues": issues,
                "claims": claims,
            })),
        )?;
        printed += 1;
        seen = now;
    }
    Ok(())
}
