//! Readiness: whether an issue waits for an open issue (itself, or through
//! a parent up the chain), what holds it back, and whether it can be
//! started now. Pure facts about issues, asked by `is:ready`/`is:blocked`,
//! `yit ready`, `yit blocked`, claims and the daemon alike.

use crate::model::config::{Config, Role};
use crate::model::id::IssueId;
use crate::model::issue::Issue;

/// The issue an id names, if it exists and is valid: what `is:blocked` and
/// `is:ready` ask about the other issues.
pub type Lookup<'a> = &'a (dyn Fn(&IssueId) -> Option<&'a Issue> + Sync);

/// How far up a chain of parents blockers are looked for (a cycle of
/// parents, which `doctor` reports, ends the walk too).
const PARENT_DEPTH: usize = 64;

/// Whether `issue` itself waits for an issue that exists and is not closed.
fn waits(issue: &Issue, config: &Config, lookup: Lookup) -> bool {
    issue
        .depends_on
        .iter()
        .any(|d| lookup(d).is_some_and(|b| !config.is_closed(&b.status)))
}

/// The issue whose blockers hold `issue` back: itself, when it waits for an
/// open issue, or the nearest open parent (up the chain) that does — a
/// parent's blocker blocks its children. `None` when nothing does.
pub fn blocked_at<'a>(issue: &'a Issue, config: &Config, lookup: Lookup<'a>) -> Option<&'a Issue> {
    if config.is_closed(&issue.status) {
        return None;
    }
    if waits(issue, config, lookup) {
        return Some(issue);
    }
    let mut next = issue.parent.as_ref();
    for _ in 0..PARENT_DEPTH {
        let parent = lookup(next?).filter(|p| !config.is_closed(&p.status))?;
        if waits(parent, config, lookup) {
            return Some(parent);
        }
        next = parent.parent.as_ref();
    }
    None
}

/// What holds a waiting issue back, as `blocked` lists it.
pub struct Waits<'a> {
    /// The open issues it waits for itself.
    pub on: Vec<&'a Issue>,
    /// The nearest open parent that waits, when that holds it back rather
    /// than its own dependencies ([`blocked_at`]).
    pub parent: Option<&'a Issue>,
}

/// What holds `issue` back (empty when nothing does).
pub fn waits_for<'a>(issue: &'a Issue, config: &Config, lookup: Lookup<'a>) -> Waits<'a> {
    Waits {
        on: issue
            .depends_on
            .iter()
            .filter_map(lookup)
            .filter(|b| !config.is_closed(&b.status))
            .collect(),
        parent: blocked_at(issue, config, lookup).filter(|at| at.id != issue.id),
    }
}

/// Whether `issue` is not closed and waits, itself or through a parent,
/// for an issue that is not closed.
pub fn is_blocked(issue: &Issue, config: &Config, lookup: Lookup) -> bool {
    !config.is_closed(&issue.status) && waits_up(issue, config, lookup)
}

/// Whether `issue` (not closed) waits, itself or through a parent, for an
/// issue that is not closed.
fn waits_up(issue: &Issue, config: &Config, lookup: Lookup) -> bool {
    // (the walk, without tying `issue` to the lookup's lifetime)
    if waits(issue, config, lookup) {
        return true;
    }
    let Some(parent) = issue.parent.as_ref().and_then(lookup) else {
        return false;
    };
    blocked_at(parent, config, lookup).is_some()
}

/// Whether `issue` can be started now: not closed, not already in the
/// active status, and not blocked.
pub fn is_ready(issue: &Issue, config: &Config, lookup: Lookup) -> bool {
    // (one look at the status: a daemon asks this of 100,000 issues)
    let startable = config
        .status(&issue.status)
        .is_none_or(|s| s.role != Role::Closed && s.role != Role::Active);
    startable && !waits_up(issue, config, lookup)
}
