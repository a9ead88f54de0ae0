//! The query language of `list` (docs/query.md): parsed with the column of
//! every error, values resolved when parsed (`me`, relative dates), so that
//! the CLI and the daemon evaluate the same filter the same way. Pure.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::config::Config;
use crate::model::issue::Issue;
use crate::model::ready::{Lookup, is_blocked, is_ready};

/// The keys of `key:value` terms, as the help and errors list them.
pub const KEYS: [&str; 15] = [
    "status", "label", "assignee", "priority", "type", "created", "updated", "has", "is", "parent",
    "github", "claimed", "beads", "backlog", "tbd",
];

/// A parsed query: all its terms must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub terms: Vec<Term>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub negated: bool,
    pub test: Test,
}

/// One condition; a list of values means any of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Test {
    Status(Vec<String>),
    Label(Vec<String>),
    /// Emails or names (compared case-insensitively, see
    /// `Issue::is_assigned_to`), or `None` for unassigned.
    Assignee(Vec<Option<String>>),
    Priority(Vec<(Cmp, u8)>),
    Type(Vec<String>),
    /// Nanoseconds since the epoch (i64: the daemon's JSON requests carry
    /// it through serde's buffered enums, which have no i128).
    Created(Vec<(Cmp, i64)>),
    Updated(Vec<(Cmp, i64)>),
    Has(Vec<Field>),
    Is(Vec<State>),
    /// Issues whose claim's lease is in force (held by the people asked
    /// for), by id: resolved when the query is parsed, as `me` is.
    Claimed(Vec<String>),
    /// The parent's id starts with one of these.
    Parent(Vec<String>),
    /// Imported from the GitHub issue with one of these numbers.
    Github(Vec<u64>),
    /// Imported from another tracker's issue (`beads:bd-a1b2`): the
    /// tool's name and the ids.
    Origin(String, Vec<String>),
    /// Case-insensitive, in the title, body and comments.
    Phrase(String),
    /// Whole words (a typed word such as `don't` is two), case-insensitive,
    /// in the title, body and comments.
    Word {
        word: String,
        #[serde(skip)]
        matcher: crate::query::search::LazyWords,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmp {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    /// Within the day that starts at the value.
    Day,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Assignee,
    Labels,
    Comments,
    Body,
    Parent,
    DependsOn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    Open,
    Closed,
    /// Not closed, and waiting for an issue that is not closed.
    Blocked,
    /// Not closed, not in the active status, and not blocked.
    Ready,
    /// A merge recorded conflicts in it (`conflicts:`) that `yit resolve`
    /// has not settled.
    Conflicted,
}

/// A parse error at a column (1-based, in characters).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("query, column {column}: {message}")]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

/// What parsing needs from outside: who `me` is, the time relative dates
/// count back from, and the configuration that `status:` and `type:`
/// values must name.
pub struct Context<'a> {
    /// Your email, asked for only when the query says `me`.
    pub me: &'a dyn Fn() -> Option<String>,
    pub now: Timestamp,
    pub config: &'a Config,
    /// The claims in force now, as (issue id, holder), asked for only when
    /// the query says `claimed:`.
    pub claims: &'a dyn Fn() -> Vec<(String, String)>,
}

impl Filter {
    /// The words and phrases of the query: what `yit search` ranks by
    /// (negated ones excluded).
    pub fn text(&self) -> (Vec<String>, Vec<String>) {
        let (mut words, mut phrases) = (Vec::new(), Vec::new());
        for term in self.terms.iter().filter(|t| !t.negated) {
            match &term.test {
                Test::Word { word, .. } => words.push(word.clone()),
                Test::Phrase(p) => phrases.push(p.clone()),
                _ => {}
            }
        }
        (words, phrases)
    }

    /// The words of the query when they are all it reads beyond the
    /// fields a table shows (no phrase, no negated word, no `has:body` or
    /// `has:comments`): a scan may then read only the bodies that may hold
    /// them ([`crate::store::Tracker::scan_text`]).
    pub fn only_words(&self) -> Option<Vec<String>> {
        let mut words = Vec::new();
        for term in &self.terms {
            match &term.test {
                Test::Word { word, .. } if !term.negated => words.push(word.clone()),
                Test::Phrase(_) | Test::Word { .. } => return None,
                Test::Has(fields)
                    if fields
                        .iter()
                        .any(|f| matches!(f, Field::Comments | Field::Body)) =>
                {
                    return None;
                }
                _ => {}
            }
        }
        (!words.is_empty()).then_some(words)
    }

