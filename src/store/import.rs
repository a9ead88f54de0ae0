//! Imports: issues from a `yit export` file, or from GitHub's issue JSON
//! (`gh issue list --json ...`). Both are checked whole before anything
//! is written and create their new issues all or nothing, journaled as a
//! plan is ([`Tracker::create_issues_journaled`]).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::{Clock, ScanMode, StoreError, Tracker};
use crate::model::github::{self, GhIssue};
use crate::model::id::{IdSource, IssueId};
use crate::model::issue::Issue;
use crate::model::problem::Problem;

/// What an import of a yit export did.
#[derive(Debug)]
pub struct Imported {
    pub created: Vec<IssueId>,
    /// Issues already here with the same content.
    pub unchanged: usize,
}

/// What an import from GitHub did.
#[derive(Debug)]
pub struct GithubImported {
    pub created: Vec<IssueId>,
    /// Known issues (by number) changed where only upstream changed.
    pub updated: Vec<IssueId>,
    pub unchanged: usize,
    /// Fields changed here and upstream since the last import: the local
    /// value was kept.
    pub conflicts: Vec<UpstreamConflict>,
    /// Upstream labels yit cannot hold (commas, length, strict_labels),
    /// sorted, each once; they were left out.
    pub dropped: Vec<String>,
}

#[derive(Debug)]
pub struct UpstreamConflict {
    pub id: IssueId,
    pub number: u64,
    pub fields: Vec<&'static str>,
}

