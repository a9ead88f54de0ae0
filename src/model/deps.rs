//! The dependency graph: `depends_on` (this issue waits for those) and
//! `parent` edges between issues, with the questions yit asks of it: would
//! a new edge close a cycle, which cycles and dangling references arrived
//! by hand edit or merge, who depends on an issue, and the tree around one.
//! Pure: built from issues already read.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::id::IssueId;
use crate::model::issue::Issue;

/// Which field an edge comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edge {
    DependsOn,
    Parent,
}

impl Edge {
    /// The key in the file.
    pub fn key(self) -> &'static str {
        match self {
            Edge::DependsOn => "depends_on",
            Edge::Parent => "parent",
        }
    }
}

/// A reference to an issue that does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dangling {
    pub from: IssueId,
    pub edge: Edge,
    pub missing: IssueId,
}

/// The edges of every valid issue, by id.
#[derive(Default)]
pub struct Graph<'a> {
    depends_on: BTreeMap<&'a IssueId, &'a [IssueId]>,
    parent: BTreeMap<&'a IssueId, &'a IssueId>,
    /// Reverse edges: who depends on an issue, whose parent it is.
    dependents: HashMap<&'a IssueId, Vec<&'a IssueId>>,
    children: HashMap<&'a IssueId, Vec<&'a IssueId>>,
    exists: HashSet<&'a IssueId>,
}

impl<'a> Graph<'a> {
    /// The graph of `issues` (in any order).
    pub fn new(issues: impl IntoIterator<Item = &'a Issue>) -> Graph<'a> {
        let mut g = Graph::default();
        for issue in issues {
            g.exists.insert(&issue.id);
            if !issue.depends_on.is_empty() {
                g.depends_on.insert(&issue.id, &issue.depends_on);
                for d in &issue.depends_on {
                    g.dependents.entry(d).or_default().push(&issue.id);
                }
            }
            if let Some(p) = &issue.parent {
                g.parent.insert(&issue.id, p);
                g.children.entry(p).or_default().push(&issue.id);
            }
        }
        for list in g.dependents.values_mut().chain(g.children.values_mut()) {
            list.sort();
        }
        g
    }

    pub fn contains(&self, id: &IssueId) -> bool {
        self.exists.contains(id)
    }

    /// What `id` waits for, as written.
    pub fn depends_on(&self, id: &IssueId) -> &'a [IssueId] {
        self.depends_on.get(id).copied().unwrap_or_default()
    }

    /// The issues that wait for `id`, in id order.
    pub fn dependents(&self, id: &IssueId) -> &[&'a IssueId] {
        self.dependents.get(id).map_or(&[], Vec::as_slice)
    }

    /// The issues whose parent is `id`, in id order.
    pub fn children(&self, id: &IssueId) -> &[&'a IssueId] {
        self.children.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn parent(&self, id: &IssueId) -> Option<&'a IssueId> {
        self.parent.get(id).copied()
    }

