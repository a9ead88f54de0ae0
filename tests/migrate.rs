//! Migration from and to the other git-native trackers: beads' JSONL,
//! Backlog.md's task files and tbd's issue files, from hand-written
//! fixtures (fixtures/beads, fixtures/backlog, fixtures/tbd). Every issue,
//! comment and link arrives; a second import updates; a round trip gives
//! the same issues; bad input is refused with its file and line, and
//! nothing is written.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Run, TestRepo};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The maps the beads fixture needs in a tracker with the default
/// configuration (it has `blocked`, `deferred` and `epic`).
const BEADS_MAPS: [&str; 6] = [
    "--status-map",
    "blocked=open",
    "--status-map",
    "deferred=open",
    "--type-map",
    "epic=feature",
];
const BACKLOG_MAPS: [&str; 4] = ["--status-map", "Blocked=open", "--status-map", "Draft=open"];

/// Runs yit with a seed of our own (two trackers that import the same
/// issues with one seed give them the same ids).
#[track_caller]
fn seeded(repo: &TestRepo, seed: &str, args: &[&str]) -> String {
    let out = repo
        .cmd(args)
        .env("YIT_SEED", seed)
        .output()
        .expect("yit runs");
    let run = Run::from_output(out);
    assert_eq!(run.code, 0, "yit {args:?}:\n{}{}", run.stdout, run.stderr);
    run.stdout
}

fn with(args: &[&str], more: &[&str]) -> Vec<String> {
    args.iter().chain(more).map(|a| (*a).to_owned()).collect()
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The objects of a JSONL file, in id order.
fn jsonl_lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("jsonl");
    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    lines.sort_by_key(|o| o["id"].as_str().unwrap_or_default().to_owned());
    lines
}

/// `show --json` of the issue `input` names.
fn shown(repo: &TestRepo, input: &str) -> Value {
    repo.run(&["show", input, "--json"]).json()["issue"].clone()
}

