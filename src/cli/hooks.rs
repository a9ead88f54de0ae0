//! `yit hooks`: git hooks that link commits to issues.

use clap::{Args, Subcommand};
use yit::model::links::mentions;

use super::{CommandError, Ctx, ErrorKind, Format};

/// Git hooks that keep commit messages' issue references exact
///
/// `yit hooks install` adds a commit-msg hook that refuses a message naming
/// an issue that does not exist (`Fixes: 4k2f`, `Refs: q8zn`...) and expands
/// every prefix to the full id, so the link survives later issues with the
/// same prefix.
///
/// With `--close-fixed`, post-commit and post-merge hooks close the issues
/// that new commits on the default branch fix, once per fixing commit:
/// commits made before the hooks were installed, and issues reopened
/// after a fix, are left alone. The hooks say what they closed.
///
/// Examples:
///   yit hooks install
///   yit hooks install --close-fixed   also close issues fixed on the default branch
///   yit hooks uninstall               remove yit's hooks (others are left alone)
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct HooksArgs {
    #[command(subcommand)]
    action: HooksAction,
}

#[derive(Subcommand)]
enum HooksAction {
    /// Install the commit-msg hook in this clone
    Install {
        /// Also install post-commit and post-merge hooks that close the
        /// issues a commit on the default branch says it fixes
        #[arg(long)]
        close_fixed: bool,
    },
    /// Remove the hooks `yit hooks install` wrote; hooks that are not
    /// yit's are left alone
    Uninstall,
    /// What those hooks run: on the default branch (`yit.defaultBranch`,
    /// else `init.defaultBranch`, else main), close every open issue that
    /// a commit made since the last run (or the install) fixes
    CloseFixed,
    /// What the hook runs: check and expand the references in FILE
    CommitMsg {
        /// The commit message file git passes to the hook
        file: std::path::PathBuf,
    },
}

const MARKER: &str = "# installed by `yit hooks install`";

/// The hooks yit installs.
const HOOKS: [&str; 3] = ["commit-msg", "post-commit", "post-merge"];

/// The git config key holding the HEAD the close-fixed hook last saw (or
/// saw when installed): only commits it does not reach are looked at.
const SINCE_KEY: &str = "yit.closefixed.since";

/// Writes one hook running `command`, unless one that is not yit's is there
/// (one of yit's that runs something else is brought up to date).
/// Writes yit's hook `path` running `yit ARGS`: this yit by its absolute
/// path (git GUIs and IDEs run hooks without the shell's PATH), or `yit`
/// on PATH if that one has gone since.
fn install(ctx: &Ctx, path: &std::path::Path, args: &str) -> Result<(), CommandError> {
    let exe = yit::git::shell_quoted(&super::this_program()?);
    let script = format!(
        "#!/bin/sh\n{MARKER}\nyit={exe}; [ -x \"$yit\" ] || yit=yit\nexec \"$yit\" {args}\n"
    );
    let command = format!("yit {args}");
    match std::fs::read_to_string(path) {
        Ok(text) if text == script => {
            ctx.note(&format!("{} is already installed", path.display()));
            return Ok(());
        }
        Ok(text) if text.contains(MARKER) => {}
        Ok(_) => {
            return Err(CommandError::new(
                ErrorKind::Refused,
                format!(
                    "{} exists and is not yit's; it was left alone",
                    path.display()
                ),
            )
            .hint(format!("call `{command}` from your hook")));
        }
        Err(_) => {}
    }
    let fail = || CommandError::file(ErrorKind::Internal, "cannot write", path);
    std::fs::write(path, script).map_err(fail())?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(fail())?;
    ctx.note(&format!("installed {}", path.display()));
    Ok(())
}

