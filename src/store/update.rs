//! Changing existing issues: lossless edits of several issues at once under
//! their locks, saving a person's editor text, the trash, `fmt`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::changes::Changed;
use super::write::{copy_new, replace_all, sync_dir, write_new_file};
use super::{StoreError, Tracker, TrashEntry};
use crate::model::edit::{self, Change, Edited};
use crate::model::id::{self, IssueId};
use crate::model::issue::Issue;
use crate::store::lock::{IssueLock, LockError};

impl Tracker {
    /// Takes the locks of `ids` in id order (so that two commands never
    /// wait for each other), within one deadline.
    pub(super) fn lock_all(
        &self,
        ids: &[IssueId],
        timeout: Duration,
    ) -> Result<Vec<IssueLock>, StoreError> {
        let mut sorted: Vec<&IssueId> = ids.iter().collect();
        sorted.sort();
        sorted.dedup();
        let deadline = Instant::now() + timeout;
        let mut locks = Vec::with_capacity(sorted.len());
        for id in sorted {
            let left = deadline.saturating_duration_since(Instant::now());
            match IssueLock::acquire(self.state_dir(), id, left) {
                Ok(lock) => locks.push(lock),
                Err(LockError::Timeout { what, holder, .. }) => {
                    return Err(LockError::Timeout {
                        what,
                        holder,
                        waited: timeout,
                    }
                    .into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(locks)
    }

    /// Reads an issue that must exist and be valid, with its file's text
    /// as stored.
    pub fn load_with_text(&self, id: &IssueId) -> Result<(Issue, String), StoreError> {
        let path = self.issue_path(id);
        let shown = self.shown(&path);
        let bytes = self
            .files
            .read_bytes(&path, &shown)
            .map_err(|broken| StoreError::Broken { broken })?
            .ok_or_else(|| StoreError::NotFound {
                input: id.to_string(),
            })?;
        let issue = Issue::parse(&bytes, &shown, Some(id), self.config())
            .map_err(|broken| StoreError::Broken { broken })?;
        let text = String::from_utf8(bytes).expect("a parsed issue file is UTF-8");
        Ok((issue, text))
    }

    /// Checks changes against the configuration (statuses, types,
    /// priorities, labels, people), before anything is read or locked:
    /// what `update_issues` does again with what it is asked to apply.
    pub fn check_changes(&self, changes: &[Change]) -> Result<(), StoreError> {
        for change in changes {
            change.check(self.config())?;
        }
        Ok(())
    }

    /// Changes several issues as one: under their locks, each is read and
    /// validated, `changes` says what to change (checked as by
    /// [`Tracker::check_changes`]), the edits are applied
    /// losslessly, and then every changed file is replaced, or none is.
    /// Returns the results in the order of `ids` (duplicates removed).
    pub fn update_issues(
        &self,
        ids: &[IssueId],
        timeout: Duration,
        now: Timestamp,
        changes: impl FnMut(&Issue) -> Result<Vec<Change>, StoreError>,
    ) -> Result<Vec<Edited>, StoreError> {
        self.update_issues_at(ids, None, timeout, now, changes)
    }

    /// Changes issue `id` as [`Tracker::update_issues`] does, if its file
    /// is still at `version` ([`version_of`] its bytes: what a form showed
    /// a person); `Changed` otherwise, and nothing is written.
    pub fn update_issue_at(
        &self,
        id: &IssueId,
        version: &str,
        timeout: Duration,
        now: Timestamp,
        changes: Vec<Change>,
    ) -> Result<Edited, StoreError> {
        let mut edits = self.update_issues_at(
            std::slice::from_ref(id),
            Some(version),
            timeout,
            now,
            |_| Ok(changes.clone()),
        )?;
        Ok(edits.pop().expect("one issue edited"))
    }

    fn update_issues_at(
        &self,
        ids: &[IssueId],
        version: Option<&str>,
        timeout: Duration,
        now: Timestamp,
        mut changes: impl FnMut(&Issue) -> Result<Vec<Change>, StoreError>,
    ) -> Result<Vec<Edited>, StoreError> {
        let mut unique: Vec<IssueId> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(id) {
                unique.push(id.clone());
            }
        }
        // a change a killed process left half made is finished first
        self.recover_changes()?;
        let _locks = self.lock_all(&unique, timeout)?;
        let (edits, changed) = self.prepare_edits(&unique, version, now, &mut changes)?;
        self.write_edits(&edits, &changed)?;
        Ok(edits)
    }

    /// Each of `ids` read, changed as `changes` says and checked (the
    /// caller holds their locks): the edits, and the files that change
    /// (none past `max_file_size`), for [`Tracker::write_edits`]. With
    /// `version`, a file no longer at that version is `Changed`.
    pub(super) fn prepare_edits(
        &self,
        ids: &[IssueId],
        version: Option<&str>,
        now: Timestamp,
        changes: &mut dyn FnMut(&Issue) -> Result<Vec<Change>, StoreError>,
    ) -> Result<(Vec<Edited>, Vec<Changed>), StoreError> {
        let mut edits = Vec::with_capacity(ids.len());
        let mut befores = Vec::with_capacity(ids.len());
        for id in ids {
            let (issue, text) = self.load_with_text(id)?;
            let before = version_of(text.as_bytes());
            if version.is_some_and(|v| v != before) {
                return Err(StoreError::Changed { id: id.clone() });
            }
            let wanted = changes(&issue)?;
            self.check_changes(&wanted)?;
            edits.push(edit::apply(&issue, &text, &wanted, now, self.config())?);
            befores.push(before);
        }
        let changed: Vec<Changed> = edits
            .iter()
            .zip(befores)
            .filter(|(e, _)| e.changed)
            .map(|(e, before)| Changed {
                id: e.issue.id.clone(),
                before,
                after: Some(e.text.clone()),
            })
            .collect();
        let files: Vec<(PathBuf, Vec<u8>)> = changed
            .iter()
            .filter_map(|c| Some((self.issue_path(&c.id), c.after.clone()?.into_bytes())))
            .collect();
        self.check_sizes(&files)?;
        Ok((edits, changed))
    }

    /// Writes what [`Tracker::prepare_edits`] made: every changed file,
    /// or none.
    pub(super) fn write_edits(
        &self,
        edits: &[Edited],
        changed: &[Changed],
    ) -> Result<(), StoreError> {
        if !changed.is_empty() {
            self.replace_journaled(changed)?;
            let written: Vec<(&Issue, &[u8])> = edits
                .iter()
                .filter(|e| e.changed)
                .map(|e| (&e.issue, e.text.as_bytes()))
                .collect();
            self.journal(&written);
        }
        Ok(())
    }

    /// Settles the merge conflicts recorded in issue `id` as `takes` say
    /// (those no take names stay), and saves it unless the file changed
    /// meanwhile. `None` when the issue had no conflict to settle.
    pub fn resolve_conflicts(
        &self,
        id: &IssueId,
        takes: &[crate::model::merge::Take],
        timeout: Duration,
        now: Timestamp,
    ) -> Result<Option<Issue>, StoreError> {
        let original = self
            .read_issue_bytes(id)
            .map_err(|broken| StoreError::Broken { broken })?
            .ok_or_else(|| StoreError::NotFound {
                input: id.to_string(),
            })?;
        let shown = self.shown(&self.issue_path(id));
        let issue = Issue::parse(&original, &shown, Some(id), self.config())
            .map_err(|broken| StoreError::Broken { broken })?;
        if issue.conflicts.is_empty() {
            return Ok(None);
        }
        let text = crate::model::merge::resolve(&issue, takes)?.to_yaml(self.config())?;
        self.save_edited_text(id, &original, &text, timeout, now)
            .map(Some)
    }

    /// Saves the text a person wrote in an editor, if the file still holds
    /// `original` (what the editor was opened on); `Changed` otherwise. The
    /// text must be a valid issue; `updated` is set to `now` unless the
    /// person changed it.
    pub fn save_edited_text(
        &self,
        id: &IssueId,
        original: &[u8],
        text: &str,
        timeout: Duration,
        now: Timestamp,
    ) -> Result<Issue, StoreError> {
        self.save_edited(id, original, text, timeout, now, false)
            .map(|(issue, _)| issue)
    }

    /// Saves what a person made of `original` in an editor (`text`). When
    /// the file changed meanwhile, the two are merged three-way as the
    /// merge driver merges (`original` the base, the file now ours, `text`
    /// theirs): changes to different fields are both kept, and only the
    /// same field changed both ways is refused (`Clash`, naming them;
    /// nothing written). Returns the issue saved, and whether it was merged.
    pub fn save_edited_merging(
        &self,
        id: &IssueId,
        original: &[u8],
        text: &str,
        timeout: Duration,
        now: Timestamp,
    ) -> Result<(Issue, bool), StoreError> {
        self.save_edited(id, original, text, timeout, now, true)
    }

    /// [`Tracker::save_edited_text`], and with `merge`
    /// [`Tracker::save_edited_merging`]: the file read once, under the lock.
    fn save_edited(
        &self,
        id: &IssueId,
        original: &[u8],
        text: &str,
        timeout: Duration,
        now: Timestamp,
        merge: bool,
    ) -> Result<(Issue, bool), StoreError> {
        let _lock = self.lock_all(std::slice::from_ref(id), timeout)?;
        let path = self.issue_path(id);
        let shown = self.shown(&path);
        let current = self
            .files
            .read_bytes(&path, &shown)
            .map_err(|broken| StoreError::Broken { broken })?;
        let changed = || StoreError::Changed { id: id.clone() };
        let parse = |bytes: &[u8]| Issue::parse(bytes, &shown, Some(id), self.config());
        let (saved, merged) = match current {
            Some(current) if current == original => {
                let edited =
                    parse(text.as_bytes()).map_err(|broken| StoreError::Broken { broken })?;
                let touched = parse(original).is_ok_and(|b| b.updated != edited.updated);
                let saved = if touched {
                    Edited {
                        issue: edited,
                        text: text.to_owned(),
                        changed: true,
                    }
                } else {
                    edit::apply(&edited, text, &[Change::Touch], now, self.config())?
                };
                (saved, false)
            }
            Some(current) if merge => (self.merged_edit(id, original, &current, text, now)?, true),
            _ => return Err(changed()),
        };
        self.replace_checked(&[(path, saved.text.clone().into_bytes())])?;
        self.journal(&[(&saved.issue, saved.text.as_bytes())]);
        Ok((saved.issue, merged))
    }

    /// An editor's `text`, made from `original`, merged with the file as it
    /// is now (`current`): the person's changes written onto the file line
    /// by line (its layout and comments kept), else in its canonical form.
    fn merged_edit(
        &self,
        id: &IssueId,
        original: &[u8],
        current: &[u8],
        text: &str,
        now: Timestamp,
    ) -> Result<Edited, StoreError> {
        let shown = self.shown(&self.issue_path(id));
        let changed = || StoreError::Changed { id: id.clone() };
        let parse = |bytes: &[u8]| Issue::parse(bytes, &shown, Some(id), self.config()).ok();
        let (Some(base), Some(now_issue), Some(edited)) =
            (parse(original), parse(current), parse(text.as_bytes()))
        else {
            // a side that is no issue (the person repaired a broken file,
            // or someone broke it meanwhile): nothing to merge by field
            return Err(changed());
        };
        let merged =
            crate::model::merge::merge(Some(&base), &now_issue, &edited).map_err(|_| changed())?;
        if !merged.conflicts.is_empty() {
            return Err(StoreError::Clash {
                id: id.clone(),
                fields: merged
                    .conflicts
                    .iter()
                    .filter_map(|c| c["field"].as_str().map(str::to_owned))
                    .collect(),
            });
        }
        let current_text = String::from_utf8_lossy(current);
        let mut wanted = merged.issue;
        wanted.updated = now.max(now_issue.updated);
        let lossless = Change::between(&base, &edited)
            .and_then(|changes| {
                edit::apply(&now_issue, &current_text, &changes, now, self.config()).ok()
            })
            .filter(|e| {
                let mut got = e.issue.clone();
                got.updated = wanted.updated;
                got == wanted
            });
        match lossless {
            Some(saved) => Ok(saved),
            None => Ok(Edited {
                text: edit::canonical_text(&wanted, &current_text, self.config())?,
                issue: wanted,
                changed: true,
            }),
        }
    }

    fn trash_dir(&self) -> PathBuf {
        self.state_dir().join("trash")
    }

    /// Moves issue files into the trash (all or none); they can be
    /// restored with [`Tracker::restore_issue`]. Broken files can be removed.
    pub fn trash_issues(
        &self,
        ids: &[IssueId],
        timeout: Duration,
        now: Timestamp,
    ) -> Result<Vec<TrashEntry>, StoreError> {
        let _locks = self.lock_all(ids, timeout)?;
        let dir = self.trash_dir();
        std::fs::create_dir_all(&dir).map_err(super::io_err("could not create", &dir))?;
        let mut entries: Vec<TrashEntry> = Vec::with_capacity(ids.len());
        let undo = |entries: &[TrashEntry]| {
            for e in entries {
                let _ = std::fs::remove_file(&e.path);
            }
        };
        let mut rng = id::IdSource::new(None);
        for id in ids {
            if entries.iter().any(|e| &e.id == id) {
                continue;
            }
            let source = self.issue_path(id);
            if !source.exists() {
                undo(&entries);
                return Err(StoreError::NotFound {
                    input: id.to_string(),
                });
            }
            let entry = TrashEntry {
                path: dir.join(format!("{id}.{}.{}.yaml", now.as_second(), rng.token(6))),
                id: id.clone(),
                removed: now.as_second(),
            };
            // a link when the trash is on the same filesystem, else a copy
            let kept = std::fs::hard_link(&source, &entry.path)
                .map_err(super::io_err("could not link", &entry.path))
                .or_else(|_| copy_new(&source, &entry.path));
            if let Err(e) = kept {
                undo(&entries);
                return Err(e);
            }
            entries.push(entry);
        }
        sync_dir(&dir);
        // every copy is in the trash: the removals are journaled, so that
        // a process killed between two removes all of them
        let journaled: Vec<Changed> = entries
            .iter()
            .map(|e| Changed {
                id: e.id.clone(),
                before: self.version_on_disk(&e.path).unwrap_or_default(),
                after: None,
            })
            .collect();
        let pending = self.journal_change(&journaled)?;
        for (n, entry) in entries.iter().enumerate() {
            self.before_file(n);
            let source = self.issue_path(&entry.id);
            std::fs::remove_file(&source).map_err(super::io_err("could not remove", &source))?;
        }
        sync_dir(self.issues_dir());
        pending.done()?;
        Ok(entries)
    }

    /// Removed issues in the trash, newest first.
    pub fn load_trash(&self) -> Result<Vec<TrashEntry>, StoreError> {
        let dir = self.trash_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(super::io_err("could not list", &dir)(e)),
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let mut parts = name.split('.');
            let (Some(id), Some(secs)) = (parts.next(), parts.next()) else {
                continue;
            };
            let (Some(id), Ok(removed)) = (IssueId::parse_canonical(id), secs.parse()) else {
                continue;
            };
            out.push(TrashEntry {
                path: entry.path(),
                id,
                removed,
            });
        }
        out.sort_by(|a, b| b.removed.cmp(&a.removed).then_with(|| b.path.cmp(&a.path)));
        Ok(out)
    }

    /// Brings the most recently removed issue matching `input` back. Refused
    /// when an issue file with that id exists again.
    pub fn restore_issue(&self, input: &str, timeout: Duration) -> Result<Issue, StoreError> {
        let prefix = id::normalize_prefix(input).ok_or_else(|| StoreError::InvalidId {
            input: input.to_owned(),
        })?;
        let trash = self.load_trash()?;
        let mut ids: Vec<&IssueId> = trash
            .iter()
            .map(|e| &e.id)
            .filter(|i| i.as_str().starts_with(&prefix))
            .collect();
        ids.sort();
        ids.dedup();
        let id = match ids[..] {
            [] => {
                return Err(StoreError::NotInTrash {
                    input: input.to_owned(),
                });
            }
            [one] => one.clone(),
            _ => match ids.iter().find(|i| i.as_str() == prefix) {
                Some(exact) => (*exact).clone(),
                None => {
                    return Err(StoreError::Ambiguous {
                        input: input.to_owned(),
                        candidates: ids.into_iter().cloned().collect(),
                    });
                }
            },
        };
        let entry = trash
            .iter()
            .find(|e| e.id == id)
            .expect("id came from the trash");
        let _lock = self.lock_all(std::slice::from_ref(&id), timeout)?;
        // the trash holds what `rm` moved there: a link or FIFO is not read
        let bytes =
            super::guarded::read(&entry.path, self.config().max_file_size)?.ok_or_else(|| {
                StoreError::NotInTrash {
                    input: id.to_string(),
                }
            })?;
        let target = self.issue_path(&id);
        match write_new_file(self.issues_dir(), &target, &bytes) {
            Ok(()) => {}
            Err(StoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                return Err(StoreError::Exists { id });
            }
            Err(e) => return Err(e),
        }
        std::fs::remove_file(&entry.path)
            .map_err(super::io_err("could not remove", &entry.path))?;
        match self.read_issue(&id) {
            Ok(Some(issue)) => {
                self.journal(&[(&issue, &bytes)]);
                Ok(issue)
            }
            Ok(None) => Err(StoreError::NotFound {
                input: id.to_string(),
            }),
            Err(broken) => Err(StoreError::Broken { broken }),
        }
    }

    /// Rewrites issue files in canonical form (keys yit does not know are
    /// kept as written), one file at a time under its lock. Returns the ids
    /// whose files changed, or would change when `write` is false.
    pub fn format_issues(
        &self,
        ids: &[IssueId],
        timeout: Duration,
        write: bool,
    ) -> Result<Vec<IssueId>, StoreError> {
        let mut changed = Vec::new();
        for id in ids {
            let _lock = self.lock_all(std::slice::from_ref(id), timeout)?;
            let (issue, text) = self.load_with_text(id)?;
            let canonical = edit::canonical_text(&issue, &text, self.config())?;
            if canonical != text {
                if write {
                    self.replace_checked(&[(self.issue_path(id), canonical.clone().into_bytes())])?;
                    self.journal(&[(&issue, canonical.as_bytes())]);
                }
                changed.push(id.clone());
            }
        }
        Ok(changed)
    }
}

/// The version of an issue file: a hash of its bytes (xxh3, 128 bits, in
/// hex). A form carries the version it was made from, so that saving over
/// a file changed since is refused ([`Tracker::update_issue_at`]).
pub fn version_of(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

impl Tracker {
    /// Replaces issue files with `files`, all or none, unless one would be
    /// larger than `max_file_size`: yit would then refuse to read it, and
    /// only a hand edit could bring the issue back. Nothing is written then.
    fn replace_checked(&self, files: &[(PathBuf, Vec<u8>)]) -> Result<(), StoreError> {
        self.check_sizes(files)?;
        replace_all(self.issues_dir(), files, &|_| {})
    }

    /// `WouldBeTooLarge` for the first of `files` past `max_file_size`.
    fn check_sizes(&self, files: &[(PathBuf, Vec<u8>)]) -> Result<(), StoreError> {
        let max = self.config().max_file_size;
        match files.iter().find(|(_, b)| b.len() as u64 > max) {
            Some((path, bytes)) => Err(StoreError::WouldBeTooLarge {
                path: self.shown(path),
                size: bytes.len() as u64,
                max,
            }),
            None => Ok(()),
        }
    }

    /// Writes the new texts of `changed` (all or none, none past
    /// `max_file_size`), through the change journal (`store::changes`)
    /// when there are several: a process killed between two renames
    /// leaves a change the next command finishes.
    fn replace_journaled(&self, changed: &[Changed]) -> Result<(), StoreError> {
        let files: Vec<(PathBuf, Vec<u8>)> = changed
            .iter()
            .filter_map(|c| Some((self.issue_path(&c.id), c.after.clone()?.into_bytes())))
            .collect();
        self.check_sizes(&files)?;
        let pending = self.journal_change(changed)?;
        replace_all(self.issues_dir(), &files, &|n| self.before_file(n))?;
        pending.done()
    }

    /// The test hook before the n-th file of a change to several files.
    fn before_file(&self, n: usize) {
        if let Some(hook) = &self.before_file {
            hook(n);
        }
    }

    /// [`version_of`] the regular file at `path` as it is now (at most
    /// `max_file_size` of it read: yit reads no larger issue file).
    pub(super) fn version_on_disk(&self, path: &std::path::Path) -> Option<String> {
        super::guarded::read(path, self.config().max_file_size)
            .ok()
            .flatten()
            .map(|bytes| version_of(&bytes))
    }
}
