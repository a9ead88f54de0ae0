//! The one way yit writes a file that others may read while it is being
//! written: whole, under a temporary name in the same directory, then
//! renamed (or linked, for a name that must not exist yet) into place. The
//! temporary file is a guard: dropped before it is persisted, by an error
//! or a panic, it is removed.

use std::io::Write;
use std::path::Path;

pub use tempfile::NamedTempFile as TempFile;

/// Names of temporary files: a dotfile, which the listing, the watch and
/// the daemon pass over (`.issues/.gitignore` ignores them too).
pub const TMP_PREFIX: &str = ".yit-tmp-";

/// A new, empty temporary file in `dir`, with a name no other process or
/// thread has.
pub fn temp_in(dir: &Path) -> std::io::Result<TempFile> {
    tempfile::Builder::new().prefix(TMP_PREFIX).tempfile_in(dir)
}

/// A temporary file in `dir` holding `bytes`, synced to disk when `sync`
/// (an issue file, a journal; caches need not be).
pub fn written(dir: &Path, bytes: &[u8], sync: bool) -> std::io::Result<TempFile> {
    let mut tmp = temp_in(dir)?;
    tmp.as_file_mut().write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    Ok(tmp)
}

/// Replaces (or creates) `target` with `bytes` in one rename; on any
/// error the temporary file is gone and `target` as it was.
pub fn replace(target: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    written(dir, bytes, sync)?
        .persist(target)
        .map(drop)
        .map_err(|e| e.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_replace_leaves_no_temporary_file_and_the_target_as_it_was() {
        let dir = tempfile::tempdir().expect("dir");
        // a directory where the file should go: the rename fails
        let target = dir.path().join("cache");
        std::fs::create_dir(&target).expect("mkdir");
        std::fs::write(target.join("inside"), "kept").expect("write");
        assert!(replace(&target, b"new", true).is_err());
        assert_eq!(names(dir.path()), ["cache"]);
        assert_eq!(
            std::fs::read_to_string(target.join("inside")).expect("read"),
            "kept"
        );
    }

    #[test]
    fn a_replace_writes_whole_and_a_dropped_temporary_file_goes() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("file");
        replace(&target, b"one", false).expect("replace");
        replace(&target, b"two", true).expect("replace");
        assert_eq!(std::fs::read(&target).expect("read"), b"two");
        let tmp = written(dir.path(), b"never persisted", true).expect("temp");
        assert!(
            tmp.path()
                .file_name()
                .expect("name")
                .to_string_lossy()
                .starts_with(TMP_PREFIX)
        );
        drop(tmp);
        assert_eq!(names(dir.path()), ["file"]);
    }

    #[test]
    fn a_name_that_exists_is_not_taken() {
        let dir = tempfile::tempdir().expect("dir");
        let target = dir.path().join("taken");
        std::fs::write(&target, "first").expect("write");
        let err = written(dir.path(), b"second", true)
            .expect("temp")
            .persist_noclobber(&target)
            .expect_err("exists");
        assert_eq!(err.error.kind(), std::io::ErrorKind::AlreadyExists);
        drop(err);
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "first");
        assert_eq!(names(dir.path()), ["taken"]);
    }
}
