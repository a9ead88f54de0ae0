//! Answering a query: through the daemon when it answers, else from the
//! files (through the index unless the front end asks for every file to
//! be parsed). The answer borrows from [`Answers`], storage the caller
//! owns and keeps while it reads the answer.

use crate::daemon::protocol::{Request, Response};
use crate::model::config::Config;
use crate::model::id::IssueId;
use crate::query::{self, ListQuery, ListResult, SearchResult};
use crate::store::{Scan, ScanMode, StoreError, Tracker};

use super::Session;

/// The [`query::Scope`] of a scan of the files, for one statement.
macro_rules! scope_of {
    ($scan:expr, $config:expr) => {
        query::Scope {
            short_len: &|id: &IssueId| $scan.listing.short_id(id).len(),
            problems: &$scan.problems,
            broken_files: $scan.broken_files,
            config: $config,
            lookup: &|id| $scan.find(id),
        }
    };
}

/// The largest `--json` list asked of a daemon process (measured: 10,000
/// records with bodies take 86 ms through it, 49 ms from the index); a
/// front end's engine is asked every list.
const DETAILS_THROUGH_DAEMON: usize = 1000;

/// What an answer's records are read from: the daemon's bytes, or a scan
/// of the files. A front end about to exit may forget it rather than free
/// 100,000 issues.
#[derive(Default)]
pub struct Answers {
    bytes: Option<Vec<u8>>,
    scan: Option<Scan>,
}

