//! Creating an issue as every front end does: what was typed resolved
//! (type and status names as the configuration spells them, the parent and
//! dependencies by id or prefix: they must exist, so a new issue closes no
//! cycle), then one new file.

use crate::model::id::IdSource;
use crate::model::issue::Issue;
use crate::store::{Draft, StoreError};

use super::{Clock, Session, Shorts};

/// The issue created, and short ids to name it by.
pub struct Created {
    pub issue: Issue,
    pub shorts: Shorts,
}

impl Session<'_> {
    /// `draft` as a person typed it, made exact: its type and status
    /// named as the configuration spells them (any case was typed), and
    /// `parent` and `depends_on` (ids or prefixes) resolved to issues that
    /// exist.
    pub fn draft(
        &mut self,
        mut draft: Draft,
        parent: Option<&str>,
        depends_on: &[String],
    ) -> Result<Draft, StoreError> {
        let config = self.tracker.config();
        draft.kind = draft.kind.map(|k| config.type_named(&k)).transpose()?;
        draft.status = draft.status.map(|s| config.status_named(&s)).transpose()?;
        draft.parent = parent.map(|p| self.resolve(p)).transpose()?;
        draft.depends_on = depends_on
            .iter()
            .map(|d| self.resolve(d))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(draft)
    }

    /// Creates the issue `draft` describes, by `author`, with a fresh id.
    /// With a daemon, which knows every id, the directory is not listed.
    pub fn create(
        mut self,
        draft: Draft,
        author: String,
        clock: Clock,
    ) -> Result<Created, StoreError> {
        let tracker = self.tracker;
        let mut ids = IdSource::new(clock.seed);
        if self.has_daemon() {
            let issue = tracker.create_issue_unlisted(draft, author, clock.now, &mut ids)?;
            let shorts = self.shorts(std::slice::from_ref(&issue.id))?;
            Ok(Created { issue, shorts })
        } else {
            let (issue, listing) = tracker.create_issue(draft, author, clock.now, &mut ids)?;
            Ok(Created {
                issue,
                shorts: Shorts::Listing(listing),
            })
        }
    }
}
