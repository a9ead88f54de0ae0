//! What `yit sync` asks of git, through the `git` program: the branch's
//! upstream, a fetch, integrating the upstream (merge or rebase, as
//! `pull.rebase` says, with yit's merge driver for issue files), concluding
//! an integration whose only conflicts are issue files the driver recorded
//! conflicts in, and a push that says when it lost a race.

use super::{GitError, Repo};

/// The branch HEAD is on and where it goes.
#[derive(Clone, Debug)]
pub struct Upstream {
    pub branch: String,
    pub remote: String,
    /// The remote's branch (`refs/heads/main`).
    pub merge: String,
    /// The remote-tracking ref it is fetched into (`refs/remotes/origin/main`).
    pub tracking: String,
}

/// What integrating the upstream did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Integrated {
    /// Nothing new upstream.
    UpToDate,
    /// Merged or rebased onto it, with no conflict left.
    Done,
    /// Stopped on conflicts in these paths (as `git status` names them).
    Conflicts(Vec<String>),
}

impl Repo {
    fn git_out(&self, args: &[&str]) -> Result<std::process::Output, GitError> {
        self.git()?
            .args(args)
            .env("GIT_EDITOR", "true")
            .env("GIT_MERGE_AUTOEDIT", "no")
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(GitError::Spawn)
    }

