//! The tracker's committed configuration, `.issues/config.yaml`.
//!
//! Owns the statuses and their roles, priorities, issue types, known labels
//! and the file size limit; reads and validates the file with positions for
//! every problem. It does not know where the file lives: the store passes
//! the text and the path to show.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::model::field::{FieldError, FieldName, check_label};
use crate::model::problem::{Pos, Problem};
use crate::model::yaml;

/// The format version this yit reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Priorities run from 0 (highest) to this value.
pub const LOWEST_PRIORITY: u8 = 4;

/// The role a status plays in the workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// New issues start here; `reopen` returns here. Exactly one.
    Initial,
    /// Someone is working on it. Exactly one.
    Active,
    /// Not closed, neither initial nor active (e.g. `review`). Any number.
    Open,
    /// Done, one way or another. At least one; the first is the default.
    Closed,
}

impl Role {
    /// How config.yaml and `--json` name the role.
    pub fn name(self) -> &'static str {
        match self {
            Role::Initial => "initial",
            Role::Active => "active",
            Role::Open => "open",
            Role::Closed => "closed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    pub name: String,
    pub role: Role,
}

/// The effective configuration of one tracker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Config {
    pub format_version: u32,
    pub statuses: Vec<Status>,
    pub default_priority: u8,
    pub types: Vec<String>,
    pub default_type: String,
    pub labels: Vec<String>,
    pub strict_labels: bool,
    pub max_file_size: u64,
    /// How long a claim's lease holds unless renewed, in seconds; `None`:
    /// until released (`claim_ttl: 0`, as it is printed).
    #[serde(serialize_with = "ttl_seconds")]
    pub claim_ttl: Option<u64>,
}

/// `claim_ttl` as config.yaml takes it: seconds, 0 for never.
fn ttl_seconds<S: serde::Serializer>(ttl: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(ttl.unwrap_or(0))
}

impl Default for Config {
    fn default() -> Config {
        let status = |name: &str, role| Status {
            name: name.to_owned(),
            role,
        };
        Config {
            format_version: FORMAT_VERSION,
            statuses: vec![
                status("open", Role::Initial),
                status("in_progress", Role::Active),
                status("closed", Role::Closed),
            ],
            default_priority: 2,
            types: ["bug", "feature", "task", "chore"]
                .map(str::to_owned)
                .to_vec(),
            default_type: "task".to_owned(),
            labels: Vec::new(),
            strict_labels: false,
            max_file_size: 1024 * 1024,
            claim_ttl: Some(2 * 3600),
        }
    }
}

impl Config {
    /// The text `yit init` writes: the defaults, with comments for people.
    pub fn initial_text() -> String {
        let c = Config::default();
        let mut out = String::from(
            "# yit tracker configuration (committed). The format is described in\n\
             # yit's docs/format.md. `yit doctor` checks this file.\n",
        );
        out.push_str(&format!("format_version: {}\n", c.format_version));
        out.push_str("# Exactly one `initial` and one `active` status, one or more `closed`,\n");
        out.push_str("# and any number of other `open` ones, in workflow order.\n");
        out.push_str("statuses:\n");
        for s in &c.statuses {
            let role = s.role.name();
            out.push_str(&format!("  - name: {}\n    role: {role}\n", s.name));
        }
        out.push_str("# Priorities run from 0 (highest) to 4.\n");
        out.push_str(&format!("default_priority: {}\n", c.default_priority));
        out.push_str(&format!("types: [{}]\n", c.types.join(", ")));
        out.push_str(&format!("default_type: {}\n", c.default_type));
        out.push_str("# Known labels; others are allowed unless strict_labels is true.\n");
        out.push_str("labels: []\nstrict_labels: false\n");
        out.push_str("# Issue files larger than this many bytes are refused unread.\n");
        out.push_str(&format!("max_file_size: {}\n", c.max_file_size));
        out.push_str("# How long a claim holds unless renewed (`yit claim --renew`): seconds,\n");
        out.push_str("# or with s, m, h or d; 0 holds it until released.\n");
        out.push_str("claim_ttl: 2h\n");
        out
    }

