//! Claims' leases as this clone keeps them: one ref per issue in the
//! common git dir (`refs/yit/leases/<id>`, seen by every linked worktree),
//! pointing at a commit whose message is the lease (`model::lease`) and
//! whose parent is the lease it replaced. A lease is taken, renewed and
//! released by compare-and-swap of that ref (`git::Repo::swap_ref`, git's
//! own lock file): of writers racing from any number of worktrees and
//! processes, exactly one moves it from the value they all read, and the
//! others read it again and decide again. A released lease stays (its
//! state says so), so the fencing token keeps growing.

use jiff::Timestamp;

use super::{StoreError, Tracker};
use crate::git::{Oid, Stamp, Swapped};
use crate::model::id::IssueId;
use crate::model::issue::person_email;
use crate::model::lease::{Claimant, Decision, Lease, State};

/// Where the leases' refs are.
pub const LEASES: &str = "refs/yit/leases/";

/// Rounds of read, decide and swap before a claim gives up (each round
/// is lost only to a writer that succeeded).
const ROUNDS: usize = 100;

/// What became of a lease taken offline when it was brought to the remote
/// ([`Tracker::publish_offline`]).
#[derive(Clone, Debug)]
pub enum Published {
    /// The remote holds it now (with a token no smaller than it had).
    Published(Lease),
    /// Someone else's lease was in force on the remote: the offline one
    /// lost, and this clone now has theirs.
    Lost { mine: Lease, theirs: Lease },
}

/// A lease that should go ([`Tracker::stale_leases`]).
#[derive(Clone, Debug)]
pub enum Stale {
    /// Held, but expired: nobody renewed it.
    Expired(Lease),
    /// Of an issue this worktree has no file of.
    Orphan(Lease),
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stale::Expired(l) => write!(
                f,
                "the claim of {} by {} (token {}) expired at {}",
                l.issue,
                l.holder,
                l.token,
                l.expires.map(|e| e.to_string()).unwrap_or_default()
            ),
            Stale::Orphan(l) => write!(
                f,
                "a claim of {} by {}, which no issue file here has",
                l.issue, l.holder
            ),
        }
    }
}

/// What a claim did with the lease.
#[derive(Clone, Debug)]
pub struct Taken {
    pub lease: Lease,
    /// It was the claimant's already, and now runs longer.
    pub renewed: bool,
}

fn ref_of(id: &IssueId) -> String {
    format!("{LEASES}{id}")
}

impl Tracker {
    /// The lease of `id` as this clone has it, and its commit.
    fn read_lease(&self, id: &IssueId) -> Result<(Option<Oid>, Option<Lease>), StoreError> {
        match self.repo().ref_commit(&ref_of(id))? {
            None => Ok((None, None)),
            Some((oid, message)) => Ok((Some(oid), Lease::parse(&message))),
        }
    }

    /// The lease of `id`, held or not, if it was ever claimed here.
    pub fn lease(&self, id: &IssueId) -> Result<Option<Lease>, StoreError> {
        Ok(self.read_lease(id)?.1)
    }

    /// Every lease this clone has, by issue.
    pub fn leases(&self) -> Result<Vec<Lease>, StoreError> {
        let mut out = Vec::new();
        // (each ref's commit read once, from the listing's value)
        for (name, oid) in self.repo().refs_under(LEASES)? {
            if IssueId::parse_canonical(&name).is_some()
                && let Some(lease) = self
                    .repo()
                    .commit_message(&oid)
                    .and_then(|m| Lease::parse(&m))
            {
                out.push(lease);
            }
        }
        Ok(out)
    }

    /// The claims in force at `now`, as (issue id, holder): what the
    /// query term `claimed:` is resolved against. None when the leases
    /// cannot be read.
    pub fn claims_in_force(&self, now: Timestamp) -> Vec<(String, String)> {
        self.leases()
            .unwrap_or_default()
            .into_iter()
            .filter(|l| l.in_force(now))
            .map(|l| (l.issue.to_string(), l.holder))
            .collect()
    }

    /// The leases taken offline in this clone and still in force at `now`:
    /// read before a fetch of the remote's leases replaces them here.
    pub fn offline_leases(&self, now: Timestamp) -> Vec<Lease> {
        self.leases()
            .unwrap_or_default()
            .into_iter()
            .filter(|l| l.offline && l.in_force(now))
            .collect()
    }

