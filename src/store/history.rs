//! The history cache: every commit yit has walked from HEAD, with the
//! issue files it changed, in `<state>/history.v1`. A walk stops at the
//! commits already there, so a history of 100,000 commits is read once; the
//! cache is never the truth (unreadable: walked again), and which commits
//! count is decided each time by following parents from HEAD.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{ISSUES_DIR, StoreError, Tracker};
use crate::git::{CommitId, CommitNode, FileCommit, FileHistory};

const HISTORY: &str = "history.v1";
const HISTORY_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct HistoryFile {
    version: u32,
    nodes: Vec<CommitNode>,
}

impl Tracker {
    /// The commits reachable from HEAD that changed the issue file `name`,
    /// newest first, with the file before and after.
    pub fn file_history(&self, name: &str) -> Result<FileHistory, StoreError> {
        let path = self.state_dir().join(HISTORY);
        let mut nodes: Vec<CommitNode> = std::fs::read(&path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<HistoryFile>(&bytes).ok())
            .filter(|file| file.version == HISTORY_VERSION)
            .map(|file| file.nodes)
            .unwrap_or_default();
        let known: HashSet<CommitId> = nodes.iter().map(|n| n.id).collect();
        let new = self.repo.walk_changes(ISSUES_DIR, &known)?;
        if !new.is_empty() {
            nodes.extend(new);
            // best effort: the cache only saves time
            let file = HistoryFile {
                version: HISTORY_VERSION,
                nodes,
            };
            if let Ok(bytes) = postcard::to_stdvec(&file) {
                let tmp = self
                    .state_dir()
                    .join(format!(".{HISTORY}.{}.tmp", std::process::id()));
                let _ = std::fs::create_dir_all(self.state_dir());
                if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
            }
            nodes = file.nodes;
        }
        let Some(head) = self.repo.head_commit_id() else {
            return Ok(FileHistory::default());
        };
        let by_id: HashMap<CommitId, &CommitNode> = nodes.iter().map(|n| (n.id, n)).collect();
        let mut stack = vec![head];
        let mut seen: HashSet<CommitId> = HashSet::new();
        let mut history = FileHistory::default();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(node) = by_id.get(&id) else { continue };
            stack.extend(node.parents.iter().copied());
            history.shallow |= node.cut;
            let Some((_, before, after)) = node.changes.iter().find(|c| c.0 == name) else {
                continue;
            };
            let read = |blob: &Option<CommitId>| blob.as_ref().and_then(|b| self.repo.blob(b));
            history.commits.push(FileCommit {
                id: node.id.iter().map(|b| format!("{b:02x}")).collect(),
                author: node.author.clone(),
                time: node.time,
                summary: node.summary.clone(),
                before: read(before),
                after: read(after),
            });
        }
        history.commits.sort_by_key(|c| std::cmp::Reverse(c.time));
        Ok(history)
    }
}
