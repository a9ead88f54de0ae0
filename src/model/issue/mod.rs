//! The issue model: fields, validation, and the canonical YAML form.
//!
//! Owns what an issue file may contain and how yit writes a new one. Reading
//! checks the bytes (UTF-8, conflict markers), the YAML, and every field
//! against the tracker's [`Config`], reporting each problem with its file,
//! line and column. Keys yit does not know are kept in [`Issue::extra`].
//! This module never touches the disk.

//!
//! `read` turns a file into an issue or its problems; `canonical` is the
//! form of the files yit writes.

use std::path::Path;

use indexmap::IndexMap;
use jiff::Timestamp;

use crate::model::config::Config;
use crate::model::id::IssueId;
use crate::model::problem::{Pos, Problem};
use crate::model::yaml;

/// One issue, as read from its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    pub id: IssueId,
    pub title: String,
    pub status: String,
    pub priority: u8,
    /// The issue type (`type:` in the file).
    pub kind: String,
    pub labels: Vec<String>,
    /// `Name <email>`, as stored.
    pub assignee: Option<String>,
    pub author: Option<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub body: String,
    pub comments: Vec<Comment>,
    /// Reserved for dependencies: the parent issue.
    pub parent: Option<IssueId>,
    /// Reserved for dependencies: issues this one waits for.
    pub depends_on: Vec<IssueId>,
    /// Reserved for import: where the issue came from on GitHub.
    pub github: Option<serde_json::Value>,
    /// Reserved for merges: unresolved field conflicts.
    pub conflicts: Vec<serde_json::Value>,
    /// Keys a person added by hand, in file order.
    pub extra: IndexMap<String, serde_json::Value>,
}

/// One comment on an issue.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub id: String,
    pub author: Option<String>,
    pub created: Timestamp,
    pub body: String,
}

/// The keys yit knows, in canonical order.
pub const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "status",
    "priority",
    "type",
    "labels",
    "assignee",
    "author",
    "created",
    "updated",
    "body",
    "comments",
    "parent",
    "depends_on",
    "github",
    "conflicts",
];

impl Issue {
    /// An issue with only its id: every text empty, priority 0, times at
    /// the epoch (for callers that fill in the fields they know).
    pub fn stub(id: IssueId) -> Issue {
        Issue {
            id,
            title: String::new(),
            status: String::new(),
            priority: 0,
            kind: String::new(),
            labels: Vec::new(),
            assignee: None,
            author: None,
            created: Timestamp::UNIX_EPOCH,
            updated: Timestamp::UNIX_EPOCH,
            body: String::new(),
            comments: Vec::new(),
            parent: None,
            depends_on: Vec::new(),
            github: None,
            conflicts: Vec::new(),
            extra: IndexMap::new(),
        }
    }

    /// Reads an issue from the bytes of its file.
    ///
    /// `path` is only used in problems; `file_id` is the id the file name
    /// says, which the `id:` field must match.
    pub fn parse(
        bytes: &[u8],
        path: &Path,
        file_id: Option<&IssueId>,
        config: &Config,
    ) -> Result<Issue, Broken> {
        let text = check_text(bytes, path).map_err(Broken::from)?;
        let raw: RawIssue = serde_saphyr::from_str_with_options(text, yaml::read_options())
            .map_err(|e| {
                Broken::from(field_problem(text, Problem::from_yaml_text(path, text, &e)))
            })?;
        raw.validate(path, file_id, config)
    }

    /// The canonical YAML text of this issue: known fields in order, the
    /// body as a literal block when that round-trips, hand-added keys last.
    ///
    /// The text is parsed back before it is returned; a form that would not
    /// read back as this exact issue is an error, never a file.
    pub fn to_yaml(&self, config: &Config) -> Result<String, IssueError> {
        let text =
            yaml::to_string(&Canonical::of(self)).map_err(|source| IssueError::Serialize {
                id: self.id.clone(),
                source: Box::new(source),
            })?;
        let path = Path::new(".issues").join(self.id.file_name());
        match Issue::parse(text.as_bytes(), &path, Some(&self.id), config) {
            Ok(back) if back == *self => Ok(text),
            Ok(_) => Err(IssueError::RoundTrip {
                id: self.id.clone(),
            }),
            Err(broken) => Err(IssueError::Invalid {
                id: self.id.clone(),
                problems: broken.problems,
            }),
        }
    }

