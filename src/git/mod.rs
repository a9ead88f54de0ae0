//! The only user of gix, and the one place that runs the `git` program:
//! finding the repository, its worktree and git dirs, the author identity
//! git would use, issue files at any revision and their history (read with
//! gix), and, where gix cannot write, git's config and commits, run by the
//! `git` program ([`program`]).
//!
//! Honours `GIT_DIR`/`GIT_WORK_TREE` like git does.

mod program;
mod refs;
mod sync;

pub use program::Pushed;
pub use refs::{Stamp, Swapped};
pub use sync::{Integrated, Upstream};

use std::path::{Path, PathBuf};

/// An open git repository.
/// The git config key that names yit's merge driver, and its command.
pub const MERGE_DRIVER_KEY: &str = "merge.yit.driver";
/// What follows the program in yit's driver command: the files, the path,
/// and the labels of the three sides (git 2.44 and later fill them in;
/// earlier ones pass `%S` as it is, which the driver takes for no label).
pub const MERGE_DRIVER_ARGS: &str = "merge-file %O %A %B %P --labels %S %X %Y";

/// The driver command that runs `exe` (absolute, quoted for the shell git
/// runs it with): it works where `yit` is not on git's PATH (GUI clients,
/// IDEs, CI images).
pub fn merge_driver(exe: &Path) -> String {
    format!("{} {MERGE_DRIVER_ARGS}", shell_quoted(exe))
}

/// `path` as one word for the POSIX shell git runs drivers and hooks with:
/// in single quotes, each `'` in it closed, escaped and reopened.
pub fn shell_quoted(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', "'\\''"))
}

/// The program a registered driver command runs: the first shell word of
/// it (single quotes undone), if it is yit's driver (`... merge-file %O`).
pub fn driver_program(command: &str) -> Option<String> {
    let at = command.find(" merge-file %O")?;
    let program = command[..at].trim();
    Some(
        match program
            .strip_prefix('\'')
            .and_then(|p| p.strip_suffix('\''))
        {
            Some(quoted) => quoted.replace("'\\''", "'"),
            None => program.to_owned(),
        },
    )
}

/// An issue file git holds unmerged in the index: which stages it has
/// (1 the base, 2 ours, 3 theirs). A missing one says how it conflicts:
/// no base, both added; no ours or no theirs, modify/delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmerged {
    /// Its path in the repository.
    pub path: String,
    /// The blob of each stage the index has: base, ours, theirs.
    pub base: Option<Oid>,
    pub ours: Option<Oid>,
    pub theirs: Option<Oid>,
}

/// A git object id (SHA-1), as bytes.
pub type Oid = [u8; 20];

/// One commit as the history walk saw it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommitNode {
    pub id: Oid,
    pub parents: Vec<Oid>,
    /// Its parents are missing (a shallow clone's boundary).
    pub cut: bool,
    /// Author time, seconds (set when `changes` is not empty).
    pub time: i64,
    pub author: String,
    pub summary: String,
    /// Files of the directory it changed: name, blob before (first
    /// parent), blob after; `None` where absent.
    pub changes: Vec<FileChange>,
    /// For a merge: the files it changed on its first parent's line of
    /// history that another parent already had as they are now (brought in
    /// by the merge, as `git log --first-parent` shows them).
    pub merged: Vec<FileChange>,
    /// Issues its message mentions, by full id (resolved when first read).
    pub links: Vec<(crate::model::links::LinkKind, String)>,
}

/// A file a commit changed: name, blob before, blob after (`None`: absent).
pub type FileChange = (String, Option<Oid>, Option<Oid>);

/// A tree's blobs by name, sorted, shared between the steps of a walk.
type Blobs = std::rc::Rc<Vec<(String, Oid)>>;

