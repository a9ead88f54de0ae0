//! Problems found in files a person may have written: where and what.
//!
//! A [`Problem`] is data, not an error type: `doctor` lists many of them,
//! `list` warns about them, and single-issue commands turn one into an error.
//! This module also maps serde-saphyr errors and byte offsets to positions.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with one file, at a position when one applies.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// Path as shown to the user: relative to the worktree root.
    pub path: PathBuf,
    /// 1-based line, when the problem has a position.
    pub line: Option<u64>,
    /// 1-based column in characters, when the problem has a position.
    pub column: Option<u64>,
    pub message: String,
}

impl Problem {
    pub fn new(path: &Path, message: impl Into<String>) -> Problem {
        Problem {
            path: path.to_owned(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at(path: &Path, pos: Pos, message: impl Into<String>) -> Problem {
        Problem {
            path: path.to_owned(),
            line: Some(pos.line),
            column: Some(pos.column),
            message: message.into(),
        }
    }

    /// A problem from a serde-saphyr error on `text`, said as what the
    /// person wrote when a look at the text finds it (a second document, a
    /// tab that indents a line), else as [`Problem::from_yaml`] says it.
    pub fn from_yaml_text(path: &Path, text: &str, err: &serde_saphyr::Error) -> Problem {
        let parsed = Problem::from_yaml(path, err);
        match crate::model::yaml::lint(text) {
            Some(crate::model::yaml::Lint::SecondDocument(pos)) => Problem::at(
                path,
                pos,
                "a second YAML document starts here (`---`); a file holds one",
            ),
            Some(crate::model::yaml::Lint::Tab(pos)) if parsed.message.contains("tab") => {
                Problem::at(
                    path,
                    pos,
                    "a tab indents this line; YAML indents with spaces",
                )
            }
            _ => parsed,
        }
    }

    /// A problem from a serde-saphyr error: its position and its message
    /// without the position prefix and snippet the crate adds.
    pub fn from_yaml(path: &Path, err: &serde_saphyr::Error) -> Problem {
        let (message, suffix) = yaml_message(err);
        let pos = err
            .location()
            .filter(|loc| loc.line() > 0)
            .map(|loc| Pos::of_location(&loc))
            .or(suffix);
        match pos {
            Some(pos) => Problem::at(path, pos, message),
            None => Problem::new(path, message),
        }
    }

    /// Prefixes the message with the field it concerns, e.g. `priority: ...`.
    pub fn in_field(mut self, field: &str) -> Problem {
        self.message = format!("{field}: {}", self.message);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// A 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1 };

    /// The position of byte `offset` in `text` (clamped to the text).
    pub fn of_offset(text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let before = text.as_bytes().get(..offset).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count() as u64
            + 1;
        Pos { line, column }
    }

    /// The position of a serde-saphyr location.
    pub fn of_location(loc: &serde_saphyr::Location) -> Pos {
        Pos {
            line: loc.line().max(1),
            column: loc.column().max(1),
        }
    }
}

/// The message of a serde-saphyr error, without its `line N column M:`
/// prefix, its ` at line N, column M` suffix (returned as a position) and
/// without a rendered snippet: we print positions ourselves.
fn yaml_message(err: &serde_saphyr::Error) -> (String, Option<Pos>) {
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let mut rest = match first.strip_prefix("line ") {
        Some(tail) => tail
            .split_once(": ")
            .filter(|(pos, _)| pos.contains("column"))
            .map_or(first, |(_, msg)| msg),
        None => first,
    };
    let mut pos = None;
    if let Some(i) = rest.rfind(" at line ") {
        let numbers: Vec<u64> = rest[i + 9..]
            .split(", column ")
            .filter_map(|n| n.trim().parse().ok())
            .collect();
        if let [line, column] = numbers[..] {
            pos = Some(Pos {
                line: line.max(1),
                column: column.max(1),
            });
            rest = &rest[..i];
        }
    }
    // serde-saphyr speaks of parser events; say what the person wrote instead
    let message = if rest.starts_with("budget breached") || rest.starts_with("alias replay limit") {
        "anchors and aliases expand beyond what yit reads (an alias bomb?); refused".to_owned()
    } else if let Some(key) = rest.strip_prefix("duplicate mapping key: ") {
        // (without the parser's advice on its own options)
        let key = key.split(", set DuplicateKeyPolicy").next().unwrap_or(key);
        format!("the key {key:?} appears twice; keep one")
    } else {
        rest.replace("expected string scalar", "expected a single text value")
            .replace("expected sequence start", "expected a list, e.g. [a, b]")
            .replace(
                "expected mapping start",
                "expected a mapping of keys and values",
            )
    };
    (message, pos)
}

/// The first of `problems`, for a one-line message (empty without any).
pub fn first(problems: &[Problem]) -> String {
    problems.first().map(Problem::to_string).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_char_columns() {
        let text = "ab\ncé\nxyz";
        assert_eq!(Pos::of_offset(text, 0), Pos { line: 1, column: 1 });
        assert_eq!(Pos::of_offset(text, 3), Pos { line: 2, column: 1 });
        assert_eq!(Pos::of_offset(text, 6), Pos { line: 2, column: 3 });
        assert_eq!(Pos::of_offset(text, 8), Pos { line: 3, column: 2 });
    }

    #[test]
    fn display_is_path_line_column_message() {
        let p = Problem::at(
            Path::new(".issues/x.yaml"),
            Pos { line: 3, column: 7 },
            "bad",
        );
        assert_eq!(p.to_string(), ".issues/x.yaml:3:7: bad");
        assert_eq!(Problem::new(Path::new("a"), "m").to_string(), "a: m");
    }

    #[test]
    fn yaml_errors_keep_position_and_lose_prefix() {
        let err = serde_saphyr::from_str::<u8>("\n  high").expect_err("not a u8");
        let p = Problem::from_yaml(Path::new("f"), &err);
        assert_eq!((p.line, p.column), (Some(2), Some(3)), "{p}");
        assert!(!p.message.contains("line"), "{}", p.message);
    }
}