    /// Whether `text` is this issue in canonical form, byte for byte (what
    /// [`Issue::to_yaml`] writes; no read back is needed to tell).
    pub fn is_canonical(&self, text: &str) -> bool {
        self.extra.is_empty() && yaml::to_string(&Canonical::of(self)).is_ok_and(|t| t == text)
    }

    /// The bytes search reads: the title, the body and every comment's
    /// body (the document length of BM25).
    pub fn text_len(&self) -> usize {
        self.title.len()
            + self.body.len()
            + self.comments.iter().map(|c| c.body.len()).sum::<usize>()
    }

    /// Whether the assignee is `who`: an email (compared without regard
    /// to case), or else, in any case, a name as a table shows it
    /// ([`person_short`]), the part of the email before `@` (a GitHub
    /// login: `bstone` for `Bob Stone <bstone@users.noreply.github.com>`),
    /// or the assignee as written.
    pub fn is_assigned_to(&self, who: &str) -> bool {
        let Some(assignee) = self.assignee.as_deref() else {
            return false;
        };
        let email = person_email(assignee);
        if who.contains('@') {
            return email.is_some_and(|e| e.eq_ignore_ascii_case(who));
        }
        // (compared letter by letter, folded: a filter asks this of every issue)
        let same = |a: &str| {
            a.chars()
                .flat_map(char::to_lowercase)
                .eq(who.trim().chars().flat_map(char::to_lowercase))
        };
        same(person_short(assignee))
            || email.is_some_and(|e| e.split('@').next().is_some_and(same))
            || same(assignee.trim())
    }
}

/// Why a file is not a valid issue.
#[derive(Clone, Debug, PartialEq)]
pub struct Broken {
    /// Every problem found, in file order.
    pub problems: Vec<Problem>,
    /// The id the file's `id:` field claims when it differs from its name,
    /// with its position: `doctor` uses it to name duplicate ids.
    pub claimed_id: Option<(IssueId, Pos)>,
}

impl From<Problem> for Broken {
    fn from(problem: Problem) -> Broken {
        Broken {
            problems: vec![problem],
            claimed_id: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("issue {id} could not be serialized")]
    Serialize {
        id: IssueId,
        #[source]
        source: Box<serde_saphyr::SerializeError>,
    },
    #[error("issue {id} would not read back as written; nothing was written")]
    RoundTrip { id: IssueId },
    /// The text it would be does not read back: what reading it found.
    #[error("issue {id} is not valid: {}", crate::model::problem::first(problems))]
    Invalid { id: IssueId, problems: Vec<Problem> },
}

pub use crate::model::field::{check_label, check_person, check_title};

/// The email of a person written as `Name <email>` or as a bare address.
/// Who a person is, for comparing and counting: the email, in lower case
/// (`Bob Smith <Bob@example.com>` and `bob@example.com` are one person),
/// or the text itself, trimmed, when it holds no email.
pub fn person_key(person: &str) -> String {
    person_email(person).unwrap_or(person.trim()).to_lowercase()
}

/// How a table names a person: the name part of `Name <email>`, or the
/// email when there is no name.
pub fn person_short(person: &str) -> &str {
    match person.split_once('<') {
        Some((name, _)) if !name.trim().is_empty() => name.trim(),
        _ => person_email(person).unwrap_or(person),
    }
}

/// Who a person is where people are compared (`me` and `assignee:` in a
/// query, the holder of a claim): their email, or the text when it has
/// none. The one reading of it.
pub fn identity_of(person: &str) -> String {
    person_email(person).unwrap_or(person).to_owned()
}

pub fn person_email(person: &str) -> Option<&str> {
    let person = person.trim();
    let email = match person.strip_suffix('>') {
        Some(rest) => {
            let (name, email) = rest.rsplit_once('<')?;
            if name.contains(['<', '>']) {
                return None;
            }
            email
        }
        None => person,
    };
    let ok =
        email.contains('@') && !email.contains(|c: char| c.is_whitespace() || c == '<' || c == '>');
    ok.then_some(email)
}

/// `t` to the whole second: the one rule of every time yit writes (files
/// keep seconds, so what is compared and shown is what is stored).
pub fn whole_seconds(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// The time now, to the whole second ([`whole_seconds`]).
pub fn now_in_seconds() -> Timestamp {
    whole_seconds(Timestamp::now())
}

/// Formats a timestamp the way yit writes it: RFC 3339, UTC, seconds.
pub fn format_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A time given in seconds since the epoch (git's, the trash's), as
/// [`format_time`] writes it; empty for one out of range.
pub fn format_unix(seconds: i64) -> String {
    Timestamp::from_second(seconds)
        .map(format_time)
        .unwrap_or_default()
}

/// Byte-level checks before YAML parsing: UTF-8, not empty, no conflict
/// markers.
fn check_text<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a str, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        let pos = Pos::of_offset(valid, valid.len());
        Problem::at(
            path,
            pos,
            format!("invalid UTF-8 (byte 0x{:02x})", bytes[e.valid_up_to()]),
        )
    })?;
    if text.trim().is_empty() {
        return Err(Problem::at(path, Pos::START, "empty file"));
    }
    for (n, line) in text.lines().enumerate() {
        let marker = ["<<<<<<<", ">>>>>>>", "|||||||"]
            .iter()
            .any(|m| line.starts_with(m))
            || line.trim_end() == "=======";
        if marker {
            let pos = Pos {
                line: n as u64 + 1,
                column: 1,
            };
            return Err(Problem::at(
                path,
                pos,
                "unresolved git conflict marker; resolve the merge, then run `yit doctor`",
            ));
        }
    }
    Ok(text)
}

