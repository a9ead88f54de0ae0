//! Every JSON example in docs/format.md is what the command labelled with
//! it prints: the test runs each, in the order of the document, in one
//! scratch repository, and compares keys and types.

use crate::common;

use std::collections::BTreeMap;

use common::TestRepo;
use serde_json::Value;

/// Objects whose keys are names from the data (statuses, labels, branches,
/// plan keys, unknown file keys), not fields: any key, each value shaped as
/// the documented ones.
const FREE_MAPS: [&str; 7] = [
    "by_status",
    "by_type",
    "by_label",
    "by_assignee",
    "keys",
    "extra",
    "status",
];

/// The ids the examples name, and the issues of the scratch repository
/// they stand for.
struct Scenario {
    repo: TestRepo,
    ids: BTreeMap<&'static str, String>,
}

fn scenario() -> Scenario {
    let repo = TestRepo::new();
    repo.git(&["checkout", "-q", "-b", "main"]);
    repo.ok(&["init"]);
    let epic = repo.new_issue(&["Ship search", "--type", "feature"]);
    let index = repo.new_issue(&["Build the index"]);
    let crash = repo.new_issue(&[
        "Crash on empty repo",
        "--type",
        "bug",
        "-p",
        "1",
        "-l",
        "crash",
        "--parent",
        &epic,
        "-d",
        &index,
        "--body",
        "Steps: run it",
    ]);
    let old = repo.new_issue(&["Old idea"]);
    repo.ok(&["comment", &crash, "Seen it too"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "file the issues"]);
    repo.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        &format!("Handle empty repos\n\nRefs: {crash}"),
    ]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.ok(&["close", &index]);
    repo.git(&["commit", "-qam", "close it"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.ok(&["label", "add", &crash, "needs-triage"]);
    std::fs::write(
        repo.root().join("plan.yaml"),
        "- key: epic\n  title: Ship export\n- title: Write CSV\n  parent: epic\n",
    )
    .expect("plan");
    let github = serde_json::json!([{
        "number": 12, "title": "Upstream bug", "body": "b", "state": "OPEN",
        "labels": [{"name": "bug"}], "assignees": [], "author": {"login": "bob"},
        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
        "comments": []
    }]);
    std::fs::write(repo.root().join("gh.json"), github.to_string()).expect("gh.json");
    let ids = BTreeMap::from([
        ("4k2f", crash),
        ("7b1d", index),
        ("2m8q", epic),
        ("5n0p", old),
    ]);
    Scenario { repo, ids }
}

/// The ```json blocks of the document: (label, text), in order.
fn examples(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        // (```jsonl blocks, a line per object, are not examples of one)
        let Some(label) = line
            .strip_prefix("```json")
            .filter(|l| l.is_empty() || l.starts_with(' '))
        else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        out.push((label.trim().to_owned(), body.join("\n")));
    }
    out
}

/// Why `actual` does not have the shape of `doc`, if it does not. A list
/// documented with an element must have one when `strict` (not inside a
/// `$NAME`, whose lists may be empty: an issue without labels, nor past
/// the first element of a list).
fn mismatch(
    doc: &Value,
    actual: &Value,
    defs: &BTreeMap<String, Value>,
    path: &str,
    strict: bool,
) -> Option<String> {
    if let Some(name) = doc.as_str().and_then(|s| s.strip_prefix('$')) {
        let def = defs
            .get(name)
            .unwrap_or_else(|| panic!("{path}: no {name} defined"));
        return mismatch(def, actual, defs, path, false);
    }
    match (doc, actual) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Object(d), Value::Object(a)) => {
            let key = path.rsplit('.').next().unwrap_or_default();
            if FREE_MAPS.contains(&key) {
                let shape = d.values().next()?;
                return a
                    .iter()
                    .find_map(|(k, v)| mismatch(shape, v, defs, &format!("{path}.{k}"), strict));
            }
            let documented: Vec<&String> = d.keys().collect();
            let printed: Vec<&String> = a.keys().collect();
            if documented != printed {
                return Some(format!(
                    "{path}: documented keys {documented:?}, printed {printed:?}"
                ));
            }
            d.iter()
                .find_map(|(k, v)| mismatch(v, &a[k], defs, &format!("{path}.{k}"), strict))
        }
        (Value::Array(d), Value::Array(a)) => match (d.first(), a.is_empty()) {
            (None, _) => None,
            (Some(_), true) if !strict => None,
            (Some(_), true) => Some(format!(
                "{path}: documented with an element, printed empty (the scenario should give one)"
            )),
            (Some(shape), false) => a.iter().enumerate().find_map(|(n, v)| {
                // (the first element is the scenario's full one)
                mismatch(shape, v, defs, &format!("{path}[{n}]"), strict && n == 0)
            }),
        },
        (Value::String(_), Value::String(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::Bool(_), Value::Bool(_)) => None,
        _ => Some(format!("{path}: documented {doc}, printed {actual}")),
    }
}

#[test]
fn every_documented_json_shape_is_what_the_command_prints() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/format.md"))
        .expect("docs/format.md");
    let examples = examples(&doc);
    let mut defs = BTreeMap::new();
    let mut commands = Vec::new();
    for (label, text) in &examples {
        let value: Value = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("the example of {label:?} is not JSON: {e}\n{text}"));
        match label.strip_prefix("yit ") {
            Some(command) => commands.push((command.to_owned(), value)),
            None if !label.is_empty() => {
                defs.insert(label.clone(), value);
            }
            None => panic!("an example without a label:\n{text}"),
        }
    }
    for must in [
        "restore --json",
        "fmt --check --json",
        "config --json",
        "daemon status --json",
        "close 7b1d --json",
        "new Title --json",
    ] {
        assert!(
            commands.iter().any(|(c, _)| c == must),
            "docs/format.md has no example of `yit {must}`"
        );
    }
    let Scenario { repo, ids } = scenario();
    // each definition in full, from an issue that has every field
    let show = repo.run(&["show", &ids["4k2f"], "--json"]).json();
    for (name, actual) in [
        ("ISSUE", &show["issue"]),
        ("LINK", &show["related"]["parent"]),
    ] {
        if let Some(why) = mismatch(&defs[name], actual, &defs, name, true) {
            panic!("{name} in docs/format.md is not what yit prints: {why}\nprinted: {actual}");
        }
    }
    for (command, documented) in &commands {
        let (command, stderr) = match command.strip_suffix(" (stderr)") {
            Some(c) => (c, true),
            None => (command.as_str(), false),
        };
        let args: Vec<&str> = command
            .split(' ')
            .map(|word| ids.get(word).map_or(word, |id| &id[..]))
            .collect();
        let run = repo.run(&args);
        let printed = if stderr { &run.stderr } else { &run.stdout };
        let value: Value = serde_json::from_str(printed).unwrap_or_else(|e| {
            panic!(
                "`yit {command}` printed no JSON ({e}; exit {}):\n{printed}\n{}",
                run.code, run.stderr
            )
        });
        if let Some(why) = mismatch(documented, &value, &defs, command, true) {
            panic!(
                "`yit {command}` does not print what docs/format.md shows: {why}\nprinted: {value}"
            );
        }
    }
}
