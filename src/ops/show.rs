//! One issue as `show` presents it: the issue, its short id, the issues
//! around it, and the commits that mention it; and its JSON answer, the
//! same for every front end.

use crate::model::deps::Related;
use crate::model::issue::Issue;
use crate::model::record::Record;
use crate::store::history::LinkedCommit;
use crate::store::{ScanMode, StoreError};

use super::{Session, Shorts};

/// What `show` shows of one issue.
pub struct Shown {
    pub issue: Issue,
    /// The issue's file as stored (its [`crate::store::version_of`] is
    /// what a form carries, so that a save over a changed file is refused).
    pub text: String,
    pub shorts: Shorts,
    pub related: Related,
    /// Newest first; none in a repository without commits.
    pub commits: Vec<LinkedCommit>,
    /// Its claim's lease, held or not, when it was ever claimed.
    pub lease: Option<crate::model::lease::Lease>,
}

impl Session<'_> {
    /// The issue `input` names, with what is around it: the daemon's
    /// answer when one runs, else the index's links (what names the issue,
    /// read, not found by decoding every issue), else every issue's fields
    /// read as `mode` says.
    pub fn show(&mut self, input: &str, mode: ScanMode) -> Result<Shown, StoreError> {
        let tracker = self.tracker;
        let id = self.resolve(input)?;
        let (issue, text) = tracker.load_with_text(&id)?;
        let (shorts, related) = match self.related(&issue) {
            Some(answer) => answer,
            None => match tracker.around(&issue, mode) {
                Some((shorts, related)) => (Shorts::Known(shorts), related),
                None => {
                    let scan = tracker.scan(mode)?;
                    let related = scan.related(&issue);
                    (Shorts::Listing(scan.listing), related)
                }
            },
        };
        let commits = tracker.linked_commits(&issue.id).unwrap_or_default();
        let lease = tracker.lease(&issue.id)?;
        Ok(Shown {
            issue,
            text,
            shorts,
            related,
            commits,
            lease,
        })
    }
}

/// The `show --json` answer (without its envelope): the issue's record, the
/// issues around it, the commits that mention it, and its claim's lease
/// (`null` when it was never claimed) as it is at `now`.
pub fn shown_json(
    issue: &Issue,
    shorts: &Shorts,
    related: &Related,
    commits: &[LinkedCommit],
    lease: Option<&crate::model::lease::Lease>,
    now: jiff::Timestamp,
) -> serde_json::Value {
    let commits: Vec<serde_json::Value> = commits
        .iter()
        .map(|c| serde_json::json!({ "commit": c.id, "kind": c.kind.word(), "summary": c.summary }))
        .collect();
    serde_json::json!({
        "issue": Record::of(issue, shorts.of(&issue.id), true),
        "related": related,
        "commits": commits,
        "lease": lease.map(|l| super::json::lease(l, now)),
    })
}
