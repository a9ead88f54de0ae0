//! `yit merge-file`: git's merge driver for issue files.

use std::path::{Path, PathBuf};

use clap::Args;
use yit::model::id::IssueId;
use yit::model::issue::Issue;
use yit::store::Tracker;

use super::{CommandError, Ctx, ErrorKind};

/// Merge three versions of an issue file field by field (git's merge driver)
///
/// `yit init` registers this for `.issues/*.yaml` as
/// `'/path/to/yit' merge-file %O %A %B %P --labels %S %X %Y`: the result
/// is written to OURS. Changes to
/// different fields merge; labels merge as sets, comments as the union by
/// id; `updated` takes the later time. The same field changed to two
/// values is a conflict: the file keeps ours, records both in its
/// `conflicts:` list (the file stays valid YAML) and the exit code is 1;
/// `yit resolve` settles it. A version that is not a valid issue is merged
/// as text, with conflict markers, by `git merge-file`.
///
/// Examples:
///   yit merge-file base.yaml ours.yaml theirs.yaml .issues/4k2f.yaml
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct MergeFileArgs {
    /// The common ancestor's version (%O; empty when both sides added it)
    base: PathBuf,
    /// Our version (%A), replaced by the result
    ours: PathBuf,
    /// Their version (%B)
    theirs: PathBuf,
    /// The file's path in the repository (%P), for messages
    path: Option<PathBuf>,
    /// How git names the base, our and their side (%S %X %Y): each side
    /// of a conflict is recorded with the commit and author it names
    #[arg(long, num_args = 3, value_names = ["BASE", "OURS", "THEIRS"], allow_hyphen_values = true)]
    labels: Vec<String>,
}

pub fn cmd_merge_file(ctx: &mut Ctx, args: MergeFileArgs) -> Result<(), CommandError> {
    // the tracker's statuses and types, when there is one (git runs the
    // driver at the top of the worktree)
    let config = Tracker::open(&ctx.cwd)
        .map(|t| t.config().clone())
        .unwrap_or_default();
    let shown = args.path.clone().unwrap_or_else(|| args.ours.clone());
    // `.issues/*.yaml` takes in config.yaml too: that one merges as text
    if shown.file_name().and_then(|n| n.to_str()) == Some(yit::store::CONFIG_FILE) {
        return text_merge(&args);
    }
    let file_id = shown
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(IssueId::from_file_name);
    let read = |path: &Path| {
        std::fs::read(path).map_err(CommandError::file(ErrorKind::User, "cannot read", path))
    };
    let (base_bytes, ours_bytes, theirs_bytes) =
        (read(&args.base)?, read(&args.ours)?, read(&args.theirs)?);
    let parse = |bytes: &[u8]| Issue::parse(bytes, &shown, file_id.as_ref(), &config);
    let base = (!base_bytes.is_empty())
        .then(|| parse(&base_bytes))
        .transpose();
    let (base, ours, theirs) = match (base, parse(&ours_bytes), parse(&theirs_bytes)) {
        (Ok(base), Ok(ours), Ok(theirs)) => (base, ours, theirs),
        (base, ours, theirs) => {
            let problem = [base.err(), ours.err(), theirs.err()]
                .into_iter()
                .flatten()
                .find_map(|b| b.problems.into_iter().next())
                .map(|p| p.to_string())
                .unwrap_or_default();
            ctx.warn(&format!(
                "{} is not a valid issue on every side ({problem}); merged as text",
                shown.display()
            ));
            return text_merge(&args);
        }
    };
    let mut merged = yit::model::merge::merge(base.as_ref(), &ours, &theirs)
        .map_err(|e| CommandError::user(shown.display().to_string()).because(&e))?;
    // the conflicts this merge found, among those the issue keeps
    let fresh: Vec<usize> = (0..merged.issue.conflicts.len())
        .filter(|&i| merged.conflicts.contains(&merged.issue.conflicts[i]))
        .collect();
    if !fresh.is_empty() && args.labels.len() == 3 {
        // each side named as git names it, with its commit and author
        // (a rebase swaps ours and theirs: the names say which is which)
        let repo = yit::git::Repo::discover(&ctx.cwd).ok();
        let describe = |label: &str| repo.as_ref().and_then(|r| r.describe_label(label));
        let from: serde_json::Map<String, serde_json::Value> = ["base", "ours", "theirs"]
            .into_iter()
            .zip(&args.labels)
            .filter_map(|(side, label)| Some((side.to_owned(), describe(label)?.into())))
            .collect();
        if !from.is_empty() {
            for &i in &fresh {
                merged.issue.conflicts[i]["from"] = serde_json::Value::Object(from.clone());
            }
        }
    }
    // a side that already is the result keeps its bytes (and its layout)
    let text = if merged.issue == ours {
        None
    } else if merged.issue == theirs {
        Some(theirs_bytes)
    } else {
        Some(
            merged
                .issue
                .to_yaml(&config)
                .map_err(|e| CommandError::new(ErrorKind::Internal, e.to_string()))?
                .into_bytes(),
        )
    };
    if let Some(text) = text {
        std::fs::write(&args.ours, text).map_err(CommandError::file(
            ErrorKind::Internal,
            "cannot write",
            &args.ours,
        ))?;
    }
    if merged.conflicts.is_empty() {
        return Ok(());
    }
    for &i in &fresh {
        ctx.warn(&format!(
            "{}: conflict on {}",
            shown.display(),
            yit::model::merge::describe_conflict(&merged.issue.conflicts[i])
        ));
    }
    Err(CommandError::new(
        ErrorKind::User,
        format!(
            "{} conflict(s) in {}: recorded in its `conflicts:` list",
            merged.conflicts.len(),
            shown.display()
        ),
    )
    .hint(format!(
        "{}, then `git add` the file",
        yit::model::merge::resolve_hint(ours.id.as_str())
    )))
}

/// git's own line merge, with conflict markers, for files yit cannot read.
fn text_merge(args: &MergeFileArgs) -> Result<(), CommandError> {
    let status = std::process::Command::new("git")
        .args(["merge-file", "-L", "ours", "-L", "base", "-L", "theirs"])
        .arg(&args.ours)
        .arg(&args.base)
        .arg(&args.theirs)
        .status()
        .map_err(|e| {
            CommandError::new(ErrorKind::Internal, "could not run git merge-file").because(&e)
        })?;
    match status.code() {
        Some(0) => Ok(()),
        Some(n) if n > 0 => Err(CommandError::new(
            ErrorKind::User,
            format!("{n} text conflict(s) in {}", args.ours.display()),
        )),
        _ => Err(CommandError::new(
            ErrorKind::Internal,
            "git merge-file failed".to_owned(),
        )),
    }
}
