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

/// How long a fetch or push waits for a remote before it is ended.
const REMOTE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(30);

/// What a push of one ref with a lease did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    /// The remote's ref was at the expected value and is at the new one.
    Done,
    /// The remote's ref was not at the expected value: nothing changed.
    Rejected,
}

fn hex(oid: &super::Oid) -> String {
    gix::ObjectId::from_bytes_or_panic(oid).to_hex().to_string()
}

impl Repo {
    /// The remote the clone shares its issues and claims through:
    /// `yit.remote`, else `origin` when there is one.
    pub fn issue_remote(&self) -> Option<String> {
        if let Some(named) = self.config_string("yit.remote").filter(|r| !r.is_empty()) {
            return Some(named);
        }
        self.config_string("remote.origin.url")
            .map(|_| "origin".to_owned())
    }

    /// Runs `git` against a remote: never prompting for credentials, and
    /// ended when the remote does not answer within 30 s.
    pub(super) fn run_remote_args(
        &self,
        args: &[String],
    ) -> Result<std::process::Output, GitError> {
        let mut child = self
            .git()?
            .args(args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(GitError::Spawn)?;
        let deadline = std::time::Instant::now() + REMOTE_PATIENCE;
        loop {
            if child.try_wait().map_err(GitError::Spawn)?.is_some() {
                return child.wait_with_output().map_err(GitError::Spawn);
            }
            if std::time::Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GitError::Command {
                    command: args.first().cloned().unwrap_or_default(),
                    stderr: format!(
                        "the remote did not answer within {} s",
                        REMOTE_PATIENCE.as_secs()
                    ),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// Fetches the remote's ref `name` into the same local ref (forced: the
    /// remote's value is the truth); `false` when the remote has no such
    /// ref.
    pub fn fetch_ref(&self, remote: &str, name: &str) -> Result<bool, GitError> {
        let out = self.run_remote_args(&[
            "fetch".to_owned(),
            "--quiet".to_owned(),
            "--no-tags".to_owned(),
            "--no-write-fetch-head".to_owned(),
            remote.to_owned(),
            format!("+{name}:{name}"),
        ])?;
        if out.status.success() {
            return Ok(true);
        }
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if stderr.contains("couldn't find remote ref") {
            return Ok(false);
        }
        Err(GitError::Command {
            command: "fetch".to_owned(),
            stderr,
        })
    }

    /// Pushes `new` to the remote's ref `name` if, and only if, it is at
    /// `expected` there (`None`: it must not exist), as one atomic update
    /// of the remote (`--force-with-lease`).
    pub fn push_with_lease(
        &self,
        remote: &str,
        name: &str,
        expected: Option<super::Oid>,
        new: super::Oid,
    ) -> Result<Pushed, GitError> {
        let lease = format!(
            "--force-with-lease={name}:{}",
            expected.as_ref().map(hex).unwrap_or_default()
        );
        let out = self.run_remote_args(&[
            "push".to_owned(),
            "--porcelain".to_owned(),
            "--quiet".to_owned(),
            "--no-verify".to_owned(),
            lease,
            remote.to_owned(),
            format!("{}:{name}", hex(&new)),
        ])?;
        if out.status.success() {
            return Ok(Pushed::Done);
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        if stdout.lines().any(|l| l.starts_with("!\t")) {
            return Ok(Pushed::Rejected);
        }
        Err(GitError::Command {
            command: "push".to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}
