//! Plans: several new issues at once (`yit new --from-file plan.yaml`),
//! linked by keys local to the file, written all or nothing.
//!
//! A plan is checked whole before anything is written: every field, every
//! key and reference, and cycles among the new issues. Then the texts of
//! all the new files go into a journal (`<state>/plans/<token>.json`,
//! synced) before the first file is created; the journal is removed when
//! the last file is. A run interrupted between the two is completed by the
//! next command ([`Tracker::recover_plans`]): the journal holds every text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::write::{sync_batch, sync_dir, write_new_file, write_new_file_unsynced};
use super::{Draft, StoreError, Tracker, io_err};
use crate::model::id::{IdSource, IssueId};
use crate::model::issue::Issue;
use crate::model::problem::{Pos, Problem};

/// One entry of a plan file, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    key: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    body: Option<String>,
    labels: Option<Vec<String>>,
    priority: Option<u8>,
    #[serde(rename = "type")]
    kind: Option<String>,
    assignee: Option<String>,
    status: Option<String>,
    parent: Option<Spanned<String>>,
    depends_on: Option<Vec<Spanned<String>>>,
}

/// What a plan entry names: another entry, or an existing issue.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ref {
    Entry(usize),
    Issue(IssueId),
}

/// One checked entry of a plan.
pub struct PlanEntry {
    pub key: Option<String>,
    draft: Draft,
    parent: Option<Ref>,
    depends_on: Vec<Ref>,
}

/// A checked plan, ready to write.
pub struct Plan {
    pub entries: Vec<PlanEntry>,
}

/// How the person who runs the plan is named (`assignee: me`).
pub struct PlanContext<'a> {
    pub me: Option<&'a str>,
    /// The existing issue an id or prefix names.
    pub resolve: &'a dyn Fn(&str) -> Option<IssueId>,
}

/// The issues a plan created, in its order, with each one's key.
pub struct PlanCreated {
    pub issues: Vec<Issue>,
    pub keys: Vec<Option<String>>,
}

impl Tracker {
    /// Reads, checks and creates the plan `text` (read from `path`) by
    /// `author`: every issue of it, or none. Existing issues are named by
    /// id or unique prefix, and `assignee: me` is `author`.
    pub fn run_plan(
        &self,
        text: &str,
        path: &Path,
        author: String,
        clock: &super::Clock,
        before_file: &(dyn Fn(usize) + Sync),
    ) -> Result<PlanCreated, StoreError> {
        let listing = self.load_listing()?;
        let resolve = |input: &str| listing.resolve(input).ok();
        let cx = PlanContext {
            me: Some(&author),
            resolve: &resolve,
        };
        let plan = self
            .read_plan(text, path, &cx)
            .map_err(|problems| StoreError::BadPlan {
                path: path.to_owned(),
                problems,
            })?;
        let keys = plan.entries.iter().map(|e| e.key.clone()).collect();
        let mut ids = IdSource::new(clock.seed);
        let issues = self.create_plan(
            plan,
            author,
            clock.now,
            &mut ids,
            clock.lock_timeout,
            before_file,
        )?;
        Ok(PlanCreated { issues, keys })
    }

