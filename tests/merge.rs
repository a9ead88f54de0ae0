//! Merges without conflicts: yit's merge driver under real `git merge` and
//! `git rebase`, the conflict flow (`conflicts:`, `show`, `doctor`,
//! `resolve`), the text fallback, and the driver's registration.

use crate::common;

use common::TestRepo;

/// A tracker with one committed issue, and a branch `b` at that commit.
fn setup() -> (TestRepo, String) {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Crash on start", "-l", "crash"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "base"]);
    repo.git(&["branch", "b"]);
    (repo, id)
}

/// Runs yit at a given time (so that `updated` differs between sides).
fn yit_at(repo: &TestRepo, when: &str, args: &[&str]) {
    let out = repo.cmd(args).env("YIT_NOW", when).output().expect("runs");
    assert!(
        out.status.success(),
        "yit {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn commit_all(repo: &TestRepo, message: &str) {
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", message]);
}

fn show(repo: &TestRepo, id: &str) -> serde_json::Value {
    repo.run(&["show", id, "--json"]).json()["issue"].clone()
}

#[test]
fn init_registers_the_driver_once() {
    let repo = TestRepo::with_tracker();
    assert_eq!(
        repo.git(&["config", "merge.yit.driver"]).trim(),
        "yit merge-file %O %A %B %P"
    );
    let attributes = std::fs::read_to_string(repo.root().join(".gitattributes")).expect("file");
    assert_eq!(attributes, ".issues/*.yaml merge=yit\n");
    repo.ok(&["init"]);
    assert_eq!(
        std::fs::read_to_string(repo.root().join(".gitattributes")).expect("file"),
        attributes,
        "a second init adds nothing"
    );
    assert_eq!(
        repo.git(&["check-attr", "merge", ".issues/x.yaml"]).trim(),
        ".issues/x.yaml: merge: yit"
    );
}

#[test]
fn a_fresh_clone_hints_init_until_it_is_set_up() {
    let (repo, _) = setup();
    let clone = repo.outside().join("clone");
    repo.git(&[
        "clone",
        "-q",
        repo.root().to_str().expect("utf-8"),
        clone.to_str().expect("utf-8"),
    ]);
    let run = |args: &[&str]| repo.cmd(args).current_dir(&clone).output().expect("runs");
    let listed = run(&["list"]);
    assert!(listed.status.success());
    assert!(
        String::from_utf8_lossy(&listed.stderr).contains("run `yit init`"),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(run(&["init", "-q"]).status.success());
    let listed = run(&["list"]);
    assert_eq!(String::from_utf8_lossy(&listed.stderr), "");
    // the clone's .gitattributes came with the clone: init left it alone
    let status = repo
        .program("git", &["status", "--porcelain"])
        .current_dir(&clone)
        .output()
        .expect("git");
    assert_eq!(String::from_utf8_lossy(&status.stdout), "");
}

#[test]
fn changes_to_different_fields_merge_cleanly() {
    let (repo, id) = setup();
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--priority", "0"],
    );
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["label", "add", &id, "ours"],
    );
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    yit_at(
        &repo,
        "2026-03-02T10:00:00Z",
        &["edit", &id, "--status", "in_progress"],
    );
    yit_at(
        &repo,
        "2026-03-02T10:00:00Z",
        &["label", "rm", &id, "crash"],
    );
    yit_at(
        &repo,
        "2026-03-02T10:00:00Z",
        &["label", "add", &id, "theirs"],
    );
    commit_all(&repo, "theirs");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-edit", "b"]);
    let text = repo.read_issue_file(&id);
    assert!(!text.contains("<<<<<<<"), "{text}");
    let issue = show(&repo, &id);
    assert_eq!(issue["priority"], 0);
    assert_eq!(issue["status"], "in_progress");
    assert_eq!(issue["labels"], serde_json::json!(["ours", "theirs"]));
    assert_eq!(issue["updated"], "2026-03-02T10:00:00Z", "the later time");
    assert_eq!(issue["conflicts"], serde_json::json!([]));
    repo.ok(&["doctor", "-q"]);
}

