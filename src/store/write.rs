//! Writing issue files: exclusive creation, all-or-nothing replacement of
//! several files, the trash. Every write goes to a temporary file in the
//! same directory, is synced, then linked or renamed into place.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{StoreError, io_err};
use crate::store::atomic::{self, TempFile};

/// Writes a temporary file in `dir`, syncs it, and gives it the name
/// `target`, which must not exist yet (`AlreadyExists` otherwise). The
/// directory is synced so the new name survives a crash.
pub(super) fn write_new_file(dir: &Path, target: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = atomic::written(dir, bytes, true).map_err(io_err("could not write", dir))?;
    // renameat2(NOREPLACE), or link(2): atomic, and refuses an existing name
    tmp.persist_noclobber(target)
        .map_err(|e| io_err("could not create", target)(e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Creates `target` as [`write_new_file`] does, but unsynced: one of a
/// batch whose journal is synced already, and which [`sync_batch`] makes
/// durable whole before the journal goes (10,000 imported issues are one
/// flush, not 10,000).
pub(super) fn write_new_file_unsynced(
    dir: &Path,
    target: &Path,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let tmp = atomic::written(dir, bytes, false).map_err(io_err("could not write", dir))?;
    tmp.persist_noclobber(target)
        .map_err(|e| io_err("could not create", target)(e.error))?;
    Ok(())
}

/// Makes every file written in `dir` durable: one `syncfs` of its file
/// system, then the directory itself.
pub(super) fn sync_batch(dir: &Path) -> Result<(), StoreError> {
    let handle = File::open(dir).map_err(io_err("could not open", dir))?;
    rustix::fs::syncfs(&handle).map_err(|e| io_err("could not sync", dir)(e.into()))?;
    sync_dir(dir);
    Ok(())
}

/// Writes a journal (of a plan, of a change) as `<dir>/<random>.json`:
/// written whole and synced before it gets its name, so a journal that
/// exists is complete.
pub(super) fn write_journal(dir: &Path, bytes: &[u8]) -> Result<PathBuf, StoreError> {
    std::fs::create_dir_all(dir).map_err(io_err("could not create", dir))?;
    let name = crate::model::id::IdSource::new(None).token(12);
    let path = dir.join(format!("{name}.json"));
    atomic::written(dir, bytes, true)
        .map_err(io_err("could not write", dir))?
        .persist(&path)
        .map_err(|e| io_err("could not create", &path)(e.error))?;
    sync_dir(dir);
    Ok(path)
}

/// The journals in `dir` (`*.json`, as [`write_journal`] names them), with
/// the temporary files of journal writes that were killed before their
/// rename swept once they are old.
pub(super) fn journals_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut journals = Vec::new();
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(atomic::TMP_PREFIX)
        {
            super::sweep_leftover(&entry);
        } else if entry.path().extension().is_some_and(|x| x == "json") {
            journals.push(entry.path());
        }
    }
    journals
}

/// Best effort: some platforms cannot open a directory for syncing.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes every `(target, bytes)` to a temporary file first, then renames
/// them all into place. If a rename fails, the files already replaced are
/// put back from hard-linked backups: all of them change, or none (a
/// process killed between two renames is the change journal's to finish:
/// `store::changes`). Every temporary file and backup is a guard, removed
/// whatever happens. `before_rename(n)` is called before the n-th rename
/// of several.
pub(super) fn replace_all(
    dir: &Path,
    files: &[(PathBuf, Vec<u8>)],
    before_rename: &dyn Fn(usize),
) -> Result<(), StoreError> {
    let mut temps: Vec<TempFile> = Vec::with_capacity(files.len());
    for (_, bytes) in files {
        temps.push(atomic::written(dir, bytes, true).map_err(io_err("could not write", dir))?);
    }
    if files.len() == 1 {
        // one rename is atomic by itself
        let tmp = temps.pop().expect("one");
        tmp.persist(&files[0].0)
            .map_err(|e| io_err("could not replace", &files[0].0)(e.error))?;
        sync_dir(dir);
        return Ok(());
    }
    let mut backups: Vec<Option<TempFile<()>>> = Vec::with_capacity(files.len());
    for (target, _) in files {
        let linked = tempfile::Builder::new()
            .prefix(atomic::TMP_PREFIX)
            .make_in(dir, |path| std::fs::hard_link(target, path));
        match linked {
            Ok(backup) => backups.push(Some(backup)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => backups.push(None),
            Err(e) => return Err(io_err("could not back up", target)(e)),
        }
    }
    let mut replaced: Vec<&Path> = Vec::with_capacity(files.len());
    for (n, ((target, _), tmp)) in files.iter().zip(temps).enumerate() {
        before_rename(n);
        if let Err(e) = tmp.persist(target) {
            // put back what was replaced (the backups of the rest, and the
            // temporary files, are removed as they drop)
            for (done, backup) in replaced.into_iter().zip(backups) {
                match backup {
                    Some(b) => {
                        let _ = b.persist(done);
                    }
                    None => {
                        let _ = std::fs::remove_file(done);
                    }
                }
            }
            return Err(io_err("could not replace", target)(e.error));
        }
        replaced.push(target);
    }
    drop(backups);
    sync_dir(dir);
    Ok(())
}

/// One removed issue kept in the trash.
#[derive(Clone, Debug)]
pub struct TrashEntry {
    pub path: PathBuf,
    pub id: crate::model::id::IssueId,
    /// When it was removed (seconds since the epoch).
    pub removed: i64,
}

/// Copies `from` into `to` (which must not exist) and syncs it: the trash
/// may live on another filesystem than the worktree.
pub(super) fn copy_new(from: &Path, to: &Path) -> Result<(), StoreError> {
    let bytes = std::fs::read(from).map_err(io_err("could not read", from))?;
    write_synced(to, &bytes)?;
    if let Some(parent) = to.parent() {
        sync_dir(parent);
    }
    Ok(())
}

/// Creates `path` (which must not exist), writes `bytes` and syncs them.
pub(super) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io_err("could not create", path))?;
    file.write_all(bytes)
        .map_err(io_err("could not write", path))?;
    file.sync_all().map_err(io_err("could not sync", path))
}
