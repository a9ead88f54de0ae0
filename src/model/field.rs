//! `FieldError`: why a value cannot go into a field of an issue, with the
//! one wording every front end, `doctor` and the file checks give. The
//! rules of a field's text (a title, a label, a person, a priority) live
//! here; those that depend on config.yaml are [`Config`] methods built on
//! them.
//!
//! [`Config`]: crate::model::config::Config

use crate::model::config::LOWEST_PRIORITY;

/// A field named in a [`FieldError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldName {
    Status,
    /// A status whose role is `closed` (`yit close --as`).
    ClosedStatus,
    Type,
    Assignee,
    CommentAuthor,
}

impl std::fmt::Display for FieldName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FieldName::Status => "status",
            FieldName::ClosedStatus => "closed status",
            FieldName::Type => "type",
            FieldName::Assignee => "assignee",
            FieldName::CommentAuthor => "comment author",
        })
    }
}

/// What is wrong with a label's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelFault {
    Spaces,
    Comma,
    Control,
    TooLong,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A status or type config.yaml does not define; `known` are those it
    /// does, in its order.
    #[error("unknown {field} {name:?} (config.yaml defines {}{})", known.join(", "), did_you_mean(name, known))]
    Unknown {
        field: FieldName,
        name: String,
        known: Vec<String>,
    },
    #[error("{name:?} is not a closed status")]
    NotClosed { name: String },
    /// A priority as a person typed it (`high`, `P9`).
    #[error(
        "a priority is a number from 0 (most urgent) to {LOWEST_PRIORITY}, or P0 to P{LOWEST_PRIORITY}"
    )]
    PriorityText { text: String },
    #[error("priority must be from 0 (highest) to {LOWEST_PRIORITY}, got {priority}")]
    PriorityRange { priority: u8 },
    #[error("the title is empty")]
    TitleEmpty,
    #[error("the title contains a line break; put longer text in the body")]
    TitleLineBreak,
    #[error("the title contains the control character {0:?}")]
    TitleControl(char),
    #[error("a label cannot be empty")]
    LabelEmpty,
    #[error("label {} {}", shown(label), match fault {
        LabelFault::Spaces => "has leading or trailing spaces",
        LabelFault::Comma => "contains a comma",
        LabelFault::Control => "contains a control character",
        LabelFault::TooLong => "is longer than 100 characters",
    })]
    Label { label: String, fault: LabelFault },
    #[error("label {0:?} is not in config.yaml's labels (strict_labels is on)")]
    LabelNotListed(String),
    /// A person that is neither `Name <email>` nor an address; `field`
    /// names where it was given, when that is not said around it.
    #[error("{}{} is not `Name <email>` or an email address", field.map(|f| format!("{f}: ")).unwrap_or_default(), shown(person))]
    Person {
        field: Option<FieldName>,
        person: String,
    },
    #[error("{}{person} contains the control character {c:?}", field.map(|f| format!("{f}: ")).unwrap_or_default())]
    PersonControl {
        field: Option<FieldName>,
        person: String,
        c: char,
    },
    #[error("empty comment; nothing was added")]
    EmptyComment,
    #[error("empty comment; nothing was changed (`yit comment rm` removes one)")]
    EmptyCommentEdit,
}

impl FieldError {
    /// The same error, said of `field` (a person given as an assignee).
    pub fn in_field(self, field: FieldName) -> FieldError {
        match self {
            FieldError::Person { person, .. } => FieldError::Person {
                field: Some(field),
                person,
            },
            FieldError::PersonControl { person, c, .. } => FieldError::PersonControl {
                field: Some(field),
                person,
                c,
            },
            other => other,
        }
    }
}

/// `; did you mean "bug"?` when one of `known` is what `name` most likely
/// meant ([`suggestion`]).
fn did_you_mean(name: &str, known: &[String]) -> String {
    match suggestion(name, known) {
        Some(one) => format!("; did you mean {one:?}?"),
        None => String::new(),
    }
}

/// The one name of `known` that `typed` most likely meant: the same in
/// another case, else the only one it begins (`won` for `wontfix`), else
/// the nearest in spelling (`clsoed` for `closed`).
fn suggestion<'a>(typed: &str, known: &'a [String]) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    let only = |found: Vec<&'a String>| match found[..] {
        [one] => Some(one.as_str()),
        _ => None,
    };
    let lower = |n: &&String| n.to_lowercase();
    only(known.iter().filter(|n| lower(n) == typed).collect())
        .or_else(|| {
            only(
                known
                    .iter()
                    .filter(|n| !typed.is_empty() && lower(n).starts_with(&typed))
                    .collect(),
            )
        })
        .or_else(|| {
            known
                .iter()
                .map(|n| (strsim::jaro_winkler(&typed, &n.to_lowercase()), n))
                .filter(|(score, _)| *score >= 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, n)| n.as_str())
        })
}

/// Checks a title: not empty, one line, no control characters but tabs.
pub fn check_title(title: &str) -> Result<(), FieldError> {
    if title.trim().is_empty() {
        return Err(FieldError::TitleEmpty);
    }
    if title.contains(['\n', '\r']) {
        return Err(FieldError::TitleLineBreak);
    }
    if let Some(c) = title.chars().find(|c| c.is_control() && *c != '\t') {
        return Err(FieldError::TitleControl(c));
    }
    Ok(())
}

/// Checks one label: not empty, no surrounding space, no commas (they
/// separate alternatives in queries), no control characters.
pub fn check_label(label: &str) -> Result<(), FieldError> {
    if label.trim().is_empty() {
        return Err(FieldError::LabelEmpty);
    }
    let fault = if label.trim() != label {
        LabelFault::Spaces
    } else if label.contains(',') {
        LabelFault::Comma
    } else if label.chars().any(char::is_control) {
        LabelFault::Control
    } else if label.chars().count() > 100 {
        LabelFault::TooLong
    } else {
        return Ok(());
    };
    Err(FieldError::Label {
        label: label.to_owned(),
        fault,
    })
}

/// Checks a person: `Name <email>` or a bare email address, with no
/// control characters (a line break, a terminal's escape).
pub fn check_person(person: &str) -> Result<(), FieldError> {
    if let Some(c) = person.chars().find(|c| c.is_control()) {
        return Err(FieldError::PersonControl {
            field: None,
            person: shown(person),
            c,
        });
    }
    match crate::model::issue::person_email(person) {
        Some(_) => Ok(()),
        None => Err(FieldError::Person {
            field: None,
            person: person.to_owned(),
        }),
    }
}

/// A value as an error shows it: whole when short, else its start, its
/// length and an ellipsis (a refused 100,000-character label is not
/// echoed back whole).
fn shown(value: &str) -> String {
    const SHOWN: usize = 40;
    if value.chars().count() <= SHOWN {
        return format!("{value:?}");
    }
    let start: String = value.chars().take(SHOWN).collect();
    format!("{start:?}… ({} characters)", value.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_value_and_the_way_out() {
        let unknown = FieldError::Unknown {
            field: FieldName::Type,
            name: "Bug".into(),
            known: vec!["bug".into(), "feature".into()],
        };
        assert_eq!(
            unknown.to_string(),
            r#"unknown type "Bug" (config.yaml defines bug, feature; did you mean "bug"?)"#
        );
        assert_eq!(
            check_person("nobody")
                .unwrap_err()
                .in_field(FieldName::Assignee)
                .to_string(),
            r#"assignee: "nobody" is not `Name <email>` or an email address"#
        );
        assert_eq!(
            check_label("a,b").unwrap_err().to_string(),
            r#"label "a,b" contains a comma"#
        );
    }
}
