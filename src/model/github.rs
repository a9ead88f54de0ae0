//! GitHub issues (the JSON of `gh issue list --json number,title,body,
//! state,labels,assignees,author,createdAt,updatedAt,comments`) as yit
//! issues, and a second import's changes as a three-way merge against what
//! the last import brought. Pure.
//!
//! The `github:` field of an imported issue keeps the number, the URL, the
//! assignees beyond the first, and `imported`: the upstream values of the
//! fields yit maps, as the last import saw them (the title and body as
//! 128-bit digests: a second copy of every body is not kept). A field that changed
//! upstream since then is taken, unless it also changed here (then the
//! local value stays and the field is reported).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::config::Config;
use crate::model::edit::Change;
use crate::model::id::IssueId;
use crate::model::issue::{self, Comment, Issue};

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GhIssue {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub state: String,
    #[serde(default)]
    pub labels: Vec<GhLabel>,
    #[serde(default)]
    pub assignees: Vec<GhUser>,
    #[serde(default)]
    pub author: Option<GhUser>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub comments: Vec<GhComment>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct GhLabel {
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct GhUser {
    pub login: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GhComment {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub author: Option<GhUser>,
    #[serde(default)]
    pub body: String,
    pub created_at: String,
}

/// What GitHub labels give a new issue (`import --github --type-label
/// bug=bug --priority-label urgent=0`): label names, compared ignoring
/// case, to a type of the configuration and to a priority; the first of an
/// issue's labels that is mapped wins.
#[derive(Clone, Debug, Default)]
pub struct LabelMap {
    pub types: Vec<(String, String)>,
    pub priorities: Vec<(String, u8)>,
}

/// The upstream values of the fields yit maps, as one import saw them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub title: String,
    pub body: String,
    pub status: String,
    pub labels: Vec<String>,
    pub assignee: Option<String>,
}

impl Snapshot {
    /// As the `imported` key keeps it: the title and body as digests.
    fn stored(&self) -> serde_json::Value {
        serde_json::to_value(self.clone().digested()).unwrap_or_default()
    }

    /// With the title and body as their digests.
    fn digested(self) -> Snapshot {
        Snapshot {
            title: as_digest(&self.title),
            body: as_digest(&self.body),
            ..self
        }
    }
}

/// A GitHub user as a yit person: `Name <login@users.noreply.github.com>`.
pub fn person(user: &GhUser) -> String {
    let login: String = user
        .login
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let name = user
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&user.login);
    let name: String = name
        .chars()
        .filter(|c| !matches!(c, '<' | '>') && !c.is_control())
        .collect();
    format!("{} <{login}@users.noreply.github.com>", name.trim())
}

/// A value of GitHub's export yit cannot take.
#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error("{what} {text:?} is not an RFC 3339 time")]
    Time {
        what: &'static str,
        text: String,
        #[source]
        source: jiff::Error,
    },
}

fn time(text: &str, what: &'static str) -> Result<Timestamp, GithubError> {
    let t: Timestamp = text.parse().map_err(|source| GithubError::Time {
        what,
        text: text.to_owned(),
        source,
    })?;
    // files keep whole seconds
    Ok(issue::whole_seconds(t))
}

impl GhIssue {
    /// The upstream values, mapped: labels yit cannot hold are left out
    /// (and named in `dropped`).
    pub fn snapshot(&self, config: &Config, dropped: &mut Vec<String>) -> Snapshot {
        let status = if self.state.eq_ignore_ascii_case("closed") {
            config.closed_status()
        } else {
            config.initial_status()
        };
        let mut labels = Vec::new();
        for l in &self.labels {
            let ok = issue::check_label(&l.name).is_ok()
                && (!config.strict_labels || config.labels.contains(&l.name));
            if !ok {
                dropped.push(l.name.clone());
            } else if !labels.contains(&l.name) {
                labels.push(l.name.clone());
            }
        }
        Snapshot {
            title: self.title.trim().to_owned(),
            body: self.body.replace("\r\n", "\n"),
            status: status.to_owned(),
            labels,
            assignee: self.assignees.first().map(person),
        }
    }

    /// The `github:` field for this upstream state.
    pub fn field(&self, snapshot: &Snapshot) -> serde_json::Value {
        let mut field = serde_json::json!({ "number": self.number });
        if let Some(url) = &self.url {
            field["url"] = serde_json::json!(url);
        }
        if self.assignees.len() > 1 {
            let rest: Vec<&str> = self.assignees[1..]
                .iter()
                .map(|a| a.login.as_str())
                .collect();
            field["assignees"] = serde_json::json!(rest);
        }
        field["imported"] = snapshot.stored();
        field
    }