#[test]
fn beads_issues_arrive_with_every_field_comment_and_link() {
    let repo = TestRepo::with_tracker();
    let source = fixture("beads/issues.jsonl");
    let args = with(&["import", "--from", "beads", s(&source)], &BEADS_MAPS);
    let said = repo.ok(&refs(&args));
    assert!(said.contains("5 created, 0 updated, 0 unchanged"), "{said}");
    assert!(
        said.contains("mapped status \"blocked\" to open (1 issue(s))"),
        "{said}"
    );
    assert!(
        said.contains("kept under their own keys: acceptance_criteria (1)"),
        "{said}"
    );
    let epic = shown(&repo, "beads:bd-a1b2");
    let child = shown(&repo, "bd-a1b2.1");
    let bug = shown(&repo, "beads:bd-c3d4");
    let blocked = shown(&repo, "bd-e5f6");
    let later = shown(&repo, "bd-g7h8");
    let id = |v: &Value| v["id"].as_str().expect("id").to_owned();
    // the mapped fields
    assert_eq!(epic["title"], "Ship the importer 🚀");
    assert_eq!(epic["type"], "feature");
    assert_eq!(epic["priority"], 1);
    assert_eq!(epic["labels"], serde_json::json!(["migration", "ünïcode"]));
    assert_eq!(epic["assignee"], "alice <alice@beads.invalid>");
    assert_eq!(epic["created"], "2025-10-14T19:34:56Z");
    assert_eq!(epic["updated"], "2025-10-15T08:00:00Z");
    assert_eq!(bug["status"], "closed");
    assert_eq!(child["status"], "in_progress");
    assert_eq!(child["assignee"], "Bob Stone <bob@example.com>");
    assert_eq!(blocked["status"], "open");
    // the other keys, under their own names
    let extra = &epic["extra"];
    assert_eq!(extra["design"], "Read whole, check, then write.");
    assert_eq!(extra["notes"], "Ünïcode notes: naïve café, 中文, emoji 🎉");
    assert_eq!(extra["estimated_minutes"], 120);
    assert_eq!(extra["external_ref"], "gh-9");
    assert_eq!(bug["extra"]["close_reason"], "fixed in 4f2a");
    assert_eq!(extra["origin"]["tool"], "beads");
    assert_eq!(extra["origin"]["id"], "bd-a1b2");
    // links: parent-child and blocks; related and discovered-from kept
    assert_eq!(child["parent"], id(&epic).as_str());
    assert_eq!(child["depends_on"], serde_json::json!([id(&bug)]));
    assert_eq!(blocked["depends_on"], serde_json::json!([id(&bug)]));
    let others = blocked["extra"]["beads_dependencies"]
        .as_array()
        .expect("kept links");
    let kinds: Vec<&str> = others
        .iter()
        .map(|d| d["type"].as_str().expect("type"))
        .collect();
    assert_eq!(kinds, ["related", "discovered-from"]);
    // comments with their authors and times
    let comments = epic["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["id"], "1");
    assert_eq!(comments[0]["author"], "alice <alice@beads.invalid>");
    assert_eq!(comments[1]["author"], "Bob Stone <bob@example.com>");
    assert_eq!(comments[1]["created"], "2025-10-14T14:30:00Z");
    // references in texts, rewritten with the original kept readable
    let body = epic["body"].as_str().expect("body");
    assert!(
        body.contains(&format!(
            "Waits for {} (bd-c3d4); its first step is {} (bd-a1b2.1).",
            id(&bug),
            id(&child)
        )),
        "{body}"
    );
    assert!(
        comments[0]["body"]
            .as_str()
            .expect("comment")
            .contains(&format!("{} (bd-e5f6)", id(&blocked))),
        "{comments:?}"
    );
    // CRLF in a text is read as LF; unicode everywhere
    assert_eq!(later["body"], "Windows line\nbreaks\nkept readable.\n");
    assert_eq!(later["title"], "日本語のタイトル — later");
    assert_eq!(later["comments"][0]["body"], "Später.\nLater.");
    // found by its origin, in queries as in show
    let listed = repo
        .run(&["list", "--all", "beads:bd-a1b2,bd-c3d4", "--json"])
        .json();
    assert_eq!(listed["issues"].as_array().expect("issues").len(), 2);
    let none = repo
        .run(&["list", "--all", "backlog:bd-a1b2", "--json"])
        .json();
    assert!(none["issues"].as_array().expect("issues").is_empty());
    assert!(
        repo.ok(&["show", "bd-c3d4"])
            .contains("from          beads bd-c3d4")
    );
    repo.ok(&["doctor"]);
    repo.ok(&["fmt", "--check"]);
}

#[test]
fn a_value_nothing_maps_is_named_with_its_flag_and_nothing_is_written() {
    let repo = TestRepo::with_tracker();
    let before = repo.tree();
    let source = fixture("beads/issues.jsonl");
    let run = repo.fails(&["import", "--from", "beads", s(&source)], 1);
    for wanted in [
        "status \"blocked\" of beads (bd-e5f6) maps to no yit status: add `--status-map 'blocked=…'`",
        "status \"deferred\" of beads (bd-g7h8)",
        "type \"epic\" of beads (bd-a1b2) maps to no yit type: add `--type-map 'epic=…'`",
        "nothing was imported",
    ] {
        assert!(run.stderr.contains(wanted), "{wanted}\n{}", run.stderr);
    }
    // one map given, the others still named
    let run = repo.fails(
        &[
            "import",
            "--from",
            "beads",
            s(&source),
            "--status-map",
            "blocked=open",
        ],
        1,
    );
    assert!(!run.stderr.contains("\"blocked\""), "{}", run.stderr);
    assert!(run.stderr.contains("\"deferred\""), "{}", run.stderr);
    // a map to a status yit does not have is refused as such
    let run = repo.fails(
        &[
            "import",
            "--from",
            "beads",
            s(&source),
            "--status-map",
            "blocked=stalled",
        ],
        1,
    );
    assert!(
        run.stderr.contains("--status-map blocked=stalled"),
        "{}",
        run.stderr
    );
    // a status the configuration has needs no map
    let config = repo.issues_dir().join("config.yaml");
    let text = std::fs::read_to_string(&config).expect("config");
    let text = text.replace(
        "  - name: closed\n",
        "  - name: blocked\n    role: open\n  - name: deferred\n    role: open\n  - name: closed\n",
    );
    assert_eq!(repo.tree(), before);
    std::fs::write(&config, text).expect("config");
    let said = repo.ok(&[
        "import",
        "--from",
        "beads",
        s(&source),
        "--type-map",
        "epic=feature",
    ]);
    assert!(said.contains("5 created"), "{said}");
    assert_eq!(shown(&repo, "bd-e5f6")["status"], "blocked");
}

#[test]
fn a_dry_run_says_what_it_would_do_and_writes_nothing() {
    let repo = TestRepo::with_tracker();
    let before = repo.tree();
    let source = fixture("beads/issues.jsonl");
    let args = with(
        &["import", "--from", "beads", s(&source), "--dry-run"],
        &BEADS_MAPS,
    );
    let said = repo.ok(&refs(&args));
    assert!(said.contains("would create"), "{said}");
    assert!(said.contains("bd-a1b2.1  Read beads JSONL"), "{said}");
    assert!(said.contains("mapped type \"epic\" to feature"), "{said}");
    assert!(
        said.contains("5 created, 0 updated, 0 unchanged; nothing was written (--dry-run)"),
        "{said}"
    );
    let json = repo
        .run(&refs(&with(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            &["--json"],
        )))
        .json();
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["created"].as_array().expect("created").len(), 5);
    assert_eq!(repo.tree(), before);
    // without the maps: what could not be mapped too, and the exit of the
    // import it stands for
    let run = repo.fails(&["import", "--from", "beads", s(&source), "--dry-run"], 1);
    assert!(run.stdout.contains("would create"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("could not map: type \"epic\" of beads (bd-a1b2)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("3 value(s) map to nothing"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.tree(), before);
}

#[test]
fn beads_round_trip_gives_the_same_issues_and_the_same_lines() {
    let one = TestRepo::with_tracker();
    let source = fixture("beads/issues.jsonl");
    seeded(
        &one,
        "7",
        &refs(&with(
            &["import", "--from", "beads", s(&source)],
            &BEADS_MAPS,
        )),
    );
    let out = one.outside().join("back.jsonl");
    let said = one.ok(&["export", "--to", "beads", s(&out)]);
    assert!(said.contains("exported 5 issue(s)"), "{said}");
    // every line as beads wrote it: the exact values where nothing changed
    assert_eq!(jsonl_lines(&out), jsonl_lines(&source));
    // and imported again, the same issues
    let two = TestRepo::with_tracker();
    seeded(
        &two,
        "7",
        &refs(&with(&["import", "--from", "beads", s(&out)], &BEADS_MAPS)),
    );
    assert_eq!(two.ok(&["export"]), one.ok(&["export"]));
    // importing the same source again changes nothing
    let before = one.tree();
    let said = one.ok(&refs(&with(
        &["import", "--from", "beads", s(&out)],
        &BEADS_MAPS,
    )));
    assert!(said.contains("0 created, 0 updated, 5 unchanged"), "{said}");
    assert_eq!(one.tree(), before);
}

#[test]
fn backlog_round_trip_gives_the_same_tasks_in_their_folders() {
    let one = TestRepo::with_tracker();
    let source = fixture("backlog");
    let said = seeded(
        &one,
        "3",
        &refs(&with(
            &["import", "--from", "backlog", s(&source)],
            &BACKLOG_MAPS,
        )),
    );
    assert!(said.contains("5 created"), "{said}");
    let ci = shown(&one, "backlog:task-1");
    assert_eq!(ci["status"], "in_progress");
    assert_eq!(ci["priority"], 1);
    // `@alice` reads as an address already: kept as written
    assert_eq!(ci["assignee"], "@alice");
    assert_eq!(ci["author"], "@carol");
    assert_eq!(ci["created"], "2025-06-01T10:00:00Z");
    assert_eq!(ci["labels"], serde_json::json!(["infra", "ci"]));
    assert_eq!(ci["extra"]["milestone"], "v0.1");
    assert_eq!(ci["extra"]["ordinal"], 1000);
    let body = ci["body"].as_str().expect("body");
    for section in [
        "## Description",
        "## Acceptance Criteria",
        "- [x] #1 Tests run on push",
        "## Implementation Plan",
        "## Implementation Notes",
    ] {
        assert!(body.contains(section), "{section}: {body}");
    }
    // ids compared as Backlog.md compares them: TASK-4 is task-4
    let notes = shown(&one, "task-4");
    assert!(
        body.contains(&format!(
            "{} (TASK-4) waits",
            notes["id"].as_str().expect("id")
        )),
        "{body}"
    );
    // people as a person writes them by hand, `@` unquoted, read as
    // Backlog.md reads them
    assert_eq!(notes["assignee"], "@erin");
    assert_eq!(notes["author"], "@frank");
    let old = shown(&one, "task-3");
    assert_eq!(old["status"], "closed");
    assert_eq!(ci["depends_on"], serde_json::json!([old["id"]]));
    assert_eq!(notes["depends_on"], serde_json::json!([ci["id"]]));
    // the CRLF file with unicode, and its parent
    let sub = shown(&one, "task-1.1");
    assert_eq!(sub["title"], "Écrire l'analyseur — 解析器");
    assert_eq!(sub["parent"], ci["id"]);
    assert!(
        sub["body"]
            .as_str()
            .expect("body")
            .contains("naïve café 🎉.\nPart of"),
        "{sub}"
    );
    assert_eq!(
        shown(&one, "draft-1")["extra"]["origin"]["file"],
        "drafts/draft-1 - An-idea.md"
    );
    // out, in the folders they came from, and in again: the same issues
    let out = one.outside().join("backlog");
    let run = one.run(&["export", "--to", "backlog", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.is_empty(),
        "nothing Backlog.md cannot hold: {}",
        run.stderr
    );
    for file in [
        "tasks/task-1 - Set-up-CI.md",
        "tasks/task-1.1 - Ecrire-l-analyseur.md",
        "tasks/task-4 - Release-notes.md",
        "completed/task-3 - Old-work.md",
        "drafts/draft-1 - An-idea.md",
    ] {
        let text = std::fs::read_to_string(out.join(file)).expect(file);
        assert!(text.starts_with("---\nid: "), "{file}: {text}");
    }
    let two = TestRepo::with_tracker();
    seeded(
        &two,
        "3",
        &refs(&with(
            &["import", "--from", "backlog", s(&out)],
            &BACKLOG_MAPS,
        )),
    );
    assert_eq!(two.ok(&["export"]), one.ok(&["export"]));
}

#[test]
fn tbd_issues_arrive_by_their_display_ids() {
    let repo = TestRepo::with_tracker();
    // where tbd keeps them: .tbd/data-sync under the repository
    let copy = |from: &Path, to: &Path| {
        let out = std::process::Command::new("cp")
            .args(["-r", s(from), s(to)])
            .output()
            .expect("cp");
        assert!(out.status.success());
    };
    copy(&fixture("tbd/.tbd"), &repo.root().join(".tbd"));
    let run = repo.fails(&["import", "--from", "tbd"], 1);
    assert!(
        run.stderr
            .contains("status \"deferred\" of tbd (proj-c4n8)"),
        "{}",
        run.stderr
    );
    let said = repo.ok(&["import", "--from", "tbd", "--status-map", "deferred=open"]);
    assert!(said.contains("3 created"), "{said}");
    let sync = shown(&repo, "tbd:proj-a7k2");
    let rsync = shown(&repo, "proj-b3m9");
    let attic = shown(&repo, "proj-c4n8");
    assert_eq!(sync["type"], "feature");
    assert_eq!(sync["status"], "in_progress");
    assert_eq!(sync["author"], "alice <alice@tbd.invalid>");
    assert_eq!(sync["extra"]["version"], 3);
    assert_eq!(sync["extra"]["extensions"]["github"]["issue"], 42);
    assert_eq!(sync["extra"]["tbd_type"], "is");
    assert_eq!(sync["extra"]["origin"]["id"], "proj-a7k2");
    // description and notes, whole; both kinds of id rewritten
    let body = sync["body"].as_str().expect("body");
    assert!(
        body.contains(&format!(
            "Depends on {} (proj-c4n8)",
            attic["id"].as_str().expect("id")
        )),
        "{body}"
    );
    assert!(body.contains("## Notes"), "{body}");
    assert!(
        body.contains(&format!(
            "{} (is-01hx5zzkbkbctav9wevgemmvrz)",
            rsync["id"].as_str().expect("id")
        )),
        "{body}"
    );
    assert_eq!(rsync["parent"], sync["id"]);
    assert_eq!(rsync["extra"]["close_reason"], "duplicate of proj-a7k2");
    assert_eq!(attic["depends_on"], serde_json::json!([rsync["id"]]));
    assert_eq!(attic["body"], "Later, with CRLF.\n");
    // another repository's tbd, given by its data folder: its own prefix
    let other = TestRepo::with_tracker();
    let data = other.outside().join("proj/.tbd/data-sync");
    std::fs::create_dir_all(other.outside().join("proj")).expect("mkdir");
    copy(&fixture("tbd/.tbd"), &other.outside().join("proj/.tbd"));
    other.ok(&[
        "import",
        "--from",
        "tbd",
        s(&data),
        "--status-map",
        "deferred=open",
    ]);
    assert_eq!(
        shown(&other, "proj-a7k2")["title"],
        "Sync issues between clones"
    );
    // tbd is read, not written: its round trip is an import again, which
    // finds every issue as it was
    let before = repo.tree();
    let again = repo.ok(&["import", "--from", "tbd", "--status-map", "deferred=open"]);
    assert!(
        again.contains("0 created, 0 updated, 3 unchanged"),
        "{again}"
    );
    assert_eq!(repo.tree(), before);
    let run = repo.fails(&["export", "--to", "tbd"], 2);
    assert!(run.stderr.contains("beads or backlog"), "{}", run.stderr);
}

#[test]
fn a_second_import_updates_what_changed_there_and_keeps_what_changed_here() {
    let repo = TestRepo::with_tracker();
    let source = repo.outside().join("issues.jsonl");
    std::fs::copy(fixture("beads/issues.jsonl"), &source).expect("copy");
    let import = with(&["import", "--from", "beads", s(&source)], &BEADS_MAPS);
    repo.ok(&refs(&import));
    // here: a title and a priority; there: the same title, another title,
    // a comment, a kept key, a new issue
    repo.ok(&["edit", "bd-a1b2", "--title", "Ship it (here)"]);
    repo.ok(&["edit", "bd-g7h8", "--priority", "3"]);
    let text = std::fs::read_to_string(&source).expect("read");
    let mut lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    for o in &mut lines {
        match o["id"].as_str().expect("id") {
            "bd-a1b2" => {
                o["title"] = "Ship it (there)".into();
                o["comments"]
                    .as_array_mut()
                    .expect("comments")
                    .push(serde_json::json!({
                        "id": 9, "issue_id": "bd-a1b2", "author": "carol",
                        "text": "New there, about bd-c3d4", "created_at": "2025-10-20T10:00:00Z"
                    }));
            }
            "bd-c3d4" => {
                o["title"] = "Crash on an empty line".into();
                o["close_reason"] = "fixed in 5b3c".into();
            }
            _ => {}
        }
    }
    lines.push(serde_json::json!({
        "id": "bd-z9y8", "title": "New upstream", "description": "After bd-c3d4.",
        "status": "open", "priority": 2, "issue_type": "task",
        "created_at": "2025-10-21T00:00:00Z", "updated_at": "2025-10-21T00:00:00Z",
        "dependencies": [{"issue_id": "bd-z9y8", "depends_on_id": "bd-c3d4", "type": "blocks"}]
    }));
    let text: String = lines.iter().map(|o| format!("{o}\n")).collect();
    std::fs::write(&source, text).expect("write");
    let run = repo.run(&refs(&import));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("1 created, 2 updated, 3 unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("(bd-a1b2): title changed here and in beads"),
        "{}",
        run.stderr
    );
    let epic = shown(&repo, "bd-a1b2");
    assert_eq!(epic["title"], "Ship it (here)");
    let comments = epic["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 3);
    let bug = shown(&repo, "bd-c3d4");
    assert!(
        comments[2]["body"]
            .as_str()
            .expect("body")
            .contains(&format!("{} (bd-c3d4)", bug["id"].as_str().expect("id")))
    );
    assert_eq!(bug["title"], "Crash on an empty line");
    assert_eq!(bug["extra"]["close_reason"], "fixed in 5b3c");
    assert_eq!(shown(&repo, "bd-g7h8")["priority"], 3);
    assert_eq!(
        shown(&repo, "bd-z9y8")["depends_on"],
        serde_json::json!([bug["id"]])
    );
    // nothing doubled; a third import changes nothing
    assert_eq!(
        repo.run(&["list", "--all", "--json"]).json()["issues"]
            .as_array()
            .expect("issues")
            .len(),
        6
    );
    let before = repo.tree();
    let again = repo.ok(&refs(&import));
    assert!(
        again.contains("0 created, 0 updated, 6 unchanged"),
        "{again}"
    );
    assert_eq!(repo.tree(), before);
    repo.ok(&["doctor"]);
}

#[test]
fn an_import_committed_in_one_clone_is_updated_not_doubled_in_another() {
    let repo = TestRepo::with_tracker();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "tracker"]);
    let clones = repo.clones_of_bare(&["a", "b"]);
    let (a, b) = (&clones[0], &clones[1]);
    let source = repo.outside().join("issues.jsonl");
    std::fs::copy(fixture("beads/issues.jsonl"), &source).expect("copy");
    let import = with(&["import", "--from", "beads", s(&source)], &BEADS_MAPS);
    repo.ok_in(a, &refs(&import));
    repo.git_in(a, &["add", "-A"]);
    repo.git_in(a, &["commit", "-qm", "import from beads"]);
    repo.git_in(a, &["push", "-q"]);
    repo.git_in(b, &["pull", "-q", "--rebase"]);
    // b imports the same source again, after it changed there
    let text = std::fs::read_to_string(&source)
        .expect("read")
        .replace("Crash on empty line", "Crash on an empty line");
    std::fs::write(&source, text).expect("write");
    let said = repo.ok_in(b, &refs(&import));
    assert!(said.contains("0 created, 1 updated, 4 unchanged"), "{said}");
    repo.git_in(b, &["commit", "-qam", "update from beads"]);
    repo.git_in(b, &["push", "-q"]);
    repo.git_in(a, &["pull", "-q", "--rebase"]);
    let listed: Value =
        serde_json::from_str(&repo.ok_in(a, &["list", "--all", "--json"])).expect("json");
    let issues = listed["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 5, "{listed}");
    assert!(
        issues
            .iter()
            .any(|i| i["title"] == "Crash on an empty line")
    );
}

#[test]
fn an_export_to_beads_gives_issues_made_here_ids_and_names_what_it_cannot_hold() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Made here", "--body", "Plain."]);
    let b = repo.new_issue(&["Also here", "--depends-on", &a, "-t", "bug"]);
    repo.ok(&["comment", &b, "A comment made in yit"]);
    let out = repo.outside().join("out.jsonl");
    let run = repo.run(&["export", "--to", "beads", s(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.is_empty(),
        "beads holds all of it: {}",
        run.stderr
    );
    let text = std::fs::read_to_string(&out).expect("out");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 2);
    let of = |id: &str| {
        lines
            .iter()
            .find(|o| o["id"] == format!("bd-{id}"))
            .expect("line")
            .clone()
    };
    assert_eq!(
        of(&b)["dependencies"][0]["depends_on_id"],
        format!("bd-{a}")
    );
    assert_eq!(of(&b)["issue_type"], "bug");
    let comment = &of(&b)["comments"][0];
    assert_eq!(comment["text"], "A comment made in yit");
    // bd reads a number; yit's own id rides along
    assert!(comment["id"].as_i64().is_some_and(|n| n > 0), "{comment}");
    let own = repo.run(&["show", &b, "--json"]).json()["issue"]["comments"][0]["id"].clone();
    assert_eq!(comment["yit_id"], own);
    // into another tracker and out again: the same comment, the same lines
    let other = TestRepo::with_tracker();
    other.ok(&["import", "--from", "beads", s(&out)]);
    let again = other.outside().join("again.jsonl");
    other.ok(&["export", "--to", "beads", s(&again)]);
    assert_eq!(std::fs::read_to_string(&again).expect("again"), text);
    // to Backlog.md: comments become a section, and the warning says so
    let dir = repo.outside().join("backlog");
    let run = repo.run(&["export", "--to", "backlog", s(&dir)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("Backlog.md has no comments"),
        "{}",
        run.stderr
    );
    let task = std::fs::read_to_string(dir.join("tasks/task-2 - Also-here.md"))
        .or_else(|_| std::fs::read_to_string(dir.join("tasks/task-1 - Also-here.md")))
        .expect("task file");
    assert!(task.contains("## Comments"), "{task}");
    // a task file there that no issue here wrote is left, and named
    let stray = dir.join("tasks/task-9 - Gone.md");
    std::fs::write(&stray, "---\nid: task-9\ntitle: Gone\n---\n").expect("write");
    let run = repo.run(&["export", "--to", "backlog", s(&dir)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("tasks/task-9 - Gone.md: no issue here is this task"),
        "{}",
        run.stderr
    );
    assert!(stray.exists());
    assert!(task.contains("A comment made in yit"), "{task}");
}

// Bad input: each refused with its file and line, nothing written.

/// Imports `args` into a fresh tracker, expecting exit 1 with `wanted` in
/// stderr and nothing changed.
#[track_caller]
fn refused(repo: &TestRepo, args: &[&str], wanted: &[&str]) {
    let before = repo.tree();
    let run = repo.fails(args, 1);
    for w in wanted {
        assert!(run.stderr.contains(w), "{w}\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains("nothing was imported"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.tree(), before);
}

fn beads_line(id: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","title":"T {id}","status":"open","priority":2,"issue_type":"task","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"{extra}}}"#
    )
}

#[test]
fn a_malformed_jsonl_line_is_refused_with_its_line_and_column() {
    let repo = TestRepo::with_tracker();
    let file = repo.outside().join("bad.jsonl");
    let text = format!(
        "{}\n{}\n{{\"id\": \"bd-3\", \"title\": \n",
        beads_line("bd-1", ""),
        beads_line("bd-2", "")
    );
    std::fs::write(&file, text).expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &["bad.jsonl:3:", "not a JSON object"],
    );
    // a line that is JSON but not an object, a line without an id
    std::fs::write(
        &file,
        format!(
            "{}\n[1, 2]\n{{\"title\": \"no id\"}}\n",
            beads_line("bd-1", "")
        ),
    )
    .expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &["bad.jsonl:2:1", "bad.jsonl:3:1: an issue needs an `id`"],
    );
    // a time that is not one
    std::fs::write(
        &file,
        beads_line("bd-1", "").replace("2025-01-01T00:00:00Z\",\"updated", "soon\",\"updated"),
    )
    .expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &["bad.jsonl:1: bd-1: created_at: \"soon\" is not a time"],
    );
}

#[test]
fn broken_front_matter_is_refused_with_its_file_and_line() {
    let repo = TestRepo::with_tracker();
    let dir = repo.outside().join("backlog");
    std::fs::create_dir_all(dir.join("tasks")).expect("mkdir");
    let good =
        "---\nid: task-1\ntitle: Good\nstatus: To Do\ncreated_date: '2025-06-01'\n---\n\nBody\n";
    std::fs::write(dir.join("tasks/task-1 - Good.md"), good).expect("write");
    // not closed
    std::fs::write(
        dir.join("tasks/task-2 - Open.md"),
        "---\nid: task-2\ntitle: Open\n",
    )
    .expect("write");
    refused(
        &repo,
        &["import", "--from", "backlog", s(&dir)],
        &["task-2 - Open.md:1:1: the front matter is not closed"],
    );
    // bad YAML on the front matter's third line: the file's fourth
    std::fs::write(
        dir.join("tasks/task-2 - Open.md"),
        "---\nid: task-2\ntitle: Open\nlabels: [a, b\n---\n",
    )
    .expect("write");
    refused(
        &repo,
        &["import", "--from", "backlog", s(&dir)],
        &["task-2 - Open.md:", "front matter:"],
    );
    let run = repo.run(&["import", "--from", "backlog", s(&dir)]);
    assert!(
        run.stderr.contains("task-2 - Open.md:4:") || run.stderr.contains("task-2 - Open.md:5:"),
        "{}",
        run.stderr
    );
    // no front matter at all
    std::fs::write(dir.join("tasks/task-2 - Open.md"), "# Just Markdown\n").expect("write");
    refused(
        &repo,
        &["import", "--from", "backlog", s(&dir)],
        &["task-2 - Open.md:1:1: no front matter"],
    );
}

#[test]
fn an_id_twice_is_refused_with_both_places() {
    let repo = TestRepo::with_tracker();
    let file = repo.outside().join("twice.jsonl");
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n{}\n",
            beads_line("bd-1", ""),
            beads_line("bd-2", ""),
            beads_line("bd-1", "")
        ),
    )
    .expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &[
            "twice.jsonl:3: bd-1: the id appears twice (first in",
            "twice.jsonl:1)",
        ],
    );
    // Backlog.md compares ids ignoring case
    let dir = repo.outside().join("backlog");
    std::fs::create_dir_all(dir.join("tasks")).expect("mkdir");
    let task = |id: &str| {
        format!("---\nid: {id}\ntitle: T\nstatus: To Do\ncreated_date: '2025-06-01'\n---\n")
    };
    std::fs::write(dir.join("tasks/task-1 - A.md"), task("task-1")).expect("write");
    std::fs::write(dir.join("tasks/task-1 - B.md"), task("TASK-1")).expect("write");
    refused(
        &repo,
        &["import", "--from", "backlog", s(&dir)],
        &["task-1 - B.md:1: TASK-1: the id appears twice"],
    );
}

#[test]
fn a_link_to_a_missing_issue_is_refused() {
    let repo = TestRepo::with_tracker();
    let file = repo.outside().join("missing.jsonl");
    let dep = r#","dependencies":[{"issue_id":"bd-2","depends_on_id":"bd-404","type":"blocks"}]"#;
    std::fs::write(
        &file,
        format!("{}\n{}\n", beads_line("bd-1", ""), beads_line("bd-2", dep)),
    )
    .expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &["missing.jsonl:2: bd-2: depends on \"bd-404\" is not an issue of this beads tracker"],
    );
    let parent =
        r#","dependencies":[{"issue_id":"bd-2","depends_on_id":"bd-405","type":"parent-child"}]"#;
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n",
            beads_line("bd-1", ""),
            beads_line("bd-2", parent)
        ),
    )
    .expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &["missing.jsonl:2: bd-2: parent \"bd-405\""],
    );
}