impl Session<'_> {
    /// The daemon's answer to `request`, in bytes read in place later;
    /// `None` when no daemon answers.
    fn exchange(&mut self, request: &Request) -> Option<Vec<u8>> {
        self.daemon()?.exchange(request).ok()
    }

    /// Answers a `list`. Every record with its body and comments is read
    /// faster from the index than through the daemon (which would send
    /// them all as JSON), so only a limited `--json` asks the daemon.
    /// `mode` is how the files are read when they are (the details are
    /// what the query needs).
    pub fn list<'s>(
        &mut self,
        query: &ListQuery,
        mode: ScanMode,
        store: &'s mut Answers,
    ) -> Result<ListResult<'s>, StoreError> {
        // what can be started leaves out what someone else works on now,
        // in any worktree or clone: a lease in force of another's
        let elsewhere = match query.filter.as_ref().is_some_and(|f| f.asks_ready()) {
            true => self.leased_elsewhere()?,
            false => std::collections::HashSet::new(),
        };
        if elsewhere.is_empty() {
            return self.list_all(query, mode, store);
        }
        // asked for more, then cut: the limit counts what is shown
        let mut wider = query.clone();
        wider.limit = query.limit.map(|n| n.saturating_add(elsewhere.len()));
        let mut result = self.list_all(&wider, mode, store)?;
        let before = result.records.len();
        result.records.retain(|r| !elsewhere.contains(&*r.id));
        let left_out = before - result.records.len();
        if let Some(n) = query.limit {
            result.records.truncate(n);
        }
        result.matched = result.matched.map(|m| m - left_out.min(m));
        Ok(result)
    }

    /// Answers a `list` as [`Session::list`] does and hands the result to
    /// `f`, without keeping it: a front end's engine answers in place,
    /// from the issues it holds, so a list of every issue with its body
    /// costs the memory of what `f` makes of it, not of several copies.
    pub fn list_with<T>(
        &mut self,
        query: &ListQuery,
        mode: ScanMode,
        f: impl FnOnce(&ListResult) -> T,
    ) -> Result<T, StoreError> {
        let asks_ready = query.filter.as_ref().is_some_and(|f| f.asks_ready());
        let mut f = Some(f);
        if self.lists_from_daemon
            && (!asks_ready || self.leased_elsewhere()?.is_empty())
            && let Some(daemon) = self.daemon()
            && let Some(answer) = daemon.with_answer(
                &Request::List {
                    query: query.clone(),
                },
                |response| match response {
                    Response::List(result) => f.take().map(|f| f(result)),
                    _ => None,
                },
            )
            && let Some(answer) = answer
        {
            return Ok(answer);
        }
        let mut store = Answers::default();
        let result = self.list(query, mode, &mut store)?;
        let f = f.expect("f is called once, by the engine or here");
        Ok(f(&result))
    }

    /// The ids of issues whose lease is in force and not the claimant's.
    fn leased_elsewhere(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let now = self.now();
        let claimant = self.tracker.claimant().ok();
        Ok(self
            .tracker
            .leases()?
            .into_iter()
            .filter(|l| l.in_force(now) && !claimant.as_ref().is_some_and(|c| c.holds(l)))
            .map(|l| l.issue.to_string())
            .collect())
    }

    fn list_all<'s>(
        &mut self,
        query: &ListQuery,
        mode: ScanMode,
        store: &'s mut Answers,
    ) -> Result<ListResult<'s>, StoreError> {
        let Answers { bytes, scan } = store;
        if !query.details
            || self.lists_from_daemon
            || query.limit.is_some_and(|n| n <= DETAILS_THROUGH_DAEMON)
        {
            *bytes = self.exchange(&Request::List {
                query: query.clone(),
            });
        }
        // an error or a daemon going away: answer from the files
        if let Some(Ok(Response::List(result))) = bytes.as_deref().map(crate::daemon::parse) {
            return Ok(result);
        }
        let scan = scan.insert(scan_for(self.tracker, query, mode)?);
        Ok(list_over(scan, self.tracker.config(), query))
    }

    /// Answers several lists at once (`board`: a column each): through the
    /// daemon, a request per query; else one scan for them all.
    pub fn lists<'s>(
        &mut self,
        queries: &[ListQuery],
        mode: ScanMode,
        store: &'s mut Answers,
    ) -> Result<Vec<ListResult<'s>>, StoreError> {
        if let Some(daemon) = self.daemon() {
            let mut answers = Vec::with_capacity(queries.len());
            for query in queries {
                match daemon.request(&Request::List {
                    query: query.clone(),
                }) {
                    Ok(Response::List(result)) => answers.push(result),
                    _ => break,
                }
            }
            if answers.len() == queries.len() {
                return Ok(answers);
            }
        }
        let details = queries
            .iter()
            .any(|q| q.filter.as_ref().is_some_and(|f| f.needs_details()));
        let scan = store
            .scan
            .insert(self.tracker.scan(mode.with_details(details))?);
        let config = self.tracker.config();
        Ok(queries.iter().map(|q| list_over(scan, config, q)).collect())
    }

    /// Answers a `search` (a query with words), ranked.
    pub fn search<'s>(
        &mut self,
        query: &ListQuery,
        mode: ScanMode,
        store: &'s mut Answers,
    ) -> Result<SearchResult<'s>, StoreError> {
        let Answers { bytes, scan } = store;
        *bytes = self.exchange(&Request::Search {
            query: query.clone(),
        });
        if let Some(Ok(Response::Search(result))) = bytes.as_deref().map(crate::daemon::parse) {
            return Ok(result);
        }
        let scan = scan.insert(scan_for(self.tracker, query, mode)?);
        let issues: Vec<&crate::model::issue::Issue> = scan.issues.iter().map(|i| &**i).collect();
        query::run_search(
            (&issues, scan.text_total),
            &scope_of!(scan, self.tracker.config()),
            query,
        )
        .ok_or(StoreError::NothingToSearch)
    }
}

/// The scan `query` needs: with bodies and comments when it shows or reads
/// them (whatever `mode` says of details); through the index (unless
/// `mode` parses every file), and when its
/// only text terms are words, only the bodies the word cache cannot rule
/// out.
pub fn scan_for(tracker: &Tracker, query: &ListQuery, mode: ScanMode) -> Result<Scan, StoreError> {
    let filter = query.filter.as_ref();
    if let ScanMode::Index { .. } = mode
        && !query.details
        && let Some(words) = filter.and_then(|f| f.only_words())
        && let Some(words) = crate::query::search::Words::new(&words)
    {
        return tracker.scan_text(words.words());
    }
    let details = query.details || filter.is_some_and(|f| f.needs_details());
    tracker.scan(mode.with_details(details))
}

/// Answers `query` over a scan of the files (of the worktree or a revision).
pub fn list_over<'a>(scan: &'a Scan, config: &Config, query: &ListQuery) -> ListResult<'a> {
    query::run_list(
        scan.issues.iter().map(|i| &**i),
        &scope_of!(scan, config),
        query,
    )
}
