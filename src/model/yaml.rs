//! The YAML dialect yit reads and the settings it reads it with.
//!
//! Every YAML read in yit goes through [`read_options`]: duplicate keys are
//! errors, booleans are strict, and budgets refuse alias bombs and deep
//! nesting quickly with bounded memory. Issue files have no use for aliases,
//! so the alias limits are tight.

/// Parse options for issue and config files.
pub fn read_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 32,
            max_aliases: 256,
            max_anchors: 256,
            max_nodes: 500_000,
            max_documents: 1,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 10_000,
            max_replay_stack_depth: 8,
        },
        strict_booleans: true,
        with_snippet: false,
    }
}

/// Serializer options for the files yit writes: two-space indentation,
/// sequences indented under their key.
pub fn write_options() -> serde_saphyr::SerializerOptions {
    serde_saphyr::ser_options! {
        indent_step: 2,
        compact_list_indent: false,
    }
}

/// Serializes `value` as a YAML document in yit's style.
pub fn to_string<T: serde::Serialize>(value: &T) -> Result<String, serde_saphyr::SerializeError> {
    let mut text = serde_saphyr::to_string_with_options(value, write_options())?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// What a look at a file's text finds that the parser reports in its own
/// terms ([`lint`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lint {
    /// A `---` line after content: a second document.
    SecondDocument(crate::model::problem::Pos),
    /// A line indented with a tab.
    Tab(crate::model::problem::Pos),
}

/// The first thing in `text` that the parser would report in its own
/// terms: a second document, or a tab that indents a line.
pub fn lint(text: &str) -> Option<Lint> {
    let mut content = false;
    for (n, line) in text.lines().enumerate() {
        let pos = |column| crate::model::problem::Pos {
            line: n as u64 + 1,
            column,
        };
        if line == "---" || line.starts_with("--- ") {
            if content {
                return Some(Lint::SecondDocument(pos(1)));
            }
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        if line[indent..].starts_with('\t') {
            return Some(Lint::Tab(pos(indent as u64 + 1)));
        }
        let trimmed = line.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            content = true;
        }
    }
    None
}
