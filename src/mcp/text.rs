//! The text of the list tools' results: a line per issue with every field
//! of a summary (as a table shows it), and with `details` each issue's
//! relations, body and comments under its line. It is the whole answer
//! unless JSON is asked for (`json: true`): then the records are the
//! structured content and the text is only the lines, not a second copy
//! of the JSON. (Clients show a model one or the other: Claude Code and VS
//! Code the structured content when there is one, others the text.)

use serde_json::Value;
use yit::model::issue::person_short;

/// `4k2f P1 in_progress bug @ann Crash on empty repo [crash,ui]`.
fn line(r: &Value) -> String {
    let text = |key: &str| r[key].as_str().unwrap_or("");
    let mut out = format!(
        "{} P{} {} {}",
        text("short_id"),
        r["priority"].as_u64().unwrap_or_default(),
        text("status"),
        text("type"),
    );
    if let Some(who) = r["assignee"].as_str() {
        out.push_str(" @");
        out.push_str(person_short(who));
    }
    out.push(' ');
    out.push_str(text("title"));
    let labels: Vec<&str> = r["labels"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !labels.is_empty() {
        out.push_str(&format!(" [{}]", labels.join(",")));
    }
    out
}

/// The details of a record (asked for with `details`), indented under its
/// line: relations, body, comments.
fn details(r: &Value, out: &mut String) {
    let ids = |key: &str| -> Vec<String> {
        match &r[key] {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    for (key, name) in [("parent", "parent"), ("depends_on", "waits for")] {
        let found = ids(key);
        if !found.is_empty() {
            out.push_str(&format!("  {name}: {}\n", found.join(", ")));
        }
    }
    let indented = |text: &str, out: &mut String| {
        for l in text.trim_end().lines() {
            out.push_str("    ");
            out.push_str(l);
            out.push('\n');
        }
    };
    if let Some(body) = r["body"].as_str().filter(|b| !b.trim().is_empty()) {
        out.push_str("  body:\n");
        indented(body, out);
    }
    for c in r["comments"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  comment {} by {} at {}:\n",
            c["id"].as_str().unwrap_or("?"),
            c["author"].as_str().map_or("?", person_short),
            c["created"].as_str().unwrap_or("?"),
        ));
        indented(c["body"].as_str().unwrap_or(""), out);
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// `list` and `ready`: a line per issue, with `details` when the records
/// carry them and they are asked for.
pub fn issues(answer: &Value, details_too: bool) -> String {
    let records = answer["issues"].as_array().map_or(&[][..], Vec::as_slice);
    let mut out = format!("{}:\n", count(records.len(), "issue"));
    for r in records {
        out.push_str(&line(r));
        out.push('\n');
        if details_too && r.get("body").is_some() {
            details(r, &mut out);
        }
    }
    problems(answer, &mut out);
    out
}

/// `blocked`: a line per waiting issue, and what it waits for under it.
pub fn blocked(answer: &Value, details_too: bool) -> String {
    let rows = answer["blocked"].as_array().map_or(&[][..], Vec::as_slice);
    let mut out = format!("{} waiting:\n", count(rows.len(), "issue"));
    let listed: std::collections::HashSet<&str> = rows
        .iter()
        .filter_map(|row| row["issue"]["short_id"].as_str())
        .collect();
    for row in rows {
        out.push_str(&line(&row["issue"]));
        out.push('\n');
        if details_too && row["issue"].get("body").is_some() {
            details(&row["issue"], &mut out);
        }
        // by its short id and status; its title too unless the issue has
        // a line of its own here (it waits too)
        let named = |r: &Value| {
            let short = r["short_id"].as_str().unwrap_or("");
            let status = r["status"].as_str().unwrap_or("");
            match listed.contains(short) {
                true => format!("{short} {status} (listed here)"),
                false => format!(
                    "{short} {status} {}",
                    shortened(r["title"].as_str().unwrap_or(""), NAMED)
                ),
            }
        };
        for b in row["waits_for"].as_array().into_iter().flatten() {
            out.push_str(&format!("  waits for {}\n", named(b)));
        }
        if row["parent_waits"].is_object() {
            out.push_str(&format!(
                "  under {} (a parent that waits)\n",
                named(&row["parent_waits"])
            ));
        }
    }
    out
}

/// The characters of a search hit's snippet the text shows.
const SNIPPET: usize = 60;
/// The characters of the title of an issue named under another's line.
const NAMED: usize = 40;

/// `text` cut to about `max` characters between words, `…` where it was.
fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let kept = cut.rsplit_once(' ').map_or(cut.as_str(), |(kept, _)| kept);
    format!("{}…", kept.trim_end_matches('…').trim_end())
}

/// `search`: how many matched, then a line per hit (short id, status,
/// title) with its snippet under it.
pub fn search(answer: &Value, _details_too: bool) -> String {
    let hits = answer["hits"].as_array().map_or(&[][..], Vec::as_slice);
    let matched = answer["matched"].as_u64().unwrap_or_default();
    let mut out = format!("{matched} matched; the best {}:\n", hits.len());
    for h in hits {
        // shorter than a list's line: the snippet says why it is here
        out.push_str(&format!(
            "{} {} {}\n",
            h["short_id"].as_str().unwrap_or(""),
            h["status"].as_str().unwrap_or(""),
            h["title"].as_str().unwrap_or("")
        ));
        // (a match in the title is in the line already)
        if h["snippet"]["field"] != "title"
            && let Some(snippet) = h["snippet"]["text"].as_str()
        {
            out.push_str(&format!("  {}\n", shortened(snippet, SNIPPET)));
        }
    }
    out
}

/// The files that could not be read, as `path:line:column: message`.
fn problems(answer: &Value, out: &mut String) {
    for p in answer["problems"].as_array().into_iter().flatten() {
        let mut at = p["path"].as_str().unwrap_or("?").to_owned();
        for key in ["line", "column"] {
            if let Some(n) = p[key].as_u64() {
                at.push_str(&format!(":{n}"));
            }
        }
        out.push_str(&format!(
            "warning: {at}: {} (this issue is left out)\n",
            p["message"].as_str().unwrap_or("cannot be read")
        ));
    }
}
