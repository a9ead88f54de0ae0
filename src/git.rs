//! The only user of gix: finding the repository, its worktree and git dir,
//! and the author identity git would use.
//!
//! Honours `GIT_DIR`/`GIT_WORK_TREE` like git does. Never runs the `git`
//! binary and never writes to the repository.

use std::path::{Path, PathBuf};

/// An open git repository.
/// The git config key that names yit's merge driver, and its command.
pub const MERGE_DRIVER_KEY: &str = "merge.yit.driver";
pub const MERGE_DRIVER: &str = "yit merge-file %O %A %B %P";

pub struct Repo {
    inner: gix::Repository,
}

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("not inside a git repository (searched from {})", path.display())]
    NotARepository {
        path: PathBuf,
        #[source]
        source: Box<gix::Error>,
    },
    #[error("{} is a bare repository; yit needs a worktree to keep .issues in", git_dir.display())]
    Bare { git_dir: PathBuf },
    #[error("{message}")]
    Command { message: String },
}

impl Repo {
    /// Finds the repository containing `start`, as git would.
    pub fn discover(start: &Path) -> Result<Repo, GitError> {
        let repo =
            gix::ThreadSafeRepository::discover_with_environment_overrides(start).map_err(|e| {
                GitError::NotARepository {
                    path: start.to_owned(),
                    source: Box::new(e),
                }
            })?;
        Ok(Repo {
            inner: repo.to_thread_local(),
        })
    }

    /// The root of the worktree.
    pub fn workdir(&self) -> Result<&Path, GitError> {
        self.inner.workdir().ok_or_else(|| GitError::Bare {
            git_dir: self.git_dir().to_owned(),
        })
    }

    /// This worktree's own git dir (`.git`, or `.git/worktrees/<name>` for
    /// a linked worktree).
    pub fn git_dir(&self) -> &Path {
        self.inner.git_dir()
    }

    /// A value from git's configuration, as text.
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.inner
            .config_snapshot()
            .string(key)
            .map(|v| v.to_string())
    }

    /// Registers yit's merge driver in this clone's git config
    /// (`merge.yit.name`, `merge.yit.driver`), unless it is there. Writing
    /// git's config is done by `git config`, which keeps the file's layout
    /// and locking exactly as git does. Returns whether it changed anything.
    pub fn register_merge_driver(&self) -> Result<bool, GitError> {
        if self.config_string(MERGE_DRIVER_KEY).as_deref() == Some(MERGE_DRIVER) {
            return Ok(false);
        }
        for (key, value) in [
            ("merge.yit.name", "yit: field-aware merge of issue files"),
            (MERGE_DRIVER_KEY, MERGE_DRIVER),
        ] {
            let output = std::process::Command::new("git")
                .arg("--git-dir")
                .arg(self.git_dir())
                .args(["config", "--local", key, value])
                .output()
                .map_err(|e| GitError::Command {
                    message: format!("could not run git config: {e}"),
                })?;
            if !output.status.success() {
                return Err(GitError::Command {
                    message: format!(
                        "git config {key} failed: {}",
                        String::from_utf8_lossy(&output.stderr).trim()
                    ),
                });
            }
        }
        Ok(true)
    }

    /// A boolean from git's configuration (e.g. `yit.autostart`); `None`
    /// when unset or not a boolean.
    pub fn config_bool(&self, key: &str) -> Option<bool> {
        self.inner.config_snapshot().boolean(key)
    }

    /// The author git would record, as `Name <email>`, or `None` when
    /// user.name/user.email (or GIT_AUTHOR_*) are not configured.
    pub fn author(&self) -> Option<String> {
        // The keys and their order are those of gix's `Repository::author()`,
        // which also works out the commit time: that loads the system time
        // zone and scans the tz database, milliseconds we do not need.
        let config = self.inner.config_snapshot();
        let first = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| config.string(*k))
                .map(|v| v.to_string().trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let name = first(&["author.name", "user.name", "gitoxide.author.nameFallback"])?;
        let email = first(&[
            "author.email",
            "user.email",
            "gitoxide.user.emailFallback",
            "gitoxide.author.emailFallback",
        ])?;
        Some(format!("{name} <{email}>"))
    }
}