/// Names the field a YAML error concerns when its line starts with a key.
fn field_problem(text: &str, problem: Problem) -> Problem {
    let Some(line) = problem.line.and_then(|l| text.lines().nth(l as usize - 1)) else {
        return problem;
    };
    match line.split_once(':') {
        Some((key, _)) if KNOWN_KEYS.contains(&key) && problem.column.unwrap_or(1) > 1 => {
            problem.in_field(key)
        }
        _ => problem,
    }
}

mod canonical;
mod read;

use canonical::Canonical;
pub(crate) use canonical::canonical_comment;
use read::RawIssue;

/// Parses an issue's text for a test: its id comes from its `id:` line,
/// the configuration is the default one. Panics on an invalid issue.
#[cfg(test)]
pub(crate) fn parse_for_test(text: &str) -> Issue {
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .expect("an id line")
        .trim_matches('"');
    let id = IssueId::parse_canonical(id).expect("a valid id");
    Issue::parse(
        text.as_bytes(),
        Path::new("x.yaml"),
        Some(&id),
        &Config::default(),
    )
    .expect("a valid issue")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Issue {
        Issue {
            id: IssueId::parse_canonical("4k2f9x1c0a").expect("valid id"),
            title: "Crash: on # empty 'repo' \"x\"".to_owned(),
            status: "open".to_owned(),
            priority: 1,
            kind: "bug".to_owned(),
            labels: vec!["crash".to_owned(), "needs: triage".to_owned()],
            assignee: None,
            author: Some("Ann <ann@example.com>".to_owned()),
            created: "2026-01-02T03:04:05Z".parse().expect("time"),
            updated: "2026-01-02T03:04:05Z".parse().expect("time"),
            body: "First line\n  indented\n\ntrailing  \n".to_owned(),
            comments: vec![],
            parent: None,
            depends_on: vec![],
            github: None,
            conflicts: vec![],
            extra: IndexMap::new(),
        }
    }

    fn parse(text: &str) -> Result<Issue, Vec<String>> {
        let id = IssueId::parse_canonical("4k2f9x1c0a");
        Issue::parse(
            text.as_bytes(),
            Path::new("x.yaml"),
            id.as_ref(),
            &Config::default(),
        )
        .map_err(|b| b.problems.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn canonical_form_is_stable() {
        let text = sample().to_yaml(&Config::default()).expect("serializes");
        insta::assert_snapshot!(text, @r#"
        id: 4k2f9x1c0a
        title: "Crash: on # empty 'repo' \"x\""
        status: open
        priority: 1
        type: bug
        labels:
          - crash
          - "needs: triage"
        assignee: null
        author: Ann <ann@example.com>
        created: "2026-01-02T03:04:05Z"
        updated: "2026-01-02T03:04:05Z"
        body: |
          First line
            indented

          trailing  
        comments: []
        "#);
        assert_eq!(parse(&text), Ok(sample()));
    }

    #[test]
    fn bodies_that_a_block_cannot_hold_are_quoted() {
        let mut issue = sample();
        issue.body = "a\r\nb".to_owned();
        let text = issue.to_yaml(&Config::default()).expect("serializes");
        assert!(text.contains("body: \"a\\r\\nb\""), "{text}");
        assert_eq!(parse(&text), Ok(issue));
    }

    #[test]
    fn field_errors_name_position_and_field() {
        let base = "id: 4k2f9x1c0a\ntitle: t\nstatus: open\ncreated: 2026-01-01T00:00:00Z\n";
        let errs = parse(&format!("{base}priority: high\n")).unwrap_err();
        assert_eq!(
            errs,
            vec!["x.yaml:5:11: priority must be an integer from 0 (highest) to 4, found \"high\""]
        );
        let errs = parse(&format!("{base}depends_on: 5\n")).unwrap_err();
        assert!(errs[0].starts_with("x.yaml:5:13: depends_on: "), "{errs:?}");
        let errs = parse(
            "id: 4k2f9x1c0a\ntitle: \"  \"\nstatus: shipped\ncreated: 2026-01-01T00:00:00Z\n",
        )
        .unwrap_err();
        assert_eq!(
            errs,
            vec![
                "x.yaml:2:8: the title is empty",
                "x.yaml:3:9: unknown status \"shipped\" (config.yaml defines open, in_progress, closed)",
            ]
        );
    }

    #[test]
    fn unknown_keys_are_kept_in_order() {
        let text = "id: 4k2f9x1c0a\nzeta: 1\ntitle: t\nstatus: open\ncreated: 2026-01-01T00:00:00Z\nalpha: [x]\n";
        let issue = parse(text).expect("valid");
        assert_eq!(
            issue.extra.keys().collect::<Vec<_>>(),
            vec!["zeta", "alpha"]
        );
    }

    #[test]
    fn people_parse() {
        assert_eq!(
            person_email("Ann Lee <Ann@Example.com>"),
            Some("Ann@Example.com")
        );
        assert_eq!(person_email("ann@example.com"), Some("ann@example.com"));
        assert_eq!(person_email("<a@b>"), Some("a@b"));
        assert_eq!(person_email("Ann"), None);
        assert_eq!(person_email("Ann <not an email>"), None);
    }
}

#[cfg(test)]
mod round_trip {
    use super::*;
    use proptest::prelude::*;

    fn issue(title: String, body: String, comment: String, label: String) -> Issue {
        Issue {
            id: IssueId::parse_canonical("4k2f9x1c0a").expect("valid id"),
            title,
            status: "open".to_owned(),
            priority: 2,
            kind: "task".to_owned(),
            labels: vec![label],
            assignee: None,
            author: Some("Ann <ann@example.com>".to_owned()),
            created: "2026-01-02T03:04:05Z".parse().expect("time"),
            updated: "2026-01-02T03:04:05Z".parse().expect("time"),
            body,
            comments: vec![Comment {
                id: "c0mment001".to_owned(),
                author: None,
                created: "2026-01-02T03:04:05Z".parse().expect("time"),
                body: comment,
            }],
            parent: None,
            depends_on: vec![],
            github: None,
            conflicts: vec![],
            extra: IndexMap::new(),
        }
    }

    /// Text with the characters that trip YAML up, and any others.
    fn text() -> impl Strategy<Value = String> {
        let tricky = prop::sample::select(vec![
            ":",
            "#",
            "'",
            "\"",
            "\\",
            "-",
            "? ",
            "|",
            ">",
            "&",
            "*",
            "!",
            "%",
            "@",
            "`",
            "{",
            "}",
            "[",
            "]",
            ",",
            " ",
            "  ",
            "\t",
            "\n",
            "\r",
            "\r\n",
            "\u{85}",
            "\u{2028}",
            "\u{feff}",
            "😀",
            "שלום",
            "مرحبا",
            "ñ",
            "yes",
            "no",
            "null",
            "~",
            "0x1F",
            "1.10",
            "---",
            "...",
            "é",
        ]);
        prop::collection::vec(
            prop_oneof![tricky.prop_map(str::to_owned), any::<String>()],
            0..12,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn any_text_round_trips(title in text(), body in text(), comment in text(), label in text()) {
            let title = if check_title(&title).is_ok() { title } else { "fallback title".to_owned() };
            let label = if check_label(&label).is_ok() { label } else { "fallback".to_owned() };
            let original = issue(title, body, comment, label);
            let yaml = original.to_yaml(&Config::default()).expect("canonical form");
            let back = Issue::parse(yaml.as_bytes(), Path::new("x.yaml"), Some(&original.id), &Config::default())
                .map_err(|b| b.problems[0].to_string());
            prop_assert_eq!(back, Ok(original));
        }
    }
}