pub fn cmd_hooks(ctx: &mut Ctx, args: HooksArgs) -> Result<(), CommandError> {
    let json = !matches!(
        args.action,
        HooksAction::CloseFixed | HooksAction::CommitMsg { .. }
    ) && ctx.format("hooks", &[Format::Table, Format::Json], Format::Table)?
        == Format::Json;
    let tracker = ctx.open_tracker()?;
    act(ctx, &tracker, args)?;
    if json {
        // yit's hooks as they are now
        let dir = tracker
            .repo()
            .hooks_dir()
            .map_err(yit::store::StoreError::from)?;
        let installed: Vec<String> = HOOKS
            .iter()
            .map(|name| dir.join(name))
            .filter(|path| std::fs::read_to_string(path).is_ok_and(|t| t.contains(MARKER)))
            .map(|path| path.display().to_string())
            .collect();
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "installed": installed,
        })))?;
    }
    Ok(())
}

fn act(ctx: &mut Ctx, tracker: &yit::store::Tracker, args: HooksArgs) -> Result<(), CommandError> {
    match args.action {
        HooksAction::Install { close_fixed } => {
            let dir = tracker
                .repo()
                .hooks_dir()
                .map_err(yit::store::StoreError::from)?;
            std::fs::create_dir_all(&dir).map_err(CommandError::file(
                ErrorKind::Internal,
                "cannot create",
                &dir,
            ))?;
            let mut hooks = vec![("commit-msg", "hooks commit-msg \"$1\"")];
            if close_fixed {
                hooks.push(("post-commit", "hooks close-fixed"));
                hooks.push(("post-merge", "hooks close-fixed"));
            }
            for (name, command) in hooks {
                install(ctx, &dir.join(name), command)?;
            }
            if close_fixed {
                // what is fixed by commits made before now is not the
                // hook's business
                let repo = tracker.repo();
                repo.set_config(SINCE_KEY, &repo.head_hex().unwrap_or_default())
                    .map_err(yit::store::StoreError::from)?;
            }
            Ok(())
        }
        HooksAction::Uninstall => {
            let dir = tracker
                .repo()
                .hooks_dir()
                .map_err(yit::store::StoreError::from)?;
            let mut removed = 0;
            for name in HOOKS {
                let path = dir.join(name);
                match std::fs::read_to_string(&path) {
                    Ok(text) if text.contains(MARKER) => {
                        std::fs::remove_file(&path).map_err(CommandError::file(
                            ErrorKind::Internal,
                            "cannot remove",
                            &path,
                        ))?;
                        ctx.note(&format!("removed {}", path.display()));
                        removed += 1;
                    }
                    Ok(_) => ctx.note(&format!(
                        "{} is not yit's; it was left alone",
                        path.display()
                    )),
                    Err(_) => {}
                }
            }
            if removed == 0 {
                ctx.note("no hook of yit's was installed");
            }
            Ok(())
        }
        HooksAction::CloseFixed => close_fixed(ctx, tracker),
        HooksAction::CommitMsg { file } => {
            let message = std::fs::read_to_string(&file).map_err(CommandError::file(
                ErrorKind::User,
                "cannot read",
                &file,
            ))?;
            if let Some((kind, text)) = yit::model::links::too_short(&message).into_iter().next() {
                return Err(CommandError::user(format!(
                    "the commit message {} {text:?}: too short to name an issue (an id needs 4 characters or more)",
                    kind.word()
                ))
                .hint("type more of the id; `yit list` shows each issue's short id"));
            }
            let listing = super::session(ctx, tracker).into_listing()?;
            let mut out = String::with_capacity(message.len());
            let mut changed = false;
            for line in message.split_inclusive('\n') {
                // git drops comment lines; what they say is not a reference
                if line.starts_with('#') {
                    out.push_str(line);
                    continue;
                }
                let mut last = 0;
                for mention in mentions(line) {
                    let id = listing.resolve(&mention.text).map_err(|e| {
                        CommandError::user(format!(
                            "the commit message {} {:?}: {e}",
                            mention.kind.word(),
                            mention.text
                        ))
                    })?;
                    out.push_str(&line[last..mention.range.start]);
                    out.push_str(id.as_str());
                    changed |= id.as_str() != mention.text;
                    last = mention.range.end;
                }
                out.push_str(&line[last..]);
            }
            if changed {
                std::fs::write(&file, out).map_err(CommandError::file(
                    ErrorKind::Internal,
                    "cannot write",
                    &file,
                ))?;
            }
            Ok(())
        }
    }
}

