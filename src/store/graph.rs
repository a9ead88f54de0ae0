//! Changes to the dependency graph (`depends_on`, `parent`): each is
//! checked against every issue while the graph lock is held, and written
//! before it is released, so that two writers cannot close a cycle
//! between them. The checks take the held lock as an argument: a check
//! without it does not compile.

use std::time::Duration;

use jiff::Timestamp;

use super::{Scan, ScanMode, StoreError, Tracker};
use crate::model::deps::{Edge, Graph};
use crate::model::edit::{Change, Edited};
use crate::model::id::IssueId;
use crate::store::lock::IssueLock;

/// The graph lock, held until dropped.
#[derive(Debug)]
pub struct GraphLock {
    _lock: IssueLock,
}

/// What a change to the graph did: the edit, the issues the new or
/// removed edges point to, and every issue as it was read under the lock
/// (which names the issues around it).
pub struct GraphEdit {
    pub edits: Vec<Edited>,
    pub on: Vec<IssueId>,
    pub scan: Scan,
}

impl Tracker {
    /// Takes the graph lock: held by every change that must see the whole
    /// graph unchanged until it is written (dependencies, parents, plans,
    /// removals; docs/architecture.md, lock protocol). Taken before any
    /// issue lock.
    pub fn lock_graph(&self, timeout: Duration) -> Result<GraphLock, StoreError> {
        Ok(GraphLock {
            _lock: IssueLock::acquire_graph(self.state_dir(), timeout)?,
        })
    }

    /// Refused with [`StoreError::Cycle`] when `id` waiting for any of `on`
    /// would close a cycle in `scan`'s graph.
    pub fn check_depends(
        &self,
        _held: &GraphLock,
        scan: &Scan,
        id: &IssueId,
        on: &[IssueId],
    ) -> Result<(), StoreError> {
        let graph = Graph::new(scan.issues.iter().map(|i| &**i));
        // a cycle through an edge added by this same change would pass
        // through `id`, where the search stops: one check per edge suffices
        for to in on {
            if let Some(path) = graph.cycle_if_depends(id, to) {
                return Err(cycle(scan, Edge::DependsOn, path));
            }
        }
        Ok(())
    }

    /// Refused with [`StoreError::Cycle`] when `parent` as the parent of
    /// `child` would close a cycle in `scan`'s graph.
    pub fn check_parent(
        &self,
        _held: &GraphLock,
        scan: &Scan,
        child: &IssueId,
        parent: &IssueId,
    ) -> Result<(), StoreError> {
        let graph = Graph::new(scan.issues.iter().map(|i| &**i));
        match graph.cycle_if_parent(child, parent) {
            Some(path) => Err(cycle(scan, Edge::Parent, path)),
            None => Ok(()),
        }
    }

    /// The graph lock, every issue read under it, and the issue `input`
    /// names among them.
    fn graph_and(
        &self,
        input: &str,
        mode: ScanMode,
        timeout: Duration,
    ) -> Result<(GraphLock, Scan, IssueId), StoreError> {
        let held = self.lock_graph(timeout)?;
        let scan = self.scan(mode)?;
        let id = scan.listing.resolve(input)?;
        Ok((held, scan, id))
    }

    /// `id` (an id or a prefix) waits for each of `on` (ids or prefixes),
    /// unless one of them would close a cycle: then nothing changes.
    pub fn add_dependencies(
        &self,
        id: &str,
        on: &[String],
        mode: ScanMode,
        timeout: Duration,
        now: Timestamp,
    ) -> Result<GraphEdit, StoreError> {
        let (held, scan, id) = self.graph_and(id, mode, timeout)?;
        let on = on
            .iter()
            .map(|o| scan.listing.resolve(o))
            .collect::<Result<Vec<IssueId>, _>>()?;
        self.check_depends(&held, &scan, &id, &on)?;
        let edits = self.change_edges(&held, id, &on, Change::AddDependency, timeout, now)?;
        Ok(GraphEdit { edits, on, scan })
    }

    /// `id` no longer waits for each of `on`: ids or prefixes of its
    /// dependencies (a removed issue's too), else of any issue. Refused
    /// when it does not wait for one of them.
    pub fn remove_dependencies(
        &self,
        id: &str,
        on: &[String],
        mode: ScanMode,
        timeout: Duration,
        now: Timestamp,
    ) -> Result<GraphEdit, StoreError> {
        let (held, scan, id) = self.graph_and(id, mode, timeout)?;
        let current = self.load_issue(&id)?.depends_on;
        let on = on
            .iter()
            .map(|o| {
                let prefix = crate::model::id::normalize_prefix(o).unwrap_or_default();
                let named: Vec<&IssueId> = current
                    .iter()
                    .filter(|d| !prefix.is_empty() && d.as_str().starts_with(&prefix))
                    .collect();
                match named[..] {
                    [one] => Ok(one.clone()),
                    _ => scan.listing.resolve(o),
                }
            })
            .collect::<Result<Vec<IssueId>, _>>()?;
        if let Some(absent) = on.iter().find(|o| !current.contains(o)) {
            return Err(StoreError::NotWaiting {
                id: scan.listing.short_id(&id).to_owned(),
                on: scan.listing.short_id(absent).to_owned(),
            });
        }
        let edits = self.change_edges(&held, id, &on, Change::RemoveDependency, timeout, now)?;
        Ok(GraphEdit { edits, on, scan })
    }

    /// Applies `change` of each of `on` to `id` under the graph lock.
    fn change_edges(
        &self,
        _held: &GraphLock,
        id: IssueId,
        on: &[IssueId],
        change: fn(IssueId) -> Change,
        timeout: Duration,
        now: Timestamp,
    ) -> Result<Vec<Edited>, StoreError> {
        let changes: Vec<Change> = on.iter().cloned().map(change).collect();
        self.update_issues(&[id], timeout, now, |_| Ok(changes.clone()))
    }
}