    /// The cycle that `from` waiting for `to` would close, as the path
    /// `from, to, …, from`; `None` when the edge is safe.
    pub fn cycle_if_depends(&self, from: &IssueId, to: &IssueId) -> Option<Vec<IssueId>> {
        if from == to {
            return Some(vec![from.clone(), to.clone()]);
        }
        // breadth first from `to` along depends_on: the shortest way back
        let mut came_from: HashMap<&IssueId, &IssueId> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([to]);
        let mut seen: HashSet<&IssueId> = HashSet::from([to]);
        while let Some(at) = queue.pop_front() {
            for next in self.depends_on(at) {
                if next == from {
                    let mut path = vec![from.clone()];
                    let mut back = vec![at];
                    while let Some(prev) = came_from.get(back[back.len() - 1]) {
                        back.push(prev);
                    }
                    path.extend(back.into_iter().rev().cloned());
                    path.push(from.clone());
                    return Some(path);
                }
                if seen.insert(next) {
                    came_from.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        None
    }

    /// The cycle that making `parent` the parent of `child` would close, as
    /// the path `child, parent, …, child`.
    pub fn cycle_if_parent(&self, child: &IssueId, parent: &IssueId) -> Option<Vec<IssueId>> {
        let mut path = vec![child.clone(), parent.clone()];
        let mut at = parent;
        let mut seen = HashSet::new();
        while at != child {
            if !seen.insert(at) {
                // a cycle above, not through `child`: not this edge's doing
                return None;
            }
            at = self.parent(at)?;
            path.push(at.clone());
        }
        Some(path)
    }

    /// References to issues that do not exist, in id order.
    pub fn dangling(&self) -> Vec<Dangling> {
        let mut out = Vec::new();
        let mut ids: Vec<&IssueId> = self.exists.iter().copied().collect();
        ids.sort();
        for id in ids {
            for d in self.depends_on(id) {
                if !self.contains(d) {
                    out.push(Dangling {
                        from: id.clone(),
                        edge: Edge::DependsOn,
                        missing: d.clone(),
                    });
                }
            }
            if let Some(p) = self.parent(id).filter(|p| !self.contains(p)) {
                out.push(Dangling {
                    from: id.clone(),
                    edge: Edge::Parent,
                    missing: p.clone(),
                });
            }
        }
        out
    }

    /// One cycle through each group of issues that wait for each other
    /// (and each loop of parents), as paths that end where they start.
    pub fn cycles(&self) -> Vec<(Edge, Vec<IssueId>)> {
        let mut out = Vec::new();
        for component in self.strong_components() {
            let first = component[0];
            let inside: HashSet<&IssueId> = component.iter().copied().collect();
            // the shortest way back to `first` through the component
            let path = self.depends_on(first).iter().find_map(|next| {
                inside
                    .contains(next)
                    .then(|| self.cycle_if_depends(first, next))
                    .flatten()
            });
            if let Some(path) = path {
                out.push((Edge::DependsOn, path));
            }
        }
        let mut done: HashSet<&IssueId> = HashSet::new();
        for (&child, &parent) in &self.parent {
            if done.contains(child) {
                continue;
            }
            if let Some(path) = self.cycle_if_parent(child, parent) {
                done.extend(path.iter().filter_map(|p| self.exists.get(p).copied()));
                out.push((Edge::Parent, path));
            }
        }
        out
    }

    /// Strongly connected components of the depends_on graph with a cycle
    /// (more than one issue, or one that waits for itself), each starting
    /// at its smallest id (Tarjan's algorithm, iterative).
    fn strong_components(&self) -> Vec<Vec<&'a IssueId>> {
        let mut index: HashMap<&IssueId, (usize, usize)> = HashMap::new();
        let mut stack: Vec<&IssueId> = Vec::new();
        let mut on_stack: HashSet<&IssueId> = HashSet::new();
        let mut out = Vec::new();
        let mut next = 0;
        for &root in self.depends_on.keys() {
            if index.contains_key(root) {
                continue;
            }
            // (node, position in its edge list)
            let mut work: Vec<(&IssueId, usize)> = vec![(root, 0)];
            index.insert(root, (next, next));
            next += 1;
            stack.push(root);
            on_stack.insert(root);
            while let Some(&mut (node, ref mut at)) = work.last_mut() {
                let edges = self.depends_on(node);
                if let Some(to) = edges.get(*at) {
                    *at += 1;
                    let Some(to) = self.exists.get(to).copied() else {
                        continue;
                    };
                    match index.get(to) {
                        None => {
                            index.insert(to, (next, next));
                            next += 1;
                            stack.push(to);
                            on_stack.insert(to);
                            work.push((to, 0));
                        }
                        Some(&(to_index, _)) if on_stack.contains(to) => {
                            let entry = index.get_mut(node).expect("visited");
                            entry.1 = entry.1.min(to_index);
                        }
                        Some(_) => {}
                    }
                    continue;
                }
                work.pop();
                let (node_index, low) = index[node];
                if let Some(&(parent, _)) = work.last() {
                    let entry = index.get_mut(parent).expect("visited");
                    entry.1 = entry.1.min(low);
                }
                if low == node_index {
                    let mut component = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack.remove(member);
                        component.push(member);
                        if member == node {
                            break;
                        }
                    }
                    let looped = component.len() > 1 || self.depends_on(node).contains(node);
                    if looped {
                        component.sort();
                        out.push(component);
                    }
                }
            }
        }
        out.sort();
        out
    }
}

/// A cycle written `a → b → a`, with short ids.
pub fn describe_cycle(path: &[IssueId], short: &dyn Fn(&IssueId) -> String) -> String {
    path.iter().map(short).collect::<Vec<_>>().join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(id: &str, deps: &[&str], parent: Option<&str>) -> Issue {
        let mut text = format!(
            "id: {id}\ntitle: t\nstatus: open\ncreated: 2026-01-10T00:00:00Z\ndepends_on: [{}]\n",
            deps.join(", ")
        );
        if let Some(p) = parent {
            text.push_str(&format!("parent: {p}\n"));
        }
        crate::model::issue::parse_for_test(&text)
    }

    fn id(s: &str) -> IssueId {
        IssueId::parse_canonical(s).expect("id")
    }

    #[test]
    fn a_new_edge_that_closes_a_cycle_is_found_with_its_path() {
        let issues = [
            issue("aaaa0001", &["bbbb0002"], None),
            issue("bbbb0002", &["cccc0003"], None),
            issue("cccc0003", &[], None),
        ];
        let g = Graph::new(&issues);
        let cycle = g
            .cycle_if_depends(&id("cccc0003"), &id("aaaa0001"))
            .expect("cycle");
        let names: Vec<&str> = cycle.iter().map(IssueId::as_str).collect();
        assert_eq!(names, ["cccc0003", "aaaa0001", "bbbb0002", "cccc0003"]);
        assert!(
            g.cycle_if_depends(&id("aaaa0001"), &id("cccc0003"))
                .is_none()
        );
        assert!(
            g.cycle_if_depends(&id("aaaa0001"), &id("aaaa0001"))
                .is_some()
        );
    }

    #[test]
    fn cycles_and_dangling_references_from_hand_edits_are_reported() {
        let issues = [
            issue("aaaa0001", &["bbbb0002"], None),
            issue("bbbb0002", &["aaaa0001", "dddd0404"], None),
            issue("cccc0003", &["cccc0003"], Some("eeee0005")),
            issue("eeee0005", &[], Some("cccc0003")),
            issue("ffff0006", &[], Some("9999dead")),
        ];
        let g = Graph::new(&issues);
        let cycles = g.cycles();
        let shown: Vec<(Edge, String)> = cycles
            .iter()
            .map(|(e, p)| (*e, describe_cycle(p, &|i| i.as_str()[..4].to_owned())))
            .collect();
        assert_eq!(
            shown,
            vec![
                (Edge::DependsOn, "aaaa → bbbb → aaaa".to_owned()),
                (Edge::DependsOn, "cccc → cccc".to_owned()),
                (Edge::Parent, "cccc → eeee → cccc".to_owned()),
            ]
        );
        let dangling = g.dangling();
        let dangling: Vec<(&str, Edge, &str)> = dangling
            .iter()
            .map(|d| (d.from.as_str(), d.edge, d.missing.as_str()))
            .collect();
        assert_eq!(
            dangling,
            vec![
                ("bbbb0002", Edge::DependsOn, "dddd0404"),
                ("ffff0006", Edge::Parent, "9999dead"),
            ]
        );
        assert_eq!(g.dependents(&id("aaaa0001")), [&id("bbbb0002")]);
        assert_eq!(g.children(&id("cccc0003")), [&id("eeee0005")]);
    }
}

/// One issue that another names or is named by, as `show` lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub id: String,
    pub short_id: String,
    /// `None`: no valid issue has this id (removed, or a file yit cannot
    /// read).
    pub title: Option<String>,
    pub status: Option<String>,
    pub priority: Option<u8>,
}