/// The close-fixed hook: on the default branch, closes each open issue
/// that a commit made since the last run fixes, once per fixing commit
/// (an issue that already has that commit's "Fixed by" comment is left as
/// it is), says what it closed, and remembers HEAD.
fn close_fixed(ctx: &Ctx, tracker: &yit::store::Tracker) -> Result<(), CommandError> {
    let repo = tracker.repo();
    let default = repo
        .config_string("yit.defaultBranch")
        .or_else(|| repo.config_string("init.defaultBranch"))
        .unwrap_or_else(|| "main".to_owned());
    if repo.current_branch().as_deref() != Some(default.as_str()) {
        return Ok(());
    }
    let since = repo.config_string(SINCE_KEY).filter(|s| !s.is_empty());
    let listing = super::session(ctx, tracker).into_listing()?;
    let config = tracker.config();
    let fixed_by = |c: &yit::store::history::LinkedCommit| format!("Fixed by {}", &c.id[..10]);
    let open: Vec<_> = tracker
        .fixed_since(since.as_deref())?
        .into_iter()
        .filter(|(id, _)| listing.contains(id))
        .filter(|(id, commit)| {
            tracker.load_issue(id).is_ok_and(|issue| {
                !config.is_closed(&issue.status)
                    && !issue
                        .comments
                        .iter()
                        .any(|c| c.body.starts_with(&fixed_by(commit)))
            })
        })
        .collect();
    // seen from here on, before a commit of ours runs this hook again
    if let Some(head) = repo.head_hex() {
        repo.set_config(SINCE_KEY, &head)
            .map_err(yit::store::StoreError::from)?;
    }
    if !open.is_empty() {
        let ids: Vec<_> = open.iter().map(|(id, _)| id.clone()).collect();
        let status = config.closed_status().to_owned();
        let now = ctx.now;
        let edits = tracker.update_issues(&ids, ctx.lock_timeout, now, |issue| {
            let Some((_, commit)) = open.iter().find(|(id, _)| *id == issue.id) else {
                return Ok(Vec::new());
            };
            // the same comment in every clone whose hook sees the commit:
            // named, dated and signed by the commit, so that their merge
            // keeps one
            let comment = yit::model::issue::Comment {
                id: commit.id[..10].to_owned(),
                author: Some(commit.author.clone()),
                created: jiff::Timestamp::from_second(commit.time).unwrap_or(now),
                body: format!("{} ({}) on {default}.", fixed_by(commit), commit.summary),
            };
            Ok(vec![
                yit::model::edit::Change::Status(status.clone()),
                yit::model::edit::Change::AddComment(comment),
            ])
        })?;
        for edit in edits.iter().filter(|e| e.changed) {
            let commit = open
                .iter()
                .find(|(id, _)| *id == edit.issue.id)
                .map_or("", |(_, c)| &c.id[..10]);
            ctx.note(&format!(
                "yit: closed {} {:?} (fixed by {commit})",
                listing.short_id(&edit.issue.id),
                edit.issue.title
            ));
        }
        // with yit.autocommit, the closes are a commit of their own: the
        // next unrelated `git commit -a` does not sweep them in
        let closed: Vec<&yit::model::id::IssueId> = edits
            .iter()
            .filter(|e| e.changed)
            .map(|e| &e.issue.id)
            .collect();
        if repo.config_bool("yit.autocommit") == Some(true) && !closed.is_empty() {
            let paths: Vec<String> = closed
                .iter()
                .map(|id| format!("{}/{}", yit::store::ISSUES_DIR, id.file_name()))
                .collect();
            let names: Vec<&str> = closed.iter().map(|id| listing.short_id(id)).collect();
            let message = format!("Close {} (fixed on {default})", names.join(", "));
            super::commit::commit_files(tracker, &paths, &message)?;
        }
    }
    Ok(())
}