#[test]
fn a_cycle_is_refused_with_its_issues() {
    let repo = TestRepo::with_tracker();
    let file = repo.outside().join("cycle.jsonl");
    let dep = |from: &str, to: &str, kind: &str| {
        format!(
            r#","dependencies":[{{"issue_id":"{from}","depends_on_id":"{to}","type":"{kind}"}}]"#
        )
    };
    let text = format!(
        "{}\n{}\n{}\n",
        beads_line("bd-1", &dep("bd-1", "bd-2", "blocks")),
        beads_line("bd-2", &dep("bd-2", "bd-3", "blocks")),
        beads_line("bd-3", &dep("bd-3", "bd-1", "blocks")),
    );
    std::fs::write(&file, text).expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &["cycle.jsonl:1: bd-1: a dependency cycle: bd-1 → bd-2 → bd-3 → bd-1"],
    );
    let text = format!(
        "{}\n{}\n",
        beads_line("bd-1", &dep("bd-1", "bd-2", "parent-child")),
        beads_line("bd-2", &dep("bd-2", "bd-1", "parent-child")),
    );
    std::fs::write(&file, text).expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &["a parent cycle: bd-1 → bd-2 → bd-1"],
    );
}

#[test]
fn links_fifos_and_a_missing_tracker_are_refused_without_waiting() {
    let repo = TestRepo::with_tracker();
    let run = repo.fails(&["import", "--from", "beads"], 1);
    assert!(
        run.stderr.contains("there is no beads tracker here"),
        "{}",
        run.stderr
    );
    let dir = repo.outside().join("backlog");
    std::fs::create_dir_all(dir.join("tasks")).expect("mkdir");
    std::os::unix::fs::symlink("/etc/passwd", dir.join("tasks/task-1 - Link.md")).expect("link");
    refused(
        &repo,
        &["import", "--from", "backlog", s(&dir)],
        &["task-1 - Link.md: ", "symbolic link"],
    );
    std::fs::remove_file(dir.join("tasks/task-1 - Link.md")).expect("rm");
    let fifo = dir.join("tasks/task-1 - Fifo.md");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    refused(
        &repo,
        &["import", "--from", "backlog", s(&dir)],
        &["task-1 - Fifo.md", "not a regular file"],
    );
    // a task folder that is a link is named, never followed or passed over
    let linked = repo.outside().join("linked");
    std::fs::create_dir_all(linked.join("elsewhere")).expect("mkdir");
    std::fs::remove_dir_all(dir.join("tasks")).expect("rm");
    std::os::unix::fs::symlink(linked.join("elsewhere"), dir.join("tasks")).expect("link");
    refused(
        &repo,
        &["import", "--from", "backlog", s(&dir)],
        &["tasks: is a symbolic link"],
    );
    let jsonl = repo.outside().join("link.jsonl");
    std::os::unix::fs::symlink(fixture("beads/issues.jsonl"), &jsonl).expect("link");
    refused(
        &repo,
        &["import", "--from", "beads", s(&jsonl)],
        &["symbolic link"],
    );
}

