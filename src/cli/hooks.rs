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
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct HooksArgs {
    #[command(subcommand)]
    action: HooksAction,
}

#[derive(Subcommand)]
enum HooksAction {
    /// Install the commit-msg hook in this clone
    Install,
    /// What the hook runs: check and expand the references in FILE
    CommitMsg {
        /// The commit message file git passes to the hook
        file: std::path::PathBuf,
    },
}

const MARKER: &str = "# installed by `yit hooks install`";

pub fn cmd_hooks(ctx: &mut Ctx, args: HooksArgs) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    match args.action {
        HooksAction::Install => {
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
            let path = dir.join("commit-msg");
            match std::fs::read_to_string(&path) {
                Ok(text) if text.contains(MARKER) => {
                    ctx.note("the commit-msg hook is already installed");
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
                    .hint("call `yit hooks commit-msg \"$1\"` from your hook"));
                }
                Err(_) => {}
            }
            let script = format!("#!/bin/sh\n{MARKER}\nexec yit hooks commit-msg \"$1\"\n");
            std::fs::write(&path, script).map_err(|e| {
                CommandError::new(
                    ErrorKind::Internal,
                    format!("cannot write {}: {e}", path.display()),
                )
            })?;
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(
                |e| {
                    CommandError::new(
                        ErrorKind::Internal,
                        format!("cannot chmod {}: {e}", path.display()),
                    )
                },
            )?;
            ctx.note(&format!("installed {}", path.display()));
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