    /// Comments as yit's: the GitHub id kept (or made from the number and
    /// position), in upstream order.
    pub fn comments(&self) -> Result<Vec<Comment>, GithubError> {
        self.comments
            .iter()
            .enumerate()
            .map(|(n, c)| {
                Ok(Comment {
                    id: c
                        .id
                        .clone()
                        .filter(|id| !id.trim().is_empty())
                        .unwrap_or_else(|| format!("gh-{}-{}", self.number, n + 1)),
                    author: c.author.as_ref().map(person),
                    created: time(&c.created_at, "comment createdAt")?,
                    body: c.body.replace("\r\n", "\n"),
                })
            })
            .collect()
    }

    /// The value `map` gives the first of this issue's labels it maps
    /// (label names compared ignoring case).
    fn mapped<T: Clone>(&self, map: &[(String, T)]) -> Option<T> {
        self.labels.iter().find_map(|l| {
            map.iter()
                .find(|(label, _)| label.eq_ignore_ascii_case(&l.name))
                .map(|(_, value)| value.clone())
        })
    }

    /// A new yit issue for this GitHub issue; its type and priority are
    /// those `labels` maps the first of its labels to, else the defaults.
    pub fn new_issue(
        &self,
        id: IssueId,
        config: &Config,
        labels: &LabelMap,
        dropped: &mut Vec<String>,
    ) -> Result<Issue, GithubError> {
        let snapshot = self.snapshot(config, dropped);
        let kind = self
            .mapped(&labels.types)
            .unwrap_or_else(|| config.default_type.clone());
        let priority = self
            .mapped(&labels.priorities)
            .unwrap_or(config.default_priority);
        Ok(Issue {
            id,
            title: snapshot.title.clone(),
            status: snapshot.status.clone(),
            priority,
            kind,
            labels: snapshot.labels.clone(),
            assignee: snapshot.assignee.clone(),
            author: self.author.as_ref().map(person),
            created: time(&self.created_at, "createdAt")?,
            updated: time(&self.updated_at, "updatedAt")?,
            body: snapshot.body.clone(),
            comments: self.comments()?,
            parent: None,
            depends_on: Vec::new(),
            github: Some(self.field(&snapshot)),
            conflicts: Vec::new(),
            extra: Default::default(),
        })
    }

    /// What a second import changes in `local`: upstream changes since the
    /// last import, unless the field changed here too (those are returned
    /// as conflicts, by field name, and the local value stays); upstream
    /// comments not here yet; the new snapshot.
    pub fn update(
        &self,
        local: &Issue,
        config: &Config,
        dropped: &mut Vec<String>,
    ) -> Result<(Vec<Change>, Vec<&'static str>), GithubError> {
        let theirs = self.snapshot(config, dropped);
        let base: Option<Snapshot> = local
            .github
            .as_ref()
            .and_then(|g| g.get("imported"))
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        // without a snapshot (an issue tagged by hand), upstream is the base;
        // the title and body are compared by their digests (the snapshot
        // keeps only those: no second copy of every body in the files)
        let base = base.unwrap_or_else(|| theirs.clone()).digested();
        let (local_title, local_body) = (digest(&local.title), digest(&local.body));
        let (their_title, their_body) = (digest(&theirs.title), digest(&theirs.body));
        let mut changes = Vec::new();
        let mut conflicts = Vec::new();
        let mut field = |name, changed: Option<Option<Change>>| match changed {
            Some(Some(change)) => changes.push(change),
            Some(None) => conflicts.push(name),
            None => {}
        };
        field(
            "title",
            three_way(&base.title, &local_title, &their_title, || {
                Change::Title(theirs.title.clone())
            }),
        );
        field(
            "body",
            three_way(&base.body, &local_body, &their_body, || {
                Change::Body(theirs.body.clone())
            }),
        );
        field(
            "status",
            three_way(&base.status, &local.status, &theirs.status, || {
                Change::Status(theirs.status.clone())
            }),
        );
        field(
            "assignee",
            three_way(&base.assignee, &local.assignee, &theirs.assignee, || {
                Change::Assignee(theirs.assignee.clone())
            }),
        );
        // labels as a set: additions and removals upstream are applied
        // unless the same label was changed here the other way
        for label in theirs.labels.iter().filter(|l| !base.labels.contains(l)) {
            if !local.labels.contains(label) {
                changes.push(Change::AddLabel(label.clone()));
            }
        }
        for label in base.labels.iter().filter(|l| !theirs.labels.contains(l)) {
            if local.labels.contains(label) {
                changes.push(Change::RemoveLabel(label.clone()));
            }
        }
        for comment in self.comments()? {
            if !local.comments.iter().any(|c| c.id == comment.id) {
                changes.push(Change::AddComment(comment));
            }
        }
        let field_value = self.field(&theirs);
        if local.github.as_ref() != Some(&field_value) {
            changes.push(Change::Github(Some(field_value)));
        }
        Ok((changes, conflicts))
    }
}

