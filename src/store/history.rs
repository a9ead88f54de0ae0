//! The history cache: every commit yit has walked from HEAD, with the
//! issue files it changed, in `<state>/history.v2`. A walk stops at the
//! commits already there, so a history of 100,000 commits is read once; the
//! cache is never the truth (unreadable: walked again), and which commits
//! count is decided each time by following parents from HEAD.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{ISSUES_DIR, StoreError, Tracker};
use crate::git::{CommitNode, FileCommit, FileHistory, Oid};
use crate::model::links::LinkKind;

const HISTORY: &str = "history.v2";
const HISTORY_VERSION: u32 = 3;
/// Earlier layouts, removed when the cache is written.
const OLD_HISTORY: &[&str] = &["history.v1"];

#[derive(Serialize, Deserialize)]
struct HistoryFile {
    version: u32,
    nodes: Vec<CommitNode>,
}

/// A commit whose message mentions an issue.
#[derive(Clone, Debug)]
pub struct LinkedCommit {
    /// Hex.
    pub id: String,
    pub author: String,
    pub time: i64,
    pub summary: String,
    pub kind: LinkKind,
    /// Its place in the walk from HEAD (see [`FileCommit::order`]).
    pub order: usize,
}

impl LinkedCommit {
    /// `node`, which mentions an issue as `kind`, at `order` in the walk.
    fn of(node: &CommitNode, kind: LinkKind, order: usize) -> LinkedCommit {
        LinkedCommit {
            id: hex(&node.id),
            author: node.author.clone(),
            time: node.time,
            summary: node.summary.clone(),
            kind,
            order,
        }
    }
}

impl Tracker {
    /// Every cached commit, walked up to HEAD first (the walk stops at the
    /// commits already cached), and HEAD.
    fn history_nodes(&self) -> Result<(Vec<CommitNode>, Option<Oid>), StoreError> {
        let path = self.state_dir().join(HISTORY);
        let mut nodes: Vec<CommitNode> = std::fs::read(&path)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<HistoryFile>(&bytes).ok())
            .filter(|file| file.version == HISTORY_VERSION)
            .map(|file| file.nodes)
            .unwrap_or_default();
        let known: HashSet<Oid> = nodes.iter().map(|n| n.id).collect();
        // mentions resolve against the issues that exist when first read
        let listing = std::cell::OnceCell::new();
        let resolve = |text: &str| -> Option<String> {
            let listing = listing.get_or_init(|| self.load_listing().ok());
            match listing.as_ref().and_then(|l| l.resolve(text).ok()) {
                Some(id) => Some(id.to_string()),
                // a full id of an issue removed since
                None => crate::model::id::IssueId::parse_canonical(text)
                    .filter(|id| id.as_str().len() >= crate::model::id::NEW_ID_LEN)
                    .map(|id| id.to_string()),
            }
        };
        let new = self.repo.walk_changes(ISSUES_DIR, &known, &resolve)?;
        if !new.is_empty() {
            nodes.extend(new);
            // best effort: the cache only saves time
            let file = HistoryFile {
                version: HISTORY_VERSION,
                nodes,
            };
            if let Ok(bytes) = postcard::to_stdvec(&file) {
                let _ = std::fs::create_dir_all(self.state_dir());
                let _ = crate::store::atomic::replace(&path, &bytes, false);
                for old in OLD_HISTORY {
                    let _ = std::fs::remove_file(self.state_dir().join(old));
                }
            }
            nodes = file.nodes;
        }
        Ok((nodes, self.repo.head_commit_id()))
    }

    /// The commits HEAD reaches whose message mentions issue `id`, newest
    /// first.
    pub fn linked_commits(
        &self,
        id: &crate::model::id::IssueId,
    ) -> Result<Vec<LinkedCommit>, StoreError> {
        let (nodes, head) = self.history_nodes()?;
        let mut out = Vec::new();
        for (order, node) in reachable(&nodes, head).into_iter().enumerate() {
            for (kind, linked) in &node.links {
                if linked == id.as_str() {
                    out.push(LinkedCommit::of(node, *kind, order));
                }
            }
        }
        out.sort_by_key(|c| (std::cmp::Reverse(c.time), c.order));
        Ok(out)
    }

    /// The issues that commits HEAD reaches say they fix (`Fixes:`,
    /// `Closes:`...), each with the newest such commit.
    pub fn fixed_issues(
        &self,
    ) -> Result<Vec<(crate::model::id::IssueId, LinkedCommit)>, StoreError> {
        self.fixed_since(None)
    }

    /// Like [`Tracker::fixed_issues`], for the commits HEAD reaches that
    /// `base` (a commit id in hex) does not: what came since `base`.
    pub fn fixed_since(
        &self,
        base: Option<&str>,
    ) -> Result<Vec<(crate::model::id::IssueId, LinkedCommit)>, StoreError> {
        let (nodes, head) = self.history_nodes()?;
        let old: HashSet<Oid> = reachable(&nodes, base.and_then(unhex))
            .iter()
            .map(|n| n.id)
            .collect();
        let mut out: Vec<(crate::model::id::IssueId, LinkedCommit)> = Vec::new();
        for (order, node) in reachable(&nodes, head).into_iter().enumerate() {
            if old.contains(&node.id) {
                continue;
            }
            for (kind, linked) in &node.links {
                let Some(id) = crate::model::id::IssueId::parse_canonical(linked) else {
                    continue;
                };
                if *kind != LinkKind::Fixes || out.iter().any(|(known, _)| *known == id) {
                    continue;
                }
                out.push((id, LinkedCommit::of(node, *kind, order)));
            }
        }
        Ok(out)
    }

    /// The commits reachable from HEAD that changed the issue file `name`,
    /// newest first, with the file before and after.
    pub fn file_history(&self, name: &str) -> Result<FileHistory, StoreError> {
        let (nodes, head) = self.history_nodes()?;
        let mut history = FileHistory::default();
        for (order, node) in reachable(&nodes, head).into_iter().enumerate() {
            history.shallow |= node.cut;
            // a merge that brought the file in from another parent counts
            // on the first parent's line: the newest entry tells how it is
            let Some((_, before, after)) = node
                .changes
                .iter()
                .chain(&node.merged)
                .find(|c| c.0 == name)
            else {
                continue;
            };
            let read = |blob: &Option<Oid>| blob.as_ref().and_then(|b| self.repo.blob(b));
            history.commits.push(FileCommit {
                id: hex(&node.id),
                author: node.author.clone(),
                time: node.time,
                summary: node.summary.clone(),
                before: read(before),
                after: read(after),
                order,
            });
        }
        // (already in history order: a child before its parents)
        history.commits.sort_by_key(|c| c.order);
        Ok(history)
    }
}