    /// Parses `text`.
    pub fn parse(text: &str, cx: &Context) -> Result<Filter, QueryError> {
        let mut terms = Vec::new();
        for (column, token) in tokens(text)? {
            terms.push(term(&token, column, cx)?);
        }
        Ok(Filter { terms })
    }

    /// Whether a `status:` term is present (it lifts the default "not
    /// closed" filter).
    pub fn names_status(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.test, Test::Status(_) | Test::Is(_)))
    }

    /// Whether it asks for issues that can be started (`is:ready`, not
    /// negated): those claimed elsewhere are then left out by the caller,
    /// which knows the leases.
    pub fn asks_ready(&self) -> bool {
        self.terms.iter().any(|t| {
            !t.negated && matches!(t.test, Test::Is(ref states) if states.contains(&State::Ready))
        })
    }

    /// Whether the filter reads what the index keeps apart from the fields
    /// a table shows (bodies, comments, parent, dependencies).
    pub fn needs_details(&self) -> bool {
        self.terms.iter().any(|t| match &t.test {
            // (`github:` and the conflicts are kept with the bodies)
            Test::Phrase(_) | Test::Word { .. } | Test::Github(_) | Test::Origin(..) => true,
            Test::Is(states) => states.contains(&State::Conflicted),
            Test::Has(fields) => fields
                .iter()
                .any(|f| matches!(f, Field::Comments | Field::Body)),
            _ => false,
        })
    }

    pub fn matches(&self, issue: &Issue, config: &Config, lookup: Lookup) -> bool {
        self.terms
            .iter()
            .all(|t| t.test.holds(issue, config, lookup) != t.negated)
    }
}

impl Test {
    fn holds(&self, issue: &Issue, config: &Config, lookup: Lookup) -> bool {
        let cmp = |c: &Cmp, a: i128, b: i128| match c {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Eq => a == b,
            Cmp::Ge => a >= b,
            Cmp::Gt => a > b,
            Cmp::Day => a >= b && a < b + 86_400 * 1_000_000_000,
        };
        match self {
            Test::Status(any) => any.contains(&issue.status),
            Test::Label(any) => any.iter().any(|l| issue.labels.contains(l)),
            Test::Assignee(any) => any.iter().any(|who| match who {
                None => issue.assignee.is_none(),
                Some(email) => issue.is_assigned_to(email),
            }),
            Test::Priority(any) => any
                .iter()
                .any(|(c, p)| cmp(c, i128::from(issue.priority), i128::from(*p))),
            Test::Type(any) => any.contains(&issue.kind),
            Test::Created(any) => any
                .iter()
                .any(|(c, t)| cmp(c, issue.created.as_nanosecond(), i128::from(*t))),
            Test::Updated(any) => any
                .iter()
                .any(|(c, t)| cmp(c, issue.updated.as_nanosecond(), i128::from(*t))),
            Test::Has(any) => any.iter().any(|f| match f {
                Field::Assignee => issue.assignee.is_some(),
                Field::Labels => !issue.labels.is_empty(),
                Field::Comments => !issue.comments.is_empty(),
                Field::Body => !issue.body.trim().is_empty(),
                Field::Parent => issue.parent.is_some(),
                Field::DependsOn => !issue.depends_on.is_empty(),
            }),
            Test::Is(any) => any.iter().any(|s| match s {
                State::Open => !config.is_closed(&issue.status),
                State::Closed => config.is_closed(&issue.status),
                State::Blocked => is_blocked(issue, config, lookup),
                State::Ready => is_ready(issue, config, lookup),
                State::Conflicted => !issue.conflicts.is_empty(),
            }),
            Test::Claimed(ids) => ids.iter().any(|id| id == issue.id.as_str()),
            Test::Parent(any) => issue
                .parent
                .as_ref()
                .is_some_and(|p| any.iter().any(|a| p.as_str().starts_with(a.as_str()))),
            Test::Origin(tool, any) => {
                crate::model::migrate::Tool::named(tool).is_some_and(|tool| {
                    any.iter()
                        .any(|id| crate::model::migrate::is_from(issue, tool, id))
                })
            }
            Test::Github(any) => {
                crate::model::github::number_of(issue).is_some_and(|n| any.contains(&n))
            }
            Test::Phrase(text) => texts(issue).any(|t| t.to_lowercase().contains(text)),
            // a word typed whole that is a prefix of the id names the issue
            Test::Word { word, matcher } => matcher.get(word).is_some_and(|words| {
                (words.len() == 1 && words.names(0, &issue.id)) || words.all_in(texts(issue))
            }),
        }
    }
}

