//! `yit doctor`: check config.yaml and every issue file.

use clap::Args;
use yit::model::deps::{self, Graph};
use yit::model::id::IssueId;
use yit::model::problem::Problem;
use yit::store::{Scan, StoreError, Tracker};

use super::{CommandError, Ctx, ErrorKind, Format};

/// Check config.yaml and every issue file; print each problem as path:line:col: message
///
/// Also names unresolved merge conflicts, dependency cycles and references
/// to issues that do not exist, and warns when git would not merge issue
/// files with yit's driver (not registered, not in .gitattributes or not
/// committed there, `yit` not on PATH).
///
/// Examples:
///   yit doctor
///   yit doctor --json | jq '.problems[].message'
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct DoctorArgs {}

pub fn cmd_doctor(ctx: &mut Ctx, _args: DoctorArgs) -> Result<(), CommandError> {
    let format = ctx.format("doctor", &[Format::Table, Format::Json], Format::Table)?;
    let mut warnings = Vec::new();
    let (checked, problems) = match Tracker::open(&ctx.cwd) {
        Ok(tracker) => {
            warnings = tracker.merge_setup_warnings();
            // before the scan, which rebuilds a damaged index
            if let yit::store::index::Health::Damaged(what) = tracker.index_health() {
                warnings.push(format!(
                    "the index in .git/yit/index was damaged ({what}); it was not used, and is rebuilt from the issue files"
                ));
            }
            // (details: the conflicts recorded by merges)
            let mut scan = super::session(ctx, &tracker).scan(ctx.scan_mode(true))?;
            let mut problems = std::mem::take(&mut scan.problems);
            problems.extend(
                scan.issues
                    .iter()
                    .flat_map(|i| conflict_problems(&tracker, i)),
            );
            problems.extend(graph_problems(&tracker, &scan));
            problems.extend(unmerged_problems(&tracker, &mut warnings)?);
            for swept in &scan.listing.swept {
                warnings.push(format!(
                    "removed {}: an interrupted write left it (older than 10 minutes)",
                    swept.display()
                ));
            }
            let known = |id: &yit::model::id::IssueId| scan.listing.ids.contains(id);
            for stale in tracker.stale_leases(ctx.now, &known) {
                warnings.push(format!("{stale}; `yit release --expired` clears it"));
            }
            problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
            (
                scan.listing.ids.len() + scan.listing.misnamed.len(),
                problems,
            )
        }
        // the issue files cannot be checked against a broken config
        Err(StoreError::Config { problems }) => (0, problems),
        Err(e) => return Err(e.into()),
    };
    if format == Format::Json {
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "checked": checked,
            "problems": problems,
            "warnings": warnings,
        })))?;
    } else {
        for warning in &warnings {
            ctx.warn(warning);
        }
        for problem in &problems {
            ctx.out.line(&problem.to_string())?;
        }
        if problems.is_empty() {
            ctx.note(&format!("checked {checked} issue file(s): no problems"));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let files: std::collections::BTreeSet<_> = problems.iter().map(|p| &p.path).collect();
    let mut err = CommandError::new(
        ErrorKind::User,
        format!("{} problem(s) in {} file(s)", problems.len(), files.len()),
    );
    if format == Format::Json {
        err.problems = problems;
    }
    Err(err)
}

/// The path of an issue's file as shown, and the line of its top-level
/// `key` (when the file has one).
fn key_line(tracker: &Tracker, id: &IssueId, key: &str) -> (std::path::PathBuf, Option<u64>) {
    let shown = std::path::Path::new(yit::store::ISSUES_DIR).join(id.file_name());
    let line = tracker
        .read_issue_bytes(id)
        .ok()
        .flatten()
        .and_then(|bytes| {
            String::from_utf8_lossy(&bytes).lines().position(|l| {
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.starts_with(':'))
            })
        })
        .map(|n| n as u64 + 1);
    (shown, line)
}

