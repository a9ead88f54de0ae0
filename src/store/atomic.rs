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
/// thread has, and the permissions of any file the user creates (0666
/// less the umask: tempfile's default, 0600, would hide issue files from
/// the user's group).
pub fn temp_in(dir: &Path) -> std::io::Result<TempFile> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(TMP_PREFIX)
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
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
    // (a bare file name's parent is "")
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
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
    fn a_written_file_has_the_permissions_of_any_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "x").expect("write");
        let target = dir.path().join("replaced");
        replace(&target, b"x", true).expect("replace");
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(&target), mode(&plain));
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
