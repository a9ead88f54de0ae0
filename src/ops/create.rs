//! Creating an issue as every front end does: what was typed resolved
//! (type and status names as the configuration spells them, the parent and
//! dependencies by id or prefix: they must exist, so a new issue closes no
//! cycle), then one new file.

use crate::model::id::IdSource;
use crate::model::issue::Issue;
use crate::store::{Draft, StoreError};

use super::{Clock, Session, Shorts};

/// A new issue as a person typed it.
#[derive(Clone, Debug, Default)]
pub struct NewIssue {
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub priority: Option<u8>,
    /// A type name, in any case.
    pub kind: Option<String>,
    /// `Name <email>` or an email, already resolved (`me`).
    pub assignee: Option<String>,
    /// A status name, in any case.
    pub status: Option<String>,
    /// An id or a prefix.
    pub parent: Option<String>,
    /// Ids or prefixes.
    pub depends_on: Vec<String>,
}

/// The issue created, and short ids to name it by.
pub struct Created {
    pub issue: Issue,
    pub shorts: Shorts,
}

impl Session<'_> {
    /// The draft of `new`, with every name and reference resolved.
    pub fn draft(&mut self, new: NewIssue) -> Result<Draft, StoreError> {
        let config = self.tracker.config();
        let invalid = |message: String| StoreError::Invalid { message };
        let kind = new
            .kind
            .map(|k| config.type_named(&k))
            .transpose()
            .map_err(invalid)?;
        let status = new
            .status
            .map(|s| config.status_named(&s))
            .transpose()
            .map_err(invalid)?;
        let parent = new.parent.map(|p| self.resolve(&p)).transpose()?;
        let depends_on = new
            .depends_on
            .iter()
            .map(|d| self.resolve(d))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Draft {
            title: new.title,
            body: new.body,
            labels: new.labels,
            priority: new.priority,
            kind,
            assignee: new.assignee,
            status,
            parent,
            depends_on,
        })
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
