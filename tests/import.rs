//! Export and import: yit's own format round-trips byte for byte; GitHub's
//! JSON imports and updates.

use crate::common;

use common::TestRepo;

/// A tracker with a bit of everything a file can hold.
fn varied() -> TestRepo {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&[
        "Crash, on \"start\"",
        "-l",
        "bug",
        "-l",
        "crash",
        "-p",
        "0",
        "--body",
        "Line one\nline two, with commas\n",
    ]);
    let b = repo.new_issue(&["Ünïcode 标题 👍", "--parent", &a, "--depends-on", &a]);
    repo.ok(&["comment", &a, "First | comment"]);
    repo.ok(&["assign", &b, "me"]);
    let c = repo.new_issue(&["Closed one"]);
    repo.ok(&["close", &c, "--reason", "done"]);
    // a key a person added by hand
    let path = repo.issues_dir().join(format!("{c}.yaml"));
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}estimate: 3\n")).expect("write");
    repo
}

#[test]
fn export_then_import_into_an_empty_tracker_gives_the_same_bytes() {
    let repo = varied();
    for format in ["json", "jsonl"] {
        let exported = repo.ok(&["export", "--format", format]);
        let other = TestRepo::with_tracker();
        let file = other.root().join(format!("export.{format}"));
        std::fs::write(&file, &exported).expect("write");
        let said = other.ok(&["import", file.to_str().expect("path")]);
        assert!(said.contains("imported 3 issue(s)"), "{said}");
        assert_eq!(
            other.ok(&["export", "--format", format]),
            exported,
            "{format}"
        );
        // again: everything is already there, nothing changes
        let before = other.tree();
        let again = other.ok(&["import", file.to_str().expect("path")]);
        assert!(again.contains("3 already here"), "{again}");
        assert_eq!(other.tree(), before);
        other.ok(&["doctor"]);
    }
}

