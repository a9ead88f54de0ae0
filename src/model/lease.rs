//! A claim's lease: who works on an issue now, from where, with which
//! fencing token, and until when. Leases are not in the issue files: each
//! is the message of a small commit that a ref in the repository's common
//! git dir points at (`refs/yit/leases/<id>`, shared by every linked
//! worktree and pushed to the remote), each commit's parent the lease it
//! replaced. This module is the lease's text and the rules of its life;
//! where it is kept and how it is swapped is the store's. Pure.

use jiff::Timestamp;

use crate::model::id::IssueId;

/// The first line of every lease commit's message.
const HEAD: &str = "yit lease";

/// Whether a lease is in force (until it expires) or was given up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Held,
    Released,
}

/// One lease of one issue, as its commit's message holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub issue: IssueId,
    /// `Name <email>`, as the claimant acts (`--as`, git's identity).
    pub holder: String,
    /// The agent session that holds it (an MCP server's), if any: a
    /// person's other sessions are other holders.
    pub session: Option<String>,
    /// Grows with every claim of the issue (a renewal keeps it): a write
    /// that carries an older token than the lease's is refused.
    pub token: u64,
    pub taken: Timestamp,
    pub renewed: Timestamp,
    /// `None`: never (`claim_ttl: 0`).
    pub expires: Option<Timestamp>,
    /// The machine and worktree it was taken from (`host:/path`).
    pub taken_at: String,
    pub state: State,
    /// Taken only in this clone, its remote not reached (`--offline`).
    pub offline: bool,
    /// The holder of the lease this one replaced, when it had expired.
    pub replaced: Option<String>,
}

/// Who asks for a lease: a person, as in [`Lease::holder`], and a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimant {
    pub person: String,
    pub session: Option<String>,
}

impl Claimant {
    /// Whether `lease` is this claimant's: the same person (by email, in
    /// any case, as everywhere people are compared) and the same session.
    pub fn holds(&self, lease: &Lease) -> bool {
        let identity = crate::model::issue::identity_of;
        identity(&self.person).eq_ignore_ascii_case(&identity(&lease.holder))
            && self.session == lease.session
    }
}

impl Lease {
    /// Whether it holds at `now`: held and not expired.
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.state == State::Held && self.expires.is_none_or(|e| now < e)
    }

    /// The commit message that holds it.
    pub fn message(&self) -> String {
        let time = |t: Timestamp| t.to_string();
        let mut out = format!("{HEAD} {}\n\n", self.issue);
        let mut line = |key: &str, value: &str| {
            out.push_str(key);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        };
        line("holder", &self.holder);
        if let Some(session) = &self.session {
            line("session", session);
        }
        line("token", &self.token.to_string());
        line("taken", &time(self.taken));
        line("renewed", &time(self.renewed));
        line(
            "expires",
            &self.expires.map_or_else(|| "never".to_owned(), time),
        );
        line("taken-at", &self.taken_at);
        line(
            "state",
            match self.state {
                State::Held => "held",
                State::Released => "released",
            },
        );
        if self.offline {
            line("offline", "true");
        }
        if let Some(replaced) = &self.replaced {
            line("replaced", replaced);
        }
        out
    }

    /// The lease a commit message holds; `None` when it is not one (a ref
    /// someone else wrote by hand is no lease, and is taken as none).
    pub fn parse(message: &str) -> Option<Lease> {
        let mut lines = message.lines();
        let issue = lines.next()?.strip_prefix(HEAD)?.trim();
        let issue = IssueId::parse_canonical(issue)?;
        let mut get = std::collections::HashMap::new();
        for line in lines {
            if let Some((key, value)) = line.split_once(": ") {
                get.insert(key.trim(), value.trim());
            }
        }
        let time = |key: &str| get.get(key)?.parse::<Timestamp>().ok();
        Some(Lease {
            issue,
            holder: get.get("holder")?.to_string(),
            session: get.get("session").map(|s| s.to_string()),
            token: get.get("token")?.parse().ok()?,
            taken: time("taken")?,
            renewed: time("renewed")?,
            expires: match *get.get("expires")? {
                "never" => None,
                _ => Some(time("expires")?),
            },
            taken_at: get
                .get("taken-at")
                .map_or_else(String::new, |s| s.to_string()),
            state: match *get.get("state")? {
                "held" => State::Held,
                "released" => State::Released,
                _ => return None,
            },
            offline: get.get("offline") == Some(&"true"),
            replaced: get.get("replaced").map(|s| s.to_string()),
        })
    }

    /// What `claimant` may do with `current` (the lease as read, if any)
    /// at `now`: take it (a new token), renew it (the same token), or
    /// nothing, because someone else holds it.
    pub fn decide(current: Option<&Lease>, claimant: &Claimant, now: Timestamp) -> Decision {
        match current {
            None => Decision::Take {
                token: 1,
                replaced: None,
            },
            Some(lease) if claimant.holds(lease) && lease.in_force(now) => Decision::Renew,
            Some(lease) if lease.in_force(now) => Decision::Refuse,
            Some(lease) => Decision::Take {
                token: lease.token + 1,
                // an expired lease of another's is taken over: they are told
                replaced: (lease.state == State::Held && !claimant.holds(lease))
                    .then(|| lease.holder.clone()),
            },
        }
    }

    /// Whether a write fenced with `token` may go ahead against this lease:
    /// the token is the lease's own (a later claim has a greater one).
    pub fn admits(&self, token: u64) -> bool {
        token == self.token
    }
}