    /// Reads and checks a plan; every problem found, with its line.
    pub fn read_plan(
        &self,
        text: &str,
        path: &Path,
        cx: &PlanContext,
    ) -> Result<Plan, Vec<Problem>> {
        let raw: Vec<Spanned<RawItem>> =
            serde_saphyr::from_str_with_options(text, crate::model::yaml::read_options())
                .map_err(|e| vec![Problem::from_yaml(path, &e)])?;
        if raw.is_empty() {
            return Err(vec![Problem::new(path, "the plan has no issues")]);
        }
        let mut problems = Vec::new();
        let mut keys: HashMap<String, usize> = HashMap::new();
        for (n, item) in raw.iter().enumerate() {
            if let Some(key) = &item.value.key {
                let name = key.value.trim();
                if name.is_empty() || name.contains(char::is_whitespace) {
                    problems.push(at(path, &key.referenced, "key: a key is one word"));
                } else if keys.insert(name.to_owned(), n).is_some() {
                    problems.push(at(
                        path,
                        &key.referenced,
                        format!("key: {name:?} is used twice"),
                    ));
                }
            }
        }
        let reference = |s: &Spanned<String>, field: &str, problems: &mut Vec<Problem>| {
            let name = s.value.trim();
            if let Some(&n) = keys.get(name) {
                return Some(Ref::Entry(n));
            }
            match (cx.resolve)(name) {
                Some(id) => Some(Ref::Issue(id)),
                None => {
                    problems.push(at(
                        path,
                        &s.referenced,
                        format!("{field}: {name:?} is neither a key in this plan nor an issue"),
                    ));
                    None
                }
            }
        };
        let mut entries = Vec::with_capacity(raw.len());
        for item in &raw {
            let i = &item.value;
            let Some(title) = &i.title else {
                problems.push(at(path, &item.referenced, "an issue needs a title"));
                continue;
            };
            let assignee = match i.assignee.as_deref() {
                Some("me") => match cx.me {
                    Some(me) => Some(me.to_owned()),
                    None => {
                        problems.push(at(
                            path,
                            &item.referenced,
                            "assignee: `me` needs user.name and user.email in git config",
                        ));
                        None
                    }
                },
                other => other.map(str::to_owned),
            };
            let draft = Draft {
                title: title.value.clone(),
                body: i.body.clone().unwrap_or_default(),
                labels: i.labels.clone().unwrap_or_default(),
                priority: i.priority,
                kind: i.kind.clone(),
                assignee,
                status: i.status.clone(),
                parent: None,
                depends_on: Vec::new(),
            };
            if let Err(e) = self.check_draft(&draft) {
                problems.push(at(path, &item.referenced, e.to_string()));
            }
            let parent = i
                .parent
                .as_ref()
                .and_then(|p| reference(p, "parent", &mut problems));
            let depends_on = i
                .depends_on
                .iter()
                .flatten()
                .filter_map(|d| reference(d, "depends_on", &mut problems))
                .collect();
            entries.push(PlanEntry {
                key: i.key.as_ref().map(|k| k.value.trim().to_owned()),
                draft,
                parent,
                depends_on,
            });
        }
        if problems.is_empty() {
            // cycles can only be among the new issues: nothing existing
            // refers to them yet
            if let Some(cycle) = cycle(&entries, |e| {
                e.depends_on
                    .iter()
                    .filter_map(|r| match r {
                        Ref::Entry(n) => Some(*n),
                        Ref::Issue(_) => None,
                    })
                    .collect()
            }) {
                problems.push(cycle_problem(path, &raw, &entries, "depends_on", &cycle));
            } else if let Some(cycle) = cycle(&entries, |e| match e.parent {
                Some(Ref::Entry(n)) => vec![n],
                _ => Vec::new(),
            }) {
                problems.push(cycle_problem(path, &raw, &entries, "parent", &cycle));
            }
        }
        if problems.is_empty() {
            Ok(Plan { entries })
        } else {
            Err(problems)
        }
    }

