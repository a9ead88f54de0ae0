//! One issue's history as a front end shows it: the commits that changed
//! its file, each with what it changed in words, and optionally the commits
//! whose messages mention it.

use super::Session;
use crate::model::id::IssueId;
use crate::model::issue::Issue;
use crate::store::{ISSUES_DIR, StoreError};

/// What [`Session::log`] found.
#[derive(Debug)]
pub struct IssueLog {
    pub id: IssueId,
    /// The file's path from the root (`.issues/<id>.yaml`).
    pub path: String,
    /// The title as it is now (or was last), empty when no version read.
    pub title: String,
    /// The walk stopped at a shallow clone's depth.
    pub shallow: bool,
    /// Newest first (commits of the same second in the walk's order).
    pub entries: Vec<LogEntry>,
}

/// A commit in an issue's history.
#[derive(Debug)]
pub struct LogEntry {
    /// Hex.
    pub commit: String,
    /// `Name <email>`.
    pub author: String,
    /// Seconds since the epoch (the author's time).
    pub time: i64,
    pub summary: String,
    /// What it changed, in words (`created`, `status: open → closed`...).
    pub changes: Vec<String>,
    /// It changed the issue's file (false: its message mentions the issue).
    pub changed_file: bool,
    order: usize,
}

impl Session<'_> {
    /// The history of the issue `input` names, from the branch's commits:
    /// an issue since removed is named by its full id. With `mentions`, the
    /// commits whose messages mention it are included.
    pub fn log(&mut self, input: &str, mentions: bool) -> Result<IssueLog, StoreError> {
        let id = match self.resolve(input) {
            Ok(id) => id,
            // gone from the worktree: its history is still in git
            Err(e) => IssueId::parse_canonical(&input.to_lowercase()).ok_or(e)?,
        };
        let tracker = self.tracker;
        let name = id.file_name();
        let path = format!("{ISSUES_DIR}/{name}");
        let history = tracker.file_history(&name)?;
        if history.commits.is_empty() {
            return Err(StoreError::NoHistory { path });
        }
        let parse = |bytes: &Option<Vec<u8>>| -> Option<Result<Issue, String>> {
            bytes.as_ref().map(|b| {
                Issue::parse(b, std::path::Path::new(&path), Some(&id), tracker.config())
                    .map_err(|broken| crate::model::problem::first(&broken.problems))
            })
        };
        let title = history
            .commits
            .iter()
            .find_map(|c| match parse(&c.after).or_else(|| parse(&c.before)) {
                Some(Ok(issue)) => Some(issue.title),
                _ => None,
            })
            .unwrap_or_default();
        let last = history.commits.len().saturating_sub(1);
        let mut entries: Vec<LogEntry> = history
            .commits
            .iter()
            .enumerate()
            .map(|(n, c)| {
                let changes = match (parse(&c.before), parse(&c.after)) {
                    // (newest first: an older entry means it was there before)
                    (None, Some(_)) if n < last => vec!["restored".to_owned()],
                    (None, Some(_)) => vec!["created".to_owned()],
                    (Some(_), None) => vec!["removed".to_owned()],
                    (Some(Ok(before)), Some(Ok(after))) => {
                        crate::model::history::changes(&before, &after)
                    }
                    (_, Some(Err(problem))) => {
                        vec![format!("changed into an invalid file: {problem}")]
                    }
                    (Some(Err(_)), Some(Ok(_))) => vec!["repaired".to_owned()],
                    (None, None) => Vec::new(),
                };
                LogEntry {
                    commit: c.id.clone(),
                    author: c.author.clone(),
                    time: c.time,
                    summary: c.summary.clone(),
                    changes,
                    changed_file: c.before.is_some() || c.after.is_some(),
                    order: c.order,
                }
            })
            .collect();
        if mentions {
            for linked in tracker.linked_commits(&id)? {
                if entries.iter().any(|e| e.commit == linked.id) {
                    continue;
                }
                entries.push(LogEntry {
                    commit: linked.id,
                    author: linked.author,
                    time: linked.time,
                    summary: linked.summary,
                    changes: vec!["mentions it in its message".to_owned()],
                    changed_file: false,
                    order: linked.order,
                });
            }
        }
        entries.sort_by_key(|e| (std::cmp::Reverse(e.time), e.order));
        Ok(IssueLog {
            id,
            path,
            title,
            shallow: history.shallow,
            entries,
        })
    }
}
