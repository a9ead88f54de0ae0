//! Reading a file that someone else may have put there (a cloned
//! repository's): never through a symbolic link, never a FIFO, device or
//! directory, never more than a bound. Nothing here blocks on a special
//! file: it is opened without waiting, then looked at.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum GuardedError {
    #[error("{} is a symbolic link; yit does not follow it", path.display())]
    Symlink { path: PathBuf },
    #[error("{} is not a regular file", path.display())]
    NotRegular { path: PathBuf },
    /// `size`: what the file measured, when it was over before the read
    /// (`None`: it grew while read).
    #[error("{} is over {limit} bytes; refused unread", path.display())]
    TooLarge {
        path: PathBuf,
        size: Option<u64>,
        limit: u64,
    },
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The bytes of the regular file `path`, at most `limit` of them; `None`
/// when there is no such file.
pub fn read(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, GuardedError> {
    use rustix::fs::{Mode, OFlags};
    let io = |source: std::io::Error| GuardedError::Io {
        path: path.to_owned(),
        source,
    };
    // NONBLOCK: opening a FIFO for reading would wait for a writer
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let fd = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(rustix::io::Errno::NOENT) => return Ok(None),
        Err(rustix::io::Errno::LOOP) => {
            return Err(GuardedError::Symlink {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(io(e.into())),
    };
    let file = std::fs::File::from(fd);
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(GuardedError::NotRegular {
            path: path.to_owned(),
        });
    }
    let too_large = |size| GuardedError::TooLarge {
        path: path.to_owned(),
        size,
        limit,
    };
    if meta.len() > limit {
        return Err(too_large(Some(meta.len())));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // bounded even if the file grows between the look and the read
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(None));
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_bound_are_read() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("f");
        std::fs::write(&file, "hello").expect("write");
        assert_eq!(read(&file, 5).expect("read"), Some(b"hello".to_vec()));
        assert!(matches!(read(&file, 4), Err(GuardedError::TooLarge { .. })));
        assert_eq!(read(&dir.path().join("none"), 5).expect("read"), None);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).expect("symlink");
        assert!(matches!(read(&link, 5), Err(GuardedError::Symlink { .. })));
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .expect("fifo");
        // returns at once, without a writer
        assert!(matches!(
            read(&fifo, 5),
            Err(GuardedError::NotRegular { .. })
        ));
        assert!(matches!(
            read(dir.path(), 5),
            Err(GuardedError::NotRegular { .. })
        ));
    }
}