#[test]
fn an_import_into_a_tracker_with_a_broken_file_is_refused() {
    let repo = TestRepo::with_tracker();
    let source = fixture("beads/issues.jsonl");
    let import = with(&["import", "--from", "beads", s(&source)], &BEADS_MAPS);
    repo.ok(&refs(&import));
    // a file imported before, broken by hand: importing again would
    // import its issue a second time
    let id = shown(&repo, "bd-c3d4")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    repo.write_issue_file(&format!("{id}.yaml"), b"id: [\n");
    let before = repo.tree();
    let run = repo.fails(&refs(&import), 1);
    assert!(
        run.stderr.contains("1 issue file(s) here cannot be read"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&format!("{id}.yaml")), "{}", run.stderr);
    assert_eq!(repo.tree(), before);
}

#[test]
fn two_clones_that_import_the_same_source_merge_into_one_set_of_issues() {
    let repo = TestRepo::with_tracker();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "tracker"]);
    let clones = repo.clones_of_bare(&["a", "b"]);
    let (a, b) = (&clones[0], &clones[1]);
    let source = fixture("beads/issues.jsonl");
    let import = with(&["import", "--from", "beads", s(&source)], &BEADS_MAPS);
    // each clone imports on its own, at another time, with its own seed
    for (clone, seed) in [(a, "1"), (b, "2")] {
        let out = repo
            .cmd(&refs(&import))
            .current_dir(clone)
            .env("YIT_SEED", seed)
            .output()
            .expect("yit");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        repo.git_in(clone, &["add", "-A"]);
        repo.git_in(clone, &["commit", "-qm", "import from beads"]);
    }
    repo.git_in(a, &["push", "-q"]);
    repo.git_in(b, &["pull", "-q", "--no-rebase", "--no-edit"]);
    let listed: Value =
        serde_json::from_str(&repo.ok_in(b, &["list", "--all", "--json"])).expect("json");
    assert_eq!(
        listed["issues"].as_array().expect("issues").len(),
        5,
        "{listed}"
    );
    let conflicted = repo.ok_in(b, &["list", "--all", "is:conflicted", "--format", "ids"]);
    assert!(conflicted.trim().is_empty(), "{conflicted}");
    repo.ok_in(b, &["doctor"]);
}