/// The entries that differ between two sorted (name, blob) lists.
fn diff_entries(before: &[(String, Oid)], after: &[(String, Oid)]) -> Vec<FileChange> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < before.len() || j < after.len() {
        match (before.get(i), after.get(j)) {
            (Some(a), Some(b)) if a.0 == b.0 => {
                if a.1 != b.1 {
                    out.push((a.0.clone(), Some(a.1), Some(b.1)));
                }
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.0 < b.0 => {
                out.push((a.0.clone(), Some(a.1), None));
                i += 1;
            }
            (Some(a), None) => {
                out.push((a.0.clone(), Some(a.1), None));
                i += 1;
            }
            (_, Some(b)) => {
                out.push((b.0.clone(), None, Some(b.1)));
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

fn to_oid(oid: &gix::oid) -> Oid {
    oid.as_bytes().try_into().unwrap_or([0; 20])
}

/// The issues a commit message mentions, each once, by full id.
fn links_in(
    message: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> Vec<(crate::model::links::LinkKind, String)> {
    let mut links = Vec::new();
    for mention in crate::model::links::mentions(message) {
        if let Some(id) = resolve(&mention.text) {
            let link = (mention.kind, id);
            if !links.contains(&link) {
                links.push(link);
            }
        }
    }
    links
}

/// Reads one directory's tree in commits, with caches for a walk: each
/// commit's directory tree, and the last few trees' blobs (a commit's
/// tree is its child's parent tree on the next step).
struct Trees<'r> {
    repo: &'r gix::Repository,
    dir: &'r str,
    /// What errors name as the revision read.
    rev: &'static str,
    dir_of: std::collections::HashMap<gix::ObjectId, Option<gix::ObjectId>>,
    recent: Vec<(Option<gix::ObjectId>, Blobs)>,
}

impl<'r> Trees<'r> {
    fn new(repo: &'r gix::Repository, dir: &'r str, rev: &'static str) -> Trees<'r> {
        Trees {
            repo,
            dir,
            rev,
            dir_of: Default::default(),
            recent: Vec::new(),
        }
    }

    fn bad<E: Into<gix::Error>>(&self) -> impl Fn(E) -> GitError + use<E> {
        let rev = self.rev;
        move |e| GitError::Revision {
            rev: rev.to_owned(),
            source: Box::new(e.into()),
        }
    }

    /// The directory's tree in `commit` (`None`: the commit has none).
    fn dir_tree(&mut self, commit: gix::ObjectId) -> Result<Option<gix::ObjectId>, GitError> {
        if let Some(known) = self.dir_of.get(&commit) {
            return Ok(*known);
        }
        let tree = self
            .repo
            .find_commit(commit)
            .map_err(self.bad())?
            .tree()
            .map_err(self.bad())?;
        let id = tree
            .find_entry(self.dir)
            .filter(|e| e.mode().is_tree())
            .map(|e| e.object_id());
        self.dir_of.insert(commit, id);
        Ok(id)
    }

    /// A tree's blobs by name, sorted (none for no tree).
    fn blobs(&mut self, tree: Option<gix::ObjectId>) -> Result<Blobs, GitError> {
        if let Some((_, kept)) = self.recent.iter().find(|(id, _)| *id == tree) {
            return Ok(std::rc::Rc::clone(kept));
        }
        let mut out: Vec<(String, Oid)> = Vec::new();
        if let Some(tree) = tree {
            let object = self.repo.find_tree(tree).map_err(self.bad())?;
            let decoded = object.decode().map_err(self.bad())?;
            out = decoded
                .entries
                .iter()
                .filter(|e| e.mode.is_blob())
                .map(|e| (e.filename.to_string(), to_oid(e.oid)))
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let out = std::rc::Rc::new(out);
        if self.recent.len() >= 4 {
            self.recent.remove(0);
        }
        self.recent.push((tree, std::rc::Rc::clone(&out)));
        Ok(out)
    }

    /// The files of the directory `commit` changed: against its parent,
    /// or for a merge, what differs from every parent (as `git log` shows
    /// merges); and second, for a merge, what differs from its first parent
    /// only (brought in from another). A commit whose directory tree equals
    /// its first parent's changes nothing, at the cost of reading its root
    /// tree.
    fn changes(
        &mut self,
        commit: gix::ObjectId,
        parents: &[gix::ObjectId],
    ) -> Result<(Vec<FileChange>, Vec<FileChange>), GitError> {
        let here = self.dir_tree(commit)?;
        let parent_dirs: Vec<Option<gix::ObjectId>> = parents
            .iter()
            .map(|p| self.dir_tree(*p))
            .collect::<Result<_, _>>()?;
        if parent_dirs.first() == Some(&here) || (parents.is_empty() && here.is_none()) {
            return Ok((Vec::new(), Vec::new()));
        }
        let after = self.blobs(here)?;
        let first = match parent_dirs.first() {
            Some(dir) => self.blobs(*dir)?,
            None => std::rc::Rc::new(Vec::new()),
        };
        let on_first = diff_entries(&first, &after);
        let mut changed = on_first.clone();
        for other in parent_dirs.iter().skip(1) {
            let against = diff_entries(&self.blobs(*other)?, &after);
            changed.retain(|c| against.iter().any(|o| o.0 == c.0));
        }
        let merged = on_first
            .into_iter()
            .filter(|c| !changed.iter().any(|x| x.0 == c.0))
            .collect();
        Ok((changed, merged))
    }
}

/// The commits that changed a file, newest first.
#[derive(Clone, Debug, Default)]
pub struct FileHistory {
    pub commits: Vec<FileCommit>,
    /// The history stops early: a shallow clone's boundary was reached.
    pub shallow: bool,
}

/// A commit that changed one file, with the file before and after.
#[derive(Clone, Debug)]
pub struct FileCommit {
    pub id: String,
    /// `Name <email>`.
    pub author: String,
    /// Seconds since the epoch (the author's time).
    pub time: i64,
    /// The first line of the message.
    pub summary: String,
    /// The file in the first parent (`None`: it did not exist).
    pub before: Option<Vec<u8>>,
    /// The file in the commit (`None`: removed).
    pub after: Option<Vec<u8>>,
    /// Its place in the walk from HEAD (0: HEAD), which orders commits
    /// made within the same second.
    pub order: usize,
}

/// Files of one directory that differ between local branches.
#[derive(Clone, Debug, Default)]
pub struct BranchFiles {
    /// Short names, sorted.
    pub branches: Vec<String>,
    /// File name, and its blob id on each branch in that order.
    pub files: Vec<(String, Vec<Option<Oid>>)>,
}

/// A file's name and its bytes.
pub type NamedBytes = (String, Vec<u8>);

/// How a file differs from HEAD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Not known to git yet.
    Untracked,
    /// Staged as new.
    Added,
    Modified,
    Deleted,
}

/// A changed file, relative to the worktree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathChange {
    pub path: String,
    pub kind: ChangeKind,
}

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
    #[error("could not run git")]
    Spawn(#[source] std::io::Error),
    /// git ran and failed; `stderr` is what it said, trimmed.
    #[error("git {command} failed: {stderr}")]
    Command { command: String, stderr: String },
    #[error("cannot read revision {rev:?}")]
    Revision {
        rev: String,
        #[source]
        source: Box<gix::Error>,
    },
    /// A revision that names no commit (git's own words are kept out of
    /// the message: they describe its parser, not the user's mistake).
    #[error("no commit, branch or tag is named {rev:?}")]
    NoSuchRevision { rev: String },
    #[error("{rev:?} names no commit: this repository has no commits yet")]
    NoCommits { rev: String },
    #[error("cannot read git's index")]
    Index {
        #[source]
        source: Box<gix::Error>,
    },
    /// Reading or writing yit's refs and their commits failed.
    #[error("could not {what}: {message}")]
    Refs { what: &'static str, message: String },
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

    /// The git dir every worktree of the repository shares (refs, objects,
    /// the repository's `config`).
    pub fn common_dir(&self) -> &Path {
        self.inner.common_dir()
    }

    /// A value from git's configuration, as text.
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.inner
            .config_snapshot()
            .string(key)
            .map(|v| v.to_string())
    }

    /// The entries of files under `dir` (`.issues/`) that the index holds
    /// unmerged, in path order.
    pub fn unmerged(&self, dir: &str) -> Result<Vec<Unmerged>, GitError> {
        use gix::bstr::ByteSlice;
        let index = match self.inner.open_index() {
            Ok(index) => index,
            // no index yet: nothing is unmerged
            Err(_) if !self.git_dir().join("index").exists() => return Ok(Vec::new()),
            Err(e) => {
                return Err(GitError::Index {
                    source: Box::new(e),
                });
            }
        };
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let mut out: Vec<Unmerged> = Vec::new();
        let entries = index
            .prefixed_entries(prefix.as_bytes().as_bstr())
            .unwrap_or(&[]);
        for entry in entries {
            let stage = entry.stage_raw();
            if stage == 0 {
                continue;
            }
            let path = entry.path(&index).to_str_lossy().into_owned();
            if out.last().is_none_or(|u| u.path != path) {
                out.push(Unmerged {
                    path,
                    base: None,
                    ours: None,
                    theirs: None,
                });
            }
            let last = out.last_mut().expect("pushed");
            let blob = Some(to_oid(&entry.id));
            match stage {
                1 => last.base = blob,
                2 => last.ours = blob,
                _ => last.theirs = blob,
            }
        }
        Ok(out)
    }

    /// A side of a merge as git labels it (`HEAD`, `b`, `1a2b3c4 (Fix
    /// it)`), with the commit it names and its author when it names one:
    /// `b: 1a2b3c4 by Bob Stone`. `None` for no label (git before 2.44
    /// passes `%X` as it is).
    pub fn describe_label(&self, label: &str) -> Option<String> {
        let label = label.trim();
        if label.is_empty() || (label.len() == 2 && label.starts_with('%')) {
            return None;
        }
        let word = label.split_whitespace().next().unwrap_or(label);
        let commit = self
            .inner
            .rev_parse_single(word)
            .ok()
            .and_then(|id| id.object().ok())
            .and_then(|object| object.peel_to_commit().ok());
        let Some(commit) = commit else {
            return Some(label.to_owned());
        };
        let short = commit.id().to_hex_with_len(7).to_string();
        let author = commit
            .author()
            .map(|a| a.name.to_string())
            .unwrap_or_default();
        let name = match label.split_once(' ') {
            // a rebase's label is the commit and its summary already
            Some((first, _)) if short.starts_with(first) || first.starts_with(&short) => {
                format!("{short} by {author}")
            }
            _ => format!("{label}: {short} by {author}"),
        };
        Some(name)
    }

    /// Whether a merge, rebase, cherry-pick or revert is under way (the
    /// only times git leaves files unmerged, but for a conflicted `git
    /// stash pop` or `checkout -m`).
    pub fn merging(&self) -> bool {
        let dir = self.git_dir();
        [
            "MERGE_HEAD",
            "CHERRY_PICK_HEAD",
            "REVERT_HEAD",
            "rebase-merge",
            "rebase-apply",
        ]
        .iter()
        .any(|name| dir.join(name).exists())
    }

    /// The files directly in directory `dir` of `rev`'s tree (a commit, a
    /// branch, a tag, anything `git rev-parse` accepts), by name, with their
    /// bytes; `None` when the tree has no such directory. Reads objects
    /// only: no worktree is needed.
    pub fn files_at(&self, rev: &str, dir: &str) -> Result<Option<Vec<NamedBytes>>, GitError> {
        let bad = |e: gix::Error| GitError::Revision {
            rev: rev.to_owned(),
            source: Box::new(e),
        };
        let repo = &self.inner;
        let tree = repo
            .rev_parse_single(rev)
            .map_err(|_| match self.head_commit_id() {
                None => GitError::NoCommits {
                    rev: rev.to_owned(),
                },
                Some(_) => GitError::NoSuchRevision {
                    rev: rev.to_owned(),
                },
            })?
            .object()
            .map_err(&bad)?
            .peel_to_tree()
            .map_err(&bad)?;
        let Some(entry) = tree.lookup_entry_by_path(dir).map_err(&bad)? else {
            return Ok(None);
        };
        if !entry.mode().is_tree() {
            return Ok(None);
        }
        let sub = entry.object().map_err(&bad)?.into_tree();
        let decoded = sub.decode().map_err(&bad)?;
        let mut files = Vec::with_capacity(decoded.entries.len());
        for e in &decoded.entries {
            if !e.mode.is_blob() {
                continue;
            }
            let data = repo.find_object(e.oid).map_err(&bad)?.detach().data;
            files.push((e.filename.to_string(), data));
        }
        Ok(Some(files))
    }

    /// HEAD's commit id, if there is a commit.
    /// HEAD's commit id in hex, if HEAD points at a commit.
    pub fn head_hex(&self) -> Option<String> {
        Some(self.inner.head_id().ok()?.to_string())
    }

    pub fn head_commit_id(&self) -> Option<Oid> {
        let id = self.inner.head_id().ok()?;
        id.as_bytes().try_into().ok()
    }

    /// Walks the commits reachable from HEAD that are not in `known`
    /// (stopping at them), and says for each which files directly in `dir`
    /// it changed: against its parent, or for a merge, against every parent
    /// (as `git log` shows merges). A commit whose `dir` tree equals a
    /// parent's changes nothing, at the cost of reading its root tree. In a
    /// shallow clone, a commit whose parents are missing is marked `cut`.
    pub fn walk_changes(
        &self,
        dir: &str,
        known: &std::collections::HashSet<Oid>,
        resolve: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Vec<CommitNode>, GitError> {
        let repo = &self.inner;
        let Ok(head) = repo.head_id() else {
            return Ok(Vec::new());
        };
        let mut trees = Trees::new(repo, dir, "HEAD");
        let mut nodes = Vec::new();
        let mut stack = vec![head.detach()];
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if known.contains(&to_oid(&id)) || !seen.insert(id) {
                continue;
            }
            let commit = repo.find_commit(id).map_err(trees.bad())?;
            let all_parents: Vec<gix::ObjectId> = commit.parent_ids().map(|p| p.detach()).collect();
            let parents: Vec<gix::ObjectId> = all_parents
                .iter()
                .copied()
                .filter(|p| repo.has_object(p))
                .collect();
            stack.extend(parents.iter().copied());
            let cut = parents.len() < all_parents.len();
            let (changes, merged) = if cut {
                (Vec::new(), Vec::new())
            } else {
                trees.changes(id, &parents)?
            };
            let mut node = CommitNode {
                id: to_oid(&id),
                parents: parents.iter().map(|p| to_oid(p)).collect(),
                cut,
                time: 0,
                author: String::new(),
                summary: String::new(),
                changes,
                merged,
                links: links_in(&commit.message_raw_sloppy().to_string(), resolve),
            };
            if !node.changes.is_empty() || !node.merged.is_empty() || !node.links.is_empty() {
                let author = commit.author().map_err(trees.bad())?;
                node.author = format!("{} <{}>", author.name, author.email);
                node.time = author.time().map(|t| t.seconds).unwrap_or_default();
                node.summary = commit
                    .message()
                    .map(|m| m.summary().to_string())
                    .unwrap_or_default();
            }
            nodes.push(node);
        }
        Ok(nodes)
    }

    /// The short name of the branch HEAD is on (`None`: detached or none).
    pub fn current_branch(&self) -> Option<String> {
        let name = self.inner.head_name().ok()??;
        Some(name.shorten().to_string())
    }

    /// The bytes of a blob.
    pub fn blob(&self, id: &Oid) -> Option<Vec<u8>> {
        let id = gix::ObjectId::try_from(&id[..]).ok()?;
        Some(self.inner.find_object(id).ok()?.detach().data)
    }

    /// The local branches (short names, sorted) and the files directly in
    /// `dir` whose content is not the same on all of them, with each
    /// branch's blob id in hex (`None`: absent there). Trees are compared
    /// entry by entry against the first branch's, by object id, so files
    /// equal everywhere cost a comparison and nothing else.
    pub fn differing_files_on_branches(&self, dir: &str) -> Result<BranchFiles, GitError> {
        let repo = &self.inner;
        let mut trees = Trees::new(repo, dir, "refs/heads/*");
        let platform = repo.references().map_err(trees.bad())?;
        let mut tips: Vec<(String, Option<gix::ObjectId>)> = Vec::new();
        for reference in platform.local_branches().map_err(trees.bad())? {
            let Ok(mut reference) = reference else {
                continue;
            };
            let branch = reference.name().shorten().to_string();
            let Ok(commit) = reference.peel_to_commit() else {
                continue;
            };
            tips.push((branch, trees.dir_tree(commit.id)?));
        }
        tips.sort_by(|a, b| a.0.cmp(&b.0));
        // each distinct tree decoded once
        let mut blobs: std::collections::HashMap<Option<gix::ObjectId>, Blobs> = Default::default();
        for (_, tree) in &tips {
            if !blobs.contains_key(tree) {
                blobs.insert(*tree, trees.blobs(*tree)?);
            }
        }
        let on_tip: Vec<&Blobs> = tips.iter().map(|(_, tree)| &blobs[tree]).collect();
        // names that differ from the first branch's on some branch
        let mut differing: std::collections::BTreeSet<String> = Default::default();
        if let Some((base, rest)) = on_tip.split_first() {
            for other in rest.iter().filter(|o| !std::rc::Rc::ptr_eq(base, o)) {
                differing.extend(diff_entries(base, other).into_iter().map(|(name, ..)| name));
            }
        }
        let files = differing
            .into_iter()
            .map(|name| {
                let on = on_tip
                    .iter()
                    .map(|entries| {
                        entries
                            .binary_search_by(|e| e.0.as_str().cmp(&name))
                            .ok()
                            .map(|at| entries[at].1)
                    })
                    .collect();
                (name, on)
            })
            .collect();
        Ok(BranchFiles {
            branches: tips.into_iter().map(|(b, _)| b).collect(),
            files,
        })
    }

    /// The bytes of `path` (relative to the worktree) in HEAD's tree.
    /// The value of git attribute `attr` for `path` (relative to the
    /// worktree), as `git check-attr` reports it; `None` when unspecified
    /// or git cannot tell.
    pub fn attribute(&self, path: &str, attr: &str) -> Option<String> {
        let out = self
            .run_git(&[
                "check-attr".as_ref(),
                attr.as_ref(),
                "--".as_ref(),
                path.as_ref(),
            ])
            .ok()?;
        let line = String::from_utf8_lossy(&out);
        let value = line.trim_end().rsplit(": ").next()?;
        (value != "unspecified").then(|| value.to_owned())
    }

    pub fn read_head(&self, path: &str) -> Option<Vec<u8>> {
        let tree = self.inner.head_commit().ok()?.tree().ok()?;
        let entry = tree.lookup_entry_by_path(path).ok()??;
        let object = entry.object().ok()?;
        Some(object.data.clone())
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
