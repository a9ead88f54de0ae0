//! Where gix cannot write: the `git` program, run in this repository with
//! its git dir and worktree given explicitly (so that `GIT_DIR`,
//! `GIT_WORK_TREE` and the cwd do not matter), for git's config, commits,
//! patches and paths, exactly as git itself does them (hooks, signing,
//! lock files and the config file's layout included).

use std::path::{Path, PathBuf};

use super::{ChangeKind, GitError, MERGE_DRIVER_KEY, PathChange, Repo, merge_driver};

impl Repo {
    /// Registers yit's merge driver in this clone's git config
    /// (`merge.yit.name`, `merge.yit.driver`), unless it is there. Writing
    /// git's config is done by `git config`, which keeps the file's layout
    /// and locking exactly as git does. Returns whether it changed anything.
    pub fn register_merge_driver(&self, exe: &Path) -> Result<bool, GitError> {
        let wanted = merge_driver(exe);
        if self.config_string(MERGE_DRIVER_KEY).as_deref() == Some(wanted.as_str()) {
            return Ok(false);
        }
        for (key, value) in [
            ("merge.yit.name", "yit: field-aware merge of issue files"),
            (MERGE_DRIVER_KEY, wanted.as_str()),
        ] {
            self.set_config(key, value)?;
        }
        Ok(true)
    }

    /// Sets `key` in this clone's git config (`git config --local`).
    pub fn set_config(&self, key: &str, value: &str) -> Result<(), GitError> {
        let output = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(self.git_dir())
            .args(["config", "--local", key, value])
            .output()
            .map_err(GitError::Spawn)?;
        if !output.status.success() {
            return Err(GitError::Command {
                command: format!("config {key}"),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        Ok(())
    }

    /// Runs `git` in this repository (its git dir and worktree given
    /// explicitly, so that GIT_DIR/GIT_WORK_TREE and the cwd do not matter).
    pub(super) fn git(&self) -> Result<std::process::Command, GitError> {
        let mut cmd = std::process::Command::new("git");
        cmd.arg("--git-dir").arg(self.git_dir());
        if let Some(workdir) = self.inner.workdir() {
            cmd.arg("--work-tree").arg(workdir).current_dir(workdir);
        }
        Ok(cmd)
    }

    pub(super) fn run_git(&self, args: &[&std::ffi::OsStr]) -> Result<Vec<u8>, GitError> {
        let output = self
            .git()?
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(GitError::Spawn)?;
        if !output.status.success() {
            return Err(GitError::Command {
                command: args
                    .first()
                    .map(|a| a.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            });
        }
        Ok(output.stdout)
    }

    /// Files under `dir` (relative to the worktree) that differ from HEAD
    /// in the index or the worktree, untracked ones included, as `git
    /// status` sees them.
    pub fn changed_paths(&self, dir: &str) -> Result<Vec<PathChange>, GitError> {
        let os = |s: &str| std::ffi::OsString::from(s);
        let args = [
            os("status"),
            os("--porcelain=v1"),
            os("-z"),
            os("--untracked-files=all"),
            os("--no-renames"),
            os("--"),
            os(dir),
        ];
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let out = self.run_git(&refs)?;
        let mut changes = Vec::new();
        for entry in out.split(|&b| b == 0).filter(|e| e.len() > 3) {
            let (x, y) = (entry[0], entry[1]);
            let path = String::from_utf8_lossy(&entry[3..]).into_owned();
            let kind = match (x, y) {
                (b'?', b'?') => ChangeKind::Untracked,
                (b'A', _) => ChangeKind::Added,
                (_, b'D') | (b'D', _) => ChangeKind::Deleted,
                _ => ChangeKind::Modified,
            };
            changes.push(PathChange { path, kind });
        }
        Ok(changes)
    }

    /// Where this clone's hooks are (`core.hooksPath` honoured), as
    /// `git rev-parse --git-path hooks` says.
    pub fn hooks_dir(&self) -> Result<PathBuf, GitError> {
        let out = self.run_git(&[
            std::ffi::OsStr::new("rev-parse"),
            std::ffi::OsStr::new("--path-format=absolute"),
            std::ffi::OsStr::new("--git-path"),
            std::ffi::OsStr::new("hooks"),
        ])?;
        Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
    }

    /// The diff of `path` made by `commit` (against its first parent), as
    /// `git diff-tree -p` prints it.
    pub fn patch(&self, commit: &str, path: &str) -> Result<String, GitError> {
        let os = |s: &str| std::ffi::OsString::from(s);
        let args = [
            os("diff-tree"),
            os("-p"),
            os("--root"),
            os("--no-commit-id"),
            os("-m"),
            os("--first-parent"),
            os(commit),
            os("--"),
            os(path),
        ];
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        Ok(String::from_utf8_lossy(&self.run_git(&refs)?).into_owned())
    }

    /// Commits exactly `changes` onto the current branch with `message`,
    /// as `git commit -- <paths>` does (hooks, signing, the user's other
    /// staged changes left staged). Untracked files are announced with
    /// `git add -N` first, and unannounced again if the commit fails.
    /// Returns git's summary line (`[main 1a2b3c4] subject`).
    pub fn commit_paths(&self, changes: &[PathChange], message: &str) -> Result<String, GitError> {
        let os = |s: &str| std::ffi::OsString::from(s);
        let new: Vec<std::ffi::OsString> = changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Untracked)
            .map(|c| os(&c.path))
            .collect();
        let with = |head: &[&str], paths: &[std::ffi::OsString]| -> Vec<std::ffi::OsString> {
            head.iter()
                .map(|h| os(h))
                .chain(paths.iter().cloned())
                .collect()
        };
        let run = |args: Vec<std::ffi::OsString>| {
            let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
            self.run_git(&refs)
        };
        if !new.is_empty() {
            run(with(&["add", "-N", "--"], &new))?;
        }
        let paths: Vec<std::ffi::OsString> = changes.iter().map(|c| os(&c.path)).collect();
        let mut args = vec![os("commit"), os("-m"), os(message), os("--")];
        args.extend(paths);
        match run(args) {
            Ok(out) => Ok(String::from_utf8_lossy(&out)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned()),
            Err(e) => {
                if !new.is_empty() {
                    let _ = run(with(&["reset", "-q", "--"], &new));
                }
                Err(e)
            }
        }
    }
}