#[test]
fn two_imports_at_once_create_each_issue_once() {
    let repo = TestRepo::with_tracker();
    let source = fixture("beads/issues.jsonl");
    let import = with(&["import", "--from", "beads", s(&source)], &BEADS_MAPS);
    let children: Vec<std::process::Child> = (0..4)
        .map(|_| {
            repo.cmd(&refs(&import))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("yit")
        })
        .collect();
    let mut created = 0;
    for child in children {
        let out = child.wait_with_output().expect("wait");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if text.contains("5 created") {
            created += 1;
        } else {
            assert!(text.contains("0 created, 0 updated, 5 unchanged"), "{text}");
        }
    }
    assert_eq!(created, 1);
    assert_eq!(
        repo.run(&["list", "--all", "--json"]).json()["issues"]
            .as_array()
            .expect("issues")
            .len(),
        5
    );
}

#[test]
fn an_issue_over_max_file_size_is_refused_with_its_line() {
    let repo = TestRepo::with_tracker();
    let file = repo.outside().join("big.jsonl");
    // two hundred long comments: more than a file may hold
    let comments: Vec<Value> = (1..=200)
        .map(|n| {
            serde_json::json!({"id": n, "author": "alice", "text": "ü".repeat(3000), "created_at": "2025-01-01T00:00:00Z"})
        })
        .collect();
    let big = beads_line(
        "bd-big",
        &format!(",\"comments\":{}", Value::from(comments)),
    );
    std::fs::write(&file, format!("{}\n{big}\n", beads_line("bd-1", ""))).expect("write");
    refused(
        &repo,
        &["import", "--from", "beads", s(&file)],
        &[
            "big.jsonl:2: bd-big: the new issue would be",
            "over max_file_size",
        ],
    );
}