    /// Reads and validates config text; `path` is only used in problems.
    pub fn parse(text: &str, path: &Path) -> Result<Config, Vec<Problem>> {
        if text.trim().is_empty() {
            return Err(vec![Problem::at(
                path,
                Pos::START,
                "empty configuration file",
            )]);
        }
        let raw: RawConfig = serde_saphyr::from_str_with_options(text, yaml::read_options())
            .map_err(|e| vec![Problem::from_yaml_text(path, text, &e)])?;
        raw.validate(path)
    }

    pub fn status(&self, name: &str) -> Option<&Status> {
        self.statuses.iter().find(|s| s.name == name)
    }

    pub fn initial_status(&self) -> &str {
        self.first_with(Role::Initial)
    }

    pub fn active_status(&self) -> &str {
        self.first_with(Role::Active)
    }

    /// The default status of `close`: the first closed status.
    pub fn closed_status(&self) -> &str {
        self.first_with(Role::Closed)
    }

    pub fn is_closed(&self, status: &str) -> bool {
        self.status(status).is_some_and(|s| s.role == Role::Closed)
    }

    fn first_with(&self, role: Role) -> &str {
        self.statuses
            .iter()
            .find(|s| s.role == role)
            .map(|s| s.name.as_str())
            .expect("validated configs have a status of every required role")
    }

    pub fn status_names(&self) -> String {
        self.statuses
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Checks that `name` is a status config.yaml defines, with the message
    /// every front end and `doctor` give.
    pub fn check_status(&self, name: &str) -> Result<(), FieldError> {
        match self.status(name) {
            Some(_) => Ok(()),
            None => Err(unknown(
                FieldName::Status,
                name,
                self.statuses.iter().map(|s| s.name.as_str()),
            )),
        }
    }

    /// Checks that `name` is a type config.yaml defines.
    pub fn check_type(&self, name: &str) -> Result<(), FieldError> {
        match self.types.iter().any(|t| t == name) {
            true => Ok(()),
            false => Err(unknown(
                FieldName::Type,
                name,
                self.types.iter().map(String::as_str),
            )),
        }
    }

    /// A closed status as a person typed it (any case).
    pub fn closed_status_named(&self, typed: &str) -> Result<String, FieldError> {
        let closed = self
            .statuses
            .iter()
            .filter(|s| s.role == Role::Closed)
            .map(|s| s.name.as_str());
        if let Some(name) = named(typed, closed.clone()) {
            return Ok(name);
        }
        match self.status_named(typed) {
            Ok(name) => Err(FieldError::NotClosed { name }),
            // suggested among the closed statuses only
            Err(_) => Err(unknown(FieldName::ClosedStatus, typed, closed)),
        }
    }

    /// Checks a label an issue is given: its text, and with
    /// `strict_labels`, that config.yaml lists it.
    pub fn check_issue_label(&self, label: &str) -> Result<(), FieldError> {
        check_label(label)?;
        match self.strict_labels && !self.labels.iter().any(|l| l == label) {
            true => Err(FieldError::LabelNotListed(label.to_owned())),
            false => Ok(()),
        }
    }

    /// A priority as a person writes it: `0` (most urgent) to
    /// [`LOWEST_PRIORITY`], or `P0`.. as tables print them.
    pub fn parse_priority(text: &str) -> Result<u8, FieldError> {
        let digits = text
            .strip_prefix(['P', 'p'])
            .filter(|rest| !rest.is_empty())
            .unwrap_or(text);
        match digits.parse::<u8>() {
            Ok(n) if n <= LOWEST_PRIORITY => Ok(n),
            _ => Err(FieldError::PriorityText {
                text: text.to_owned(),
            }),
        }
    }

    /// Checks a priority: 0 (highest) to [`LOWEST_PRIORITY`].
    pub fn check_priority(priority: u8) -> Result<(), FieldError> {
        match priority <= LOWEST_PRIORITY {
            true => Ok(()),
            false => Err(FieldError::PriorityRange { priority }),
        }
    }

    /// The status a person typed: exact, or the one status that differs
    /// only in case (`In_Progress`); files are held to the exact name.
    pub fn status_named(&self, typed: &str) -> Result<String, FieldError> {
        named(typed, self.statuses.iter().map(|s| s.name.as_str()))
            .ok_or_else(|| self.check_status(typed).expect_err("not a status"))
    }

    /// The type a person typed: exact, or the one that differs only in case.
    pub fn type_named(&self, typed: &str) -> Result<String, FieldError> {
        named(typed, self.types.iter().map(String::as_str))
            .ok_or_else(|| self.check_type(typed).expect_err("not a type"))
    }
}

/// `typed` if it is one of `names`, else the one name equal to it in any
/// case.
fn named<'a>(typed: &str, names: impl Iterator<Item = &'a str> + Clone) -> Option<String> {
    if names.clone().any(|n| n == typed) {
        return Some(typed.to_owned());
    }
    let mut folded = names.filter(|n| n.to_lowercase() == typed.to_lowercase());
    match (folded.next(), folded.next()) {
        (Some(one), None) => Some(one.to_owned()),
        _ => None,
    }
}