/// The nodes HEAD reaches, following parents through the cache, children
/// before their parents (as `git log --topo-order`), HEAD's first-parent
/// line then the newer first among those ready at once: the order of a
/// history, whatever the clocks said.
fn reachable(nodes: &[CommitNode], head: Option<Oid>) -> Vec<&CommitNode> {
    let by_id: HashMap<Oid, &CommitNode> = nodes.iter().map(|n| (n.id, n)).collect();
    // the reachable set, and how many children each has in it
    let mut stack: Vec<Oid> = head.into_iter().collect();
    let mut seen: HashSet<Oid> = HashSet::new();
    let mut children: HashMap<Oid, usize> = HashMap::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(node) = by_id.get(&id) else { continue };
        for p in &node.parents {
            if by_id.contains_key(p) {
                *children.entry(*p).or_default() += 1;
                stack.push(*p);
            }
        }
    }
    // HEAD's first-parent line comes first among commits ready at once: it
    // holds the files as HEAD has them, so the newest entry of a file's
    // history tells how the file is (a merge that kept its first parent's
    // version is not an entry of its own)
    let mut mainline: HashSet<Oid> = HashSet::new();
    let mut next = head;
    while let Some(id) = next.filter(|id| mainline.insert(*id)) {
        next = by_id.get(&id).and_then(|n| n.parents.first().copied());
    }
    let key = |n: &CommitNode| (mainline.contains(&n.id), n.time, n.id);
    let mut ready: std::collections::BinaryHeap<(bool, i64, Oid)> = head
        .into_iter()
        .filter_map(|h| by_id.get(&h).map(|n| key(n)))
        .collect();
    let mut out = Vec::with_capacity(seen.len());
    while let Some((_, _, id)) = ready.pop() {
        let Some(node) = by_id.get(&id) else { continue };
        out.push(*node);
        for p in &node.parents {
            if let Some(left) = children.get_mut(p) {
                *left -= 1;
                if *left == 0
                    && let Some(parent) = by_id.get(p)
                {
                    ready.push(key(parent));
                }
            }
        }
    }
    out
}

fn hex(id: &Oid) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// A whole commit id from its 40 hex digits.
fn unhex(text: &str) -> Option<Oid> {
    let mut out = [0u8; 20];
    if text.len() != 40 {
        return None;
    }
    for (n, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * n..2 * n + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: u8, parents: &[u8], time: i64) -> CommitNode {
        CommitNode {
            id: [id; 20],
            parents: parents.iter().map(|p| [*p; 20]).collect(),
            cut: false,
            time,
            author: String::new(),
            summary: String::new(),
            changes: Vec::new(),
            merged: Vec::new(),
            links: Vec::new(),
        }
    }

    #[test]
    fn history_order_is_children_first_then_the_first_parent_line() {
        // 1 <- 2 (first parent of 4, older) and 1 <- 3 (the other parent,
        // newer, with the larger id): 2 comes right after the merge
        let nodes = [
            node(1, &[], 100),
            node(2, &[1], 200),
            node(3, &[1], 300),
            node(4, &[2, 3], 400),
        ];
        let order: Vec<u8> = reachable(&nodes, Some([4; 20]))
            .iter()
            .map(|n| n.id[0])
            .collect();
        assert_eq!(order, [4, 2, 3, 1]);
        // a child whose clock is behind its parent's still comes first
        let skewed = [node(1, &[], 500), node(2, &[1], 100)];
        let order: Vec<u8> = reachable(&skewed, Some([2; 20]))
            .iter()
            .map(|n| n.id[0])
            .collect();
        assert_eq!(order, [2, 1]);
    }
}