impl Tracker {
    /// Imports `text`, a `yit export` (json or jsonl) read from `path`:
    /// every field and id kept. Issues here with the same content are
    /// skipped; the others are created, or none is (any problem, or an id
    /// here with other content).
    pub fn import_export(
        &self,
        text: &str,
        path: &Path,
        clock: &Clock,
        before_file: &(dyn Fn(usize) + Sync),
    ) -> Result<Imported, StoreError> {
        let mut problems = Vec::new();
        let mut issues: Vec<Issue> = Vec::new();
        for (line, value) in records_of(text, path)? {
            match self.issue_of_record(value, path, line) {
                Ok(issue) => issues.push(issue),
                Err(p) => problems.push(p),
            }
        }
        let mut seen = HashSet::new();
        for issue in &issues {
            if !seen.insert(issue.id.clone()) {
                problems.push(Problem::new(
                    path,
                    format!("issue {} appears twice", issue.id),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(nothing_imported(path, problems));
        }
        let mut fresh = Vec::new();
        let mut unchanged = 0;
        for issue in issues {
            match self.read_issue(&issue.id) {
                Ok(None) => fresh.push(issue),
                Ok(Some(existing)) if existing == issue => unchanged += 1,
                _ => return Err(StoreError::Differs { id: issue.id }),
            }
        }
        self.create_issues_journaled(&fresh, clock.lock_timeout, before_file)?;
        Ok(Imported {
            created: fresh.into_iter().map(|i| i.id).collect(),
            unchanged,
        })
    }

    /// The issue an exported record describes, checked as a file would be.
    fn issue_of_record(
        &self,
        value: serde_json::Value,
        path: &Path,
        line: u64,
    ) -> Result<Issue, Problem> {
        let problem = |message: String| Problem {
            path: path.to_owned(),
            line: (line > 0).then_some(line),
            column: None,
            message,
        };
        let serde_json::Value::Object(mut fields) = value else {
            return Err(problem("a record is a JSON object".to_owned()));
        };
        let id = fields
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(IssueId::parse_canonical)
            .ok_or_else(|| problem("a record needs a valid `id`".to_owned()))?;
        fields.remove("short_id");
        // keys yit does not know are at the top level of a file
        if let Some(serde_json::Value::Object(extra)) = fields.remove("extra") {
            for (k, v) in extra {
                fields.entry(k).or_insert(v);
            }
        }
        // JSON is YAML: the record is read exactly as an issue file would be
        let text = serde_json::Value::Object(fields).to_string();
        let file = Path::new(".issues").join(id.file_name());
        Issue::parse(text.as_bytes(), &file, Some(&id), self.config()).map_err(|broken| {
            let first = broken
                .problems
                .first()
                .map(|p| p.message.clone())
                .unwrap_or_default();
            problem(format!("issue {id}: {first}"))
        })
    }

    /// Imports GitHub's issue JSON `text`, read from `path`: upstream
    /// issues not here yet are created (a new issue's type and priority are
    /// what `labels` maps its labels to), known ones (by
    /// number) updated where only upstream changed. The new issues are
    /// created all or none; each update is checked again under its issue's
    /// lock against what the file holds then.
    pub fn import_github(
        &self,
        text: &str,
        path: &Path,
        labels: &github::LabelMap,
        mode: ScanMode,
        clock: &Clock,
        before_file: &(dyn Fn(usize) + Sync),
    ) -> Result<GithubImported, StoreError> {
        let upstream: Vec<GhIssue> = serde_json::from_str(text).map_err(|e| {
            let problem = Problem {
                path: path.to_owned(),
                line: Some(e.line() as u64),
                column: Some(e.column() as u64),
                message: format!("not the JSON of `gh issue list --json ...`: {e}"),
            };
            nothing_imported(path, vec![problem])
        })?;
        let config = self.config();
        let scan = self.scan(mode.with_details(true))?;
        let known: HashMap<u64, IssueId> = scan
            .issues
            .iter()
            .filter_map(|i| Some((github::number_of(i)?, i.id.clone())))
            .collect();
        let mut dropped: Vec<String> = Vec::new();
        let mut ids = IdSource::new(clock.seed);
        let mut fresh = Vec::new();
        let mut existing: Vec<(IssueId, &GhIssue)> = Vec::new();
        let mut problems = Vec::new();
        for gh in &upstream {
            if let Some(id) = known.get(&gh.number) {
                existing.push((id.clone(), gh));
                continue;
            }
            let made = gh
                .new_issue(ids.issue_id(), config, labels, &mut dropped)
                .map_err(StoreError::from)
                .and_then(|issue| Ok(issue.to_yaml(config).map(|_| issue)?));
            match made {
                Ok(issue) => fresh.push(issue),
                Err(e) => problems.push(Problem::new(path, format!("#{}: {e}", gh.number))),
            }
        }
        if !problems.is_empty() {
            return Err(nothing_imported(path, problems));
        }
        self.create_issues_journaled(&fresh, clock.lock_timeout, before_file)?;
        // a lock is a descriptor: an import that changes nothing takes none
        let mut conflicts = Vec::new();
        let by_id: HashMap<&IssueId, &GhIssue> =
            existing.iter().map(|(id, gh)| (id, *gh)).collect();
        let mut targets: Vec<IssueId> = Vec::new();
        for (id, gh) in &existing {
            let Some(local) = scan.find(id) else { continue };
            let (changes, fields) = gh.update(local, config, &mut Vec::new())?;
            if !changes.is_empty() {
                targets.push(id.clone());
            } else if !fields.is_empty() {
                conflicts.push(UpstreamConflict {
                    id: id.clone(),
                    number: gh.number,
                    fields,
                });
            }
        }
        let edits = self.update_issues(&targets, clock.lock_timeout, clock.now, |local| {
            let gh = by_id[&local.id];
            let (changes, fields) = gh.update(local, config, &mut Vec::new())?;
            if !fields.is_empty() {
                conflicts.push(UpstreamConflict {
                    id: local.id.clone(),
                    number: gh.number,
                    fields,
                });
            }
            Ok(changes)
        })?;
        let updated: Vec<IssueId> = edits
            .into_iter()
            .filter(|e| e.changed)
            .map(|e| e.issue.id)
            .collect();
        dropped.sort();
        dropped.dedup();
        Ok(GithubImported {
            created: fresh.into_iter().map(|i| i.id).collect(),
            unchanged: existing.len() - updated.len(),
            updated,
            conflicts,
            dropped,
        })
    }
}

/// The records of a json (`{"issues": [...]}`, a list, or one record) or
/// jsonl export, each with its line (jsonl) or 0.
fn records_of(text: &str, path: &Path) -> Result<Vec<(u64, serde_json::Value)>, StoreError> {
    use serde_json::Value;
    let bad = |line: Option<u64>, column: Option<u64>, message: String| {
        let problem = Problem {
            path: path.to_owned(),
            line,
            column,
            message,
        };
        nothing_imported(path, vec![problem])
    };
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        let list = match value {
            Value::Object(mut doc) if doc.contains_key("issues") => doc.remove("issues"),
            list @ Value::Array(_) => Some(list),
            Value::Object(one) => Some(Value::Array(vec![Value::Object(one)])),
            _ => None,
        };
        return match list {
            Some(Value::Array(items)) => Ok(items.into_iter().map(|v| (0, v)).collect()),
            _ => Err(bad(
                None,
                None,
                "expected yit's export: {\"issues\": [...]} or one issue per line".to_owned(),
            )),
        };
    }
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = n as u64 + 1;
        let value: Value = serde_json::from_str(line).map_err(|e| {
            bad(
                Some(line_no),
                Some(e.column() as u64),
                format!("not a JSON record: {e}"),
            )
        })?;
        out.push((line_no, value));
    }
    Ok(out)
}

fn nothing_imported(path: &Path, problems: Vec<Problem>) -> StoreError {
    StoreError::NothingImported {
        path: path.to_owned(),
        problems,
    }
}
