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

/// `ours` (a yit command) on main and `theirs` on `b`, a day apart, each
/// committed; then `git merge b` on main, git's PATH being `path`: whether
/// git merged without stopping.
fn diverge(repo: &TestRepo, ours: &[&str], theirs: &[&str], path: Option<&str>) -> bool {
    yit_at(repo, "2026-03-01T10:00:00Z", ours);
    commit_all(repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    yit_at(repo, "2026-03-02T10:00:00Z", theirs);
    commit_all(repo, "theirs");
    repo.git(&["checkout", "-q", "main"]);
    let mut merge = repo.program("git", &["merge", "-q", "--no-edit", "b"]);
    if let Some(path) = path {
        merge.env("PATH", path);
    }
    merge.output().expect("git").status.success()
}

#[test]
fn init_registers_the_driver_once() {
    let repo = TestRepo::with_tracker();
    // by this binary's path: git runs it without yit on its PATH
    assert_eq!(
        repo.git(&["config", "merge.yit.driver"]).trim(),
        format!(
            "'{}' merge-file %O %A %B %P --labels %S %X %Y",
            common::yit_bin()
        )
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
    let merged = diverge(
        &repo,
        &["edit", &id, "--status", "in_progress"],
        &["close", &id],
        None,
    );
    assert!(!merged, "git reports the conflict");
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
    diverge(
        &repo,
        &["edit", &id, "--priority", "0", "--title", "Ours"],
        &["edit", &id, "--priority", "3", "--title", "Theirs"],
        None,
    );
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
    let merged = diverge(
        &repo,
        &["edit", &id, "--priority", "0", "--body", body_ours],
        &["edit", &id, "--priority", "3", "--body", body_theirs],
        None,
    );
    assert!(!merged, "git stops on the conflicts");
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
    let b = repo.git(&["rev-parse", "--short=7", "b"]).trim().to_owned();
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
        &format!(
            "#   theirs (b: {b} by Ann Lee):\n#     |-\n#       Their note\n#       with a second line\n"
        ),
        "\n#     \"\"\nbody: Our note\n",
        &format!("#   theirs (b: {b} by Ann Lee):\n#     3\n"),
        "\n#     2\npriority: 0\n",
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

#[test]
fn when_git_cannot_run_the_driver_doctor_finds_the_file_and_the_way_back() {
    let (repo, id) = setup();
    // a driver git finds on PATH only (as registered before), and no yit
    // on git's PATH: a GUI client, an IDE, a CI image
    repo.git(&["config", "merge.yit.driver", "yit merge-file %O %A %B %P"]);
    let merged = diverge(
        &repo,
        &["edit", &id, "--priority", "0"],
        &["edit", &id, "--title", "Theirs"],
        Some(common::PATH_WITHOUT_YIT),
    );
    assert!(!merged, "git stops on the file");
    let path = format!(".issues/{id}.yaml");
    assert_eq!(
        repo.git(&["status", "--porcelain", "--", &path]),
        format!("UU {path}\n")
    );
    // every command that reads issues says so, once
    let listed = repo.run(&["list"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(
        listed.stderr,
        format!(
            "warning: git holds an issue file unmerged: {path}; `yit doctor` says how to finish\n"
        )
    );
    // doctor names it, with the way back, and fails
    let doctor = repo.fails(&["doctor"], 1);
    assert!(
        doctor
            .stdout
            .contains(&format!("{path}: unmerged in git: both sides changed it"))
            && doctor.stdout.contains(&format!("git checkout -m {path}")),
        "{}",
        doctor.stdout
    );
    let json = repo.fails(&["doctor", "--json"], 1).json();
    assert_eq!(json["problems"][0]["path"], path.as_str());
    // the way back: init registers a driver git can run, checkout -m
    // merges the file field by field, and nothing of either side is lost
    repo.ok(&["init", "-q"]);
    let back = repo
        .program("git", &["checkout", "-m", "--", &path])
        .env("PATH", common::PATH_WITHOUT_YIT)
        .output()
        .expect("git");
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    let issue = show(&repo, &id);
    assert_eq!(
        (issue["priority"].clone(), issue["title"].clone()),
        (0.into(), "Theirs".into())
    );
    repo.git(&["add", &path]);
    repo.ok(&["doctor", "-q"]);
    repo.git(&["commit", "-qm", "merged"]);
}

#[test]
fn a_change_against_a_deletion_is_named_with_both_ways_out() {
    let (repo, id) = setup();
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--priority", "0"],
    );
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    repo.git(&["rm", "-q", &format!(".issues/{id}.yaml")]);
    repo.git(&["commit", "-qm", "theirs: removed"]);
    repo.git(&["checkout", "-q", "main"]);
    let merged = repo
        .program("git", &["merge", "-q", "--no-edit", "b"])
        .output()
        .expect("git");
    assert!(!merged.status.success());
    let path = format!(".issues/{id}.yaml");
    assert_eq!(
        repo.git(&["status", "--porcelain", "--", &path]),
        format!("UD {path}\n")
    );
    let doctor = repo.fails(&["doctor"], 1);
    assert!(
        doctor
            .stdout
            .contains("changed on our side, deleted on theirs")
            && doctor.stdout.contains(&format!("git add {path}"))
            && doctor.stdout.contains(&format!("git rm {path}")),
        "{}",
        doctor.stdout
    );
    assert!(repo.run(&["show", &id]).stderr.contains("unmerged"));
}

#[test]
fn a_reference_to_an_unreadable_issue_is_not_called_missing() {
    let (repo, id) = setup();
    let blocker = repo.new_issue(&["Blocker"]);
    repo.ok(&["dep", "add", &id, &blocker]);
    // the blocker's file broken as a text conflict leaves it
    let file = repo.issues_dir().join(format!("{blocker}.yaml"));
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        format!("<<<<<<< ours\n{text}=======\n{text}>>>>>>> theirs\n"),
    )
    .expect("write");
    let doctor = repo.fails(&["doctor"], 1);
    assert!(
        doctor.stdout.contains(&format!(
            "depends_on: {blocker} is an issue whose file cannot be read"
        )),
        "{}",
        doctor.stdout
    );
    assert!(
        !doctor.stdout.contains("dep rm"),
        "no advice that deletes the link: {}",
        doctor.stdout
    );
}

#[test]
fn a_conflict_names_each_side_by_its_commit_and_author() {
    let (repo, id) = setup();
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--priority", "0"],
    );
    commit_all(&repo, "ours");
    repo.git(&["checkout", "-q", "b"]);
    let out = repo
        .cmd(&["edit", &id, "--priority", "3"])
        .env("YIT_NOW", "2026-03-02T10:00:00Z")
        .output()
        .expect("yit");
    assert!(out.status.success());
    repo.git(&["add", "-A"]);
    let theirs = repo
        .program("git", &["commit", "-qm", "theirs"])
        .env("GIT_AUTHOR_NAME", "Bob Stone")
        .env("GIT_AUTHOR_EMAIL", "bob@example.com")
        .status()
        .expect("git");
    assert!(theirs.success());
    let b = repo.git(&["rev-parse", "--short=7", "b"]).trim().to_owned();
    let main = repo
        .git(&["rev-parse", "--short=7", "main"])
        .trim()
        .to_owned();
    repo.git(&["checkout", "-q", "main"]);
    let _ = repo
        .program("git", &["merge", "-q", "--no-edit", "b"])
        .output();
    let conflict = &show(&repo, &id)["conflicts"][0];
    assert_eq!(conflict["from"]["ours"], format!("HEAD: {main} by Ann Lee"));
    assert_eq!(conflict["from"]["theirs"], format!("b: {b} by Bob Stone"));
    // a rebase swaps ours and theirs: the names still say whose is whose
    repo.git(&["merge", "--abort"]);
    repo.git(&["checkout", "-q", "b"]);
    let _ = repo.program("git", &["rebase", "main"]).output();
    let conflict = &show(&repo, &id)["conflicts"][0];
    assert_eq!(conflict["ours"], 0, "ours is main's, being rebased onto");
    assert!(
        conflict["from"]["theirs"]
            .as_str()
            .is_some_and(|t| t.contains(&b) && t.contains("Bob Stone")),
        "{conflict}"
    );
    let doctor = repo.fails(&["doctor"], 1);
    assert!(
        doctor.stdout.contains("by Bob Stone) 3"),
        "{}",
        doctor.stdout
    );
}

#[test]
fn conflicts_come_first_in_show_and_are_found_by_a_query() {
    let (repo, id) = conflicted("Our note", "Their note");
    let other = repo.new_issue(&["Not conflicted"]);
    let shown = repo.ok(&["show", &id]);
    let first = shown.lines().nth(1).expect("a second line");
    assert!(first.starts_with("merge conflict on "), "{shown}");
    assert!(
        shown.find("merge conflict on body").expect("named")
            < shown.find("Our note").expect("body"),
        "the conflict before the body: {shown}"
    );
    assert!(shown.contains("theirs (b: "), "{shown}");
    let found = repo.ok(&["list", "is:conflicted", "--format", "ids"]);
    assert_eq!(found, format!("{id}\n"));
    // marked in a list, from the files, the index or a daemon alike
    for args in [&["list"][..], &["--no-index", "list"]] {
        let listed = repo.ok(args);
        assert!(
            listed.contains("[conflict] Crash on start"),
            "{args:?}: {listed}"
        );
        assert!(!listed.contains("[conflict] Not conflicted"), "{listed}");
    }
    let json = repo.run(&["list", "--json"]).json();
    let flags: Vec<(&str, bool)> = json["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| (i["title"].as_str().expect("title"), i["conflicted"] == true))
        .collect();
    assert!(
        flags.contains(&("Crash on start", true)) && flags.contains(&("Not conflicted", false)),
        "{json}"
    );
    {
        let _daemon = common::DaemonGuard::start(&repo, &[]);
        let listed = repo.ok(&["list"]);
        assert!(
            listed.contains("[conflict] Crash on start"),
            "daemon: {listed}"
        );
    }
    let rest = repo.ok(&["list", "-is:conflicted", "--format", "ids"]);
    assert_eq!(rest, format!("{other}\n"));
    repo.ok(&["resolve", &id, "--take", "ours"]);
    assert_eq!(repo.ok(&["list", "is:conflicted", "--format", "ids"]), "");
}

#[test]
fn log_follows_a_merge_that_brought_an_issue_back() {
    let (repo, id) = setup();
    yit_at(&repo, "2026-03-02T10:00:00Z", &["rm", &id, "--yes"]);
    commit_all(&repo, "Remove it");
    repo.git(&["checkout", "-q", "b"]);
    yit_at(
        &repo,
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--priority", "0"],
    );
    commit_all(&repo, "Edit it on b");
    repo.git(&["checkout", "-q", "main"]);
    let merged = repo
        .program("git", &["merge", "-q", "--no-edit", "b"])
        .output()
        .expect("git");
    assert!(!merged.status.success(), "modify/delete stops the merge");
    repo.git(&["add", &format!(".issues/{id}.yaml")]);
    repo.git(&["commit", "-qm", "Merge b: keep it"]);
    let log = repo.run(&["log", &id, "--json"]).json();
    let commits = log["commits"].as_array().expect("commits");
    let summaries: Vec<&str> = commits
        .iter()
        .map(|c| c["summary"].as_str().expect("summary"))
        .collect();
    assert_eq!(
        summaries[0], "Merge b: keep it",
        "the newest entry is the merge: {log}"
    );
    assert_eq!(commits[0]["changes"], serde_json::json!(["restored"]));
    assert_eq!(summaries.last(), Some(&"base"), "{log}");
    assert!(
        summaries.contains(&"Remove it") && summaries.contains(&"Edit it on b"),
        "{log}"
    );
    // the issue is there, as the log's newest entry says
    assert_eq!(show(&repo, &id)["priority"], 0);
}

#[test]
fn doctor_runs_the_registered_driver_and_bounds_its_wait() {
    let repo = TestRepo::with_tracker();
    let driver = |name: &str, body: &str| {
        let script = repo.editor(name, body);
        repo.git(&[
            "config",
            "merge.yit.driver",
            &format!("'{}' merge-file %O %A %B %P", script.display()),
        ]);
    };
    // a driver that fails, and one that never answers: both named
    driver("broken-driver", "exit 3");
    let run = repo.run(&["doctor"]);
    assert!(
        run.stderr.contains(
            "broken-driver --version` (the registered merge driver) does not run within 5 s"
        ),
        "{}",
        run.stderr
    );
    // one whose child sleeps on: both are ended, nothing is left running
    let pid_file = repo.outside().join("child.pid");
    driver(
        "stuck-driver",
        &format!("sleep 60 &\necho $! > {}\nwait", pid_file.display()),
    );
    let started = std::time::Instant::now();
    let run = repo.run(&["doctor"]);
    assert!(
        run.stderr.contains("stuck-driver --version`"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the wait is bounded"
    );
    let child: u32 = std::fs::read_to_string(&pid_file)
        .expect("the driver's child")
        .trim()
        .parse()
        .expect("a pid");
    assert!(
        common::wait_until(
            std::time::Duration::from_secs(5),
            || !common::process_alive(child)
        ),
        "the driver's child {child} outlived doctor"
    );
    // yit's own, by its path: runs, nothing said
    repo.ok(&["init", "-q"]);
    let run = repo.run(&["doctor"]);
    assert!(!run.stderr.contains("merge driver"), "{}", run.stderr);
}
