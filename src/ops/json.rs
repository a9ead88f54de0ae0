//! The `--json` answers of the commands that change issues, search, plan,
//! log and wait, for every front end (the CLI prints them in their
//! envelope; `yit mcp` returns them as its tools' results): one shape per
//! answer, documented in docs/format.md.

use serde_json::{Value, json};

use crate::model::config::Config;
use crate::model::edit::Edited;
use crate::model::issue::Issue;
use crate::model::record::Record;
use crate::query::SearchHit;
use crate::store::Scan;

use super::{IssueLog, Shorts};

/// What a change wrote: `issue` (one) or `issues` (several).
pub fn edits(edits: &[Edited], shorts: &Shorts, single: bool) -> Value {
    fn record<'a>(e: &'a Edited, shorts: &'a Shorts) -> Record<'a> {
        Record::of(&e.issue, shorts.of(&e.issue.id), true)
    }
    if single {
        json!({ "issue": edits.first().map(|e| record(e, shorts)) })
    } else {
        let records: Vec<Record> = edits.iter().map(|e| record(e, shorts)).collect();
        json!({ "issues": records })
    }
}

/// A claim's lease, as `claim --json`, `release --json` and `show --json`
/// report it.
pub fn lease(lease: &crate::model::lease::Lease, now: jiff::Timestamp) -> Value {
    json!({
        "holder": lease.holder,
        "session": lease.session,
        "token": lease.token,
        "taken": lease.taken.to_string(),
        "renewed": lease.renewed.to_string(),
        "expires": lease.expires.map(|e| e.to_string()),
        "taken_at": lease.taken_at,
        "state": match lease.state {
            crate::model::lease::State::Held => "held",
            crate::model::lease::State::Released => "released",
        },
        "in_force": lease.in_force(now),
        "offline": lease.offline,
        "replaced": lease.replaced,
    })
}

/// A new issue.
pub fn created(issue: &Issue, shorts: &Shorts) -> Value {
    json!({ "issue": Record::of(issue, shorts.of(&issue.id), true) })
}

/// The issues a plan created, and the ids of its keys.
pub fn plan(issues: &[Issue], keys: &[Option<String>], shorts: &Shorts) -> Value {
    let records: Vec<Record> = issues
        .iter()
        .map(|i| Record::of(i, shorts.of(&i.id), true))
        .collect();
    let keyed: serde_json::Map<String, Value> = keys
        .iter()
        .zip(issues)
        .filter_map(|(k, i)| Some((k.clone()?, json!(i.id))))
        .collect();
    json!({ "issues": records, "keys": keyed })
}

/// One search hit: its record, score, snippet and title highlights.
pub fn hit(h: &SearchHit) -> Value {
    let mut value = h.record.to_value();
    value["score"] = json!(h.score);
    value["snippet"] = json!(h.snippet);
    value["title_highlights"] = json!(h.title_highlights);
    value
}

/// A search's answer.
pub fn search(matched: usize, hits: &[SearchHit]) -> Value {
    let hits: Vec<Value> = hits.iter().map(hit).collect();
    json!({ "matched": matched, "hits": hits })
}

/// An issue's history.
pub fn log(log: &IssueLog) -> Value {
    let commits: Vec<Value> = log
        .entries
        .iter()
        .map(|e| {
            json!({
                "commit": e.commit,
                "author": e.author,
                "date": crate::model::issue::format_unix(e.time),
                "summary": e.summary,
                "changes": e.changes,
            })
        })
        .collect();
    json!({ "id": log.id, "shallow": log.shallow, "commits": commits })
}

/// A waiting issue, the open issues it waits for, and the parent whose
/// blockers hold it back.
pub struct Waiting<'s> {
    pub issue: &'s Record<'s>,
    pub waits_for: Vec<Record<'s>>,
    pub parent: Option<Record<'s>>,
}

/// What each of `records` (waiting issues of `scan`) waits for.
pub fn waiting<'s>(
    scan: &'s Scan,
    config: &Config,
    records: &'s [Record<'s>],
    details: bool,
) -> Vec<Waiting<'s>> {
    let lookup = |id: &crate::model::id::IssueId| scan.find(id);
    let record_of = |i: &'s Issue| Record::of(i, scan.listing.short_id(&i.id), details);
    records
        .iter()
        .filter_map(|record| {
            let id = crate::model::id::IssueId::parse_canonical(&record.id)?;
            let issue = scan.find(&id)?;
            let waits = crate::model::ready::waits_for(issue, config, &lookup);
            Some(Waiting {
                issue: record,
                // (found again in the scan: the answer lives as long as it)
                waits_for: waits
                    .on
                    .iter()
                    .filter_map(|b| scan.find(&b.id))
                    .map(record_of)
                    .collect(),
                parent: waits.parent.and_then(|p| scan.find(&p.id)).map(record_of),
            })
        })
        .collect()
}

/// The `blocked` answer.
pub fn blocked(rows: &[Waiting]) -> Value {
    let blocked: Vec<Value> = rows
        .iter()
        .map(|w| json!({ "issue": w.issue, "waits_for": w.waits_for, "parent_waits": w.parent }))
        .collect();
    json!({ "blocked": blocked })
}