#[test]
fn a_second_import_whose_update_cannot_be_written_creates_nothing_either() {
    let repo = TestRepo::with_tracker();
    let file = repo.outside().join("grow.jsonl");
    std::fs::write(&file, format!("{}\n", beads_line("bd-1", ""))).expect("write");
    repo.ok(&["import", "--from", "beads", s(&file)]);
    // there: a new issue, and the first one grows past max_file_size
    let comments: Vec<Value> = (1..=200)
        .map(|n| {
            serde_json::json!({"id": n, "author": "alice", "text": "ü".repeat(3000), "created_at": "2025-01-01T00:00:00Z"})
        })
        .collect();
    let grown = beads_line("bd-1", &format!(",\"comments\":{}", Value::from(comments)));
    std::fs::write(&file, format!("{grown}\n{}\n", beads_line("bd-2", ""))).expect("write");
    let before = repo.tree();
    let run = repo.fails(&["import", "--from", "beads", s(&file)], 1);
    assert!(run.stderr.contains("over max_file_size"), "{}", run.stderr);
    assert_eq!(repo.tree(), before, "bd-2 was not created");
}

/// `n` beads issues shaped like a real tracker's: long Markdown bodies in
/// unicode, some with CRLF, labels, links of every kind to earlier issues,
/// comments (one issue with 150), ids named in texts.
fn many_beads_lines(n: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    let words = [
        "parser",
        "panics",
        "naïve",
        "café",
        "日本語",
        "emoji 🎉",
        "index",
        "lock",
        "the",
        "on",
        "empty",
        "line",
    ];
    let mut out = String::new();
    for i in 0..n {
        let id = format!("bd-{i:04x}");
        let text = |count: u64, next: &mut dyn FnMut(u64) -> u64| {
            (0..count)
                .map(|_| words[next(words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut body = format!(
            "# {}\n\n{}\n\n- [ ] {}\n",
            text(4, &mut next),
            text(80, &mut next),
            text(6, &mut next)
        );
        if i > 0 && next(4) == 0 {
            body.push_str(&format!("\nSee bd-{:04x}.\n", next(i as u64)));
        }
        if next(10) == 0 {
            body = body.replace('\n', "\r\n");
        }
        let mut deps = Vec::new();
        if i > 0 && next(5) == 0 {
            deps.push(serde_json::json!({"issue_id": id, "depends_on_id": format!("bd-{:04x}", next(i as u64)), "type": "blocks", "created_at": "2025-03-01T00:00:00Z", "created_by": "alice"}));
        }
        if i > 0 && next(10) == 0 {
            deps.push(serde_json::json!({"issue_id": id, "depends_on_id": format!("bd-{:04x}", next(i as u64)), "type": "parent-child", "created_at": "2025-03-01T00:00:00Z", "created_by": "alice"}));
        }
        if i > 0 && next(20) == 0 {
            deps.push(serde_json::json!({"issue_id": id, "depends_on_id": format!("bd-{:04x}", next(i as u64)), "type": "related", "created_at": "2025-03-01T00:00:00Z", "created_by": "bob"}));
        }
        let count = if i == 7 { 150 } else { next(4) };
        let comments: Vec<Value> = (0..count)
            .map(|c| {
                serde_json::json!({"id": i * 1000 + c as usize + 1, "issue_id": id, "author": (["alice", "Zoë Ångström", "Bob Stone <bob@example.com>"][c as usize % 3]), "text": text(12, &mut next), "created_at": format!("2025-03-{:02}T{:02}:00:00.25Z", 1 + c % 28, c % 24)})
            })
            .collect();
        let status = ["open", "in_progress", "closed"][next(3) as usize];
        let mut line = serde_json::json!({
            "id": id, "title": text(6, &mut next), "description": body, "status": status,
            "priority": next(5), "issue_type": (["bug", "feature", "task", "chore"][next(4) as usize]),
            "created_at": "2025-02-01T10:00:00.123-05:00", "updated_at": "2025-02-02T10:00:00Z",
            "labels": [words[next(12) as usize].replace(' ', "-")],
        });
        if status == "closed" {
            line["closed_at"] = "2025-02-03T00:00:00Z".into();
        }
        if !deps.is_empty() {
            line["dependencies"] = deps.into();
        }
        if !comments.is_empty() {
            line["comments"] = comments.into();
        }
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn eight_hundred_issues_with_their_comments_and_links_round_trip() {
    let one = TestRepo::with_tracker();
    let source = one.outside().join("many.jsonl");
    std::fs::write(&source, many_beads_lines(800)).expect("write");
    let said = one.ok(&["import", "--from", "beads", s(&source)]);
    assert!(said.contains("800 created"), "{said}");
    one.ok(&["doctor"]);
    let with_comments = shown(&one, "bd-0007");
    assert_eq!(
        with_comments["comments"]
            .as_array()
            .expect("comments")
            .len(),
        150
    );
    let out = one.outside().join("back.jsonl");
    one.ok(&["export", "--to", "beads", s(&out)]);
    assert_eq!(jsonl_lines(&out), jsonl_lines(&source));
    let two = TestRepo::with_tracker();
    two.ok(&["import", "--from", "beads", s(&out)]);
    assert_eq!(two.ok(&["export"]), one.ok(&["export"]));
}
