//! Writing issue files: exclusive creation, all-or-nothing replacement of
//! several files, the trash. Every write goes to a temporary file in the
//! same directory, is synced, then linked or renamed into place.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{StoreError, TMP_PREFIX, io_err};
use crate::id::IdSource;

/// Writes a temporary file in `dir`, syncs it, and links it to `target`,
/// which must not exist yet (`AlreadyExists` otherwise). The directory is
/// synced so the new name survives a crash.
pub(super) fn write_new_file(dir: &Path, target: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = temp_path(dir);
    let result = write_synced(&tmp, bytes).and_then(|()| {
        // link(2) is atomic and refuses an existing name: exclusive creation
        std::fs::hard_link(&tmp, target).map_err(io_err("could not create", target))
    });
    let _ = std::fs::remove_file(&tmp);
    result?;
    sync_dir(dir);
    Ok(())
}

pub(super) fn temp_path(dir: &Path) -> PathBuf {
    let mut rng = IdSource::new(None);
    dir.join(format!(
        "{TMP_PREFIX}{}-{}",
        std::process::id(),
        rng.token(8)
    ))
}

/// Best effort: some platforms cannot open a directory for syncing.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes every `(target, bytes)` to a temporary file first, then renames
/// them all into place. If a rename fails, the files already replaced are
/// put back from hard-linked backups: all of them change, or none.
pub(super) fn replace_all(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(), StoreError> {
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    let cleanup = |paths: &[PathBuf]| {
        for p in paths {
            let _ = std::fs::remove_file(p);
        }
    };
    for (_, bytes) in files {
        let tmp = temp_path(dir);
        let written = write_synced(&tmp, bytes);
        temps.push(tmp);
        if let Err(e) = written {
            cleanup(&temps);
            return Err(e);
        }
    }
    if files.len() == 1 {
        // one rename is atomic by itself
        let result = std::fs::rename(&temps[0], &files[0].0)
            .map_err(io_err("could not replace", &files[0].0));
        if result.is_err() {
            cleanup(&temps);
        }
        result?;
        sync_dir(dir);
        return Ok(());
    }
    let mut backups: Vec<Option<PathBuf>> = Vec::with_capacity(files.len());
    for (target, _) in files {
        let backup = temp_path(dir);
        match std::fs::hard_link(target, &backup) {
            Ok(()) => backups.push(Some(backup)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => backups.push(None),
            Err(e) => {
                cleanup(&temps);
                cleanup(&backups.into_iter().flatten().collect::<Vec<_>>());
                return Err(io_err("could not back up", target)(e));
            }
        }
    }
    for (i, ((target, _), tmp)) in files.iter().zip(&temps).enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            for ((done, _), backup) in files[..i].iter().zip(&backups) {
                match backup {
                    Some(b) => {
                        let _ = std::fs::rename(b, done);
                    }
                    None => {
                        let _ = std::fs::remove_file(done);
                    }
                }
            }
            cleanup(&temps[i..]);
            cleanup(&backups.into_iter().flatten().collect::<Vec<_>>());
            return Err(io_err("could not replace", target)(e));
        }
    }
    cleanup(&backups.into_iter().flatten().collect::<Vec<_>>());
    sync_dir(dir);
    Ok(())
}

/// One removed issue kept in the trash.
#[derive(Clone, Debug)]
pub struct TrashEntry {
    pub path: PathBuf,
    pub id: crate::id::IssueId,
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