#[test]
fn comments_added_on_both_sides_are_both_kept_in_time_order() {
    let (repo, id) = setup();
    yit_at(
        &repo,
        "2026-03-02T00:00:00Z",
        &["comment", &id, "second, on main"],
    );
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    yit_at(
        &repo,
        "2026-03-01T00:00:00Z",
        &["comment", &id, "first, on b"],
    );
    commit_all(&repo, "theirs");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-edit", "b"]);
    let bodies: Vec<String> = show(&repo, &id)["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .map(|c| c["body"].as_str().expect("body").to_owned())
        .collect();
    assert_eq!(bodies, ["first, on b", "second, on main"]);
}

#[test]
fn a_rebase_replays_issue_changes_through_the_driver() {
    let (repo, id) = setup();
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--title", "Crash on start (macOS)"],
    );
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    yit_at(
        &repo,
        "2026-03-02T10:00:00Z",
        &["assign", &id, "Bob <bob@example.com>"],
    );
    yit_at(&repo, "2026-03-02T11:00:00Z", &["comment", &id, "on b"]);
    commit_all(&repo, "theirs");
    repo.git(&["rebase", "-q", "main"]);
    let issue = show(&repo, &id);
    assert_eq!(issue["title"], "Crash on start (macOS)");
    assert_eq!(issue["assignee"], "Bob <bob@example.com>");
    assert_eq!(issue["comments"][0]["body"], "on b");
}

#[test]
fn the_same_field_changed_twice_is_recorded_shown_and_resolved() {
    let (repo, id) = setup();
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--status", "in_progress"],
    );
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    yit_at(&repo, "2026-03-02T10:00:00Z", &["close", &id]);
    commit_all(&repo, "theirs");
    repo.git(&["checkout", "-q", "main"]);
    let merged = repo
        .program("git", &["merge", "-q", "--no-edit", "b"])
        .output()
        .expect("git");
    assert!(!merged.status.success(), "git reports the conflict");
    let text = repo.read_issue_file(&id);
    assert!(
        !text.contains("<<<<<<<"),
        "the file stays valid YAML:\n{text}"
    );
    let issue = show(&repo, &id);
    assert_eq!(issue["status"], "in_progress", "ours is kept");
    assert_eq!(issue["conflicts"][0]["field"], "status");
    assert_eq!(issue["conflicts"][0]["theirs"], "closed");
    assert_eq!(issue["conflicts"][0]["base"], "open");
    assert!(repo.ok(&["show", &id]).contains("merge conflict on status"));
    let doctor = repo.fails(&["doctor"], 1);
    assert!(
        doctor
            .stdout
            .contains("unresolved merge conflict on status"),
        "{}",
        doctor.stdout
    );
    repo.ok(&["resolve", &id, "--take", "theirs"]);
    let issue = show(&repo, &id);
    assert_eq!(issue["status"], "closed");
    assert_eq!(issue["conflicts"], serde_json::json!([]));
    repo.ok(&["doctor", "-q"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "merged"]);
}

#[test]
fn resolve_takes_ours_or_a_value_field_by_field() {
    let (repo, id) = setup();
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--priority", "0", "--title", "Ours"],
    );
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    yit_at(
        &repo,
        "2026-03-02T10:00:00Z",
        &["edit", &id, "--priority", "3", "--title", "Theirs"],
    );
    commit_all(&repo, "theirs");
    repo.git(&["checkout", "-q", "main"]);
    let _ = repo
        .program("git", &["merge", "-q", "--no-edit", "b"])
        .output();
    assert_eq!(
        show(&repo, &id)["conflicts"].as_array().map(Vec::len),
        Some(2)
    );
    repo.fails(&["resolve", &id, "--take", "status:=closed"], 1);
    // a value that is not a side is refused, and how to give one is said
    let before = repo.tree();
    let run = repo.fails(&["resolve", &id, "--take", "priority=1"], 2);
    assert!(
        run.stderr
            .contains("\"1\" is not a side (ours, theirs or base)")
            && run.stderr.contains("--take 'priority:=1'"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.tree(), before);
    repo.ok(&["resolve", &id, "--take", "priority:=1"]);
    let issue = show(&repo, &id);
    assert_eq!(
        (issue["priority"].clone(), issue["title"].clone()),
        (1.into(), "Ours".into())
    );
    assert_eq!(issue["conflicts"].as_array().map(Vec::len), Some(1));
    repo.ok(&["resolve", &id, "--take", "ours"]);
    let issue = show(&repo, &id);
    assert_eq!(issue["title"], "Ours");
    assert_eq!(issue["conflicts"], serde_json::json!([]));
}

#[test]
fn issues_created_on_both_branches_never_collide() {
    let (repo, _) = setup();
    let ours = repo.new_issue(&["Made on main"]);
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    let cmd_out = repo
        .cmd(&["new", "Made on b", "--format", "ids"])
        .env("YIT_SEED", "2")
        .output()
        .expect("runs");
    let theirs = String::from_utf8_lossy(&cmd_out.stdout).trim().to_owned();
    commit_all(&repo, "theirs");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-edit", "b"]);
    assert_ne!(ours, theirs);
    let listed = repo.ok(&["list", "--format", "ids"]);
    assert_eq!(listed.lines().count(), 3, "{listed}");
}

