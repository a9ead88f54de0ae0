//! `yit log`: one issue's history, from git.

use clap::Args;
use yit::model::id::IssueId;
use yit::model::issue::Issue;

use super::output::Paint;
use super::{CommandError, Ctx, Format};

/// The commits that changed an issue, newest first, and what each changed
///
/// Read from git (the current branch's history), so it works for an issue
/// that was since removed (give its full id).
///
/// Examples:
///   yit log 4k2f
///   yit log 4k2f --patch      with each commit's diff of the file
///   yit log 4k2f9x1c0a --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct LogArgs {
    /// The issue's id or a unique prefix of it (a full id for a removed issue)
    id: String,
    /// Show each commit's diff of the issue file too
    #[arg(long, short = 'p')]
    patch: bool,
    /// Include the commits whose messages mention the issue (`Fixes: ID`...)
    #[arg(long)]
    commits: bool,
}

pub fn cmd_log(ctx: &mut Ctx, args: LogArgs) -> Result<(), CommandError> {
    let format = ctx.format("log", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let mut session = super::session(ctx, &tracker);
    let id = match session.resolve(&args.id) {
        Ok(id) => id,
        // gone from the worktree: its history is still in git
        Err(e) => IssueId::parse_canonical(&args.id.to_lowercase()).ok_or(e)?,
    };
    let name = id.file_name();
    let path = format!("{}/{name}", yit::store::ISSUES_DIR);
    let history = tracker.file_history(&name)?;
    let shallow = history.shallow;
    if shallow {
        ctx.note("note: this is a shallow clone; the history stops at its depth");
    }
    let history = history.commits;
    if history.is_empty() {
        return Err(CommandError::user(format!(
            "no commit on this branch changed {path} (uncommitted issues have no history yet)"
        )));
    }
    let parse = |bytes: &Option<Vec<u8>>| -> Option<Result<Issue, String>> {
        bytes.as_ref().map(|b| {
            Issue::parse(b, std::path::Path::new(&path), Some(&id), tracker.config()).map_err(
                |broken| {
                    broken
                        .problems
                        .first()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                },
            )
        })
    };
    // commits whose messages mention the issue, with `--commits`
    let mentioned: Vec<yit::git::FileCommit> = if args.commits {
        tracker
            .linked_commits(&id)?
            .into_iter()
            .filter(|l| !history.iter().any(|c| c.id == l.id))
            .map(|l| yit::git::FileCommit {
                id: l.id,
                author: l.author,
                time: l.time,
                summary: l.summary,
                before: None,
                after: None,
                order: l.order,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut entries: Vec<(&yit::git::FileCommit, Vec<String>)> = history
        .iter()
        .map(|c| {
            let words = match (parse(&c.before), parse(&c.after)) {
                (None, Some(_)) => vec!["created".to_owned()],
                (Some(_), None) => vec!["removed".to_owned()],
                (Some(Ok(before)), Some(Ok(after))) => {
                    yit::model::history::changes(&before, &after)
                }
                (_, Some(Err(problem))) => vec![format!("changed into an invalid file: {problem}")],
                (Some(Err(_)), Some(Ok(_))) => vec!["repaired".to_owned()],
                (None, None) => Vec::new(),
            };
            (c, words)
        })
        .collect();
    for c in &mentioned {
        entries.push((c, vec!["mentions it in its message".to_owned()]));
    }
    entries.sort_by_key(|(c, _)| (std::cmp::Reverse(c.time), c.order));
    if format == Format::Json {
        let commits: Vec<serde_json::Value> = entries
            .iter()
            .map(|(c, words)| {
                serde_json::json!({
                    "commit": c.id,
                    "author": c.author,
                    "date": yit::model::issue::format_unix(c.time),
                    "summary": c.summary,
                    "changes": words,
                })
            })
            .collect();
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "id": id,
            "shallow": shallow,
            "commits": commits,
        })))?);
    }
    // the issue, as it is now (or was last), under its short id
    // (the session's: a listing read to resolve a prefix is not read again)
    let shorts = session.shorts(std::slice::from_ref(&id))?;
    let title = history
        .iter()
        .find_map(|c| match parse(&c.after).or_else(|| parse(&c.before)) {
            Some(Ok(issue)) => Some(issue.title),
            _ => None,
        })
        .unwrap_or_default();
    let mut text = format!("{}  {title}\n\n", ctx.out.paint(Paint::Id, shorts.of(&id)));
    for (c, words) in &entries {
        text.push_str(&format!(
            "{}  {}  {}  {}\n",
            ctx.out.paint(Paint::Id, &c.id[..10.min(c.id.len())]),
            ctx.out.when_unix(c.time, ctx.now),
            c.author,
            c.summary
        ));
        for word in words {
            text.push_str(&format!("    {word}\n"));
        }
        if args.patch && c.before.is_some() | c.after.is_some() {
            let patch = tracker
                .repo()
                .patch(&c.id, &path)
                .map_err(yit::store::StoreError::from)?;
            text.push_str(&patch);
        }
    }
    ctx.out.write_str(&text)?;
    Ok(())
}
