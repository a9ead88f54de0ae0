//! The journal of a change to several issue files at once (`label add A B
//! C`, `close A B`, `rm A B`): written whole and synced before the first
//! file is replaced or removed, removed after the last. A process killed
//! between two files leaves it behind, and the next command rolls the
//! change forward ([`Tracker::recover_changes`]): every file still as it
//! was before the change gets what the change gave it, so the change is
//! made to all of them or (when the kill came before the journal was
//! complete) to none.
//!
//! Each entry records the file's content hash before the change: a file
//! that changed since (another command wrote it after the kill) is left as
//! it is, never overwritten with the older change.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::write::{journals_in, replace_all, sync_dir, write_journal};
use super::{StoreError, Tracker, io_err};
use crate::model::id::IssueId;

/// One file of a journaled change.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Changed {
    #[serde(deserialize_with = "canonical_id")]
    pub id: IssueId,
    /// `version_of` the file before the change.
    pub before: String,
    /// Its text after the change; `None`: removed (its copy is in the
    /// trash already).
    pub after: Option<String>,
}

/// An issue id as a journal has it (canonical, as yit wrote it).
fn canonical_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<IssueId, D::Error> {
    let text = String::deserialize(d)?;
    IssueId::parse_canonical(&text).ok_or_else(|| serde::de::Error::custom("not an issue id"))
}

#[derive(Serialize, Deserialize)]
struct Journal {
    files: Vec<Changed>,
}

/// The journal of a change in progress; the change is done when it is
/// [`Pending::done`]. Dropped without that (the change failed and was put
/// back), it is removed too.
pub(super) struct Pending {
    path: Option<PathBuf>,
}

impl Pending {
    /// The change is made: the journal goes.
    pub fn done(mut self) -> Result<(), StoreError> {
        match self.path.take() {
            Some(path) => std::fs::remove_file(&path).map_err(io_err("could not remove", &path)),
            None => Ok(()),
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Tracker {
    fn changes_dir(&self) -> PathBuf {
        self.state_dir().join("changes")
    }

    /// Journals a change to `files` (more than one; one file is replaced
    /// by one atomic rename and needs none). The caller holds their locks.
    pub(super) fn journal_change(&self, files: &[Changed]) -> Result<Pending, StoreError> {
        if files.len() < 2 {
            return Ok(Pending { path: None });
        }
        let bytes = serde_json::to_vec(&Journal {
            files: files.to_vec(),
        })
        .expect("a journal of strings serializes");
        let path = write_journal(&self.changes_dir(), &bytes)?;
        Ok(Pending { path: Some(path) })
    }

    /// Rolls forward the changes that killed processes left half made:
    /// returns how many issue files were completed. A change whose files
    /// another process holds locked is left to it (it may be the change's
    /// own writer, still running).
    pub fn recover_changes(&self) -> Result<usize, StoreError> {
        let mut completed = 0;
        for journal in journals_in(&self.changes_dir()) {
            completed += self.roll_forward(&journal)?;
        }
        Ok(completed)
    }

    fn roll_forward(&self, journal: &Path) -> Result<usize, StoreError> {
        let Ok(bytes) = crate::store::guarded::read(journal, 1 << 30) else {
            return Ok(0);
        };
        let Some(Ok(Journal { files })) = bytes.map(|b| serde_json::from_slice::<Journal>(&b))
        else {
            // not a journal of ours: nothing to roll forward
            let _ = std::fs::remove_file(journal);
            return Ok(0);
        };
        let ids: Vec<IssueId> = files.iter().map(|f| f.id.clone()).collect();
        // its writer (or another recovery) still holds them: left to it
        let Ok(_locks) = self.lock_all(&ids, std::time::Duration::ZERO) else {
            return Ok(0);
        };
        // a journal whose writer finished and removed it meanwhile
        if !journal.exists() {
            return Ok(0);
        }
        let mut writes = Vec::new();
        let mut removals = Vec::new();
        for file in &files {
            let path = self.issue_path(&file.id);
            // still as it was before the change: the change was not made
            // to it (a file changed since is someone else's later change)
            if self.version_on_disk(&path).as_deref() != Some(file.before.as_str()) {
                continue;
            }
            match &file.after {
                Some(text) => writes.push((path, text.clone().into_bytes())),
                None => removals.push(path),
            }
        }
        let completed = writes.len() + removals.len();
        if !writes.is_empty() {
            replace_all(self.issues_dir(), &writes, &|_| {})?;
        }
        for path in &removals {
            std::fs::remove_file(path).map_err(io_err("could not remove", path))?;
        }
        if !removals.is_empty() {
            sync_dir(self.issues_dir());
        }
        std::fs::remove_file(journal).map_err(io_err("could not remove", journal))?;
        Ok(completed)
    }
}
