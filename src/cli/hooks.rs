//! `yit hooks`: git hooks that link commits to issues.

use clap::{Args, Subcommand};
use yit::links::mentions;

use super::{CommandError, Ctx, ErrorKind};

/// Git hooks that keep commit messages' issue references exact
///
/// `yit hooks install` adds a commit-msg hook that refuses a message naming
/// an issue that does not exist (`Fixes: 4k2f`, `Refs: q8zn`...) and expands
/// every prefix to the full id, so the link survives later issues with the
/// same prefix.
///
/// Examples:
///   yit hooks install
///   yit hooks install --close-fixed   also close issues fixed on the default branch
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
    /// What those hooks run: on the default branch (`yit.defaultBranch`,
    /// else `init.defaultBranch`, else main), close every open issue that
    /// a commit it reaches fixes
    CloseFixed,
    /// What the hook runs: check and expand the references in FILE
    CommitMsg {
        /// The commit message file git passes to the hook
        file: std::path::PathBuf,
    },
}

const MARKER: &str = "# installed by `yit hooks install`";

/// Writes one hook running `command`, unless one that is not yit's is there.
fn install(ctx: &Ctx, path: &std::path::Path, command: &str) -> Result<(), CommandError> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.contains(MARKER) => {
            ctx.note(&format!("{} is already installed", path.display()));
            return Ok(());
        }
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
    let script = format!("#!/bin/sh\n{MARKER}\nexec {command}\n");
    let fail = |e: std::io::Error| {
        CommandError::new(
            ErrorKind::Internal,
            format!("cannot write {}: {e}", path.display()),
        )
    };
    std::fs::write(path, script).map_err(fail)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(fail)?;
    ctx.note(&format!("installed {}", path.display()));
    Ok(())
}

pub fn cmd_hooks(ctx: &mut Ctx, args: HooksArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    match args.action {
        HooksAction::Install { close_fixed } => {
            let dir = tracker
                .repo()
                .hooks_dir()
                .map_err(yit::store::StoreError::from)?;
            std::fs::create_dir_all(&dir).map_err(|e| {
                CommandError::new(
                    ErrorKind::Internal,
                    format!("cannot create {}: {e}", dir.display()),
                )
            })?;
            let mut hooks = vec![("commit-msg", "yit hooks commit-msg \"$1\"")];
            if close_fixed {
                hooks.push(("post-commit", "yit -q hooks close-fixed"));
                hooks.push(("post-merge", "yit -q hooks close-fixed"));
            }
            for (name, command) in hooks {
                install(ctx, &dir.join(name), command)?;
            }
            Ok(())
        }
        HooksAction::CloseFixed => {
            let repo = tracker.repo();
            let default = repo
                .config_string("yit.defaultBranch")
                .or_else(|| repo.config_string("init.defaultBranch"))
                .unwrap_or_else(|| "main".to_owned());
            if repo.current_branch().as_deref() != Some(default.as_str()) {
                return Ok(());
            }
            let listing = tracker.load_listing()?;
            let fixed: Vec<_> = tracker
                .fixed_issues()?
                .into_iter()
                .filter(|(id, _)| listing.contains(id))
                .collect();
            let config = tracker.config();
            let open: Vec<_> = fixed
                .into_iter()
                .filter(|(id, _)| {
                    tracker
                        .load_issue(id)
                        .is_ok_and(|issue| !config.is_closed(&issue.status))
                })
                .collect();
            if open.is_empty() {
                return Ok(());
            }
            let ids: Vec<_> = open.iter().map(|(id, _)| id.clone()).collect();
            let status = config.closed_status().to_owned();
            let author = tracker.author().ok();
            let mut rng = yit::id::IdSource::new(ctx.seed);
            let now = ctx.now;
            tracker.update_issues(&ids, ctx.lock_timeout, now, |issue| {
                let commit = open
                    .iter()
                    .find(|(id, _)| *id == issue.id)
                    .map(|(_, c)| format!("{} ({})", &c.id[..10], c.summary))
                    .unwrap_or_default();
                Ok(vec![
                    yit::edit::Change::Status(status.clone()),
                    yit::edit::Change::AddComment(yit::issue::Comment {
                        id: rng.token(10),
                        author: author.clone(),
                        created: now,
                        body: format!("Fixed by {commit} on {default}."),
                    }),
                ])
            })?;
            ctx.note(&format!("closed {} issue(s) fixed on {default}", ids.len()));
            Ok(())
        }
        HooksAction::CommitMsg { file } => {
            let message = std::fs::read_to_string(&file)
                .map_err(|e| CommandError::user(format!("cannot read {}: {e}", file.display())))?;
            let listing = tracker.load_listing()?;
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
                std::fs::write(&file, out).map_err(|e| {
                    CommandError::new(
                        ErrorKind::Internal,
                        format!("cannot write {}: {e}", file.display()),
                    )
                })?;
            }
            Ok(())
        }
    }
}
