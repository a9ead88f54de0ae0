//! `yit commit`: commit the tracker's changed files, and nothing else.

use clap::Args;
use yit::git::{ChangeKind, PathChange};
use yit::model::issue::Issue;
use yit::store::Tracker;

use super::{CommandError, Ctx, ErrorKind, Format};

/// Commit the changed issue files onto the current branch, and nothing else
///
/// Like `git commit -- .issues`: your other staged and unstaged changes stay
/// exactly as they were, and your hooks and signing settings apply (yit runs
/// git for this). Without -m, the message lists the changes with full ids.
/// `.gitattributes` is included when the only change to it is the merge
/// driver's line `yit init` added.
///
/// Examples:
///   yit commit
///   yit commit -m "Triage after the release"
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CommitArgs {
    /// The commit message (default: a summary of the issue changes)
    #[arg(long, short = 'm')]
    message: Option<String>,
}

pub fn cmd_commit(ctx: &mut Ctx, args: CommitArgs) -> Result<(), CommandError> {
    let format = ctx.format("commit", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let summary = commit_changes(&tracker, args.message)?;
    if format == Format::Json {
        let commit = summary.as_ref().and_then(|_| tracker.repo().head_hex());
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "commit": commit,
            "summary": summary,
        })))?);
    }
    match summary {
        Some(summary) => {
            if !ctx.quiet {
                ctx.out.line(&summary)?;
            }
            Ok(())
        }
        None => {
            ctx.note("no issue changes to commit");
            Ok(())
        }
    }
}

/// Commits every changed file under `.issues`; `None` when there is none.
/// Returns git's one-line summary of the commit.
pub fn commit_changes(
    tracker: &Tracker,
    message: Option<String>,
) -> Result<Option<String>, CommandError> {
    let repo = tracker.repo();
    let mut changes = repo
        .changed_paths(yit::store::ISSUES_DIR)
        .map_err(git_error)?;
    // the merge driver's line, as `yit init` added it
    if tracker.attributes_changed_by_yit() {
        changes.extend(repo.changed_paths(".gitattributes").map_err(git_error)?);
    }
    if changes.is_empty() {
        return Ok(None);
    }
    // what no reader of yit's would read: not committed for others to get
    let root = tracker.root();
    let special: Vec<&str> = changes
        .iter()
        .map(|c| c.path.as_str())
        .filter(|path| {
            std::fs::symlink_metadata(root.join(path))
                .is_ok_and(|m| !m.file_type().is_file() && !m.file_type().is_dir())
        })
        .collect();
    if !special.is_empty() {
        return Err(CommandError::user(format!(
            "{} not a regular file (a link, a FIFO or a device): yit reads none, so none is committed; nothing was committed",
            match special.as_slice() {
                [one] => format!("{one} is"),
                many => format!("{} are", many.join(", ")),
            }
        ))
        .hint("replace it with the issue file itself, or remove it"));
    }
    let message = message.unwrap_or_else(|| summary(tracker, &changes));
    repo.commit_paths(&changes, &message)
        .map_err(git_error)
        .map(Some)
}

/// Commits the issue files `paths` (repository paths) that changed, and
/// nothing else, with `message`.
pub fn commit_files(
    tracker: &Tracker,
    paths: &[String],
    message: &str,
) -> Result<Option<String>, CommandError> {
    let repo = tracker.repo();
    let changes: Vec<PathChange> = repo
        .changed_paths(yit::store::ISSUES_DIR)
        .map_err(git_error)?
        .into_iter()
        .filter(|c| paths.contains(&c.path))
        .collect();
    if changes.is_empty() {
        return Ok(None);
    }
    repo.commit_paths(&changes, message)
        .map_err(git_error)
        .map(Some)
}

fn git_error(e: yit::git::GitError) -> CommandError {
    CommandError::new(ErrorKind::Refused, e.to_string())
}

/// One change in words: `close 4k2f9x1c0a "Crash on empty repo"`.
fn describe(tracker: &Tracker, change: &PathChange) -> (&'static str, String) {
    let parse = |bytes: &[u8]| {
        Issue::parse(
            bytes,
            std::path::Path::new(&change.path),
            None,
            tracker.config(),
        )
        .ok()
    };
    let now = std::fs::read(tracker.root().join(&change.path))
        .ok()
        .and_then(|b| parse(&b));
    let before = tracker
        .repo()
        .read_head(&change.path)
        .and_then(|b| parse(&b));
    let closed = |i: &Issue| tracker.config().is_closed(&i.status);
    let verb = match (&change.kind, &before, &now) {
        (_, _, _) if !change.path.ends_with(".yaml") || change.path.ends_with("config.yaml") => {
            "config"
        }
        (ChangeKind::Added | ChangeKind::Untracked, _, _) | (_, None, Some(_)) => "new",
        (ChangeKind::Deleted, _, _) | (_, Some(_), None) => "rm",
        (_, Some(b), Some(n)) if !closed(b) && closed(n) => "close",
        (_, Some(b), Some(n)) if closed(b) && !closed(n) => "reopen",
        _ => "edit",
    };
    let what = match now.as_ref().or(before.as_ref()) {
        Some(issue) => format!("{} {:?}", issue.id, issue.title),
        None => change.path.clone(),
    };
    (verb, format!("{verb} {what}"))
}

/// `yit: close 4k2f9x1c0a "Crash on empty repo"; new ...`; past 72
/// characters, counts in the subject and one line per change in the body.
fn summary(tracker: &Tracker, changes: &[PathChange]) -> String {
    let described: Vec<(&str, String)> = changes.iter().map(|c| describe(tracker, c)).collect();
    let words: Vec<&str> = described.iter().map(|(_, w)| w.as_str()).collect();
    let subject = format!("yit: {}", words.join("; "));
    if subject.chars().count() <= 72 {
        return subject;
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (verb, _) in &described {
        match counts.iter_mut().find(|(v, _)| v == verb) {
            Some((_, n)) => *n += 1,
            None => counts.push((verb, 1)),
        }
    }
    let head: Vec<String> = counts.iter().map(|(v, n)| format!("{v} {n}")).collect();
    format!("yit: {}\n\n{}\n", head.join(", "), words.join("\n"))
}