/// The issues around one: its parent and what it waits for (as written),
/// and the issues that wait for it and whose parent it is (by priority,
/// then id).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Related {
    pub parent: Option<Link>,
    pub depends_on: Vec<Link>,
    pub blocks: Vec<Link>,
    pub children: Vec<Link>,
}

impl Related {
    /// What surrounds `issue` among `issues` (every valid issue, in any
    /// order, `issue` among them or not), with `lookup` finding an issue by
    /// id and `short` giving the short id of any id.
    pub fn of<'a>(
        issue: &Issue,
        issues: impl IntoIterator<Item = &'a Issue>,
        lookup: &dyn Fn(&IssueId) -> Option<&'a Issue>,
        short: &dyn Fn(&IssueId) -> String,
    ) -> Related {
        let link = |id: &IssueId, found: Option<&Issue>| Link {
            id: id.to_string(),
            short_id: short(id),
            title: found.map(|i| i.title.clone()),
            status: found.map(|i| i.status.clone()),
            priority: found.map(|i| i.priority),
        };
        let mut blocks = Vec::new();
        let mut children = Vec::new();
        for other in issues {
            if other.id == issue.id {
                continue;
            }
            if other.depends_on.contains(&issue.id) {
                blocks.push(other);
            }
            if other.parent.as_ref() == Some(&issue.id) {
                children.push(other);
            }
        }
        let ordered = |mut list: Vec<&Issue>| -> Vec<Link> {
            list.sort_by(|a, b| (a.priority, &a.id).cmp(&(b.priority, &b.id)));
            list.into_iter().map(|i| link(&i.id, Some(i))).collect()
        };
        Related {
            parent: issue.parent.as_ref().map(|p| link(p, lookup(p))),
            depends_on: issue
                .depends_on
                .iter()
                .map(|d| link(d, lookup(d)))
                .collect(),
            blocks: ordered(blocks),
            children: ordered(children),
        }
    }
}