/// One field compared three ways: `None` when upstream did not change it
/// (or both sides agree), `Some(Some(change))` to take upstream's value,
/// `Some(None)` when it changed here too (a conflict: the local value stays).
fn three_way<T: PartialEq>(
    base: &T,
    local: &T,
    theirs: &T,
    change: impl FnOnce() -> Change,
) -> Option<Option<Change>> {
    if theirs == base || local == theirs {
        return None;
    }
    Some((local == base).then(change))
}

/// What the snapshot keeps of a title or body: `xxh3:` and its 128-bit
/// hash, enough to tell whether it changed.
fn digest(text: &str) -> String {
    format!("xxh3:{:032x}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// A stored title or body as its digest: kept as one, or (a snapshot
/// written before digests) the text itself.
fn as_digest(stored: &str) -> String {
    let is_digest = stored
        .strip_prefix("xxh3:")
        .is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    if is_digest {
        stored.to_owned()
    } else {
        digest(stored)
    }
}

/// The GitHub number an issue was imported from.
pub fn number_of(issue: &Issue) -> Option<u64> {
    issue.github.as_ref()?.get("number")?.as_u64()
}

#[cfg(test)]
mod digests {
    use super::*;

    #[test]
    fn a_snapshot_from_before_digests_reads_as_one() {
        let text = "The parser panics";
        assert_eq!(as_digest(text), digest(text));
        assert_eq!(as_digest(&digest(text)), digest(text));
        // a title that merely starts like one is text
        assert_eq!(as_digest("xxh3:not hex"), digest("xxh3:not hex"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gh(title: &str, state: &str, labels: &[&str]) -> GhIssue {
        serde_json::from_value(serde_json::json!({
            "number": 7,
            "title": title,
            "body": "Body\r\n",
            "state": state,
            "labels": labels.iter().map(|l| serde_json::json!({"name": l})).collect::<Vec<_>>(),
            "assignees": [{"login": "ann", "name": "Ann Lee"}, {"login": "bob"}],
            "author": {"login": "dependabot[bot]"},
            "createdAt": "2026-01-02T03:04:05Z",
            "updatedAt": "2026-01-03T03:04:05Z",
            "comments": [{"id": "IC_1", "author": {"login": "bob"}, "body": "hi", "createdAt": "2026-01-02T04:00:00Z"}],
        }))
        .expect("gh json")
    }

    #[test]
    fn an_upstream_issue_maps_to_yit_fields() {
        let config = Config::default();
        let mut dropped = Vec::new();
        let id = IssueId::parse_canonical("abcd123456").expect("id");
        let issue = gh("Crash", "OPEN", &["bug", "a,b"])
            .new_issue(id, &config, &LabelMap::default(), &mut dropped)
            .expect("issue");
        assert_eq!(dropped, ["a,b"]);
        assert_eq!(issue.labels, ["bug"]);
        assert_eq!(issue.body, "Body\n");
        assert_eq!(
            issue.assignee.as_deref(),
            Some("Ann Lee <ann@users.noreply.github.com>")
        );
        assert_eq!(
            issue.author.as_deref(),
            Some("dependabot[bot] <dependabotbot@users.noreply.github.com>")
        );
        assert_eq!(issue.comments[0].id, "IC_1");
        let github = issue.github.as_ref().expect("github");
        assert_eq!(github["assignees"], serde_json::json!(["bob"]));
        assert_eq!(number_of(&issue), Some(7));
        issue.to_yaml(&config).expect("a valid file");
    }

    #[test]
    fn a_second_import_takes_upstream_changes_and_keeps_local_ones() {
        let config = Config::default();
        let id = IssueId::parse_canonical("abcd123456").expect("id");
        let mut local = gh("Crash", "OPEN", &["bug"])
            .new_issue(id, &config, &LabelMap::default(), &mut Vec::new())
            .expect("issue");
        // here: the title changed; upstream: title and status and a label
        local.title = "Crash on start".to_owned();
        let (changes, conflicts) = gh("Crash at boot", "CLOSED", &["bug", "ui"])
            .update(&local, &config, &mut Vec::new())
            .expect("update");
        assert_eq!(conflicts, ["title"]);
        assert!(changes.contains(&Change::Status("closed".to_owned())));
        assert!(changes.contains(&Change::AddLabel("ui".to_owned())));
        assert!(!changes.iter().any(|c| matches!(c, Change::Title(_))));
        assert!(changes.iter().any(|c| matches!(c, Change::Github(Some(_)))));
        assert!(
            !changes.iter().any(|c| matches!(c, Change::AddComment(_))),
            "comment already here"
        );
    }
}