    fn git_ok(&self, args: &[&str]) -> Result<String, GitError> {
        let out = self.git_out(args)?;
        if !out.status.success() {
            return Err(GitError::Command {
                command: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// The branch HEAD is on and its upstream, if it has one.
    pub fn upstream(&self) -> Option<Upstream> {
        let branch = self.current_branch()?;
        let remote = self.config_string(&format!("branch.{branch}.remote"))?;
        let merge = self.config_string(&format!("branch.{branch}.merge"))?;
        let short = merge.strip_prefix("refs/heads/").unwrap_or(&merge);
        Some(Upstream {
            tracking: format!("refs/remotes/{remote}/{short}"),
            branch,
            remote,
            merge,
        })
    }

    /// The commit HEAD is at, as git says it now.
    pub fn head_now(&self) -> Result<String, GitError> {
        self.git_ok(&["rev-parse", "HEAD"])
    }

    /// Fetches the upstream's branch, and `extra` refspecs, from `remote`.
    pub fn fetch(&self, remote: &str, extra: &[String]) -> Result<(), GitError> {
        let mut args = vec![
            "fetch".to_owned(),
            "--quiet".to_owned(),
            "--no-tags".to_owned(),
            remote.to_owned(),
        ];
        args.extend(extra.iter().cloned());
        let out = self.run_remote_args(&args)?;
        if out.status.success() {
            return Ok(());
        }
        Err(GitError::Command {
            command: "fetch".to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }

    /// The number of commits `tracking` has that HEAD has not.
    pub fn behind(&self, tracking: &str) -> Result<usize, GitError> {
        let count = self.git_ok(&["rev-list", "--count", &format!("HEAD..{tracking}")])?;
        Ok(count.parse().unwrap_or(0))
    }

    /// Whether `pull.rebase` (or the branch's `rebase`) asks to rebase.
    pub fn pulls_by_rebase(&self, branch: &str) -> bool {
        self.config_bool(&format!("branch.{branch}.rebase"))
            .or_else(|| self.config_bool("pull.rebase"))
            .unwrap_or(false)
    }

    /// Merges (or rebases onto) `tracking`, keeping other uncommitted work
    /// aside (`--autostash`); stops on conflicts and names them.
    pub fn integrate(&self, tracking: &str, rebase: bool) -> Result<Integrated, GitError> {
        if self.behind(tracking)? == 0 {
            return Ok(Integrated::UpToDate);
        }
        let out = if rebase {
            self.git_out(&["rebase", "--autostash", "--quiet", tracking])?
        } else {
            self.git_out(&["merge", "--autostash", "--no-edit", "--quiet", tracking])?
        };
        if out.status.success() {
            return Ok(Integrated::Done);
        }
        let conflicts = self.conflicted_paths()?;
        if conflicts.is_empty() {
            return Err(GitError::Command {
                command: if rebase { "rebase" } else { "merge" }.to_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(Integrated::Conflicts(conflicts))
    }

    /// The paths the index holds unmerged.
    pub fn conflicted_paths(&self) -> Result<Vec<String>, GitError> {
        let out = self.git_ok(&["diff", "--name-only", "--diff-filter=U"])?;
        Ok(out.lines().map(str::to_owned).collect())
    }

    /// Concludes a merge or rebase stopped on `paths` (issue files whose
    /// conflicts the driver recorded in them): adds them and goes on.
    /// Returns the conflicts the next rebased commit stopped on, if any.
    pub fn conclude(&self, paths: &[String], rebase: bool) -> Result<Integrated, GitError> {
        let mut add = vec!["add", "--"];
        add.extend(paths.iter().map(String::as_str));
        self.git_ok(&add)?;
        let out = if rebase {
            self.git_out(&["rebase", "--continue"])?
        } else {
            self.git_out(&["commit", "--no-edit", "--quiet"])?
        };
        if out.status.success() {
            return Ok(Integrated::Done);
        }
        let conflicts = self.conflicted_paths()?;
        if conflicts.is_empty() {
            return Err(GitError::Command {
                command: if rebase {
                    "rebase --continue"
                } else {
                    "commit"
                }
                .to_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(Integrated::Conflicts(conflicts))
    }

    /// Gives up a merge or rebase in progress, as it was before.
    pub fn abort_integration(&self, rebase: bool) {
        let _ = if rebase {
            self.git_out(&["rebase", "--abort"])
        } else {
            self.git_out(&["merge", "--abort"])
        };
    }

    /// Moves HEAD (and the branch) back to `commit`, keeping uncommitted
    /// work (`reset --keep`).
    pub fn reset_keep(&self, commit: &str) -> Result<(), GitError> {
        self.git_ok(&["reset", "--keep", "--quiet", commit])
            .map(drop)
    }

    /// Pushes HEAD to `remote`'s `merge` branch; [`super::Pushed::Rejected`]
    /// when the remote moved on (not a fast-forward).
    pub fn push_head(&self, remote: &str, merge: &str) -> Result<super::Pushed, GitError> {
        let out = self.run_remote_args(&[
            "push".to_owned(),
            "--porcelain".to_owned(),
            "--quiet".to_owned(),
            remote.to_owned(),
            format!("HEAD:{merge}"),
        ])?;
        if out.status.success() {
            return Ok(super::Pushed::Done);
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        if stdout.lines().any(|l| l.starts_with("!\t")) {
            return Ok(super::Pushed::Rejected);
        }
        Err(GitError::Command {
            command: "push".to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }

    /// The remote's refs matching `patterns`, by name, with their commits
    /// (hex), as `git ls-remote` lists them.
    pub fn ls_remote(
        &self,
        remote: &str,
        patterns: &[String],
    ) -> Result<std::collections::BTreeMap<String, String>, GitError> {
        let mut args = vec!["ls-remote".to_owned(), remote.to_owned()];
        args.extend(patterns.iter().cloned());
        let out = self.run_remote_args(&args)?;
        if !out.status.success() {
            return Err(GitError::Command {
                command: "ls-remote".to_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(oid, name)| (name.to_owned(), oid.to_owned()))
            .collect())
    }

    /// The files under `dir` that differ between commits `old` and `new`.
    pub fn files_between(&self, old: &str, new: &str, dir: &str) -> Result<Vec<String>, GitError> {
        let out = self.git_ok(&["diff", "--name-only", old, new, "--", dir])?;
        Ok(out.lines().map(str::to_owned).collect())
    }

    /// The commit a ref is at (hex), if it exists.
    pub fn head_of(&self, name: &str) -> Option<String> {
        self.git_ok(&["rev-parse", "--verify", "--quiet", name])
            .ok()
    }
}
