//! The instructions for coding agents that `yit agents --write` keeps in a
//! file of the repository (AGENTS.md, CLAUDE.md) between two marker lines:
//! written again in place on every run, the rest of the file as the person
//! wrote it, nothing written when nothing would change.

use std::path::{Path, PathBuf};

use super::StoreError;

/// The line before yit's block.
pub const BEGIN: &str =
    "<!-- yit:begin: written by `yit agents --write`; edit outside these markers -->";
/// The line after it.
pub const END: &str = "<!-- yit:end -->";
/// The largest file yit reads to put its block in.
const LIMIT: u64 = 1 << 20;

/// What writing the block did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockWritten {
    /// The file did not exist.
    Created,
    /// The block was added to the file, or replaced one that differed.
    Updated,
    /// The file had this very block.
    Unchanged,
}

/// Why the block was not written.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}; nothing was written", path.display())]
pub struct MarkerError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Puts `block` (without markers) between yit's markers in `path`: in
/// place of the block there, else at the end; the file is created if
/// missing, and written whole by rename.
pub fn write_block(path: &Path, block: &str) -> Result<BlockWritten, StoreError> {
    let old = match super::guarded::read(path, LIMIT)? {
        None => None,
        Some(bytes) => Some(String::from_utf8(bytes).map_err(|e| MarkerError {
            path: path.to_owned(),
            line: 1,
            message: format!("not UTF-8 text ({e})"),
        })?),
    };
    let framed = format!("{BEGIN}\n{}\n{END}\n", block.trim_end());
    let new = match &old {
        None => framed,
        Some(text) => spliced(path, text, &framed)?,
    };
    if old.as_deref() == Some(new.as_str()) {
        return Ok(BlockWritten::Unchanged);
    }
    super::atomic::replace(path, new.as_bytes(), true).map_err(|source| StoreError::Io {
        action: "could not write",
        path: path.to_owned(),
        source,
    })?;
    Ok(match old {
        None => BlockWritten::Created,
        Some(_) => BlockWritten::Updated,
    })
}

/// `text` with `framed` in place of its block, or after it.
fn spliced(path: &Path, text: &str, framed: &str) -> Result<String, MarkerError> {
    let error = |line: usize, message: &str| MarkerError {
        path: path.to_owned(),
        line,
        message: message.to_owned(),
    };
    // known by their start, whatever a person did to the rest of the line
    let is = |line: &str, marker: &str| line.trim_start().starts_with(marker);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let begins: Vec<usize> = (0..lines.len())
        .filter(|&i| is(lines[i], "<!-- yit:begin"))
        .collect();
    let ends: Vec<usize> = (0..lines.len())
        .filter(|&i| is(lines[i], "<!-- yit:end"))
        .collect();
    match (begins.as_slice(), ends.as_slice()) {
        ([], []) => {
            let mut out = text.to_owned();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.trim().is_empty() {
                out.push('\n');
            }
            out.push_str(framed);
            Ok(out)
        }
        ([b], [e]) if b < e => {
            let mut out: String = lines[..*b].concat();
            out.push_str(framed);
            out.push_str(&lines[e + 1..].concat());
            Ok(out)
        }
        ([b], [e]) => Err(error(
            e + 1,
            &format!(
                "yit's end marker comes before its begin marker (line {})",
                b + 1
            ),
        )),
        ([b, ..], []) => Err(error(
            b + 1,
            "yit's begin marker has no end marker after it",
        )),
        ([], [e, ..]) => Err(error(
            e + 1,
            "yit's end marker has no begin marker before it",
        )),
        (begins, _) if begins.len() > 1 => Err(error(begins[1] + 1, "a second yit begin marker")),
        (_, ends) => Err(error(ends[1] + 1, "a second yit end marker")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_is_added_then_replaced_in_place_and_nothing_else_moves() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("AGENTS.md");
        assert_eq!(
            write_block(&path, "one").expect("write"),
            BlockWritten::Created
        );
        assert_eq!(
            write_block(&path, "one").expect("write"),
            BlockWritten::Unchanged
        );
        let mine = format!(
            "# Mine\n\nBefore.\n\n{}After.\n",
            std::fs::read_to_string(&path).expect("read")
        );
        std::fs::write(&path, &mine).expect("write");
        assert_eq!(
            write_block(&path, "two").expect("write"),
            BlockWritten::Updated
        );
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            format!("# Mine\n\nBefore.\n\n{BEGIN}\ntwo\n{END}\nAfter.\n")
        );
        std::fs::write(&path, "# Theirs").expect("write");
        assert_eq!(
            write_block(&path, "one").expect("write"),
            BlockWritten::Updated
        );
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            format!("# Theirs\n\n{BEGIN}\none\n{END}\n")
        );
    }

    #[test]
    fn broken_markers_are_refused_with_their_line() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("AGENTS.md");
        let text = format!("# Mine\n{BEGIN}\nhalf\n");
        std::fs::write(&path, &text).expect("write");
        let err = write_block(&path, "one").expect_err("refused").to_string();
        assert!(
            err.ends_with(
                "AGENTS.md:2: yit's begin marker has no end marker after it; nothing was written"
            ),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), text);
    }
}