fn texts(issue: &Issue) -> impl Iterator<Item = &str> {
    [issue.title.as_str(), issue.body.as_str()]
        .into_iter()
        .chain(issue.comments.iter().map(|c| c.body.as_str()))
}

/// Splits on spaces outside quotes: (1-based column, token with its quotes).
fn tokens(text: &str) -> Result<Vec<(usize, String)>, QueryError> {
    let mut out = Vec::new();
    let mut chars = text.chars().enumerate().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut token = String::new();
        let mut quoted = false;
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() && !quoted {
                break;
            }
            if c == '"' {
                quoted = !quoted;
            }
            token.push(c);
            chars.next();
        }
        if quoted {
            return Err(QueryError {
                column: at + 1,
                message: "a quote is not closed".to_owned(),
            });
        }
        out.push((at + 1, token));
    }
    Ok(out)
}

fn term(token: &str, column: usize, cx: &Context) -> Result<Term, QueryError> {
    let error = |offset: usize, message: String| QueryError {
        column: column + offset,
        message,
    };
    let (negated, body, skip) = match token.strip_prefix('-') {
        Some(rest) if !rest.is_empty() => (true, rest, 1),
        _ => (false, token, 0),
    };
    if let Some(inner) = body.strip_prefix('"') {
        let phrase = inner.strip_suffix('"').unwrap_or(inner);
        if phrase.is_empty() {
            return Err(error(skip, "an empty phrase".to_owned()));
        }
        return Ok(Term {
            negated,
            test: Test::Phrase(phrase.to_lowercase()),
        });
    }
    let Some((key, value)) = body.split_once(':') else {
        if crate::query::search::tokens(body).is_empty() {
            return Err(error(
                skip,
                format!("{body:?} has no letters or digits to search for"),
            ));
        }
        return Ok(Term {
            negated,
            test: Test::Word {
                word: body.to_lowercase(),
                matcher: Default::default(),
            },
        });
    };
    let at = skip + key.chars().count() + 1;
    if value.is_empty() {
        return Err(error(at, format!("`{key}:` needs a value")));
    }
    let values: Vec<&str> = value.split(',').collect();
    let list = |f: &dyn Fn(&str) -> Result<String, String>| -> Result<Vec<String>, QueryError> {
        values
            .iter()
            .map(|v| f(v).map_err(|m| error(at, m)))
            .collect()
    };
    let test = match key {
        "status" => Test::Status(list(&|v| {
            cx.config.check_status(v).map_err(|e| e.to_string())?;
            Ok(v.to_owned())
        })?),
        "parent" => Test::Parent(list(&|v| {
            crate::model::id::normalize_prefix(v).ok_or_else(|| format!("parent:{v}: not an issue id"))
        })?),
        "label" => Test::Label(list(&|v| Ok(v.to_owned()))?),
        "beads" | "backlog" | "tbd" => Test::Origin(key.to_owned(), list(&|v| Ok(v.to_owned()))?),
        "github" => Test::Github(
            values
                .iter()
                .map(|v| {
                    v.trim_start_matches('#').parse::<u64>().map_err(|_| {
                        error(at, format!("github:{v}: expected an issue number (github:12)"))
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        "type" => Test::Type(list(&|v| {
            cx.config.check_type(v).map_err(|e| e.to_string())?;
            Ok(v.to_owned())
        })?),
        "assignee" => Test::Assignee(
            values
                .iter()
                .map(|v| match *v {
                    "none" => Ok(None),
                    "me" => (cx.me)()
                        .map(|m| Some(m.to_lowercase()))
                        .ok_or_else(|| error(at, "`me` needs user.email in git config".to_owned())),
                    v if v.contains('@') => Ok(Some(v.to_lowercase())),
                    // a name as tables show it: `assignee:ann`, `assignee:"Ann Lee"`
                    v => match v.trim_matches('"') {
                        "" => Err(error(at, format!("assignee {v:?}: expected me, none, a name or an email"))),
                        name => Ok(Some(name.to_lowercase())),
                    },
                })
                .collect::<Result<_, _>>()?,
        ),
        "priority" => Test::Priority(
            values
                .iter()
                .map(|v| {
                    let (c, rest) = comparison(v);
                    Config::parse_priority(rest)
                        .map(|p| (c, p))
                        .map_err(|why| error(at, format!("priority {v:?}: {why}, e.g. <=1")))
                })
                .collect::<Result<_, _>>()?,
        ),
        "created" | "updated" => {
            let parsed = values
                .iter()
                .map(|v| date(v, cx.now).map_err(|m| error(at, m)))
                .collect::<Result<Vec<_>, _>>()?;
            if key == "created" {
                Test::Created(parsed)
            } else {
                Test::Updated(parsed)
            }
        }
        "has" => Test::Has(
            values
                .iter()
                .map(|v| match *v {
                    "assignee" => Ok(Field::Assignee),
                    "label" | "labels" => Ok(Field::Labels),
                    "comment" | "comments" => Ok(Field::Comments),
                    "body" => Ok(Field::Body),
                    "parent" => Ok(Field::Parent),
                    "depends_on" | "deps" => Ok(Field::DependsOn),
                    v => Err(error(
                        at,
                        format!("has:{v}: expected assignee, labels, comments, body, parent or depends_on"),
                    )),
                })
                .collect::<Result<_, _>>()?,
        ),
        "claimed" => {
            let claims = (cx.claims)();
            let mut ids = Vec::new();
            let mut nobody = false;
            for v in &values {
                match *v {
                    "any" => ids.extend(claims.iter().map(|(id, _)| id.clone())),
                    "none" => nobody = true,
                    person => {
                        let who = match person {
                            "me" => (cx.me)().ok_or_else(|| {
                                error(at, "claimed:me: no identity (git config user.email)".to_owned())
                            })?,
                            other => other.to_owned(),
                        };
                        let who = crate::model::issue::identity_of(&who);
                        ids.extend(
                            claims
                                .iter()
                                .filter(|(_, holder)| {
                                    crate::model::issue::identity_of(holder).eq_ignore_ascii_case(&who)
                                })
                                .map(|(id, _)| id.clone()),
                        );
                    }
                }
            }
            if nobody {
                if values.len() > 1 {
                    return Err(error(at, "claimed:none goes alone".to_owned()));
                }
                // not claimed: the negation of every claim
                return Ok(Term {
                    negated: !negated,
                    test: Test::Claimed(claims.into_iter().map(|(id, _)| id).collect()),
                });
            }
            Test::Claimed(ids)
        }
        "is" => Test::Is(
            values
                .iter()
                .map(|v| match *v {
                    "open" => Ok(State::Open),
                    "closed" => Ok(State::Closed),
                    "blocked" => Ok(State::Blocked),
                    "ready" => Ok(State::Ready),
                    "conflicted" => Ok(State::Conflicted),
                    v => Err(error(
                        at,
                        format!("is:{v}: expected open, closed, blocked, ready or conflicted"),
                    )),
                })
                .collect::<Result<_, _>>()?,
        ),
        other => {
            return Err(error(
                skip,
                format!("unknown key {other:?} ({})", KEYS.join(", ")),
            ));
        }
    };
    Ok(Term { negated, test })
}

fn comparison(v: &str) -> (Cmp, &str) {
    for (prefix, c) in [
        ("<=", Cmp::Le),
        (">=", Cmp::Ge),
        ("<", Cmp::Lt),
        (">", Cmp::Gt),
        ("=", Cmp::Eq),
    ] {
        if let Some(rest) = v.strip_prefix(prefix) {
            return (c, rest);
        }
    }
    (Cmp::Eq, v)
}

/// `>2026-01-01` (a date: midnight UTC; `=` means that day) or `<7d` (an
/// age: `updated:<7d` is "within the last 7 days"); in ns since the epoch.
fn date(v: &str, now: Timestamp) -> Result<(Cmp, i64), String> {
    let nanos = |ns: i128| i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX });
    let (c, rest) = comparison(v);
    let age = rest
        .strip_suffix('d')
        .map(|n| (n, 86_400))
        .or_else(|| rest.strip_suffix('w').map(|n| (n, 7 * 86_400)))
        .or_else(|| rest.strip_suffix('h').map(|n| (n, 3_600)))
        .and_then(|(n, unit)| n.parse::<i64>().ok().and_then(|n| n.checked_mul(unit)));
    if let Some(seconds) = age {
        // an age compares the other way: younger than 7 days = after
        let at = now.as_nanosecond() - i128::from(seconds) * 1_000_000_000;
        let flipped = match c {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            Cmp::Eq | Cmp::Day => Cmp::Eq,
        };
        return Ok((flipped, nanos(at)));
    }
    let day: jiff::civil::Date = rest
        .parse()
        .map_err(|_| format!("{v:?}: expected a date (2026-01-31) or an age (7d, 2w, 12h)"))?;
    let start = jiff::tz::TimeZone::UTC
        .to_timestamp(day.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|e| e.to_string())?
        .as_nanosecond();
    Ok((if c == Cmp::Eq { Cmp::Day } else { c }, nanos(start)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::id::IssueId;
    use crate::model::ready::blocked_at;

    fn issue(extra: &str) -> Issue {
        let text = format!(
            "id: abcd123456\ntitle: Crash on empty repo\nstatus: open\ncreated: 2026-01-10T00:00:00Z\nupdated: 2026-03-01T00:00:00Z\n{extra}"
        );
        crate::model::issue::parse_for_test(&text)
    }

    fn parse(q: &str) -> Result<Filter, QueryError> {
        let config = Config::default();
        let cx = Context {
            me: &|| Some("ann@example.com".to_owned()),
            now: "2026-03-05T00:00:00Z".parse().expect("time"),
            config: &config,
            claims: &|| Vec::new(),
        };
        Filter::parse(q, &cx)
    }

    #[test]
    fn terms_combine_as_documented() {
        let i = issue(
            "priority: 1\ntype: bug\nlabels: [bug, crash]\nassignee: Ann Lee <ann@example.com>\nbody: The parser panics.\n",
        );
        let c = Config::default();
        for (q, want) in [
            ("label:bug priority:<=1", true),
            ("label:docs,crash", true),
            ("-label:crash", false),
            ("assignee:me status:open", true),
            ("assignee:none", false),
            ("created:>2026-01-01 updated:<7d", true),
            ("updated:<2d", false),
            ("created:2026-01-10", true),
            ("created:2026-01-11", false),
            ("has:assignee -has:comments", true),
            ("\"empty repo\" parser", true),
            ("pars", false),
            ("is:closed", false),
            ("type:bug", true),
            ("is:ready -is:blocked", true),
        ] {
            assert_eq!(parse(q).expect(q).matches(&i, &c, &|_| None), want, "{q}");
        }
        assert!(parse("status:closed").expect("ok").names_status());
        assert!(parse("foo").expect("ok").needs_details());
        assert!(parse("has:comments").expect("ok").needs_details());
        assert!(!parse("has:labels label:x").expect("ok").needs_details());
    }

    #[test]
    fn blocked_and_ready_follow_the_blockers() {
        let c = Config::default();
        let make = |id: &str, status: &str, extra: &str| {
            crate::model::issue::parse_for_test(&format!(
                "id: {id}\ntitle: T\nstatus: {status}\ncreated: 2026-01-10T00:00:00Z\n{extra}"
            ))
        };
        let blocker = make("bbbb000000", "open", "");
        let closed_blocker = make("bbbb000000", "closed", "");
        let waits = make(
            "abcd123456",
            "open",
            "depends_on: [bbbb000000, cccc000000]\n",
        );
        let active = make("abcd123456", "in_progress", "");
        // a parent's blocker blocks its children, up the chain
        let parent = make("dddd000000", "open", "depends_on: [bbbb000000]\n");
        let middle = make("eeee000000", "open", "parent: dddd000000\n");
        let child = make("ffff000000", "open", "parent: eeee000000\n");
        let all = [&blocker, &parent, &middle, &child];
        let open_blocker = |id: &IssueId| all.iter().find(|i| i.id == *id).copied();
        let closed = |id: &IssueId| (*id == closed_blocker.id).then_some(&closed_blocker);
        let nothing = |_: &IssueId| None;
        let q = |q: &str, i: &Issue, lookup: Lookup| parse(q).expect(q).matches(i, &c, lookup);
        assert!(q("is:blocked", &waits, &open_blocker));
        assert!(!q("is:ready", &waits, &open_blocker));
        assert!(!q("is:blocked", &waits, &closed), "closed blockers");
        assert!(!q("is:blocked", &waits, &nothing), "missing blockers");
        assert!(q("is:ready", &waits, &nothing));
        assert!(!q("is:ready", &active, &nothing), "already started");
        assert!(
            q("is:blocked", &child, &open_blocker),
            "through two parents"
        );
        assert_eq!(
            blocked_at(&child, &c, &open_blocker).map(|i| i.id.as_str()),
            Some("dddd000000")
        );
        assert!(!q("is:blocked", &blocker, &open_blocker));
        assert!(parse("is:blocked").expect("ok").names_status());
        assert!(
            !parse("has:depends_on is:ready")
                .expect("ok")
                .needs_details()
        );
    }

    #[test]
    fn errors_point_at_the_column() {
        let err = |q: &str| parse(q).expect_err(q);
        assert_eq!(err("label:bug priority:high").column, 20);
        assert_eq!(err("label:bug nope:x").column, 11);
        assert_eq!(err("a \"open phrase").column, 3);
        assert_eq!(err("updated:<soon").column, 9);
        assert_eq!(err("-label:").column, 8);
    }
}