#[test]
fn a_version_that_is_not_an_issue_is_merged_as_text() {
    let (repo, id) = setup();
    let path = repo.issues_dir().join(format!("{id}.yaml"));
    let text = repo.read_issue_file(&id);
    std::fs::write(
        &path,
        text.replace("title: Crash on start", "title: [broken"),
    )
    .expect("write");
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    std::fs::write(&path, text.replace("title: Crash on start", "title: Other")).expect("write");
    commit_all(&repo, "theirs");
    repo.git(&["checkout", "-q", "main"]);
    let merged = repo
        .program("git", &["merge", "-q", "--no-edit", "b"])
        .output()
        .expect("git");
    assert!(!merged.status.success());
    assert!(repo.read_issue_file(&id).contains("<<<<<<< ours"));
}

/// Two branches that change `body` and `priority` differently, merged:
/// the conflicts recorded, the base and both sides known.
fn conflicted(body_ours: &str, body_theirs: &str) -> (TestRepo, String) {
    let (repo, id) = setup();
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--priority", "0", "--body", body_ours],
    );
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    yit_at(
        &repo,
        "2026-03-02T10:00:00Z",
        &["edit", &id, "--priority", "3", "--body", body_theirs],
    );
    commit_all(&repo, "theirs");
    repo.git(&["checkout", "-q", "main"]);
    let _ = repo
        .program("git", &["merge", "-q", "--no-edit", "b"])
        .output();
    assert_eq!(
        show(&repo, &id)["conflicts"].as_array().map(Vec::len),
        Some(2)
    );
    (repo, id)
}

#[test]
fn resolve_takes_a_side_of_one_field_never_the_word() {
    let description = format!(
        "## Steps\n\n{}",
        "The parser stops at the colon. ".repeat(100)
    );
    let (repo, id) = conflicted("A short note", &description);
    repo.ok(&["resolve", &id, "--take", "body=theirs"]);
    let issue = show(&repo, &id);
    assert_eq!(
        issue["body"],
        description.as_str(),
        "theirs, all 3 KB of it"
    );
    assert_eq!(issue["conflicts"].as_array().map(Vec::len), Some(1));
    repo.ok(&["resolve", &id, "--take", "priority=base"]);
    let issue = show(&repo, &id);
    assert_eq!(issue["priority"], 2, "the base's value");
    assert_eq!(issue["conflicts"], serde_json::json!([]));
    // a literal word is spelled FIELD:=VALUE
    let (repo, id) = conflicted("A short note", &description);
    repo.ok(&[
        "resolve",
        &id,
        "--take",
        "body:=theirs",
        "--take",
        "priority=ours",
    ]);
    let issue = show(&repo, &id);
    assert_eq!(issue["body"], "theirs");
    assert_eq!(issue["priority"], 0);
}

#[test]
fn resolve_without_takes_opens_the_editor_on_both_sides() {
    let (repo, id) = conflicted("Our note", "Their note\nwith a second line");
    // the editor sees every side, labelled; it keeps theirs for the body
    // and writes a priority of its own
    let seen = repo.outside().join("seen.txt");
    let editor = repo.editor(
        "settle",
        &format!(
            "cp \"$1\" {seen}\nsed -i 's/^body: .*/body: \"Both notes, merged\"/; s/^priority: 0/priority: 1/' \"$1\"",
            seen = seen.display()
        ),
    );
    let run = repo.run_with_editor(&editor, &["resolve", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shown = std::fs::read_to_string(&seen).expect("the editor's file");
    for wanted in [
        &format!(
            "# yit: Resolve the conflicts a merge recorded in {} \"Crash on start\".\n",
            &id[..4]
        ),
        "# body: ours is the value below\n",
        "#   theirs:\n#     |-\n#       Their note\n#       with a second line\n",
        "#   base:\n#     \"\"\n",
        "body: Our note\n",
        "#   theirs:\n#     3\n#   base:\n#     2\n",
        "priority: 0\n",
    ] {
        assert!(shown.contains(wanted), "{wanted:?} not in:\n{shown}");
    }
    let issue = show(&repo, &id);
    assert_eq!(issue["body"], "Both notes, merged");
    assert_eq!(issue["priority"], 1);
    assert_eq!(issue["conflicts"], serde_json::json!([]));
}

#[test]
fn resolve_in_the_editor_saved_unchanged_or_wrong_changes_nothing() {
    let (repo, id) = conflicted("Our note", "Their note");
    let before = repo.tree();
    let keep = repo.editor("keep", "true");
    let run = repo.run_with_editor(&keep, &["resolve", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("no changes; the conflicts stay"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.tree(), before);
    // a key that is not in conflict, every time: refused, nothing written
    let stranger = repo.editor("stranger", "printf 'title: New\\n' > \"$1\"");
    let run = repo.run_with_editor(&stranger, &["resolve", &id]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(repo.tree(), before);
}
