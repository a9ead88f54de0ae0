//! Changes to issues named by what a person typed, each as one
//! operation with its options and its report: every front end closes,
//! reopens, claims, assigns and labels issues the same way, with the same
//! checks and refusals.

use crate::model::edit::{Change, Edited};
use crate::model::field::FieldError;
use crate::model::id::{IdSource, IssueId};
use crate::model::issue::{self, Comment, Issue};
use crate::store::{Clock, StoreError};

use super::{Session, Shorts};

/// What a change wrote (or found already so), and short ids to name the
/// issues by.
pub struct Written {
    pub edits: Vec<Edited>,
    pub shorts: Shorts,
}

/// A claim, and what the claimed issue still waits for when it is not
/// ready: the issue whose blockers hold it back (itself or a parent) and
/// those blockers.
pub struct Claimed {
    pub written: Written,
    pub waits: Option<(IssueId, Vec<Issue>)>,
    /// The lease taken (or renewed, when it was the claimant's already).
    pub taken: crate::store::lease::Taken,
}

impl Session<'_> {
    /// Applies `changes` to issues already resolved, all or none
    /// (`update_issues` checks them against the configuration).
    pub fn change_ids(
        self,
        ids: &[IssueId],
        changes: &[Change],
        clock: Clock,
    ) -> Result<Written, StoreError> {
        let edits = self
            .tracker
            .update_issues(ids, clock.lock_timeout, clock.now, |_| Ok(changes.to_vec()))?;
        Ok(Written {
            edits,
            shorts: self.shorts(ids)?,
        })
    }

    /// Applies `changes` to the issues `inputs` name, all or none. A value
    /// the configuration refuses is an error before any input is resolved.
    pub fn change(
        self,
        inputs: &[String],
        changes: &[Change],
        clock: Clock,
    ) -> Result<Written, StoreError> {
        let tracker = self.tracker;
        tracker.check_changes(changes)?;
        let (edits, shorts) = self.with_ids(inputs, |ids| {
            tracker.update_issues(
                &ids,
                clock.lock_timeout,
                clock.now,
                |_| Ok(changes.to_vec()),
            )
        })?;
        Ok(Written { edits, shorts })
    }

    /// Applies `changes` to the issue `input` names if its file is still
    /// at `version` ([`crate::store::version_of`] the bytes a form was made
    /// from); `StoreError::Changed`, and nothing written, otherwise.
    pub fn change_at(
        self,
        input: &str,
        version: &str,
        changes: Vec<Change>,
        clock: Clock,
    ) -> Result<Written, StoreError> {
        let tracker = self.tracker;
        tracker.check_changes(&changes)?;
        let (edits, shorts) = self.with_ids(&[input.to_owned()], |ids| {
            let edit = tracker.update_issue_at(
                &ids[0],
                version,
                clock.lock_timeout,
                clock.now,
                changes,
            )?;
            Ok::<_, StoreError>(vec![edit])
        })?;
        Ok(Written { edits, shorts })
    }

    /// Closes the issues: with the configuration's closed status, or
    /// `status` (which must be a closed one), and `reason` as a comment on
    /// each that was not closed with it already.
    pub fn close(
        self,
        inputs: &[String],
        status: Option<&str>,
        reason: Option<&str>,
        clock: Clock,
    ) -> Result<Written, StoreError> {
        let tracker = self.tracker;
        let config = tracker.config();
        let status = match status {
            Some(typed) => config.closed_status_named(typed)?,
            None => config.closed_status().to_owned(),
        };
        let author = match reason {
            Some(_) => Some(tracker.author()?),
            None => None,
        };
        let mut rng = IdSource::new(clock.seed);
        let (edits, shorts) = self.with_ids(inputs, |ids| {
            tracker.update_issues(&ids, clock.lock_timeout, clock.now, |issue| {
                let mut changes = vec![Change::Status(status.clone())];
                if let Some(reason) = reason
                    && issue.status != status
                {
                    changes.push(Change::AddComment(Comment {
                        id: rng.token(10),
                        author: author.clone(),
                        created: clock.now,
                        body: reason.to_owned(),
                    }));
                }
                Ok(changes)
            })
        })?;
        Ok(Written { edits, shorts })
    }

    /// Reopens the issues: the configuration's initial status.
    pub fn reopen(self, inputs: &[String], clock: Clock) -> Result<Written, StoreError> {
        let status = self.tracker.config().initial_status().to_owned();
        self.change(inputs, &[Change::Status(status)], clock)
    }

    /// Claims an issue for the person running yit: the active status, and
    /// the assignee when there was none. Refused when someone else holds
    /// it, when it is closed, and, with `strict`, when it waits for an open
    /// issue (itself or through a parent); otherwise such waiting is
    /// reported with the claim.
    pub fn claim(
        self,
        input: &str,
        strict: bool,
        offline: bool,
        clock: Clock,
    ) -> Result<Claimed, StoreError> {
        let tracker = self.tracker;
        let me = tracker.author()?;
        let email = issue::identity_of(&me);
        let claimant = tracker.claimant()?;
        let config = tracker.config();
        let active = config.active_status().to_owned();
        let mut waits = None;
        let mut taken = None;
        // what refuses a claim, checked before the lease is taken (no lock:
        // a lease may be fetched and pushed, which no lock is held across)
        // and again under the issue's lock when the file is written
        let refusal = |issue: &issue::Issue, waits: &mut Option<_>| -> Result<(), StoreError> {
            // the lease decides who works on it now; an issue never
            // claimed is refused to anyone but the person it is assigned to
            if let Some(holder) = &issue.assignee
                && !issue.is_assigned_to(&email)
                && tracker.lease(&issue.id)?.is_none()
            {
                return Err(StoreError::Held {
                    id: issue.id.clone(),
                    holder: holder.clone(),
                    shorts: Default::default(),
                });
            }
            if config.is_closed(&issue.status) {
                return Err(StoreError::Closed {
                    id: issue.id.clone(),
                    status: issue.status.clone(),
                    shorts: Default::default(),
                });
            }
            *waits = tracker.held_back_by(issue);
            if let Some((at, blockers)) = waits.as_ref()
                && strict
            {
                return Err(StoreError::NotReady {
                    id: issue.id.clone(),
                    at: at.clone(),
                    blockers: blockers.clone(),
                    shorts: Default::default(),
                });
            }
            Ok(())
        };
        let claimed = self.with_ids(&[input.to_owned()], |ids| {
            for id in &ids {
                let issue = tracker.load_issue(id)?;
                refusal(&issue, &mut waits)?;
                // the compare-and-swap every worktree, clone and process
                // races on
                taken = Some(tracker.take_lease(
                    id,
                    &claimant,
                    clock.now,
                    config.claim_ttl,
                    false,
                    offline,
                )?);
            }
            let written = tracker.update_issues(&ids, clock.lock_timeout, clock.now, |issue| {
                refusal(issue, &mut waits)?;
                // an assignment already yours keeps its wording
                let mut changes = vec![Change::Status(active.clone())];
                if !issue.is_assigned_to(&email) {
                    changes.push(Change::Assignee(Some(me.clone())));
                }
                Ok(changes)
            });
            if written.is_err()
                && let Some(t) = taken.as_ref().filter(|t| !t.renewed)
            {
                // changed between the two looks: the lease goes back
                let _ = tracker.release_lease(
                    &t.lease.issue,
                    &claimant,
                    Some(t.lease.token),
                    clock.now,
                );
            }
            written
        });
        let (edits, shorts) = match claimed {
            Ok(done) => done,
            // named by short ids, as everything else yit prints
            Err(
                e @ (StoreError::Held { .. }
                | StoreError::Closed { .. }
                | StoreError::NotReady { .. }
                | StoreError::Leased { .. }),
            ) => return Err(e.named_by(&tracker.load_listing()?)),
            Err(e) => return Err(e),
        };
        Ok(Claimed {
            written: Written { edits, shorts },
            waits,
            taken: taken.expect("a claim that was written took its lease"),
        })
    }

    /// Renews the claimant's lease of the issue `input` names, for the
    /// configuration's `claim_ttl` from now; refused when it is not theirs.
    pub fn renew(
        &mut self,
        input: &str,
        offline: bool,
        clock: Clock,
    ) -> Result<crate::store::lease::Taken, StoreError> {
        let tracker = self.tracker;
        let id = self.resolve(input)?;
        let claimant = tracker.claimant()?;
        tracker
            .take_lease(
                &id,
                &claimant,
                clock.now,
                tracker.config().claim_ttl,
                true,
                offline,
            )
            .map_err(|e| match self.listing() {
                Ok(listing) => e.named_by(listing),
                Err(_) => e,
            })
    }

    /// Gives up the claimant's lease of the issue `input` names (with
    /// `token`, the lease that token is), and undoes the claim in the file:
    /// the active status back to the initial one, the assignee removed when
    /// it is the claimant.
    pub fn release(
        self,
        input: &str,
        token: Option<u64>,
        clock: Clock,
    ) -> Result<(crate::model::lease::Lease, Written), StoreError> {
        let tracker = self.tracker;
        let claimant = tracker.claimant()?;
        let email = issue::identity_of(&claimant.person);
        let config = tracker.config();
        let mut released = None;
        let listing = tracker.lister();
        let (edits, shorts) = self.with_ids(&[input.to_owned()], |ids| {
            tracker.update_issues(&ids, clock.lock_timeout, clock.now, |issue| {
                released = Some(
                    tracker
                        .release_lease(&issue.id, &claimant, token, clock.now)
                        .map_err(|e| match listing.load() {
                            Ok(listing) => e.named_by(&listing),
                            Err(_) => e,
                        })?,
                );
                let mut changes = Vec::new();
                if issue.status == config.active_status() {
                    changes.push(Change::Status(config.initial_status().to_owned()));
                }
                if issue.is_assigned_to(&email) {
                    changes.push(Change::Assignee(None));
                }
                Ok(changes)
            })
        })?;
        Ok((
            released.expect("a release that was written released its lease"),
            Written { edits, shorts },
        ))
    }

    /// Refuses a write to the issue `input` names when `token` is not its
    /// lease's any more (`--token`: a holder superseded cannot write behind
    /// the new holder's back).
    pub fn check_fence(&mut self, input: &str, token: u64) -> Result<(), StoreError> {
        let id = self.resolve(input)?;
        let fenced = self.tracker.check_fence(&id, token);
        fenced.map_err(|e| match self.listing() {
            Ok(listing) => e.named_by(listing),
            Err(_) => e,
        })
    }

    /// Adds a comment by the person running yit (an empty one is refused).
    pub fn comment(self, input: &str, body: String, clock: Clock) -> Result<Written, StoreError> {
        if body.trim().is_empty() {
            return Err(FieldError::EmptyComment.into());
        }
        let comment = Comment {
            id: IdSource::new(clock.seed).token(10),
            author: Some(self.tracker.author()?),
            created: clock.now,
            body,
        };
        self.change(&[input.to_owned()], &[Change::AddComment(comment)], clock)
    }

    /// The issue `input` names and its comment `prefix` names (its id or
    /// a unique prefix of it, in any case).
    pub fn find_comment(
        &mut self,
        input: &str,
        prefix: &str,
    ) -> Result<(IssueId, Comment), StoreError> {
        let id = self.resolve(input)?;
        let issue = self.tracker.load_issue(&id)?;
        let wanted = prefix.to_lowercase();
        let matching: Vec<&Comment> = issue
            .comments
            .iter()
            .filter(|c| c.id.to_lowercase().starts_with(&wanted))
            .collect();
        match matching[..] {
            [one] => Ok((id, one.clone())),
            [] => Err(StoreError::NoComment {
                id,
                input: prefix.to_owned(),
                known: issue.comments.iter().map(|c| c.id.clone()).collect(),
            }),
            _ => Err(StoreError::AmbiguousComment {
                id,
                input: prefix.to_owned(),
                candidates: matching.iter().map(|c| c.id.clone()).collect(),
            }),
        }
    }

    /// Replaces the text of comment `comment` of issue `id` (as
    /// [`Session::find_comment`] found them), in place.
    pub fn edit_comment(
        self,
        id: &IssueId,
        comment: &str,
        body: String,
        clock: Clock,
    ) -> Result<Written, StoreError> {
        if body.trim().is_empty() {
            return Err(FieldError::EmptyCommentEdit.into());
        }
        let change = Change::EditComment {
            id: comment.to_owned(),
            body,
        };
        self.change_ids(std::slice::from_ref(id), &[change], clock)
    }

    /// Removes comment `comment` of issue `id`, in place.
    pub fn remove_comment(
        self,
        id: &IssueId,
        comment: &str,
        clock: Clock,
    ) -> Result<Written, StoreError> {
        let change = Change::RemoveComment(comment.to_owned());
        self.change_ids(std::slice::from_ref(id), &[change], clock)
    }

    /// Changes fields of one issue; with `parent`, it becomes the issue's
    /// parent, checked against every issue (read as `mode` says) under the
    /// graph lock, which is held until the edit is written.
    pub fn edit(
        self,
        input: &str,
        mut changes: Vec<Change>,
        parent: Option<&str>,
        mode: crate::store::ScanMode,
        clock: Clock,
    ) -> Result<Written, StoreError> {
        let Some(parent) = parent else {
            return self.change(&[input.to_owned()], &changes, clock);
        };
        let tracker = self.tracker;
        tracker.check_changes(&changes)?;
        // held until the edit is written
        let held = tracker.lock_graph(clock.lock_timeout)?;
        let scan = tracker.scan(mode)?;
        let id = scan.listing.resolve(input)?;
        let parent = scan.listing.resolve(parent)?;
        tracker.check_parent(&held, &scan, &id, &parent)?;
        changes.push(Change::Parent(Some(parent)));
        // short ids from the scan's listing: nothing is listed again
        let edits =
            tracker.update_issues(
                &[id],
                clock.lock_timeout,
                clock.now,
                |_| Ok(changes.clone()),
            )?;
        Ok(Written {
            edits,
            shorts: Shorts::Listing(scan.listing),
        })
    }
}
