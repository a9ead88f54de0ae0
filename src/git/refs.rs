//! Small commits under refs of yit's own (`refs/yit/...`), read and
//! swapped with gix: a commit whose message is the record (a claim's
//! lease), whose parent is the record it replaced, and a ref moved from
//! the value its writer read to the new one under git's own lock file, or
//! not at all (a compare-and-swap). Refs outside `refs/heads`, `refs/bisect`
//! and `refs/worktree` live in the common git dir, so every linked
//! worktree of a clone sees the same ones.

use std::time::{Duration, Instant};

use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::{GitError, Oid, Repo, to_oid};

/// How long a swap waits for another writer's lock on the same ref before
/// it reads the ref again and says it moved (or not).
const LOCK_PATIENCE: Duration = Duration::from_secs(2);

/// What a compare-and-swap did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swapped {
    /// The ref was at the expected value and is at the new one now.
    Done,
    /// Another writer moved it first: nothing was changed.
    Moved,
}

/// Who signs a record's commit, and when (seconds since the epoch).
pub struct Stamp<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub seconds: i64,
}

/// `name` as a full ref name.
fn full_name(name: &str) -> Result<gix::refs::FullName, GitError> {
    name.try_into()
        .map_err(|e: gix::validate::reference::name::Error| GitError::Refs {
            what: "name a ref",
            message: e.to_string(),
        })
}

fn bad(what: &'static str) -> impl Fn(gix::Error) -> GitError {
    move |e| GitError::Refs {
        what,
        message: e.to_string(),
    }
}

impl Repo {
    /// The commit `name` points at and its message, if the ref exists and
    /// points at a commit.
    pub fn ref_commit(&self, name: &str) -> Result<Option<(Oid, String)>, GitError> {
        let Some(reference) = self
            .inner
            .try_find_reference(name)
            .map_err(|e| GitError::Refs {
                what: "read a ref",
                message: e.to_string(),
            })?
        else {
            return Ok(None);
        };
        let Some(id) = reference.target().try_id().map(to_oid) else {
            return Ok(None);
        };
        Ok(self.commit_message(&id).map(|message| (id, message)))
    }

    /// The message of commit `id`, if it is one here.
    pub fn commit_message(&self, id: &Oid) -> Option<String> {
        let id = gix::ObjectId::try_from(&id[..]).ok()?;
        let commit = self.inner.find_object(id).ok()?.try_into_commit().ok()?;
        Some(
            commit
                .message_raw()
                .map(|m| String::from_utf8_lossy(m).into_owned())
                .unwrap_or_default(),
        )
    }

    /// The refs under `prefix` (`refs/yit/leases/`): the rest of each
    /// name and the object it points at.
    pub fn refs_under(&self, prefix: &str) -> Result<Vec<(String, Oid)>, GitError> {
        let platform = self.inner.references().map_err(|e| GitError::Refs {
            what: "list refs",
            message: e.to_string(),
        })?;
        let refs = platform.prefixed(prefix).map_err(|e| GitError::Refs {
            what: "list refs",
            message: e.to_string(),
        })?;
        let mut out = Vec::new();
        for reference in refs.flatten() {
            let name = reference.name().as_bstr().to_string();
            if let (Some(rest), Some(id)) = (name.strip_prefix(prefix), reference.target().try_id())
            {
                out.push((rest.to_owned(), to_oid(id)));
            }
        }
        Ok(out)
    }

    /// Writes a commit holding `message`, with an empty tree and `parent`
    /// (the record it replaces), signed by `stamp`.
    pub fn write_record(
        &self,
        message: &str,
        parent: Option<Oid>,
        stamp: &Stamp,
    ) -> Result<Oid, GitError> {
        let tree = self
            .inner
            .write_object(gix::objs::Tree::empty())
            .map_err(bad("write a tree"))?
            .detach();
        let signature = gix::actor::Signature {
            name: stamp.name.into(),
            email: stamp.email.into(),
            time: gix::date::Time {
                seconds: stamp.seconds,
                offset: 0,
            },
        };
        let commit = gix::objs::Commit {
            tree,
            parents: parent
                .map(|p| gix::ObjectId::from_bytes_or_panic(&p))
                .into_iter()
                .collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        let id = self
            .inner
            .write_object(&commit)
            .map_err(bad("write a commit"))?;
        Ok(to_oid(&id))
    }

    /// Moves ref `name` from `expected` (`None`: it must not exist) to
    /// `new`, under git's lock file; [`Swapped::Moved`] when it was not at
    /// `expected`. A writer holding the lock is waited for (up to 2 s),
    /// then the ref is read again.
    pub fn swap_ref(
        &self,
        name: &str,
        expected: Option<Oid>,
        new: Oid,
    ) -> Result<Swapped, GitError> {
        let full = full_name(name)?;
        let expected_id = expected.map(|e| gix::ObjectId::from_bytes_or_panic(&e));
        let deadline = Instant::now() + LOCK_PATIENCE;
        loop {
            let edit = RefEdit {
                change: Change::Update {
                    log: LogChange {
                        mode: RefLog::AndReference,
                        force_create_reflog: false,
                        message: "yit".into(),
                    },
                    expected: match expected_id {
                        Some(id) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(id)),
                        None => PreviousValue::MustNotExist,
                    },
                    new: gix::refs::Target::Object(gix::ObjectId::from_bytes_or_panic(&new)),
                },
                name: full.clone(),
                deref: false,
            };
            let failed = match self.inner.edit_references_as(Some(edit), None) {
                Ok(_) => return Ok(Swapped::Done),
                Err(e) => e,
            };
            // moved by another writer, or its lock still held
            let now = self.ref_commit(name)?.map(|(id, _)| id);
            if now != expected {
                return Ok(Swapped::Moved);
            }
            if Instant::now() >= deadline {
                return Err(GitError::Refs {
                    what: "update a ref",
                    message: failed.to_string(),
                });
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Deletes ref `name` if it is still at `expected`.
    pub fn delete_ref(&self, name: &str, expected: Oid) -> Result<Swapped, GitError> {
        let full = full_name(name)?;
        let edit = RefEdit {
            change: Change::Delete {
                expected: PreviousValue::MustExistAndMatch(gix::refs::Target::Object(
                    gix::ObjectId::from_bytes_or_panic(&expected),
                )),
                log: RefLog::AndReference,
            },
            name: full,
            deref: false,
        };
        match self.inner.edit_references_as(Some(edit), None) {
            Ok(_) => Ok(Swapped::Done),
            Err(_) => Ok(Swapped::Moved),
        }
    }
}