    /// Brings `mine`, a lease taken offline, to `remote`: decided against
    /// the remote's lease of the issue as a claim is, with a token no
    /// smaller than it had (so its holder's token stays good when nobody
    /// claimed the issue meanwhile), and pushed with a lease.
    pub fn publish_offline(
        &self,
        mine: &Lease,
        remote: &str,
        now: Timestamp,
    ) -> Result<Published, StoreError> {
        let id = &mine.issue;
        let claimant = Claimant {
            person: mine.holder.clone(),
            session: mine.session.clone(),
        };
        for _ in 0..ROUNDS {
            let (oid, current) = self.current_lease(id, Some(remote))?;
            let lease = match (Lease::decide(current.as_ref(), &claimant, now), current) {
                (Decision::Refuse, Some(theirs)) => {
                    return Ok(Published::Lost {
                        mine: mine.clone(),
                        theirs,
                    });
                }
                (Decision::Renew, Some(ours)) => Lease {
                    expires: mine.expires.max(ours.expires),
                    renewed: now,
                    ..ours
                },
                (Decision::Take { token, replaced }, _) => Lease {
                    token: token.max(mine.token),
                    offline: false,
                    replaced,
                    renewed: now,
                    ..mine.clone()
                },
                (_, None) => unreachable!("only a lease read can be renewed or refused"),
            };
            if self.swap_lease(id, oid, &lease, now, Some(remote))? == Swapped::Done {
                return Ok(Published::Published(lease));
            }
        }
        Err(StoreError::LeaseBusy { id: id.clone() })
    }