/// What a claim does with the lease it read ([`Lease::decide`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Take {
        token: u64,
        replaced: Option<String>,
    },
    Renew,
    Refuse,
}

/// `claim_ttl` read: seconds, or a number with `s`, `m`, `h` or `d`; `0`
/// is never. `None` when it is not one.
pub fn parse_ttl(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let unit = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(holder: &str, token: u64, expires: Option<&str>) -> Lease {
        let t: Timestamp = "2026-12-07T10:00:00Z".parse().expect("time");
        Lease {
            issue: IssueId::parse_canonical("abcdefghjk").expect("id"),
            holder: holder.to_owned(),
            session: None,
            token,
            taken: t,
            renewed: t,
            expires: expires.map(|e| e.parse().expect("time")),
            taken_at: "host:/work/a".to_owned(),
            state: State::Held,
            offline: false,
            replaced: None,
        }
    }

    #[test]
    fn a_lease_reads_back_as_written() {
        let mut l = lease("Ann Lee <ann@example.com>", 7, Some("2026-12-07T12:00:00Z"));
        l.session = Some("mcp-1".to_owned());
        l.replaced = Some("Bob <bob@example.com>".to_owned());
        l.offline = true;
        assert_eq!(Lease::parse(&l.message()), Some(l.clone()));
        l.expires = None;
        l.state = State::Released;
        assert_eq!(Lease::parse(&l.message()), Some(l));
        assert_eq!(Lease::parse("a commit of someone's"), None);
    }

    #[test]
    fn claims_take_renew_or_are_refused() {
        let ann = Claimant {
            person: "Ann <ann@example.com>".to_owned(),
            session: None,
        };
        let before: Timestamp = "2026-12-07T11:00:00Z".parse().expect("time");
        let after: Timestamp = "2026-12-07T13:00:00Z".parse().expect("time");
        let bobs = lease("Bob <bob@example.com>", 3, Some("2026-12-07T12:00:00Z"));
        assert_eq!(Lease::decide(Some(&bobs), &ann, before), Decision::Refuse);
        assert_eq!(
            Lease::decide(Some(&bobs), &ann, after),
            Decision::Take {
                token: 4,
                replaced: Some("Bob <bob@example.com>".to_owned())
            }
        );
        let anns = lease("Ann Lee <ANN@example.com>", 3, None);
        assert_eq!(Lease::decide(Some(&anns), &ann, after), Decision::Renew);
        let other_session = Claimant {
            session: Some("agent-2".to_owned()),
            ..ann.clone()
        };
        assert_eq!(
            Lease::decide(Some(&anns), &other_session, after),
            Decision::Refuse
        );
        assert_eq!(
            Lease::decide(None, &ann, after),
            Decision::Take {
                token: 1,
                replaced: None
            }
        );
    }

    #[test]
    fn ttls_read_with_units() {
        assert_eq!(parse_ttl("0"), Some(0));
        assert_eq!(parse_ttl("90"), Some(90));
        assert_eq!(parse_ttl("2h"), Some(7200));
        assert_eq!(parse_ttl("30m"), Some(1800));
        assert_eq!(parse_ttl("1d"), Some(86_400));
        assert_eq!(parse_ttl("2 hours"), None);
        assert_eq!(parse_ttl("-1"), None);
    }
}