/// A status or type `name` that is not among `names`.
fn unknown<'a>(field: FieldName, name: &str, names: impl Iterator<Item = &'a str>) -> FieldError {
    FieldError::Unknown {
        field,
        name: name.to_owned(),
        known: names.map(str::to_owned).collect(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    format_version: Spanned<u32>,
    statuses: Option<Spanned<Vec<RawStatus>>>,
    default_priority: Option<Spanned<u8>>,
    types: Option<Spanned<Vec<Spanned<String>>>>,
    default_type: Option<Spanned<String>>,
    labels: Option<Vec<Spanned<String>>>,
    strict_labels: Option<bool>,
    max_file_size: Option<Spanned<u64>>,
    claim_ttl: Option<Spanned<RawTtl>>,
}

/// `claim_ttl` as written: a number of seconds, or text with a unit.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawTtl {
    Seconds(u64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatus {
    name: Spanned<String>,
    role: Spanned<Role>,
}

fn at<T>(s: &Spanned<T>) -> Pos {
    Pos::of_location(&s.referenced)
}

impl RawConfig {
    fn validate(self, path: &Path) -> Result<Config, Vec<Problem>> {
        let defaults = Config::default();
        let mut problems = Vec::new();
        let mut bad = |pos: Pos, msg: String| problems.push(Problem::at(path, pos, msg));

        if self.format_version.value != FORMAT_VERSION {
            bad(
                at(&self.format_version),
                format!(
                    "format_version {} is not supported; this yit reads format_version {FORMAT_VERSION}{}",
                    self.format_version.value,
                    if self.format_version.value > FORMAT_VERSION {
                        " (upgrade yit)"
                    } else {
                        ""
                    }
                ),
            );
        }

        let statuses = match self.statuses {
            None => defaults.statuses.clone(),
            Some(list) => {
                let pos = at(&list);
                let mut out: Vec<Status> = Vec::new();
                for s in list.value {
                    let name = s.name.value.clone();
                    if !valid_status_name(&name) {
                        bad(
                            at(&s.name),
                            format!(
                                "status name {name:?} must be lowercase letters, digits, '_' or '-'"
                            ),
                        );
                    } else if out.iter().any(|o| o.name == name) {
                        bad(at(&s.name), format!("status {name:?} is defined twice"));
                    }
                    out.push(Status {
                        name,
                        role: s.role.value,
                    });
                }
                let count = |role| out.iter().filter(|s| s.role == role).count();
                for (role, word) in [(Role::Initial, "initial"), (Role::Active, "active")] {
                    if count(role) != 1 {
                        bad(
                            pos,
                            format!(
                                "statuses need exactly one with role {word}, found {}",
                                count(role)
                            ),
                        );
                    }
                }
                if count(Role::Closed) == 0 {
                    bad(
                        pos,
                        "statuses need at least one with role closed".to_owned(),
                    );
                }
                out
            }
        };

        let default_priority = match self.default_priority {
            Some(p) if p.value > LOWEST_PRIORITY => {
                bad(
                    at(&p),
                    format!(
                        "default_priority must be from 0 to {LOWEST_PRIORITY}, found {}",
                        p.value
                    ),
                );
                defaults.default_priority
            }
            Some(p) => p.value,
            None => defaults.default_priority,
        };

        let types = match self.types {
            None => defaults.types.clone(),
            Some(list) => {
                let pos = at(&list);
                let mut out: Vec<String> = Vec::new();
                for t in list.value {
                    if !valid_status_name(&t.value) {
                        bad(
                            at(&t),
                            format!(
                                "type {:?} must be lowercase letters, digits, '_' or '-'",
                                t.value
                            ),
                        );
                    } else if out.contains(&t.value) {
                        bad(at(&t), format!("type {:?} is listed twice", t.value));
                    }
                    out.push(t.value);
                }
                if out.is_empty() {
                    bad(pos, "types must list at least one issue type".to_owned());
                }
                out
            }
        };

        let default_type = match self.default_type {
            Some(t) => {
                if !types.contains(&t.value) {
                    bad(
                        at(&t),
                        format!(
                            "default_type {:?} is not one of types ({})",
                            t.value,
                            types.join(", ")
                        ),
                    );
                }
                t.value
            }
            None if types.contains(&defaults.default_type) => defaults.default_type.clone(),
            None => types.first().cloned().unwrap_or_default(),
        };

        let mut labels: Vec<String> = Vec::new();
        for l in self.labels.unwrap_or_default() {
            if let Err(why) = check_label(&l.value) {
                bad(at(&l), why.to_string());
            } else if labels.contains(&l.value) {
                bad(at(&l), format!("label {:?} is listed twice", l.value));
            }
            labels.push(l.value);
        }

        let max_file_size = match self.max_file_size {
            Some(m) if m.value == 0 => {
                bad(at(&m), "max_file_size must be at least 1 byte".to_owned());
                defaults.max_file_size
            }
            Some(m) => m.value,
            None => defaults.max_file_size,
        };

        let claim_ttl = match self.claim_ttl {
            None => defaults.claim_ttl,
            Some(t) => {
                let seconds = match &t.value {
                    RawTtl::Seconds(n) => Some(*n),
                    RawTtl::Text(text) => crate::model::lease::parse_ttl(text),
                };
                match seconds {
                    Some(0) => None,
                    Some(n) => Some(n),
                    None => {
                        bad(
                            at(&t),
                            "claim_ttl must be seconds, or a number with s, m, h or d (0: never)"
                                .to_owned(),
                        );
                        defaults.claim_ttl
                    }
                }
            }
        };

        if !problems.is_empty() {
            problems.sort_by_key(|p| (p.line, p.column));
            return Err(problems);
        }
        Ok(Config {
            format_version: self.format_version.value,
            statuses,
            default_priority,
            types,
            default_type,
            labels,
            strict_labels: self.strict_labels.unwrap_or(false),
            max_file_size,
            claim_ttl,
        })
    }
}

fn valid_status_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_are_numbers_or_table_names() {
        assert_eq!(Config::parse_priority("0"), Ok(0));
        assert_eq!(Config::parse_priority("P3"), Ok(3));
        assert_eq!(Config::parse_priority("p4"), Ok(4));
        for bad in ["high", "5", "P", "-1", "P9", ""] {
            assert!(Config::parse_priority(bad).is_err(), "{bad}");
        }
    }

    fn parse(text: &str) -> Result<Config, Vec<String>> {
        Config::parse(text, Path::new("c.yaml"))
            .map_err(|ps| ps.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn initial_text_parses_to_defaults() {
        assert_eq!(parse(&Config::initial_text()), Ok(Config::default()));
    }

    #[test]
    fn missing_roles_and_unknown_keys_are_reported_with_positions() {
        let errs =
            parse("format_version: 1\nstatuses:\n  - name: open\n    role: initial\n").unwrap_err();
        assert_eq!(
            errs,
            vec![
                "c.yaml:3:3: statuses need exactly one with role active, found 0",
                "c.yaml:3:3: statuses need at least one with role closed",
            ]
        );
        let errs = parse("format_version: 1\ncolour: red\n").unwrap_err();
        assert!(errs[0].starts_with("c.yaml:2:1: "), "{errs:?}");
        let errs = parse("format_version: 2\n").unwrap_err();
        assert_eq!(
            errs,
            vec![
                "c.yaml:1:17: format_version 2 is not supported; this yit reads format_version 1 (upgrade yit)"
            ]
        );
    }
}