    /// The leases `doctor` warns of: held but expired at `now`, and those
    /// of issues with no file here (`exists` says which have one).
    pub fn stale_leases(&self, now: Timestamp, exists: &dyn Fn(&IssueId) -> bool) -> Vec<Stale> {
        self.leases()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|lease| {
                if !exists(&lease.issue) {
                    Some(Stale::Orphan(lease))
                } else if lease.state == State::Held && !lease.in_force(now) {
                    Some(Stale::Expired(lease))
                } else {
                    None
                }
            })
            .collect()
    }

    /// Clears what [`Tracker::stale_leases`] finds: an expired lease is
    /// released (its token kept, on the remote too unless it was taken
    /// offline), the lease of an issue with no file is removed from this
    /// clone.
    pub fn clear_stale_leases(
        &self,
        now: Timestamp,
        exists: &dyn Fn(&IssueId) -> bool,
    ) -> Result<Vec<Stale>, StoreError> {
        let remote = self.repo().issue_remote();
        let mut cleared = Vec::new();
        for stale in self.stale_leases(now, exists) {
            match &stale {
                Stale::Expired(lease) => {
                    let via = remote.as_deref().filter(|_| !lease.offline);
                    let (oid, current) = self.read_lease(&lease.issue)?;
                    // changed since it was read: left to the next look
                    if current.as_ref() != Some(lease) {
                        continue;
                    }
                    let released = Lease {
                        state: State::Released,
                        renewed: now,
                        ..lease.clone()
                    };
                    if self.swap_lease(&lease.issue, oid, &released, now, via)? == Swapped::Done {
                        cleared.push(stale);
                    }
                }
                Stale::Orphan(lease) => {
                    if let (Some(oid), _) = self.read_lease(&lease.issue)?
                        && self.repo().delete_ref(&ref_of(&lease.issue), oid)? == Swapped::Done
                    {
                        cleared.push(stale);
                    }
                }
            }
        }
        Ok(cleared)
    }

    /// Who claims through this tracker: its author and session.
    pub fn claimant(&self) -> Result<Claimant, StoreError> {
        Ok(Claimant {
            person: self.author()?,
            session: self.session().map(str::to_owned),
        })
    }

    /// Takes the lease of `id` for `claimant` at `now`, or renews it when
    /// it is theirs already (`renew_only`: only that), for `ttl` seconds
    /// (`None`: until released). Refused with the holder when another's
    /// lease is in force. With a remote for issues (and not `offline`),
    /// the remote's lease is the one decided on and swapped, by a push with
    /// a lease, then mirrored here.
    pub fn take_lease(
        &self,
        id: &IssueId,
        claimant: &Claimant,
        now: Timestamp,
        ttl: Option<u64>,
        renew_only: bool,
        offline: bool,
    ) -> Result<Taken, StoreError> {
        let expires = ttl.map(|s| now + jiff::SignedDuration::from_secs(s as i64));
        let remote = self.repo().issue_remote();
        let through = remote.as_deref().filter(|_| !offline);
        for _ in 0..ROUNDS {
            let (oid, current) = self.current_lease(id, through)?;
            let decision = Lease::decide(current.as_ref(), claimant, now);
            let lease = match (&decision, &current) {
                (Decision::Refuse, Some(lease)) => {
                    return Err(StoreError::Leased {
                        id: id.clone(),
                        lease: Box::new(lease.clone()),
                        shorts: Default::default(),
                    });
                }
                (Decision::Renew, Some(lease)) => Lease {
                    renewed: now,
                    expires,
                    ..lease.clone()
                },
                (Decision::Take { .. }, _) if renew_only => {
                    return Err(StoreError::NotHolder {
                        id: id.clone(),
                        lease: current.map(Box::new),
                        shorts: Default::default(),
                    });
                }
                (Decision::Take { token, replaced }, _) => Lease {
                    issue: id.clone(),
                    holder: claimant.person.clone(),
                    session: claimant.session.clone(),
                    token: *token,
                    taken: now,
                    renewed: now,
                    expires,
                    taken_at: self.place(),
                    state: State::Held,
                    offline: offline && remote.is_some(),
                    replaced: replaced.clone(),
                },
                (_, None) => unreachable!("only a lease read can be renewed or refused"),
            };
            if self.swap_lease(id, oid, &lease, now, through)? == Swapped::Done {
                return Ok(Taken {
                    renewed: decision == Decision::Renew,
                    lease,
                });
            }
        }
        Err(StoreError::LeaseBusy { id: id.clone() })
    }

    /// Gives up `claimant`'s lease of `id` (with `token`, only if it is
    /// still that one's). Refused when it is another's.
    pub fn release_lease(
        &self,
        id: &IssueId,
        claimant: &Claimant,
        token: Option<u64>,
        now: Timestamp,
    ) -> Result<Lease, StoreError> {
        let remote = self.repo().issue_remote();
        // an offline lease is released here; any other where it was taken
        let through = |lease: &Lease| remote.as_deref().filter(|_| !lease.offline);
        for _ in 0..ROUNDS {
            let via = match self.read_lease(id)? {
                (_, Some(lease)) => through(&lease),
                (_, None) => None,
            };
            let (oid, current) = self.current_lease(id, via)?;
            let Some(lease) = current else {
                return Err(StoreError::NotHolder {
                    id: id.clone(),
                    lease: None,
                    shorts: Default::default(),
                });
            };
            if let Some(token) = token
                && !lease.admits(token)
            {
                return Err(StoreError::Fenced {
                    id: id.clone(),
                    token,
                    lease: Box::new(lease),
                    shorts: Default::default(),
                });
            }
            if !claimant.holds(&lease) && token.is_none() {
                return Err(StoreError::NotHolder {
                    id: id.clone(),
                    lease: Some(Box::new(lease)),
                    shorts: Default::default(),
                });
            }
            if lease.state == State::Released {
                return Ok(lease);
            }
            let via = through(&lease);
            let released = Lease {
                state: State::Released,
                renewed: now,
                ..lease
            };
            if self.swap_lease(id, oid, &released, now, via)? == Swapped::Done {
                return Ok(released);
            }
        }
        Err(StoreError::LeaseBusy { id: id.clone() })
    }

    /// Refuses a write to `id` fenced with `token` when the issue's lease
    /// is at another token (claimed again since, by anyone).
    pub fn check_fence(&self, id: &IssueId, token: u64) -> Result<(), StoreError> {
        match self.lease(id)? {
            Some(lease) if !lease.admits(token) => Err(StoreError::Fenced {
                id: id.clone(),
                token,
                lease: Box::new(lease),
                shorts: Default::default(),
            }),
            Some(_) => Ok(()),
            None => Err(StoreError::NotHolder {
                id: id.clone(),
                lease: None,
                shorts: Default::default(),
            }),
        }
    }

    /// The lease of `id` that a change is decided on, and its commit: the
    /// remote's when claims go `through` one (fetched into this clone's
    /// ref; none when the remote has none, whatever this clone has), else
    /// this clone's.
    fn current_lease(
        &self,
        id: &IssueId,
        through: Option<&str>,
    ) -> Result<(Option<Oid>, Option<Lease>), StoreError> {
        let Some(remote) = through else {
            return self.read_lease(id);
        };
        let found = self
            .repo()
            .fetch_ref(remote, &ref_of(id))
            .map_err(|source| StoreError::Remote {
                remote: remote.to_owned(),
                source,
            })?;
        if found {
            self.read_lease(id)
        } else {
            Ok((None, None))
        }
    }

    /// Writes `lease` as the commit after `parent` and moves the ref from
    /// `parent` to it: the remote's first when claims go `through` one
    /// (a push with a lease), then this clone's to the same commit.
    fn swap_lease(
        &self,
        id: &IssueId,
        parent: Option<Oid>,
        lease: &Lease,
        now: Timestamp,
        through: Option<&str>,
    ) -> Result<Swapped, StoreError> {
        let email = person_email(&lease.holder).unwrap_or("unknown");
        let name = lease
            .holder
            .split('<')
            .next()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(email);
        let stamp = Stamp {
            name,
            email,
            seconds: now.as_second(),
        };
        let name = ref_of(id);
        let commit = self.repo().write_record(&lease.message(), parent, &stamp)?;
        let Some(remote) = through else {
            return Ok(self.repo().swap_ref(&name, parent, commit)?);
        };
        let pushed = self
            .repo()
            .push_with_lease(remote, &name, parent, commit)
            .map_err(|source| StoreError::Remote {
                remote: remote.to_owned(),
                source,
            })?;
        if pushed == crate::git::Pushed::Rejected {
            return Ok(Swapped::Moved);
        }
        // the remote decided: this clone follows, whatever it had meanwhile
        loop {
            let here = self.repo().ref_commit(&name)?.map(|(oid, _)| oid);
            if self.repo().swap_ref(&name, here, commit)? == Swapped::Done {
                return Ok(Swapped::Done);
            }
        }
    }

    /// Where a lease is taken from: this machine and worktree.
    fn place(&self) -> String {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_default();
        format!("{host}:{}", self.root().display())
    }
}