/// References to issues that do not exist, and cycles of dependencies or
/// parents, as they arrive by hand edits and merges.
fn graph_problems(tracker: &Tracker, scan: &Scan) -> Vec<Problem> {
    let graph = Graph::new(scan.issues.iter().map(|i| &**i));
    let short = |id: &IssueId| scan.listing.short_id(id).to_owned();
    let mut out = Vec::new();
    for d in graph.dangling() {
        let (path, line) = key_line(tracker, &d.from, d.edge.key());
        // a file that is there but cannot be read (a text conflict, a hand
        // edit) is not a missing issue: no advice that deletes the link
        let unreadable = scan.listing.ids.contains(&d.missing);
        let message = if unreadable {
            format!(
                "{}: {} is an issue whose file cannot be read (its problems are listed with it); fix that file, and keep this reference",
                d.edge.key(),
                d.missing,
            )
        } else {
            format!(
                "{}: {} names no issue; `yit dep rm {} {}` or edit the file",
                d.edge.key(),
                d.missing,
                short(&d.from),
                d.missing
            )
        };
        out.push(Problem {
            path,
            line,
            column: line.map(|_| 1),
            message,
        });
    }
    for (edge, cycle) in graph.cycles() {
        let (path, line) = key_line(tracker, &cycle[0], edge.key());
        out.push(Problem {
            path,
            line,
            column: line.map(|_| 1),
            message: format!(
                "{} cycle: {}; remove one link (`yit dep rm`)",
                edge.key(),
                deps::describe_cycle(&cycle, &short)
            ),
        });
    }
    out
}

/// What git's unmerged issue files (the index holds stages 1 to 3 of the
/// file instead of one version) call for: problems where a side is at
/// risk, warnings where only `git add` is left.
///
/// - the file in the worktree is exactly our side while theirs differs:
///   yit's driver did not run (git could not find it), and a `git add`
///   would drop their side;
/// - one side deleted it, the other changed it;
/// - the file was merged (or resolved) by yit: `git add` finishes; its
///   recorded conflicts are problems of their own.
fn unmerged_problems(
    tracker: &Tracker,
    warnings: &mut Vec<String>,
) -> Result<Vec<Problem>, CommandError> {
    let mut out = Vec::new();
    for u in tracker.unmerged_files(false)? {
        let path = &u.path;
        // (read as every file a clone brings: no link, no FIFO, bounded)
        let now =
            yit::store::guarded::read(&tracker.root().join(path), tracker.config().max_file_size)
                .ok()
                .flatten();
        let blob = |oid: &Option<yit::git::Oid>| oid.and_then(|o| tracker.repo().blob(&o));
        let message = match (&u.ours, &u.theirs) {
            (Some(_), None) => format!(
                "unmerged in git: changed on our side, deleted on theirs; keep it with `git add {path}`, or take the deletion with `git rm {path}`"
            ),
            (None, Some(_)) => format!(
                "unmerged in git: deleted on our side, changed on theirs (the file here is theirs); keep it with `git add {path}`, or take the deletion with `git rm {path}`"
            ),
            (Some(ours), Some(theirs))
                if ours != theirs && now.is_some() && now == blob(&u.ours) =>
            {
                format!(
                    "unmerged in git: both sides changed it and yit's merge driver did not run, so the file holds our side only (a `git add` now would drop theirs); `yit init` (registers a driver git can run), then `git checkout -m {path}` merges it field by field, then `git add {path}`"
                )
            }
            _ => {
                warnings.push(format!(
                    "{path} is merged but git still holds it unmerged: once its conflicts are settled (`yit resolve`), `git add {path}` finishes"
                ));
                continue;
            }
        };
        out.push(Problem {
            path: std::path::PathBuf::from(path),
            line: None,
            column: None,
            message,
        });
    }
    Ok(out)
}

/// A problem for each merge conflict an issue records, at its `conflicts:`
/// key.
fn conflict_problems(tracker: &Tracker, issue: &yit::model::issue::Issue) -> Vec<Problem> {
    if issue.conflicts.is_empty() {
        return Vec::new();
    }
    let (shown, line) = key_line(tracker, &issue.id, "conflicts");
    issue
        .conflicts
        .iter()
        .map(|c| Problem {
            path: shown.clone(),
            line,
            column: line.map(|_| 1),
            message: format!(
                "unresolved merge conflict on {}; {}",
                yit::model::merge::describe_conflict(c),
                yit::model::merge::resolve_hint(issue.id.as_str())
            ),
        })
        .collect()
}