    /// Creates every issue of `plan`, or none: ids are drawn, the texts
    /// made and journaled, then the files created; an id taken meanwhile
    /// undoes the files already created. Holds the graph lock throughout.
    /// `before_file(n)` is called before the n-th file is created (where a
    /// test interrupts the plan as a crash would).
    pub fn create_plan(
        &self,
        plan: Plan,
        author: String,
        now: Timestamp,
        ids: &mut IdSource,
        timeout: std::time::Duration,
        before_file: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Issue>, StoreError> {
        let _graph = self.lock_graph(timeout)?;
        let now = crate::model::issue::whole_seconds(now);
        let listing = self.load_listing()?;
        let mut drawn: Vec<IssueId> = Vec::with_capacity(plan.entries.len());
        while drawn.len() < plan.entries.len() {
            let id = ids.issue_id();
            if !listing.contains(&id) && !drawn.contains(&id) {
                drawn.push(id);
            }
        }
        let id_of = |r: &Ref| match r {
            Ref::Entry(n) => drawn[*n].clone(),
            Ref::Issue(id) => id.clone(),
        };
        let mut issues = Vec::with_capacity(plan.entries.len());
        for (entry, id) in plan.entries.into_iter().zip(&drawn) {
            let mut issue = self.issue_of_draft(entry.draft, id.clone(), author.clone(), now);
            issue.parent = entry.parent.as_ref().map(id_of);
            for dep in entry.depends_on.iter().map(id_of) {
                if !issue.depends_on.contains(&dep) {
                    issue.depends_on.push(dep);
                }
            }
            issues.push(issue);
        }
        self.create_all(&issues, before_file)?;
        Ok(issues)
    }

    /// Creates new issue files with the ids they have (`yit import`), all
    /// or none, through the journal, under the graph lock. An id already
    /// taken is an error, and nothing is created. `before_file` as for
    /// [`Tracker::create_plan`].
    pub fn create_issues_journaled(
        &self,
        issues: &[Issue],
        timeout: std::time::Duration,
        before_file: &(dyn Fn(usize) + Sync),
    ) -> Result<(), StoreError> {
        let _graph = self.lock_graph(timeout)?;
        let listing = self.load_listing()?;
        if let Some(taken) = issues.iter().find(|i| listing.contains(&i.id)) {
            return Err(StoreError::Taken {
                id: taken.id.clone(),
            });
        }
        self.create_all(issues, before_file)
    }

    /// Makes the texts of new issues, journals them, then creates the
    /// files; the caller holds the graph lock.
    fn create_all(
        &self,
        issues: &[Issue],
        before_file: &(dyn Fn(usize) + Sync),
    ) -> Result<(), StoreError> {
        let texts = self
            .texts_of(issues)
            .into_iter()
            .collect::<Result<_, StoreError>>()?;
        self.create_texts(issues, texts, before_file)
    }

    /// The file text of each new issue, or why it cannot be one (it would
    /// not read back, it is over `max_file_size`), in order; several
    /// threads make them when there are many.
    pub(super) fn texts_of(&self, issues: &[Issue]) -> Vec<Result<String, StoreError>> {
        // (the tracker is not shared between threads: what they need is)
        let config = self.config();
        in_parallel(issues, &|_, issue: &Issue| {
            let text = issue.to_yaml(config)?;
            super::check_size(config, &text)?;
            Ok(text)
        })
    }

    /// Journals the texts of new issues (made by [`Tracker::texts_of`]),
    /// then creates the files; the caller holds the graph lock.
    pub(super) fn create_texts(
        &self,
        issues: &[Issue],
        texts: Vec<String>,
        before_file: &(dyn Fn(usize) + Sync),
    ) -> Result<(), StoreError> {
        let dir = self.issues_dir();
        let texts: Vec<Planned> = issues
            .iter()
            .zip(texts)
            .map(|(issue, text)| Planned {
                id: issue.id.to_string(),
                text,
            })
            .collect();
        let journal = self.write_plan_journal(&texts)?;
        // a batch is synced whole before its journal goes (the journal
        // holds every text until then), and written by several threads
        // when large (creating a file is the file system's work, and it
        // spreads over cores)
        let batch = issues.len() > 1;
        let pairs: Vec<(&Planned, &Issue)> = texts.iter().zip(issues).collect();
        let results = in_parallel(&pairs, &|n, (planned, issue)| {
            before_file(n);
            let path = dir.join(issue.id.file_name());
            let written = if batch {
                write_new_file_unsynced(dir, &path, planned.text.as_bytes())
            } else {
                write_new_file(dir, &path, planned.text.as_bytes())
            };
            written.map(|()| path)
        });
        if results.iter().any(Result::is_err) {
            let mut first = None;
            for result in results {
                match result {
                    Ok(done) => {
                        let _ = std::fs::remove_file(done);
                    }
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            sync_dir(self.issues_dir());
            let _ = std::fs::remove_file(&journal);
            return Err(first.expect("an error"));
        }
        if batch {
            sync_batch(self.issues_dir())?;
        }
        let written: Vec<(&Issue, &[u8])> = issues
            .iter()
            .zip(&texts)
            .map(|(i, t)| (i, t.text.as_bytes()))
            .collect();
        self.journal(&written);
        std::fs::remove_file(&journal).map_err(io_err("could not remove", &journal))?;
        Ok(())
    }

    fn plans_dir(&self) -> PathBuf {
        self.state_dir().join("plans")
    }

    fn write_plan_journal(&self, texts: &[Planned]) -> Result<PathBuf, StoreError> {
        let bytes = serde_json::to_vec(&Journal {
            files: texts.to_vec(),
        })
        .expect("a journal of strings serializes");
        super::write::write_journal(&self.plans_dir(), &bytes)
    }

    /// Completes the plans an interrupted `yit new --from-file` left: every
    /// file its journal lists that is missing is created. Returns how many
    /// issues were created. A plan another process is writing (it holds
    /// the graph lock) is left to it.
    pub fn recover_plans(&self) -> Result<usize, StoreError> {
        let journals = super::write::journals_in(&self.plans_dir());
        if journals.is_empty() {
            return Ok(0);
        }
        let Ok(_graph) = self.lock_graph(std::time::Duration::ZERO) else {
            return Ok(0);
        };
        let mut created = 0;
        for journal in journals {
            let Ok(bytes) = std::fs::read(&journal) else {
                continue;
            };
            if let Ok(Journal { files }) = serde_json::from_slice::<Journal>(&bytes) {
                for planned in files {
                    let Some(id) = IssueId::parse_canonical(&planned.id) else {
                        continue;
                    };
                    let path = self.issue_path(&id);
                    match write_new_file(self.issues_dir(), &path, planned.text.as_bytes()) {
                        Ok(()) => created += 1,
                        // created before the interruption (or since)
                        Err(StoreError::Io { source, .. })
                            if source.kind() == std::io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            std::fs::remove_file(&journal).map_err(io_err("could not remove", &journal))?;
        }
        Ok(created)
    }
}

/// `f` of each item (with its index), in order: by several threads, in
/// contiguous runs, when there are more than 64 items.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: &(dyn Fn(usize, &T) -> R + Sync)) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if items.len() <= 64 || workers < 2 {
        return items.iter().enumerate().map(|(n, t)| f(n, t)).collect();
    }
    let run = items.len().div_ceil(workers);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(run)
            .enumerate()
            .map(|(c, chunk)| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .enumerate()
                        .map(|(i, t)| f(c * run + i, t))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[derive(Clone, Serialize, Deserialize)]
struct Planned {
    id: String,
    text: String,
}

#[derive(Serialize, Deserialize)]
struct Journal {
    files: Vec<Planned>,
}

fn at(path: &Path, loc: &serde_saphyr::Location, message: impl Into<String>) -> Problem {
    Problem::at(path, Pos::of_location(loc), message)
}

/// A cycle among the entries along `next`, as entry numbers ending where
/// they start.
fn cycle(entries: &[PlanEntry], next: impl Fn(&PlanEntry) -> Vec<usize>) -> Option<Vec<usize>> {
    // 0: not seen, 1: on the path, 2: done
    let mut state = vec![0u8; entries.len()];
    fn visit(
        n: usize,
        entries: &[PlanEntry],
        next: &dyn Fn(&PlanEntry) -> Vec<usize>,
        state: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[n] = 1;
        path.push(n);
        for m in next(&entries[n]) {
            if state[m] == 1 {
                let start = path.iter().position(|&p| p == m).expect("on the path");
                let mut cycle = path[start..].to_vec();
                cycle.push(m);
                return Some(cycle);
            }
            if state[m] == 0
                && let Some(c) = visit(m, entries, next, state, path)
            {
                return Some(c);
            }
        }
        path.pop();
        state[n] = 2;
        None
    }
    (0..entries.len()).find_map(|n| {
        (state[n] == 0)
            .then(|| visit(n, entries, &next, &mut state, &mut Vec::new()))
            .flatten()
    })
}

fn cycle_problem(
    path: &Path,
    raw: &[Spanned<RawItem>],
    entries: &[PlanEntry],
    field: &str,
    cycle: &[usize],
) -> Problem {
    let names: Vec<String> = cycle
        .iter()
        .map(|&n| {
            entries[n]
                .key
                .clone()
                .unwrap_or_else(|| format!("#{}", n + 1))
        })
        .collect();
    at(
        path,
        &raw[cycle[0]].referenced,
        format!("{field} cycle: {}", names.join(" → ")),
    )
}