#[test]
fn a_bad_import_writes_nothing() {
    let repo = varied();
    let exported = repo.ok(&["export", "--format", "jsonl"]);
    let other = TestRepo::with_tracker();
    let before = other.tree();
    let write = |name: &str, text: &str| {
        let path = other.root().join(name);
        std::fs::write(&path, text).expect("write");
        path.to_str().expect("path").to_owned()
    };
    // a broken third line: nothing of the first two is written
    let mut lines: Vec<&str> = exported.lines().collect();
    lines[2] = "{\"id\": \"zzzzzzzzzz\", \"title\": \"x\", \"status\": \"nope\"";
    let run = other.fails(&["import", &write("bad.jsonl", &lines.join("\n"))], 1);
    assert!(run.stderr.contains("bad.jsonl:3"), "{}", run.stderr);
    let mut record: serde_json::Value =
        serde_json::from_str(exported.lines().next().expect("line")).expect("json");
    record["status"] = serde_json::json!("nope");
    let bad_status = record.to_string();
    let run = other.fails(&["import", &write("status.jsonl", &bad_status)], 1);
    assert!(run.stderr.contains("unknown status"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("status.jsonl: 1 problem(s); nothing was imported"),
        "{}",
        run.stderr
    );
    other.fails(&["import", &write("junk.json", "[1, 2]")], 1);
    other.fails(
        &["import", &write("missing-id.json", "[{\"title\": \"x\"}]")],
        1,
    );
    for name in ["bad.jsonl", "status.jsonl", "junk.json", "missing-id.json"] {
        std::fs::remove_file(other.root().join(name)).expect("rm");
    }
    assert_eq!(other.tree(), before);

    // an id that exists with other content: refused, nothing written
    let first = exported.lines().next().expect("line").to_owned();
    let id = serde_json::from_str::<serde_json::Value>(&first).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let file = write("one.jsonl", &first);
    other.ok(&["import", &file]);
    other.ok(&["edit", &id, "--title", "Changed here"]);
    let before = other.tree();
    let refused = other.fails(&["import", &write("all.jsonl", &exported)], 4);
    assert!(
        refused.stderr.contains("other content"),
        "{}",
        refused.stderr
    );
    std::fs::remove_file(other.root().join("all.jsonl")).expect("rm");
    assert_eq!(other.tree(), before);
}

#[test]
fn csv_and_markdown_exports() {
    let repo = varied();
    let text = repo.ok(&["export", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(&headers[0], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    let crash = rows
        .iter()
        .find(|r| &r[1] == "Crash, on \"start\"")
        .expect("row");
    assert_eq!(&crash[5], "bug,crash");
    assert_eq!(&crash[12], "1", "comments");
    assert_eq!(&crash[13], "Line one\nline two, with commas\n");
    // a query narrows
    let bugs = repo.ok(&["export", "label:bug", "--format", "jsonl"]);
    assert_eq!(bugs.lines().count(), 1);

    let md = repo.ok(&["export", "--format", "markdown"]);
    assert!(md.starts_with("# Issues\n"), "{md}");
    assert!(md.contains(": Crash, on \"start\"\n"), "{md}");
    assert!(
        md.contains("First \\| comment") || md.contains("First | comment"),
        "{md}"
    );
    assert!(md.contains("### Comments"), "{md}");
}

#[test]
fn github_issues_import_and_update_three_way() {
    let repo = TestRepo::with_tracker();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/github/issues.json");
    let first = repo.run(&[
        "import",
        "--github",
        fixture.to_str().expect("path"),
        "--json",
    ]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stderr.contains("\"docs, examples\""),
        "a label yit cannot hold is named: {}",
        first.stderr
    );
    let said = first.json();
    assert_eq!(said["created"].as_array().expect("created").len(), 3);
    let issues = repo.run(&["export", "--format", "json"]).json();
    let by_number = |n: u64| {
        issues["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .find(|i| i["github"]["number"] == n)
            .expect("imported")
            .clone()
    };
    let panic = by_number(12);
    // the snapshot keeps digests, not a second copy of the title and body
    let imported = &panic["github"]["imported"];
    assert!(
        imported["body"]
            .as_str()
            .is_some_and(|b| b.starts_with("xxh3:")),
        "{imported}"
    );
    assert!(
        imported["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("xxh3:")),
        "{imported}"
    );
    let id = panic["id"].as_str().expect("id");
    let file = repo.read_issue_file(id);
    let title = panic["title"].as_str().expect("title");
    assert_eq!(file.matches(title).count(), 1, "{file}");
    assert_eq!(panic["title"], "Panic on an empty repository");
    assert_eq!(panic["labels"], serde_json::json!(["bug", "crash"]));
    assert_eq!(
        panic["assignee"],
        "Ann Lee <annlee@users.noreply.github.com>"
    );
    assert_eq!(panic["github"]["assignees"], serde_json::json!(["bstone"]));
    assert_eq!(panic["author"], "Chen Wu <chenwu@users.noreply.github.com>");
    assert_eq!(panic["created"], "2026-01-30T09:00:00Z");
    assert_eq!(panic["comments"][0]["id"], "IC_kwDOAAABc85aaaa1");
    assert!(!panic["body"].as_str().expect("body").contains('\r'));
    assert_eq!(by_number(7)["status"], "closed");
    assert_eq!(by_number(14)["author"], serde_json::Value::Null);
    repo.ok(&["doctor"]);

    // nothing changed upstream: nothing changes here, and no issue's lock
    // is taken (one is held by another process meanwhile)
    let before = repo.tree();
    let locks = repo.root().join(".git/yit/locks");
    std::fs::create_dir_all(&locks).expect("locks");
    let held = locks.join(format!("{}.lock", panic["id"].as_str().expect("id")));
    let mut holder = common::Spawned::new(
        repo.program("flock", &[held.to_str().expect("path"), "cat"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("flock runs"),
    );
    assert!(
        common::wait_until(std::time::Duration::from_secs(5), || {
            let probe = repo
                .program("flock", &["-n", held.to_str().expect("path"), "true"])
                .status()
                .expect("flock runs");
            probe.code() == Some(1)
        }),
        "the lock is held"
    );
    let again = repo.run(&[
        "import",
        "--github",
        fixture.to_str().expect("path"),
        "--json",
        "--lock-timeout",
        "0.2",
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["unchanged"], 3);
    holder.close_stdin();
    holder.wait();
    assert_eq!(repo.tree(), before);

    // upstream: #12 retitled, #14 closed with a new comment, #20 new; here:
    // #12 retitled too, #14's body edited
    let panic_id = panic["id"].as_str().expect("id").to_owned();
    let wide_id = by_number(14)["id"].as_str().expect("id").to_owned();
    repo.ok(&["edit", &panic_id, "--title", "Panic in an empty repo"]);
    repo.ok(&["edit", &wide_id, "--body", "Edited here."]);
    let mut upstream: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).expect("fixture")).expect("json");
    upstream[0]["title"] = serde_json::json!("Panic when the repository is empty");
    upstream[2]["state"] = serde_json::json!("CLOSED");
    upstream[2]["comments"]
        .as_array_mut()
        .expect("comments")
        .push(serde_json::json!({"id": "IC_new", "author": {"login": "annlee"}, "body": "Fixed.", "createdAt": "2026-02-05T00:00:00Z"}));
    let mut new_one = upstream[1].clone();
    new_one["number"] = serde_json::json!(20);
    new_one["title"] = serde_json::json!("A new upstream issue");
    new_one["labels"] = serde_json::json!([]);
    upstream.as_array_mut().expect("list").push(new_one);
    let file = repo.root().join("gh2.json");
    std::fs::write(&file, upstream.to_string()).expect("write");
    let second = repo.run(&["import", "--github", file.to_str().expect("path"), "--json"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("title changed here and upstream"),
        "{}",
        second.stderr
    );
    let said = second.json();
    assert_eq!(said["created"].as_array().expect("created").len(), 1);
    assert_eq!(said["conflicts"][0]["fields"], serde_json::json!(["title"]));
    let show = |id: &str| repo.run(&["show", id, "--json"]).json()["issue"].clone();
    assert_eq!(
        show(&panic_id)["title"],
        "Panic in an empty repo",
        "local kept"
    );
    let wide = show(&wide_id);
    assert_eq!(wide["status"], "closed", "upstream taken");
    assert_eq!(
        wide["body"], "Edited here.",
        "unchanged upstream: local stays"
    );
    assert_eq!(wide["comments"].as_array().expect("comments").len(), 3);
    repo.ok(&["doctor"]);
    // a third import of the same: nothing changes (the local title stays)
    let before = repo.tree();
    repo.ok(&["import", "--github", file.to_str().expect("path")]);
    assert_eq!(repo.tree(), before);

    let bad = repo.root().join("bad.json");
    std::fs::write(&bad, "[{\"number\": 1}]").expect("write");
    let run = repo.fails(&["import", "--github", bad.to_str().expect("path")], 1);
    assert!(run.stderr.contains("bad.json:1:"), "{}", run.stderr);
}

#[test]
fn github_labels_map_to_types_and_numbers_are_queried() {
    let repo = TestRepo::with_tracker();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/github/issues.json");
    let fixture = fixture.to_str().expect("path");
    // a type that config.yaml does not have, or no `=`: refused, nothing written
    let before = repo.tree();
    let run = repo.fails(
        &["import", "--github", fixture, "--type-label", "bug=defect"],
        1,
    );
    assert!(
        run.stderr.contains("--type-label bug=defect"),
        "{}",
        run.stderr
    );
    repo.fails(&["import", "--github", fixture, "--type-label", "bug"], 2);
    assert_eq!(repo.tree(), before);

    repo.ok(&["import", "--github", fixture, "--type-label", "BUG=Bug"]);
    let panic = repo.run(&["list", "github:12", "--json"]).json();
    let panic = &panic["issues"][0];
    assert_eq!(panic["github"]["number"], 12);
    assert_eq!(panic["type"], "bug", "mapped from its label `bug`");
    assert_eq!(
        panic["labels"],
        serde_json::json!(["bug", "crash"]),
        "labels kept"
    );
    let other = repo.run(&["list", "github:14", "--json"]).json();
    assert_eq!(
        other["issues"][0]["type"], "task",
        "no mapped label: the default"
    );
    let both = repo.run(&["list", "github:12,14", "--all", "--format", "ids"]);
    assert_eq!(both.stdout.lines().count(), 2, "{}", both.stdout);
    let run = repo.fails(&["list", "github:twelve"], 1);
    assert!(
        run.stderr.contains("expected an issue number"),
        "{}",
        run.stderr
    );
    // `show` names the GitHub issue
    let id = panic["id"].as_str().expect("id");
    let text = repo.ok(&["show", id]);
    assert!(text.contains("\ngithub    #12\n"), "{text}");
    // ...and takes it, as every command that takes an id does
    assert_eq!(repo.ok(&["show", "github:12"]), text);
    assert_eq!(
        repo.run(&["show", "github:#12", "--json"]).json()["issue"]["id"],
        id
    );
    repo.ok(&["comment", "github:12", "Seen on 1.2 too"]);
    let run = repo.fails(&["show", "github:99"], 1);
    assert!(run.stderr.contains("github:99"), "{}", run.stderr);
}

#[test]
fn github_people_are_found_by_the_names_shown() {
    let repo = TestRepo::with_tracker();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/github/issues.json");
    repo.ok(&["import", "--github", fixture.to_str().expect("path")]);
    let list = repo.ok(&["list"]);
    // shown by name (or by login when GitHub has no name)...
    assert!(list.contains(" Bob Stone "), "{list}");
    // ...and typed as the name or the login, in any case, by flag or query
    let by = |args: &[&str]| -> Vec<u64> {
        let mut numbers: Vec<u64> = repo.run(args).json()["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .map(|i| i["github"]["number"].as_u64().expect("number"))
            .collect();
        numbers.sort_unstable();
        numbers
    };
    assert_eq!(by(&["list", "--assignee", "bstone", "--json"]), [14]);
    assert_eq!(by(&["list", "assignee:BStone", "--json"]), [14]);
    assert_eq!(by(&["list", "assignee:annlee", "--json"]), [12]);
    assert_eq!(by(&["list", "--assignee", "bob stone", "--json"]), [14]);
    assert_eq!(
        by(&[
            "list",
            "--assignee",
            "annlee@users.noreply.github.com",
            "--json"
        ]),
        [12]
    );
    assert_eq!(
        by(&["list", "assignee:nobody-here", "--json"]),
        Vec::<u64>::new()
    );
    // a name with a space, as `Name <email>` shows it
    let cleo = repo.new_issue(&["Cleo's own", "--assignee", "Cleo Park <cleo@example.com>"]);
    let theirs = repo.run(&["list", "assignee:\"cleo park\"", "--format", "ids"]);
    assert_eq!(theirs.stdout.trim(), cleo, "{}", theirs.stderr);
    let theirs = repo.run(&["list", "--assignee", "Cleo Park", "--format", "ids"]);
    assert_eq!(theirs.stdout.trim(), cleo, "{}", theirs.stderr);
}

#[test]
fn github_labels_map_to_priorities() {
    let repo = TestRepo::with_tracker();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/github/issues.json");
    let fixture = fixture.to_str().expect("path");
    let before = repo.tree();
    for (bad, code) in [("crash=high", 1), ("crash", 2), ("=1", 2), ("crash=9", 1)] {
        let run = repo.fails(
            &["import", "--github", fixture, "--priority-label", bad],
            code,
        );
        assert!(run.stderr.contains("--priority-label"), "{}", run.stderr);
    }
    assert_eq!(repo.tree(), before, "a refused mapping writes nothing");
    repo.ok(&[
        "import",
        "--github",
        fixture,
        "--priority-label",
        "CRASH=0",
        "--priority-label",
        "ui=P3",
    ]);
    let priority = |n: &str| {
        repo.run(&["show", &format!("github:{n}"), "--json"]).json()["issue"]["priority"]
            .as_u64()
            .expect("priority")
    };
    assert_eq!(priority("12"), 0, "mapped from `crash`");
    assert_eq!(priority("14"), 3, "mapped from `ui`");
    assert_eq!(priority("7"), 2, "no mapped label: the default");
}

#[test]
fn list_prints_csv_and_markdown_tables() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Pipes | and, commas", "-l", "a", "-l", "b", "-p", "1"]);
    let csv = repo.ok(&["list", "--format", "csv"]);
    assert_eq!(
        csv,
        format!(
            "id,short_id,priority,status,type,assignee,title,labels\n{id},{},1,open,task,,\"Pipes | and, commas\",\"a,b\"\n",
            &id[..4]
        )
    );
    let md = repo.ok(&["list", "--format", "markdown"]);
    assert_eq!(
        md,
        format!(
            "| ID | PRI | STATUS | TYPE | ASSIGNEE | TITLE | LABELS |\n|---|---|---|---|---|---|---|\n| {} | P1 | open | task | - | Pipes \\| and, commas | a, b |\n",
            &id[..4]
        )
    );
}