/// A reference from an issue that stays to one being removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub from: IssueId,
    pub to: IssueId,
    pub edge: Edge,
    /// `from` and `to` as short ids, for messages.
    pub shorts: (String, String),
}

/// What a removal did: the files moved to the trash, the issues whose
/// references to them were dropped (`force`), and every issue as it was
/// read under the lock.
pub struct Removed {
    pub trashed: Vec<super::write::TrashEntry>,
    pub dropped: Vec<Edited>,
    pub scan: Scan,
}

impl Tracker {
    /// The references to `ids` from issues that stay, in `scan`.
    pub fn references_to(&self, scan: &Scan, ids: &[IssueId]) -> Vec<Reference> {
        let graph = Graph::new(scan.issues.iter().map(|i| &**i));
        let mut out = Vec::new();
        for id in ids {
            for (edge, from) in graph
                .dependents(id)
                .iter()
                .map(|f| (Edge::DependsOn, f))
                .chain(graph.children(id).iter().map(|f| (Edge::Parent, f)))
            {
                if !ids.contains(from) {
                    let shorts = (
                        scan.listing.short_id(from).to_owned(),
                        scan.listing.short_id(id).to_owned(),
                    );
                    out.push(Reference {
                        from: (*from).clone(),
                        to: id.clone(),
                        edge,
                        shorts,
                    });
                }
            }
        }
        out
    }

    /// Moves the issues `inputs` name to the trash, under the graph lock.
    /// Issues that stay and refer to them refuse the removal
    /// ([`StoreError::Referred`]) unless `force`, which drops those
    /// references first.
    /// What `remove_issues` without `force` would remove, checked now
    /// without a lock (it checks again under the graph lock): the issues
    /// `inputs` name, by short id with their titles, for a question to a
    /// person; refused when issues that stay refer to them.
    pub fn removal(
        &self,
        inputs: &[String],
        mode: ScanMode,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let scan = self.scan(mode)?;
        let ids = inputs
            .iter()
            .map(|i| scan.listing.resolve(i))
            .collect::<Result<Vec<IssueId>, _>>()?;
        let references = self.references_to(&scan, &ids);
        if !references.is_empty() {
            return Err(StoreError::Referred { references });
        }
        Ok(ids
            .iter()
            .map(|id| {
                let title = scan
                    .find(id)
                    .map_or_else(|| "(unreadable file)".to_owned(), |i| i.title.clone());
                (scan.listing.short_id(id).to_owned(), title)
            })
            .collect())
    }

    pub fn remove_issues(
        &self,
        inputs: &[String],
        force: bool,
        mode: ScanMode,
        timeout: Duration,
        now: Timestamp,
    ) -> Result<Removed, StoreError> {
        let _held = self.lock_graph(timeout)?;
        let scan = self.scan(mode)?;
        let ids = inputs
            .iter()
            .map(|i| scan.listing.resolve(i))
            .collect::<Result<Vec<IssueId>, _>>()?;
        let references = self.references_to(&scan, &ids);
        if !references.is_empty() && !force {
            return Err(StoreError::Referred { references });
        }
        let mut dropped = Vec::new();
        if !references.is_empty() {
            let from: Vec<IssueId> = references.iter().map(|r| r.from.clone()).collect();
            dropped = self.update_issues(&from, timeout, now, |issue| {
                let mut changes: Vec<Change> = issue
                    .depends_on
                    .iter()
                    .filter(|d| ids.contains(d))
                    .cloned()
                    .map(Change::RemoveDependency)
                    .collect();
                if issue.parent.as_ref().is_some_and(|p| ids.contains(p)) {
                    changes.push(Change::Parent(None));
                }
                Ok(changes)
            })?;
        }
        let trashed = self.trash_issues(&ids, timeout, now)?;
        Ok(Removed {
            trashed,
            dropped,
            scan,
        })
    }
}

/// How [`StoreError::Referred`] reads.
pub(super) fn describe_references(references: &[Reference]) -> String {
    let named: Vec<String> = references
        .iter()
        .map(|r| {
            let how = match r.edge {
                Edge::DependsOn => "waits for",
                Edge::Parent => "is a child of",
            };
            format!("{} {how} {}", r.shorts.0, r.shorts.1)
        })
        .collect();
    format!("other issues refer to it: {}", named.join("; "))
}

/// The error for a cycle found in `scan`'s graph: `path` from the new
/// edge's source back to it, each id with its short form.
fn cycle(scan: &Scan, edge: Edge, path: Vec<IssueId>) -> StoreError {
    StoreError::Cycle {
        edge,
        path: path
            .into_iter()
            .map(|id| {
                let short = scan.listing.short_id(&id).to_owned();
                (id, short)
            })
            .collect(),
    }
}

/// How [`StoreError::Cycle`] reads: the edge refused and the cycle, by
/// short ids.
pub(super) fn describe_cycle(edge: Edge, path: &[(IssueId, String)]) -> String {
    let short = |n: usize| path.get(n).map_or("?", |(_, s)| s.as_str());
    let shorts: Vec<&str> = path.iter().map(|(_, s)| s.as_str()).collect();
    let around = shorts.join(" → ");
    match edge {
        Edge::DependsOn if path.len() == 2 => format!("{} cannot wait for itself", short(0)),
        Edge::DependsOn => format!(
            "{} waiting for {} would close a cycle: {around}",
            short(0),
            short(1)
        ),
        Edge::Parent => format!(
            "{} as the parent of {} would close a cycle: {around}",
            short(1),
            short(0)
        ),
    }
}
